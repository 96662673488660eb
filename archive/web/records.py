"""Search, record, dossier and review pages, and their API twins under /api/v1.

Thin on purpose: search goes through ``SearchService`` with the signed-in user's ``Caller`` (the
access filter runs inside the index query), reading and review through ``archive.reading``. A
record the user may not read answers 404 exactly like a missing one, so nothing leaks whether it
exists. Every view and download of a non-public record (mode ≠ 01) is a security event in the
tamper-evident audit log.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for

from archive.access import Caller, record_mode
from archive.catalog import Document
from archive.catalog.codes import Mode
from archive.describe import FIELDS, CorrectionRefused, as_text, correct, history
from archive.i18n import MESSAGES, format_date
from archive.reading import (
    dossier_documents,
    events,
    file_of,
    fixity,
    flagged_fields,
    is_public,
    package_version,
    readable,
    render_page,
    review_item,
    review_queue,
    save_review,
    signatures,
)
from archive.search_service import FILTERS, SORTS, SearchInputError, SearchService, encode_cursor, hit_json
from archive.web.pages import _attachment
from archive.web.security import (
    WebError,
    archive_of,
    current,
    forbidden,
    language,
    not_found,
    require,
    security_event,
)

records = Blueprint("records", __name__)
records_api = Blueprint("records_api", __name__, url_prefix="/api/v1")

PAGE_SIZES = (20, 50, 100)
EXPORT_FORMATS = {"csv": "text/csv; charset=utf-8",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

# TT 05 groups of the record page: (group label key, [TT 05 field names or document columns])
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("rec.group.identity", ("docCode", "fileCode", "typeName", "codeNumber", "codeNotation", "issuedDate",
                            "organName")),
    ("rec.group.content", ("subject", "language", "numberOfPage", "keyword", "description", "inforSign")),
    ("rec.group.signing", ("signerName", "signerPosition", "signerAuthority", "autograph")),
    ("rec.group.access", ("mode", "maintenance", "confidentiality", "urgency", "confidenceLevel", "format")),
)

RECORD_MESSAGES: dict[str, dict[str, str]] = {
    "nav.search": {"vi": "Tra cứu", "en": "Search"},
    "nav.review": {"vi": "Kiểm tra siêu dữ liệu", "en": "Review queue"},
    "search.title": {"vi": "Tra cứu tài liệu", "en": "Search records"},
    "search.box": {"vi": "Từ khóa, số ký hiệu, trích yếu… (gõ không dấu cũng được)",
                   "en": "Words, reference, summary… (diacritics optional)"},
    "search.submit": {"vi": "Tìm", "en": "Search"},
    "search.total": {"vi": "{total} kết quả", "en": "{total} results"},
    "search.none": {"vi": "Không có kết quả. Hãy thử từ khác hoặc bỏ bớt bộ lọc.",
                    "en": "No results. Try other words or remove a filter."},
    "search.sort": {"vi": "Sắp xếp", "en": "Sort"},
    "search.sort.relevance": {"vi": "Phù hợp nhất", "en": "Relevance"},
    "search.sort.date": {"vi": "Mới nhất", "en": "Newest"},
    "search.sort.date_asc": {"vi": "Cũ nhất", "en": "Oldest"},
    "search.from": {"vi": "Từ ngày (YYYY-MM-DD)", "en": "From (YYYY-MM-DD)"},
    "search.to": {"vi": "Đến ngày (YYYY-MM-DD)", "en": "To (YYYY-MM-DD)"},
    "search.next": {"vi": "Trang sau →", "en": "Next page →"},
    "search.page": {"vi": "trang {page}", "en": "page {page}"},
    "search.export": {"vi": "Xuất kết quả", "en": "Export results"},
    "search.save": {"vi": "Lưu truy vấn", "en": "Save query"},
    "search.save_name": {"vi": "Tên truy vấn", "en": "Query name"},
    "search.saved": {"vi": "Truy vấn đã lưu", "en": "Saved queries"},
    "search.saved_done": {"vi": "Đã lưu truy vấn {name}.", "en": "Query {name} saved."},
    "search.clear": {"vi": "bỏ lọc", "en": "clear"},
    "facet.type": {"vi": "Loại văn bản", "en": "Document type"},
    "facet.agency": {"vi": "Cơ quan ban hành", "en": "Issuing agency"},
    "facet.year": {"vi": "Năm", "en": "Year"},
    "facet.fonds": {"vi": "Phông", "en": "Fonds"},
    "facet.dossier": {"vi": "Hồ sơ", "en": "Dossier"},
    "facet.mode": {"vi": "Chế độ sử dụng", "en": "Access level"},
    "facet.signer": {"vi": "Người ký", "en": "Signer"},
    "rec.title": {"vi": "Tài liệu", "en": "Record"},
    "rec.group.identity": {"vi": "Thông tin nhận dạng", "en": "Identification"},
    "rec.group.content": {"vi": "Nội dung", "en": "Content"},
    "rec.group.signing": {"vi": "Người ký", "en": "Signing"},
    "rec.group.access": {"vi": "Chế độ sử dụng và bảo quản", "en": "Access and retention"},
    "rec.pages": {"vi": "Các trang", "en": "Pages"},
    "rec.no_pages": {"vi": "Không có bản PDF/A để hiển thị trang.", "en": "There is no PDF/A to show pages from."},
    "rec.download_original": {"vi": "Tải bản gốc", "en": "Download the original"},
    "rec.download_pdfa": {"vi": "Tải bản PDF/A", "en": "Download the PDF/A"},
    "rec.events": {"vi": "Lịch sử bảo quản (PREMIS)", "en": "Preservation history (PREMIS)"},
    "rec.fixity": {"vi": "Kiểm tra toàn vẹn theo bản sao", "en": "Fixity per copy"},
    "rec.signature": {"vi": "Chữ ký số", "en": "Digital signature"},
    "rec.no_signature": {"vi": "Chưa có kết quả kiểm tra chữ ký.", "en": "No signature check recorded."},
    "rec.version": {"vi": "Phiên bản gói", "en": "Package version"},
    "rec.corrections": {"vi": "Các lần hiệu đính", "en": "Corrections"},
    "rec.dossier": {"vi": "Hồ sơ", "en": "Dossier"},
    "rec.prev": {"vi": "← Trang trước", "en": "← Previous page"},
    "rec.next": {"vi": "Trang sau →", "en": "Next page →"},
    "dossier.title": {"vi": "Hồ sơ", "en": "Dossier"},
    "dossier.none": {"vi": "Không có văn bản nào bạn được xem trong hồ sơ này.",
                     "en": "This dossier holds no document you may read."},
    "review.title": {"vi": "Kiểm tra siêu dữ liệu trích xuất", "en": "Review extracted metadata"},
    "review.none": {"vi": "Không còn tài liệu nào chờ kiểm tra.", "en": "Nothing is waiting for review."},
    "review.count": {"vi": "{total} tài liệu chờ kiểm tra", "en": "{total} records awaiting review"},
    "review.fields": {"vi": "Trường cần kiểm tra", "en": "Fields to check"},
    "review.open": {"vi": "Kiểm tra", "en": "Review"},
    "review.save": {"vi": "Lưu (sửa hoặc xác nhận)", "en": "Save (correct or confirm)"},
    "review.hint": {"vi": "Sửa giá trị sai; giữ nguyên giá trị đúng để xác nhận. Mỗi lần lưu tạo phiên bản gói mới.",
                    "en": "Fix wrong values; leave right ones as they are to confirm them. Each save makes a new package version."},
    "review.saved": {"vi": "Đã lưu thành phiên bản {version}.", "en": "Saved as version {version}."},
    "field.docCode": {"vi": "Mã hồ sơ/tài liệu", "en": "Document code"},
    "field.fileCode": {"vi": "Mã hồ sơ", "en": "File code"},
}
RECORD_MESSAGES.update({f"field.{name}": {"vi": spec.label, "en": spec.label} for name, spec in FIELDS.items()})
MESSAGES.update(RECORD_MESSAGES)


@records.app_template_filter("snippet")
def snippet(text: str) -> Markup:
    """A search snippet: everything escaped except the index's own <mark> around matched words."""
    return Markup(str(escape(text)).replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>"))


# --- helpers ---------------------------------------------------------------------------------------


def _caller() -> Caller:
    account = current()
    assert account is not None
    return SearchService(archive_of()).caller(account.username)


def _input_error(exc: SearchInputError) -> WebError:
    return WebError(400, "bad_search", exc.message_vi, exc.message_en)


def _search_args() -> tuple[str, list[str], str, int, str | None]:
    args = request.args
    text = args.get("q", "").strip()[:500]
    filters = [f"{name}={value}" for name in FILTERS for value in args.getlist(name) if value]
    filters += [f"{name}={args[name]}" for name in ("from", "to") if args.get(name)]
    limit = args.get("limit", 20, type=int) or 20
    after = args.get("after") or None
    if after is not None:
        try:
            cursor = json.loads(after)
        except ValueError:
            cursor = None
        if not isinstance(cursor, list) or not cursor or not all(
                isinstance(v, str | int | float) and not isinstance(v, bool) for v in cursor):
            raise WebError(400, "bad_cursor", "Con trỏ trang sau không hợp lệ; hãy dùng đúng liên kết “Trang sau”.",
                           "The next-page cursor is not valid; use the “Next page” link as given.")
    return text, filters, args.get("sort", "relevance"), limit, after


def _search(caller: Caller, highlights: bool = True) -> tuple[Any, Any]:
    service = SearchService(archive_of())
    text, filters, sort, limit, after = _search_args()
    try:
        search_request = service.request(text, filters, limit=min(limit, 100), sort=sort, after=after,
                                         highlights=highlights)
        return search_request, service.search(caller, search_request)
    except SearchInputError as exc:
        raise _input_error(exc) from None


def _value(document: Document, name: str, lang: str) -> str | None:
    """A field as the record page shows it: code lists by their label, dates in words."""
    if name == "docCode":
        return document.doc_code
    if name == "fileCode":
        return document.dossier.file_code if document.dossier is not None else None
    spec = FIELDS[name]
    value = getattr(document, spec.column)
    if spec.kind == "codes":
        return ", ".join(code.label(lang) for code in value) or None
    if spec.kind == "code" and value is not None:
        return f"{value.value} — {value.label(lang)}"
    if spec.kind == "date" and value is not None:
        return format_date(value, lang)
    return None if value is None else str(value)


def _audit_read(document: Document, action: str, details: dict[str, Any] | None = None) -> None:
    if not is_public(document):
        security_event(action, f"document:{document.id}", {"mode": record_mode(document).value, **(details or {})})


def _record_json(session: Any, document: Document) -> dict[str, Any]:
    return {"id": document.id, "reference": document.number_and_notation, "mode": record_mode(document).value,
            "dossier_id": document.dossier_id, "doc_ordinal": document.doc_ordinal,
            "package_version": package_version(session, document),
            "fields": {name: as_text(getattr(document, FIELDS[name].column)) for name in FIELDS},
            "provenance": dict(document.field_provenance or {}),
            "fixity": fixity(session, document), "signatures": signatures(session, document),
            "files": {kind: file_of(document, kind) is not None for kind in ("original", "pdfa")}}


def _event_json(event: Any) -> dict[str, Any]:
    return {"identifier": str(event.event_identifier), "type": event.event_type.value,
            "label": event.event_type.label(language()), "at": event.event_datetime.isoformat(),
            "outcome": event.outcome.value, "detail": event.event_detail, "outcome_detail": event.outcome_detail}


def may_download() -> bool:
    """Archivists and officials download what they may read (the record is already gated by
    ``can_read``: for modes 02 and 03 that means own agency or a grant); auditors only look."""
    account = current()
    return account is not None and account.can("record.download")


# --- search ----------------------------------------------------------------------------------------


@records.get("/search")
@require("record.search")
def search_page() -> tuple[str, int]:
    caller = _caller()
    service = SearchService(archive_of())
    searched = any(request.args.get(k) for k in ("q", *FILTERS, "from", "to"))
    result, error = None, None
    try:
        if searched:
            result = _search(caller)[1]
    except WebError as exc:
        error = exc.en if language() == "en" else exc.vi
    chosen = {name: request.args.getlist(name) for name in FILTERS if request.args.getlist(name)}
    return render_template("search.html", result=result, error=error, chosen=chosen, sorts=SORTS,
                           saved=service.saved_queries(caller), cursor=encode_cursor(result.next_after) if result
                           and result.next_after and len(result.hits) >= request.args.get("limit", 20, type=int)
                           else None, notice=request.args.get("notice")), 200


@records.get("/search/export.<fmt>")
@require("record.search")
def search_export(fmt: str) -> Response:
    if fmt not in EXPORT_FORMATS:
        raise not_found()
    caller = _caller()
    service = SearchService(archive_of())
    text, filters, sort, _, _ = _search_args()
    try:
        search_request = service.request(text, filters, limit=500, sort=sort, highlights=True)
    except SearchInputError as exc:
        raise _input_error(exc) from None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"ket-qua-tra-cuu.{fmt}"
        count = service.export(caller, search_request, path)
        data = path.read_bytes()
    security_event("search.export", "search", {"query": text[:200], "filters": filters, "rows": count})
    response = Response(data, mimetype=EXPORT_FORMATS[fmt])
    response.headers["Content-Disposition"] = _attachment(f"ket-qua-tra-cuu.{fmt}")
    return response


@records.post("/search/saved")
@require("record.search")
def save_query() -> Any:
    caller = _caller()
    name = request.form.get("name", "").strip()
    if not name or len(name) > 100:
        raise WebError(400, "bad_name", "Hãy đặt tên cho truy vấn (tối đa 100 ký tự).",
                       "Give the query a name (at most 100 characters).")
    filters = [f"{k}={v}" for k in FILTERS for v in request.form.getlist(k) if v]
    try:
        SearchService(archive_of()).save_query(caller, name, request.form.get("q", ""), filters,
                                               request.form.get("sort", "relevance"))
    except SearchInputError as exc:
        raise _input_error(exc) from None
    notice = MESSAGES["search.saved_done"][language()].format(name=name)
    return redirect(url_for("records.search_page", q=request.form.get("q", ""), notice=notice))


# --- record, pages, downloads, dossier -------------------------------------------------------------


@records.get("/records/<int:document_id>")
@require("record.read")
def record_page(document_id: int) -> tuple[str, int]:
    archive, lang = archive_of(), language()
    with archive.sessions() as session:
        document = readable(session, _caller(), document_id)
        if document is None:
            raise not_found()
        pdfa = file_of(document, "pdfa")
        pages = document.number_of_page or 0
        page = max(1, min(request.args.get("page", 1, type=int) or 1, max(pages, 1)))
        groups = [(key, [(name, _value(document, name, lang)) for name in names]) for key, names in GROUPS]
        _audit_read(document, "record.view", {"page": page})
        return render_template(
            "record.html", document=document, groups=groups, page=page, pages=pages, has_pages=pdfa is not None,
            events=[_event_json(e) for e in events(session, document)], fixity=fixity(session, document),
            signatures=signatures(session, document), version=package_version(session, document),
            corrections=history(archive, document_id), mode=record_mode(document), may_download=may_download(),
            files={kind: file_of(document, kind) is not None for kind in ("original", "pdfa")}), 200


@records.get("/records/<int:document_id>/pages/<int:page>.png")
@require("record.read")
def page_image(document_id: int, page: int) -> Response:
    archive = archive_of()
    with archive.sessions() as session:
        document = readable(session, _caller(), document_id)
        pdfa = file_of(document, "pdfa") if document is not None else None
        if document is None or pdfa is None:
            raise not_found()
        try:
            png = render_page(archive, pdfa, page)
        except IndexError:
            raise not_found() from None
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@records.get("/records/<int:document_id>/download/<kind>")
@require("record.download")
def download(document_id: int, kind: str) -> Response:
    if kind not in ("original", "pdfa"):
        raise not_found()
    archive = archive_of()
    with archive.sessions() as session:
        document = readable(session, _caller(), document_id)
        bitstream = file_of(document, kind) if document is not None else None
        if document is None or bitstream is None:
            raise not_found()
        name = bitstream.original_filename if kind == "original" else f"{document.doc_code or document.id}.pdf"
        key, mime = bitstream.storage_key, bitstream.mime_type or "application/octet-stream"
        _audit_read(document, "record.download", {"file": kind})
    response = Response(archive.store.get(key), mimetype=mime)
    response.headers["Content-Disposition"] = _attachment(name)
    return response


@records.get("/dossiers/<int:dossier_id>")
@require("record.read")
def dossier_page(dossier_id: int) -> tuple[str, int]:
    with archive_of().sessions() as session:
        found = dossier_documents(session, _caller(), dossier_id)
        if found is None:
            raise not_found()
        dossier, documents = found
        if dossier.mode != Mode.PUBLIC:
            security_event("dossier.view", f"dossier:{dossier.id}", {"documents": [d.id for d in documents]})
        return render_template("dossier.html", dossier=dossier, documents=documents), 200


# --- review ----------------------------------------------------------------------------------------


def _review_scope() -> str | None:
    account = current()
    assert account is not None
    return account.agency_code


def _own_record(session: Any, document_id: int) -> Document:
    """A record the archivist may read (else 404, as if missing) and that their agency holds (else 403)."""
    document = readable(session, _caller(), document_id)
    if document is None:
        raise not_found()
    owner = document.fonds.agency.organ_id if document.fonds is not None and document.fonds.agency else None
    if owner != _review_scope():
        raise forbidden()
    return document


@records.get("/review")
@require("record.review")
def review_page() -> tuple[str, int]:
    entries, total = review_queue(archive_of(), _review_scope())
    return render_template("review.html", entries=entries, total=total, notice=request.args.get("notice")), 200


@records.get("/review/<int:document_id>")
@require("record.review")
def review_form(document_id: int) -> tuple[str, int]:
    return _review_form(document_id)


def _review_form(document_id: int, status: int = 200, error: str | None = None) -> tuple[str, int]:
    archive = archive_of()
    with archive.sessions() as session:
        _own_record(session, document_id)
        item = review_item(session, document_id, _review_scope())
        if item is None or item.document is None:
            raise not_found()
        document = item.document
        flagged = flagged_fields(document, archive.settings.review_threshold) or [
            name for name in FIELDS if FIELDS[name].column in (document.field_provenance or {})]
        values = {name: _form_value(document, name) for name in flagged}
        provenance = {name: (document.field_provenance or {}).get(FIELDS[name].column) for name in flagged}
        return render_template("review_form.html", document=document, fields=flagged, values=values,
                               provenance=provenance, specs=FIELDS, error=error,
                               has_pages=file_of(document, "pdfa") is not None, flags=item.flags), status


def _form_value(document: Document, name: str) -> str:
    spec = FIELDS[name]
    value = getattr(document, spec.column)
    if spec.kind == "date" and value is not None:
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    return as_text(list(value) if spec.kind == "codes" else value) or ""


@records.post("/review/<int:document_id>")
@require("record.review")
def review_save(document_id: int) -> Any:
    archive = archive_of()
    account = current()
    assert account is not None
    with archive.sessions() as session:
        _own_record(session, document_id)
        if review_item(session, document_id, _review_scope()) is None:
            raise not_found()
    values = {name: request.form.get(name, "") for name in FIELDS if name in request.form}
    try:
        done = save_review(archive, document_id, values, account.full_name or account.username)
    except CorrectionRefused as exc:
        lang = language()
        return _review_form(document_id, 400, "; ".join(vi if lang == "vi" else en for _, vi, en in exc.problems))
    security_event("record.review", f"document:{document_id}", {"version": done.version,
                                                                "changed": [c[0] for c in done.changes]})
    notice = MESSAGES["review.saved"][language()].format(version=f"v{done.version}")
    return redirect(url_for("records.review_page", notice=notice))


# --- API -------------------------------------------------------------------------------------------


@records_api.get("/search")
@require("record.search")
def api_search() -> Any:
    _, result = _search(_caller())
    return jsonify({"total": result.total, "hits": [hit_json(h) for h in result.hits],
                    "facets": {name: dict(values) for name, values in result.facets.items()},
                    "next": encode_cursor(result.next_after)})


@records_api.get("/records/<int:document_id>")
@require("record.read")
def api_record(document_id: int) -> Any:
    with archive_of().sessions() as session:
        document = readable(session, _caller(), document_id)
        if document is None:
            raise not_found()
        _audit_read(document, "record.view", {"via": "api"})
        return jsonify(_record_json(session, document))


@records_api.get("/records/<int:document_id>/events")
@require("record.read")
def api_record_events(document_id: int) -> Any:
    with archive_of().sessions() as session:
        document = readable(session, _caller(), document_id)
        if document is None:
            raise not_found()
        _audit_read(document, "record.events", {"via": "api"})
        return jsonify({"items": [_event_json(e) for e in events(session, document)]})


@records_api.patch("/records/<int:document_id>")
@require("record.review")
def api_correct(document_id: int) -> Any:
    """Correct fields ``{"changes": {field: value}, "confirm": [field, ...]}`` of a record of one's own agency."""
    archive = archive_of()
    account = current()
    assert account is not None
    with archive.sessions() as session:
        _own_record(session, document_id)
    body = request.get_json(silent=True)
    changes = body.get("changes", {}) if isinstance(body, dict) else None
    confirm = body.get("confirm", []) if isinstance(body, dict) else None
    if not isinstance(changes, dict) or not all(isinstance(v, str) for v in changes.values()) \
            or not isinstance(confirm, list) or not all(isinstance(v, str) for v in confirm):
        raise WebError(400, "bad_body", "Nội dung phải là {\"changes\": {trường: giá trị chuỗi}, \"confirm\": [trường]}.",
                       "The body must be {\"changes\": {field: string value}, \"confirm\": [field]}.")
    try:
        done = correct(archive, document_id, changes, account.full_name or account.username, confirmed=confirm)
    except CorrectionRefused as exc:
        raise WebError(422, "correction_refused", "; ".join(vi for _, vi, _ in exc.problems),
                       "; ".join(en for _, _, en in exc.problems)) from None
    security_event("record.correct", f"document:{document_id}", {"version": done.version,
                                                                 "changed": [c[0] for c in done.changes]})
    return jsonify({"id": document_id, "version": f"v{done.version}", "indexed": done.indexed,
                    "changes": [{"field": f, "old": o, "new": n} for f, o, n in done.changes]})


@records_api.get("/review")
@require("record.review")
def api_review() -> Any:
    entries, total = review_queue(archive_of(), _review_scope())
    return jsonify({"total": total, "items": [{"id": e.document_id, "batch_id": e.batch_id, "name": e.name,
                                               "reference": e.reference, "subject": e.subject,
                                               "fields": list(e.fields)} for e in entries]})


