"""Pages of controlled sharing: request, decide, revoke, open a shared record, download a stamped copy.

Thin: each view reads the form, calls ``archive.sharing.SharingService`` (which holds the rules and
writes the audit entries) and renders. A refused grant or link (expired, revoked, someone else's)
gets its own page that says what happened and what to do.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for

from archive.catalog.codes import SharePurpose
from archive.i18n import MESSAGES
from archive.sharing import SharingError, SharingService
from archive.web.pages import _attachment
from archive.web.security import WebError, archive_of, client_ip, current, language, require

sharing = Blueprint("sharing", __name__)

SHARING_MESSAGES: dict[str, dict[str, str]] = {
    "nav.sharing": {"vi": "Chia sẻ", "en": "Sharing"},
    "share.title": {"vi": "Chia sẻ tài liệu giữa các cơ quan", "en": "Sharing between agencies"},
    "share.new": {"vi": "Yêu cầu khai thác tài liệu của cơ quan khác", "en": "Request a record held by another agency"},
    "share.document_id": {"vi": "Số văn bản", "en": "Document number"},
    "share.dossier_id": {"vi": "hoặc số hồ sơ", "en": "or dossier number"},
    "share.purpose": {"vi": "Mục đích", "en": "Purpose"},
    "share.reason": {"vi": "Lý do", "en": "Reason"},
    "share.send": {"vi": "Gửi yêu cầu", "en": "Send request"},
    "share.made": {"vi": "Yêu cầu tôi đã gửi", "en": "Requests I made"},
    "share.received": {"vi": "Yêu cầu gửi đến cơ quan", "en": "Requests received"},
    "share.grants": {"vi": "Quyền đọc đã cấp", "en": "Grants"},
    "share.stats": {"vi": "Thống kê", "en": "Statistics"},
    "share.none": {"vi": "Chưa có.", "en": "None yet."},
    "share.record": {"vi": "Tài liệu", "en": "Record"},
    "share.requester": {"vi": "Người yêu cầu", "en": "Requested by"},
    "share.holder": {"vi": "Cơ quan lưu giữ", "en": "Holding agency"},
    "share.status": {"vi": "Trạng thái", "en": "Status"},
    "share.date": {"vi": "Ngày gửi", "en": "Sent"},
    "share.decision": {"vi": "Quyết định", "en": "Decision"},
    "share.approve": {"vi": "Đồng ý", "en": "Approve"},
    "share.refuse": {"vi": "Từ chối", "en": "Refuse"},
    "share.days": {"vi": "Số ngày", "en": "Days"},
    "share.allow_download": {"vi": "Cho tải bản sao", "en": "Allow download"},
    "share.decision_reason": {"vi": "Lý do (bắt buộc khi từ chối)", "en": "Reason (required to refuse)"},
    "share.expires": {"vi": "Hết hạn", "en": "Expires"},
    "share.downloads": {"vi": "Lượt tải", "en": "Downloads"},
    "share.open": {"vi": "Mở", "en": "Open"},
    "share.revoke": {"vi": "Thu hồi", "en": "Revoke"},
    "share.state.active": {"vi": "Đang hiệu lực", "en": "Active"},
    "share.state.expired": {"vi": "Đã hết hạn", "en": "Expired"},
    "share.state.revoked": {"vi": "Đã thu hồi", "en": "Revoked"},
    "share.total": {"vi": "Tổng số yêu cầu", "en": "Requests"},
    "share.pending": {"vi": "Chờ duyệt", "en": "Pending"},
    "share.approved": {"vi": "Đã đồng ý", "en": "Approved"},
    "share.refused": {"vi": "Đã từ chối", "en": "Refused"},
    "share.median": {"vi": "Thời gian trả lời (trung vị, giờ)", "en": "Median response time (hours)"},
    "share.by_agency": {"vi": "Theo cơ quan lưu giữ", "en": "By holding agency"},
    "share.by_requester": {"vi": "Theo cơ quan yêu cầu", "en": "By requesting agency"},
    "share.by_purpose": {"vi": "Theo mục đích", "en": "By purpose"},
    "share.requested": {"vi": "Đã gửi yêu cầu số {id}; cơ quan lưu giữ sẽ xem xét.",
                        "en": "Request {id} sent; the holding agency will consider it."},
    "share.approved_link": {"vi": "Đã đồng ý yêu cầu số {id}. Đường dẫn chia sẻ (chỉ hiện một lần, chỉ người yêu cầu mở được):",
                            "en": "Request {id} approved. Sharing link (shown once; only the requester can open it):"},
    "share.refused_notice": {"vi": "Đã từ chối yêu cầu số {id}.", "en": "Request {id} refused."},
    "share.revoked_notice": {"vi": "Đã thu hồi quyền đọc số {id}.", "en": "Grant {id} revoked."},
    "share.shared_title": {"vi": "Tài liệu được chia sẻ", "en": "Shared record"},
    "share.grantee": {"vi": "Người được cấp", "en": "Granted to"},
    "share.download": {"vi": "Tải bản sao (PDF có dấu BẢN SAO)", "en": "Download copy (PDF stamped BẢN SAO)"},
    "share.read_only": {"vi": "Chỉ được đọc, không được tải về.", "en": "Reading only; no download."},
    "share.refused_title": {"vi": "Không mở được tài liệu được chia sẻ", "en": "The shared record cannot be opened"},
    "share.back": {"vi": "Về trang Chia sẻ", "en": "Back to Sharing"},
}
MESSAGES.update(SHARING_MESSAGES)


def _service() -> SharingService:
    return SharingService(archive_of(), ip=client_ip())


def _message(error: SharingError) -> str:
    return error.en if language() == "en" else error.vi


@sharing.errorhandler(SharingError)
def refused(error: SharingError) -> Any:
    """A refusal from the service: its own page for a grant or link that no longer opens."""
    template = "sharing_refused.html" if error.status in (403, 404, 410) else "error.html"
    web_error = WebError(error.status, error.code, error.vi, error.en)
    return render_template(template, error=web_error, message=_message(error), code=error.code), error.status


@sharing.app_context_processor
def navigation_count() -> dict[str, Any]:
    """The number of requests waiting for this archivist's agency, computed only when a page shows it."""
    def pending() -> int:
        account = current()
        return SharingService(archive_of()).pending_count(account) if account is not None else 0

    return {"sharing_pending": pending}


