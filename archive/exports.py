"""Exports of a record's package: the stored AIP as a TT 05 ZIP, a DIP answering an access request, a BagIt bag.

Every export starts from the head version the catalog points at, read back through
``read_package``: each file is re-hashed against its METS checksum on the way out, so a damaged
object is refused rather than handed over.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.catalog import ArchivalPackage, Document
from archive.factory import Archive
from archive.packaging import now_ms, schema_set, software
from ingest.package import (
    AccessRequest,
    Agent,
    OcflStorage,
    Package,
    PackageEntry,
    build_package,
    dip_from_aip,
    export_bag,
    read_package,
    tt05_date,
    write_zip,
)

Format = Literal["aip", "dip", "bag"]


class RecordNotFound(LookupError):
    """No archived record (with a package) answers to the name given."""

    def __init__(self, record: str) -> None:
        self.record = record
        self.vi = (f"Không tìm thấy tài liệu đã lưu trữ nào ứng với {record!r} (số hiệu, mã tài liệu hoặc urn:uuid của "
                   "gói AIP); hãy kiểm tra lại.")
        self.en = (f"No archived record answers to {record!r} (a record number, a document code or the AIP's "
                   "urn:uuid); check it.")
        super().__init__(self.en)


def find_package(session: Session, record: str) -> tuple[Document, ArchivalPackage]:
    """The record by catalog id, TT 05 document code or AIP OBJID, with its package row."""
    query = select(Document, ArchivalPackage).join(ArchivalPackage, ArchivalPackage.document_id == Document.id)
    if record.isdigit():
        query = query.where(Document.id == int(record))
    elif record.startswith("urn:uuid:"):
        query = query.where(ArchivalPackage.object_id == record)
    else:
        query = query.where(Document.doc_code == record)
    found = session.execute(query).first()
    if found is None:
        raise RecordNotFound(record)
    return found[0], found[1]


def stored_aip(archive: Archive, row: ArchivalPackage) -> Package:
    """The AIP exactly as stored (head version the catalog knows), verified file by file."""
    ocfl = OcflStorage(archive.store)
    files = ocfl.files(row.object_id, row.head)
    openers = ocfl.openers(row.object_id, row.head)
    received = read_package(openers, schema_set(archive.settings), source=f"{row.object_id} {row.head}",
                            expected_type="AIP")
    entries = tuple(PackageEntry(path, archive.store.head(item.key).size, item.sha256 or "", openers[path])
                    for path, item in sorted(files.items()))
    return Package(received.spec, "AIP", received.objid, entries)


@dataclass(frozen=True)
class DipRequest:
    """The access request a DIP answers (TT 05 DIP EAD.xml)."""

    request_id: str
    purpose: str = "02"
    fee_object_type: str = "01"
    reader: str = "luutru"
    purpose_content: str | None = None


def export_record(archive: Archive, record: str, fmt: Format, destination: Path,
                  request: DipRequest | None = None) -> Path:
    """Write the record's package to ``destination`` (a ZIP) in the chosen form; returns the path."""
    with archive.sessions() as session:
        _, row = find_package(session, record)
        session.expunge(row)
    aip = stored_aip(archive, row)
    destination = Path(destination)
    if fmt == "aip":
        _write_atomically(destination, lambda path: write_zip(aip, path))
    elif fmt == "dip":
        request = request or DipRequest(request_id=f"DIP-{date.today():%Y%m%d}-{row.document_id}")
        reader = Agent(identifier=f"reader:{request.reader}", name=request.reader, type="person")
        access = AccessRequest(request_id=request.request_id, request_date=tt05_date(date.today()),
                               purpose=request.purpose, fee_object_type=request.fee_object_type,
                               purpose_content=request.purpose_content)
        names = tuple(rep.name for rep in aip.spec.representations)
        chosen = names[1:2] or names[:1]   # rep2, the PDF/A access copy, when there is one
        spec = dip_from_aip(aip.spec, access, representations=chosen, created=now_ms(), software=software(),
                            organization=archive.settings.organization, disseminator=reader)
        dip = build_package(spec, "DIP", schema_set(archive.settings))
        _write_atomically(destination, lambda path: write_zip(dip, path))
    else:
        _write_atomically(destination, lambda path: _zipped_bag(aip, path, archive.settings.organization))
    return destination


def _zipped_bag(package: Package, path: Path, organization: str) -> None:
    """A valid bag (checked by bagit before zipping) in one root folder of the ZIP, as bags are shipped."""
    with tempfile.TemporaryDirectory(prefix="luutru-bag-") as scratch:
        folder = Path(scratch) / package.folder
        export_bag(package, folder, source_organization=organization)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(folder.rglob("*")):
                if file.is_file():
                    archive.write(file, f"{package.folder}/{file.relative_to(folder).as_posix()}")


def _write_atomically(destination: Path, write: Callable[[Path], None]) -> None:
    """Write next to the destination and rename, so a failed export never leaves a half ZIP behind."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".part")
    try:
        write(partial)
        partial.replace(destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise

