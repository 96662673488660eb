"""The audit log: a hash chain that names the first altered, removed or inserted entry, signed checkpoints in
object storage, concurrent appends on SQLite and PostgreSQL, and an export checked with sha256sum and openssl."""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path

from sqlalchemy import text

from archive.audit import record, verify_log, write_checkpoint
from archive.audit.canonical import GENESIS, canonical, sha256_hex
from archive.audit.checkpoints import PREFIX
from archive.factory import Archive
from tests.integrity.conftest import run_cli


def _fill(archive: Archive, count: int) -> None:
    for n in range(count):
        record(archive, "test.action", actor=f"user{n}", agency="000.00.00.G09", ip="127.0.0.1",
               object=f"document:{n}", details={"n": n, "note": "Quyết định số 05/QĐ-BNV"})


def _sql(archive: Archive, statement: str, **params: object) -> None:
    with archive.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_canonical_encoding_is_rfc8785_for_our_subset() -> None:
    assert canonical({"b": 1, "a": [True, None, "ệ"], "A": {"z": "\n"}}) == \
        '{"A":{"z":"\\n"},"a":[true,null,"ệ"],"b":1}'.encode()


def test_intact_log_verifies_and_concurrent_appends_never_fork(archive: Archive) -> None:
    threads = [threading.Thread(target=_fill, args=(archive, 15)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    write_checkpoint(archive)
    report = verify_log(archive)
    assert report.ok, report.problems
    assert report.entries == 61  # 60 appended + `luutru init`
    assert report.checkpoints == 1
    with archive.engine.connect() as conn:
        seqs = [row[0] for row in conn.execute(text("SELECT seq FROM audit_entry ORDER BY seq"))]
    assert seqs == list(range(1, 62))


def test_altered_entry_is_named(archive: Archive, catalog_env: dict[str, str]) -> None:
    _fill(archive, 10)
    _sql(archive, "UPDATE audit_entry SET actor = 'mallory' WHERE seq = 5")
    report = verify_log(archive)
    assert not report.ok
    assert (report.problems[0].seq, report.problems[0].kind) == (5, "altered")
    code, output = run_cli(catalog_env, "audit", "verify")
    assert code == 1
    assert "entry 5 was altered" in output


def test_altered_and_rehashed_entry_is_caught_by_the_next_link(archive: Archive) -> None:
    _fill(archive, 10)
    with archive.sessions() as session:
        from archive.audit.log import line_of
        from archive.catalog import AuditEntry

        row = session.get(AuditEntry, 4)
        row.actor = "mallory"
        forged = sha256_hex(line_of(row))
    _sql(archive, "UPDATE audit_entry SET actor = 'mallory', entry_hash = :h WHERE seq = 4", h=forged)
    problems = verify_log(archive).problems
    assert (problems[0].seq, problems[0].kind) == (4, "altered")


def test_removed_entry_is_named(archive: Archive) -> None:
    _fill(archive, 10)
    _sql(archive, "DELETE FROM audit_entry WHERE seq = 7")
    problems = verify_log(archive).problems
    assert (problems[0].seq, problems[0].kind) == (7, "removed")
    assert "entry 7 removed" in problems[0].message


def test_removed_tail_is_caught_by_the_signed_checkpoint(archive: Archive) -> None:
    _fill(archive, 10)
    write_checkpoint(archive)
    _sql(archive, "DELETE FROM audit_entry WHERE seq >= 10")
    _sql(archive, "DELETE FROM audit_checkpoint")  # the tamperer cleans the catalog; object storage keeps its copy
    problems = verify_log(archive).problems
    assert (problems[0].seq, problems[0].kind) == (10, "removed")


def test_inserted_entry_is_named(archive: Archive) -> None:
    _fill(archive, 10)
    # Make room after entry 5 (two steps, so the primary key never collides), then forge entry 6.
    _sql(archive, "UPDATE audit_entry SET seq = seq + 1000 WHERE seq > 5")
    _sql(archive, "UPDATE audit_entry SET seq = seq - 999 WHERE seq > 1000")
    with archive.engine.connect() as conn:
        prev = conn.execute(text("SELECT entry_hash FROM audit_entry WHERE seq = 5")).scalar_one()
    entry = {"seq": 6, "time": "2026-01-01T00:00:00.000000Z", "actor": "mallory", "agency": None, "ip": None,
             "action": "test.action", "object": None, "details": {}}
    forged = sha256_hex(canonical({"entry": entry, "prev": prev}))
    _sql(archive, "INSERT INTO audit_entry (seq, at, actor, action, details, prev_hash, entry_hash) "
                  "VALUES (6, '2026-01-01T00:00:00.000000Z', 'mallory', 'test.action', '{}', :p, :h)", p=prev, h=forged)
    problems = verify_log(archive).problems
    assert (problems[0].seq, problems[0].kind) == (6, "inserted")


def test_forged_checkpoint_signature_is_reported(archive: Archive) -> None:
    _fill(archive, 3)
    checkpoint = write_checkpoint(archive)
    assert checkpoint is not None
    key = f"{PREFIX}{checkpoint.seq:012d}.sig"
    path = archive.settings.objects_dir / key
    path.chmod(0o644)
    path.write_bytes(bytes(64))
    report = verify_log(archive)
    assert any(p.kind == "checkpoint" and "valid signature" in p.message for p in report.problems)


def test_export_is_verified_with_sha256sum_and_openssl(archive: Archive, catalog_env: dict[str, str],
                                                        tmp_path: Path) -> None:
    _fill(archive, 5)
    out = tmp_path / "export"
    code, output = run_cli(catalog_env, "audit", "export", str(out))
    assert code == 0, output
    lines = (out / "audit.jsonl").read_bytes().splitlines()
    assert json.loads(lines[0])["prev"] == GENESIS
    checked = subprocess.run(["bash", "verify.sh"], cwd=out, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Signature Verified Successfully" in checked.stdout
    assert f"OK: {len(lines)} entries" in checked.stdout
    # Step 1 by hand, as VERIFY.md describes it: the SHA-256 of line 1 is the prev of line 2.
    digest = subprocess.run(["sha256sum"], input=lines[0], capture_output=True).stdout[:64].decode()
    assert lines[1].endswith(f',"prev":"{digest}"}}'.encode())

    tampered = tmp_path / "tampered"
    tampered.mkdir()
    for name in ("checkpoint.json", "checkpoint.sig", "public-key.pem", "verify.sh"):
        (tampered / name).write_bytes((out / name).read_bytes())
    altered = [lines[0], lines[1].replace(b"user0", b"user9"), *lines[2:]]
    (tampered / "audit.jsonl").write_bytes(b"\n".join(altered) + b"\n")
    failed = subprocess.run(["bash", "verify.sh"], cwd=tampered, capture_output=True, text=True)
    assert failed.returncode == 1
    assert "line 3: does not link" in failed.stdout

    forged = tmp_path / "forged-checkpoint"
    forged.mkdir()
    for name in ("audit.jsonl", "checkpoint.sig", "public-key.pem", "verify.sh"):
        (forged / name).write_bytes((out / name).read_bytes())
    (forged / "checkpoint.json").write_bytes((out / "checkpoint.json").read_bytes().replace(b'"type"', b'"typ\\u0065"'))
    assert subprocess.run(["bash", "verify.sh"], cwd=forged, capture_output=True, text=True).returncode != 0


def test_cli_actions_are_logged(archive: Archive, catalog_env: dict[str, str]) -> None:
    with archive.engine.connect() as conn:
        actions = [row[0] for row in conn.execute(text("SELECT action FROM audit_entry ORDER BY seq"))]
    assert actions == ["config.init"]
    assert archive.settings.audit_key_path.stat().st_mode & 0o077 == 0


def test_a_tampered_log_is_never_signed(archive: Archive, catalog_env: dict[str, str]) -> None:
    _fill(archive, 4)
    write_checkpoint(archive)
    _fill(archive, 3)
    _sql(archive, "UPDATE audit_entry SET details = :d WHERE seq = 7", d='{"n":99}')
    code, output = run_cli(catalog_env, "audit", "checkpoint")
    assert code == 1 and "does not chain at entry 7" in output
    assert run_cli(catalog_env, "audit", "export", str(archive.settings.data_dir / "x"))[0] == 1


def test_the_replica_keeps_checkpoints_the_primary_lost(replicated_env: dict[str, str]) -> None:
    from archive.config import load_settings
    from archive.factory import create_archive

    assert run_cli(replicated_env, "init")[0] == 0
    archive = create_archive(load_settings(replicated_env))
    _fill(archive, 5)
    write_checkpoint(archive)
    for path in (archive.settings.objects_dir / PREFIX).iterdir():
        path.unlink()  # someone with access to the primary store removes the evidence…
    _sql(archive, "DELETE FROM audit_entry WHERE seq = 6")  # …and the last entry
    problems = verify_log(archive).problems
    assert (problems[0].seq, problems[0].kind) == (6, "removed")
    archive.engine.dispose()
