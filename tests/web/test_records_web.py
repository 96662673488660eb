"""Search, record, dossier and review pages: who sees what, what is audited, what a review saves."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

from sqlalchemy import select

from archive.catalog import ArchivalPackage, AuditEntry, BatchItem, Document, MetadataChange, PreservationEvent
from archive.catalog.codes import EventType, Mode, ProvenanceSource
from archive.dashboard import dashboard
from archive.web import create_web_app
from archive.work import LocalWorker
from tests.pipeline.conftest import SCHEMA_DIR
from tests.web.conftest import AGENCY_A, AGENCY_B, CORPUS, Web, build_archive, csrf_of, populate
from tests.web.records_data import make_record


def _audited(web: Web, action: str) -> set[tuple[str, str | None]]:
    with web.archive.sessions() as session:
        return {(e.actor, e.object) for e in session.scalars(select(AuditEntry).where(AuditEntry.action == action))}


def test_an_unreadable_record_looks_missing_and_non_public_reads_are_audited(web: Web) -> None:
    restricted = make_record(web.archive, AGENCY_A, Mode.RESTRICTED, ["Báo cáo ngân sách", "Trang hai"],
                             number="12", subject="Về ngân sách")
    public = make_record(web.archive, AGENCY_A, Mode.PUBLIC, ["Thông báo công khai"], number="13",
                         subject="Thông báo")
    outsider, insider = web.sign_in("official-b"), web.sign_in("official-a")

    missing = outsider.get("/records/999999")
    refused = outsider.get(f"/records/{restricted}")
    assert refused.status_code == missing.status_code == 404
    assert refused.get_data(as_text=True).replace(f"/records/{restricted}", "/records/999999") \
        == missing.get_data(as_text=True), "existence must not leak"
    for path in (f"/api/v1/records/{restricted}", f"/api/v1/records/{restricted}/events",
                 f"/records/{restricted}/pages/1.png", f"/records/{restricted}/download/original"):
        response = outsider.get(path)
        assert response.status_code == 404, path
    assert outsider.get(f"/api/v1/records/{restricted}").json == outsider.get("/api/v1/records/999999").json

    page = insider.get(f"/records/{restricted}?page=2")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "ngày 05 tháng 01 năm 2020" in text and "Về ngân sách" in text
    assert f"/records/{restricted}/pages/2.png" in text and "12/QĐ-UBND" in text
    image = insider.get(f"/records/{restricted}/pages/2.png")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    assert insider.get(f"/records/{restricted}/pages/99.png").status_code == 404
    download = insider.get(f"/records/{restricted}/download/pdfa")
    assert download.status_code == 200 and download.data == (CORPUS / "vn003.pdf").read_bytes()
    assert web.sign_in("auditor-b").get(f"/records/{restricted}/download/original").status_code == 403
    assert web.sign_in("auditor-b").get(f"/records/{restricted}").status_code == 200, "auditors read everything"

    assert outsider.get(f"/records/{public}").status_code == 200
    views = _audited(web, "record.view")
    assert ("official-a", f"document:{restricted}") in views and ("auditor-b", f"document:{restricted}") in views
    assert not any(target == f"document:{public}" for _, target in views), "public reads are not audited"
    assert ("official-a", f"document:{restricted}") in _audited(web, "record.download")
    english = insider.get(f"/records/{restricted}?lang=en").get_data(as_text=True)
    assert "05 January 2020" in english and "Download the PDF/A" in english


def test_search_shows_no_forbidden_hit_total_facet_or_snippet(web: Web) -> None:
    own = make_record(web.archive, AGENCY_B, Mode.RESTRICTED, ["Lời mở đầu", "Kế hoạch ngân sách năm 2024"],
                      number="21", subject="Kế hoạch của B")
    make_record(web.archive, AGENCY_A, Mode.RESTRICTED, ["Ngân sách bí mật của A"], number="22",
                subject="Dự toán riêng của A")
    make_record(web.archive, AGENCY_A, Mode.SECRET, ["Ngân sách tối mật"], number="23", subject="Tối mật A")
    client = web.sign_in("official-b")
    page = client.get("/search?q=ngan+sach").get_data(as_text=True)  # typed without diacritics
    assert "1 kết quả" in page and "Cơ quan A" not in page and "của A" not in page and "22/QĐ-UBND" not in page
    assert f"/records/{own}?page=2" in page and "<mark>" in page
    found = client.get("/api/v1/search?q=ngan+sach").json
    assert found["total"] == 1 and [h["id"] for h in found["hits"]] == [own]
    assert all("Cơ quan A" not in values for values in found["facets"].values()), found["facets"]
    assert sum(found["facets"].get("agency", {}).values()) == 1
    assert client.get("/api/v1/search?q=toi+mat").json["total"] == 0
    facet = re.search(r'class="facet" href="([^"]+)">Quyết định</a> \(1\)', page)
    assert facet, "facet values come with their counts"
    assert "1 kết quả" in client.get(html.unescape(facet.group(1))).get_data(as_text=True)
    auditor = web.sign_in("auditor-a")
    first = auditor.get("/search?q=ngan+sach&limit=1").get_data(as_text=True)
    cursor = re.search(r'id="next-page" href="([^"]+)"', first)
    assert cursor and "2 kết quả" in first
    second = auditor.get(html.unescape(cursor.group(1))).get_data(as_text=True)
    assert first.count('class="hit-link"') == second.count('class="hit-link"') == 1
    hits = [re.search(r'class="hit-link" href="/records/(\d+)', p).group(1) for p in (first, second)]  # type: ignore[union-attr]
    assert hits[0] != hits[1], "the cursor moves on to the next hit"
    assert auditor.get("/api/v1/search?q=ngan+sach").json["total"] == 2, "a secret record's text is not indexed"
    assert auditor.get("/api/v1/search?q=toi+mat").json["total"] == 1, "its catalog fields are, for those allowed"
    exported = client.get("/search/export.csv?q=ngan+sach").get_data(as_text=True)
    assert "21/QĐ-UBND" in exported and "22/QĐ-UBND" not in exported and "23/QĐ-UBND" not in exported
    assert client.get("/api/v1/search?q=x&after=nonsense").status_code == 400

    csrf = csrf_of(client.get("/search"))
    saved = client.post("/search/saved", data={"csrf_token": csrf, "name": "ngân sách", "q": "ngan sach"})
    assert saved.status_code == 302
    assert "ngân sách" in client.get("/search").get_data(as_text=True)


def test_dossier_lists_readable_documents_in_order(web: Web) -> None:
    second = make_record(web.archive, AGENCY_A, Mode.PUBLIC, ["b"], number="32", subject="Văn bản thứ hai",
                         dossier="HS-01", ordinal=2)
    first = make_record(web.archive, AGENCY_A, Mode.PUBLIC, ["a"], number="31", subject="Văn bản thứ nhất",
                        dossier="HS-01", ordinal=1)
    make_record(web.archive, AGENCY_A, Mode.RESTRICTED, ["c"], number="33", subject="Văn bản hạn chế",
                dossier="HS-01", ordinal=3)
    with web.archive.sessions() as session:
        dossier_id = session.get(Document, first).dossier_id  # type: ignore[union-attr]
    outsider = web.sign_in("official-b").get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert outsider.index(f"/records/{first}") < outsider.index(f"/records/{second}")
    assert "Văn bản hạn chế" not in outsider
    assert "Văn bản hạn chế" in web.sign_in("official-a").get(f"/dossiers/{dossier_id}").get_data(as_text=True)


def test_review_saves_a_new_version_and_event_and_empties_the_queue(tmp_path: Path, clamd_address: str) -> None:
    archive = build_archive(tmp_path, {"LUUTRU_CLAMD": clamd_address, "LUUTRU_SCHEMA_DIR": str(SCHEMA_DIR)})
    web = Web(archive, create_web_app(archive), populate(archive))
    client = web.sign_in("archivist-a")
    csrf = csrf_of(client.get("/batches/new"))
    response = client.post("/batches/new", content_type="multipart/form-data", data={
        "csrf_token": csrf, "name": "Lô kiểm tra", "fonds": "F-A",
        "files": [(io.BytesIO((CORPUS / "vn003.pdf").read_bytes()), "vn003.pdf")]})
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    LocalWorker(archive, threads=1).run(until_batch_done=batch_id, poll_seconds=0.1)
    with archive.sessions.begin() as session:
        item = session.scalars(select(BatchItem).where(BatchItem.batch_id == batch_id)).one()
        assert item.state.value == "archived", (item.state, item.message_en)
        document = item.document
        assert document is not None
        record = document.id
        # What extraction leaves when it is unsure (as the describe step writes it), made certain here
        # so the test does not depend on how well this file happens to read.
        document.set_provenance("subject", ProvenanceSource.EXTRACTED, 0.4)
        document.set_provenance("signer_full_name", ProvenanceSource.EXTRACTED, 0.3)
        if not any(f["code"] == "needs-review" for f in item.flags):
            item.flags.append({"code": "needs-review", "vi": "Cần kiểm tra lại các trường: subject",
                               "en": "Review these fields: subject"})
        head = session.scalars(select(ArchivalPackage).where(ArchivalPackage.document_id == record)).one().head

    assert '<strong id="fig-review">1</strong>' in client.get("/").get_data(as_text=True)
    queue = client.get("/review").get_data(as_text=True)
    assert "1 tài liệu chờ kiểm tra" in queue and f"/review/{record}" in queue
    assert dashboard(archive, "vi", AGENCY_A).review_queue == 1 == client.get("/api/v1/review").json["total"]
    assert web.sign_in("archivist-b").get("/api/v1/review").json["total"] == 0
    assert web.sign_in("archivist-b").get(f"/review/{record}").status_code == 404, "B may not read A's mode-02 record"
    form = client.get(f"/review/{record}").get_data(as_text=True)
    assert 'name="subject"' in form and 'name="signerName"' in form and f"/records/{record}/pages/1.png" in form

    refused = client.post(f"/review/{record}", data={"csrf_token": csrf, "subject": "x" * 600})
    assert refused.status_code == 400 and "tối đa 500" in refused.get_data(as_text=True)
    with archive.sessions() as session:
        signer = session.get(Document, record).signer_full_name or ""  # type: ignore[union-attr]
    saved = client.post(f"/review/{record}", data={"csrf_token": csrf, "subject": "Về việc hiệu đính thử",
                                                   "signerName": signer})  # signer confirmed as it is
    assert saved.status_code == 302, saved.get_data(as_text=True)
    with archive.sessions() as session:
        document = session.get(Document, record)
        assert document is not None and document.subject == "Về việc hiệu đính thử"
        assert document.field_provenance["signer_full_name"]["source"] == "archivist"
        package = session.scalars(select(ArchivalPackage).where(ArchivalPackage.document_id == record)).one()
        assert package.head_version == int(head[1:]) + 1
        change = session.scalars(select(MetadataChange).where(MetadataChange.document_id == record)).one()
        assert change.field == "subject" and change.new_value == "Về việc hiệu đính thử"
        event = session.get(PreservationEvent, change.event_id)
        assert event is not None and event.event_type is EventType.METADATA_MODIFICATION
        assert "signerName: confirmed" in (event.outcome_detail or "")
    assert "0 tài liệu chờ kiểm tra" in client.get("/review").get_data(as_text=True)
    assert dashboard(archive, "vi", AGENCY_A).review_queue == 0
    events = client.get(f"/api/v1/records/{record}/events").json["items"]
    assert any(e["type"] == EventType.METADATA_MODIFICATION.value for e in events)
    assert ("archivist-a", f"document:{record}") in _audited(web, "record.review")

    token = {"Authorization": f"Bearer {web.token('archivist-a')}"}
    patched = web.client().patch(f"/api/v1/records/{record}", json={"changes": {"keyword": "chuyển đổi số"}},
                                 headers=token)
    assert patched.status_code == 200 and patched.json["version"] == f"v{int(head[1:]) + 2}", patched.json
    same = web.client().patch(f"/api/v1/records/{record}", json={"changes": {"keyword": "chuyển đổi số"}},
                              headers=token)
    assert same.status_code == 422 and same.json["error"]["code"] == "correction_refused"
    outsider = {"Authorization": f"Bearer {web.token('archivist-b')}"}
    assert web.client().patch(f"/api/v1/records/{record}", json={"changes": {"keyword": "x"}},
                              headers=outsider).status_code == 404, "unclassified records are conditional: B cannot see it"
    archive.engine.dispose()
