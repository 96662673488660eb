"""Controlled sharing end to end through the pages: request, approve, open, search, stamped download, revoke.

Agency A holds a conditional record; official-b (agency B) asks for it, archivist-a decides. Every
step must be in the tamper-evident audit log, and a grant that ended must be refused with a page
that says what happened.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from pathlib import Path

import pypdfium2
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from archive.access import can_read
from archive.audit.log import verify_chain
from archive.accounts import AccountService
from archive.catalog import (
    AccessGrant,
    AccessRequest,
    AuditEntry,
    Document,
    Dossier,
    Fonds,
    GrantDownload,
    ShareLink,
    utc_now,
)
from archive.config import ConfigError, load_settings
from archive.search_service import SearchService
from archive.web import create_web_app
from archive.sharing import SharingService
from tests.web.conftest import Web, build_archive, csrf_of, populate
from tests.web.sharing_data import WORD, add_document


def _post(client: FlaskClient, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": csrf_of(client.get("/sharing"))})


def _request(client: FlaskClient, document_id: int, purpose: str = "02", reason: str = "Phục vụ thanh tra") -> int:
    response = _post(client, "/sharing/requests", {"document_id": str(document_id), "purpose": purpose,
                                                   "reason": reason})
    assert response.status_code == 200, response.get_data(as_text=True)
    found = re.search(r"(?:Đã gửi yêu cầu số|Request) (\d+)", response.get_data(as_text=True))
    assert found
    return int(found.group(1))


def _approve(client: FlaskClient, request_id: int, **extra: str) -> str:
    response = _post(client, f"/sharing/requests/{request_id}/decide", {"decision": "approve", **extra})
    assert response.status_code == 200, response.get_data(as_text=True)
    link = re.search(r'<code id="share-link">([^<]+)</code>', response.get_data(as_text=True))
    assert link
    return link.group(1).replace("http://localhost", "")


def _actions(web: Web) -> list[tuple[str, str, str | None]]:
    with web.archive.sessions() as session:
        return [(e.action, e.actor, e.object) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))
                if e.action.startswith("sharing.")]


def _search_ids(web: Web, username: str) -> set[int]:
    service = SearchService(web.archive)
    result = service.search(service.caller(username), service.request(WORD))
    return {int(hit.doc_id) for hit in result.hits}


def test_request_approve_open_search_download_revoke(web: Web) -> None:
    document_id, stored_sha = add_document(web.archive)
    official, archivist = web.sign_in("official-b"), web.sign_in("archivist-a")
    assert document_id not in _search_ids(web, "official-b")
    assert 'id="sharing-pending"' not in archivist.get("/").get_data(as_text=True)

    request_id = _request(official, document_id)
    home = archivist.get("/").get_data(as_text=True)
    assert re.search(r'id="sharing-pending">1<', home), "the archivist's navigation shows the waiting request"
    received = archivist.get("/sharing").get_data(as_text=True)
    assert f'id="received-{request_id}"' in received and "Phục vụ thanh tra" in received
    assert 'id="sharing-pending"' not in web.sign_in("archivist-b").get("/").get_data(as_text=True)

    link = _approve(archivist, request_id, allow_download="on")  # the default period: 15 days (TT 05)
    token = link.rsplit("/", 1)[1]
    with web.archive.sessions() as session:
        grant = session.scalars(select(AccessGrant)).one()
        assert grant.grantee_user.username == "official-b" and grant.allow_download
        assert timedelta(days=14, hours=23) < grant.expires_at - utc_now() <= timedelta(days=15)
        stored = session.scalars(select(ShareLink)).one()
        assert stored.token_sha256 == hashlib.sha256(token.encode()).hexdigest() and token not in stored.token_sha256
        assert can_read(SearchService(web.archive).caller("official-b"), session.get(Document, document_id))
    assert len(token) >= 40
    assert document_id in _search_ids(web, "official-b"), "search finds the shared record for the grantee"
    assert document_id not in _search_ids(web, "archivist-b"), "the grant is to one person, not their agency"

    opened = official.get(link)
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/sharing/grants/{grant.id}")
    page = official.get(opened.headers["Location"])
    assert page.status_code == 200 and WORD in page.get_data(as_text=True)

    download = official.get(f"/sharing/grants/{grant.id}/documents/{document_id}/download")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    pdf = pypdfium2.PdfDocument(download.data)
    texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    assert len(texts) == 2
    for number, text in enumerate(texts, start=1):
        flat = " ".join(text.split())
        assert "Official B" in flat or "official-b" in flat, flat
        assert "Cơ quan B" in flat and "Cơ quan A" in flat and "UTC" in flat
        assert f"Trang {number}" in flat, "the page's own text is still there"
        assert ("BẢN SAO" in flat) == (number == 1)
    with web.archive.sessions() as session:
        assert session.scalar(select(GrantDownload.grant_id)) == grant.id
        bitstream_key = session.get(Document, document_id).representations[0].bitstreams[0].storage_key  # type: ignore[union-attr]
    assert hashlib.sha256(b"".join(web.archive.store.get(bitstream_key))).hexdigest() == stored_sha, \
        "the archive's file is never modified"
    assert "<td>1</td>" in official.get("/sharing").get_data(as_text=True)  # download counter on the grant

    revoked = _post(archivist, f"/sharing/grants/{grant.id}/revoke", {"reason": "Hết nhu cầu"})
    assert revoked.status_code == 200
    for path in (link, f"/sharing/grants/{grant.id}", f"/sharing/grants/{grant.id}/documents/{document_id}/download"):
        refused = official.get(path)
        text = refused.get_data(as_text=True)
        assert refused.status_code == 410, path
        assert "đã bị cơ quan lưu giữ thu hồi" in text and 'data-code="grant_revoked"' in text and "yêu cầu mới" in text
    english = official.get(f"/sharing/grants/{grant.id}?lang=en").get_data(as_text=True)
    assert "was revoked by the holding agency" in english and "send a new request" in english
    assert document_id not in _search_ids(web, "official-b")

    actions = _actions(web)
    assert [a for a, _, _ in actions] == ["sharing.requested", "sharing.approved", "sharing.viewed",
                                          "sharing.downloaded", "sharing.revoked"] + ["sharing.access_refused"] * 4
    assert ("sharing.approved", "archivist-a", f"access_request:{request_id}") in actions
    assert ("sharing.revoked", "archivist-a", f"access_grant:{grant.id}") in actions
    with web.archive.sessions() as session:
        assert verify_chain(session).ok, "the audit entries extend the tamper-evident chain"


def test_an_expired_grant_is_refused(web: Web) -> None:
    document_id, _ = add_document(web.archive)
    official, archivist = web.sign_in("official-b"), web.sign_in("archivist-a")
    link = _approve(archivist, _request(official, document_id), days="1")
    with web.archive.sessions.begin() as session:
        session.execute(update(AccessGrant).values(expires_at=utc_now() - timedelta(minutes=1)))
    refused = official.get(link)
    assert refused.status_code == 410 and "đã hết hạn" in refused.get_data(as_text=True)
    assert 'data-code="grant_expired"' in refused.get_data(as_text=True)
    assert document_id not in _search_ids(web, "official-b")


def test_another_official_cannot_use_someone_elses_link(web: Web) -> None:
    document_id, _ = add_document(web.archive)
    AccountService(web.archive).create_user("official-b2", "official", "000.00.00.B02", password="other-official-1")
    web.passwords["official-b2"] = "other-official-1"
    official, archivist = web.sign_in("official-b"), web.sign_in("archivist-a")
    link = _approve(archivist, _request(official, document_id), allow_download="on")
    grant_id = int(official.get(link).headers["Location"].rsplit("/", 1)[1])
    for other in ("official-b2", "official-a"):
        client = web.sign_in(other)
        response = client.get(link)
        assert response.status_code == 403 and 'data-code="link_not_yours"' in response.get_data(as_text=True)
        assert client.get(f"/sharing/grants/{grant_id}").status_code == 403
        assert client.get(f"/sharing/grants/{grant_id}/documents/{document_id}/download").status_code == 403
    assert web.sign_in("official-b").get("/s/not-a-real-token").status_code == 404
    assert ("sharing.link_refused", "official-b2", f"access_grant:{grant_id}") in _actions(web)


def test_refusing_needs_a_reason_and_the_requester_sees_it(web: Web) -> None:
    document_id, _ = add_document(web.archive)
    official, archivist = web.sign_in("official-b"), web.sign_in("archivist-a")
    request_id = _request(official, document_id, purpose="01", reason="Nghiên cứu cá nhân")
    missing = _post(archivist, f"/sharing/requests/{request_id}/decide", {"decision": "refuse"})
    assert missing.status_code == 400 and "Hãy ghi lý do" in missing.get_data(as_text=True)
    refused = _post(archivist, f"/sharing/requests/{request_id}/decide",
                    {"decision": "refuse", "reason": "Tài liệu đang chỉnh lý"})
    assert refused.status_code == 200
    page = official.get("/sharing").get_data(as_text=True)
    assert "Tài liệu đang chỉnh lý" in page and "Đã từ chối" in page
    again = _post(archivist, f"/sharing/requests/{request_id}/decide", {"decision": "approve"})
    assert again.status_code == 409
    with web.archive.sessions() as session:
        row = session.get(AccessRequest, request_id)
        assert row is not None and row.status == "refused" and row.grant_id is None
        assert not session.scalars(select(AccessGrant)).all()
    assert ("sharing.refused", "archivist-a", f"access_request:{request_id}") in _actions(web)


def test_request_rules_and_statistics(web: Web) -> None:
    document_id, _ = add_document(web.archive)
    own = _post(web.sign_in("official-a"), "/sharing/requests",
                {"document_id": str(document_id), "purpose": "02", "reason": "x"})
    assert own.status_code == 409 and "chính cơ quan bạn" in own.get_data(as_text=True)
    official = web.sign_in("official-b")
    bad = _post(official, "/sharing/requests", {"document_id": str(document_id), "purpose": "09", "reason": "x"})
    assert bad.status_code == 400 and "Mục đích phải là 01" in bad.get_data(as_text=True)
    no_reason = _post(official, "/sharing/requests", {"document_id": str(document_id), "purpose": "02", "reason": " "})
    assert no_reason.status_code == 400
    first = _request(official, document_id, purpose="03")
    dup = _post(official, "/sharing/requests", {"document_id": str(document_id), "purpose": "02", "reason": "y"})
    assert dup.status_code == 409
    archivist = web.sign_in("archivist-a")
    _approve(archivist, first)
    second = _request(official, document_id, purpose="02")
    with web.archive.sessions.begin() as session:  # answered two hours after it was sent
        session.execute(update(AccessRequest).where(AccessRequest.id == first)
                        .values(created_at=utc_now() - timedelta(hours=2)))
    auditor = AccountService(web.archive).by_username("auditor-a")
    assert auditor is not None
    stats = SharingService(web.archive).overview(auditor).stats
    assert stats is not None and (stats.total, stats.pending, stats.approved, stats.refused) == (2, 1, 1, 0)
    assert stats.median_response_hours is not None and 1.9 <= stats.median_response_hours <= 2.1
    assert stats.by_agency == {"Cơ quan A": 2} and stats.by_requesting_agency == {"Cơ quan B": 2}
    assert stats.by_purpose == {"02": 1, "03": 1}
    page = archivist.get("/sharing").get_data(as_text=True)
    assert f'id="received-{second}"' in page and "Công vụ đặc biệt" in page


def test_the_same_flow_through_the_api(web: Web) -> None:
    document_id, _ = add_document(web.archive)
    client = web.client()
    official = {"Authorization": f"Bearer {web.token('official-b')}"}
    archivist = {"Authorization": f"Bearer {web.token('archivist-a')}"}
    made = client.post("/api/v1/sharing/requests", json={"document_id": document_id, "purpose": "02",
                                                         "reason": "Đối chiếu số liệu"}, headers=official)
    assert made.status_code == 201
    bad = client.post(f"/api/v1/sharing/requests/{made.json['id']}/decision", json={"decision": "maybe"},
                      headers=archivist)
    assert bad.status_code == 400 and bad.json["error"]["code"] == "decision_required"
    decided = client.post(f"/api/v1/sharing/requests/{made.json['id']}/decision",
                          json={"decision": "approve", "days": 3, "allow_download": True}, headers=archivist)
    assert decided.status_code == 200 and decided.json["status"] == "approved" and decided.json["link_token"]
    grant_id = decided.json["grant_id"]
    shared = client.get(f"/api/v1/sharing/grants/{grant_id}", headers=official)
    assert shared.status_code == 200 and shared.json["grant"]["state"] == "active"
    assert shared.json["documents"][0]["id"] == document_id
    copy = client.get(f"/api/v1/sharing/grants/{grant_id}/documents/{document_id}/download", headers=official)
    assert copy.status_code == 200 and copy.data.startswith(b"%PDF")
    overview = client.get("/api/v1/sharing", headers=archivist).json
    assert overview["stats"]["approved"] == 1 and overview["received"][0]["grant"]["downloads"] == 1
    assert client.post(f"/api/v1/sharing/grants/{grant_id}/revoke", json={}, headers=archivist).status_code == 200
    gone = client.get(f"/api/v1/sharing/grants/{grant_id}", headers={**official, "Accept-Language": "en"})
    assert gone.status_code == 410 and gone.json["error"]["code"] == "grant_revoked"
    assert "revoked" in gone.json["error"]["message_en"] and "thu hồi" in gone.json["error"]["message_vi"]


def test_a_dossier_grant_opens_its_documents_only(web: Web) -> None:
    inside, _ = add_document(web.archive)
    outside, _ = add_document(web.archive)
    with web.archive.sessions.begin() as session:
        fonds = session.scalars(select(Fonds).where(Fonds.code == "F-A")).one()
        dossier = Dossier(fonds=fonds, file_code="000.00.00.A01.2024.07", title="Hồ sơ thanh tra ngân sách")
        session.add(dossier)
        session.flush()
        session.get(Document, inside).dossier_id = dossier.id  # type: ignore[union-attr]
        dossier_id = dossier.id
    SearchService(web.archive).reindex()
    official, archivist = web.sign_in("official-b"), web.sign_in("archivist-a")
    response = _post(official, "/sharing/requests", {"dossier_id": str(dossier_id), "purpose": "03", "reason": "Kiểm toán"})
    request_id = int(re.search(r"Đã gửi yêu cầu số (\d+)", response.get_data(as_text=True)).group(1))  # type: ignore[union-attr]
    link = _approve(archivist, request_id, allow_download="on")
    page = official.get(official.get(link).headers["Location"]).get_data(as_text=True)
    assert "Hồ sơ thanh tra ngân sách" in page
    assert _search_ids(web, "official-b") == {inside}
    grant_id = int(official.get(link).headers["Location"].rsplit("/", 1)[1])
    assert official.get(f"/sharing/grants/{grant_id}/documents/{inside}/download").status_code == 200
    assert official.get(f"/sharing/grants/{grant_id}/documents/{outside}/download").status_code == 404


def test_the_sharing_period_is_a_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="LUUTRU_SHARE_DAYS"):
        load_settings({"LUUTRU_DATA_DIR": str(tmp_path), "LUUTRU_SHARE_DAYS": "0"})
    archive = build_archive(tmp_path, {"LUUTRU_SHARE_DAYS": "3"})
    try:
        web = Web(archive, create_web_app(archive), populate(archive))
        document_id, _ = add_document(archive)
        official, archivist = web.sign_in("official-b"), web.sign_in("archivist-a")
        request_id = _request(official, document_id)
        assert 'name="days" type="number" min="1" max="365" value="3"' in archivist.get("/sharing").get_data(as_text=True)
        _approve(archivist, request_id)
        with archive.sessions() as session:
            grant = session.scalars(select(AccessGrant)).one()
            assert timedelta(days=2, hours=23) < grant.expires_at - utc_now() <= timedelta(days=3)
    finally:
        archive.engine.dispose()
