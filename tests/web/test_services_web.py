"""The web app on the services profile (PostgreSQL, MinIO, Elasticsearch, Redis): the same pages and rules."""

from __future__ import annotations

import io

from archive.catalog.db import upgrade
from archive.config import load_settings
from archive.factory import create_archive
from archive.web import create_web_app
from tests.web.conftest import Web, csrf_of, populate


def test_sign_in_upload_dashboard_and_lockout_on_postgresql(services_env: dict[str, str]) -> None:
    archive = create_archive(load_settings(services_env))
    upgrade(archive.engine, "head")
    archive.store.ensure()
    archive.index.ensure()
    web = Web(archive, create_web_app(archive), populate(archive))
    client = web.sign_in("archivist-a")
    csrf = csrf_of(client.get("/batches/new"))
    response = client.post("/api/v1/batches", headers={"X-CSRF-Token": csrf}, content_type="multipart/form-data",
                           data={"files": [(io.BytesIO("Công văn".encode()), "Hồ sơ/cong-van.txt")], "fonds": "F-A"})
    assert response.status_code == 201
    batch = client.get(f"/api/v1/batches/{response.json['id']}").json
    assert batch["total"] == 1
    assert web.sign_in("archivist-b").get(f"/batches/{response.json['id']}").status_code == 403
    board = client.get("/api/v1/dashboard").json
    assert board["in_progress"][0]["id"] == response.json["id"] and board["review_queue"] == 0
    cataloguing = web.client().get("/api/v1/cataloguing").json["items"]
    assert {row["fonds_code"] for row in cataloguing} >= {"F-A", "F-B"}
    anonymous = web.client()
    for _ in range(5):
        last = anonymous.post("/login", data={"username": "official-a", "password": "sai-mat-khau",
                                              "csrf_token": csrf_of(anonymous.get("/login"))})
    assert last.status_code == 429
    archive.engine.dispose()
