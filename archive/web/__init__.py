"""The Flask web app and JSON API, built from the same ``Archive`` as the CLI and workers.

Resources stay thin: they parse the request, call a service, and render; rules live in services
(``archive.accounts``, ``archive.batches``, ``archive.dashboard``). Everything the browser loads
comes from this app (no CDN), under a Content-Security-Policy that allows only our own files.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from collections.abc import Sequence
from typing import Any

from flask import Flask, Response, g, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from archive.factory import Archive
from archive.i18n import format_date, format_datetime, t
from archive.web import texts  # noqa: F401  (registers the page wording)
from archive.web.security import WebError, csrf_token, current, install, language

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 4 * 1024**3
"""One browser upload; larger deposits go through `luutru ingest` on the server."""

HTTP_CODES = {400: ("bad_request", "error.bad_request"), 405: ("method_not_allowed", "error.method"),
              413: ("too_large", "error.too_large")}


class IdConverter(IntegerConverter):
    """Integer path parts of at most 15 digits: a longer number is no id of ours and would
    overflow the database's integer before it could be answered with 404."""

    regex = r"\d{1,15}"


def _bytes(value: int, lang: str) -> str:
    size = float(value)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            text = f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
            return text.replace(".", ",") if lang == "vi" else text
        size /= 1024
    return str(value)


SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[int]) -> str:
    """A month-by-month trend in one line of text: readable on a phone, no chart library."""
    top = max(values, default=0)
    return "".join(SPARK[0] if not top else SPARK[round(v / top * (len(SPARK) - 1))] for v in values)


def _error_response(error: WebError) -> Any:
    lang = language()
    if request.path.startswith("/api/"):
        return jsonify({"error": {"status": error.status, "code": error.code,
                                  "message": error.en if lang == "en" else error.vi,
                                  "message_vi": error.vi, "message_en": error.en}}), error.status
    if error.status == 401:
        return redirect(url_for("pages.login_form", next=request.full_path.rstrip("?")))
    return render_template("error.html", error=error, message=error.en if lang == "en" else error.vi), error.status


def create_web_app(archive: Archive) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY=archive.secret_key, JSON_AS_ASCII=False, MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      PERMANENT_SESSION_LIFETIME=timedelta(hours=12))
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.url_map.converters["int"] = IdConverter
    app.extensions["luutru"] = archive

    from archive.web.api import api
    from archive.web.pages import pages
    from archive.web.records import records, records_api
    from archive.web.reports import reports
    from archive.web.sharing import sharing
    from archive.web.sharing_api import sharing_api

    install(app)
    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.register_blueprint(records), app.register_blueprint(records_api)
    app.register_blueprint(sharing)
    app.register_blueprint(sharing_api)
    app.register_blueprint(reports)

    @app.context_processor
    def globals_for_templates() -> dict[str, Any]:
        lang = language()
        account = current()
        return {"lang": lang, "account": account, "csrf_token": csrf_token,
                "can": (lambda permission: account is not None and account.can(permission)),
                "tr": (lambda key, **values: t(key, lang, **values)),
                "bytes": (lambda value: _bytes(value, lang)), "sparkline": sparkline}

    app.jinja_env.globals.update(t=t, format_date=format_date, format_datetime=format_datetime)

    @app.errorhandler(WebError)
    def web_error(error: WebError) -> Any:
        return _error_response(error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        status = error.code or 500
        if status == 404:
            from archive.web.security import not_found

            return _error_response(not_found())
        code, key = HTTP_CODES.get(status, ("http_error", "error.bad_request"))
        return _error_response(WebError(status, code, t(key, "vi"), t(key, "en")))

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _error_response(WebError(500, "server_error", t("error.server", "vi"), t("error.server", "en")))

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                                    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if g.get("account") is not None:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
