"""Packages on the services backends: PostgreSQL, MinIO with Object Lock and GOVERNANCE retention, Elasticsearch.

The same record life as on the embedded profile (ingest → AIP v1, a correction → v2, rebuild
into an empty database and a new index) must give the same catalog, with the object-root
inventory swapped by conditional PUTs on a versioned, locked bucket.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from archive.batches import BatchService
from archive.catalog import ArchivalPackage, Bitstream
from archive.catalog.db import downgrade
from archive.cli import main
from archive.config import load_settings
from archive.factory import create_archive
from archive.work import LocalWorker
from ingest.package import OcflStorage, validate_storage_root
from search.base import SearchRequest, Visibility
from tests.conftest import S3_ACCESS_KEY, S3_SECRET_KEY
from tests.pipeline.badfiles import CORPUS
from tests.pipeline.conftest import SCHEMA_DIR
from tests.pipeline.test_archival_packages import snapshot

pytestmark = pytest.mark.services


def test_packages_corrections_and_rebuild_on_services(tmp_path: Path, pg_database: str, s3_bucket: str,
                                                      minio_endpoint: str, es_url: str, clamd_address: str,
                                                      es_prefixes: Callable[[], str]) -> None:
    env = {"LUUTRU_DATA_DIR": str(tmp_path / "work"), "LUUTRU_DATABASE_URL": pg_database,
           "LUUTRU_S3_ENDPOINT": minio_endpoint, "LUUTRU_S3_BUCKET": s3_bucket,
           "LUUTRU_S3_ACCESS_KEY": S3_ACCESS_KEY, "LUUTRU_S3_SECRET_KEY": S3_SECRET_KEY,
           "LUUTRU_S3_LOCK_MODE": "GOVERNANCE", "LUUTRU_S3_LOCK_DAYS": "1",
           "LUUTRU_ES_URL": es_url, "LUUTRU_ES_INDEX_PREFIX": es_prefixes(),
           "LUUTRU_CLAMD": clamd_address, "LUUTRU_OCR_JOBS": "1", "LUUTRU_SCHEMA_DIR": str(SCHEMA_DIR)}
    runner = CliRunner()
    assert runner.invoke(main, ["init"], env=env, catch_exceptions=False).exit_code == 0
    archive = create_archive(load_settings(env))
    service = BatchService(archive)
    batch_id = service.submit([CORPUS / "vn003.pdf", CORPUS / "vn008.pdf"], name="Lô gói trên dịch vụ")
    LocalWorker(archive, threads=2).run(until_batch_done=batch_id, poll_seconds=0.1)
    report = service.report(batch_id)
    assert {i["state"] for i in report.items} == {"archived"}, report.items
    record = str(report.items[0]["document_id"])
    done = runner.invoke(main, ["describe", record, "--set", "keyword=cải cách hành chính", "--actor",
                                "Đỗ Minh Châu"], env=env, catch_exceptions=False)
    assert done.exit_code == 0 and done.output.strip().endswith("AIP v2"), done.output

    assert [f for f in validate_storage_root(archive.store) if f.is_error] == []
    with archive.sessions() as session:
        keys = sorted(b.storage_key for b in session.scalars(select(Bitstream)))
        packages = session.scalars(select(ArchivalPackage)).all()
    assert sorted(k for k in archive.store.list() if not k.startswith("ocfl/")) == keys
    ocfl = OcflStorage(archive.store)
    for package in packages:
        [master] = [f.key for path, f in ocfl.files(package.object_id).items()
                    if path.startswith("representations/rep1/data/")]
        assert archive.store.head(master).retain_until is not None, "package content is under retention"
        root = f"{ocfl.object_root(package.object_id)}/inventory.json"
        assert archive.store.head(root).retain_until is None, "the swappable root inventory is not retained"
    before = snapshot(archive)
    archive.engine.dispose()

    downgrade(create_archive(load_settings(env)).engine, "base")
    rebuilt_env = {**env, "LUUTRU_ES_INDEX_PREFIX": es_prefixes()}
    result = runner.invoke(main, ["--lang", "en", "rebuild", "--from-storage"], env=rebuilt_env,
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rebuilt = create_archive(load_settings(rebuilt_env))
    after = snapshot(rebuilt)
    for key in before:
        assert after[key] == before[key], key
    hits = rebuilt.index.search(SearchRequest("cải cách hành chính"), Visibility.everything())
    assert record in {hit.doc_id for hit in hits.hits}
    # PostgreSQL's sequences continue after the restored ids: a new correction works.
    again = runner.invoke(main, ["describe", record, "--set", "keyword=số hóa", "--actor", "Đỗ Minh Châu"],
                          env=rebuilt_env, catch_exceptions=False)
    assert again.exit_code == 0 and again.output.strip().endswith("AIP v3"), again.output
    rebuilt.engine.dispose()
