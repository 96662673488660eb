"""Archives for the integrity tests: catalog on SQLite or PostgreSQL, objects in local folders or MinIO,
optionally with a replica location; and a helper that stores an object and catalogs it as a master."""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.catalog import Bitstream
from archive.catalog.codes import BitstreamRole
from archive.cli import main
from archive.config import load_settings
from archive.factory import Archive, create_archive
from tests.conftest import S3_ACCESS_KEY, S3_SECRET_KEY


def run_cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--lang", "en", *args], env=env, catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def catalog_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    env = {"LUUTRU_DATA_DIR": str(tmp_path / "data")}
    if request.param == "postgresql":
        env["LUUTRU_DATABASE_URL"] = request.getfixturevalue("pg_database")
    return env


def _build(env: dict[str, str]) -> Archive:
    code, output = run_cli(env, "init")
    assert code == 0, output
    return create_archive(load_settings(env))


@pytest.fixture()
def archive(catalog_env: dict[str, str]) -> Iterator[Archive]:
    built = _build(catalog_env)
    yield built
    built.engine.dispose()


@pytest.fixture()
def replicated_env(tmp_path: Path) -> dict[str, str]:
    """Embedded profile with a second local folder as the replica."""
    return {"LUUTRU_DATA_DIR": str(tmp_path / "data"), "LUUTRU_REPLICA_DIR": str(tmp_path / "replica")}


@pytest.fixture()
def s3_replicated_env(tmp_path: Path, pg_database: str, minio_endpoint: str, s3_bucket: str) -> Iterator[dict[str, str]]:
    """PostgreSQL catalog, objects in one MinIO bucket, the replica in another (both with Object Lock)."""
    from minio import Minio
    from minio.deleteobjects import DeleteObject

    client = Minio(minio_endpoint, access_key=S3_ACCESS_KEY, secret_key=S3_SECRET_KEY, secure=False)
    replica_bucket = f"test-{uuid.uuid4().hex[:16]}"
    env = {"LUUTRU_DATA_DIR": str(tmp_path / "data"), "LUUTRU_DATABASE_URL": pg_database,
           "LUUTRU_S3_ENDPOINT": minio_endpoint, "LUUTRU_S3_BUCKET": s3_bucket, "LUUTRU_S3_ACCESS_KEY": S3_ACCESS_KEY,
           "LUUTRU_S3_SECRET_KEY": S3_SECRET_KEY, "LUUTRU_REPLICA_S3_ENDPOINT": minio_endpoint,
           "LUUTRU_REPLICA_S3_BUCKET": replica_bucket, "LUUTRU_REPLICA_S3_ACCESS_KEY": S3_ACCESS_KEY,
           "LUUTRU_REPLICA_S3_SECRET_KEY": S3_SECRET_KEY, "LUUTRU_S3_LOCK_MODE": "GOVERNANCE",
           "LUUTRU_S3_LOCK_DAYS": "1"}
    yield env
    if client.bucket_exists(replica_bucket):
        objects = [DeleteObject(o.object_name, o.version_id)
                   for o in client.list_objects(replica_bucket, recursive=True, include_version=True)]
        if not list(client.remove_objects(replica_bucket, objects, bypass_governance_mode=True)):
            client.remove_bucket(replica_bucket)


StoreMaster = Callable[[bytes], Bitstream]


def store_master(archive: Archive, content: bytes, name: str = "file.pdf") -> Bitstream:
    """Put ``content`` into the primary store as a master and catalog it, as ingest does."""
    digest = hashlib.sha256(content).hexdigest()
    key = f"masters/{digest[:2]}/{digest[2:4]}/{digest}"
    archive.store.put(key, io.BytesIO(content), expected_sha256=digest, retain=True)
    with archive.work_sessions.begin() as session:
        bitstream = Bitstream(storage_key=key, size=len(content), sha256=digest, role=BitstreamRole.MASTER,
                              mime_type="application/pdf", original_filename=name)
        session.add(bitstream)
        session.flush()
        session.expunge(bitstream)
    return bitstream


def corrupt_local(root: Path, key: str, offset: int = 10) -> None:
    """Flip one byte of a stored file (objects are written read-only, so make it writable first)."""
    path = root / key
    os.chmod(path, 0o644)
    with open(path, "r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0xFF]))
