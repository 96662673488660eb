"""Keep the replica complete: a sweep copies every bitstream not yet there, then verifies the copy.

A sweep (rather than a pipeline step) because it covers everything the catalog lists whoever
stored it — masters at submission, derivatives in the pipeline, packages, anything added later —
and a replica that was down for a day simply catches up on the next run. Each copy is streamed
store to store with the catalog's digest as the expected SHA-256, so a damaged source is refused
instead of being replicated, and read back before it counts (PREMIS ``rep``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from archive.catalog import Bitstream, ObjectCopy, utc_now
from archive.catalog.codes import BitstreamRole, EventOutcome, EventType
from archive.integrity.fixity import PRIMARY, REPLICA, Pacer
from archive.preservation import record_event
from storage import KeyExists, StorageError
from storage.hashing import ChunkStream

if TYPE_CHECKING:
    from archive.factory import Archive


@dataclass
class ReplicationReport:
    copied: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


MIRRORED_PREFIXES = ("ocfl/",)
"""Stored trees that are not catalog bitstreams but must exist in every location: the OCFL storage root
(its own inventories carry the digests, and ``luutru verify`` validates it in each location)."""
_VERSION_DIR = re.compile(r"v\d+")


def _retained(key: str) -> bool:
    """Everything is retained except an OCFL object root's copy of the head inventory, which is republished
    (deleted and put again) at each new version, exactly as on the primary."""
    parts = key.split("/")
    return not (parts[-1].startswith("inventory.json") and not _VERSION_DIR.fullmatch(parts[-2]))


def mirror(archive: Archive, report: ReplicationReport | None = None) -> ReplicationReport:
    """Make the replica's OCFL tree equal the primary's: copy what it lacks, restore what differs."""
    report = report or ReplicationReport()
    replica = archive.replica
    if replica is None:
        return report
    for prefix in MIRRORED_PREFIXES:
        for key in archive.store.list(prefix):
            try:
                info = archive.store.head(key)
                digest = info.sha256 or _digest(archive, key)
                if replica.exists(key):
                    if replica.head(key).sha256 == digest:
                        continue  # content fixity is checked by `luutru verify` (OCFL validation), not every sweep
                    replica.restore(key, ChunkStream(archive.store.get(key)), expected_sha256=digest, size=info.size,
                                    retain=_retained(key))
                else:
                    replica.put(key, ChunkStream(archive.store.get(key)), expected_sha256=digest, size=info.size,
                                retain=_retained(key))
                report.copied.append(key)
            except StorageError as exc:
                report.failed[key] = f"mirroring {key} failed: {exc}"
    return report


def _digest(archive: Archive, key: str) -> str:
    digest = hashlib.sha256()
    for chunk in archive.store.get(key):
        digest.update(chunk)
    return digest.hexdigest()


def pending(archive: Archive, limit: int) -> list[int]:
    done = select(ObjectCopy.bitstream_id).where(ObjectCopy.location == REPLICA, ObjectCopy.copied_at.is_not(None))
    with archive.sessions() as session:
        return list(session.scalars(select(Bitstream.id).where(~Bitstream.id.in_(done))
                                    .order_by(Bitstream.id).limit(limit)))


def replicate(archive: Archive, limit: int = 10_000, bandwidth: int | None = None) -> ReplicationReport:
    """Copy up to ``limit`` unreplicated bitstreams to the replica; a no-op without one."""
    report = ReplicationReport()
    if archive.replica is None:
        return report
    pacer = Pacer(bandwidth)
    for bitstream_id in pending(archive, limit):
        with archive.sessions() as session:
            b = session.get(Bitstream, bitstream_id)
            assert b is not None
            key, sha256, size, mime, role = b.storage_key, b.sha256, b.size, b.mime_type, b.role
        outcome, message = _copy(archive, key, sha256, size, mime, role == BitstreamRole.MASTER)
        if outcome == "copied":
            report.copied.append(key)
        elif outcome == "present":
            report.already_there.append(key)
        else:
            report.failed[key] = message
        _record(archive, bitstream_id, outcome, message)
        pacer.account(size)
    return mirror(archive, report)


def _copy(archive: Archive, key: str, sha256: str, size: int, mime: str | None, retain: bool) -> tuple[str, str]:
    replica = archive.replica
    assert replica is not None
    try:
        try:
            replica.put(key, ChunkStream(archive.store.get(key)), expected_sha256=sha256, size=size,
                        content_type=mime or "application/octet-stream", retain=retain)
            outcome = "copied"
        except KeyExists:
            outcome = "present"  # an earlier sweep died after its put: check what is there
        check = replica.verify(key, sha256)
        if not check.ok and outcome == "present":
            replica.restore(key, ChunkStream(archive.store.get(key)), expected_sha256=sha256, size=size,
                            content_type=mime or "application/octet-stream", retain=retain)
            check = replica.verify(key, sha256)
            outcome = "copied"
    except StorageError as exc:
        return "failed", f"replication of {key} failed: {exc}"
    if not check.ok:
        return "failed", f"the replica of {key} does not read back correctly: {check.message}"
    return outcome, f"copied to the replica ({replica.name}) and verified: {size} bytes, SHA-256 {sha256}"


def _record(archive: Archive, bitstream_id: int, outcome: str, message: str) -> None:
    now = utc_now()
    with archive.work_sessions.begin() as session:
        bitstream = session.get(Bitstream, bitstream_id)
        assert bitstream is not None
        record_event(session, EventType.REPLICATION,
                     EventOutcome.FAILURE if outcome == "failed" else EventOutcome.SUCCESS,
                     detail="copy to the replica location, verified by re-reading it",
                     outcome_detail=message, sources=[bitstream])
        if outcome == "failed":
            return
        for location in (PRIMARY, REPLICA):
            row = session.get(ObjectCopy, (bitstream_id, location)) or ObjectCopy(
                bitstream_id=bitstream_id, location=location, state="unknown")
            row.copied_at = row.copied_at or (bitstream.created_at if location == PRIMARY else now)
            if location == REPLICA:
                row.state, row.last_verified_at, row.last_message = "ok", now, message
            session.add(row)
