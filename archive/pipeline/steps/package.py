"""Packaging: the record becomes (a new version of) its TT 05 AIP, an OCFL object in the object store.

The package step accessions the record and writes version 1 with both events (package creation
and accession) once the master, its derivatives and its metadata are known: one version, as the
record entered the archive. The events of a later duplicate submission of the same file (at its
validation) go into the next version, so the packages alone hold every event of the record (what
``luutru rebuild --from-storage`` relies on).
"""

from __future__ import annotations

from sqlalchemy import select

from archive.catalog import ArchivalPackage, EventObject, PreservationEvent
from archive.catalog.codes import EventOutcome, EventType
from archive.packaging import PackagingUnavailable, package_identity, schema_set, seal
from archive.pipeline.context import ItemContext
from archive.pipeline.errors import StepError, transient
from archive.pipeline.steps.checks import validate_content
from archive.preservation import LUUTRU_AGENT, record_event
from ingest.package import MetadataError, OcflError, SchemaInvalid

PIPELINE_USER = ("luutru", "urn:luutru:pipeline")


def package_record(ctx: ItemContext) -> None:
    """Accession the record and write the AIP's first version with both events (or the next version, for a
    record sent through again)."""
    item, document = ctx.item, ctx.item.document
    assert document is not None
    try:
        schema_set(ctx.archive.settings)
    except PackagingUnavailable as exc:
        item.flags.append({"code": "not-packaged",
                           "vi": "Chưa đóng gói AIP: chưa cấu hình thư mục lược đồ XSD (LUUTRU_SCHEMA_DIR).",
                           "en": f"No AIP was written: {exc}"})
        created = record_event(ctx.session, EventType.INFORMATION_PACKAGE_CREATION, EventOutcome.WARNING,
                               detail="TT 05/2025 AIP not written", outcome_detail=str(exc),
                               sources=[item.master_bitstream], outcomes=[document])
    else:
        created = record_event(
            ctx.session, EventType.INFORMATION_PACKAGE_CREATION, EventOutcome.SUCCESS,
            detail="TT 05/2025 AIP (E-ARK CSIP 2.0, METS, EAD, PREMIS 3) stored as an OCFL 1.1 object",
            outcome_detail=package_identity(ctx.session, document), sources=[item.master_bitstream],
            outcomes=[document])
    _seal(ctx, "AIP created at accession", created, _accession(ctx))


def _accession(ctx: ItemContext) -> PreservationEvent:
    """The record enters the archive's custody, recorded with its AIP's first version, so the package holds
    it and an item waiting for the search index is already archived."""
    item = ctx.item
    return record_event(ctx.session, EventType.ACCESSION, EventOutcome.SUCCESS, tool=LUUTRU_AGENT,
                        detail=f"batch {item.batch_id} item {item.ordinal}",
                        outcome_detail="archived", sources=[item.master_bitstream], outcomes=[item.document])


def validate_into_package(ctx: ItemContext) -> None:
    """Validation (``steps.checks.validate_content``); a duplicate of an already packaged record also adds
    its submission's events (receipt, checks, this validation) to that record's AIP, as a new version."""
    validate_content(ctx)
    document = ctx.item.document
    if not ctx.scratch.get("duplicate") or document is None:
        return
    packaged = ctx.session.scalar(select(ArchivalPackage.id).where(ArchivalPackage.document_id == document.id))
    event = _just_recorded(ctx, EventType.VALIDATION)
    if packaged is None or event is None:
        return   # not packaged yet: the record's first version will hold these events anyway
    _seal(ctx, "Duplicate submission recorded", event)


def _just_recorded(ctx: ItemContext, event_type: EventType) -> PreservationEvent | None:
    """The ``event_type`` event the step just recorded about the item's master (the newest; queried, since a
    flushed object may already have left the session's weakly held identity map)."""
    return ctx.session.scalars(
        select(PreservationEvent).join(EventObject, EventObject.event_id == PreservationEvent.id)
        .where(EventObject.bitstream_id == ctx.item.master_bitstream_id, PreservationEvent.event_type == event_type)
        .order_by(PreservationEvent.id.desc()).limit(1)).first()


def _seal(ctx: ItemContext, message: str, *events: PreservationEvent) -> None:
    """The record's next AIP version with ``events``; nothing without configured XSDs (the package step flags that)."""
    document = ctx.item.document
    assert document is not None
    try:
        schema_set(ctx.archive.settings)
    except PackagingUnavailable:
        return
    try:
        seal(ctx.session, ctx.archive.store, ctx.archive.settings, document, *events, message=message,
             user_name=PIPELINE_USER[0], user_address=PIPELINE_USER[1])
    except (MetadataError, SchemaInvalid) as exc:
        raise StepError("package-invalid",
                        f"Gói AIP tạo ra không hợp lệ nên không được lưu ({exc}); bản gốc vẫn an toàn. Hãy sửa siêu "
                        "dữ liệu của tài liệu (`luutru describe`) rồi chạy `luutru batch retry`.",
                        f"The AIP built for this record is invalid and was not stored ({exc}); the original is safe. "
                        "Correct the record's metadata (`luutru describe`), then run `luutru batch retry`.",
                        permanent=False) from exc
    except OcflError as exc:
        raise transient("package-unavailable",
                        f"Chưa ghi được gói AIP vào kho ({exc}); hệ thống sẽ tự thử lại.",
                        f"The AIP could not be written to storage yet ({exc}); it will be retried.") from exc
