"""``luutru rebuild --from-storage``: recreate the catalog and the search index from the OCFL objects alone.

For each object in the storage root: the head inventory (its sidecar checked), the catalog record
the package carries (``documentation/luutru-record.json``, checked against the inventory's
SHA-256 fixity) is restored row by row with its ids, the package row points at the head version,
and the record is indexed again. What
is restored is the archival record; ingest batches (the intake queue) are not in the packages.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, TypeVar

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from archive.catalog import ArchivalPackage, Base, Document
from archive.factory import Archive
from archive.records import RECORD_NAME, restore_record
from archive.search_service import SearchService
from ingest.package import OcflError, OcflStorage
from ingest.package.build import DOCUMENTATION_FOLDER
from ingest.package.streams import read_all
from ingest.package.xmlutil import parse_timestamp
from storage import ObjectStore

RECORD_PATH = f"{DOCUMENTATION_FOLDER}/{RECORD_NAME}"
CHUNK = 50
T = TypeVar("T")


class RebuildRefused(Exception):
    """The catalog already holds records; a rebuild only fills an empty one."""


@dataclass
class RebuildReport:
    documents: int = 0
    objects: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


def rebuild_from_storage(archive: Archive, progress: Callable[[int], None] | None = None) -> RebuildReport:
    """Restore every record found in the object store into an empty catalog, then index each one."""
    with archive.sessions() as session:
        if session.scalar(select(func.count()).select_from(Document)):
            raise RebuildRefused("The catalog already holds records; a rebuild from storage fills an empty catalog "
                                 "only. Point LUUTRU_DATABASE_URL at a new database (or drop this one) and run again.")
    report = RebuildReport()
    started = time.perf_counter()
    ocfl = OcflStorage(archive.store)
    search = SearchService(archive)
    archive.index.ensure()
    restored: list[tuple[dict[str, Any], int]] = []
    # First every record with its own ids, then what gets new ids (package rows), so that a new id
    # can never take one a later record needs. Records go in transactions of
    # CHUNK, each record in a savepoint, so one bad record is reported without losing the others.
    heads = list(ocfl.heads())
    report.objects = len(heads)
    for chunk in _chunks(heads):
        with archive.work_sessions.begin() as session:
            for inventory in chunk:
                objid = inventory["id"]
                try:
                    record = _record(archive.store, ocfl, inventory)
                    with session.begin_nested():
                        restored.append((inventory, restore_record(session, record)))
                except (OcflError, SQLAlchemyError, ValueError, KeyError) as exc:
                    report.problems.append(f"{objid}: {exc}")
    with archive.work_sessions.begin() as session:
        _reset_sequences(session)
    for chunk in _chunks(restored):
        with archive.work_sessions.begin() as session:
            for inventory, document_id in chunk:
                _package_row(session, ocfl, inventory, document_id)
        with archive.sessions() as session:
            documents = [session.get(Document, document_id) for _, document_id in chunk]
            assert all(document is not None for document in documents)
            # As the pipeline's index step builds them, one commit per chunk: an index commit per record
            # costs tens of milliseconds on tantivy (fsync), hours over a whole archive.
            archive.index.put_many(search.indexed(document) for document in documents)  # type: ignore[arg-type]
            for _ in documents:
                report.documents += 1
                if progress is not None:
                    progress(report.documents)
    archive.index.refresh()   # searchable as soon as the command returns
    report.seconds = time.perf_counter() - started
    return report


def _chunks(items: list[T]) -> Iterator[list[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _record(store: ObjectStore, ocfl: OcflStorage, inventory: dict[str, Any]) -> dict[str, Any]:
    files = ocfl.files(inventory["id"], inventory=inventory)
    if RECORD_PATH not in files:
        raise OcflError(f"the head version has no {RECORD_PATH}; it was not written by luutru")
    stored = files[RECORD_PATH]
    data = read_all(store.get(stored.key))
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        raise OcflError(f"{stored.key} does not match its SHA-256 in the inventory; restore it from a replica")
    return json.loads(data)


def _package_row(session: Session, ocfl: OcflStorage, inventory: dict[str, Any], document_id: int) -> None:
    objid, head = inventory["id"], inventory["head"]
    data = read_all(ocfl.store.get(f"{ocfl.object_root(objid)}/{head}/inventory.json"))
    session.add(ArchivalPackage(
        document_id=document_id, object_id=objid, head_version=int(head[1:]),
        inventory_sha512=hashlib.sha512(data).hexdigest(),
        created_at=parse_timestamp(inventory["versions"]["v1"]["created"]).astimezone(UTC),
        updated_at=parse_timestamp(inventory["versions"][head]["created"]).astimezone(UTC)))


def _reset_sequences(session: Session) -> None:
    """Rows came back with their ids; PostgreSQL's sequences must continue after the highest one."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key:
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                 f"COALESCE((SELECT MAX(id) FROM {table.name}), 1), "
                                 f"(SELECT MAX(id) IS NOT NULL FROM {table.name}))"))
