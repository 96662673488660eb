"""The server-rendered pages. Each view parses the form, calls a service, renders or redirects."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlparse

from flask import Blueprint, Response, redirect, render_template, request, session, stream_with_context, url_for

from archive.accounts import AccountError, AccountService
from archive.batches import BatchService
from archive.catalog.codes import UserRole
from archive.dashboard import cataloguing_status, dashboard
from archive.i18n import t
from archive.status import collect_status
from archive.web.security import (
    WebError,
    archive_of,
    batch_access,
    client_ip,
    current,
    language,
    not_found,
    require,
    security_event,
    sign_in,
    sign_out,
)
from archive.web.uploads import submit_upload

pages = Blueprint("pages", __name__)

DOWNLOADABLE_STATES = ("quarantined", "failed")
"""Originals are served here only for items that did not become records: an archived record's
files are reached through the record and its access rules (issue 6), never through the batch."""


def render(template: str, status: int = 200, **values: Any) -> tuple[str, int]:
    return render_template(template, **values), status


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so the sign-in form cannot be used to send people elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or urlparse(target).netloc:
        return url_for("pages.home")
    return target


# -- signing in and out ------------------------------------------------------------------------
@pages.get("/login")
def login_form() -> tuple[str, int]:
    return render("login.html", next=request.args.get("next", ""))


@pages.post("/login")
def login() -> Any:
    service = AccountService(archive_of())
    username = request.form.get("username", "")
    try:
        account = service.authenticate(username, request.form.get("password", ""), client_ip())
    except AccountError as exc:
        action = {"locked": "auth.locked_out", "inactive": "auth.inactive_refused"}.get(exc.code, "auth.login_failed")
        security_event(action, f"user:{username.strip().lower()[:100]}", {"reason": exc.code}, actor=None)
        return render("login.html", exc.status, error=exc.message(language()), next=request.form.get("next", ""),
                      username=username)
    sign_in(account)
    security_event("auth.login", f"user:{account.username}", {"via": "form"}, actor=account)
    return redirect(_safe_next(request.form.get("next")))


@pages.post("/logout")
def logout() -> Any:
    account = current()
    if account is not None:
        security_event("auth.logout", f"user:{account.username}")
    sign_out()
    return redirect(url_for("pages.login_form", signed_out=1))


@pages.post("/language")
def set_language() -> Any:
    chosen = request.form.get("lang", "vi")
    if chosen not in ("vi", "en"):
        chosen = "vi"
    session["lang"] = chosen
    account = current()
    if account is not None:
        AccountService(archive_of()).update_user(account.id, language=chosen)
    return redirect(_safe_next(request.form.get("next")))


# -- dashboard and public status ---------------------------------------------------------------
@pages.get("/")
@require("dashboard.view")
def home() -> tuple[str, int]:
    account = current()
    assert account is not None
    return render("dashboard.html", board=dashboard(archive_of(), language(), account.batch_scope))


@pages.get("/cataloguing")
def cataloguing() -> tuple[str, int]:
    return render("cataloguing.html", rows=cataloguing_status(archive_of()))


# -- batches -----------------------------------------------------------------------------------
def _scope() -> str | None:
    account = current()
    assert account is not None
    return account.batch_scope


@pages.get("/batches")
@require("batch.view")
def batches() -> tuple[str, int]:
    return render("batches.html", batches=BatchService(archive_of()).list(limit=100, agency_code=_scope()))


@pages.get("/batches/new")
@require("batch.submit")
def new_batch() -> tuple[str, int]:
    return render("new_batch.html")


@pages.post("/batches/new")
@require("batch.submit")
def submit_batch() -> Any:
    account = current()
    assert account is not None
    batch_id = submit_upload(archive_of(), account, request.files.getlist("files"), request.files.get("catalogue"),
                             request.form.get("name"), request.form.get("fonds"))
    return redirect(url_for("pages.batch_detail", batch_id=batch_id))


@pages.get("/batches/<int:batch_id>")
@require("batch.view")
def batch_detail(batch_id: int) -> tuple[str, int]:
    agency = batch_access(batch_id)
    report = BatchService(archive_of()).report(batch_id)
    account = current()
    assert account is not None
    may_act = account.may_act_on_batch_of(agency, "batch.retry")
    return render("batch.html", report=report, may_act=may_act, downloadable=DOWNLOADABLE_STATES)


@pages.post("/batches/<int:batch_id>/retry")
@require("batch.retry")
def retry_batch(batch_id: int) -> Any:
    batch_access(batch_id, act="batch.retry")
    ordinal = request.form.get("item", type=int)
    if ordinal is not None and not 0 < ordinal < 2**31:
        raise not_found()
    account = current()
    assert account is not None
    resumed = BatchService(archive_of()).retry(batch_id, ordinal, actor=account.username, ip=client_ip())
    return redirect(url_for("pages.batch_detail", batch_id=batch_id))


@pages.get("/batches/<int:batch_id>/items/<int:ordinal>/original")
@require("quarantine.download")
def download_original(batch_id: int, ordinal: int) -> Response:
    batch_access(batch_id, act="quarantine.download")
    return original_response(batch_id, ordinal)


def original_response(batch_id: int, ordinal: int) -> Response:
    """Stream a quarantined or failed item's original as an attachment, recorded as a security event."""
    archive = archive_of()
    try:
        name, key, state = BatchService(archive).original(batch_id, ordinal)
    except LookupError:
        raise not_found() from None
    if state not in DOWNLOADABLE_STATES:
        raise WebError(409, "not_quarantined",
                       "Chỉ tải được bản gốc của tệp bị lỗi hoặc cách ly ở đây; tài liệu đã lưu trữ được xem qua trang hồ sơ.",
                       "Only originals of failed or quarantined items are downloaded here; archived records are "
                       "reached through their record page.")
    security_event("quarantine.download", f"batch:{batch_id}/item:{ordinal}", {"state": state})
    response = Response(stream_with_context(archive.store.get(key)), mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = _attachment(name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _attachment(name: str) -> str:
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name) or "original"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


# -- administration ----------------------------------------------------------------------------
@pages.get("/admin")
@require("admin.status")
def admin_status() -> tuple[str, int]:
    report = collect_status(archive_of(), language())
    return render("status.html", report=report)


def _users_page(status: int = 200, **extra: Any) -> tuple[str, int]:
    service = AccountService(archive_of())
    users, _ = service.users(limit=1000)
    return render("users.html", status, users=users, agencies=service.agencies(), roles=UserRole, **extra)


@pages.get("/admin/users")
@require("admin.users")
def users() -> tuple[str, int]:
    return _users_page()


@pages.post("/admin/users")
@require("admin.users")
def create_user() -> tuple[str, int]:
    form = request.form
    try:
        account, password = AccountService(archive_of()).create_user(
            form.get("username", ""), form.get("role", ""), form.get("agency") or None,
            full_name=form.get("full_name"), email=form.get("email"), password=form.get("password") or None,
            language=form.get("language", "vi"))
    except AccountError as exc:
        return _users_page(exc.status, error=exc.message(language()))
    security_event("user.create", f"user:{account.username}", {"role": account.role, "agency": account.agency_code})
    notice = t("admin.user_created", language(), username=account.username,
               password=password if not form.get("password") else "••••")
    return _users_page(201, notice=notice)


@pages.post("/admin/users/<int:user_id>")
@require("admin.users")
def update_user(user_id: int) -> tuple[str, int]:
    form = request.form
    try:
        account, changes = AccountService(archive_of()).update_user(
            user_id, role=form.get("role"), agency=form.get("agency"), active=form.get("active") == "on",
            full_name=form.get("full_name"), language=form.get("language"), password=form.get("password") or None)
    except AccountError as exc:
        return _users_page(exc.status, error=exc.message(language()))
    if changes:
        security_event("user.update", f"user:{account.username}", changes)
    return _users_page(notice=t("admin.user_saved", language(), username=account.username))


def _agencies_page(status: int = 200, **extra: Any) -> tuple[str, int]:
    return render("agencies.html", status, agencies=AccountService(archive_of()).agencies(), **extra)


@pages.get("/admin/agencies")
@require("admin.agencies")
def agencies() -> tuple[str, int]:
    return _agencies_page()


@pages.post("/admin/agencies")
@require("admin.agencies")
def create_agency() -> tuple[str, int]:
    form = request.form
    try:
        agency = AccountService(archive_of()).create_agency(form.get("organ_id", ""), form.get("name", ""),
                                                            form.get("abbreviation"), form.get("parent") or None)
    except AccountError as exc:
        return _agencies_page(exc.status, error=exc.message(language()))
    security_event("agency.create", f"agency:{agency.organ_id}", {"name": agency.name})
    return _agencies_page(201, notice=t("admin.agency_saved", language(), code=agency.organ_id))


@pages.post("/admin/agencies/<int:agency_id>")
@require("admin.agencies")
def update_agency(agency_id: int) -> tuple[str, int]:
    form = request.form
    try:
        agency = AccountService(archive_of()).update_agency(agency_id, form.get("name"), form.get("abbreviation"))
    except AccountError as exc:
        return _agencies_page(exc.status, error=exc.message(language()))
    security_event("agency.update", f"agency:{agency.organ_id}", {"name": agency.name})
    return _agencies_page(notice=t("admin.agency_saved", language(), code=agency.organ_id))


def _tokens_page(status: int = 200, **extra: Any) -> tuple[str, int]:
    service = AccountService(archive_of())
    users, _ = service.users(limit=1000)
    return render("tokens.html", status, tokens=service.tokens(), users=users, **extra)


@pages.get("/admin/tokens")
@require("admin.tokens")
def tokens() -> tuple[str, int]:
    return _tokens_page()


@pages.post("/admin/tokens")
@require("admin.tokens")
def create_token() -> tuple[str, int]:
    try:
        info, token = AccountService(archive_of()).create_token(request.form.get("username", ""),
                                                                request.form.get("name", "api"))
    except AccountError as exc:
        return _tokens_page(exc.status, error=exc.message(language()))
    security_event("token.create", f"user:{info.username}", {"token_id": info.id, "name": info.name})
    return _tokens_page(201, notice=t("admin.token_created", language(), username=info.username, token=token))


@pages.post("/admin/tokens/<int:token_id>/revoke")
@require("admin.tokens")
def revoke_token(token_id: int) -> tuple[str, int]:
    try:
        info = AccountService(archive_of()).revoke_token(token_id)
    except AccountError as exc:
        return _tokens_page(exc.status, error=exc.message(language()))
    security_event("token.revoke", f"user:{info.username}", {"token_id": info.id})
    return _tokens_page(notice=t("admin.token_revoked", language(), prefix=info.prefix))

