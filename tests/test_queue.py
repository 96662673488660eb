"""Tasks really travel through the broker to a worker and back, on both profiles."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker

from archive.config import load_settings
from archive.factory import make_queue


def _round_trip(app: Celery) -> None:
    @app.task(name=f"tests.digest.{id(app)}")
    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, shutdown_timeout=30):
        result = digest.delay("Lưu trữ số")
        assert result.get(timeout=60) == hashlib.sha256("Lưu trữ số".encode()).hexdigest()


def test_embedded_queue_needs_no_server(tmp_path: Path) -> None:
    settings = load_settings({"LUUTRU_DATA_DIR": str(tmp_path)})
    tmp_path.mkdir(exist_ok=True)
    _round_trip(make_queue(settings))
    assert (tmp_path / "queue.sqlite").exists()


def test_services_queue_on_real_redis(redis_url: str, tmp_path: Path) -> None:
    settings = load_settings({"LUUTRU_DATA_DIR": str(tmp_path), "LUUTRU_BROKER_URL": redis_url})
    app = make_queue(settings)
    assert app.conf.result_backend == redis_url
    _round_trip(app)


@pytest.mark.parametrize("setting", ["task_acks_late", "task_reject_on_worker_lost"])
def test_tasks_survive_a_dying_worker(setting: str, tmp_path: Path) -> None:
    assert make_queue(load_settings({"LUUTRU_DATA_DIR": str(tmp_path)})).conf[setting] is True
