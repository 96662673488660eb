"""A web app on an embedded archive with two agencies and one account per role in each.

Passwords are made per test run (never fixed in the code); ``sign_in`` goes through the real
sign-in form with its CSRF token, as a browser does.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from archive.accounts import AccountService
from archive.catalog import Fonds
from archive.catalog.codes import FondsStatus
from archive.catalog.db import upgrade
from archive.config import load_settings
from archive.factory import Archive, create_archive
from archive.web import create_web_app

AGENCY_A = "000.00.00.A01"
AGENCY_B = "000.00.00.B02"
ROLES = ("archivist", "official", "auditor", "admin")
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "vn-admin" / "files"


@dataclass
class Web:
    archive: Archive
    app: Flask
    passwords: dict[str, str]

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def sign_in(self, username: str, client: FlaskClient | None = None) -> FlaskClient:
        client = client or self.client()
        token = csrf_of(client.get("/login"))
        response = client.post("/login", data={"username": username, "password": self.passwords[username],
                                               "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    def token(self, username: str) -> str:
        return AccountService(self.archive).create_token(username, "test")[1]


def csrf_of(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'name="csrf-token" content="([^"]+)"', response.get_data(as_text=True))
    assert match, "page without a CSRF token"
    return match.group(1)


def build_archive(tmp_path: Path, extra: dict[str, str] | None = None) -> Archive:
    archive = create_archive(load_settings({"LUUTRU_DATA_DIR": str(tmp_path / "data"), "LUUTRU_OCR_JOBS": "1",
                                            **(extra or {})}))
    upgrade(archive.engine, "head")
    archive.store.ensure()
    archive.index.ensure()
    return archive


def populate(archive: Archive) -> dict[str, str]:
    """Agencies A and B, a fonds each, and <role>-a / <role>-b accounts with random passwords."""
    service = AccountService(archive)
    passwords: dict[str, str] = {}
    for code, suffix in ((AGENCY_A, "a"), (AGENCY_B, "b")):
        service.create_agency(code, f"Cơ quan {suffix.upper()}")
        with archive.sessions.begin() as session:
            from sqlalchemy import select

            from archive.catalog import Agency

            agency = session.scalars(select(Agency).where(Agency.organ_id == code)).one()
            session.add(Fonds(code=f"F-{suffix.upper()}", name=f"Phông {suffix.upper()}", agency=agency,
                              status=FondsStatus.OPEN))
        for role in ROLES:
            username = f"{role}-{suffix}"
            passwords[username] = secrets.token_urlsafe(12)
            service.create_user(username, role, code, password=passwords[username])
    return passwords


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """The app on a real socket in a thread (browsers and schemathesis need HTTP); yields its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture()
def web(tmp_path: Path) -> Iterator[Web]:
    archive = build_archive(tmp_path)
    passwords = populate(archive)
    yield Web(archive, create_web_app(archive), passwords)
    archive.engine.dispose()
