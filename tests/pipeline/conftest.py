"""An archive on the embedded profile with the real ClamAV, and a way to run a batch to its end."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.batches import BatchReport, BatchService
from archive.cli import main
from archive.config import load_settings
from archive.factory import Archive, create_archive
from archive.work import WorkerProcesses
from tests.conftest import REPO_ROOT

SCHEMA_DIR = REPO_ROOT.parent / "shared" / "schemas"


@pytest.fixture()
def embedded_env(tmp_path: Path, clamd_address: str) -> dict[str, str]:
    return {"LUUTRU_DATA_DIR": str(tmp_path / "data"), "LUUTRU_CLAMD": clamd_address, "LUUTRU_OCR_JOBS": "1",
            "LUUTRU_SCHEMA_DIR": str(SCHEMA_DIR)}


@pytest.fixture()
def archive(embedded_env: dict[str, str]) -> Iterator[Archive]:
    env = dict(embedded_env)
    result = CliRunner().invoke(main, ["init"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    built = create_archive(load_settings(env))
    yield built
    built.engine.dispose()


RunBatch = Callable[..., BatchReport]


@pytest.fixture()
def run_batch(archive: Archive) -> RunBatch:
    """Submit paths and work the batch to the end in this process, as `luutru ingest --wait` does."""

    def run(*paths: Path, **options: object) -> BatchReport:
        service = BatchService(archive)
        batch_id = service.submit(list(paths), **options)  # type: ignore[arg-type]
        WorkerProcesses(archive.settings, 2).run(until_batch_done=batch_id, poll_seconds=0.1)
        return service.report(batch_id)

    return run


def by_name(report: BatchReport) -> dict[str, dict[str, object]]:
    return {str(item["name"]).rsplit("/", 1)[-1]: item for item in report.items}
