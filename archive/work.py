"""Which items are due for work, and the two ways of getting them worked on.

The catalog is the queue of record: an item is due when it is not finished, nobody holds a live
lease on it and its backoff has passed. Celery (services profile) only carries "look at item N"
messages, and a periodic sweep re-sends them for items whose message was lost, e.g. because the
worker holding it was killed. The embedded profile needs no broker at all: its workers poll the
same query, in worker processes (``WorkerProcesses``: `luutru worker`, `luutru ingest --wait`,
`luutru serve`) or in threads of one process (``LocalWorker``: `luutru worker --threads N`).
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import shutil
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from archive.catalog import BatchItem, utc_now
from archive.config import Settings
from archive.pipeline.runner import TERMINAL, process_item, worker_identity
from storage.local import LocalObjectStore

if TYPE_CHECKING:
    from multiprocessing.synchronize import Event as ProcessEvent

    from archive.factory import Archive

log = logging.getLogger(__name__)


def due_items(archive: Archive, batch_id: int | None = None, limit: int = 1000) -> list[int]:
    now = utc_now()
    query = (select(BatchItem.id)
             .where(BatchItem.state.not_in(TERMINAL),
                    or_(BatchItem.lease_expires_at.is_(None), BatchItem.lease_expires_at < now),
                    or_(BatchItem.next_attempt_at.is_(None), BatchItem.next_attempt_at <= now))
             .order_by(BatchItem.id).limit(limit))
    if batch_id is not None:
        query = query.where(BatchItem.batch_id == batch_id)
    with archive.sessions() as session:
        return list(session.scalars(query))


def sweep_scratch(archive: Archive) -> int:
    """Remove what workers killed mid-item left behind: their item folders under the work directory
    and, on the local store, half-written uploads. Only what is older than a lease is touched: by
    then the item has been resumed elsewhere, so nothing alive still uses it. Run at worker start."""
    cutoff, removed = time.time() - archive.settings.lease_seconds, 0
    work_dir = archive.settings.work_dir
    if work_dir.is_dir():
        for folder in work_dir.glob("item-*"):
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
    if isinstance(archive.store, LocalObjectStore):
        removed += archive.store.sweep_abandoned_uploads(archive.settings.lease_seconds)
    if removed:
        log.info("removed %d abandoned scratch folder(s) and upload(s)", removed)
    return removed


def pending_count(archive: Archive, batch_id: int | None = None) -> int:
    query = select(BatchItem.id).where(BatchItem.state.not_in(TERMINAL))
    if batch_id is not None:
        query = query.where(BatchItem.batch_id == batch_id)
    with archive.sessions() as session:
        return len(list(session.scalars(query)))


class LocalWorker:
    """Threads in this process working through due items; what `luutru worker` runs when embedded."""

    def __init__(self, archive: Archive, threads: int) -> None:
        self.archive, self.threads = archive, max(1, threads)
        self.owner = worker_identity()
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def run(self, until_batch_done: int | None = None, poll_seconds: float = 0.5) -> None:
        """Work until stopped, or until every item of ``until_batch_done`` is finished."""
        in_flight: dict[int, Future[object]] = {}
        with ThreadPoolExecutor(self.threads, thread_name_prefix="luutru-item") as pool:
            while not self._stop.is_set():
                for item_id, future in list(in_flight.items()):
                    if future.done():
                        del in_flight[item_id]
                        if future.exception() is not None:
                            log.error("item %s: %s", item_id, future.exception())
                free = self.threads - len(in_flight)
                if free > 0:
                    for item_id in due_items(self.archive, until_batch_done, limit=free + len(in_flight)):
                        if item_id not in in_flight and len(in_flight) < self.threads:
                            in_flight[item_id] = pool.submit(process_item, self.archive, item_id, self.owner)
                if until_batch_done is not None and not in_flight and pending_count(self.archive, until_batch_done) == 0:
                    return
                if len(in_flight) == self.threads:
                    # Every thread is busy: take the next item the moment one finishes, not at the next
                    # poll (a born-digital item takes a few hundred ms, and a fixed pause idled the threads).
                    wait(in_flight.values(), timeout=poll_seconds, return_when=FIRST_COMPLETED)
                else:
                    self._stop.wait(poll_seconds)


PRELOADED = ["archive.factory", "archive.pipeline.steps", "archive.work", "archive.warm"]
"""Imported once by the fork server, so a worker process starts in milliseconds with all of it loaded."""
_RESTART_PAUSE = 1.0
"""Seconds before a worker process that died is replaced."""
_QUICK_DEATHS = 3
"""A process slot whose processes die this many times in a row within ``_QUICK_SECONDS`` of starting
means something is wrong with every process (configuration, a missing library): stop and say so."""
_QUICK_SECONDS = 10.0


class WorkerStartError(RuntimeError):
    """The worker processes die as they start; the messages say where to look."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


