"""Auditor reports, each a list of flat rows (CLI table, JSON, CSV): coverage, failures, custody, reconciliation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from archive.audit.checkpoints import PREFIX as CHECKPOINT_PREFIX
from archive.catalog import (
    ArchivalPackage,
    AuditEntry,
    BatchItem,
    Bitstream,
    Document,
    EventObject,
    ObjectCopy,
    PreservationEvent,
    Representation,
    utc_now,
)
from archive.catalog.codes import BatchItemState, EventType
from archive.integrity.fixity import PRIMARY
from ingest.package.ocfl import OcflStorage

if TYPE_CHECKING:
    from archive.factory import Archive

HISTOGRAM = ((timedelta(days=1), "< 1 day"), (timedelta(days=7), "1–7 days"), (timedelta(days=30), "7–30 days"),
             (timedelta(days=90), "30–90 days"), (timedelta(days=365), "90–365 days"))
OLDEST, NEVER = "≥ 365 days", "never"
INFRASTRUCTURE_PREFIXES = (CHECKPOINT_PREFIX, "ocfl/")
"""Keys the store holds that are not catalog bitstreams: signed audit checkpoints and the OCFL root
(validated by ``luutru verify`` with the OCFL validator)."""


@dataclass(frozen=True)
class Coverage:
    """One location: its copies, how many were verified within the current cycle, and how long ago each
    was last verified (``buckets``: label → copies, in HISTOGRAM order, then ``≥ 365 days`` and ``never``)."""

    location: str
    copies: int
    in_cycle: int
    cycle_days: int
    buckets: dict[str, int]

    @property
    def share(self) -> float:
        return 100 * self.in_cycle / self.copies if self.copies else 100.0


def coverage(archive: Archive) -> list[Coverage]:
    """Per location: copies, copies verified within the current cycle, and the age histogram."""
    now = utc_now()
    cycle = timedelta(days=archive.settings.fixity_cycle_days)
    found = []
    with archive.sessions() as session:
        total_primary = session.scalar(select(func.count()).select_from(Bitstream)) or 0
        for location in archive.locations():
            query = select(ObjectCopy.last_verified_at).where(ObjectCopy.location == location)
            if location != PRIMARY:
                query = query.where(ObjectCopy.copied_at.is_not(None))
            times = list(session.scalars(query))
            never = sum(1 for t in times if t is None) + (total_primary - len(times) if location == PRIMARY else 0)
            buckets = {label: 0 for _, label in HISTOGRAM} | {OLDEST: 0, NEVER: never}
            in_cycle = 0
            for verified in filter(None, times):
                age = now - verified
                in_cycle += age <= cycle
                buckets[next((name for limit, name in HISTOGRAM if age < limit), OLDEST)] += 1
            found.append(Coverage(location, total_primary if location == PRIMARY else len(times), in_cycle,
                                  cycle.days, buckets))
    return found


def fixity_coverage(archive: Archive) -> list[dict[str, Any]]:
    """``coverage`` as flat rows: the cycle's share per location, then its histogram."""
    rows: list[dict[str, Any]] = []
    for found in coverage(archive):
        rows.append({"location": found.location, "bucket": f"verified in the current {found.cycle_days}-day cycle",
                     "copies": f"{found.in_cycle}/{found.copies} ({found.share:.1f}%)"})
        rows += [{"location": found.location, "bucket": label, "copies": count}
                 for label, count in found.buckets.items()]
    return rows


def failures_and_repairs(archive: Archive) -> list[dict[str, Any]]:
    with archive.sessions() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action.in_(
            ("fixity.failure", "fixity.repair", "fixity.unrecoverable"))).order_by(AuditEntry.seq))
        return [{"seq": e.seq, "time": e.at, "action": e.action, "object": e.object, "details": e.details}
                for e in entries]


@dataclass(frozen=True)
class CustodyEntry:
    """One PREMIS event (``seq`` None) or audit entry about a record or its parts."""

    at: datetime
    code: str
    """The PREMIS event type code (``fix``) or the audit action (``fixity.repair``)."""
    outcome: str
    detail: str
    seq: int | None = None
    actor: str | None = None


