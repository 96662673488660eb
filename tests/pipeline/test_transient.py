"""Transient failures (virus scanner or search index unavailable) wait and resume; nothing is quarantined.

A scanner at a closed port makes items wait with a backoff and a readable message; when the
scanner is back and the backoff has passed, the worker takes them up again and they are archived.
After ``max_attempts`` an item is ``failed`` and an archivist can retry it. With the search index
down, items are fully stored and described and wait only for indexing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from archive.batches import BatchService
from archive.catalog import ArchivalPackage, BatchItem, Document, EventObject, PreservationEvent, utc_now
from archive.catalog.codes import EventOutcome, EventType
from archive.config import load_settings
from archive.factory import Archive, create_archive
from archive.pipeline.runner import RunResult, _claim, process_item
from archive.work import LocalWorker, due_items
from search.base import SearchRequest, Visibility
from tests.pipeline.badfiles import CORPUS

CLOSED_PORT = "127.0.0.1:9"


def with_env(embedded_env: dict[str, str], **changes: str) -> Archive:
    """The same installation (data directory, catalog) configured differently, as after an edit."""
    return create_archive(load_settings({**embedded_env, **changes}))


def work_once(archive: Archive, batch_id: int) -> list[RunResult]:
    """One poll of the local worker: every item that is due, run until it stops."""
    return [process_item(archive, item_id) for item_id in due_items(archive, batch_id)]


def items_of(archive: Archive, batch_id: int) -> list[BatchItem]:
    with archive.sessions() as session:
        return list(session.scalars(select(BatchItem).where(BatchItem.batch_id == batch_id)
                                    .order_by(BatchItem.ordinal)))


def let_backoff_pass(archive: Archive, batch_id: int) -> None:
    """What waiting does: the items' next attempt becomes due."""
    with archive.work_sessions.begin() as session:
        session.execute(update(BatchItem).where(BatchItem.batch_id == batch_id, BatchItem.next_attempt_at.is_not(None))
                        .values(next_attempt_at=utc_now() - timedelta(seconds=1)))


def events(archive: Archive, item: BatchItem, event_type: EventType) -> list[EventOutcome]:
    with archive.sessions() as session:
        return list(session.scalars(
            select(PreservationEvent.outcome).join(EventObject, EventObject.event_id == PreservationEvent.id)
            .where(EventObject.batch_item_id == item.id, PreservationEvent.event_type == event_type)))


def test_scanner_unavailable_items_wait_then_resume_when_it_is_back(
        archive: Archive, embedded_env: dict[str, str]) -> None:
    broken = with_env(embedded_env, LUUTRU_CLAMD=CLOSED_PORT)
    service = BatchService(broken)
    batch_id = service.submit([CORPUS / "vn003.pdf", CORPUS / "vn008.pdf"], name="Lô chờ ClamAV")

    results = work_once(broken, batch_id)
    assert [r.retry_in for r in results] == [30.0, 30.0] and all(r.state is None for r in results)
    before = utc_now()
    for item in items_of(broken, batch_id):
        assert item.state.value == "received", item.state            # waiting, not quarantined
        assert item.attempts == 1 and item.failure_code == "scanner-unavailable"
        assert item.next_attempt_at is not None and item.next_attempt_at > before + timedelta(seconds=25)
        assert "ClamAV is unavailable" in str(item.message_en) and "will be retried" in str(item.message_en)
        assert "Không kết nối được ClamAV" in str(item.message_vi)
        assert item.lease_owner is None and item.lease_expires_at is None
        assert events(broken, item, EventType.QUARANTINE) == []
    report = service.report(batch_id)
    assert report.status == "processing" and report.failed == 0 and report.done == 0
    # The backoff is respected: nothing is due, so a worker does not hammer the scanner.
    assert due_items(broken, batch_id) == []

    # The scanner is back (the corrected configuration) and the backoff has passed.
    let_backoff_pass(archive, batch_id)
    LocalWorker(archive, 1).run(until_batch_done=batch_id, poll_seconds=0.1)
    report = BatchService(archive).report(batch_id)
    assert report.status == "completed" and report.archived == 2
    for entry in report.items:
        assert entry["state"] == "archived" and entry["attempts"] == 1, entry
        # The earlier, overcome failure is not reported against an archived item.
        assert entry["failure_code"] is None and entry["failed_step"] is None, entry
        assert entry["message_en"] == "Archived."
    for item in items_of(archive, batch_id):
        assert events(archive, item, EventType.VIRUS_CHECK) == [EventOutcome.SUCCESS]


