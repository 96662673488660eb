"""Run an item's remaining steps, one committed transaction per step, under a lease.

The item's state in the catalog says which step is next, so whoever holds the lease can resume any
item. A lease expires, so a worker killed mid-step delays an item but never loses it: the next
claim re-runs the interrupted step, whose outputs are keyed deterministically (see
``steps.base.store_file``), so re-running it adopts instead of duplicating.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from archive.catalog import BatchItem, Document, IngestBatch, Representation, utc_now
from archive.catalog.codes import BatchItemState, BatchStatus, EventOutcome, EventType
from archive.factory import Archive
from archive.pipeline.context import ItemContext
from archive.pipeline.errors import StepError, transient
from archive.pipeline.steps import STEPS
from archive.preservation import record_event
from search.base import SearchError
from storage import StorageError

log = logging.getLogger(__name__)

TERMINAL = (BatchItemState.ARCHIVED, BatchItemState.DUPLICATE, BatchItemState.FAILED, BatchItemState.QUARANTINED)
QUEUED = "queued"
"""Lease owner of an item whose message is on the broker: any worker may take it from the queue."""
MAX_BACKOFF_SECONDS = 3600.0
"""Transient failures back off exponentially from LUUTRU_RETRY_SECONDS, never longer than this between tries."""
NEXT_STEP = {step.after: step for step in STEPS}


@dataclass(frozen=True)
class RunResult:
    """What happened to one item in one run. ``retry_in`` is set after a transient failure."""

    state: BatchItemState | None
    retry_in: float | None = None


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _claim(archive: Archive, item_id: int, owner: str) -> bool:
    """Take the lease if nobody holds a live one and the item is due; atomic in SQL on both backends.

    An expired lease still naming a worker means that worker died mid-step (killed, out of memory):
    the claim counts it, so a file that kills every worker it meets is stopped after a few tries
    instead of taking workers down forever.
    """
    now = utc_now()
    died = and_(BatchItem.lease_owner.is_not(None), BatchItem.lease_owner != QUEUED)
    with archive.pipeline_sessions.begin() as session:
        claimed = session.execute(
            update(BatchItem)
            .where(BatchItem.id == item_id, BatchItem.state.not_in(TERMINAL),
                   or_(BatchItem.lease_expires_at.is_(None), BatchItem.lease_expires_at < now,
                       BatchItem.lease_owner == QUEUED),
                   or_(BatchItem.next_attempt_at.is_(None), BatchItem.next_attempt_at <= now))
            .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=archive.settings.lease_seconds),
                    crashes=BatchItem.crashes + case((died, 1), else_=0))
        ).rowcount
    return claimed == 1


def _worker_crashed(item: BatchItem) -> StepError:
    step = NEXT_STEP[item.state].name
    return StepError(
        "worker-crashed",
        f"Bước {step} đã làm dừng tiến trình xử lý {item.crashes} lần liên tiếp (bị tắt hoặc hết bộ nhớ); "
        "bản gốc vẫn an toàn. Kiểm tra nhật ký của worker và bộ nhớ máy, sau đó chạy `luutru batch retry`.",
        f"Step {step} stopped the worker {item.crashes} times in a row (killed or out of memory); the original is "
        "safe. Check the worker's log and the machine's memory, then run `luutru batch retry`.", permanent=False)


def process_item(archive: Archive, item_id: int, owner: str | None = None) -> RunResult:
    """Run every remaining step of one item; returns its final state (None if another worker has it)."""
    owner = owner or worker_identity()
    if not _claim(archive, item_id, owner):
        return RunResult(None)
    workdir = archive.settings.work_dir / f"item-{item_id}-{uuid.uuid4().hex[:8]}"
    workdir.mkdir(parents=True, exist_ok=True)
    # Objects stay loaded across commits, and each step starts with no transaction open: long work
    # (OCR) must not hold a database transaction, and the step's writes open a fresh one at the end.
    session = archive.pipeline_sessions(expire_on_commit=False)
    try:
        item = _load(session, item_id)
        if item.crashes >= archive.settings.max_crashes:
            error, failed_step = _worker_crashed(item), NEXT_STEP[item.state].reaches
            session.rollback()
            return _fail(archive, item_id, failed_step, error, final=True)
        ctx = ItemContext(archive, session, item, workdir)
        while (step := NEXT_STEP.get(item.state)) is not None:
            session.commit()
            if item.failed_step is not None:
                # An earlier attempt failed here; if this one succeeds, its reason no longer applies.
                item.failed_step = item.failure_code = item.next_attempt_at = None
                item.message_vi = item.message_en = None
            try:
                step.run(ctx)
                item.state = BatchItemState.DUPLICATE if ctx.scratch.pop("duplicate", False) else step.reaches
                item.crashes = 0
                item.lease_expires_at = utc_now() + timedelta(seconds=archive.settings.lease_seconds)
                if item.state in TERMINAL:
                    # In the same transaction: a worker dying right after the item's last commit
                    # must not leave its batch "processing" with nothing left to refresh it.
                    _release(item)
                    _update_batch(session, item.batch_id)
                session.commit()
            except StepError as exc:
                session.rollback()
                return _fail(archive, item_id, step.reaches, exc)
            except (SQLAlchemyError, StorageError, SearchError) as exc:
                # The catalog, the store or the index refused or vanished mid-step: try again later.
                log.warning("step %s of item %s: %s", step.name, item_id, exc)
                session.rollback()
                return _fail(archive, item_id, step.reaches, transient(
                    "backend-unavailable",
                    f"Bước {step.name} chưa hoàn thành vì cơ sở dữ liệu hoặc kho lưu trữ tạm thời lỗi ({exc}); "
                    "hệ thống sẽ tự thử lại.",
                    f"Step {step.name} did not complete because the catalog or storage failed for a moment "
                    f"({exc}); it will be retried."))
            except Exception as exc:  # an unexpected bug must not lose the item either
                log.exception("step %s failed on item %s", step.name, item_id)
                session.rollback()
                return _fail(archive, item_id, step.reaches, StepError(
                    "internal-error",
                    f"Lỗi nội bộ ở bước {step.name} ({type(exc).__name__}: {exc}); bản gốc vẫn an toàn. "
                    "Báo quản trị hệ thống, sau đó chạy `luutru batch retry`.",
                    f"Internal error in step {step.name} ({type(exc).__name__}: {exc}); the original is safe. "
                    "Tell the system administrator, then run `luutru batch retry`.", permanent=False), final=True)
        _release(item)
        session.commit()
        _refresh_batch(archive, item.batch_id)
        return RunResult(item.state)
    finally:
        session.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _load(session: Session, item_id: int) -> BatchItem:
    """The item with everything the steps read, loaded now rather than lazily mid-step."""
    item = session.scalars(select(BatchItem).where(BatchItem.id == item_id).options(
        selectinload(BatchItem.batch), selectinload(BatchItem.master_bitstream),
        selectinload(BatchItem.document).selectinload(Document.representations)
        .selectinload(Representation.bitstreams))).one()
    return item


def _release(item: BatchItem) -> None:
    item.lease_owner = None
    item.lease_expires_at = None


def _fail(archive: Archive, item_id: int, step_state: BatchItemState, error: StepError,
          final: bool = False) -> RunResult:
    """Record the failure in its own transaction: quarantine, or schedule a retry, or give up."""
    settings = archive.settings
    with archive.pipeline_sessions.begin() as session:
        item = session.get(BatchItem, item_id)
        assert item is not None
        if error.check is not None:
            record_event(session, error.check.event_type, EventOutcome.FAILURE, tool=error.check.tool,
                         detail=error.check.detail, outcome_detail=f"{error.code}: {error.en}",
                         sources=[item.master_bitstream])
        item.attempts += 1
        item.message_vi, item.message_en = error.vi, error.en
        item.failed_step = step_state
        item.failure_code = error.code
        _release(item)
        retry_in: float | None = None
        if error.permanent:
            item.state = BatchItemState.QUARANTINED
            record_event(session, EventType.QUARANTINE, EventOutcome.SUCCESS, detail=f"step {step_state}",
                         outcome_detail=f"{error.code}: {error.en}", sources=[item.master_bitstream, item])
        elif final or item.attempts >= settings.max_attempts:
            item.state = BatchItemState.FAILED
            item.next_attempt_at = None
        else:
            retry_in = min(settings.retry_seconds * 2 ** (item.attempts - 1), MAX_BACKOFF_SECONDS)
            item.next_attempt_at = utc_now() + timedelta(seconds=retry_in)
        state = item.state
        _update_batch(session, item.batch_id)
    return RunResult(state if retry_in is None else None, retry_in)


def _refresh_batch(archive: Archive, batch_id: int) -> None:
    with archive.pipeline_sessions.begin() as session:
        _update_batch(session, batch_id)


def _update_batch(session: Session, batch_id: int) -> None:
    """Batch counters are recomputed from the items, so they can never drift from the truth.

    Called in the transaction that changes an item's state. The batch row is locked first, so two
    workers finishing a batch's last two items at once cannot overwrite "completed" with a count
    that missed the other's item (PostgreSQL; SQLite writers are serialised anyway).
    """
    batch = session.get(IngestBatch, batch_id, with_for_update=True, populate_existing=True)
    assert batch is not None
    states = list(session.scalars(select(BatchItem.state).where(BatchItem.batch_id == batch_id)))
    batch.total_items = len(states)
    batch.archived_items = states.count(BatchItemState.ARCHIVED)
    batch.duplicate_items = states.count(BatchItemState.DUPLICATE)
    batch.failed_items = states.count(BatchItemState.FAILED) + states.count(BatchItemState.QUARANTINED)
    if states and all(s in TERMINAL for s in states):
        batch.status = BatchStatus.COMPLETED_WITH_ERRORS if batch.failed_items else BatchStatus.COMPLETED
        batch.finished_at = batch.finished_at or utc_now()
    else:
        batch.status = BatchStatus.PROCESSING
        batch.finished_at = None
