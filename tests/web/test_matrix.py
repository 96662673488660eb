"""Roles × routes: the exact set of accounts each route lets through, and CSRF on every change.

Every route Flask knows must appear here (a new route without an entry fails the test), so the
matrix cannot silently fall behind the application.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from archive.accounts import AccountService
from archive.batches import BatchService
from archive.catalog import Document
from archive.catalog.codes import Mode
from archive.sharing import SharingService
from tests.web.conftest import Web, csrf_of
from tests.web.records_data import make_record
from tests.web.sharing_data import add_document

PUBLIC = {
    ("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("POST", "/language"), ("GET", "/cataloguing"),
    ("GET", "/api/v1/status"), ("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/cataloguing"),
    ("GET", "/static/<path:filename>"),
}

PRINCIPALS = ("archivist-a", "archivist-b", "official-a", "auditor-a", "admin-a")
EVERYONE = set(PRINCIPALS)
READERS_OF_BATCH_A = {"archivist-a", "auditor-a", "admin-a"}
ALL_BATCH_READERS = {"archivist-a", "archivist-b", "auditor-a", "admin-a"}
AUDITORS = {"auditor-a", "admin-a"}

# (method, rule) -> accounts allowed through (batch routes use a batch of agency A)
MATRIX: dict[tuple[str, str], set[str]] = {
    ("GET", "/"): EVERYONE,
    ("GET", "/batches"): ALL_BATCH_READERS,
    ("GET", "/batches/new"): {"archivist-a", "archivist-b"},
    ("POST", "/batches/new"): {"archivist-a", "archivist-b"},
    ("GET", "/batches/<int:batch_id>"): READERS_OF_BATCH_A,
    ("POST", "/batches/<int:batch_id>/retry"): {"archivist-a"},
    ("GET", "/batches/<int:batch_id>/items/<int:ordinal>/original"): {"archivist-a"},
    ("GET", "/admin"): {"auditor-a", "admin-a"},
    ("GET", "/admin/users"): {"admin-a"},
    ("POST", "/admin/users"): {"admin-a"},
    ("POST", "/admin/users/<int:user_id>"): {"admin-a"},
    ("GET", "/admin/agencies"): {"admin-a"},
    ("POST", "/admin/agencies"): {"admin-a"},
    ("POST", "/admin/agencies/<int:agency_id>"): {"admin-a"},
    ("GET", "/admin/tokens"): {"admin-a"},
    ("POST", "/admin/tokens"): {"admin-a"},
    ("POST", "/admin/tokens/<int:token_id>/revoke"): {"admin-a"},
    ("GET", "/api/v1/me"): EVERYONE,
    ("PATCH", "/api/v1/me"): EVERYONE,
    ("GET", "/api/v1/dashboard"): EVERYONE,
    ("GET", "/api/v1/batches"): ALL_BATCH_READERS,
    ("POST", "/api/v1/batches"): {"archivist-a", "archivist-b"},
    ("GET", "/api/v1/batches/<int:batch_id>"): READERS_OF_BATCH_A,
    ("GET", "/api/v1/batches/<int:batch_id>/items"): READERS_OF_BATCH_A,
    ("POST", "/api/v1/batches/<int:batch_id>/retry"): {"archivist-a"},
    ("GET", "/api/v1/batches/<int:batch_id>/items/<int:ordinal>/original"): {"archivist-a"},
    ("GET", "/api/v1/users"): {"admin-a"},
    ("POST", "/api/v1/users"): {"admin-a"},
    ("PATCH", "/api/v1/users/<int:user_id>"): {"admin-a"},
    ("GET", "/api/v1/agencies"): EVERYONE,
    ("POST", "/api/v1/agencies"): {"admin-a"},
    ("PATCH", "/api/v1/agencies/<int:agency_id>"): {"admin-a"},
    ("GET", "/api/v1/tokens"): {"admin-a"},
    ("POST", "/api/v1/tokens"): {"admin-a"},
    ("DELETE", "/api/v1/tokens/<int:token_id>"): {"admin-a"},
    # search, records, review (a public record of agency A waiting in A's review queue; a record one may
    # not read answers 404 like a missing one, see test_records_web.py)
    ("GET", "/search"): EVERYONE,
    ("GET", "/search/export.<fmt>"): EVERYONE,
    ("POST", "/search/saved"): EVERYONE,
    ("GET", "/records/<int:document_id>"): EVERYONE,
    ("GET", "/records/<int:document_id>/pages/<int:page>.png"): EVERYONE,
    ("GET", "/records/<int:document_id>/download/<kind>"): {"archivist-a", "archivist-b", "official-a"},
    ("GET", "/dossiers/<int:dossier_id>"): EVERYONE,
    ("GET", "/review"): {"archivist-a", "archivist-b"},
    ("GET", "/review/<int:document_id>"): {"archivist-a"},
    ("POST", "/review/<int:document_id>"): {"archivist-a"},
    ("GET", "/api/v1/search"): EVERYONE,
    ("GET", "/api/v1/records/<int:document_id>"): EVERYONE,
    ("GET", "/api/v1/records/<int:document_id>/events"): EVERYONE,
    ("PATCH", "/api/v1/records/<int:document_id>"): {"archivist-a"},
    ("GET", "/api/v1/review"): {"archivist-a", "archivist-b"},
    # controlled sharing: agency A holds the record, official-b (not a principal) is the grantee
    ("GET", "/sharing"): EVERYONE,
    ("POST", "/sharing/requests"): {"official-a"},
    ("POST", "/sharing/requests/<int:request_id>/decide"): {"archivist-a"},
    ("GET", "/sharing/grants/<int:grant_id>"): {"archivist-a", "auditor-a", "admin-a"},
    ("GET", "/sharing/grants/<int:grant_id>/documents/<int:document_id>/download"): set(),
    ("POST", "/sharing/grants/<int:grant_id>/revoke"): {"archivist-a"},
    ("GET", "/s/<token>"): EVERYONE,
    ("GET", "/api/v1/sharing"): EVERYONE,
    ("POST", "/api/v1/sharing/requests"): {"official-a"},
    ("POST", "/api/v1/sharing/requests/<int:request_id>/decision"): {"archivist-a"},
    ("GET", "/api/v1/sharing/grants/<int:grant_id>"): {"archivist-a", "auditor-a", "admin-a"},
    ("GET", "/api/v1/sharing/grants/<int:grant_id>/documents/<int:document_id>/download"): set(),
    ("POST", "/api/v1/sharing/grants/<int:grant_id>/revoke"): {"archivist-a"},
    # auditor reports (every agency's), each page and its CSV (<fmt> is csv here) and PDF download
    ("GET", "/reports"): AUDITORS,
    ("GET", "/reports/fixity"): AUDITORS,
    ("GET", "/reports/fixity.<fmt>"): AUDITORS,
    ("GET", "/reports/failures"): AUDITORS,
    ("GET", "/reports/failures.<fmt>"): AUDITORS,
    ("GET", "/reports/reconciliation"): AUDITORS,
    ("GET", "/reports/reconciliation.<fmt>"): AUDITORS,
    ("GET", "/records/<int:document_id>/custody"): AUDITORS,
    ("GET", "/records/<int:document_id>/custody.<fmt>"): AUDITORS,
}


def _routes(web: Web) -> set[tuple[str, str]]:
    found = set()
    for rule in web.app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:  # type: ignore[operator]
            found.add((method, rule.rule))
    return found


def test_every_route_is_in_the_matrix(web: Web) -> None:
    assert _routes(web) == set(MATRIX) | PUBLIC


@pytest.fixture()
def targets(web: Web, tmp_path: Path) -> dict[str, int]:
    """A batch of agency A (one received item), a spare user, an agency and a token to act on."""
    service = AccountService(web.archive)
    archivist = service.by_username("archivist-a")
    assert archivist is not None
    sample = tmp_path / "van-ban.txt"
    sample.write_text("Công văn mẫu", encoding="utf-8")
    batch_id = BatchService(web.archive).submit([sample], submitted_by=archivist.id)
    spare, _ = service.create_user("spare-user", "official", "000.00.00.A01", password="spare-password-1")
    token, _ = service.create_token("spare-user")
    document_id = make_record(web.archive, "000.00.00.A01", Mode.PUBLIC, ["Quyết định mẫu"], number="7",
                              subject="Về việc thử", review=True, dossier="F-A.01", ordinal=1)
    with web.archive.sessions() as session:
        dossier_id = session.get(Document, document_id).dossier_id  # type: ignore[union-attr]
    # A conditional record of agency A shared with official-b (not a principal here), and a pending request.
    shared_id, _ = add_document(web.archive)
    official_b, archivist_a = service.by_username("official-b"), service.by_username("archivist-a")
    assert official_b is not None and archivist_a is not None
    sharing = SharingService(web.archive)
    granted = sharing.decide(archivist_a, sharing.request_access(official_b, document_id=shared_id, purpose="02",
                                                                 reason="Thanh tra"),
                             decision="approve", allow_download=True)
    pending = sharing.request_access(official_b, document_id=add_document(web.archive)[0], purpose="01", reason="x")
    return {"batch_id": batch_id, "ordinal": 1, "user_id": spare.id, "agency_id": service.agencies()[0].id,
            "token_id": token.id, "document_id": document_id, "dossier_id": dossier_id, "page": 1,
            "grant_id": granted.grant_id or 0, "request_id": pending}


def _call(client: FlaskClient, method: str, rule: str, ids: dict[str, int], csrf: str | None):  # type: ignore[no-untyped-def]
    path = rule
    for name, value in ids.items():
        path = path.replace(f"<int:{name}>", str(value))
    path = path.replace("<fmt>", "csv").replace("<kind>", "original")
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    body = ({"language": "vi"} if rule == "/api/v1/me" else {"changes": {"keyword": "thử"}} if "/records/" in rule
            else {"active": True}) if method == "PATCH" else {}
    if method in ("POST", "PATCH", "DELETE") and rule.startswith("/api/"):
        return client.open(path, method=method, json=body, headers=headers)
    if method == "POST" and "/admin/users/" in rule:
        return client.post(path, data={"active": "on", "role": "official"}, headers=headers)
    return client.open(path, method=method, headers=headers)


def test_roles_by_routes_exact_allowed_sets(web: Web, targets: dict[str, int]) -> None:
    clients = {name: web.sign_in(name) for name in PRINCIPALS}
    tokens = {name: csrf_of(client.get("/")) for name, client in clients.items()}
    anonymous = web.client()
    anonymous_csrf = csrf_of(anonymous.get("/login"))
    problems = []
    for (method, rule), allowed in sorted(MATRIX.items(), key=lambda kv: (kv[0][0] == "DELETE", kv[0][1])):
        got = set()
        for name in PRINCIPALS:
            response = _call(clients[name], method, rule, targets, tokens[name])
            assert response.status_code < 500, (method, rule, name, response.get_data(as_text=True)[:300])
            if response.status_code not in (401, 403):
                got.add(name)
            elif rule.startswith("/api/"):
                assert response.json["error"]["code"] in ("forbidden", "not_signed_in")
        if got != allowed:
            problems.append(f"{method} {rule}: allowed {sorted(got)}, expected {sorted(allowed)}")
        response = _call(anonymous, method, rule, targets, anonymous_csrf)
        if rule.startswith("/api/"):
            assert response.status_code == 401, (method, rule)
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], (method, rule)
    assert not problems, "\n".join(problems)


def test_every_state_changing_route_refuses_a_missing_or_wrong_csrf_token(web: Web, targets: dict[str, int]) -> None:
    unsafe = sorted((m, r) for m, r in _routes(web) if m in ("POST", "PUT", "PATCH", "DELETE"))
    assert {("POST", "/login"), ("POST", "/logout"), ("POST", "/language")} <= set(unsafe)
    assert len(unsafe) == len([k for k in MATRIX if k[0] != "GET"]) + 3
    admin, archivist = web.sign_in("admin-a"), web.sign_in("archivist-a")
    for method, rule in unsafe:
        for client in (admin, archivist, web.client()):
            for csrf in (None, "forged-token"):
                response = _call(client, method, rule, targets, csrf)
                assert response.status_code == 400, (method, rule, csrf, response.status_code)
                text = response.get_data(as_text=True)
                assert "mã chống giả mạo" in text or "anti-forgery" in text or response.json["error"]["code"] == "csrf"
    # the refused requests changed nothing
    assert AccountService(web.archive).get(targets["user_id"]).active  # type: ignore[union-attr]
    assert not AccountService(web.archive).tokens()[0].revoked


def test_a_token_authenticated_call_needs_no_csrf_token(web: Web, targets: dict[str, int]) -> None:
    token = web.token("admin-a")
    response = web.client().patch(f"/api/v1/users/{targets['user_id']}", json={"full_name": "Người Dự Phòng"},
                                  headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json["full_name"] == "Người Dự Phòng"


RECORD_ROUTES = ("/records/{id}", "/records/{id}/pages/1.png", "/api/v1/records/{id}", "/api/v1/records/{id}/events")
# Who reads a record of agency A, by access level (TT 05 mode): public → everyone signed in; conditional →
# agency A and those who read everything; secret → only the explicitly granted and those who read everything.
READERS = {Mode.PUBLIC: EVERYONE, Mode.RESTRICTED: {"archivist-a", "official-a", "auditor-a", "admin-a"},
           Mode.SECRET: {"auditor-a", "admin-a"}}
DOWNLOADERS = {"archivist-a", "archivist-b", "official-a"}   # record.download, then the reading rule


@pytest.mark.parametrize("mode", list(READERS), ids=lambda m: m.value)
def test_record_routes_by_role_and_access_level(web: Web, mode: Mode) -> None:
    """Every record route × every role × every access level: exactly the allowed set reads, and the rest get
    the same 404 as a record that does not exist (its existence is not revealed)."""
    document_id = make_record(web.archive, "000.00.00.A01", mode, ["Quyết định mẫu"], number="9",
                              subject="Về việc thử mức truy cập")
    problems = []
    for name in PRINCIPALS:
        client = web.sign_in(name)
        missing = client.get("/records/999999")
        for route in (*RECORD_ROUTES, "/records/{id}/download/original"):
            response = client.get(route.format(id=document_id))
            allowed = READERS[mode] & (DOWNLOADERS if "download" in route else EVERYONE)
            if name in allowed:
                if response.status_code != 200:
                    problems.append(f"{name} {route} {mode.value}: {response.status_code}, expected 200")
            elif "download" in route and name not in DOWNLOADERS:
                if response.status_code != 403:
                    problems.append(f"{name} {route} {mode.value}: {response.status_code}, expected 403")
            elif response.status_code != 404 or (route == "/records/{id}" and response.get_data(as_text=True).replace(
                    f"/records/{document_id}", "/records/999999") != missing.get_data(as_text=True)):
                problems.append(f"{name} {route} {mode.value}: {response.status_code}, expected the missing-record 404")
    assert not problems, "\n".join(problems)