def test_after_max_attempts_the_item_fails_and_is_retryable(archive: Archive, embedded_env: dict[str, str]) -> None:
    broken = with_env(embedded_env, LUUTRU_CLAMD=CLOSED_PORT, LUUTRU_MAX_ATTEMPTS="2")
    service = BatchService(broken)
    batch_id = service.submit([CORPUS / "vn010.pdf"])

    assert work_once(broken, batch_id)[0].retry_in == 30.0
    let_backoff_pass(broken, batch_id)
    second = work_once(broken, batch_id)
    assert second[0].state is not None and second[0].state.value == "failed" and second[0].retry_in is None
    [item] = items_of(broken, batch_id)
    assert item.state.value == "failed" and item.attempts == 2
    assert item.failure_code == "scanner-unavailable" and item.failed_step.value == "virus_checked"
    assert item.next_attempt_at is None and "ClamAV" in str(item.message_en)
    report = service.report(batch_id)
    assert report.status == "completed_with_errors" and report.failed == 1
    assert due_items(broken, batch_id) == []   # failed is final until someone retries

    # An archivist fixes the scanner and retries: the item starts again at the step that failed.
    good = BatchService(archive)
    assert good.retry(batch_id) == [item.id]
    [item] = items_of(archive, batch_id)
    assert item.state.value == "received" and item.attempts == 0 and item.failure_code is None
    assert good.report(batch_id).status == "processing"
    LocalWorker(archive, 1).run(until_batch_done=batch_id, poll_seconds=0.1)
    report = good.report(batch_id)
    assert report.status == "completed" and report.items[0]["state"] == "archived", report.items


def test_index_unavailable_items_are_stored_and_wait_for_indexing(
        archive: Archive, embedded_env: dict[str, str]) -> None:
    broken = with_env(embedded_env, LUUTRU_ES_URL="http://127.0.0.1:9")
    assert broken.index.name == "elasticsearch"
    service = BatchService(broken)
    batch_id = service.submit([CORPUS / "vn008.pdf", CORPUS / "vn010.pdf"], name="Lô chờ chỉ mục")

    results = work_once(broken, batch_id)
    assert [r.retry_in for r in results] == [30.0, 30.0]
    for item in items_of(broken, batch_id):
        assert item.state.value == "packaged" and item.failure_code == "index-unavailable", item.message_en
        assert "safely stored but not yet indexed" in str(item.message_en)
        assert "đã được lưu an toàn nhưng chưa lập chỉ mục" in str(item.message_vi)
        assert item.document_id is not None and item.page_count
        # Master and every derivative are in the store already.
        assert archive.store.verify(f"masters/{item.sha256[:2]}/{item.sha256[2:4]}/{item.sha256}", item.sha256).ok
        derived = {key.rsplit("/", 1)[-1] for key in archive.store.list(f"derivatives/{item.sha256}/")}
        assert derived == {"preservation.pdf", "text.txt", "words.json", "thumbnail.png"}
    with archive.sessions() as session:
        documents = session.scalars(select(Document)).all()
        assert len(documents) == 2 and all(d.issued_date and d.code_number for d in documents)
        # Archived (accessioned with their AIP) while they wait for the index.
        assert session.scalar(select(func.count()).select_from(PreservationEvent)
                              .where(PreservationEvent.event_type == EventType.ACCESSION)) == 2
        assert session.scalar(select(func.count()).select_from(ArchivalPackage)) == 2
    assert BatchService(broken).report(batch_id).failed == 0

    # The index is back (here: the embedded index, configured again); the backoff passes.
    let_backoff_pass(archive, batch_id)
    LocalWorker(archive, 1).run(until_batch_done=batch_id, poll_seconds=0.1)
    report = BatchService(archive).report(batch_id)
    assert report.status == "completed" and [i["state"] for i in report.items] == ["archived", "archived"]
    assert all(i["failure_code"] is None for i in report.items)
    hits = archive.index.search(SearchRequest("Sở Nội vụ"), Visibility.everything())
    assert {hit.doc_id for hit in hits.hits} == {str(d.id) for d in documents}
    with archive.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PreservationEvent)
                              .where(PreservationEvent.event_type == EventType.ACCESSION)) == 2


