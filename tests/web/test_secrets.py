"""No secret reaches a page, an API answer or a log line: password hashes, passwords, tokens, the key."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from archive.catalog import User
from tests.web.conftest import Web, csrf_of

PAGES = ["/", "/batches", "/admin", "/admin/users", "/admin/agencies", "/admin/tokens", "/cataloguing",
         "/api/v1/me", "/api/v1/users", "/api/v1/tokens", "/api/v1/dashboard", "/api/v1/status",
         "/api/v1/openapi.json", "/api/v1/agencies"]


def test_no_secrets_in_pages_or_logs(web: Web, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    admin = web.sign_in("admin-a")
    csrf = csrf_of(admin.get("/"))
    created = admin.post("/admin/tokens", data={"csrf_token": csrf, "username": "official-a", "name": "máy quét"})
    assert created.status_code == 201
    shown_once = created.get_data(as_text=True)
    token = shown_once.split("lưu ngay): ")[1].split("<")[0].strip()
    assert token.startswith("ltk_")
    made = admin.post("/admin/users", data={"csrf_token": csrf, "username": "moi-tao", "role": "official",
                                            "agency": "000.00.00.A01"})
    initial = made.get_data(as_text=True).split("hãy trao tận tay): ")[1].split("<")[0].strip()
    anonymous = web.client()
    failed = anonymous.post("/login", data={"username": "official-a", "password": "a-wrong-password",
                                            "csrf_token": csrf_of(anonymous.get("/login"))})
    assert failed.status_code == 401
    web.sign_in("official-a").get("/api/v1/me", headers={"Authorization": "Bearer ltk_wrong"})
    with web.archive.sessions() as session:
        hashes = list(session.scalars(select(User.password_hash)))
    secrets = ["a-wrong-password", web.archive.secret_key, token, initial, *web.passwords.values(), *hashes,
               *(h.split("$")[-1] for h in hashes)]
    bodies = [admin.get(path).get_data(as_text=True) for path in PAGES]
    bodies.append(admin.get("/admin/tokens").get_data(as_text=True))
    bodies.append(web.client().get("/login").get_data(as_text=True))
    logs = "\n".join(r.getMessage() for r in caplog.records)
    assert '"token.create"' in logs and '"user.create"' in logs
    for secret in secrets:
        for body in bodies:
            assert secret not in body
        assert secret not in logs
    for body in bodies:
        assert "$argon2" not in body
    assert "$argon2" not in logs


def test_security_record_drops_secret_looking_details(caplog: pytest.LogCaptureFixture) -> None:
    from archive.security_events import record

    caplog.set_level(logging.INFO, logger="luutru.security")
    event = record(None, None, "000.00.00.A01", "127.0.0.1", "user.update", "user:x",
                   {"password": "p", "new_token": "t", "role": "auditor"})
    assert event["details"] == {"role": "auditor"} and '"p"' not in caplog.records[-1].getMessage()
