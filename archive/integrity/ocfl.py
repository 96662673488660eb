"""The OCFL storage root in each location: validated with the OCFL validator (inventories, sidecars, content
digests against the inventories), and a location with errors repaired key by key from a clean location.

``check_ocfl`` validates whole storage roots (``luutru verify``); ``check_package`` validates one record's
OCFL object in one location, which the paced tick does for every record whose objects it verified, so the
scheduled cycle covers the packages as well as the bitstreams.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.audit import SYSTEM_ACTOR, append
from archive.catalog import ArchivalPackage, Document
from archive.catalog.codes import EventOutcome, EventType
from archive.integrity.replication import _retained
from archive.preservation import record_event
from ingest.package.ocfl import OcflStorage
from ingest.package.validate import Finding, validate_object, validate_storage_root
from storage import ObjectStore, StorageError
from storage.hashing import ChunkStream

if TYPE_CHECKING:
    from archive.factory import Archive

ROOT = "ocfl"


def check_ocfl(archive: Archive, *, repair: bool, actor: str) -> dict[str, list[str]]:
    """Problems per location, each a sentence (empty when every OCFL root is valid). A finding that was
    repaired is still reported ("… repaired from primary"), like a repaired bitstream copy."""
    stores = {name: store for name, store in archive.locations().items()
              if next(iter(store.list(ROOT + "/")), None) is not None}
    errors = {name: [f for f in validate_storage_root(store, ROOT) if f.code.startswith("E")]
              for name, store in stores.items()}
    clean = next((name for name, found in errors.items() if not found), None)
    report: dict[str, list[str]] = {}
    for name, found in errors.items():
        if not found:
            continue
        messages = [f"{f.code} {f.key}: {f.message}" for f in found]
        repaired = (_restore(stores[clean], stores[name], {f.key for f in found})
                    if repair and clean is not None else [])
        if repaired:
            with archive.work_sessions.begin() as session:
                _record_repairs(session, repaired, name, clean or "", actor)
            left = [f for f in validate_storage_root(stores[name], ROOT) if f.code.startswith("E")]
            messages = ([f"{m} — repaired from {clean}" for m in messages] if not left else
                        messages + [f"still damaged after repair: {f.code} {f.key}" for f in left])
        report[name] = messages
    return report


def _restore(good: ObjectStore, bad: ObjectStore, keys: set[str]) -> list[str]:
    """Copy ``keys`` from ``good`` over ``bad``, each checked against the digest just read from ``good``."""
    repaired = []
    for key in sorted(keys):
        try:
            if not good.exists(key):
                continue
            digest = hashlib.sha256()
            for chunk in good.get(key):
                digest.update(chunk)
            expected = digest.hexdigest()
            if bad.exists(key):
                bad.restore(key, ChunkStream(good.get(key)), expected_sha256=expected, retain=_retained(key))
            else:
                bad.put(key, ChunkStream(good.get(key)), expected_sha256=expected, retain=_retained(key))
            repaired.append(key)
        except StorageError:
            continue
    return repaired


def _record_repairs(session: Session, keys: list[str], location: str, source: str, actor: str) -> None:
    for key in keys:
        append(session, "fixity.repair", actor=actor, object=f"ocfl:{key}",
               details={"location": location, "from": source})


# -- one record's package in one location ----------------------------------------------------------


class _Metered:
    """An ObjectStore that counts the bytes read through it, so the paced tick charges a package
    validation to its bandwidth budget like any other read."""

    def __init__(self, store: ObjectStore) -> None:
        self._store, self.bytes_read = store, 0

    def get(self, key: str) -> Iterator[bytes]:
        for chunk in self._store.get(key):
            self.bytes_read += len(chunk)
            yield chunk

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@dataclass
class PackageResult:
    """The validation of one record's OCFL object in one location, and its repair."""

    document_id: int
    object_id: str
    location: str
    base: str
    findings: list[str] = field(default_factory=list)
    """Errors found (OCFL code, stored key, what is wrong); empty when the object is valid."""
    repaired: list[str] = field(default_factory=list)
    repaired_from: str | None = None
    left: list[str] = field(default_factory=list)
    """Errors still there after a repair, or all of them when no clean copy was found."""
    bytes_read: int = 0

    @property
    def status(self) -> str:
        """ok, repaired, or unrecoverable (found errors that no repair removed)."""
        if not self.findings:
            return "ok"
        return "repaired" if self.repaired_from is not None and not self.left else "unrecoverable"


