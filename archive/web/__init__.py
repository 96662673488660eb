"""The Flask web app and JSON API, built from the same ``Archive`` as the CLI and workers.

Resources stay thin: they parse the request, call a service, and render; rules live in services.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request

from archive.factory import Archive
from archive.i18n import LANGUAGES, format_date, format_datetime, t
from archive.status import collect_status


def _language() -> str:
    """?lang= wins, then the browser's preference; Vietnamese by default."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default="vi") if request.accept_languages else "vi"


def create_web_app(archive: Archive) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY=archive.secret_key, JSON_AS_ASCII=False,
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    app.extensions["luutru"] = archive
    app.jinja_env.globals.update(t=t, format_date=format_date, format_datetime=format_datetime)

    @app.get("/")
    def home() -> tuple[str, int]:
        lang = _language()
        report = collect_status(archive, lang)
        return render_template("status.html", report=report, lang=lang), (200 if report.ok else 503)

    @app.get("/api/v1/status")
    def api_status():  # type: ignore[no-untyped-def]
        report = collect_status(archive, _language())
        return jsonify(report.as_dict()), (200 if report.ok else 503)

    return app
