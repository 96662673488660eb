"""A service stops in the middle of a batch and comes back: the batch completes without manual action.

MinIO and Elasticsearch are each stopped for real (the process is killed, as an operator or a crash
would) while a Celery worker is processing a batch, then started again on the same data. The
instances are private to the test — their own directory and ports, started by
``scripts/services.sh`` like the shared ones — so stopping them disturbs no other test. Items that
meet the outage wait with a readable reason and a backoff (``LUUTRU_RETRY_SECONDS`` is short here,
30 s in production) and resume on their own.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from click.testing import CliRunner
from sqlalchemy import select

from archive.batches import BatchReport, BatchService
from archive.catalog import ArchivalPackage, BatchItem, Bitstream
from archive.cli import main
from archive.config import load_settings
from archive.factory import Archive, create_archive
from ingest.package import validate_storage_root
from search.base import SearchRequest, Visibility
from tests.conftest import REPO_ROOT
from tests.pipeline.badfiles import CORPUS
from tests.pipeline.conftest import SCHEMA_DIR

SERVICES_SH = REPO_ROOT / "scripts" / "services.sh"
SCANS = ("vn014.jpg", "vn015.jpg", "vn030.jpg")
BORN_DIGITAL = ("vn003.pdf", "vn008.pdf", "vn010.pdf")


def free_port(also_free: int = 0) -> int:
    """A loopback port that is free now, and whose ``+also_free`` neighbour is too (ES transport)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port + also_free > 65535:
            continue
        if not also_free:
            return port
        with socket.socket() as other:
            try:
                other.bind(("127.0.0.1", port + also_free))
                return port
            except OSError:
                continue


