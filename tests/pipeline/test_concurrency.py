"""Two workers meeting the same file at the same moment make one record, not two.

Masters are content-addressed, so identical files share one master bitstream. Two items with the
same content validated at the same time by two workers must end as one record and one duplicate,
on PostgreSQL (concurrent transactions) as on SQLite (serialised writers). The first worker's
validation is held open for a moment, so the second's always runs while it is in flight.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from archive.batches import BatchService
from archive.catalog import BatchItem, Bitstream, Document, Representation
from archive.cli import main
from archive.config import load_settings
from archive.factory import create_archive
from archive.pipeline.runner import process_item
from archive.pipeline.steps import checks
from tests.pipeline.badfiles import CORPUS


@pytest.mark.parametrize("catalog", ["sqlite", "postgresql"])
def test_identical_files_validated_at_once_make_one_record(
        catalog: str, tmp_path: Path, embedded_env: dict[str, str], request: pytest.FixtureRequest,
        monkeypatch: pytest.MonkeyPatch) -> None:
    env = dict(embedded_env)
    if catalog == "postgresql":
        env["LUUTRU_DATABASE_URL"] = request.getfixturevalue("pg_database")
    assert CliRunner().invoke(main, ["init"], env=env, catch_exceptions=False).exit_code == 0
    archive = create_archive(load_settings(env))
    try:
        first, second = tmp_path / "ban-chinh.pdf", tmp_path / "ban-sao.pdf"
        shutil.copyfile(CORPUS / "vn008.pdf", first)
        shutil.copyfile(CORPUS / "vn008.pdf", second)
        batch_id = BatchService(archive).submit([first, second])
        with archive.sessions() as session:
            ids = list(session.scalars(select(BatchItem.id).where(BatchItem.batch_id == batch_id)
                                       .order_by(BatchItem.ordinal)))

        registering = threading.Event()
        original = checks._register_document

        def slow_register(ctx, *, is_scan):  # type: ignore[no-untyped-def]
            original(ctx, is_scan=is_scan)
            if ctx.item.id == ids[0]:        # the first worker holds its transaction open a while
                registering.set()
                time.sleep(1.5)

        monkeypatch.setattr(checks, "_register_document", slow_register)
        errors: list[BaseException] = []

        def work(item_id: int) -> None:
            try:
                process_item(archive, item_id)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        one = threading.Thread(target=work, args=(ids[0],))
        one.start()
        assert registering.wait(60)
        two = threading.Thread(target=work, args=(ids[1],))
        two.start()
        one.join(120)
        two.join(120)
        assert not errors, errors

        report = BatchService(archive).report(batch_id)
        assert [i["state"] for i in report.items] == ["archived", "duplicate"], report.items
        assert report.items[0]["document_id"] == report.items[1]["document_id"]
        with archive.sessions() as session:
            [document] = session.scalars(select(Document)).all()
            master = session.scalars(select(Bitstream).where(Bitstream.storage_key.startswith("masters/"))).one()
            representation = session.get(Representation, master.representation_id)
            assert representation is not None and representation.document_id == document.id
    finally:
        archive.engine.dispose()
