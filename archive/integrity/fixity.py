"""Re-hash stored copies against the catalog, record a PREMIS ``fix`` event per copy, repair from a good copy.

Every copy is streamed through SHA-256 by its store (``ObjectStore.verify``), so nothing is ever
written to a local disk, whatever its size. A damaged or missing copy is repaired from a copy that
was just verified (``ObjectStore.restore``), re-verified, and the repair recorded (PREMIS ``rec``
event and an audit entry). With no sound copy left the object is reported unrecoverable and
nothing is "repaired".
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from archive.audit import SYSTEM_ACTOR, append
from archive.catalog import Bitstream, ObjectCopy, Representation, utc_now
from archive.catalog.codes import BitstreamRole, EventOutcome, EventType
from archive.preservation import record_event
from storage import ObjectStore, StorageError, VerifyResult
from storage.hashing import ChunkStream

if TYPE_CHECKING:
    from archive.factory import Archive

PRIMARY, REPLICA = "primary", "replica"


@dataclass
class CopyResult:
    location: str
    state: str          # ok, damaged, missing, unreachable
    message: str
    repaired: bool = False

    @property
    def ok(self) -> bool:
        return self.state == "ok" or self.repaired


@dataclass
class ObjectResult:
    bitstream_id: int
    key: str
    size: int
    copies: list[CopyResult] = field(default_factory=list)

    @property
    def status(self) -> str:
        """ok, repaired (a bad copy was found and put right), unrecoverable, or unchecked (store unreachable)."""
        bad = [c for c in self.copies if c.state in ("damaged", "missing")]
        if any(c.state == "unreachable" for c in self.copies) and not bad:
            return "unchecked"
        if not bad:
            return "ok"
        return "repaired" if all(c.repaired for c in bad) else "unrecoverable"

    def as_dict(self) -> dict[str, object]:
        return {"bitstream": self.bitstream_id, "key": self.key, "size": self.size, "status": self.status,
                "copies": [c.__dict__ for c in self.copies]}


class Pacer:
    """Keeps the average read rate under ``bytes_per_second`` by sleeping between objects."""

    def __init__(self, bytes_per_second: int | None) -> None:
        self.rate, self.started, self.done = bytes_per_second, time.monotonic(), 0

    def account(self, size: int) -> None:
        self.done += size
        if self.rate:
            ahead = self.done / self.rate - (time.monotonic() - self.started)
            if ahead > 0:
                time.sleep(ahead)


RECORD_BATCH = 64
"""Results of a parallel pass recorded per catalog transaction (a killed pass re-verifies at most these)."""


def _state(result: VerifyResult) -> str:
    if result.ok:
        return "ok"
    return "missing" if result.actual is None else "damaged"


def _verify(store: ObjectStore, key: str, sha256: str, location: str) -> CopyResult:
    try:
        result = store.verify(key, sha256)
    except StorageError as exc:
        return CopyResult(location, "unreachable", f"{location}: could not be read ({exc}); not judged.")
    return CopyResult(location, _state(result), f"{location}: {result.message}")


def expected_locations(session: Session, archive: Archive, bitstream_id: int) -> list[str]:
    """Primary always; the replica once the object has been copied there (before that, replication owes it)."""
    locations = [PRIMARY]
    if archive.replica is not None:
        copy = session.get(ObjectCopy, (bitstream_id, REPLICA))
        if copy is not None and copy.copied_at is not None:
            locations.append(REPLICA)
    return locations


def check_object(archive: Archive, bitstream_id: int, *, only: Iterable[str] | None = None, repair: bool = True,
                 actor: str = SYSTEM_ACTOR) -> ObjectResult:
    """Verify the copies of one bitstream (all expected, or ``only`` some), repair, and record it all."""
    result = _check(archive, bitstream_id, only=only, repair=repair)
    _record(archive, [result], actor)
    return result


def _check(archive: Archive, bitstream_id: int, *, only: Iterable[str] | None, repair: bool) -> ObjectResult:
    """Verify and repair one bitstream's copies; nothing is written to the catalog yet."""
    stores = archive.locations()
    with archive.sessions() as session:
        bitstream = session.get(Bitstream, bitstream_id)
        if bitstream is None:
            raise LookupError(f"There is no bitstream {bitstream_id}.")
        key, sha256, size, role = bitstream.storage_key, bitstream.sha256, bitstream.size, bitstream.role
        content_type = bitstream.mime_type or "application/octet-stream"
        expected = expected_locations(session, archive, bitstream_id)
    checked = [loc for loc in expected if only is None or loc in set(only)]
    result = ObjectResult(bitstream_id, key, size, [_verify(stores[loc], key, sha256, loc) for loc in checked])
    bad = [c for c in result.copies if c.state in ("damaged", "missing")]
    if bad and repair:
        source = next((c.location for c in result.copies if c.state == "ok"), None)
        if source is None:  # the other locations were not part of this check: look at them now
            for loc in expected:
                if loc not in checked and _verify(stores[loc], key, sha256, loc).state == "ok":
                    source = loc
                    break
        if source is not None:
            for copy in bad:
                _repair(stores[source], stores[copy.location], key, sha256, size, content_type,
                        role == BitstreamRole.MASTER, copy, source)
    return result


def _repair(source: ObjectStore, target: ObjectStore, key: str, sha256: str, size: int, content_type: str,
            retain: bool, copy: CopyResult, source_name: str) -> None:
    try:
        target.restore(key, ChunkStream(source.get(key)), expected_sha256=sha256, size=size,
                       content_type=content_type, retain=retain)
        after = target.verify(key, sha256)
    except StorageError as exc:
        copy.message += f" Repair from {source_name} failed: {exc}"
        return
    if after.ok:
        copy.repaired = True
        copy.message += f" Repaired from the {source_name} copy and verified."


