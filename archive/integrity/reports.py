"""Auditor reports, each a list of flat rows (CLI table, JSON, CSV): coverage, failures, custody, reconciliation."""

from __future__ import annotations

from datetime import timedelta
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
from archive.catalog.codes import BatchItemState
from archive.integrity.fixity import PRIMARY
from ingest.package.ocfl import OcflStorage

if TYPE_CHECKING:
    from archive.factory import Archive

HISTOGRAM = ((timedelta(days=1), "< 1 day"), (timedelta(days=7), "1–7 days"), (timedelta(days=30), "7–30 days"),
             (timedelta(days=90), "30–90 days"), (timedelta(days=365), "90–365 days"))
INFRASTRUCTURE_PREFIXES = (CHECKPOINT_PREFIX, "ocfl/")
"""Keys the store holds that are not catalog bitstreams: signed audit checkpoints and the OCFL root
(validated by ``luutru verify`` with the OCFL validator)."""


def fixity_coverage(archive: Archive) -> list[dict[str, Any]]:
    """Per location: copies, copies verified within the current cycle, and the age histogram."""
    now = utc_now()
    cycle = timedelta(days=archive.settings.fixity_cycle_days)
    rows: list[dict[str, Any]] = []
    with archive.sessions() as session:
        total_primary = session.scalar(select(func.count()).select_from(Bitstream)) or 0
        for location in archive.locations():
            query = select(ObjectCopy.last_verified_at).where(ObjectCopy.location == location)
            if location != PRIMARY:
                query = query.where(ObjectCopy.copied_at.is_not(None))
            times = list(session.scalars(query))
            never = sum(1 for t in times if t is None) + (total_primary - len(times) if location == PRIMARY else 0)
            copies = total_primary if location == PRIMARY else len(times)
            buckets = {label: 0 for _, label in HISTOGRAM} | {"≥ 365 days": 0, "never": never}
            in_cycle = 0
            for verified in filter(None, times):
                age = now - verified
                in_cycle += age <= cycle
                label = next((name for limit, name in HISTOGRAM if age < limit), "≥ 365 days")
                buckets[label] += 1
            share = f"{100 * in_cycle / copies:.1f}%" if copies else "100.0%"
            rows.append({"location": location, "bucket": f"verified in the current {cycle.days}-day cycle",
                         "copies": f"{in_cycle}/{copies} ({share})"})
            rows += [{"location": location, "bucket": label, "copies": count} for label, count in buckets.items()]
    return rows


def failures_and_repairs(archive: Archive) -> list[dict[str, Any]]:
    with archive.sessions() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action.in_(
            ("fixity.failure", "fixity.repair", "fixity.unrecoverable"))).order_by(AuditEntry.seq))
        return [{"seq": e.seq, "time": e.at, "action": e.action, "object": e.object, "details": e.details}
                for e in entries]


def chain_of_custody(archive: Archive, document_id: int) -> list[dict[str, Any]]:
    """Every PREMIS event linked to the record or its parts, and every audit entry naming them, by time."""
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
        rows = [{"time": e.event_datetime.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "source": "PREMIS",
                 "what": f"{e.event_type.value} {e.event_type.en}", "outcome": e.outcome.value,
                 "detail": e.outcome_detail or e.event_detail or ""} for e in events]
        names = ([f"document:{document_id}"] + [f"bitstream:{b}" for b in set(bitstream_ids)]
                 + [f"batch:{i.batch_id}" for i in items])
        named = AuditEntry.object.in_(names)
        object_id = session.scalar(select(ArchivalPackage.object_id).where(ArchivalPackage.document_id == document_id))
        if object_id is not None:  # the package's validation failures and repairs name its OCFL keys
            base = OcflStorage(archive.store).object_root(object_id)
            named = or_(named, AuditEntry.object == f"ocfl:{base}", AuditEntry.object.startswith(f"ocfl:{base}/"))
        for entry in session.scalars(select(AuditEntry).where(named)):
            rows.append({"time": entry.at, "source": f"audit #{entry.seq} {entry.actor}", "what": entry.action,
                         "outcome": "", "detail": entry.details})
    return sorted(rows, key=lambda row: row["time"])


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
