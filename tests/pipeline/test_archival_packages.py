"""Exports, archivist corrections and the rebuild from storage, on records made by the real pipeline."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import bagit
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Table, select

from archive.catalog import (
    Agency,
    ArchivalPackage,
    Bitstream,
    Document,
    DocumentLanguage,
    Dossier,
    DossierLanguage,
    EventAgent,
    Fonds,
    FondsLanguage,
    MetadataChange,
    PreservationAgent,
    PreservationEvent,
    Representation,
)
from archive.cli import main
from archive.config import load_settings
from archive.factory import Archive, create_archive
from archive.packaging import schema_set
from ingest.package import OcflStorage, read_package, read_zip_package, validate_storage_root
from ingest.package.build import EAD_PATH
from search.base import SearchRequest, Visibility
from tests.pipeline.badfiles import CORPUS
from tests.pipeline.conftest import RunBatch, by_name

BORN_DIGITAL = ("vn003.pdf", "vn008.pdf", "vn010.pdf")


def luutru(env: dict[str, str], *args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


@pytest.fixture()
def archived(run_batch: RunBatch) -> dict[str, int]:
    """File name → document id of born-digital corpus files run through the whole pipeline."""
    report = run_batch(*(CORPUS / name for name in BORN_DIGITAL))
    items = by_name(report)
    assert {i["state"] for i in items.values()} == {"archived"}, report.items
    return {name: int(item["document_id"]) for name, item in items.items()}  # type: ignore[call-overload]


def test_export_aip_dip_and_bag(archived: dict[str, int], archive: Archive, embedded_env: dict[str, str],
                                tmp_path: Path) -> None:
    record = str(archived["vn003.pdf"])
    schemas = schema_set(archive.settings)
    out = tmp_path / "out"

    result = luutru(embedded_env, "export", record, "--format", "aip", out / "aip.zip")
    assert result.exit_code == 0, result.output
    aip = read_zip_package(out / "aip.zip", schemas, expected_type="AIP")
    with archive.sessions() as session:
        row = session.scalars(select(ArchivalPackage).where(ArchivalPackage.document_id == int(record))).one()
    assert aip.objid == row.object_id
    stored = read_package(OcflStorage(archive.store).openers(row.object_id), schemas, source="stored")
    assert aip.spec == stored.spec, "the ZIP holds exactly the stored head version"
    with zipfile.ZipFile(out / "aip.zip") as zipped:
        assert {name.split("/", 1)[0] for name in zipped.namelist()} == {row.object_id.replace(":", "_")}

    result = luutru(embedded_env, "export", row.object_id, "--format", "dip", out / "dip.zip",
                    "--request-id", "YC-2025-07", "--reader", "Lê Thị Hoa")
    assert result.exit_code == 0, result.output
    dip = read_zip_package(out / "dip.zip", schemas, expected_type="DIP")
    assert dip.spec.description.request_id == "YC-2025-07"  # type: ignore[union-attr]
    assert [rep.name for rep in dip.spec.representations] == ["rep2"]   # the PDF/A access copy
    assert [e.type for e in dip.spec.all_events()] == ["dis"]

    result = luutru(embedded_env, "export", record, "--format", "bag", out / "bag.zip")
    assert result.exit_code == 0, result.output
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(out / "bag.zip") as zipped:
        zipped.extractall(unpacked)
    [folder] = list(unpacked.iterdir())
    bag = bagit.Bag(str(folder))
    bag.validate()
    assert set(bag.algorithms) == {"sha256", "sha512"}
    for name in ("Source-Organization", "Bagging-Date", "External-Identifier", "Payload-Oxum"):
        assert bag.info.get(name), name
    assert bag.info["External-Identifier"] == row.object_id
    assert bag.info["Source-Organization"] == archive.settings.organization
    checked = subprocess.run([str(Path(sys.executable).with_name("bagit.py")), "--validate", str(folder)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr

    result = luutru(embedded_env, "export", "999999", "--format", "aip", out / "none.zip")
    assert result.exit_code == 2 and "999999" in result.output
    assert not (out / "none.zip").exists()


def test_correction_is_a_new_version_with_a_mem_event(archived: dict[str, int], archive: Archive,
                                                      embedded_env: dict[str, str]) -> None:
    record = archived["vn008.pdf"]
    schemas = schema_set(archive.settings)
    with archive.sessions() as session:
        row = session.scalars(select(ArchivalPackage).where(ArchivalPackage.document_id == record)).one()
        before = session.get(Document, record)
        assert before is not None
        old_subject, old_type = before.subject, before.type_name
    assert row.head == "v1"

    refused = luutru(embedded_env, "--lang", "en", "describe", str(record), "--set", "typeName=99",
                     "--set", "issuedDate=31/02/2024", "--set", "codeNotation=" + "X" * 31, "--actor", "Trần Thị Bình")
    assert refused.exit_code == 2
    for expected in ("typeName: Tên loại", "99", "issuedDate", "31/02/2024", "codeNotation", "at most 30"):
        assert expected in refused.output, (expected, refused.output)
    with archive.sessions() as session:
        assert session.scalars(select(ArchivalPackage.head_version)
                               .where(ArchivalPackage.document_id == record)).one() == 1

    done = luutru(embedded_env, "describe", str(record), "--set", "subject=Về việc triển khai hồ sơ điện tử",
                  "--set", "typeName=02", "--set", "issuedDate=15/12/2023", "--actor", "Trần Thị Bình")
    assert done.exit_code == 0, done.output
    assert "AIP v2" in done.output

    ocfl = OcflStorage(archive.store)
    assert [f for f in validate_storage_root(archive.store) if f.is_error] == []
    v2 = read_package(ocfl.openers(row.object_id, "v2"), schemas, source="v2")
    v1 = read_package(ocfl.openers(row.object_id, "v1"), schemas, source="v1")
    doc2, doc1 = v2.spec.representations[0].documents[0], v1.spec.representations[0].documents[0]
    assert (doc2.subject, doc2.type_name, doc2.issued_date) == ("Về việc triển khai hồ sơ điện tử", "02", "15/12/2023")
    assert doc1.subject == (old_subject or doc1.subject) and doc1.type_name == ((old_type and old_type.value) or "32")
    # The old version's files are untouched, and only the changed metadata was stored again.
    files1, files2 = ocfl.files(row.object_id, "v1"), ocfl.files(row.object_id, "v2")
    assert files1["representations/rep1/data/vn008.pdf"].key == files2["representations/rep1/data/vn008.pdf"].key
    assert files1["schemas/mets-1.12.xsd"].key == files2["schemas/mets-1.12.xsd"].key
    assert files1[EAD_PATH].key != files2[EAD_PATH].key   # a loose document's title is its subject
    [mem] = [e for e in v2.spec.all_events() if e.type == "mem"]
    [implementer] = [link for link in mem.agents if link.roles == ("implementer",)]
    person = next(a for a in v2.spec.agents if a.identifier == implementer.agent)
    assert (person.name, person.type) == ("Trần Thị Bình", "person")
    assert "mem" not in {e.type for e in v1.spec.all_events()}

    with archive.sessions() as session:
        document = session.get(Document, record)
        assert document is not None and document.subject == "Về việc triển khai hồ sơ điện tử"
        assert document.field_provenance["subject"] == {"source": "archivist", "confidence": 1.0}
        changes = {c.field: (c.old_value, c.new_value, c.version, c.actor)
                   for c in session.scalars(select(MetadataChange).where(MetadataChange.document_id == record))}
    assert changes["subject"] == (old_subject, "Về việc triển khai hồ sơ điện tử", 2, "Trần Thị Bình")
    assert changes["issued_date"][1:] == ("15/12/2023", 2, "Trần Thị Bình")
    shown = json.loads(luutru(embedded_env, "describe", str(record), "--json").output)
    assert shown["version"] == "v2" and shown["fields"]["typeName"] == "02"
    assert {h["field"] for h in shown["history"]} == {"subject", "typeName", "issuedDate"}
    assert all(h["previous_version"] == "v1" for h in shown["history"])
    hits = archive.index.search(SearchRequest("triển khai hồ sơ điện tử"), Visibility.everything())
    assert str(record) in {hit.doc_id for hit in hits.hits}


SNAPSHOT_TABLES: tuple[Any, ...] = (Agency, Fonds, FondsLanguage, Dossier, DossierLanguage, Document,
                                    DocumentLanguage, Representation)


def snapshot(archive: Archive) -> dict[str, Any]:
    """Every record, field, checksum and event of the catalog, independent of event and agent row ids."""
    with archive.sessions() as session:
        def rows(table: Table, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
            return [{k: v for k, v in row.items() if k not in drop}
                    for row in session.execute(select(table).order_by(*table.primary_key.columns)).mappings()]

        shot: dict[str, Any] = {model.__tablename__: rows(model.__table__) for model in SNAPSHOT_TABLES}
        shot["bitstream"] = rows(Bitstream.__table__)
        agents = {a.id: (a.identifier, a.name, a.version, a.type, a.user_id)
                  for a in session.scalars(select(PreservationAgent))}
        events = {}
        for event in session.scalars(select(PreservationEvent)):
            events[event.event_identifier] = (
                event.event_type, event.event_datetime, event.event_detail, event.outcome, event.outcome_detail,
                sorted((agents[link.agent_id], link.role) for link in event.agents),
                sorted((link.role, link.bitstream_id, link.representation_id, link.document_id, link.dossier_id)
                       for link in event.objects if link.batch_item_id is None))
        shot["events"] = events
        shot["agents"] = sorted(agents.values())
        shot["packages"] = sorted(rows(ArchivalPackage.__table__, ("id",)), key=lambda row: row["document_id"])
        shot["changes"] = sorted((c.document_id, c.event.event_identifier, c.version, c.field, c.old_value,
                                  c.new_value, c.actor, c.changed_at)
                                 for c in session.scalars(select(MetadataChange)))
        shot["links"] = len(session.scalars(select(EventAgent)).all())
        return shot


def test_rebuild_from_storage_recreates_catalog_and_index(archived: dict[str, int], archive: Archive,
                                                          embedded_env: dict[str, str], run_batch: RunBatch,
                                                          tmp_path: Path) -> None:
    record = archived["vn010.pdf"]
    # The same file submitted again later: its own receipt and check events join the record's AIP (v2).
    copy = tmp_path / "ban-sao-vn003.pdf"
    copy.write_bytes((CORPUS / "vn003.pdf").read_bytes())
    assert [i["state"] for i in run_batch(copy).items] == ["duplicate"]
    with archive.sessions() as session:
        assert session.scalars(select(ArchivalPackage.head_version).where(
            ArchivalPackage.document_id == archived["vn003.pdf"])).one() == 2
    assert luutru(embedded_env, "describe", str(record), "--set", "keyword=chuyển đổi số",
                  "--set", "language=01,02", "--actor", "Phạm Văn Cường").exit_code == 0
    before = snapshot(archive)
    assert len(before["document"]) == 3 and before["changes"] and before["events"]
    searched = {word: sorted(h.doc_id for h in archive.index.search(SearchRequest(word), Visibility.everything()).hits)
                for word in ("quyết định", "công văn", "chuyển đổi số")}

    settings = archive.settings
    archive.engine.dispose()
    shutil.rmtree(settings.search_index_path)
    (settings.data_dir / "catalog.sqlite").unlink()
    result = luutru(embedded_env, "--lang", "en", "rebuild", "--from-storage")
    assert result.exit_code == 0, result.output
    assert "Rebuilt 3 records from 3 OCFL objects" in result.output

    rebuilt = create_archive(load_settings(embedded_env))
    try:
        after = snapshot(rebuilt)
        for key in before:
            assert after[key] == before[key], key
        assert {word: sorted(h.doc_id for h in rebuilt.index.search(SearchRequest(word), Visibility.everything()).hits)
                for word in searched} == searched
        again = luutru(embedded_env, "--lang", "en", "rebuild", "--from-storage")
        assert again.exit_code == 2 and "empty" in again.output
        # The rebuilt catalog carries on: a new correction is version 3 of that record.
        assert luutru(embedded_env, "describe", str(record), "--set", "keyword=số hóa", "--actor", "Phạm Văn Cường"
                      ).output.strip().endswith("AIP v3")
    finally:
        rebuilt.engine.dispose()


def test_tampered_package_is_named_by_validation_and_refused_by_export(
        archived: dict[str, int], archive: Archive, embedded_env: dict[str, str], tmp_path: Path) -> None:
    record = archived["vn003.pdf"]
    with archive.sessions() as session:
        row = session.scalars(select(ArchivalPackage).where(ArchivalPackage.document_id == record)).one()
    ocfl = OcflStorage(archive.store)
    stored = ocfl.files(row.object_id)["representations/rep1/data/vn003.pdf"]
    path = archive.settings.objects_dir / stored.key
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    findings = {(f.code, f.key) for f in validate_storage_root(archive.store) if f.is_error}
    assert findings == {("E092", stored.key), ("E093", stored.key)}
    result = luutru(embedded_env, "--lang", "en", "export", str(record), "--format", "bag", tmp_path / "bag.zip")
    assert result.exit_code == 2
    assert "representations/rep1/data/vn003.pdf: SHA-256 is" in result.output, result.output
    assert not (tmp_path / "bag.zip").exists()
