"""The package step: each archived record is a valid OCFL object holding its TT 05 AIP, fully accounted for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from archive.batches import BatchService
from archive.catalog import ArchivalPackage, Bitstream, Document, EventObject, PreservationEvent
from archive.config import load_settings
from archive.factory import Archive, create_archive
from archive.packaging import schema_set
from archive.records import dump_record, record_bytes
from archive.work import LocalWorker
from ingest.package import OcflStorage, read_package, validate_storage_root
from tests.pipeline.badfiles import CORPUS
from tests.pipeline.conftest import RunBatch, by_name


def test_archived_record_is_a_valid_aip_holding_every_event(run_batch: RunBatch, archive: Archive,
                                                              tmp_path: Path) -> None:
    report = run_batch(CORPUS / "vn003.pdf", CORPUS / "vn008.pdf")
    assert {i["state"] for i in by_name(report).values()} == {"archived"}, report.items
    store = archive.store
    assert [f for f in validate_storage_root(store) if f.is_error] == []
    ocfl = OcflStorage(store)
    schemas = schema_set(archive.settings)
    with archive.sessions() as session:
        keys = sorted(b.storage_key for b in session.scalars(select(Bitstream)))
        # Outside ocfl/ every object is a catalog bitstream; inside, the OCFL inventories account for
        # every key (a stray or uncommitted file would be a validation error above).
        assert sorted(k for k in store.list() if not k.startswith("ocfl/")) == keys
        for bitstream in session.scalars(select(Bitstream)):
            assert store.verify(bitstream.storage_key, bitstream.sha256).ok, bitstream.storage_key
        for document in session.scalars(select(Document)):
            row = session.scalars(select(ArchivalPackage).where(ArchivalPackage.document_id == document.id)).one()
            inventory = ocfl.inventory(row.object_id)
            # One version at the package step, with the package creation and accession events.
            assert inventory["head"] == row.head == "v1"
            received = read_package(ocfl.openers(row.object_id), schemas, source=row.object_id)
            assert received.package_type == "AIP" and received.objid == row.object_id
            [record] = received.spec.documentation
            assert record.data == record_bytes(dump_record(session, document)), "the package holds the catalog record"
            catalog_events = set(session.scalars(
                select(PreservationEvent.event_identifier).join(EventObject).where(
                    EventObject.document_id == document.id)))
            package_events = {e.identifier for e in received.spec.all_events()}
            assert catalog_events <= package_events
            types = sorted(e.type for e in received.spec.all_events())
            for code in ("mes", "ing", "vir", "for", "val", "nor", "mee", "cre", "ipc", "acc"):
                assert code in types, (code, types)
            first = json.loads(b"".join(store.get(f"{ocfl.object_root(row.object_id)}/v1/inventory.json")))
            assert first["head"] == "v1"


class PowerCut:
    """The archive's real store, losing power after ``count`` more objects under ``marker`` were written."""

    def __init__(self, inner: object, marker: str, count: int) -> None:
        self.inner, self.marker, self.left = inner, marker, count

    def put(self, key: str, stream: object, **options: object) -> object:
        if self.marker in key:
            if self.left == 0:
                raise RuntimeError(f"power lost before {key}")
            self.left -= 1
        return self.inner.put(key, stream, **options)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_a_correction_cut_off_mid_write_is_completed_by_the_retry(run_batch: RunBatch, archive: Archive) -> None:
    from archive.describe import correct

    report = run_batch(CORPUS / "vn003.pdf")
    [item] = by_name(report).values()
    record = int(item["document_id"])  # type: ignore[call-overload]
    real = archive.store
    archive.store = PowerCut(real, "/v2/content/", 3)  # type: ignore[assignment]
    try:
        with pytest.raises(RuntimeError, match="power lost"):
            correct(archive, record, {"subject": "Về việc số hóa tài liệu lưu trữ"}, "Vũ Thị Lan")
    finally:
        archive.store = real
    with archive.sessions() as session:
        row = session.scalars(select(ArchivalPackage).where(ArchivalPackage.document_id == record)).one()
        assert row.head == "v1", "nothing of the cut-off correction reached the catalog"
        assert session.get(Document, record).subject != "Về việc số hóa tài liệu lưu trữ"  # type: ignore[union-attr]
    ocfl = OcflStorage(real)
    left = ocfl.uncommitted(row.object_id)
    assert len(left) == 3 and left[0].endswith("/v2/content/METS.xml"), left
    done = correct(archive, record, {"subject": "Về việc số hóa tài liệu lưu trữ"}, "Vũ Thị Lan")
    assert done.version == 2, "the retry adopted what the cut-off write left, as the same version"
    assert [f for f in validate_storage_root(real) if f.is_error] == []
    with archive.sessions() as session:
        keys = sorted(b.storage_key for b in session.scalars(select(Bitstream)))
    assert sorted(k for k in real.list() if not k.startswith("ocfl/")) == keys


def test_without_schemas_a_record_is_accessioned_and_flagged_not_packaged(archive: Archive,
                                                                           embedded_env: dict[str, str]) -> None:
    """No XSD folder configured: nothing unvalidated is stored, the record is still accessioned, and both
    the archivist (flag) and the PREMIS history (a warning ``ipc``) say that no AIP was written."""
    unconfigured = create_archive(load_settings({k: v for k, v in embedded_env.items() if k != "LUUTRU_SCHEMA_DIR"}))
    try:
        service = BatchService(unconfigured)
        batch_id = service.submit([CORPUS / "vn003.pdf"])
        LocalWorker(unconfigured, 1).run(until_batch_done=batch_id, poll_seconds=0.1)
        [item] = service.report(batch_id).items
        assert item["state"] == "archived", item
        assert "not-packaged" in {flag["code"] for flag in item["flags"]}  # type: ignore[attr-defined]
        with unconfigured.sessions() as session:
            assert session.scalars(select(ArchivalPackage)).all() == []
            outcomes = {(e.event_type.value, e.outcome.value) for e in session.scalars(
                select(PreservationEvent).join(EventObject).where(EventObject.document_id == item["document_id"]))}
        assert {("ipc", "warning"), ("acc", "success")} <= outcomes, outcomes
        assert list(unconfigured.store.list("ocfl/")) == []
    finally:
        unconfigured.engine.dispose()
