"""Turn a browser upload (many files, folders with their relative paths, ZIPs, a catalogue) into a batch.

Browsers send a folder's files with names such as ``Hồ sơ 01/vn003.pdf``; those names come from
the client and are never trusted: each path part is cleaned, ``..`` and empty parts are dropped,
and the final path is checked to lie inside the upload folder. Vietnamese names are kept as they
are (werkzeug's ``secure_filename`` would strip the diacritics that make them readable).
"""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

from werkzeug.datastructures import FileStorage

from archive.accounts import Account
from archive.batches import BatchService
from archive.catalogue import CatalogueError
from archive.factory import Archive
from archive.intake import IntakeError
from archive.web.security import WebError, client_ip

_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")
CATALOGUE_SUFFIXES = (".csv", ".xlsx")


def safe_relative(name: str) -> Path | None:
    """A cleaned relative path for a client-supplied file name, or None if nothing usable is left."""
    parts = [_UNSAFE.sub("", p).strip()[:200] for p in re.split(r"[\\/]+", name or "")]
    parts = [p for p in parts if p and p not in (".", "..")]
    return Path(*parts) if parts else None


def save(upload: FileStorage, folder: Path) -> Path | None:
    relative = safe_relative(upload.filename or "")
    if relative is None:
        return None
    target = (folder / relative).resolve()
    if not target.is_relative_to(folder.resolve()):
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():  # the same name twice in one upload: keep both
        target = target.with_name(f"{target.stem}-{uuid.uuid4().hex[:6]}{target.suffix}")
    upload.save(target)
    return target


def submit_upload(archive: Archive, account: Account, files: list[FileStorage], catalogue: FileStorage | None,
                  name: str | None, fonds_code: str | None) -> int:
    """Store the upload in a private scratch folder, submit it as one batch, remove the scratch."""
    files = [f for f in files if f and f.filename]
    fonds_code = (fonds_code or "").strip() or None
    if fonds_code:
        try:
            owner = BatchService(archive).fonds_agency(fonds_code)
        except LookupError:
            owner = account.agency_code  # BatchService.submit refuses it with its own message
        if owner is not None and owner != account.agency_code:
            raise WebError(403, "foreign_fonds",
                           f"Phông {fonds_code} thuộc cơ quan khác; bạn chỉ tiếp nhận vào phông của cơ quan mình. Hãy chọn phông khác hoặc để trống.",
                           f"Fonds {fonds_code} belongs to another agency; you can only deposit into your own agency's fonds. "
                           "Choose another fonds or leave it empty.")
    if not files:
        raise WebError(400, "no_files", "Chưa chọn tệp nào. Hãy kéo thả hoặc chọn ít nhất một tệp rồi gửi lại.",
                       "No file was chosen. Drop or choose at least one file and submit again.")
    folder = archive.settings.work_dir / f"upload-{uuid.uuid4().hex}"
    payload = folder / "files"
    payload.mkdir(parents=True)
    try:
        for upload in files:
            save(upload, payload)
        catalogue_path = None
        if catalogue is not None and catalogue.filename:
            suffix = Path(catalogue.filename).suffix.lower()
            if suffix not in CATALOGUE_SUFFIXES:
                raise WebError(400, "bad_catalogue_type",
                               f"Bảng kê phải là tệp CSV hoặc XLSX (nhận được '{suffix or 'không có đuôi'}'). Hãy lưu lại bảng kê đúng định dạng.",
                               f"The catalogue must be a CSV or XLSX file (got '{suffix or 'no extension'}'). Save it in one of those formats.")
            catalogue_path = folder / f"catalogue{suffix}"
            catalogue.save(catalogue_path)
        entries = sorted(payload.iterdir())
        if not entries:
            raise WebError(400, "no_files", "Không có tệp hợp lệ nào trong lần gửi này. Hãy chọn lại tệp.",
                           "None of the uploaded names was usable. Choose the files again.")
        try:
            return BatchService(archive).submit(entries, name=(name or "").strip()[:200] or None,
                                                fonds_code=fonds_code,
                                                catalogue_path=catalogue_path, submitted_by=account.id,
                                                actor=account.username, ip=client_ip())
        except CatalogueError as exc:
            raise WebError(400, "bad_catalogue",
                           "Bảng kê có lỗi; chưa tiếp nhận tệp nào. Sửa các ô sau rồi gửi lại: " + "; ".join(exc.problems[:20]),
                           "The catalogue has errors; nothing was taken in. Fix these cells and submit again: "
                           + "; ".join(exc.problems[:20])) from exc
        except IntakeError as exc:
            detail = ("; " + "; ".join(exc.details[:20])) if exc.details else ""
            raise WebError(400, "intake", exc.vi + detail, exc.en + detail) from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)
