"""The API: token authentication, error objects, pagination, the OpenAPI document covers every route."""

from __future__ import annotations

from sqlalchemy import select

from archive.accounts import IP_MAX_FAILURES
from archive.catalog import ApiToken
from archive.web.openapi import openapi_document
from tests.web.conftest import Web


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_authenticates_and_is_stored_hashed(web: Web) -> None:
    token = web.token("official-a")
    response = web.client().get("/api/v1/me", headers=_bearer(token))
    assert response.status_code == 200 and response.json["username"] == "official-a"
    with web.archive.sessions() as session:
        stored = session.scalars(select(ApiToken)).one()
        assert stored.token_sha256 != token and token not in (stored.prefix, stored.token_sha256)
        assert stored.last_used_at is not None


def test_revoked_token_and_inactive_owner_are_refused(web: Web) -> None:
    admin = web.token("admin-a")
    client = web.client()
    created = client.post("/api/v1/tokens", json={"username": "official-a", "name": "robot"}, headers=_bearer(admin))
    assert created.status_code == 201
    token = created.json["token"]
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    listed = client.get("/api/v1/tokens", headers=_bearer(admin)).json
    assert all("token" not in item for item in listed["items"])
    assert client.delete(f"/api/v1/tokens/{created.json['id']}", headers=_bearer(admin)).json["revoked"] is True
    refused = client.get("/api/v1/me", headers=_bearer(token))
    assert refused.status_code == 401 and refused.json["error"]["code"] == "bad_token"
    other = web.token("official-b")
    user_id = client.get("/api/v1/me", headers=_bearer(other)).json["id"]
    assert client.patch(f"/api/v1/users/{user_id}", json={"active": False}, headers=_bearer(admin)).status_code == 200
    assert client.get("/api/v1/me", headers=_bearer(other)).status_code == 401


def test_a_user_changes_their_own_language(web: Web) -> None:
    client = web.client()
    token = _bearer(web.token("official-a"))
    assert client.patch("/api/v1/me", json={"language": "en"}, headers=token).json["language"] == "en"
    assert client.patch("/api/v1/me", json={"language": "fr"}, headers=token).status_code == 400
    assert '<html lang="en">' in web.sign_in("official-a").get("/").get_data(as_text=True)


def test_guessing_tokens_locks_the_address(web: Web) -> None:
    client = web.client()
    for n in range(IP_MAX_FAILURES):
        assert client.get("/api/v1/me", headers=_bearer(f"ltk_guess{n}")).status_code == 401
    good = web.token("official-a")
    locked = client.get("/api/v1/me", headers=_bearer(good))
    assert locked.status_code == 429 and locked.json["error"]["code"] == "locked"


def test_error_objects_are_consistent_and_bilingual(web: Web) -> None:
    client = web.client()
    admin = _bearer(web.token("admin-a"))
    for response in (client.get("/api/v1/me"), client.get("/api/v1/batches/999", headers=admin),
                     client.get("/api/v1/users?per_page=1000", headers=admin),
                     client.post("/api/v1/agencies", json={"organ_id": "G09", "name": "X"}, headers=admin),
                     client.post("/api/v1/users", json=["not", "an", "object"], headers=admin),
                     client.get("/api/v1/batches/99999999999999999999999", headers=admin)):
        error = response.json["error"]
        assert set(error) == {"status", "code", "message", "message_vi", "message_en"}
        assert error["status"] == response.status_code and 400 <= response.status_code < 500
        assert error["message_vi"] != error["message_en"]
    bad_agency = client.post("/api/v1/agencies", json={"organ_id": "G09", "name": "X"}, headers=admin).json["error"]
    assert bad_agency["code"] == "invalid_agency_code" and "000.00.00.G09" in bad_agency["message_en"]


def test_agencies_and_users_through_the_api_with_pagination(web: Web) -> None:
    client = web.client()
    admin = _bearer(web.token("admin-a"))
    made = client.post("/api/v1/agencies", json={"organ_id": "000.00.00.g09", "name": "Bộ Nội vụ"}, headers=admin)
    assert made.status_code == 201 and made.json["organ_id"] == "000.00.00.G09"
    assert client.post("/api/v1/agencies", json={"organ_id": "000.00.00.G09", "name": "Lặp"},
                       headers=admin).status_code == 409
    user = client.post("/api/v1/users", json={"username": "can-bo.moi", "role": "archivist",
                                              "agency": "000.00.00.G09"}, headers=admin)
    assert user.status_code == 201 and len(user.json["initial_password"]) >= 12
    page1 = client.get("/api/v1/users?per_page=4&page=1", headers=admin).json
    page3 = client.get("/api/v1/users?per_page=4&page=3", headers=admin).json
    assert page1["total"] == 9 and len(page1["items"]) == 4 and len(page3["items"]) == 1
    assert all("password" not in str(item) for item in page1["items"])
    changed = client.patch(f"/api/v1/users/{user.json['id']}", json={"role": "auditor"}, headers=admin)
    assert changed.json["role"] == "auditor"


def test_openapi_document_covers_every_api_route(web: Web) -> None:
    served = web.client().get("/api/v1/openapi.json").json
    assert served == openapi_document() and served["openapi"].startswith("3.")
    documented = {(method.upper(), path) for path, ops in served["paths"].items() for method in ops}
    routes = set()
    for rule in web.app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = rule.rule.replace("<int:", "{").replace(">", "}")
            routes |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}  # type: ignore[operator]
    assert documented == routes
