"""Steps that examine the master without changing anything: virus check, identification, validation."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from archive.catalog import BatchItem, Bitstream, Document, Dossier, Representation
from archive.catalog.codes import (
    BatchItemState,
    ConfidenceLevel,
    EventOutcome,
    EventType,
    RepresentationType,
)
from archive.pipeline.context import ItemContext
from archive.pipeline.errors import FailedCheck, permanent, transient
from archive.preservation import record_event
from ingest.identify import identify
from ingest.validate import validate
from ingest.virus import ClamdScanner, ScannerUnavailable

# What TT 05/2025 accepts as content (standards.md §1.2.5 "Allowed content MIME types"), by MIME
# family; identification is by content, so the extension plays no part.
ACCEPTED_MIME_PREFIXES = ("application/pdf", "image/tiff", "image/jpeg", "image/png", "image/gif",
                          "text/plain", "text/csv", "text/html", "application/rtf", "text/rtf",
                          "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
                          "application/vnd.openxmlformats-officedocument.",
                          "application/vnd.oasis.opendocument.", "audio/", "video/")


def virus_check(ctx: ItemContext) -> None:
    item, bitstream = ctx.item, ctx.item.master_bitstream
    address = ctx.archive.settings.clamd
    if not address:
        item.flags.append({"code": "not-virus-checked",
                           "vi": "Chưa quét mã độc: hệ thống chưa cấu hình ClamAV (LUUTRU_CLAMD).",
                           "en": "Not virus-checked: no ClamAV scanner is configured (LUUTRU_CLAMD)."})
        record_event(ctx.session, EventType.VIRUS_CHECK, EventOutcome.WARNING,
                     detail="virus check skipped", outcome_detail="no scanner configured (LUUTRU_CLAMD)",
                     sources=[bitstream, item])
        return
    scanner = ClamdScanner(address)
    try:
        result = scanner.scan_file(ctx.master_path())
    except ScannerUnavailable as exc:
        raise transient("scanner-unavailable", f"Không kết nối được ClamAV ({exc}); hệ thống sẽ tự thử lại.",
                        f"ClamAV is unavailable ({exc}); it will be retried.") from exc
    tool = ("ClamAV", result.engine.removeprefix("ClamAV ").split("/")[0])
    if not result.clean:
        raise permanent("infected",
                        f"Tệp nhiễm mã độc ({result.signature}); đã cách ly, không xử lý tiếp. "
                        "Hãy báo đơn vị nộp lưu kiểm tra máy quét và nộp lại bản sạch.",
                        f"The file is infected ({result.signature}); it is quarantined and not processed. "
                        "Ask the depositor to check their scanner and submit a clean copy.",
                        FailedCheck(EventType.VIRUS_CHECK, tool, "clamd INSTREAM scan"))
    record_event(ctx.session, EventType.VIRUS_CHECK, EventOutcome.SUCCESS, tool=tool,
                 detail="clamd INSTREAM scan", outcome_detail="clean", sources=[bitstream, item])


def identify_format(ctx: ItemContext) -> None:
    item, bitstream = ctx.item, ctx.item.master_bitstream
    assert bitstream is not None
    found = identify(ctx.master_path())
    item.mime_type = bitstream.mime_type = found.mime_type
    bitstream.puid = found.puid
    ctx.scratch["identification"] = found
    detail = (f"{found.puid} {found.format_name or ''} {found.format_version or ''} ({found.mime_type}), "
              f"by {found.basis}").replace("  ", " ")
    record_event(ctx.session, EventType.FORMAT_IDENTIFICATION,
                 EventOutcome.SUCCESS if found.basis in ("signature", "container") else EventOutcome.WARNING,
                 tool=tuple(found.tool.split(" ", 1)),  # type: ignore[arg-type]
                 detail="PRONOM identification by signature, then extension", outcome_detail=detail,
                 sources=[bitstream])


def validate_content(ctx: ItemContext) -> None:
    item, bitstream = ctx.item, ctx.item.master_bitstream
    assert bitstream is not None and item.mime_type is not None
    if item.size == 0:
        _refuse(ctx, "empty", "Tệp rỗng (0 byte); hãy kiểm tra và nộp lại tệp đúng.",
                "The file is empty (0 bytes); check it and submit the right file.")
    report = validate(ctx.master_path(), item.mime_type)
    by_extension = getattr(ctx.scratch.get("identification"), "basis", "") == "extension"
    if report.problems:
        first = report.problems[0]
        vi, en = first.vi, first.en
        if by_extension:
            vi = f"Tệp mang đuôi {Path(item.original_name).suffix} nhưng nội dung không phải định dạng đó. {vi}"
            en = f"The file is named {Path(item.original_name).suffix} but its content is not that format. {en}"
        _refuse(ctx, first.code, vi, en)
    if report.kind == "archive":
        _refuse(ctx, "nested-archive", "Tệp nén nằm trong tệp nén khác; hãy giải nén và nộp các tệp bên trong.",
                "An archive inside an archive; unpack it and submit the files it holds.")
    if not item.mime_type.startswith(ACCEPTED_MIME_PREFIXES):
        _refuse(ctx, "unsupported-type",
                f"Định dạng {bitstream.puid or 'không xác định'} ({item.mime_type}) không thuộc danh mục định dạng "
                "được nộp lưu theo Thông tư 05/2025; hãy chuyển sang PDF, ảnh hoặc văn bản rồi nộp lại.",
                f"Format {bitstream.puid or 'unknown'} ({item.mime_type}) is not among the formats TT 05/2025 "
                "accepts; convert it to PDF, an image or a text document and submit again.")
    for warning in report.warnings:
        item.flags.append({"code": warning.code, "vi": warning.vi, "en": warning.en})
    item.page_count = report.page_count
    outcome = EventOutcome.WARNING if report.warnings else EventOutcome.SUCCESS
    record_event(ctx.session, EventType.VALIDATION, outcome, tool=("pikepdf/Pillow", None),
                 detail=f"{report.kind} validation",
                 outcome_detail="; ".join(w.en for w in report.warnings) or "valid", sources=[bitstream])
    if not _mark_duplicate(ctx):
        _register_document(ctx, is_scan=not report.has_text)


def _refuse(ctx: ItemContext, code: str, vi: str, en: str) -> None:
    raise permanent(code, vi, en, FailedCheck(EventType.VALIDATION, ("pikepdf/Pillow", None), "content validation"))


def _mark_duplicate(ctx: ItemContext) -> bool:
    """An identical original already archived: link to it instead of making a second record."""
    item = ctx.item
    # Identical files share one master row (masters are stored by content). Locking it makes two
    # workers validating the same content take turns, so the second sees the first's record
    # instead of making a second one (PostgreSQL; SQLite writers are serialised anyway).
    ctx.session.execute(select(Bitstream.id).where(Bitstream.id == item.master_bitstream_id).with_for_update())
    earlier = ctx.session.scalars(select(BatchItem).where(
        BatchItem.sha256 == item.sha256, BatchItem.id != item.id, BatchItem.document_id.is_not(None),
        BatchItem.state.not_in([BatchItemState.FAILED, BatchItemState.QUARANTINED, BatchItemState.DUPLICATE]),
    ).order_by(BatchItem.id)).first()
    if earlier is None:
        return False
    document = earlier.document
    label = document.number_and_notation or document.doc_code or f"#{document.id}"
    item.duplicate_of = earlier.master_bitstream
    item.document = document
    item.message_vi = (f"Trùng lặp với tài liệu {label} (lô {earlier.batch_id}, tệp {earlier.original_name}); "
                       "không tạo bản ghi thứ hai.")
    item.message_en = (f"Duplicate of document {label} (batch {earlier.batch_id}, file {earlier.original_name}); "
                       "no second record was created.")
    ctx.scratch["duplicate"] = True
    return True


def _register_document(ctx: ItemContext, *, is_scan: bool) -> None:
    """The catalog record is created once the file is known to be valid and unique."""
    item = ctx.item
    if item.document is not None:
        return
    supplied = item.supplied_metadata or {}
    dossier = None
    if supplied.get("fileCode"):
        dossier = ctx.session.scalars(select(Dossier).where(Dossier.file_code == supplied["fileCode"])).first()
    document = Document(fonds_id=item.batch.fonds_id, dossier=dossier,
                        confidence_level=ConfidenceLevel("02" if is_scan else "01"))
    representation = Representation(document=document, type=RepresentationType.ORIGINAL, label="rep1")
    item.master_bitstream.representation = representation
    item.document = document
    ctx.session.add_all([document, representation])