def _errors(store: ObjectStore, base: str) -> list[Finding]:
    return [f for f in validate_object(store, base) if f.is_error]


def check_package(archive: Archive, document_id: int, location: str, *, repair: bool = True,
                  actor: str = SYSTEM_ACTOR) -> PackageResult | None:
    """Validate the OCFL object of record ``document_id`` in ``location`` (inventory and version
    inventories against their SHA-512 sidecars, every content file against the manifest digest), repair it
    from another location whose copy is valid, and record it all: a PREMIS ``fix`` event on the record,
    and for a failure an audit entry, as for a bitstream copy. None when the record has no package yet."""
    with archive.sessions() as session:
        object_id = session.scalar(select(ArchivalPackage.object_id).where(ArchivalPackage.document_id == document_id))
    if object_id is None:
        return None
    stores = archive.locations()
    store = stores[location]
    base = OcflStorage(store, ROOT).object_root(object_id)
    metered = _Metered(store)
    found = _errors(cast(ObjectStore, metered), base)
    if found:
        # A version being written at this moment looks like damage (files no inventory names yet). Its
        # writer (``packaging.seal``) holds the record's row lock, and on SQLite the write lock, for the
        # whole write: wait for it, then look again.
        with archive.work_sessions.begin() as session:
            session.execute(select(Document.id).where(Document.id == document_id).with_for_update())
            found = _errors(cast(ObjectStore, metered), base)
    result = PackageResult(document_id, object_id, location, base, [str(f) for f in found])
    if found:
        result.left = list(result.findings)
        for source, good in stores.items():
            if not repair or source == location or _errors(good, base):
                continue
            missing = {key for key in good.list(base + "/") if not store.exists(key)}
            result.repaired = _restore(good, store, {f.key for f in found} | missing)
            result.repaired_from = source
            result.left = [str(f) for f in _errors(store, base)]
            break
    result.bytes_read = metered.bytes_read
    with archive.work_sessions.begin() as session:
        _record_package(session, result, actor)
    return result


def _record_package(session: Session, result: PackageResult, actor: str) -> None:
    document = session.get(Document, result.document_id)
    assert document is not None
    record_event(session, EventType.FIXITY_CHECK, EventOutcome.FAILURE if result.findings else EventOutcome.SUCCESS,
                 detail=f"OCFL object {result.object_id} validated in the {result.location} copy: inventories "
                        "against their SHA-512 sidecars, stored content against the manifest digests",
                 outcome_detail="; ".join(result.findings) or "valid", sources=[document])
    if not result.findings:
        return
    append(session, "fixity.failure", actor=actor, object=f"ocfl:{result.base}",
           details={"document": result.document_id, "location": result.location, "state": "damaged",
                    "findings": result.findings[:50]})
    if result.repaired_from is not None:
        _record_repairs(session, result.repaired, result.location, result.repaired_from, actor)
    if result.status == "repaired":
        record_event(session, EventType.RECOVERY, EventOutcome.SUCCESS,
                     detail=f"OCFL object {result.object_id} in the {result.location} copy restored from the "
                            f"valid {result.repaired_from} copy",
                     outcome_detail=f"restored: {', '.join(result.repaired)}", outcomes=[document])
    else:
        record_event(session, EventType.RECOVERY, EventOutcome.FAILURE,
                     detail=f"OCFL object {result.object_id} in the {result.location} copy: no valid copy to "
                            "repair from" if result.repaired_from is None else "repair did not remove every error",
                     outcome_detail="; ".join(result.left), sources=[document])
        append(session, "fixity.unrecoverable", actor=actor, object=f"ocfl:{result.base}",
               details={"document": result.document_id, "location": result.location, "findings": result.left[:50]})
