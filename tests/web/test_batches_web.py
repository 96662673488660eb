"""Uploading a batch through the web, watching it, the quarantine and its downloads, retry."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from archive.catalog import AuditEntry
from archive.integrity.fixity import select_bitstreams, verify_selection
from archive.web import create_web_app
from archive.web.uploads import safe_relative
from archive.work import LocalWorker
from tests.pipeline.badfiles import EICAR
from tests.web.conftest import CORPUS, Web, build_archive, csrf_of, populate


@pytest.fixture()
def web_clamd(tmp_path: Path, clamd_address: str) -> Web:
    archive = build_archive(tmp_path, {"LUUTRU_CLAMD": clamd_address})
    return Web(archive, create_web_app(archive), populate(archive))


def _work(web: Web, batch_id: int) -> None:
    LocalWorker(web.archive, threads=2).run(until_batch_done=batch_id, poll_seconds=0.1)


def test_upload_watch_quarantine_download_and_retry(web_clamd: Web, tmp_path: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="luutru.security")
    web = web_clamd
    client = web.sign_in("archivist-a")
    csrf = csrf_of(client.get("/batches/new"))
    pdf = (CORPUS / "vn003.pdf").read_bytes()
    response = client.post("/batches/new", content_type="multipart/form-data", data={
        "csrf_token": csrf, "name": "Lô thử web", "fonds": "F-A",
        "files": [(io.BytesIO(pdf), "Hồ sơ 01/vn003.pdf"), (io.BytesIO(EICAR), "eicar.com"),
                  (io.BytesIO(b"plain words"), "Hồ sơ 01/../../../../tmp/thoat-ra.txt")]})
    assert response.status_code == 302, response.get_data(as_text=True)
    batch_url = response.headers["Location"]
    batch_id = int(batch_url.rsplit("/", 1)[1])
    assert not Path("/tmp/thoat-ra.txt").exists()

    page = client.get(batch_url).get_data(as_text=True)
    assert "Lô thử web" in page and "Trang tự cập nhật" in page
    _work(web, batch_id)
    status = client.get(f"/api/v1/batches/{batch_id}").json
    assert status["status"] == "completed_with_errors" and status["done"] == status["total"] == 3
    items = {i["name"]: i for i in client.get(f"/api/v1/batches/{batch_id}/items").json["items"]}
    assert set(items) == {"Hồ sơ 01/vn003.pdf", "Hồ sơ 01/tmp/thoat-ra.txt", "eicar.com"}, items.keys()
    assert items["Hồ sơ 01/vn003.pdf"]["state"] == "archived"
    quarantined = items["eicar.com"]
    assert quarantined["state"] == "quarantined" and quarantined["downloadable"]
    assert quarantined["message_vi"] and quarantined["message_en"]

    finished = client.get(batch_url).get_data(as_text=True)
    assert "Khu cách ly" in finished and "Tải bản gốc" in finished and quarantined["message_vi"] in finished
    english = client.get(batch_url + "?lang=en").get_data(as_text=True)
    assert quarantined["message_en"] in english and "Download original" in english

    original = f"/batches/{batch_id}/items/{quarantined['ordinal']}/original"
    download = client.get(original)
    assert download.status_code == 200 and download.data == EICAR
    assert "attachment" in download.headers["Content-Disposition"]
    for other in ("archivist-b", "official-a", "auditor-a", "admin-a"):
        assert web.sign_in(other).get(original).status_code == 403, other
    archived = f"/batches/{batch_id}/items/{items['Hồ sơ 01/vn003.pdf']['ordinal']}/original"
    assert client.get(archived).status_code == 409

    retried = client.post(f"/batches/{batch_id}/retry", data={"csrf_token": csrf, "item": quarantined["ordinal"]})
    assert retried.status_code == 302
    _work(web, batch_id)
    again = {i["name"]: i for i in client.get(f"/api/v1/batches/{batch_id}/items").json["items"]}
    assert again["eicar.com"]["state"] == "quarantined" and again["Hồ sơ 01/vn003.pdf"]["state"] == "archived"

    # Each of these is an entry of the tamper-evident audit log, naming who did it.
    with web.archive.sessions() as session:
        audited = {(e.action, e.actor) for e in session.scalars(select(AuditEntry))}
    for action in ("ingest.submit", "quarantine.download", "batch.retry", "auth.login"):
        assert (action, "archivist-a") in audited, (action, audited)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert '"quarantine.download"' in logged   # and the operators' security log has it too

    with web.archive.sessions() as session:
        stored = list(session.scalars(select_bitstreams()))
    assert {r.status for r in verify_selection(web.archive, stored)} == {"ok"}   # a fixity pass over everything
    dashboard = client.get("/api/v1/dashboard").json
    assert dashboard["documents"] == 2 and dashboard["items_failed"] == 1 and dashboard["storage_bytes"] > len(pdf)
    assert dashboard["fixity"] == {"copies": len(stored), "ok": len(stored), "damaged": 0, "missing": 0,
                                   "unknown": 0, "verified_in_cycle": len(stored)}
    assert {"agency": "Cơ quan A", "documents": 2} in dashboard["by_agency"]
    cataloguing = web.client().get("/cataloguing").get_data(as_text=True)
    assert "Tình hình chỉnh lý" in cataloguing and "Phông A" in cataloguing
    rows = {r["fonds_code"]: r for r in web.client().get("/api/v1/cataloguing").json["items"]}
    assert rows["F-A"]["catalogued"] == 2 and rows["F-A"]["agency_code"] == "000.00.00.A01"
    assert rows["F-A"]["trend"] == [0, 0, 0, 0, 0, 2]   # both archived this month
    assert "▁▁▁▁▁█" in cataloguing
    assert rows["F-B"]["catalogued"] == 0


@pytest.mark.parametrize("path", [
    "/batches/1/items/..%2F..%2Fetc%2Fpasswd/original",
    "/batches/1/items/1/original/../../../../etc/passwd",
    "/batches/1/items/%2e%2e/original",
    "/api/v1/batches/1/items/..%2Fsecret.key/original",
    "/static/../secret.key",
    "/static/%2e%2e/%2e%2e/data/secret.key",
])
def test_path_traversal_on_downloads_finds_nothing(web: Web, path: str) -> None:
    client = web.sign_in("archivist-a")
    response = client.get(path)
    assert response.status_code in (404, 400), (path, response.status_code)
    assert web.archive.secret_key.encode() not in response.data


def test_uploaded_names_are_cleaned() -> None:
    assert safe_relative("../../etc/passwd") == Path("etc/passwd")
    assert safe_relative("/abs/Hồ sơ/a.pdf") == Path("abs/Hồ sơ/a.pdf")
    assert safe_relative("a\\..\\..\\b.pdf") == Path("a/b.pdf")
    assert safe_relative("x\x00y/\x1fz.pdf") == Path("xy/z.pdf")
    assert safe_relative("../..") is None and safe_relative("") is None


def test_upload_errors_say_what_to_do(web: Web) -> None:
    client = web.sign_in("archivist-a")
    csrf = csrf_of(client.get("/batches/new"))
    empty = client.post("/batches/new", data={"csrf_token": csrf}, content_type="multipart/form-data")
    assert empty.status_code == 400 and "Chưa chọn tệp nào" in empty.get_data(as_text=True)
    bad_catalogue = client.post("/api/v1/batches", headers={"X-CSRF-Token": csrf}, content_type="multipart/form-data",
                                data={"files": [(io.BytesIO(b"x"), "a.txt")],
                                      "catalogue": (io.BytesIO(b"x"), "bang-ke.doc")})
    assert bad_catalogue.status_code == 400 and bad_catalogue.json["error"]["code"] == "bad_catalogue_type"
    assert "CSV" in bad_catalogue.json["error"]["message_en"]
    foreign = client.post("/api/v1/batches", headers={"X-CSRF-Token": csrf}, content_type="multipart/form-data",
                          data={"files": [(io.BytesIO(b"x"), "a.txt")], "fonds": "F-B"})
    assert foreign.status_code == 403 and foreign.json["error"]["code"] == "foreign_fonds"
    unknown = client.post("/api/v1/batches", headers={"X-CSRF-Token": csrf}, content_type="multipart/form-data",
                          data={"files": [(io.BytesIO(b"x"), "a.txt")], "fonds": "KHONG-CO"})
    assert unknown.status_code == 400 and "KHONG-CO" in unknown.json["error"]["message_vi"]
