"""The services script is idempotent, and a missing service fails the suite instead of skipping it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from tests.conftest import REPO_ROOT


def test_second_up_is_a_fast_no_op(es_url: str, pg_url: str, minio_endpoint: str, redis_url: str, clamd_address: str) -> None:
    started = time.monotonic()
    run = subprocess.run([str(REPO_ROOT / "scripts" / "services.sh"), "up"], capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - started
    assert run.returncode == 0, run.stderr
    for name in ("postgresql", "redis", "minio", "elasticsearch", "clamd"):
        assert f"{name} already running" in run.stderr
    assert elapsed < 15
    status = subprocess.run([str(REPO_ROOT / "scripts" / "services.sh"), "status"], capture_output=True, text=True)
    assert status.returncode == 0 and status.stdout.count(" up") == 5


def test_missing_service_fails_loudly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = dict(os.environ, LUUTRU_TEST_ES_URL="http://127.0.0.1:9")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(REPO_ROOT),
         str(REPO_ROOT / "tests" / "search" / "test_index_contract.py"), "-k", "elasticsearch"],
        capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=300)
    assert run.returncode == 1, run.stdout
    assert "elasticsearch is not reachable at 127.0.0.1:9" in run.stdout
    assert "skipped" not in run.stdout
    assert " failed" in run.stdout or " error" in run.stdout