def custody(archive: Archive, document_id: int) -> list[CustodyEntry]:
    """Every PREMIS event linked to the record or its parts, and every audit entry naming them (the record,
    its bitstreams, its batch, its OCFL object), in time order."""
    with archive.sessions() as session:
        document = session.get(Document, document_id, options=[
            selectinload(Document.representations).selectinload(Representation.bitstreams)])
        if document is None:
            raise LookupError(f"There is no record {document_id}.")
        bitstream_ids = [b.id for r in document.representations for b in r.bitstreams]
        representation_ids = [r.id for r in document.representations]
        items = list(session.scalars(select(BatchItem).where(BatchItem.document_id == document_id,
                                                             BatchItem.state != BatchItemState.DUPLICATE)))
        bitstream_ids += [i.master_bitstream_id for i in items if i.master_bitstream_id]
        events = session.scalars(select(PreservationEvent).join(EventObject).where(or_(
            EventObject.document_id == document_id, EventObject.bitstream_id.in_(bitstream_ids),
            EventObject.representation_id.in_(representation_ids),
            EventObject.batch_item_id.in_([i.id for i in items]))).distinct())
        entries = [CustodyEntry(e.event_datetime, e.event_type.value, e.outcome.value,
                                e.outcome_detail or e.event_detail or "") for e in events]
        names = ([f"document:{document_id}"] + [f"bitstream:{b}" for b in set(bitstream_ids)]
                 + [f"batch:{i.batch_id}" for i in items])
        named = AuditEntry.object.in_(names)
        object_id = session.scalar(select(ArchivalPackage.object_id).where(ArchivalPackage.document_id == document_id))
        if object_id is not None:  # the package's validation failures and repairs name its OCFL keys
            base = OcflStorage(archive.store).object_root(object_id)
            named = or_(named, AuditEntry.object == f"ocfl:{base}", AuditEntry.object.startswith(f"ocfl:{base}/"))
        for entry in session.scalars(select(AuditEntry).where(named)):
            entries.append(CustodyEntry(audit_time(entry.at), entry.action, "", entry.details, entry.seq,
                                        entry.actor))
    return sorted(entries, key=lambda entry: entry.at)


def audit_time(text: str) -> datetime:
    """An audit entry's time (canonical text, ``…Z``) as an aware datetime."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def chain_of_custody(archive: Archive, document_id: int) -> list[dict[str, Any]]:
    """``custody`` as flat rows (the CLI's table, JSON and CSV)."""
    rows = []
    for entry in custody(archive, document_id):
        if entry.seq is None:
            kind = EventType(entry.code)
            rows.append({"time": entry.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "source": "PREMIS",
                         "what": f"{kind.value} {kind.en}", "outcome": entry.outcome, "detail": entry.detail})
        else:
            rows.append({"time": entry.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "source": f"audit #{entry.seq} "
                         f"{entry.actor}", "what": entry.code, "outcome": "", "detail": entry.detail})
    return rows


def reconcile(archive: Archive) -> list[dict[str, Any]]:
    """The exact differences: objects no catalog row names (orphans), catalog objects a location lacks
    (missing), index entries for records the catalog does not hold as archived (stale), archived records
    not in the index (unindexed). Empty when everything agrees."""
    rows: list[dict[str, Any]] = []
    with archive.sessions() as session:
        catalog = dict(session.execute(select(Bitstream.storage_key, Bitstream.id)).all())
        replicated = set(session.scalars(select(ObjectCopy.bitstream_id).where(
            ObjectCopy.location != PRIMARY, ObjectCopy.copied_at.is_not(None))))
        archived = {str(i) for i in session.scalars(select(BatchItem.document_id).where(
            BatchItem.state == BatchItemState.ARCHIVED, BatchItem.document_id.is_not(None)))}
    for location, store in archive.locations().items():
        seen: set[str] = set()
        for key in store.list():
            if key.startswith(INFRASTRUCTURE_PREFIXES):
                continue
            seen.add(key)
            if key not in catalog:
                rows.append({"kind": "orphan", "location": location, "name": key})
        for key, bitstream_id in catalog.items():
            expected = location == PRIMARY or bitstream_id in replicated
            if expected and key not in seen:
                rows.append({"kind": "missing", "location": location, "name": key})
    indexed = set(archive.index.doc_ids())
    rows += [{"kind": "stale-index", "location": "index", "name": f"document:{d}"} for d in sorted(indexed - archived)]
    rows += [{"kind": "unindexed", "location": "index", "name": f"document:{d}"} for d in sorted(archived - indexed)]
    return rows