class WorkerProcesses:
    """Worker processes of the embedded profile, each working items one at a time with its own archive.

    Why processes: a born-digital item is mostly Python (catalog, identification, packaging), and
    threads of one process share one interpreter lock, so two threads used ~0.9 of 2 cores. Why a fork
    server: it is a clean single-threaded process that imported the pipeline once; forking this
    process instead (which may run progress or maintenance threads) could copy a lock another thread
    holds, and a fresh interpreter costs ~2 s of imports per process. Items are shared out by the
    catalog's leases, exactly as between separate `luutru worker` commands. A process that dies
    (killed, out of memory) is replaced; its item resumes when its lease runs out. A process whose
    parent dies finishes its current item and exits.
    """

    def __init__(self, settings: Settings, processes: int) -> None:
        self.settings, self.processes = settings, max(1, processes)
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    @staticmethod
    def _context() -> multiprocessing.context.ForkServerContext:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOADED)
        return context  # type: ignore[return-value]

    @classmethod
    def prepare(cls) -> None:
        """Start the fork server now (its imports take a second or two), e.g. while a batch is being received."""
        cls._context()
        multiprocessing.forkserver.ensure_running()

    def run(self, until_batch_done: int | None = None, poll_seconds: float = 0.5) -> None:
        """Work until stopped, or until every item of ``until_batch_done`` is finished."""
        context = self._context()
        stop = context.Event()
        # If this process exits while run() is still going (it runs in a daemon thread under `luutru serve`),
        # the processes must be told before multiprocessing's own exit handler waits for them.
        atexit.register(stop.set)
        running: dict[int, tuple[multiprocessing.process.BaseProcess, float]] = {}
        quick_deaths = dict.fromkeys(range(self.processes), 0)

        def start(slot: int) -> None:
            process = context.Process(target=_work_in_process, name=f"luutru-worker-{slot}",
                                      args=(self.settings, until_batch_done, poll_seconds, stop))
            process.start()
            running[slot] = (process, time.monotonic())

        try:
            for slot in range(self.processes):
                start(slot)
            while running and not (self._stop.is_set() or stop.is_set()):
                multiprocessing.connection.wait([p.sentinel for p, _ in running.values()], timeout=poll_seconds)
                for slot, (process, started) in list(running.items()):
                    if process.is_alive():
                        continue
                    del running[slot]
                    if process.exitcode == 0 or self._stop.is_set() or stop.is_set():
                        continue   # exit 0: nothing left for it, the batch is done; or we are stopping
                    quick = time.monotonic() - started < _QUICK_SECONDS
                    quick_deaths[slot] = quick_deaths[slot] + 1 if quick else 0
                    if quick_deaths[slot] >= _QUICK_DEATHS:
                        raise WorkerStartError(
                            f"Tiến trình xử lý dừng ngay khi khởi động {_QUICK_DEATHS} lần liên tiếp (mã "
                            f"{process.exitcode}); hãy xem nhật ký phía trên, kiểm tra cấu hình (`luutru status`) "
                            "rồi chạy lại.",
                            f"A worker process stopped as it started {_QUICK_DEATHS} times in a row (code "
                            f"{process.exitcode}); read the log above, check the configuration (`luutru status`), "
                            "then run again.")
                    log.error("worker process %s ended with code %s; starting another", process.pid,
                              process.exitcode)
                    self._stop.wait(_RESTART_PAUSE)
                    start(slot)
        finally:
            stop.set()
            atexit.unregister(stop.set)
            for process, _ in running.values():
                # An item in progress is let finish (its step may be OCR of a long scan): it keeps its lease
                # either way, but a finished item needs no resuming.
                process.join()


def _work_in_process(settings: Settings, batch_id: int | None, poll_seconds: float, stop: ProcessEvent) -> None:
    """One worker process: claim due items in order and run each to the end, until told to stop, until
    the batch is done (exit 0), or until the process that started it is gone."""
    try:
        _work_items(settings, batch_id, poll_seconds, stop)
    except KeyboardInterrupt:
        # Ctrl-C reaches every process of the terminal's group: end without a traceback; the item in hand
        # keeps its lease and is resumed by the next worker.
        pass


def _work_items(settings: Settings, batch_id: int | None, poll_seconds: float, stop: ProcessEvent) -> None:
    from archive.factory import create_archive

    archive = create_archive(settings)
    owner = worker_identity()
    parent = multiprocessing.parent_process()
    while not stop.is_set() and (parent is None or parent.is_alive()):
        claimed = False
        for item_id in due_items(archive, batch_id, limit=8):
            if stop.is_set():
                return
            result = process_item(archive, item_id, owner)
            if result.state is not None or result.retry_in is not None:
                claimed = True
                break   # the next due item may have changed (another process took it); ask again
        if not claimed:
            if batch_id is not None and pending_count(archive, batch_id) == 0:
                return
            stop.wait(poll_seconds)
