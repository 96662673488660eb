"""The scheduled side: the embedded worker's maintenance thread, the Celery beat tasks, and OCFL objects
checked by `luutru verify` with the OCFL validator."""

from __future__ import annotations

import hashlib
import json
import os
import time
from datetime import UTC, datetime

from sqlalchemy import select, text

from archive.catalog import AuditCheckpoint, ObjectCopy
from archive.config import load_settings
from archive.factory import Archive, create_archive
from archive.integrity.schedule import MaintenanceThread
from ingest.package.build import PackageEntry
from ingest.package.ocfl import OcflStorage
from tests.integrity.conftest import corrupt_local, run_cli, store_master


def test_embedded_maintenance_thread_replicates_verifies_and_checkpoints(replicated_env: dict[str, str]) -> None:
    assert run_cli(replicated_env, "init")[0] == 0
    archive = create_archive(load_settings(replicated_env))
    master = store_master(archive, b"scheduled" * 1000)
    thread = MaintenanceThread(archive)
    assert not thread.due()  # a new installation starts its clock now: no tick right at the first start
    assert not thread.due()
    os.utime(thread.marker, (0, 0))  # the last tick was long ago
    assert thread.due()
    thread.start()
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            with archive.sessions() as session:
                copies = {c.location: c for c in session.scalars(select(ObjectCopy))}
                signed = session.scalar(select(AuditCheckpoint.seq))
            if {"primary", "replica"} <= set(copies) and copies["primary"].last_verified_at and signed:
                break
            time.sleep(0.2)
    finally:
        thread.stopping.set()
        thread.join(10)
    assert copies["replica"].copied_at is not None and copies["primary"].state == "ok"
    assert signed is not None
    assert archive.replica.verify(master.storage_key, master.sha256).ok  # type: ignore[union-attr]
    archive.engine.dispose()


def test_celery_beat_schedules_the_integrity_tasks(catalog_env: dict[str, str], redis_url: str) -> None:
    env = {**catalog_env, "LUUTRU_BROKER_URL": redis_url}
    assert run_cli(env, "init")[0] == 0
    archive = create_archive(load_settings(env))
    assert archive.celery is not None
    schedule = archive.celery.conf.beat_schedule
    assert schedule["luutru-integrity"]["schedule"] == 3600.0
    assert schedule["luutru-audit-checkpoint"]["task"] == "luutru.audit_checkpoint"
    store_master(archive, b"beat" * 100)
    assert archive.celery.tasks["luutru.integrity_tick"]() == {"primary": 1}  # run in-process, as a worker would
    assert archive.celery.tasks["luutru.audit_checkpoint"]() == 1
    archive.engine.dispose()


def test_verify_validates_ocfl_objects(archive: Archive, catalog_env: dict[str, str]) -> None:
    content = b"%PDF-1.7 AIP content" * 100
    entry = PackageEntry("data/rep1/van-ban.pdf", len(content), hashlib.sha256(content).hexdigest(), content)
    OcflStorage(archive.store).write_version("AIP-1", [entry], created=datetime(2026, 1, 1, tzinfo=UTC),
                                             message="test", user_name="tester")
    code, output = run_cli(catalog_env, "verify", "--json")
    assert code == 0, output
    stored = next(k for k in archive.store.list("ocfl/") if k.endswith("van-ban.pdf"))
    corrupt_local(archive.settings.objects_dir, stored)
    code, output = run_cli(catalog_env, "verify", "--json")
    summary = json.loads(output.splitlines()[-1])["summary"]
    assert code == 1 and not summary["ok"]
    assert any("van-ban.pdf" in finding for finding in summary["ocfl_findings"]["primary"])


def test_the_ocfl_tree_is_mirrored_and_validated_in_every_location(replicated_env: dict[str, str]) -> None:
    assert run_cli(replicated_env, "init")[0] == 0
    archive = create_archive(load_settings(replicated_env))
    ocfl = OcflStorage(archive.store)
    for version in (1, 2):
        content = f"%PDF-1.7 version {version}".encode() * 100
        entry = PackageEntry("data/rep1/van-ban.pdf", len(content), hashlib.sha256(content).hexdigest(), content)
        ocfl.write_version("AIP-1", [entry], created=datetime(2026, 1, version, tzinfo=UTC), message=f"v{version}",
                           user_name="tester")
        code, output = run_cli(replicated_env, "replicate")
        assert code == 0, output
        assert sorted(archive.replica.list("ocfl/")) == sorted(archive.store.list("ocfl/"))  # type: ignore[union-attr]
    assert OcflStorage(archive.replica).inventory("AIP-1")["head"] == "v2"  # type: ignore[arg-type]
    code, output = run_cli(replicated_env, "verify", "--json")
    assert code == 0, output
    stored = next(k for k in archive.replica.list("ocfl/") if k.endswith("van-ban.pdf"))  # type: ignore[union-attr]
    corrupt_local(archive.replica.root, stored)  # type: ignore[union-attr]
    code, output = run_cli(replicated_env, "verify", "--json", "--no-repair")
    findings = json.loads(output.splitlines()[-1])["summary"]["ocfl_findings"]
    assert code == 1 and list(findings) == ["replica"] and stored.rsplit("/", 1)[-1] in findings["replica"][0]
    code, output = run_cli(replicated_env, "verify", "--json")  # repaired from the clean primary, still reported
    assert code == 1 and "repaired from primary" in output
    assert run_cli(replicated_env, "verify", "--json")[0] == 0
    with archive.engine.connect() as conn:
        repaired = conn.execute(text("SELECT object FROM audit_entry WHERE action = 'fixity.repair'")).scalars().all()
    assert repaired == [f"ocfl:{stored}"]
    archive.engine.dispose()


