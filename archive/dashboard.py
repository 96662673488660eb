"""Figures for the dashboard and the public cataloguing-status page, computed in the catalog.

Every figure is one aggregate query, so the pages stay fast on a catalog of millions of rows. An
agency's figures include the documents of its fonds; work not yet attributed to an agency (the
default "unclassified" fonds) is shown under its own line rather than dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import String, and_, cast, extract, func, or_, select
from sqlalchemy.orm import Session

from archive.catalog import Agency, BatchItem, Bitstream, Document, Fonds, IngestBatch, ObjectCopy, utc_now
from archive.catalog.codes import BatchItemState, BatchStatus, TypeName
from archive.catalog.integrity import COPY_STATES
from archive.batches import batch_scope
from archive.factory import Archive

REVIEW_FLAGS = ("needs-review", "low-confidence")
"""Item flags that put a document in the review queue: uncertain extracted fields, poorly read pages."""


def needs_review():  # type: ignore[no-untyped-def]
    text = cast(BatchItem.flags, String)
    return or_(*(text.like(f'%"{code}"%') for code in REVIEW_FLAGS))


@dataclass
class Dashboard:
    in_progress: list[dict[str, object]] = field(default_factory=list)
    by_agency: list[tuple[str, int]] = field(default_factory=list)
    by_type: list[tuple[str, int]] = field(default_factory=list)
    by_year: list[tuple[str, int]] = field(default_factory=list)
    documents: int = 0
    pages_digitised: int = 0
    storage_bytes: int = 0
    items_failed: int = 0
    review_queue: int = 0
    fixity: dict[str, int] = field(default_factory=dict)
    """Stored copies by fixity state (ok, damaged, missing, unknown) and how many were verified within
    the current cycle (``LUUTRU_FIXITY_CYCLE_DAYS``)."""

    def as_dict(self) -> dict[str, object]:
        return {"in_progress": self.in_progress, "documents": self.documents, "pages_digitised": self.pages_digitised,
                "storage_bytes": self.storage_bytes, "items_failed": self.items_failed,
                "review_queue": self.review_queue, "fixity": self.fixity,
                "by_agency": [{"agency": a, "documents": n} for a, n in self.by_agency],
                "by_type": [{"type": t, "documents": n} for t, n in self.by_type],
                "by_year": [{"year": y, "documents": n} for y, n in self.by_year]}


def dashboard(archive: Archive, lang: str = "vi", agency_code: str | None = None) -> Dashboard:
    """The figures; ``agency_code`` limits the batch figures (in progress, failed) to one agency."""
    out = Dashboard()
    scope = batch_scope(agency_code)
    with archive.sessions() as session:
        running = select(IngestBatch).where(IngestBatch.status.in_([BatchStatus.OPEN, BatchStatus.PROCESSING]))
        if scope is not None:
            running = running.where(scope)
        for batch in session.scalars(running.order_by(IngestBatch.id.desc()).limit(20)):
            done = session.scalar(select(func.count()).where(
                BatchItem.batch_id == batch.id,
                BatchItem.state.in_([BatchItemState.ARCHIVED, BatchItemState.DUPLICATE,
                                     BatchItemState.FAILED, BatchItemState.QUARANTINED]))) or 0
            out.in_progress.append({"id": batch.id, "name": batch.name, "total": batch.total_items, "done": done})
        out.documents = session.scalar(select(func.count()).select_from(Document)) or 0
        out.pages_digitised = int(session.scalar(select(func.coalesce(func.sum(BatchItem.pages_ocred), 0))) or 0)
        out.storage_bytes = int(session.scalar(select(func.coalesce(func.sum(Bitstream.size), 0))) or 0)
        failed = select(func.count()).select_from(BatchItem).join(IngestBatch).where(
            BatchItem.state.in_([BatchItemState.FAILED, BatchItemState.QUARANTINED]))
        review = select(func.count()).select_from(BatchItem).join(IngestBatch).where(
            BatchItem.state == BatchItemState.ARCHIVED, needs_review())
        if scope is not None:
            failed, review = failed.where(scope), review.where(scope)
        out.items_failed = session.scalar(failed) or 0
        out.review_queue = session.scalar(review) or 0
        unattributed = "(chưa xác định)" if lang == "vi" else "(not determined)"
        out.by_agency = [(name or unattributed, n) for name, n in session.execute(
            select(Agency.name, func.count(Document.id)).select_from(Document)
            .join(Fonds, Document.fonds_id == Fonds.id).outerjoin(Agency, Fonds.agency_id == Agency.id)
            .group_by(Agency.name).order_by(func.count(Document.id).desc()))]
        out.by_type = [(TypeName(code).label(lang) if code else unattributed, n) for code, n in session.execute(
            select(Document.type_name, func.count()).group_by(Document.type_name).order_by(func.count().desc()))]
        out.fixity = _fixity(session, archive.settings.fixity_cycle_days)
        year = extract("year", Document.issued_date)
        out.by_year = [(str(int(y)) if y else unattributed, n) for y, n in session.execute(
            select(year, func.count()).group_by(year).order_by(year.desc()))]
    return out


def _fixity(session: Session, cycle_days: int) -> dict[str, int]:
    counts = dict(session.execute(select(ObjectCopy.state, func.count()).group_by(ObjectCopy.state)).all())
    since = utc_now() - timedelta(days=cycle_days)
    in_cycle = session.scalar(select(func.count()).select_from(ObjectCopy)
                              .where(ObjectCopy.last_verified_at >= since)) or 0
    return {"copies": sum(counts.values()), **{state: counts.get(state, 0) for state in COPY_STATES},
            "verified_in_cycle": in_cycle}


TREND_MONTHS = 6


def _months(now: datetime, count: int) -> list[tuple[int, int]]:
    """The last ``count`` calendar months as (year, month), oldest first, this month last."""
    year, month = now.year, now.month
    out = []
    for _ in range(count):
        out.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


@dataclass(frozen=True)
class FondsStatus:
    agency: str
    agency_code: str | None
    fonds_code: str
    fonds_name: str
    catalogued: int
    digitised: int
    pending_review: int
    trend: tuple[int, ...] = ()
    """Records archived into the fonds in each of the last ``TREND_MONTHS`` months, oldest first."""


def cataloguing_status(archive: Archive) -> list[FondsStatus]:
    """Per agency and fonds: records catalogued (documents described), digitised (with pages read
    by OCR), pending review. Public within the deployment: counts only, no titles."""
    with archive.sessions() as session:
        documents = dict(session.execute(select(Document.fonds_id, func.count()).group_by(Document.fonds_id)).all())
        digitised = dict(session.execute(
            select(IngestBatch.fonds_id, func.count()).select_from(BatchItem).join(IngestBatch)
            .where(BatchItem.state == BatchItemState.ARCHIVED, BatchItem.pages_ocred > 0)
            .group_by(IngestBatch.fonds_id)).all())
        pending = dict(session.execute(
            select(IngestBatch.fonds_id, func.count()).select_from(BatchItem).join(IngestBatch)
            .where(and_(BatchItem.state == BatchItemState.ARCHIVED, needs_review()))
            .group_by(IngestBatch.fonds_id)).all())
        months = _months(utc_now(), TREND_MONTHS)
        year, month = extract("year", BatchItem.updated_at), extract("month", BatchItem.updated_at)
        start = datetime(*months[0], 1, tzinfo=UTC)
        monthly: dict[int, dict[tuple[int, int], int]] = {}
        for fonds_id, y, m, n in session.execute(
                select(IngestBatch.fonds_id, year, month, func.count()).select_from(BatchItem).join(IngestBatch)
                .where(BatchItem.state == BatchItemState.ARCHIVED, BatchItem.updated_at >= start)
                .group_by(IngestBatch.fonds_id, year, month)):
            monthly.setdefault(fonds_id, {})[(int(y), int(m))] = n
        rows = session.execute(select(Fonds, Agency).outerjoin(Agency, Fonds.agency_id == Agency.id)
                               .order_by(Agency.name, Fonds.code)).all()
        return [FondsStatus(agency.name if agency else "—", agency.organ_id if agency else None, fonds.code, fonds.name,
                            documents.get(fonds.id, 0), digitised.get(fonds.id, 0), pending.get(fonds.id, 0),
                            tuple(monthly.get(fonds.id, {}).get(key, 0) for key in months))
                for fonds, agency in rows]
