"""Celery tasks of the services profile: process one item, and re-send items whose message was lost."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from celery import Celery
from sqlalchemy import or_, update

from archive.catalog import BatchItem, utc_now
from archive.pipeline.runner import QUEUED, TERMINAL, process_item
from archive.work import due_items

if TYPE_CHECKING:
    from archive.factory import Archive

SWEEP_SECONDS = 60.0


class CeleryDispatcher:
    """Sends "process item N" messages; marks each item as queued so the sweep leaves it alone."""

    def __init__(self, archive: Archive, app: Celery) -> None:
        self.archive, self.app = archive, app
        self._bind()

    def _bind(self) -> None:
        archive, app = self.archive, self.app

        # shared=False: a shared task would be copied into every Celery app made later in the process,
        # bound to this archive, which is wrong for a second archive (another database).
        @app.task(name="luutru.process_item", bind=True, acks_late=True, reject_on_worker_lost=True, shared=False,
                  max_retries=None)
        def process(task: Any, item_id: int) -> str | None:
            result = process_item(archive, item_id)
            if result.retry_in is not None:
                self.dispatch([item_id], countdown=result.retry_in)
            return result.state.value if result.state else None

        @app.task(name="luutru.resume_due", shared=False)
        def resume_due() -> int:
            items = due_items(archive)
            self.dispatch(items)
            return len(items)

        @app.task(name="luutru.integrity_tick", shared=False)
        def integrity_tick() -> dict[str, int]:
            from archive.integrity.schedule import maintenance_tick

            return maintenance_tick(archive).verified

        @app.task(name="luutru.audit_checkpoint", shared=False)
        def audit_checkpoint() -> int | None:
            from archive.audit import write_checkpoint

            checkpoint = write_checkpoint(archive)
            return checkpoint.seq if checkpoint else None

        settings = archive.settings
        app.conf.beat_schedule = {
            "luutru-resume-due-items": {"task": "luutru.resume_due", "schedule": SWEEP_SECONDS},
            "luutru-integrity": {"task": "luutru.integrity_tick", "schedule": float(settings.fixity_tick_seconds)},
            "luutru-audit-checkpoint": {"task": "luutru.audit_checkpoint",
                                        "schedule": float(settings.audit_checkpoint_seconds)},
        }
        self._process = process

    def dispatch(self, item_ids: list[int], countdown: float = 0.0) -> None:
        if not item_ids:
            return
        now = utc_now()
        lease = timedelta(seconds=self.archive.settings.lease_seconds + countdown)
        with self.archive.work_sessions.begin() as session:
            session.execute(update(BatchItem)
                            .where(BatchItem.id.in_(item_ids), BatchItem.state.not_in(TERMINAL),
                                   or_(BatchItem.lease_expires_at.is_(None), BatchItem.lease_expires_at < now,
                                       BatchItem.lease_owner == QUEUED))
                            .values(lease_owner=QUEUED, lease_expires_at=now + lease))
        for item_id in item_ids:
            self._process.apply_async(args=[item_id], countdown=countdown or None)

    def health(self) -> str:
        with self.app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=5)
            return f"Celery broker {conn.as_uri()}"


class LocalDispatcher:
    """Embedded profile: nothing to send; the local worker polls the catalog for due items."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def dispatch(self, item_ids: list[int], countdown: float = 0.0) -> None:
        """Items are found by polling; see ``archive.work.WorkerProcesses``."""

    def health(self) -> str:
        from archive.work import pending_count

        return f"local worker processes; {pending_count(self.archive)} item(s) unfinished"
