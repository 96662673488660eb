"""Who is asking, in which language, and whether a state-changing request is genuine.

Browsers: a signed cookie holds a random session id (checked against ``web_session`` on every
request) and a CSRF token. Machines: ``Authorization: Bearer ltk_…``; a request authenticated
by a token carries no cookie an attacker's page could ride on, so it needs no CSRF token.

CSRF is our own small implementation rather than Flask-WTF: one ``before_request`` hook checks
every POST/PUT/PATCH/DELETE, of pages and API alike, so a route added later is protected
without remembering a decorator or a form class; the token is compared in constant time and
renewed at sign-in. That is all Flask-WTF's CSRFProtect would do for us here, without the
dependency.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app, g, request, session

from archive.accounts import Account, AccountService
from archive.batches import BatchService
from archive.factory import Archive
from archive.i18n import LANGUAGES
from archive.security_events import record

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class WebError(Exception):
    """An error to show a person: status, stable code, what happened and what to do, in vi and en."""

    def __init__(self, status: int, code: str, vi: str, en: str) -> None:
        super().__init__(en)
        self.status, self.code, self.vi, self.en = status, code, vi, en


def not_signed_in() -> WebError:
    return WebError(401, "not_signed_in", "Bạn chưa đăng nhập hoặc phiên đã hết hạn. Hãy đăng nhập rồi thử lại.",
                    "You are not signed in, or your session has expired. Sign in and try again.")


def forbidden() -> WebError:
    return WebError(403, "forbidden",
                    "Vai trò hoặc cơ quan của bạn không được làm việc này. Nếu cần, hãy đề nghị quản trị viên cấp quyền.",
                    "Your role or agency may not do this. If you need to, ask an administrator for access.")


def not_found() -> WebError:
    return WebError(404, "not_found", "Không tìm thấy trang hoặc mục này. Hãy kiểm tra đường dẫn, hoặc quay lại trang chủ.",
                    "This page or item does not exist. Check the address, or go back to the home page.")


def archive_of() -> Archive:
    return current_app.extensions["luutru"]  # type: ignore[no-any-return]


def client_ip() -> str:
    """The peer address. Behind a reverse proxy, configure it to set REMOTE_ADDR (e.g. waitress
    ``trusted_proxy``); X-Forwarded-For is not read here because any client can forge it."""
    return request.remote_addr or "-"


def current() -> Account | None:
    return g.get("account")


def language() -> str:
    """?lang= wins, then the signed-in user's choice, then this browser's choice; pages then fall
    back to the deployment's language (LUUTRU_LANGUAGE, Vietnamese by default) whatever the
    browser's locale, while API clients may ask with Accept-Language."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    account = current()
    if account is not None:
        return account.language
    if session.get("lang") in LANGUAGES:
        return str(session["lang"])
    default = archive_of().settings.language
    if request.path.startswith("/api/") and request.accept_languages:
        return request.accept_languages.best_match(LANGUAGES, default=default) or default
    return default


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def sign_in(account: Account) -> None:
    """Start a fresh session for ``account``: everything from before sign-in is dropped, a new
    session id and a new CSRF token are issued."""
    old_sid = session.get("sid")
    keep_lang = session.get("lang")
    session.clear()
    service = AccountService(archive_of())
    if old_sid:
        service.end_session(str(old_sid))
    session["sid"] = service.start_session(account.id)
    session["csrf"] = secrets.token_urlsafe(32)
    if keep_lang:
        session["lang"] = keep_lang
    session.permanent = True
    g.account = account


def sign_out() -> None:
    sid = session.get("sid")
    if sid:
        AccountService(archive_of()).end_session(str(sid))
    session.clear()
    g.account = None


def security_event(action: str, target: str, details: dict[str, Any] | None = None,
                   actor: Account | None = None) -> None:
    """Record through the one door (``archive.security_events``), with who and from where."""
    who = actor or current()
    record(archive_of(), who, who.agency_code if who else None, client_ip(), action, target, details)


def install(app: Flask) -> None:
    """Authenticate every request, and refuse a state-changing one without a valid CSRF token."""

    @app.before_request
    def authenticate() -> None:
        g.account, g.by_token = None, False
        archive = archive_of()
        service = AccountService(archive)
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            if service.address_locked(client_ip()):
                raise WebError(429, "locked", "Địa chỉ này tạm bị khóa do dùng sai mã truy cập nhiều lần. Hãy thử lại sau 15 phút.",
                               "This address is locked for now after repeated wrong tokens. Try again in 15 minutes.")
            account = service.account_for_token(header[7:].strip())
            if account is None:
                service.count_token_failure(client_ip())
                record(archive, None, None, client_ip(), "auth.token_failed", "api", {"path": request.path})
                raise WebError(401, "bad_token", "Mã truy cập (token) sai, đã bị thu hồi hoặc tài khoản đã ngừng hoạt động. "
                               "Hãy xin quản trị viên cấp mã mới.",
                               "The API token is wrong or revoked, or its account is inactive. Ask an administrator "
                               "for a new one.")
            g.account, g.by_token = account, True
            return
        sid = session.get("sid")
        if sid:
            g.account = service.session_account(str(sid))
            if g.account is None:
                session.pop("sid", None)

    @app.before_request
    def check_csrf() -> None:
        if request.method not in UNSAFE_METHODS or g.get("by_token"):
            return
        sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
        expected = session.get("csrf")
        if not expected or not sent or not hmac.compare_digest(str(sent), str(expected)):
            raise WebError(400, "csrf",
                           "Biểu mẫu đã hết hạn hoặc không đến từ trang này (thiếu mã chống giả mạo). "
                           "Hãy tải lại trang rồi gửi lại.",
                           "The form has expired or did not come from this site (missing anti-forgery token). "
                           "Reload the page and submit again.")


def require(permission: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Signed in, active, and (if given) holding ``permission``; otherwise 401/403."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            account = current()
            if account is None:
                raise not_signed_in()
            if permission is not None and not account.can(permission):
                raise forbidden()
            return view(*args, **kwargs)

        wrapper.permission = permission  # type: ignore[attr-defined]  # read by the role matrix test
        return wrapper

    return decorate


def batch_access(batch_id: int, act: str | None = None) -> str | None:
    """The agency of batch ``batch_id`` if the signed-in user may see it, or (``act``: a permission
    such as ``batch.retry``) act on it; 404 for no such batch, 403 otherwise."""
    account = current()
    assert account is not None
    try:
        agency = BatchService(archive_of()).agency_of(batch_id)
    except LookupError:
        raise not_found() from None
    if not (account.may_act_on_batch_of(agency, act) if act else account.may_see_batch_of(agency)):
        raise forbidden()
    return agency