def _record(archive: Archive, results: list[ObjectResult], actor: str) -> None:
    """One transaction for the results of several objects: copy states, a ``fix`` event per copy,
    ``rec`` events and audit entries. A parallel pass records in batches: a catalog commit per object
    would cost as much as hashing a small one."""
    now = utc_now()
    with archive.work_sessions.begin() as session:
        for result in results:
            _record_one(session, result, now, actor)


def _record_one(session: Session, result: ObjectResult, now: datetime, actor: str) -> None:
    bitstream_id = result.bitstream_id
    bitstream = session.get(Bitstream, bitstream_id)
    assert bitstream is not None
    for copy in result.copies:
        if copy.state == "unreachable":
            continue
        row = session.get(ObjectCopy, (bitstream_id, copy.location)) or ObjectCopy(
            bitstream_id=bitstream_id, location=copy.location)
        row.state = "ok" if copy.ok else copy.state
        row.last_verified_at = now
        row.last_message = copy.message
        if copy.location == PRIMARY and row.copied_at is None:
            row.copied_at = bitstream.created_at
        session.add(row)
        record_event(session, EventType.FIXITY_CHECK,
                     EventOutcome.SUCCESS if copy.state == "ok" else EventOutcome.FAILURE,
                     detail=f"SHA-256 re-computed over the {copy.location} copy, compared with the catalog",
                     outcome_detail=copy.message, sources=[bitstream])
        if copy.state in ("damaged", "missing"):
            append(session, "fixity.failure", actor=actor, object=f"bitstream:{bitstream_id}",
                   details={"key": result.key, "location": copy.location, "state": copy.state})
        if copy.repaired:
            row.repaired_at = now
            record_event(session, EventType.RECOVERY, EventOutcome.SUCCESS,
                         detail=f"{copy.location} copy restored from a verified copy",
                         outcome_detail=copy.message, outcomes=[bitstream])
            append(session, "fixity.repair", actor=actor, object=f"bitstream:{bitstream_id}",
                   details={"key": result.key, "location": copy.location})
    if result.status == "unrecoverable":
        record_event(session, EventType.RECOVERY, EventOutcome.FAILURE,
                     detail="no sound copy left to repair from",
                     outcome_detail="; ".join(c.message for c in result.copies), sources=[bitstream])
        append(session, "fixity.unrecoverable", actor=actor, object=f"bitstream:{bitstream_id}",
               details={"key": result.key,
                        "copies": {c.location: c.state for c in result.copies}})


# -- selections ------------------------------------------------------------------------------------


def select_bitstreams(*, record: int | None = None, older_than: timedelta | None = None) -> Select[tuple[int]]:
    """Ids of the bitstreams to verify: all, one record's (document id), or not verified since a cut-off."""
    query = select(Bitstream.id).order_by(Bitstream.id)
    if record is not None:
        query = query.join(Representation, Bitstream.representation_id == Representation.id).where(
            Representation.document_id == record)
    if older_than is not None:
        cutoff = utc_now() - older_than
        fresh = select(ObjectCopy.bitstream_id).where(ObjectCopy.location == PRIMARY,
                                                      ObjectCopy.last_verified_at >= cutoff)
        stale_replica = select(ObjectCopy.bitstream_id).where(
            ObjectCopy.location == REPLICA, ObjectCopy.copied_at.is_not(None),
            or_(ObjectCopy.last_verified_at.is_(None), ObjectCopy.last_verified_at < cutoff))
        query = query.where(or_(Bitstream.id.not_in(fresh), Bitstream.id.in_(stale_replica)))
    return query


def verify_selection(archive: Archive, ids: Iterable[int], *, repair: bool = True, actor: str = SYSTEM_ACTOR,
                     bandwidth: int | None = None, jobs: int = 1) -> Iterator[ObjectResult]:
    """Check each bitstream, in order. ``jobs`` objects are read at once (hashlib and the store's reads
    release the GIL, so threads use every core); a bandwidth budget implies one at a time."""
    if bandwidth or jobs <= 1:
        pacer = Pacer(bandwidth)
        for bitstream_id in ids:
            result = check_object(archive, bitstream_id, repair=repair, actor=actor)
            pacer.account(result.size * len(result.copies))
            yield result
        return
    with ThreadPoolExecutor(jobs, thread_name_prefix="luutru-fixity") as pool:
        pending: list[ObjectResult] = []
        for result in pool.map(lambda bitstream_id: _check(archive, bitstream_id, only=None, repair=repair), ids):
            pending.append(result)
            if len(pending) >= RECORD_BATCH:
                _record(archive, pending, actor)
                yield from pending
                pending = []
        if pending:
            _record(archive, pending, actor)
            yield from pending


def due_copies(session: Session, location: str, limit: int) -> list[int]:
    """Bitstream ids whose copy in ``location`` was verified longest ago (never-verified first)."""
    if location == PRIMARY:
        never = select(Bitstream.id).where(~Bitstream.id.in_(
            select(ObjectCopy.bitstream_id).where(ObjectCopy.location == PRIMARY))).order_by(Bitstream.id).limit(limit)
        ids = list(session.scalars(never))
    else:
        ids = []
    if len(ids) < limit:
        query = (select(ObjectCopy.bitstream_id).where(ObjectCopy.location == location)
                 .where(ObjectCopy.copied_at.is_not(None))
                 .order_by(ObjectCopy.last_verified_at.asc().nulls_first(), ObjectCopy.bitstream_id)
                 .limit(limit - len(ids)))
        ids += list(session.scalars(query))
    return ids