def _sealed_record(archive: Archive) -> tuple[int, str]:
    """A record of an agency's fonds, with its AIP sealed as the pipeline does; returns (id, OCFL object root)."""
    from archive.catalog import Agency, Document, Fonds
    from archive.catalog.codes import EventOutcome, EventType, FondsStatus, Mode
    from archive.packaging import seal
    from archive.preservation import record_event
    from tests.web.records_data import make_record

    with archive.work_sessions.begin() as session:
        agency = Agency(organ_id="000.00.00.A01", name="Cơ quan A")
        session.add(Fonds(code="F-A", name="Phông A", agency=agency, status=FondsStatus.OPEN))
    document_id = make_record(archive, "000.00.00.A01", Mode.RESTRICTED, ["Quyết định"], number="3",
                              subject="Về việc kiểm tra gói")
    with archive.work_sessions.begin() as session:
        document = session.get(Document, document_id)
        event = record_event(session, EventType.INGESTION, EventOutcome.SUCCESS, detail="test", sources=[document])
        sealed = seal(session, archive.store, archive.settings, document, event, message="test", user_name="tester")
    return document_id, OcflStorage(archive.store).object_root(sealed.object_id)


def _package_events(archive: Archive, document_id: int) -> list[tuple[str, str]]:
    from archive.catalog import EventObject, PreservationEvent

    with archive.sessions() as session:
        return [(e.event_type.value, e.outcome.value) for e in session.scalars(
            select(PreservationEvent).join(EventObject).where(EventObject.document_id == document_id,
                                                              PreservationEvent.event_detail.like("OCFL object %"))
            .order_by(PreservationEvent.id))]


def _audit(archive: Archive, prefix: str) -> list[tuple[str, str]]:
    with archive.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(  # type: ignore[misc]
            "SELECT action, object FROM audit_entry WHERE object LIKE :p ORDER BY seq"), {"p": prefix + "%"})]


def test_the_paced_tick_validates_the_ocfl_inventory_of_each_record_it_covers(catalog_env: dict[str, str]) -> None:
    from archive.integrity.reports import chain_of_custody, failures_and_repairs
    from archive.integrity.schedule import maintenance_tick
    from tests.pipeline.conftest import SCHEMA_DIR

    env = {**catalog_env, "LUUTRU_SCHEMA_DIR": str(SCHEMA_DIR)}
    assert run_cli(env, "init")[0] == 0
    archive = create_archive(load_settings(env))
    document_id, base = _sealed_record(archive)
    report = maintenance_tick(archive)
    assert report.verified == {"primary": 1} and report.packages == {"primary": 1} and not report.problems
    assert report.bytes_read["primary"] > sum(1 for _ in archive.store.list(base + "/"))  # the package was read
    assert _package_events(archive, document_id) == [("fix", "success")]

    corrupt_local(archive.settings.objects_dir, f"{base}/inventory.json", offset=40)  # sidecar no longer matches
    report = maintenance_tick(archive)  # the next slice: another file of the same record, and its package
    assert report.packages == {"primary": 1}
    [problem] = report.problems
    assert problem.startswith("OCFL urn:uuid:") and "(primary): unrecoverable" in problem and "E060" in problem
    assert _package_events(archive, document_id)[1:] == [("fix", "failure"), ("rec", "failure")]
    assert _audit(archive, f"ocfl:{base}") == [("fixity.failure", f"ocfl:{base}"),
                                                ("fixity.unrecoverable", f"ocfl:{base}")]
    failures = [(r["action"], r["object"]) for r in failures_and_repairs(archive)]
    assert ("fixity.failure", f"ocfl:{base}") in failures
    custody = [r["what"] for r in chain_of_custody(archive, document_id)]
    assert "fixity.failure" in custody and "fixity.unrecoverable" in custody
    code, output = run_cli(env, "verify", "--record", str(document_id), "--json")  # the record's package too
    findings = json.loads(output.splitlines()[-1])["summary"]["ocfl_findings"]
    assert code == 1 and list(findings) == ["primary"] and "E060" in findings["primary"][0]
    assert findings["primary"][0].endswith("— unrecoverable")
    archive.engine.dispose()


def test_the_paced_tick_repairs_a_damaged_ocfl_inventory_from_the_replica(replicated_env: dict[str, str]) -> None:
    from archive.integrity.schedule import maintenance_tick
    from ingest.package.validate import validate_object
    from tests.pipeline.conftest import SCHEMA_DIR

    env = {**replicated_env, "LUUTRU_SCHEMA_DIR": str(SCHEMA_DIR)}
    assert run_cli(env, "init")[0] == 0
    archive = create_archive(load_settings(env))
    document_id, base = _sealed_record(archive)
    report = maintenance_tick(archive)  # replicates the bitstreams and mirrors the OCFL tree, then verifies
    assert report.packages == {"primary": 1, "replica": 1} and not report.problems, report
    corrupt_local(archive.settings.objects_dir, f"{base}/inventory.json.sha512", offset=3)
    report = maintenance_tick(archive)
    assert any("(primary): repaired" in p and "E061" in p for p in report.problems), report.problems
    assert [f for f in validate_object(archive.store, base) if f.is_error] == []
    assert _audit(archive, f"ocfl:{base}") == [("fixity.failure", f"ocfl:{base}"),
                                                ("fixity.repair", f"ocfl:{base}/inventory.json.sha512")]
    # primary: failed, restored; then the replica's copy, validated in the same tick
    assert _package_events(archive, document_id)[-3:] == [("fix", "failure"), ("rec", "success"), ("fix", "success")]
    assert not maintenance_tick(archive).problems
    archive.engine.dispose()
