"""Reading records and reviewing their description: the rules behind the record, dossier and review pages.

Access: a record the caller may not read is answered exactly like a missing one (``None`` →
404), so neither the page nor the API reveals that a secret or another agency's record exists.
Downloads follow the same rule plus the ``record.download`` permission: archivists and officials
download what they may read; auditors read everything but download nothing (they check, they do
not take copies).

Review queue: archived items whose batch flagged them (``needs-review``, ``low-confidence``,
the same test as the dashboard's count). The fields to look at are those whose provenance is
still an extraction below ``LUUTRU_REVIEW_THRESHOLD``. Saving sends changed fields to
``describe.correct`` and the rest of the flagged fields as *confirmed* (kept, provenance becomes
archivist), which is a new package version and a PREMIS ``mem`` event either way. Once no flagged
field is left the item's review flags are marked ``reviewed`` and it leaves the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from archive.access import Caller, can_read, record_mode
from archive.batches import batch_scope
from archive.catalog import (
    ArchivalPackage,
    BatchItem,
    Bitstream,
    Document,
    Dossier,
    EventObject,
    IngestBatch,
    ObjectCopy,
    PreservationEvent,
    SignatureValidation,
)
from archive.catalog.codes import BatchItemState, BitstreamRole, Mode, ProvenanceSource, RepresentationType
from archive.dashboard import REVIEW_FLAGS, needs_review
from archive.describe import FIELDS, Correction, correct
from archive.factory import Archive
from archive.pipeline.steps.normalise import PRESERVATION_NAME

REVIEWED_FLAG = "reviewed"
PAGE_WIDTH = 1000
"""Rendered page images are at most this many pixels wide: legible on a screen, small to send."""
MAX_PAGES = 5000


def review_query(agency_code: str | None):  # type: ignore[no-untyped-def]
    """Archived items awaiting review, of one agency's batches (``None``: all agencies); the same
    test and scope as the dashboard's review-queue count."""
    query = select(BatchItem).join(IngestBatch).where(BatchItem.state == BatchItemState.ARCHIVED,
                                                      BatchItem.document_id.is_not(None), needs_review())
    scope = batch_scope(agency_code)
    return query.where(scope) if scope is not None else query


def flagged_fields(document: Document, threshold: float) -> list[str]:
    """The correctable fields (TT 05 names) still resting on an uncertain extraction."""
    names = []
    for name, spec in FIELDS.items():
        entry = (document.field_provenance or {}).get(spec.column)
        if entry and entry["source"] == ProvenanceSource.EXTRACTED.value and entry["confidence"] < threshold:
            names.append(name)
    return names


@dataclass(frozen=True)
class ReviewEntry:
    document_id: int
    batch_id: int
    name: str
    reference: str | None
    subject: str | None
    fields: tuple[str, ...]
    flags: tuple[dict[str, str], ...]


def review_queue(archive: Archive, agency_code: str | None, limit: int = 200) -> tuple[list[ReviewEntry], int]:
    """One page of the queue, oldest first, and the queue's full size."""
    query = review_query(agency_code)
    with archive.sessions() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        entries = []
        for item in session.scalars(query.order_by(BatchItem.id).limit(limit)):
            document = item.document
            assert document is not None
            entries.append(ReviewEntry(document.id, item.batch_id, item.original_name, document.number_and_notation,
                                       document.subject, tuple(flagged_fields(document, archive.settings.review_threshold)),
                                       tuple(f for f in item.flags if f.get("code") in REVIEW_FLAGS)))
    return entries, total


def review_item(session: Session, document_id: int, agency_code: str | None) -> BatchItem | None:
    """The queue item of ``document_id`` in the archivist's agency, or None."""
    return session.scalars(review_query(agency_code).where(BatchItem.document_id == document_id)).first()


def save_review(archive: Archive, document_id: int, values: dict[str, str], actor: str) -> Correction:
    """Correct what changed and confirm the rest of the flagged fields; then leave the queue if done."""
    with archive.sessions() as session:
        document = session.get(Document, document_id)
        assert document is not None
        flagged = flagged_fields(document, archive.settings.review_threshold)
    # An item queued for poorly read pages rather than uncertain fields: what the archivist saw and
    # submitted is what they vouch for.
    result = correct(archive, document_id, values, actor, confirmed=flagged or list(values))
    with archive.work_sessions.begin() as session:
        document = session.get(Document, document_id)
        assert document is not None
        if not flagged_fields(document, archive.settings.review_threshold):
            for item in session.scalars(select(BatchItem).where(BatchItem.document_id == document_id, needs_review())):
                item.flags = [({**f, "code": REVIEWED_FLAG, "reviewed_by": actor} if f.get("code") in REVIEW_FLAGS
                               else f) for f in item.flags]
    return result


