"""The same pipeline on the services profile: PostgreSQL, MinIO, Elasticsearch, Celery on Redis, ClamAV."""

from __future__ import annotations

import time
from pathlib import Path

from celery.contrib.testing.worker import start_worker
from click.testing import CliRunner

from archive.batches import BatchService
from archive.cli import main
from archive.config import load_settings
from archive.factory import create_archive
from search.base import SearchRequest, Visibility
from tests.pipeline.badfiles import CORPUS, eicar
from tests.pipeline.conftest import by_name


def test_batch_through_celery_workers_on_real_services(
        tmp_path: Path, services_env: dict[str, str], clamd_address: str) -> None:
    env = {**services_env, "LUUTRU_CLAMD": clamd_address, "LUUTRU_DATA_DIR": str(tmp_path / "work"),
           "LUUTRU_OCR_JOBS": "1"}
    assert CliRunner().invoke(main, ["init"], env=env, catch_exceptions=False).exit_code == 0
    archive = create_archive(load_settings(env))
    assert archive.celery is not None
    service = BatchService(archive)
    batch_id = service.submit([CORPUS / "vn003.pdf", CORPUS / "vn014.jpg", eicar(tmp_path / "virus.txt")],
                              name="Lô dịch vụ")
    with start_worker(archive.celery, pool="threads", concurrency=2, perform_ping_check=False,
                      shutdown_timeout=60):
        deadline = time.monotonic() + 300
        while (report := service.report(batch_id)).done < report.total:
            assert time.monotonic() < deadline, report
            time.sleep(0.5)
    items = by_name(report)
    assert items["vn003.pdf"]["state"] == "archived" and items["vn014.jpg"]["state"] == "archived"
    assert items["virus.txt"]["failure_code"] == "infected"
    for item in items.values():  # masters are in MinIO and verify by re-reading
        assert archive.store.verify(str(item["master_key"]), str(item["sha256"])).ok
    archive.index.refresh()
    found = archive.index.search(SearchRequest("bao cao"), Visibility.everything())
    assert str(items["vn014.jpg"]["document_id"]) in {hit.doc_id for hit in found.hits}
    assert archive.engine.dialect.name == "postgresql"
