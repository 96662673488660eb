"""Auditor reports on the web: an index, fixity coverage with its histogram, failures and repairs, the
chain of custody of one record, and the reconciliation of catalog, index and storage; each downloadable
as CSV and PDF.

Thin over ``archive.integrity.auditor.ReportService``, which checks the permission (auditors and
administrators) and records every view and download in the audit log. The histogram is a table with
``<meter>`` bars, readable without JavaScript and by a screen reader.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, url_for

from archive.i18n import MESSAGES
from archive.integrity.auditor import FORMATS, ReportRefused, ReportService, Table, describe, export, file_name
from archive.fonts import FontMissing
from archive.reading import readable
from archive.search_service import SearchService
from archive.web.pages import _attachment
from archive.web.security import WebError, archive_of, client_ip, current, language, not_found, require

reports = Blueprint("reports", __name__)

REPORT_MESSAGES: dict[str, dict[str, str]] = {
    "nav.reports": {"vi": "Báo cáo kiểm tra", "en": "Audit reports"},
    "report.index": {"vi": "Báo cáo dành cho kiểm toán viên", "en": "Reports for auditors"},
    "report.index_hint": {"vi": "Mỗi lần xem hoặc tải báo cáo được ghi vào nhật ký kiểm tra. Lịch sử lưu giữ của "
                                "từng tài liệu mở từ trang tài liệu đó.",
                          "en": "Every view or download of a report is recorded in the audit log. The chain of "
                                "custody of a record opens from that record's page."},
    "report.csv": {"vi": "Tải CSV", "en": "Download CSV"},
    "report.pdf": {"vi": "Tải PDF", "en": "Download PDF"},
    "report.made": {"vi": "Lập lúc {at} (UTC) · {rows} dòng", "en": "Made at {at} (UTC) · {rows} rows"},
    "report.none": {"vi": "Không có khác biệt hay sự việc nào.", "en": "Nothing to report."},
    "report.back": {"vi": "← Các báo cáo", "en": "← All reports"},
    "report.record": {"vi": "Về trang tài liệu", "en": "Back to the record"},
    "report.custody_link": {"vi": "Lịch sử lưu giữ (báo cáo kiểm tra)", "en": "Chain of custody (audit report)"},
    "report.histogram": {"vi": "Thời gian kể từ lần kiểm tra gần nhất — {location}",
                         "en": "Time since last verification — {location}"},
    "report.cycle": {"vi": "{done}/{copies} bản sao ({share}) đã kiểm tra trong chu kỳ {days} ngày hiện tại",
                     "en": "{done}/{copies} copies ({share}) verified in the current {days}-day cycle"},
    "report.all_rows": {"vi": "Tất cả các dòng", "en": "Every row"},
}
MESSAGES.update(REPORT_MESSAGES)


def _service() -> ReportService:
    account = current()
    assert account is not None
    try:
        return ReportService(archive_of(), account, client_ip())
    except ReportRefused as exc:
        raise WebError(exc.status, exc.code, exc.vi, exc.en) from None


def _page(table: Table, template: str, record_id: int | None = None) -> tuple[str, int]:
    endpoint = f"reports.{table.name}_file"
    downloads = {fmt: url_for(endpoint, fmt=fmt, **({"document_id": record_id} if record_id is not None else {}))
                 for fmt in FORMATS}
    return render_template(template, table=table, record_id=record_id, downloads=downloads), 200


def _download(table: Table, fmt: str, record_id: int | None = None) -> Response:
    try:
        data = export(table, fmt)
    except FontMissing:
        raise WebError(503, "pdf_unavailable",
                       "Máy chủ chưa cài phông chữ DejaVu Sans nên chưa lập được báo cáo PDF; hãy tải bản CSV, và "
                       "đề nghị quản trị viên cài gói fonts-dejavu-core.",
                       "The server has no DejaVu Sans font, so it cannot make the PDF; download the CSV, and ask "
                       "an administrator to install the fonts-dejavu-core package.") from None
    response = Response(data, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = _attachment(file_name(table, fmt, record_id))
    return response


def _report(name: str, fmt: str = "html", record_id: int | None = None) -> Table:
    if fmt != "html" and fmt not in FORMATS:
        raise not_found()
    service = _service()
    try:
        return service.report(name, language(), fmt, record_id)
    except LookupError:
        raise not_found() from None


@reports.get("/reports")
@require("report.view")
def index() -> tuple[str, int]:
    _service()
    return render_template("reports.html", reports=describe(language())), 200


@reports.get("/reports/fixity")
@require("report.view")
def fixity() -> tuple[str, int]:
    return _page(_report("fixity"), "report_fixity.html")


@reports.get("/reports/fixity.<fmt>")
@require("report.view")
def fixity_file(fmt: str) -> Response:
    return _download(_report("fixity", fmt), fmt)


@reports.get("/reports/failures")
@require("report.view")
def failures() -> tuple[str, int]:
    return _page(_report("failures"), "report.html")


@reports.get("/reports/failures.<fmt>")
@require("report.view")
def failures_file(fmt: str) -> Response:
    return _download(_report("failures", fmt), fmt)


@reports.get("/reports/reconciliation")
@require("report.view")
def reconciliation() -> tuple[str, int]:
    return _page(_report("reconciliation"), "report.html")


@reports.get("/reports/reconciliation.<fmt>")
@require("report.view")
def reconciliation_file(fmt: str) -> Response:
    return _download(_report("reconciliation", fmt), fmt)


def _custody(document_id: int, fmt: str) -> Table:
    """A record the account may read (auditors and administrators read every record; 404 otherwise, as
    for the record page), then its chain of custody."""
    _service()
    account = current()
    assert account is not None
    with archive_of().sessions() as session:
        if readable(session, SearchService(archive_of()).caller(account.username), document_id) is None:
            raise not_found()
    return _report("custody", fmt, document_id)


@reports.get("/records/<int:document_id>/custody")
@require("report.view")
def custody(document_id: int) -> tuple[str, int]:
    return _page(_custody(document_id, "html"), "report.html", document_id)


@reports.get("/records/<int:document_id>/custody.<fmt>")
@require("report.view")
def custody_file(document_id: int, fmt: str) -> Response:
    return _download(_custody(document_id, fmt), fmt, document_id)