# --- reading ---------------------------------------------------------------------------------------


def readable(session: Session, caller: Caller, document_id: int) -> Document | None:
    """The document if it exists and the caller may read it; None otherwise, indistinguishably."""
    document = session.get(Document, document_id)
    return document if document is not None and can_read(caller, document) else None


def is_public(document: Document) -> bool:
    return record_mode(document) is Mode.PUBLIC


def file_of(document: Document, kind: str) -> Bitstream | None:
    """``original``: the master as received; ``pdfa``: the preservation PDF/A."""
    for representation in document.representations:
        for bitstream in representation.bitstreams:
            if kind == "original" and representation.type == RepresentationType.ORIGINAL \
                    and bitstream.role == BitstreamRole.MASTER:
                return bitstream
            if kind == "pdfa" and (bitstream.original_filename == PRESERVATION_NAME or (
                    representation.type == RepresentationType.PRESERVATION and bitstream.mime_type == "application/pdf")):
                return bitstream
    return None


def events(session: Session, document: Document) -> list[PreservationEvent]:
    """PREMIS events about the document or any of its files, oldest first."""
    bitstream_ids = [b.id for r in document.representations for b in r.bitstreams]
    links = EventObject.document_id == document.id
    if bitstream_ids:
        links = or_(links, EventObject.bitstream_id.in_(bitstream_ids))
    return list(session.scalars(select(PreservationEvent).join(EventObject).where(links).distinct()
                                .order_by(PreservationEvent.event_datetime, PreservationEvent.id)))


def fixity(session: Session, document: Document) -> list[dict[str, Any]]:
    """Each stored copy of each file and the state of its last check."""
    rows = []
    for representation in document.representations:
        for bitstream in representation.bitstreams:
            copies = list(session.scalars(select(ObjectCopy).where(ObjectCopy.bitstream_id == bitstream.id)))
            for copy in copies:
                rows.append({"file": bitstream.original_filename, "location": copy.location, "state": copy.state,
                             "checked_at": copy.last_verified_at.isoformat() if copy.last_verified_at else None})
    return rows


def signatures(session: Session, document: Document) -> list[dict[str, Any]]:
    return [{"verdict": v.verdict, "signatures": v.signature_count, "validated_at": v.validated_at.isoformat()}
            for v in session.scalars(select(SignatureValidation).where(SignatureValidation.document_id == document.id)
                                     .order_by(SignatureValidation.id))]


def package_version(session: Session, document: Document) -> str | None:
    row = session.scalars(select(ArchivalPackage).where(ArchivalPackage.document_id == document.id)).first()
    return row.head if row is not None else None


def dossier_documents(session: Session, caller: Caller, dossier_id: int) -> tuple[Dossier, list[Document]] | None:
    """The dossier and, in order, the documents of it the caller may read; None if they may read none
    and it is not public, so an unreadable dossier looks missing too."""
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        return None
    documents = [d for d in dossier.documents if can_read(caller, d)]
    if not documents and dossier.mode != Mode.PUBLIC and not caller.reads_everything \
            and dossier.id not in caller.granted_dossiers:
        return None
    return dossier, sorted(documents, key=lambda d: (d.doc_ordinal or 0, d.id))


def render_page(archive: Archive, bitstream: Bitstream, page: int) -> bytes:
    """PNG of one page of a PDF, at most ``PAGE_WIDTH`` wide, cached in the work directory by content hash."""
    cache = Path(archive.settings.work_dir) / "page-images" / bitstream.sha256[:2] / f"{bitstream.sha256}-{page}.png"
    if cache.exists():
        return cache.read_bytes()
    from ingest import pdfium

    image = pdfium.render_page(b"".join(archive.store.get(bitstream.storage_key)), page, max_width=PAGE_WIDTH)
    from io import BytesIO

    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    cache.parent.mkdir(parents=True, exist_ok=True)
    temporary = cache.with_suffix(".part")
    temporary.write_bytes(out.getvalue())
    temporary.replace(cache)
    return out.getvalue()