class PrivateService:
    """One service of ``scripts/services.sh`` in its own directory, on its own port."""

    def __init__(self, name: str, base: Path, port_variable: str, port: int) -> None:
        self.name, self.port = name, port
        self.env = {**os.environ, "LUUTRU_SERVICES_DIR": str(base), port_variable: str(port)}

    def _run(self, command: str) -> None:
        result = subprocess.run(["bash", str(SERVICES_SH), command, self.name], env=self.env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, (command, self.name, result.stderr[-2000:])

    def up(self) -> None:
        self._run("up")

    def stop(self) -> None:
        self._run("stop")

    def down(self) -> None:
        self._run("down")


@pytest.fixture()
def services_dir() -> Iterator[Path]:
    """Outside pytest's private temporary tree: Elasticsearch runs as the service user and must reach it."""
    base = Path(tempfile.mkdtemp(prefix="luutru-private-services-"))
    base.chmod(0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture()
def private_minio(services_dir: Path) -> Iterator[PrivateService]:
    service = PrivateService("minio", services_dir, "LUUTRU_MINIO_PORT", free_port())
    service.up()
    yield service
    service.down()


@pytest.fixture()
def private_elasticsearch(services_dir: Path) -> Iterator[PrivateService]:
    service = PrivateService("elasticsearch", services_dir, "LUUTRU_ES_PORT", free_port(also_free=100))
    service.up()
    yield service
    service.down()


def services_archive(tmp_path: Path, services_env: dict[str, str], clamd_address: str,
                     **changes: str) -> Archive:
    """A services-profile installation with short backoffs, initialised like `luutru init` does."""
    env = {**services_env, "LUUTRU_CLAMD": clamd_address, "LUUTRU_DATA_DIR": str(tmp_path / "work"),
           "LUUTRU_OCR_JOBS": "1", "LUUTRU_RETRY_SECONDS": "1", "LUUTRU_MAX_ATTEMPTS": "10",
           "LUUTRU_SCHEMA_DIR": str(SCHEMA_DIR), **changes}
    result = CliRunner().invoke(main, ["init"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return create_archive(load_settings(env))


@contextmanager
def batch_under_way(archive: Archive, name: str) -> Iterator[tuple[BatchService, int]]:
    """A batch on a Celery worker: entered once an item is archived, left once every item is done.

    Scans come first: their OCR keeps the batch busy while the service goes away.
    """
    assert archive.celery is not None
    service = BatchService(archive)
    batch_id = service.submit([CORPUS / n for n in (*SCANS, *BORN_DIGITAL)], name=name)

    def items() -> object:
        return service.report(batch_id).items

    with start_worker(archive.celery, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=60):
        wait_until(lambda: service.report(batch_id).archived >= 1, 300, items)
        yield service, batch_id
        wait_until(lambda: service.report(batch_id).done == service.report(batch_id).total, 300, items)


def wait_until(condition: Callable[[], bool], seconds: float, what: Callable[[], object]) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what()
        time.sleep(0.2)


def codes_seen(archive: Archive, batch_id: int, seen: set[str]) -> set[str]:
    """Collect the failure codes items carry now (they are cleared once the step succeeds)."""
    with archive.sessions() as session:
        seen.update(c for c in session.scalars(select(BatchItem.failure_code).where(BatchItem.batch_id == batch_id))
                    if c)
    return seen


def assert_all_archived(archive: Archive, report: BatchReport) -> None:
    assert report.status == "completed", report.items
    assert [i["state"] for i in report.items] == ["archived"] * len(SCANS + BORN_DIGITAL), report.items
    assert all(i["failure_code"] is None for i in report.items), report.items
    with archive.sessions() as session:
        bitstreams = session.scalars(select(Bitstream)).all()
    # No orphans: outside the OCFL tree (accounted for by its inventories) every object is a bitstream.
    assert sorted(k for k in archive.store.list() if not k.startswith("ocfl/")) \
        == sorted(b.storage_key for b in bitstreams)
    assert [f for f in validate_storage_root(archive.store) if f.is_error] == []
    with archive.sessions() as session:
        assert len(session.scalars(select(ArchivalPackage)).all()) == len(report.items)
    for bitstream in bitstreams:
        assert archive.store.verify(bitstream.storage_key, bitstream.sha256).ok, bitstream.storage_key


def test_minio_stopped_mid_batch_the_batch_completes_when_it_is_back(
        tmp_path: Path, services_env: dict[str, str], clamd_address: str, private_minio: PrivateService) -> None:
    archive = services_archive(tmp_path, services_env, clamd_address,
                               LUUTRU_S3_ENDPOINT=f"127.0.0.1:{private_minio.port}", LUUTRU_S3_BUCKET="luutru-outage")
    seen: set[str] = set()
    with batch_under_way(archive, "Lô thử MinIO dừng") as (service, batch_id):
        private_minio.stop()   # the store goes away for a while
        stopped = time.monotonic()
        while time.monotonic() - stopped < 12:
            codes_seen(archive, batch_id, seen)
            time.sleep(0.2)
        assert service.report(batch_id).done < len(SCANS + BORN_DIGITAL)   # the outage met unfinished work
        private_minio.up()
    # Items met the outage, waited with a reason, and resumed with nobody retrying them.
    assert "store-unavailable" in seen, seen
    report = service.report(batch_id)
    assert any(int(str(i["attempts"])) > 0 for i in report.items), report.items
    assert_all_archived(archive, report)


def test_elasticsearch_stopped_mid_batch_items_wait_for_indexing_then_are_indexed(
        tmp_path: Path, services_env: dict[str, str], clamd_address: str,
        private_elasticsearch: PrivateService) -> None:
    archive = services_archive(tmp_path, services_env, clamd_address,
                               LUUTRU_ES_URL=f"http://127.0.0.1:{private_elasticsearch.port}")
    seen: set[str] = set()
    with batch_under_way(archive, "Lô thử Elasticsearch dừng") as (service, batch_id):
        private_elasticsearch.stop()
        # While the index is away, items are stored, described and packaged, and wait only for indexing.
        wait_until(lambda: "index-unavailable" in codes_seen(archive, batch_id, seen), 300,
                   lambda: service.report(batch_id).items)
        with archive.sessions() as session:
            waiting = session.scalars(select(BatchItem).where(BatchItem.batch_id == batch_id,
                                                              BatchItem.failure_code == "index-unavailable")).all()
            assert waiting and all(i.state.value == "packaged" and i.document_id for i in waiting)
        private_elasticsearch.up()
    report = service.report(batch_id)
    assert_all_archived(archive, report)
    # Every record is in the index that came back, including those archived before the outage.
    archive.index.refresh()
    found = archive.index.search(SearchRequest(""), Visibility.everything())
    assert {hit.doc_id for hit in found.hits} == {str(i["document_id"]) for i in report.items}
