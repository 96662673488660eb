"""The ingest service: submit a batch, report on it, retry what failed.

The CLI, the web upload and the API all call this. Submission does the one thing that must
happen before anything else: every original is streamed into object storage as a master with its
SHA-256, and recorded, before the call returns. From then on nothing can lose it; everything
else is done by the pipeline, item by item.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import and_, func, or_, select

from archive.audit import SYSTEM_ACTOR, append
from archive.catalog import Agency, BatchItem, Bitstream, Dossier, Fonds, IngestBatch, User, utc_now
from archive.catalog.codes import (
    BatchItemState,
    BatchStatus,
    BitstreamRole,
    EventOutcome,
    EventType,
    FondsStatus,
    Maintenance,
    Mode,
)
from archive.catalogue import Catalogue, CatalogueError, read_catalogue
from archive.factory import Archive
from archive.intake import SourceFile, collect
from archive.pipeline.runner import TERMINAL
from archive.packaging import PackagingUnavailable, schema_set
from archive.pipeline.steps import STEPS
from archive.preservation import record_event
from ingest.package import SchemaSet
from storage import KeyExists

RECEIVE_THREADS = 4
"""Originals hashed and stored at once by a submission."""
DEFAULT_FONDS = ("CHUA-XAC-DINH", "Phông chưa xác định (tài liệu chờ phân loại)")


def master_key(sha256: str) -> str:
    """Masters are stored by content, so the same bytes are never stored twice."""
    return f"masters/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _sha256_of(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def batch_scope(agency_code: str | None):  # type: ignore[no-untyped-def]
    """Batches of one agency: submitted by one of its people, or into one of its fonds."""
    if agency_code is None:
        return None
    by_user = IngestBatch.submitted_by_id.in_(
        select(User.id).join(Agency, User.agency_id == Agency.id).where(Agency.organ_id == agency_code))
    by_fonds = IngestBatch.fonds_id.in_(
        select(Fonds.id).join(Agency, Fonds.agency_id == Agency.id).where(Agency.organ_id == agency_code))
    return or_(by_user, by_fonds)


@dataclass
class BatchReport:
    id: int
    name: str
    status: str
    total: int
    archived: int
    duplicates: int
    failed: int
    pages_ocred: int
    created_at: str
    finished_at: str | None
    items: list[dict[str, object]] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.archived + self.duplicates + self.failed


class BatchService:
    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    # -- submission --------------------------------------------------------------------------
    def submit(self, paths: list[Path], *, name: str | None = None, fonds_code: str | None = None,
               catalogue_path: Path | None = None, submitted_by: int | None = None, actor: str = SYSTEM_ACTOR,
               ip: str | None = None) -> int:
        """Store every original as a master and queue the batch; returns the batch id.

        A bad catalogue or an invalid bag is refused before anything is stored (``CatalogueError``,
        ``IntakeError``); once storing starts, every file becomes an item whatever its content.
        """
        catalogue = read_catalogue(catalogue_path) if catalogue_path else Catalogue()
        scratch = self.archive.settings.work_dir / f"intake-{uuid.uuid4().hex[:12]}"
        scratch.mkdir(parents=True, exist_ok=True)
        try:
            files = collect(paths, scratch, self._schemas())
            unmatched = catalogue.unmatched([f.name for f in files])
            if unmatched and catalogue_path is not None:
                # A mistyped file name must not silently drop that row's metadata.
                raise CatalogueError(catalogue_path, [
                    f"tệp/file {name}: có trong bảng kê nhưng không có trong lô / listed in the catalogue but "
                    "not among the files submitted." for name in unmatched])
            with self.archive.work_sessions.begin() as session:
                fonds = self._fonds(session, fonds_code)
                self._dossiers(session, fonds, [*catalogue.rows.values(), *(f.supplied for f in files)])
                batch = IngestBatch(name=name or f"Lô {utc_now():%d/%m/%Y %H:%M}", fonds=fonds,
                                    status=BatchStatus.OPEN, total_items=len(files), submitted_by_id=submitted_by)
                session.add(batch)
                session.flush()
                batch_id = batch.id
            # Masters are stored a few at a time (their fsyncs then share journal commits), and each item
            # is recorded, in order, once its own master is durable.
            pool = ThreadPoolExecutor(RECEIVE_THREADS, thread_name_prefix="luutru-receive")
            try:
                masters = pool.map(self._store_master, [source.path for source in files])
                item_ids = [self._receive(batch_id, ordinal, source, {**source.supplied,
                                                                       **catalogue.row_for(source.name)}, master)
                            for (ordinal, source), master in zip(enumerate(files, start=1), masters)]
            finally:
                pool.shutdown(cancel_futures=True)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        with self.archive.work_sessions.begin() as session:
            batch = session.get(IngestBatch, batch_id)
            batch.status = BatchStatus.PROCESSING
            append(session, "ingest.submit", actor=actor, ip=ip, object=f"batch:{batch_id}",
                   details={"name": batch.name, "items": len(item_ids), "fonds": batch.fonds.code})
        self.archive.dispatcher.dispatch(item_ids)
        return batch_id

    def _fonds(self, session, code: str | None) -> Fonds:  # type: ignore[no-untyped-def]
        wanted = code or DEFAULT_FONDS[0]
        fonds = session.scalars(select(Fonds).where(Fonds.code == wanted)).first()
        if fonds is None:
            if code:
                from archive.intake import IntakeError

                raise IntakeError(f"Không có phông mã {code}; hãy tạo phông trước hoặc bỏ --fonds.",
                                  f"There is no fonds with code {code}; create it first or omit --fonds.")
            fonds = Fonds(code=DEFAULT_FONDS[0], name=DEFAULT_FONDS[1], status=FondsStatus.OPEN)
            session.add(fonds)
        return fonds

    def _schemas(self) -> SchemaSet | None:
        """The configured XSDs, which a submitted SIP is verified against; None when none are configured."""
        try:
            return schema_set(self.archive.settings)
        except PackagingUnavailable:
            return None

    def _dossiers(self, session, fonds: Fonds, rows: list[dict[str, object]]) -> None:  # type: ignore[no-untyped-def]
        """Create the dossiers the catalogue or a SIP names; an existing one is reused, never altered."""
        for row in rows:
            code = row.get("fileCode")
            if not code or session.scalars(select(Dossier).where(Dossier.file_code == code)).first():
                continue
            session.add(Dossier(fonds=fonds, file_code=code, title=row["title"],
                                maintenance=Maintenance(row["maintenance"]) if row.get("maintenance") else None,
                                mode=Mode(row["mode"]) if row.get("mode") else None,
                                file_notation=row.get("fileNotation")))
            session.flush()

    def _store_master(self, path: Path) -> tuple[str, int]:
        """Hash and store one original (the store re-verifies the digest); returns its SHA-256 and size."""
        sha256, size = _sha256_of(path)
        key = master_key(sha256)
        store = self.archive.store
        if not store.exists(key):
            try:
                with open(path, "rb") as fh:
                    store.put(key, fh, expected_sha256=sha256, size=size, retain=True)
            except KeyExists:
                pass  # stored concurrently by another batch (or file) with the same content: same bytes
        return sha256, size

    def _receive(self, batch_id: int, ordinal: int, source: SourceFile, supplied: dict[str, object],
                 master: tuple[str, int]) -> int:
        """Record one original whose master is stored."""
        sha256, size = master
        key = master_key(sha256)
        with self.archive.work_sessions.begin() as session:
            bitstream = session.scalars(select(Bitstream).where(Bitstream.storage_key == key)).first()
            if bitstream is None:
                bitstream = Bitstream(storage_key=key, size=size, sha256=sha256, role=BitstreamRole.MASTER,
                                      original_filename=Path(source.name).name[:1024])
                session.add(bitstream)
            item = BatchItem(batch_id=batch_id, ordinal=ordinal, original_name=Path(source.name).name[:1024],
                             original_path=source.name[:2048], state=BatchItemState.RECEIVED, sha256=sha256,
                             size=size, master_bitstream=bitstream, supplied_metadata=dict(supplied))
            session.add(item)
            record_event(session, EventType.MESSAGE_DIGEST_CALCULATION, EventOutcome.SUCCESS,
                         tool=("hashlib", None), detail="SHA-256 of the original as received",
                         outcome_detail=sha256, sources=[bitstream])
            record_event(session, EventType.INGESTION, EventOutcome.SUCCESS,
                         detail=f"master stored at {key}", outcome_detail=f"{size} bytes",
                         sources=[item], outcomes=[bitstream])
            session.flush()
            return item.id

    # -- reporting and retry ----------------------------------------------------------------------
    def report(self, batch_id: int, with_items: bool = True) -> BatchReport:
        with self.archive.sessions() as session:
            batch = session.get(IngestBatch, batch_id)
            if batch is None:
                raise LookupError(batch_id)
            pages = session.scalar(select(func.coalesce(func.sum(BatchItem.pages_ocred), 0))
                                   .where(BatchItem.batch_id == batch_id)) or 0
            counts = dict(session.execute(select(BatchItem.state, func.count()).where(BatchItem.batch_id == batch_id)
                                          .group_by(BatchItem.state)).all())
            report = BatchReport(batch.id, batch.name, batch.status.value, batch.total_items,
                                 counts.get(BatchItemState.ARCHIVED, 0), counts.get(BatchItemState.DUPLICATE, 0),
                                 counts.get(BatchItemState.FAILED, 0) + counts.get(BatchItemState.QUARANTINED, 0),
                                 int(pages), batch.created_at.isoformat(),
                                 batch.finished_at.isoformat() if batch.finished_at else None)
            if with_items:
                for item in batch.items:
                    report.items.append({
                        "ordinal": item.ordinal, "name": item.original_path or item.original_name,
                        "state": item.state.value, "state_vi": item.state.vi, "failed_step": item.failed_step
                        and item.failed_step.value, "failure_code": item.failure_code, "message_vi": item.message_vi, "message_en": item.message_en,
                        "sha256": item.sha256, "master_key": item.master_bitstream and item.master_bitstream.storage_key,
                        "document_id": item.document_id, "pages": item.page_count, "attempts": item.attempts,
                        "flags": list(item.flags or [])})
        return report

    def list(self, limit: int = 50, offset: int = 0, agency_code: str | None = None) -> list[BatchReport]:
        """The most recent batches; with ``agency_code``, only that agency's (see ``batch_scope``)."""
        query = select(IngestBatch.id).order_by(IngestBatch.id.desc()).offset(offset).limit(limit)
        if agency_code is not None:
            query = query.where(batch_scope(agency_code))
        with self.archive.sessions() as session:
            ids = list(session.scalars(query))
        return [self.report(i, with_items=False) for i in ids]

    def count(self, agency_code: str | None = None) -> int:
        query = select(func.count()).select_from(IngestBatch)
        if agency_code is not None:
            query = query.where(batch_scope(agency_code))
        with self.archive.sessions() as session:
            return session.scalar(query) or 0

    def fonds_agency(self, code: str) -> str | None:
        """The agency code of the fonds ``code`` (None for a fonds without agency); LookupError if none."""
        with self.archive.sessions() as session:
            fonds = session.scalars(select(Fonds).where(Fonds.code == code)).first()
            if fonds is None:
                raise LookupError(code)
            return fonds.agency.organ_id if fonds.agency else None

    def agency_of(self, batch_id: int) -> str | None:
        """The agency a batch belongs to: its submitter's, else its fonds' (None if neither has one)."""
        with self.archive.sessions() as session:
            batch = session.get(IngestBatch, batch_id)
            if batch is None:
                raise LookupError(batch_id)
            if batch.submitted_by is not None and batch.submitted_by.agency is not None:
                return batch.submitted_by.agency.organ_id
            return batch.fonds.agency.organ_id if batch.fonds.agency else None

    def original(self, batch_id: int, ordinal: int) -> tuple[str, str, str]:
        """(file name, storage key, state) of one item's original as received; LookupError if none."""
        with self.archive.sessions() as session:
            item = session.scalars(select(BatchItem).where(BatchItem.batch_id == batch_id,
                                                           BatchItem.ordinal == ordinal)).first()
            if item is None or item.master_bitstream is None:
                raise LookupError((batch_id, ordinal))
            return item.original_name, item.master_bitstream.storage_key, item.state.value

    def retry(self, batch_id: int, ordinal: int | None = None, *, actor: str = SYSTEM_ACTOR,
              ip: str | None = None) -> list[int]:
        """Put failed and quarantined items back where they failed, and take items waiting out a
        backoff (a service was unavailable) up again now rather than at their next scheduled try."""
        resumed: list[int] = []
        step_before = {step.reaches: step.after for step in STEPS}
        stopped = BatchItem.state.in_([BatchItemState.FAILED, BatchItemState.QUARANTINED])
        waiting = and_(BatchItem.state.not_in(TERMINAL), BatchItem.next_attempt_at.is_not(None))
        with self.archive.work_sessions.begin() as session:
            query = select(BatchItem).where(BatchItem.batch_id == batch_id, or_(stopped, waiting))
            if ordinal is not None:
                query = query.where(BatchItem.ordinal == ordinal)
            for item in session.scalars(query):
                if item.state == BatchItemState.QUARANTINED:
                    record_event(session, EventType.UNQUARANTINE, EventOutcome.SUCCESS,
                                 detail="retry requested by an archivist", sources=[item.master_bitstream, item])
                if item.state in (BatchItemState.FAILED, BatchItemState.QUARANTINED):
                    item.state = step_before.get(item.failed_step, BatchItemState.RECEIVED)
                item.failed_step = item.failure_code = None
                item.attempts = item.crashes = 0
                item.next_attempt_at = item.lease_owner = item.lease_expires_at = None
                item.message_vi = item.message_en = None
                resumed.append(item.id)
            if resumed:
                session.get(IngestBatch, batch_id).status = BatchStatus.PROCESSING
                append(session, "batch.retry", actor=actor, ip=ip, object=f"batch:{batch_id}",
                       details={"items": resumed, "ordinal": ordinal})
        self.archive.dispatcher.dispatch(resumed)
        return resumed