def test_retry_takes_items_waiting_out_a_backoff_up_at_once(archive: Archive, embedded_env: dict[str, str]) -> None:
    broken = with_env(embedded_env, LUUTRU_CLAMD=CLOSED_PORT)
    batch_id = BatchService(broken).submit([CORPUS / "vn008.pdf"], name="Lô thử lại ngay")
    [result] = work_once(broken, batch_id)
    assert result.retry_in == 30.0
    [item] = items_of(archive, batch_id)
    assert item.next_attempt_at is not None and item.failure_code == "scanner-unavailable"
    assert due_items(archive, batch_id) == []   # not due for another 30 s

    # The scanner is back; the archivist does not want to wait for the next try.
    service = BatchService(archive)
    assert service.retry(batch_id) == [item.id]
    [item] = items_of(archive, batch_id)
    assert item.next_attempt_at is None and item.attempts == 0 and item.failure_code is None
    LocalWorker(archive, 1).run(until_batch_done=batch_id, poll_seconds=0.1)
    assert service.report(batch_id).items[0]["state"] == "archived"


def test_a_file_that_keeps_killing_workers_is_stopped_and_retryable(archive: Archive) -> None:
    """Each time a worker dies holding the item (its lease runs out still naming it), the next claim
    counts a crash; at LUUTRU_MAX_CRASHES the item is left failed instead of killing workers forever."""
    service = BatchService(archive)
    batch_id = service.submit([CORPUS / "vn008.pdf"], name="Lô làm sập worker")
    [item] = items_of(archive, batch_id)
    for n in range(archive.settings.max_crashes):
        assert _claim(archive, item.id, f"worker-{n}")   # a worker takes the item … and dies
        with archive.work_sessions.begin() as session:
            session.execute(update(BatchItem).where(BatchItem.id == item.id)
                            .values(lease_expires_at=utc_now() - timedelta(seconds=1)))
    result = process_item(archive, item.id)
    assert result.state is not None and result.state.value == "failed"
    [item] = items_of(archive, batch_id)
    assert item.failure_code == "worker-crashed" and item.crashes == 3 and item.failed_step.value == "virus_checked"
    assert "stopped the worker 3 times" in str(item.message_en) and "luutru batch retry" in str(item.message_en)
    assert "làm dừng tiến trình xử lý 3 lần" in str(item.message_vi)
    assert service.report(batch_id).status == "completed_with_errors"

    # A worker that died once is not held against the item once a step completes.
    assert service.retry(batch_id) == [item.id]
    assert _claim(archive, item.id, "worker-x")
    with archive.work_sessions.begin() as session:
        session.execute(update(BatchItem).where(BatchItem.id == item.id)
                        .values(lease_expires_at=utc_now() - timedelta(seconds=1)))
    assert process_item(archive, item.id).state.value == "archived"
    [item] = items_of(archive, batch_id)
    assert item.crashes == 0 and item.failure_code is None
