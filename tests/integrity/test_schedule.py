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
