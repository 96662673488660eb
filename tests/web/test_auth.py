"""Signing in and out: argon2, lockout, inactive accounts, session fixation, language per user."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from archive.accounts import ACCOUNT_MAX_FAILURES, IP_MAX_FAILURES, AccountService
from archive.catalog import User, WebSession
from tests.web.conftest import Web, csrf_of


def _post_login(client, username: str, password: str, **extra):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/login"))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token}, **extra)


def test_password_is_stored_as_argon2id(web: Web) -> None:
    with web.archive.sessions() as session:
        stored = session.scalars(select(User.password_hash).where(User.username == "official-a")).one()
    assert stored.startswith("$argon2id$") and web.passwords["official-a"] not in stored


def test_sign_in_reaches_the_dashboard_and_sign_out_ends_the_server_session(web: Web) -> None:
    client = web.client()
    assert client.get("/").headers["Location"].startswith("/login")
    response = _post_login(client, "official-a", web.passwords["official-a"])
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200 and "Tổng quan" in page.get_data(as_text=True)
    stolen_cookie = client.get_cookie("session").value
    client.post("/logout", data={"csrf_token": csrf_of(page)})
    assert client.get("/").status_code == 302
    with web.archive.sessions() as session:
        assert session.scalar(select(WebSession).limit(1)) is None
    replay = web.client()
    replay.set_cookie("session", stolen_cookie)
    assert replay.get("/").status_code == 302, "a copied cookie must die with sign-out"


def test_wrong_password_says_what_to_do_in_both_languages(web: Web) -> None:
    client = web.client()
    response = _post_login(client, "official-a", "wrong-password")
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.get_data(as_text=True)
    english = _post_login(client, "official-a", "wrong-password", query_string={"lang": "en"})
    assert "Wrong username or password" in english.get_data(as_text=True)
    unknown = _post_login(client, "nobody-here", "wrong-password")
    assert unknown.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in unknown.get_data(as_text=True)


def test_account_is_locked_after_repeated_failures_even_with_the_right_password(web: Web,
                                                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="luutru.security")
    client = web.client()
    for _ in range(ACCOUNT_MAX_FAILURES):
        last = _post_login(client, "archivist-a", "not-the-password")
    assert last.status_code == 429 and "khóa" in last.get_data(as_text=True)
    right = _post_login(client, "archivist-a", web.passwords["archivist-a"])
    assert right.status_code == 429, "a locked account must refuse even the right password"
    assert _post_login(web.client(), "archivist-b", web.passwords["archivist-b"]).status_code == 302
    actions = [r.getMessage() for r in caplog.records]
    assert any('"auth.login_failed"' in a for a in actions) and any('"auth.locked_out"' in a for a in actions)
    AccountService(web.archive).unlock("archivist-a")
    assert _post_login(web.client(), "archivist-a", web.passwords["archivist-a"]).status_code == 302


def test_one_address_trying_many_accounts_is_locked(web: Web) -> None:
    client = web.client()
    for n in range(IP_MAX_FAILURES):
        _post_login(client, f"guess-{n}", "spray-password")
    blocked = _post_login(client, "auditor-a", web.passwords["auditor-a"])
    assert blocked.status_code == 429
    elsewhere = web.client()
    response = _post_login(elsewhere, "auditor-a", web.passwords["auditor-a"],
                           environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 302, "another address is not locked"


def test_inactive_account_is_refused_and_signed_out_everywhere(web: Web) -> None:
    client = web.sign_in("official-b")
    service = AccountService(web.archive)
    account = service.by_username("official-b")
    assert account is not None
    service.update_user(account.id, active=False)
    assert client.get("/").status_code == 302, "deactivation ends the live session"
    response = _post_login(web.client(), "official-b", web.passwords["official-b"])
    assert response.status_code == 403 and "ngừng hoạt động" in response.get_data(as_text=True)


def test_signing_in_issues_a_new_session_id_and_csrf_token(web: Web) -> None:
    client = web.client()
    before_page = client.get("/login")
    csrf_before = csrf_of(before_page)
    planted = "attacker-chosen-session-id"
    with client.session_transaction() as sess:
        sess["sid"] = planted
    _post_login(client, "official-a", web.passwords["official-a"])
    with client.session_transaction() as sess:
        assert sess["sid"] != planted and sess["csrf"] != csrf_before
    with web.archive.sessions() as session:
        assert len(list(session.scalars(select(WebSession)))) == 1


def test_next_parameter_cannot_send_people_to_another_site(web: Web) -> None:
    client = web.client()
    token = csrf_of(client.get("/login"))
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post("/login", data={"username": "official-a", "password": web.passwords["official-a"],
                                               "csrf_token": token, "next": target})
        assert response.headers["Location"] == "/"
        token = csrf_of(client.get("/"))


def test_language_choice_is_kept_per_user(web: Web) -> None:
    client = web.sign_in("official-a")
    page = client.get("/")
    assert '<html lang="vi">' in page.get_data(as_text=True)
    client.post("/language", data={"lang": "en", "csrf_token": csrf_of(page), "next": "/"})
    assert "Dashboard" in client.get("/").get_data(as_text=True)
    other_browser = web.sign_in("official-a")
    assert '<html lang="en">' in other_browser.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in web.sign_in("official-b").get("/").get_data(as_text=True)
    assert '<html lang="vi">' in other_browser.get("/?lang=vi").get_data(as_text=True)
