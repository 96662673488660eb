"""Fixity over every copy, replication and repair: local folders and MinIO buckets, SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

from archive.catalog import ObjectCopy, PreservationEvent
from archive.config import load_settings
from archive.factory import Archive, create_archive
from archive.integrity.schedule import fixity_tick
from tests.integrity.conftest import corrupt_local, run_cli, store_master


@pytest.fixture()
def replicated(replicated_env: dict[str, str]) -> Iterator[Archive]:
    code, output = run_cli(replicated_env, "init")
    assert code == 0, output
    built = create_archive(load_settings(replicated_env))
    yield built
    built.engine.dispose()


def _events(archive: Archive, event_type: str) -> list[tuple[str, str]]:
    with archive.sessions() as session:
        return [(e.outcome.value, e.outcome_detail or "") for e in session.scalars(
            select(PreservationEvent).where(PreservationEvent.event_type == event_type).order_by(PreservationEvent.id))]


def _actions(archive: Archive) -> list[str]:
    with archive.engine.connect() as conn:
        return [row[0] for row in conn.execute(text("SELECT action FROM audit_entry ORDER BY seq"))]


def _verify_json(env: dict[str, str], *args: str) -> tuple[int, list[dict[str, object]]]:
    code, output = run_cli(env, "verify", "--json", *args)
    return code, [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def _sha(path: os.PathLike[str]) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def test_flipped_byte_in_one_copy_is_detected_reported_and_repaired(replicated: Archive,
                                                                    replicated_env: dict[str, str]) -> None:
    good = store_master(replicated, b"%PDF-1.7 good " * 2000)
    victim = store_master(replicated, os.urandom(300_000))
    code, output = run_cli(replicated_env, "replicate")
    assert code == 0, output
    assert "Copied 2" in output
    assert [o for o, _ in _events(replicated, "rep")] == ["success", "success"]
    replica_root = replicated.replica.root  # type: ignore[union-attr]
    assert _sha(replica_root / victim.storage_key) == victim.sha256

    corrupt_local(replicated.settings.objects_dir, victim.storage_key, offset=123_456)
    code, results = _verify_json(replicated_env, "--all")
    assert code == 1
    by_key = {r["key"]: r for r in results if "key" in r}
    assert by_key[good.storage_key]["status"] == "ok"
    assert by_key[victim.storage_key]["status"] == "repaired"
    primary = next(c for c in by_key[victim.storage_key]["copies"] if c["location"] == "primary")  # type: ignore[union-attr]
    assert primary["state"] == "damaged" and primary["repaired"]
    assert _sha(replicated.settings.objects_dir / victim.storage_key) == victim.sha256
    assert oct((replicated.settings.objects_dir / victim.storage_key).stat().st_mode & 0o777) == "0o444"
    fixity = _events(replicated, "fix")
    assert len(fixity) == 4 and [o for o, _ in fixity].count("failure") == 1
    assert _events(replicated, "rec")[0][0] == "success"
    assert _actions(replicated)[-2:] == ["fixity.failure", "fixity.repair"]

    code, _ = _verify_json(replicated_env, "--all")
    assert code == 0


def test_deleted_copy_is_detected_and_repaired(replicated: Archive, replicated_env: dict[str, str]) -> None:
    victim = store_master(replicated, b"one copy will vanish" * 100)
    assert run_cli(replicated_env, "replicate")[0] == 0
    replica_file = replicated.replica.root / victim.storage_key  # type: ignore[union-attr]
    replica_file.unlink()
    code, output = run_cli(replicated_env, "verify", "--record", "0")
    assert code == 0  # the record selection has no objects: document 0 does not exist
    code, output = run_cli(replicated_env, "verify")
    assert code == 1
    assert "REPAIRED" in output and "No object is stored under" in output
    assert _sha(replica_file) == victim.sha256
    with replicated.sessions() as session:
        copy = session.get(ObjectCopy, (victim.id, "replica"))
        assert copy is not None and copy.state == "ok" and copy.repaired_at is not None


def test_both_copies_corrupt_is_unrecoverable_and_never_repaired(replicated: Archive,
                                                                 replicated_env: dict[str, str]) -> None:
    victim = store_master(replicated, b"both copies rot" * 1000)
    assert run_cli(replicated_env, "replicate")[0] == 0
    corrupt_local(replicated.settings.objects_dir, victim.storage_key, offset=5)
    corrupt_local(replicated.replica.root, victim.storage_key, offset=50)  # type: ignore[union-attr]
    code, results = _verify_json(replicated_env)
    assert code == 1
    assert results[0]["status"] == "unrecoverable"
    assert _sha(replicated.settings.objects_dir / victim.storage_key) != victim.sha256
    assert _events(replicated, "rec") and _events(replicated, "rec")[0][0] == "failure"
    assert "fixity.unrecoverable" in _actions(replicated)
    assert all(o == "failure" for o, _ in _events(replicated, "fix"))
    code, output = run_cli(replicated_env, "report", "failures", "--json")
    assert code == 0
    assert [row["action"] for row in json.loads(output)] == ["fixity.failure", "fixity.failure",
                                                             "fixity.unrecoverable"]


def test_single_location_damage_is_unrecoverable(archive: Archive, catalog_env: dict[str, str]) -> None:
    victim = store_master(archive, b"only copy" * 100)
    corrupt_local(archive.settings.objects_dir, victim.storage_key)
    code, results = _verify_json(catalog_env, "--all")
    assert code == 1 and results[0]["status"] == "unrecoverable"
    # Checked moments ago, so a 30-day selection is empty; a 0-minute one takes it again.
    code, results = _verify_json(catalog_env, "--older-than", "30d")
    assert code == 0 and results == [{"summary": {"objects": 0, "by_status": {}, "ocfl_findings": {}, "ok": True}}]
    code, results = _verify_json(catalog_env, "--older-than", "0m")
    assert code == 1 and results[0]["status"] == "unrecoverable"


def test_paced_tick_verifies_oldest_first_within_budget(replicated_env: dict[str, str]) -> None:
    env = {**replicated_env, "LUUTRU_FIXITY_CYCLE_DAYS": "1", "LUUTRU_FIXITY_TICK_SECONDS": "28800",
           "LUUTRU_FIXITY_BANDWIDTH": "1"}
    assert run_cli(env, "init")[0] == 0
    archive = create_archive(load_settings(env))
    masters = [store_master(archive, f"object {n}".encode() * 5000) for n in range(6)]
    # 6 objects, 3 ticks per cycle: 2 per tick per location, but the budget (28800 bytes) allows only 1.
    report = fixity_tick(archive)
    assert report.verified == {"primary": 1}  # nothing replicated yet: the replica owes no fixity
    with archive.sessions() as session:
        first = set(session.scalars(select(ObjectCopy.bitstream_id).where(ObjectCopy.last_verified_at.is_not(None))))
    assert first == {masters[0].id}
    archive.engine.dispose()
    env["LUUTRU_FIXITY_BANDWIDTH"] = str(10**9)
    archive = create_archive(load_settings(env))
    assert run_cli(env, "replicate")[0] == 0
    seen: set[int] = set()
    for _ in range(3):
        report = fixity_tick(archive)
        assert report.verified["primary"] == 2 and not report.problems
        with archive.sessions() as session:
            recent = session.scalars(select(ObjectCopy).where(ObjectCopy.location == "primary")
                                     .order_by(ObjectCopy.last_verified_at.desc()).limit(2))
            seen |= {c.bitstream_id for c in recent}
    assert seen == {m.id for m in masters}  # a full pass in one cycle, never the same object twice
    archive.engine.dispose()


@pytest.mark.services
def test_s3_copies_are_replicated_verified_and_repaired(s3_replicated_env: dict[str, str]) -> None:
    from minio import Minio

    env = s3_replicated_env
    code, output = run_cli(env, "init")
    assert code == 0, output
    archive = create_archive(load_settings(env))
    small = store_master(archive, b"small master " * 100)
    large = store_master(archive, os.urandom(20 * 1024 * 1024 + 7))  # multipart on restore
    assert run_cli(env, "replicate")[0] == 0
    client = Minio(env["LUUTRU_S3_ENDPOINT"], access_key=env["LUUTRU_S3_ACCESS_KEY"],
                   secret_key=env["LUUTRU_S3_SECRET_KEY"], secure=False)
    data = bytearray(client.get_object(env["LUUTRU_S3_BUCKET"], large.storage_key).read())
    data[1_000_000] ^= 0x01
    client.put_object(env["LUUTRU_S3_BUCKET"], large.storage_key, io.BytesIO(bytes(data)), len(data))
    client.remove_object(env["LUUTRU_REPLICA_S3_BUCKET"], small.storage_key)
    code, results = _verify_json(env)
    assert code == 1
    assert {r["key"]: r["status"] for r in results if "key" in r} == {small.storage_key: "repaired",
                                                                      large.storage_key: "repaired"}
    assert archive.store.verify(large.storage_key, large.sha256).ok
    assert archive.replica.verify(small.storage_key, small.sha256).ok  # type: ignore[union-attr]
    assert _verify_json(env)[0] == 0
    code, output = run_cli(env, "report", "reconcile", "--json")
    assert json.loads(output) == [] and code == 0
    archive.engine.dispose()


def test_status_reports_the_replica(replicated: Archive, replicated_env: dict[str, str]) -> None:
    code, output = run_cli(replicated_env, "status", "--json")
    components = {c["component"]: c for c in json.loads(output)["components"]}
    assert components["replica"]["ok"] and str(replicated.replica.root) in components["replica"]["detail"]  # type: ignore[union-attr]
