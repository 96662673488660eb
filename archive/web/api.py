"""REST API under /api/v1: the same services as the pages, JSON in and out.

Errors are always ``{"error": {"status", "code", "message", "message_vi", "message_en"}}``; lists
are paginated with ``page`` (from 1) and ``per_page`` (1–100) and answer ``{"items", "page",
"per_page", "total"}``. Machines authenticate with ``Authorization: Bearer``; a browser's
session works too, with its CSRF token in ``X-CSRF-Token``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from archive.accounts import AccountError, AccountService
from archive.batches import BatchService
from archive.catalog.codes import BatchItemState
from archive.dashboard import cataloguing_status, dashboard
from archive.status import collect_status
from archive.web.openapi import openapi_document
from archive.web.pages import DOWNLOADABLE_STATES, original_response
from archive.web.security import (
    WebError,
    archive_of,
    batch_access,
    client_ip,
    current,
    language,
    require,
    security_event,
)
from archive.web.uploads import submit_upload

api = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_PER_PAGE = 100


def _page() -> tuple[int, int]:
    page = request.args.get("page", 1, type=int) or 1
    per_page = request.args.get("per_page", 50, type=int) or 50
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE or page > 10**6:
        raise WebError(400, "bad_page", f"Tham số trang không hợp lệ: page ≥ 1, per_page từ 1 đến {MAX_PER_PAGE}.",
                       f"Invalid paging: page ≥ 1, per_page between 1 and {MAX_PER_PAGE}.")
    return page, per_page


def _paged(items: list[Any], page: int, per_page: int, total: int) -> Any:
    return jsonify({"items": items, "page": page, "per_page": per_page, "total": total})


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise WebError(400, "bad_body", "Nội dung yêu cầu phải là một đối tượng JSON.", "The request body must be a JSON object.")
    return body


def _text(body: dict[str, Any], key: str, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise WebError(400, "bad_field", f"Trường '{key}' phải là chuỗi ký tự" + (" và là bắt buộc." if required else "."),
                       f"Field '{key}' must be a string" + (" and is required." if required else "."))
    return value


def _account_error(exc: AccountError) -> WebError:
    return WebError(exc.status, exc.code, exc.vi, exc.en)


def _scope() -> str | None:
    account = current()
    assert account is not None
    return account.batch_scope


# -- public ----------------------------------------------------------------------------------
@api.get("/openapi.json")
def openapi() -> Any:
    return jsonify(openapi_document())


@api.get("/status")
def status() -> Any:
    report = collect_status(archive_of(), language())
    return jsonify(report.as_dict()), (200 if report.ok else 503)


@api.get("/cataloguing")
def cataloguing() -> Any:
    return jsonify({"items": [row.__dict__ for row in cataloguing_status(archive_of())]})


# -- signed in -------------------------------------------------------------------------------
@api.get("/me")
@require()
def me() -> Any:
    account = current()
    assert account is not None
    return jsonify(account.as_dict())


@api.patch("/me")
@require()
def update_me() -> Any:
    """What every user may change about themselves: the language of their pages."""
    account = current()
    assert account is not None
    language_code = _text(_body(), "language", True)
    if language_code not in ("vi", "en"):
        raise WebError(400, "bad_field", "Trường 'language' phải là 'vi' hoặc 'en'.", "Field 'language' must be 'vi' or 'en'.")
    updated, _ = AccountService(archive_of()).update_user(account.id, language=language_code)
    return jsonify(updated.as_dict())


@api.get("/dashboard")
@require("dashboard.view")
def dashboard_figures() -> Any:
    return jsonify(dashboard(archive_of(), language(), _scope()).as_dict())


@api.get("/batches")
@require("batch.view")
def list_batches() -> Any:
    page, per_page = _page()
    service = BatchService(archive_of())
    reports = service.list(limit=per_page, offset=(page - 1) * per_page, agency_code=_scope())
    return _paged([{**r.__dict__, "done": r.done} for r in reports], page, per_page, service.count(_scope()))


@api.post("/batches")
@require("batch.submit")
def submit_batch() -> Any:
    account = current()
    assert account is not None
    files = request.files.getlist("files")
    batch_id = submit_upload(archive_of(), account, files, request.files.get("catalogue"), request.form.get("name"),
                             request.form.get("fonds"))
    return jsonify({"id": batch_id, "url": f"/batches/{batch_id}"}), 201


@api.get("/batches/<int:batch_id>")
@require("batch.view")
def batch_status(batch_id: int) -> Any:
    batch_access(batch_id)
    report = BatchService(archive_of()).report(batch_id, with_items=False)
    out = {**report.__dict__, "done": report.done}
    out.pop("items")  # listed, paginated, by /items
    return jsonify(out)


@api.get("/batches/<int:batch_id>/items")
@require("batch.view")
def batch_items(batch_id: int) -> Any:
    batch_access(batch_id)
    page, per_page = _page()
    report = BatchService(archive_of()).report(batch_id)
    start = (page - 1) * per_page
    items = [{**item, "state_en": BatchItemState(item["state"]).en, "downloadable": item["state"] in DOWNLOADABLE_STATES}
             for item in report.items[start:start + per_page]]
    return _paged(items, page, per_page, len(report.items))


@api.post("/batches/<int:batch_id>/retry")
@require("batch.retry")
def retry_batch(batch_id: int) -> Any:
    batch_access(batch_id, act="batch.retry")
    body = _body()
    ordinal = body.get("item")
    if ordinal is not None and (not isinstance(ordinal, int) or isinstance(ordinal, bool) or not 0 < ordinal < 2**31):
        raise WebError(400, "bad_field", "Trường 'item' phải là số thứ tự của tệp trong lô (số nguyên dương).",
                       "Field 'item' must be the item's number in the batch (a positive integer).")
    account = current()
    assert account is not None
    resumed = BatchService(archive_of()).retry(batch_id, ordinal, actor=account.username, ip=client_ip())
    return jsonify({"resumed": len(resumed)})


@api.get("/batches/<int:batch_id>/items/<int:ordinal>/original")
@require("quarantine.download")
def download_original(batch_id: int, ordinal: int) -> Any:
    batch_access(batch_id, act="quarantine.download")
    return original_response(batch_id, ordinal)


# -- administration --------------------------------------------------------------------------
@api.get("/users")
@require("admin.users")
def list_users() -> Any:
    page, per_page = _page()
    users, total = AccountService(archive_of()).users(offset=(page - 1) * per_page, limit=per_page)
    return _paged([u.as_dict() for u in users], page, per_page, total)


@api.post("/users")
@require("admin.users")
def create_user() -> Any:
    body = _body()
    try:
        account, password = AccountService(archive_of()).create_user(
            _text(body, "username", True) or "", _text(body, "role", True) or "", _text(body, "agency"),
            full_name=_text(body, "full_name"), email=_text(body, "email"), password=_text(body, "password"),
            language=_text(body, "language") or "vi")
    except AccountError as exc:
        raise _account_error(exc) from exc
    security_event("user.create", f"user:{account.username}", {"role": account.role, "agency": account.agency_code})
    out = account.as_dict()
    if not body.get("password"):
        out["initial_password"] = password
    return jsonify(out), 201


@api.patch("/users/<int:user_id>")
@require("admin.users")
def update_user(user_id: int) -> Any:
    body = _body()
    active = body.get("active")
    if active is not None and not isinstance(active, bool):
        raise WebError(400, "bad_field", "Trường 'active' phải là true hoặc false.", "Field 'active' must be true or false.")
    try:
        account, changes = AccountService(archive_of()).update_user(
            user_id, role=_text(body, "role"), agency=_text(body, "agency"), active=active,
            full_name=_text(body, "full_name"), language=_text(body, "language"), password=_text(body, "password"))
    except AccountError as exc:
        raise _account_error(exc) from exc
    if changes:
        security_event("user.update", f"user:{account.username}", {**changes, "via": "api"})
    return jsonify(account.as_dict())


@api.get("/agencies")
@require()
def list_agencies() -> Any:
    page, per_page = _page()
    agencies = AccountService(archive_of()).agencies()
    start = (page - 1) * per_page
    return _paged([a.as_dict() for a in agencies[start:start + per_page]], page, per_page, len(agencies))


@api.post("/agencies")
@require("admin.agencies")
def create_agency() -> Any:
    body = _body()
    try:
        agency = AccountService(archive_of()).create_agency(
            _text(body, "organ_id", True) or "", _text(body, "name", True) or "", _text(body, "abbreviation"),
            _text(body, "parent"))
    except AccountError as exc:
        raise _account_error(exc) from exc
    security_event("agency.create", f"agency:{agency.organ_id}", {"name": agency.name, "via": "api"})
    return jsonify(agency.as_dict()), 201


@api.patch("/agencies/<int:agency_id>")
@require("admin.agencies")
def update_agency(agency_id: int) -> Any:
    body = _body()
    try:
        agency = AccountService(archive_of()).update_agency(agency_id, _text(body, "name"), _text(body, "abbreviation"))
    except AccountError as exc:
        raise _account_error(exc) from exc
    security_event("agency.update", f"agency:{agency.organ_id}", {"name": agency.name, "via": "api"})
    return jsonify(agency.as_dict())


@api.get("/tokens")
@require("admin.tokens")
def list_tokens() -> Any:
    page, per_page = _page()
    tokens = AccountService(archive_of()).tokens()
    start = (page - 1) * per_page
    return _paged([tk.as_dict() for tk in tokens[start:start + per_page]], page, per_page, len(tokens))


@api.post("/tokens")
@require("admin.tokens")
def create_token() -> Any:
    body = _body()
    try:
        info, token = AccountService(archive_of()).create_token(_text(body, "username", True) or "",
                                                                _text(body, "name") or "api")
    except AccountError as exc:
        raise _account_error(exc) from exc
    security_event("token.create", f"user:{info.username}", {"token_id": info.id, "name": info.name, "via": "api"})
    return jsonify({**info.as_dict(), "token": token}), 201


@api.delete("/tokens/<int:token_id>")
@require("admin.tokens")
def revoke_token(token_id: int) -> Any:
    try:
        info = AccountService(archive_of()).revoke_token(token_id)
    except AccountError as exc:
        raise _account_error(exc) from exc
    security_event("token.revoke", f"user:{info.username}", {"token_id": info.id, "via": "api"})
    return jsonify(info.as_dict())