def _page(status: int = 200, **extra: Any) -> tuple[str, int]:
    account = current()
    assert account is not None
    overview = _service().overview(account)
    return render_template("sharing.html", overview=overview, purposes=list(SharePurpose),
                           default_days=archive_of().settings.share_days,
                           prefill={"document": request.args.get("document", ""),
                                    "dossier": request.args.get("dossier", "")}, **extra), status


def _int(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 15:
        raise SharingError("invalid_number", f"'{raw}' không phải là số hợp lệ; hãy nhập số.",
                           f"'{raw}' is not a valid number; enter digits only.")
    return int(raw)


@sharing.get("/sharing")
@require("sharing.view")
def overview() -> tuple[str, int]:
    return _page()


@sharing.post("/sharing/requests")
@require("sharing.request")
def make_request() -> tuple[str, int]:
    account = current()
    assert account is not None
    try:
        request_id = _service().request_access(account, document_id=_int("document_id"), dossier_id=_int("dossier_id"),
                                               purpose=request.form.get("purpose", ""),
                                               reason=request.form.get("reason", ""))
    except SharingError as error:
        return _page(error.status, error=_message(error))
    return _page(notice=MESSAGES["share.requested"][language()].format(id=request_id))


@sharing.post("/sharing/requests/<int:request_id>/decide")
@require("sharing.decide")
def decide(request_id: int) -> tuple[str, int]:
    account = current()
    assert account is not None
    try:
        days = _int("days")
        decision = _service().decide(account, request_id, decision=request.form.get("decision", ""),
                                     reason=request.form.get("reason", ""),
                                     days=days, allow_download=request.form.get("allow_download") == "on")
    except SharingError as error:
        return _page(error.status, error=_message(error))
    if decision.link_token is None:
        return _page(notice=MESSAGES["share.refused_notice"][language()].format(id=request_id))
    link = url_for("sharing.open_link", token=decision.link_token, _external=True)
    return _page(notice=MESSAGES["share.approved_link"][language()].format(id=request_id), new_link=link)


@sharing.post("/sharing/grants/<int:grant_id>/revoke")
@require("sharing.decide")
def revoke(grant_id: int) -> tuple[str, int]:
    account = current()
    assert account is not None
    try:
        _service().revoke(account, grant_id, request.form.get("reason", ""))
    except SharingError as error:
        return _page(error.status, error=_message(error))
    return _page(notice=MESSAGES["share.revoked_notice"][language()].format(id=grant_id))


@sharing.get("/sharing/grants/<int:grant_id>")
@require("sharing.view")
def shared(grant_id: int) -> tuple[str, int]:
    account = current()
    assert account is not None
    return render_template("shared.html", shared=_service().shared(account, grant_id)), 200


@sharing.get("/sharing/grants/<int:grant_id>/documents/<int:document_id>/download")
@require("sharing.view")
def download(grant_id: int, document_id: int) -> Response:
    account = current()
    assert account is not None
    name, data = _service().download(account, grant_id, document_id)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = _attachment(name)
    return response


@sharing.get("/s/<token>")
@require("sharing.view")
def open_link(token: str) -> Response:
    account = current()
    assert account is not None
    grant_id = _service().grant_for_link(account, token)
    return redirect(url_for("sharing.shared", grant_id=grant_id))  # type: ignore[return-value]
