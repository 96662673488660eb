"""A refused file keeps the PREMIS event of the check that refused it, not only the quarantine."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from archive.catalog import BatchItem, EventObject, PreservationEvent
from archive.factory import Archive
from tests.pipeline.badfiles import eicar, encrypted_pdf
from tests.pipeline.conftest import RunBatch


def test_failed_check_event_is_kept_with_the_quarantine(tmp_path: Path, archive: Archive, run_batch: RunBatch) -> None:
    report = run_batch(eicar(tmp_path / "virus.txt"), encrypted_pdf(tmp_path / "mat-khau.pdf"))
    assert [i["state"] for i in report.items] == ["quarantined", "quarantined"]
    with archive.sessions() as session:
        for item in session.scalars(select(BatchItem).where(BatchItem.batch_id == report.id)):
            linked = session.execute(
                select(PreservationEvent.id, PreservationEvent.event_type, PreservationEvent.outcome,
                       PreservationEvent.outcome_detail)
                .join(EventObject, EventObject.event_id == PreservationEvent.id)
                .where(EventObject.bitstream_id == item.master_bitstream_id)
                .order_by(PreservationEvent.id)).all()
            events = [(t.value, o.value, d or "") for _, t, o, d in dict.fromkeys(linked)]
            check = "vir" if item.original_name == "virus.txt" else "val"
            assert [(t, o) for t, o, _ in events] == [
                ("mes", "success"), ("ing", "success"), *([("vir", "success"), ("for", "success")] if check == "val" else []),
                (check, "failure"), ("qua", "success")], events
            failure = next(d for t, o, d in events if o == "failure")
            assert ("Eicar" in failure) if check == "vir" else ("password-protected" in failure), failure
            # The scanner that found the virus is named as the event's agent, with its version.
            event = session.get(PreservationEvent, next(i for i, t, o, _ in linked if o.value == "failure"))
            assert event.agents and event.agents[0].agent.name == ("ClamAV" if check == "vir" else "pikepdf/Pillow")
