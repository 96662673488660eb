"""Turn what an archivist hands over (files, folders, ZIPs, BagIt bags) into a list of files.

Nothing here decides whether a file is acceptable: that is the pipeline's job, per file, so one
bad file never stops a batch. The exceptions are containers: a ZIP that is unsafe to open (path
traversal, symlinks, bomb) is not opened but submitted as one file, which validation then
quarantines with the precise reason; an invalid BagIt bag is refused as a whole, with the list of
failing files, because a bag's promise is that it is complete.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bagit

from archive.sips import SipRefused, looks_like_package, take_sip
from ingest.package import SchemaSet
from ingest.validate import check_zip

SKIPPED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}
"""Files operating systems leave behind (with macOS's ``__MACOSX/`` folders and ``._*`` forks): not records."""


@dataclass(frozen=True)
class SourceFile:
    path: Path      # a readable file on this machine
    name: str       # the name people see: relative to what was submitted
    supplied: dict[str, Any] = field(default_factory=dict)   # metadata its submission package declares


class IntakeError(Exception):
    """The submission as a whole cannot be taken; ``details`` lists what is wrong."""

    def __init__(self, vi: str, en: str, details: list[str] | None = None) -> None:
        super().__init__(en)
        self.vi, self.en, self.details = vi, en, details or []


def _is_zip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == b"PK\x03\x04"


def _walk(root: Path, prefix: str) -> list[SourceFile]:
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if (path.is_symlink() or not path.is_file() or path.name.lower() in SKIPPED_NAMES
                or path.name.startswith("._") or "__MACOSX" in relative.parts):
            continue
        found.append(SourceFile(path, f"{prefix}{relative.as_posix()}"))
    return found


def _failing_files(bag: bagit.Bag | None) -> list[str]:
    """Name the files at fault when bagit stopped at its Payload-Oxum summary (counts and bytes only).

    Validating again without the summary runs the per-file checks (missing, unexpected, checksum).
    """
    if bag is None or "Payload-Oxum" not in bag.info:
        return []
    del bag.info["Payload-Oxum"]
    try:
        bag.validate(processes=1)
    except bagit.BagValidationError as exc:
        return [str(d) for d in getattr(exc, "details", [])]
    return []


def _bag(root: Path, prefix: str) -> list[SourceFile]:
    bag = None
    try:
        bag = bagit.Bag(str(root))
        bag.validate(processes=1)
    except bagit.BagValidationError as exc:
        details = [str(d) for d in getattr(exc, "details", [])] or [str(exc), *_failing_files(bag)]
        raise IntakeError(f"Gói BagIt {prefix or root.name} không hợp lệ; không tiếp nhận tệp nào của gói.",
                          f"The BagIt bag {prefix or root.name} is invalid; none of its files were taken.", details) from exc
    except bagit.BagError as exc:
        raise IntakeError(f"Không đọc được gói BagIt {root.name} ({exc}).", f"Cannot read the BagIt bag {root.name} ({exc}).") from exc
    return _walk(root / "data", prefix)


def _expand_zip(path: Path, name: str, scratch: Path) -> list[SourceFile]:
    """Extract a ZIP that passed the safety checks, member by member, streaming."""
    target = scratch / f"zip-{len(list(scratch.glob('zip-*')))}"
    target.mkdir(parents=True)
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            if member.is_dir():
                continue
            out = (target / member.filename).resolve()
            if not out.is_relative_to(target.resolve()):  # check_zip refused these already; never trust one check
                raise IntakeError(f"Tệp nén {name} có mục trỏ ra ngoài: {member.filename}.",
                                  f"The archive {name} has an entry pointing outside: {member.filename}.")
            out.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
    roots = [p for p in target.iterdir()]
    if (target / "bagit.txt").exists():
        return _bag(target, f"{name}/")
    if len(roots) == 1 and (roots[0] / "bagit.txt").exists():
        return _bag(roots[0], f"{name}/")
    return _walk(target, f"{name}/")


def collect(paths: list[Path], scratch: Path, schemas: SchemaSet | None = None) -> list[SourceFile]:
    """Every file of the submission, in a stable order; containers expanded where safe.

    A ZIP holding a TT 05 or E-ARK SIP is verified as a package (``archive.sips``) and refused as a
    whole when malformed; ``schemas`` (the configured XSDs) are needed to verify its METS.
    """
    files: list[SourceFile] = []
    for given in paths:
        if not given.exists():
            raise IntakeError(f"Không tìm thấy {given}; hãy kiểm tra đường dẫn.", f"{given} does not exist; check the path.")
        if given.is_dir():
            files.extend(_bag(given, f"{given.name}/") if (given / "bagit.txt").exists() else _walk(given, f"{given.name}/"))
        elif _is_zip(given) and looks_like_package(given):
            try:
                files.extend(SourceFile(path, name, supplied)
                             for path, name, supplied in take_sip(given, given.name, scratch, schemas))
            except SipRefused as exc:
                raise IntakeError(f"Gói SIP {given.name} không hợp lệ; không tiếp nhận tệp nào của gói. Hãy sửa các lỗi "
                                  "sau rồi nộp lại:",
                                  f"The SIP {given.name} is malformed; none of its files were taken. Fix these "
                                  "problems and submit it again:", exc.problems) from exc
        elif _is_zip(given) and not check_zip(given):
            files.extend(_expand_zip(given, given.name, scratch))
        else:
            files.append(SourceFile(given, given.name))
    if not files:
        raise IntakeError("Không có tệp nào để tiếp nhận.", "There are no files to take in.")
    return files
