"""Packages as ZIP files: writing TT 05 SIP/AIP/DIP ZIPs, and opening received ZIPs defensively.

A received ZIP is untrusted input. Before a single member is read it is checked for everything
that could escape or exhaust the machine: traversal and absolute names, backslashes, symlinks,
encryption, duplicate names, more than one root folder (E-ARK CSIPSTR1) and an uncompressed size
or compression ratio beyond the configured limits (zip bombs).
"""

from __future__ import annotations

import hashlib
import stat
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ingest.package.build import Package
from ingest.package.errors import PackageError, PackageRejected
from ingest.package.model import open_source
from ingest.package.read import ReceivedPackage, read_package
from ingest.package.schemas import SchemaSet
from ingest.package.xmlutil import VIETNAM

MAX_TOTAL_BYTES = 64 * 1024**3
MAX_RATIO = 200
_COPY = 1024 * 1024
_COMPRESSIBLE = ("text/", "application/xml")


def write_zip(package: Package, destination: Path | BinaryIO) -> None:
    """Write the package under its root folder (OBJID with ':' → '_'), checking every file's digest.

    Member timestamps come from the package's creation date, so the same package always gives
    the same ZIP bytes.
    """
    stamp = package.spec.created.astimezone(VIETNAM).timetuple()[:6]
    with zipfile.ZipFile(destination, "w") as archive:
        for entry in package.entries:
            info = zipfile.ZipInfo(f"{package.folder}/{entry.path}", date_time=stamp)
            xml_like = entry.path.endswith((".xml", ".xsd", ".txt", ".json"))
            info.compress_type = zipfile.ZIP_DEFLATED if xml_like else zipfile.ZIP_STORED
            info.external_attr = (stat.S_IFREG | 0o444) << 16
            digest = hashlib.sha256()
            size = 0
            with open_source(entry.source) as source, archive.open(info, "w", force_zip64=entry.size > 2**31) as out:
                while chunk := source.read(_COPY):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            if digest.hexdigest() != entry.sha256 or size != entry.size:
                raise PackageError(f"{entry.path} changed while it was packaged: SHA-256 {digest.hexdigest()} and "
                                   f"{size} bytes instead of {entry.sha256} and {entry.size}; the ZIP is unusable")


def open_zip(path: Path, *, max_total_bytes: int = MAX_TOTAL_BYTES,
             max_ratio: int = MAX_RATIO) -> dict[str, Callable[[], BinaryIO]]:
    """Member openers keyed by path below the single root folder; PackageRejected on any hazard."""
    source = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackageRejected(source, [f"not a readable ZIP file ({exc})"]) from None
    problems: list[str] = []
    members: dict[str, str] = {}
    roots: set[str] = set()
    seen: set[str] = set()
    total = 0
    with archive:
        for info in archive.infolist():
            name = info.filename
            problem = _unsafe(info)
            if problem:
                problems.append(f"{name!r}: {problem}")
                continue
            if info.is_dir():
                continue
            root, _, rest = name.partition("/")
            roots.add(root)
            if not rest:
                problems.append(f"{name}: file outside the package's root folder (E-ARK CSIPSTR1)")
                continue
            if name in seen:
                problems.append(f"{name}: appears twice in the ZIP")
                continue
            seen.add(name)
            members[rest] = name
            total += info.file_size
            if info.compress_size and info.file_size / info.compress_size > max_ratio:
                problems.append(f"{name}: compression ratio {info.file_size // info.compress_size}:1 exceeds "
                                f"{max_ratio}:1 (possible ZIP bomb)")
    if len(roots) > 1:
        problems.append(f"the ZIP has {len(roots)} top-level folders ({', '.join(sorted(roots))}); a package must "
                        "unpack to exactly one (E-ARK CSIPSTR1)")
    if total > max_total_bytes:
        problems.append(f"uncompressed size {total} bytes exceeds the limit of {max_total_bytes}")
    if problems:
        raise PackageRejected(source, problems)

    def opener(member: str) -> Callable[[], BinaryIO]:
        def open_member() -> BinaryIO:
            with zipfile.ZipFile(path) as archive:
                return archive.open(member)  # the member keeps the file open after the archive object closes
        return open_member

    return {rest: opener(member) for rest, member in members.items()}


def _unsafe(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if "\\" in name:
        return "backslash in the name (a Windows path that may escape the folder)"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    parts = name.rstrip("/").split("/")
    if any(part == ".." for part in parts):
        return "'..' path traversal"
    if any(part in ("", ".") for part in parts):
        return "empty or '.' path segment"
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in name):
        return "control or invisible character in the name"
    if unicodedata.normalize("NFC", name) != name:
        return "name not in Unicode NFC form"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "symbolic link"
    if info.flag_bits & 0x1:
        return "encrypted member"
    return None


def read_zip_package(path: Path, schemas: SchemaSet, *, expected_type: str | None = None) -> ReceivedPackage:
    """Open, verify and parse a zipped package (TT 05 SIP_hoso/SIP_tailieu, E-ARK SIP, AIP or DIP)."""
    return read_package(open_zip(path), schemas, source=str(path), expected_type=expected_type)
