"""Celery on the real Redis carries tasks to a worker and back; the embedded profile has no broker."""

from __future__ import annotations

import hashlib
from pathlib import Path

from celery.contrib.testing.worker import start_worker

from archive.config import load_settings
from archive.factory import make_celery


def test_embedded_profile_needs_no_broker(tmp_path: Path) -> None:
    assert make_celery(load_settings({"LUUTRU_DATA_DIR": str(tmp_path)})) is None


def test_celery_round_trip_on_real_redis(redis_url: str, tmp_path: Path) -> None:
    app = make_celery(load_settings({"LUUTRU_DATA_DIR": str(tmp_path), "LUUTRU_BROKER_URL": redis_url}))
    assert app is not None and app.conf.result_backend == redis_url
    assert app.conf.task_acks_late is True and app.conf.task_reject_on_worker_lost is True

    @app.task(name="tests.digest", shared=False)
    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, shutdown_timeout=30):
        assert digest.delay("Lưu trữ số").get(timeout=60) == hashlib.sha256("Lưu trữ số".encode()).hexdigest()
