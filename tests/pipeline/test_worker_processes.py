"""Worker processes of the embedded profile: a batch is shared out by the catalog's leases, every item
ends archived exactly once, and processes that cannot start are reported instead of restarted forever."""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from archive.batches import BatchService
from archive.catalog import ArchivalPackage, BatchItem, PreservationEvent
from archive.catalog.codes import EventType
from archive.cli import main
from archive.factory import Archive
from archive.work import WorkerProcesses, WorkerStartError
from tests.pipeline.badfiles import CORPUS


def _copies(folder: Path, count: int) -> list[Path]:
    """Distinct born-digital PDFs (a trailing comment makes each one its own record)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = [CORPUS / "vn003.pdf", CORPUS / "vn008.pdf", CORPUS / "vn010.pdf"]
    paths = []
    for i in range(count):
        path = folder / f"ban-{i:02d}.pdf"
        path.write_bytes(sources[i % 3].read_bytes() + f"\n% ban {i}\n".encode())
        paths.append(path)
    return paths


def test_two_processes_archive_a_batch_exactly_once(archive: Archive, tmp_path: Path) -> None:
    files = _copies(tmp_path / "in", 8)
    broken = tmp_path / "in" / "hong.pdf"
    broken.write_bytes(b"%PDF-1.7\n this is not a PDF body")
    service = BatchService(archive)
    batch_id = service.submit([*files, broken])

    WorkerProcesses(archive.settings, 2).run(until_batch_done=batch_id, poll_seconds=0.1)

    report = service.report(batch_id)
    states = {str(item["name"]).rsplit("/", 1)[-1]: item["state"] for item in report.items}
    assert states.pop("hong.pdf") == "quarantined"   # the rest of the batch went on
    assert set(states.values()) == {"archived"}, states
    with archive.sessions() as session:
        documents = set(session.scalars(select(BatchItem.document_id).where(BatchItem.batch_id == batch_id,
                                                                             BatchItem.state == "archived")))
        assert len(documents) == 8
        # One AIP per record with exactly one version (packaged as accessioned), and one accession event each.
        heads = session.execute(select(ArchivalPackage.document_id, ArchivalPackage.head_version)).all()
        assert sorted(heads) == sorted((d, 1) for d in documents)
        accessions = session.scalar(select(func.count()).select_from(PreservationEvent)
                                    .where(PreservationEvent.event_type == EventType.ACCESSION))
        assert accessions == 8
        leased = session.scalar(select(func.count()).select_from(BatchItem).where(BatchItem.lease_owner.is_not(None)))
        assert leased == 0
    archive.index.refresh()
    assert sorted(archive.index.doc_ids()) == sorted(str(d) for d in documents)


def test_stop_lets_the_items_in_hand_finish(archive: Archive, tmp_path: Path) -> None:
    files = _copies(tmp_path / "in", 6)
    service = BatchService(archive)
    batch_id = service.submit(files)
    worker = WorkerProcesses(archive.settings, 2)
    runner = threading.Thread(target=worker.run, kwargs={"poll_seconds": 0.1})
    runner.start()
    deadline = time.monotonic() + 120
    while service.report(batch_id, with_items=False).done == 0:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    worker.stop()
    runner.join(timeout=120)
    assert not runner.is_alive()
    with archive.sessions() as session:
        # Whatever was taken up was finished: nothing is left holding a lease.
        leased = session.scalar(select(func.count()).select_from(BatchItem).where(BatchItem.lease_owner.is_not(None)))
    assert leased == 0
    # And what is left is worked by the next run.
    WorkerProcesses(archive.settings, 2).run(until_batch_done=batch_id, poll_seconds=0.1)
    assert {item["state"] for item in service.report(batch_id).items} == {"archived"}


def test_processes_that_die_at_start_are_reported_not_restarted_forever(archive: Archive) -> None:
    unreachable = dataclasses.replace(archive.settings,
                                      database_url="postgresql://luutru:luutru@127.0.0.1:9/unreachable")
    started = time.monotonic()
    with pytest.raises(WorkerStartError) as raised:
        WorkerProcesses(unreachable, 1).run(poll_seconds=0.1)
    assert time.monotonic() - started < 60
    assert "luutru status" in raised.value.vi and "3 lần liên tiếp" in raised.value.vi
    assert "3 times in a row" in raised.value.en


def test_ingest_wait_works_the_batch_in_worker_processes(embedded_env: dict[str, str], tmp_path: Path) -> None:
    env = dict(embedded_env)
    assert CliRunner().invoke(main, ["init"], env=env, catch_exceptions=False).exit_code == 0
    folder = tmp_path / "lo"
    for path in _copies(tmp_path / "src", 4):
        folder.mkdir(exist_ok=True)
        shutil.copy(path, folder / path.name)
    result = CliRunner().invoke(main, ["--lang", "en", "ingest", str(folder), "--wait", "--json"], env=env,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert '"archived": 4' in result.output


def test_ctrl_c_ends_luutru_worker_and_its_processes_quietly(embedded_env: dict[str, str], tmp_path: Path) -> None:
    """Ctrl-C reaches the whole terminal group: the command and its worker processes end within seconds,
    without a traceback, and the items they had not started are worked by the next run."""
    env = {**os.environ, **embedded_env}
    assert CliRunner().invoke(main, ["init"], env=embedded_env, catch_exceptions=False).exit_code == 0
    luutru = Path(sys.executable).with_name("luutru")
    worker = subprocess.Popen([str(luutru), "worker", "--processes", "2"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, start_new_session=True)
    try:
        time.sleep(8)   # the fork server's imports, then both processes polling
        assert worker.poll() is None
        os.killpg(worker.pid, signal.SIGINT)
        _, err = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert b"Traceback" not in err, err.decode(errors="replace")[-3000:]
    deadline = time.monotonic() + 20   # the fork server and resource tracker leave once they notice
    while (left := subprocess.run(["pgrep", "-s", str(worker.pid)], capture_output=True, text=True).stdout.split()):
        assert time.monotonic() < deadline, subprocess.run(["ps", "-o", "pid,stat,cmd", "-p", ",".join(left)],
                                                           capture_output=True, text=True).stdout
        time.sleep(0.2)
