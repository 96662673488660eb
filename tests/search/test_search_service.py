"""Search as the archive offers it: catalog records in, access rules inside the query, the CLI contract.

A small catalog of two agencies with records at every access level, users of every role and
grants (active, expired, revoked; to a user, to an agency, for a document, for a dossier) is
indexed by ``luutru reindex`` into the embedded index and into the real Elasticsearch, and each
caller must find exactly what ``archive.access.can_read`` allows, in hits, totals and facets.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select

from archive.access import Caller, can_read, caller_for
from archive.catalog import (
    AccessGrant,
    Agency,
    Bitstream,
    Document,
    Dossier,
    Fonds,
    Representation,
    User,
    utc_now,
)
from archive.catalog.codes import BitstreamRole, Maintenance, RepresentationType, TypeName, UserRole
from archive.cli import main
from archive.config import load_settings
from archive.factory import Archive, create_archive
from archive.search_service import SearchInputError, SearchService
from search.elastic import ElasticsearchIndex

CLI_HIT_KEYS = {"id", "reference", "document_type", "summary", "issued_date", "issuing_agency", "original_filename",
                "score", "highlights"}


@dataclass
class Catalog:
    archive: Archive
    env: dict[str, str]
    docs: dict[str, int]
    users: dict[str, str]

    def cli(self, *args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, list(args), env=self.env, catch_exceptions=False)
        return result.exit_code, result.output

    def search_json(self, *args: str) -> dict:  # type: ignore[type-arg]
        code, output = self.cli("search", *args, "--json")
        assert code == 0, output
        return json.loads(output)


def _store_pages(archive: Archive, session, document: Document, name: str, pages: list[str]) -> None:  # type: ignore[no-untyped-def]
    """What the pipeline leaves behind: a master in an original representation, words.json beside it."""
    master = f"masters/{name}".encode()
    key = f"test/{uuid.uuid4().hex}/{name}"
    stored = archive.store.put(key, io.BytesIO(master), content_type="application/pdf")
    original = Representation(document=document, type=RepresentationType.ORIGINAL, label="rep1")
    original.bitstreams.append(Bitstream(storage_key=key, size=stored.size, sha256=stored.sha256,
                                         role=BitstreamRole.MASTER, original_filename=name))
    words = json.dumps({"pages": [{"text": p} for p in pages]}, ensure_ascii=False).encode()
    words_key = f"derivatives/{hashlib.sha256(master).hexdigest()}/{uuid.uuid4().hex}/words.json"
    stored_words = archive.store.put(words_key, io.BytesIO(words), content_type="application/json")
    preservation = Representation(document=document, type=RepresentationType.PRESERVATION, label="rep2")
    preservation.bitstreams.append(Bitstream(storage_key=words_key, size=stored_words.size,
                                             sha256=stored_words.sha256, role=BitstreamRole.OCR_TEXT,
                                             original_filename="words.json"))
    session.add_all([original, preservation])


RECORDS = {  # name: (owning fonds, mode, dossier?, page text with a word unique to the record)
    "a_pub": ("FA", "01", False, "Kế hoạch số hóa tài liệu lưu trữ năm 2024 xanhlam"),
    "a_cond": ("FA", "02", False, "Báo cáo nội bộ về nhân sự đỏthắm"),
    "a_secret": ("FA", "03", False, "Tài liệu mật về quốc phòng tímbiếc"),
    "b_pub": ("FB", "01", False, "Thông báo lịch tiếp công dân vàngươm"),
    "b_cond": ("FB", "02", False, "Công văn trao đổi về ngân sách camsành"),
    "b_secret": ("FB", "03", False, "Quyết định mật về đất đai nâutrầm"),
    "b_doss": ("FB", "02", True, "Biên bản họp hội đồng thẩm định hồngphấn"),
    "b_nomode": ("FB", None, False, "Tờ trình chưa phân loại chế độ xámbạc"),
}


def _populate(archive: Archive) -> tuple[dict[str, int], dict[str, str]]:
    now = utc_now()
    with archive.sessions.begin() as session:
        ministry = Agency(organ_id="000.00.00.G09", name="Bộ Nội vụ")
        agency_a = Agency(organ_id="000.00.01.H01", name="Sở Nội vụ tỉnh An", parent=ministry)
        agency_b = Agency(organ_id="000.00.02.H02", name="Sở Tài chính tỉnh Bình")
        fonds = {"FA": Fonds(code="FA", name="Phông Sở Nội vụ", agency=agency_a),
                 "FB": Fonds(code="FB", name="Phông Sở Tài chính", agency=agency_b)}
        dossier = Dossier(fonds=fonds["FB"], file_code="000.00.02.H02.2024.01", title="Hồ sơ thẩm định dự án")
        docs: dict[str, Document] = {}
        for number, (name, (fonds_code, mode, in_dossier, text)) in enumerate(RECORDS.items(), start=1):
            document = Document(
                fonds=fonds[fonds_code], dossier=dossier if in_dossier else None,
                agency=agency_a if fonds_code == "FA" else agency_b, mode=mode,
                type_name=TypeName.QUYET_DINH if number % 2 else TypeName.CHI_THI,
                type_label="Quyết định" if number % 2 else "Chỉ thị",
                code_number=str(number * 11), code_notation=f"QĐ-{fonds_code}", issued_date=date(2020 + number % 4, 3, number),
                subject=f"Về việc {text.rsplit(' ', 1)[0].lower()}", signer_full_name=f"Nguyễn Văn Ký{number}",
                signer_position="Giám đốc", keyword=f"từkhóa{number}", maintenance=Maintenance.PERMANENT,
                doc_code=f"DOC{number:03d}", organ_name="SỞ NỘI VỤ" if fonds_code == "FA" else "SỞ TÀI CHÍNH")
            session.add(document)
            _store_pages(archive, session, document, f"{name}.pdf", [f"Trang một của {name}.", text])
            docs[name] = document
        users = {
            "official_a": User(username="official_a", full_name="Cán bộ A", password_hash="x", role=UserRole.OFFICIAL,
                               agency=agency_a),
            "official_b": User(username="official_b", full_name="Cán bộ B", password_hash="x", role=UserRole.OFFICIAL,
                               agency=agency_b),
            "archivist_a": User(username="archivist_a", full_name="Lưu trữ A", password_hash="x",
                                role=UserRole.ARCHIVIST, agency=agency_a),
            "auditor": User(username="auditor", full_name="Kiểm tra", password_hash="x", role=UserRole.AUDITOR,
                            agency=agency_b),
            "admin": User(username="admin", full_name="Quản trị", password_hash="x", role=UserRole.ADMIN),
            "outsider": User(username="outsider", full_name="Không cơ quan", password_hash="x",
                             role=UserRole.OFFICIAL),
        }
        session.add_all(users.values())
        session.flush()
        later, earlier = now + timedelta(days=15), now - timedelta(days=1)
        session.add_all([
            AccessGrant(grantee_user=users["official_a"], document=docs["b_secret"], expires_at=later),
            AccessGrant(grantee_agency=agency_a, dossier=dossier, expires_at=later, allow_download=True),
            AccessGrant(grantee_user=users["official_a"], document=docs["b_cond"], expires_at=earlier),
            AccessGrant(grantee_user=users["official_a"], document=docs["b_nomode"], expires_at=later,
                        revoked_at=now),
        ])
        return {k: d.id for k, d in docs.items()}, {k: k for k in users}


@pytest.fixture(params=["tantivy", "sqlite", "elasticsearch"])
def catalog(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Catalog]:
    env = {"LUUTRU_DATA_DIR": str(tmp_path / "data")}
    if request.param == "sqlite":
        env |= {"LUUTRU_SEARCH_ENGINE": "sqlite"}
    if request.param == "elasticsearch":
        env |= {"LUUTRU_ES_URL": request.getfixturevalue("es_url"),
                "LUUTRU_ES_INDEX_PREFIX": request.getfixturevalue("es_prefixes")()}
    result = CliRunner().invoke(main, ["init"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    archive = create_archive(load_settings(env))
    docs, users = _populate(archive)
    built = Catalog(archive, env, docs, users)
    code, output = built.cli("reindex", "--json")
    assert code == 0 and json.loads(output)["indexed"] == len(RECORDS), output
    yield built
    if isinstance(archive.index, ElasticsearchIndex):
        archive.index.drop()
    archive.engine.dispose()


EXPECTED = {
    "official_a": {"a_pub", "a_cond", "b_pub", "b_secret", "b_doss"},  # own 02; granted secret; agency's dossier grant
    "archivist_a": {"a_pub", "a_cond", "b_pub", "b_doss"},
    "official_b": {"a_pub", "b_pub", "b_cond", "b_doss", "b_nomode"},  # unset mode is conditional
    "outsider": {"a_pub", "b_pub"},
    "auditor": set(RECORDS),
    "admin": set(RECORDS),
}


def test_each_caller_finds_exactly_what_the_rules_allow(catalog: Catalog) -> None:
    service = SearchService(catalog.archive)
    names = {str(v): k for k, v in catalog.docs.items()}
    for username, expected in EXPECTED.items():
        caller = service.caller(username)
        with catalog.archive.sessions() as session:
            readable = {names[str(d.id)] for d in session.scalars(select(Document)) if can_read(caller, d)}
        assert readable == expected, username
        data = catalog.search_json("--as", username, "--limit", "50")
        assert {names[str(h["id"])] for h in data["hits"]} == expected and data["total"] == len(expected), username
        assert sum(data["facets"]["mode"].values()) == len(expected)
        assert sum(data["facets"]["agency"].values()) == len(expected)
        for name in set(RECORDS) - expected:  # its unique word, its number, its signer: nothing leaks
            unique = RECORDS[name][3].rsplit(" ", 1)[1]
            number = list(RECORDS).index(name) + 1
            for query in (unique, f"{number * 11}/QĐ-{RECORDS[name][0]}"):
                found = catalog.search_json(query, "--as", username)
                assert all(names[str(h["id"])] != name for h in found["hits"]), (username, query)
                assert unique not in json.dumps(found, ensure_ascii=False)
            signer = f"Nguyễn Văn Ký{list(RECORDS).index(name) + 1}"
            assert catalog.search_json(signer, "--as", username)["total"] == 0


def test_grants_expire_and_revoke(catalog: Catalog) -> None:
    with catalog.archive.sessions() as session:
        user = session.scalar(select(User).where(User.username == "official_a"))
        caller = caller_for(session, user)
        assert caller.granted_documents == {catalog.docs["b_secret"]}   # expired and revoked ones are gone
        assert len(caller.granted_dossiers) == 1
        later = caller_for(session, user, at=utc_now() + timedelta(days=30))
        assert not later.granted_documents and not later.granted_dossiers


def test_every_catalog_field_is_searchable(catalog: Catalog) -> None:
    doc = catalog.docs["a_pub"]
    for query in ("Nguyễn Văn Ký1", "nguyen van ky1", "DOC001", "tukhoa1", "Phông Sở Nội vụ", "FA", "Bộ Nội vụ",
                  "11/QĐ-FA", "11 qd fa", "Vĩnh viễn", "Giám đốc", "a_pub.pdf", "Sở Nội vụ tỉnh An"):
        hits = catalog.search_json(query, "--limit", "50")["hits"]
        assert doc in [h["id"] for h in hits], query
    assert catalog.search_json("11/QĐ-FA")["hits"][0]["id"] == doc
    dossier_doc = catalog.docs["b_doss"]
    for query in ("000.00.02.H02.2024.01", "Hồ sơ thẩm định dự án"):
        assert dossier_doc in [h["id"] for h in catalog.search_json(query, "--limit", "50")["hits"]], query


def test_cli_json_contract_and_page_highlights(catalog: Catalog) -> None:
    data = catalog.search_json("so hoa tai lieu luu tru")
    assert set(data) == {"total", "hits", "facets"} and set(data["facets"]) == {"type", "agency", "year", "mode"}
    hit = data["hits"][0]
    assert set(hit) == CLI_HIT_KEYS
    assert hit["id"] == catalog.docs["a_pub"] and hit["reference"] == "11/QĐ-FA"
    assert hit["original_filename"] == "a_pub.pdf" and hit["issued_date"] == "2021-03-01"
    assert hit["document_type"] == "Quyết định" and hit["issuing_agency"] == "Sở Nội vụ tỉnh An"
    assert hit["highlights"][0]["page"] == 2 and "<mark>hóa</mark>" in hit["highlights"][0]["text"]


def test_secret_text_is_not_indexed_unless_configured(catalog: Catalog) -> None:
    assert catalog.search_json("tímbiếc")["total"] == 0                     # the secret record's text
    assert catalog.search_json("33/QĐ-FA")["hits"][0]["id"] == catalog.docs["a_secret"]  # its catalog fields
    env = catalog.env | {"LUUTRU_SEARCH_SECRET_TEXT": "true"}
    assert CliRunner().invoke(main, ["reindex"], env=env).exit_code == 0
    result = CliRunner().invoke(main, ["search", "timbiec", "--json"], env=env)
    assert [h["id"] for h in json.loads(result.output)["hits"]] == [catalog.docs["a_secret"]]


def test_filters_validation_and_errors(catalog: Catalog) -> None:
    data = catalog.search_json("--filter", "type=Chỉ thị", "--filter", "year=2022", "--limit", "50")
    with catalog.archive.sessions() as session:
        expected = {d.id for d in session.scalars(select(Document))
                    if d.type_label == "Chỉ thị" and d.issued_date.year == 2022}
    assert {h["id"] for h in data["hits"]} == expected and data["total"] == len(expected)
    assert data["facets"]["type"] == {"Chỉ thị": len(expected)}
    ranged = catalog.search_json("--filter", "from=2021-03", "--filter", "to=2022", "--sort", "date_asc",
                                 "--limit", "50")
    dates = [h["issued_date"] for h in ranged["hits"]]
    assert dates == sorted(dates) and all("2021-03-01" <= d <= "2022-12-31" for d in dates) and dates
    code, output = catalog.cli("search", "x", "--filter", "colour=red", "--json")
    assert code == 2 and "colour" in output and "type" in output
    code, output = catalog.cli("--lang", "en", "search", "x", "--filter", "from=2021-13", "--json")
    assert code == 2 and "does not exist" in output
    code, output = catalog.cli("search", "x", "--as", "nobody", "--json")
    assert code == 2 and "nobody" in output


def test_export_csv_and_xlsx_hold_the_whole_list(catalog: Catalog, tmp_path: Path) -> None:
    for suffix in ("csv", "xlsx"):
        path = tmp_path / f"ketqua.{suffix}"
        code, output = catalog.cli("search", "--as", "official_a", "--limit", "2", "--export", str(path))
        assert code == 0, output
        if suffix == "csv":
            with open(path, encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.reader(fh))
        else:
            rows = [[str(c) if c is not None else "" for c in r]
                    for r in load_workbook(path, read_only=True).active.iter_rows(values_only=True)]
        assert rows[0][:3] == ["id", "reference", "document_type"]
        assert {int(r[0]) for r in rows[1:]} == {catalog.docs[n] for n in EXPECTED["official_a"]}


def test_saved_queries_per_user(catalog: Catalog) -> None:
    code, output = catalog.cli("search", "quyet dinh", "--filter", "year=2021", "--as", "official_a",
                               "--save", "năm 2021", "--json")
    assert code == 0, output
    saved = catalog.search_json("--as", "official_a", "--saved", "năm 2021")
    assert saved == json.loads(output)
    code, output = catalog.cli("search", "--as", "official_b", "--saved", "năm 2021", "--json")
    assert code == 2 and "năm 2021" in output
    service = SearchService(catalog.archive)
    with pytest.raises(SearchInputError):
        service.save_query(Caller.system(), "x", "", {})


def test_pagination_cursor_from_the_cli(catalog: Catalog) -> None:
    seen, cursor = [], None
    while True:
        args = ["--limit", "3", "--cursor"] + (["--after", cursor] if cursor else [])
        page = catalog.search_json(*args)
        seen += [h["id"] for h in page["hits"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(catalog.docs.values())


def test_reindex_keeps_answering_while_it_runs(catalog: Catalog) -> None:
    """Elasticsearch: the alias moves atomically; tantivy: a new generation, then CURRENT is replaced; SQLite: one
    transaction. Searches never fail or go empty."""
    index = catalog.archive.index
    service = SearchService(catalog.archive)
    with catalog.archive.sessions() as session:
        documents = [service.indexed(d) for d in session.scalars(select(Document))]

    def slow() -> Iterator:  # type: ignore[type-arg]
        for d in documents:
            time.sleep(0.05)
            yield d

    worker = threading.Thread(target=index.rebuild, args=(slow(),))
    worker.start()
    totals = []
    while worker.is_alive():
        totals.append(service.search(Caller.system(), service.request("")).total)
        time.sleep(0.02)
    worker.join()
    assert totals and set(totals) == {len(RECORDS)}
    assert service.search(Caller.system(), service.request("")).total == len(RECORDS)
    if isinstance(index, ElasticsearchIndex):
        assert len(index._indices_of_alias()) == 1
        assert index.client.indices.get(index=f"{index.index_name}-v*").keys() == set(index._indices_of_alias())
    assert "mapping" in index.health() or "documents" in index.health()


def test_suggestions_come_only_from_visible_records(catalog: Catalog) -> None:
    service = SearchService(catalog.archive)
    admin, outsider = service.caller("admin"), service.caller("outsider")
    assert "camsành" in service.suggest(admin, "cams")             # b_cond's unique word
    assert service.suggest(outsider, "cams") == []                 # conditional record of another agency
    assert "vàngươm" in service.suggest(outsider, "vang")          # a public record's word, folded prefix
    assert any(s.startswith("55/QĐ") for s in service.suggest(admin, "55/Q"))
    assert service.suggest(outsider, "55/Q") == []                 # b_cond's number stays hidden
