"""Steps that finish the record: access thumbnail, search index, the item marked archived (the accession is
recorded with the AIP by ``steps.package``)."""

from __future__ import annotations

from archive.catalog import Representation
from archive.catalog.codes import BitstreamRole, EventOutcome, EventType, RepresentationType
from archive.pipeline.context import ItemContext
from archive.pipeline.errors import transient
from archive.pipeline.steps.base import derivative_key, register, store_file, stored_derivative
from archive.pipeline.steps.normalise import PRESERVATION_NAME
from archive.preservation import record_event
from archive.search_service import SearchService
from ingest.thumbnail import RENDERER, ThumbnailError, render_thumbnail
from search.base import SearchError


def make_thumbnail(ctx: ItemContext) -> None:
    """Page 1 as a small PNG for result lists; made from the PDF/A when there is one."""
    item, document = ctx.item, ctx.item.document
    assert document is not None
    source = stored_derivative(ctx, PRESERVATION_NAME)
    if source is None and not (item.mime_type or "").startswith(("application/pdf", "image/")):
        return
    source_path = ctx.master_path() if source is None else ctx.fetch(source.storage_key, PRESERVATION_NAME)
    is_pdf = source is not None or not (item.mime_type or "").startswith("image/")
    try:
        thumbnail = render_thumbnail(source_path, ctx.workdir / "thumbnail.png", is_pdf=is_pdf)
    except ThumbnailError:
        item.flags.append({"code": "no-thumbnail", "vi": "Không tạo được ảnh thu nhỏ trang 1.",
                           "en": "No thumbnail of page 1 could be made."})
        return
    stored = store_file(ctx, derivative_key(ctx, "thumbnail.png"), thumbnail, "image/png")
    access = next((r for r in document.representations if r.type == RepresentationType.ACCESS), None)
    if access is None:
        access = Representation(document=document, type=RepresentationType.ACCESS, label="access")
        ctx.session.add(access)
    bitstream = register(ctx, access, stored, BitstreamRole.DERIVATIVE, "image/png", "fmt/12", "thumbnail.png")
    record_event(ctx.session, EventType.CREATION, EventOutcome.SUCCESS, tool=RENDERER,
                 detail="thumbnail of page 1", sources=[item.master_bitstream], outcomes=[bitstream])


def index_document(ctx: ItemContext) -> None:
    """Put the record in the search index; an unavailable index is retried, the record is safe already."""
    document = ctx.item.document
    assert document is not None
    service = SearchService(ctx.archive)
    indexed = service.indexed(document)
    ctx.end_reads()
    try:
        service.put(indexed)
    except SearchError as exc:
        raise transient("index-unavailable",
                        f"Tài liệu đã được lưu an toàn nhưng chưa lập chỉ mục tìm kiếm ({exc}); hệ thống sẽ tự thử lại.",
                        f"The record is safely stored but not yet indexed for search ({exc}); it will be retried.") from exc


def finish(ctx: ItemContext) -> None:
    """The item's work is done: accessioned and packaged, then indexed."""
    ctx.item.message_vi = "Đã lưu trữ."
    ctx.item.message_en = "Archived."
