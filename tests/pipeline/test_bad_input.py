"""Every kind of bad input ends in a named state with a readable reason; the rest of the batch goes on."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from archive.catalog import BatchItem, PreservationEvent
from archive.catalog.codes import EventType
from archive.factory import Archive
from tests.pipeline.badfiles import CASES, CORPUS, make_all
from tests.pipeline.conftest import RunBatch, by_name


def test_bad_inputs_are_quarantined_with_reasons_and_good_ones_archived(
        tmp_path: Path, archive: Archive, run_batch: RunBatch) -> None:
    folder = make_all(tmp_path / "lo-hon-hop")
    (folder / "tot.pdf").write_bytes((CORPUS / "vn003.pdf").read_bytes())
    report = run_batch(folder, name="Lô kiểm thử")
    items = by_name(report)
    assert report.total == len(CASES) + 1
    assert items["tot.pdf"]["state"] == "archived"
    for name, (_, state, code) in CASES.items():
        item = items[name]
        assert item["state"] == state, (name, item)
        if state == "quarantined":
            assert item["failure_code"] == code, (name, item)
            assert item["message_vi"] and item["message_en"], name
            assert "Traceback" not in str(item["message_en"])
            # People are not shown where a worker kept its temporary copy.
            for message in (item["message_vi"], item["message_en"]):
                assert str(archive.settings.data_dir) not in str(message) and "/tmp/" not in str(message), message
        elif code:
            assert code in [f["code"] for f in item["flags"]], (name, item)  # type: ignore[union-attr]
    assert "EICAR" in str(items["eicar.com"]["message_en"]).upper()
    assert "../../etc/cron.d/evil" in str(items["duong-dan.zip"]["message_en"])
    assert "not that format" in str(items["ghi-chu.pdf"]["message_en"])
    assert report.status == "completed_with_errors"

    # The original of every file, quarantined or not, is stored and verifies against its checksum.
    for name, item in items.items():
        assert archive.store.verify(str(item["master_key"]), str(item["sha256"])).ok, name
        assert b"".join(archive.store.get(str(item["master_key"]))) == (folder / name).read_bytes()

    with archive.sessions() as session:
        quarantined = session.scalars(select(BatchItem).where(BatchItem.failure_code == "infected")).one()
        events = session.scalars(select(PreservationEvent)).all()
        assert {EventType.VIRUS_CHECK, EventType.QUARANTINE, EventType.MESSAGE_DIGEST_CALCULATION,
                EventType.INGESTION} <= {e.event_type for e in events}
        assert quarantined.document_id is None  # no catalog record for a refused file


def test_quarantined_item_is_retryable_and_fails_the_same_way(
        tmp_path: Path, archive: Archive, run_batch: RunBatch) -> None:
    from archive.batches import BatchService
    from archive.work import LocalWorker
    from tests.pipeline.badfiles import encrypted_pdf

    report = run_batch(encrypted_pdf(tmp_path / "mat-khau.pdf"))
    assert report.items[0]["state"] == "quarantined"
    service = BatchService(archive)
    assert len(service.retry(report.id)) == 1
    LocalWorker(archive, 1).run(until_batch_done=report.id, poll_seconds=0.1)
    again = service.report(report.id)
    assert again.items[0]["state"] == "quarantined" and again.items[0]["failure_code"] == "pdf-encrypted"


def test_a_master_named_like_a_derivative_is_not_mistaken_for_one(
        tmp_path: Path, archive: Archive, run_batch: RunBatch) -> None:
    """A depositor's PDF called words.json must not be read as our stored OCR word boxes."""
    confusing = tmp_path / "words.json"
    confusing.write_bytes((CORPUS / "vn003.pdf").read_bytes())
    report = run_batch(confusing)
    assert report.items[0]["state"] == "archived", report.items[0]
    with archive.sessions() as session:
        item = session.scalars(select(BatchItem).where(BatchItem.batch_id == report.id)).one()
        assert item.document.code_notation == "KH-UBND"
