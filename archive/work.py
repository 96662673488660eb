"""Which items are due for work, and the two ways of getting them worked on.

The catalog is the queue of record: an item is due when it is not finished, nobody holds a live
lease on it and its backoff has passed. Celery (services profile) only carries "look at item N"
messages, and a periodic sweep re-sends them for items whose message was lost, e.g. because the
worker holding it was killed. The embedded profile needs no broker at all: a thread pool polls
the same query.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from archive.catalog import BatchItem, utc_now
from archive.pipeline.runner import TERMINAL, process_item, worker_identity
from storage.local import LocalObjectStore

if TYPE_CHECKING:
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
                time.sleep(poll_seconds)
