"""Shared fixtures: the real services started by ``scripts/services.sh``.

A missing service is a failure, never a skip: a suite that quietly skips its PostgreSQL or MinIO
tests would report green while testing nothing. The addresses default to the ports that
``scripts/services.sh`` uses and can be overridden with the ``LUUTRU_TEST_*`` variables it prints.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

SERVICES = {
    "postgresql": os.environ.get("LUUTRU_TEST_PG_URL", "postgresql+psycopg://luutru:luutru@127.0.0.1:55432/luutru"),
    "minio": os.environ.get("LUUTRU_TEST_S3_ENDPOINT", "127.0.0.1:59000"),
    "elasticsearch": os.environ.get("LUUTRU_TEST_ES_URL", "http://127.0.0.1:59200"),
    "redis": os.environ.get("LUUTRU_TEST_REDIS_URL", "redis://127.0.0.1:56379/0"),
    "clamd": os.environ.get("LUUTRU_TEST_CLAMD", "127.0.0.1:53310"),
}
S3_ACCESS_KEY = os.environ.get("LUUTRU_TEST_S3_ACCESS_KEY", "luutru-test")
S3_SECRET_KEY = os.environ.get("LUUTRU_TEST_S3_SECRET_KEY", "luutru-test-secret")
REPO_ROOT = Path(__file__).resolve().parent.parent


def _host_port(service: str) -> tuple[str, int]:
    address = SERVICES[service]
    if "://" in address:
        address = address.split("://", 1)[1]
    address = address.split("@")[-1].split("/")[0]
    host, _, port = address.rpartition(":")
    return host, int(port)


def require_service(service: str) -> str:
    """Return the service's address, or fail the test with the command that starts it."""
    host, port = _host_port(service)
    try:
        with socket.create_connection((host, port), timeout=2):
            return SERVICES[service]
    except OSError as exc:
        pytest.fail(
            f"{service} is not reachable at {host}:{port} ({exc}). Start the services with "
            "`scripts/services.sh up` (or run the whole suite with `scripts/test.sh`).",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def pg_url() -> str:
    """URL of a PostgreSQL database owned by the tests."""
    return require_service("postgresql")


@pytest.fixture(scope="session")
def es_url() -> str:
    """URL of the single-node Elasticsearch 9."""
    return require_service("elasticsearch")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of the Redis used as Celery broker."""
    return require_service("redis")


@pytest.fixture(scope="session")
def clamd_address() -> str:
    """host:port of clamd, loaded with the EICAR test signature."""
    return require_service("clamd")


@pytest.fixture(scope="session")
def minio_endpoint() -> str:
    """host:port of the MinIO server."""
    return require_service("minio")


@pytest.fixture()
def s3_bucket(minio_endpoint: str) -> Iterator[str]:
    """A fresh bucket with Object Lock enabled, removed with its objects after the test."""
    from minio import Minio
    from minio.deleteobjects import DeleteObject

    client = Minio(minio_endpoint, access_key=S3_ACCESS_KEY, secret_key=S3_SECRET_KEY, secure=False)
    name = f"test-{uuid.uuid4().hex[:16]}"
    client.make_bucket(name, object_lock=True)
    yield name
    objects = [DeleteObject(o.object_name, o.version_id)
               for o in client.list_objects(name, recursive=True, include_version=True)]
    errors = list(client.remove_objects(name, objects, bypass_governance_mode=True))
    if not errors:
        client.remove_bucket(name)


@pytest.fixture()
def es_prefixes(es_url: str) -> Iterator[Callable[[], str]]:
    """Makes fresh index prefixes for one test; the indices behind each are deleted after it, so runs
    leave nothing on a developer's node."""
    from search.elastic import ElasticsearchIndex

    made: list[str] = []

    def new() -> str:
        made.append(f"test-{uuid.uuid4().hex[:12]}")
        return made[-1]

    yield new
    for prefix in made:
        ElasticsearchIndex(es_url, prefix=prefix).drop()


@pytest.fixture()
def pg_database(pg_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(pg_url)
    name = f"t_{uuid.uuid4().hex[:16]}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield admin.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture()
def services_env(pg_database: str, s3_bucket: str, minio_endpoint: str, es_url: str, redis_url: str,
                 es_prefixes: Callable[[], str]) -> dict[str, str]:
    """Environment of a `services` profile deployment on the real services, isolated per test."""
    return {
        "LUUTRU_PROFILE": "services",
        "LUUTRU_SECRET_KEY": "test-secret-key",
        "LUUTRU_DATABASE_URL": pg_database,
        "LUUTRU_S3_ENDPOINT": minio_endpoint,
        "LUUTRU_S3_BUCKET": s3_bucket,
        "LUUTRU_S3_ACCESS_KEY": S3_ACCESS_KEY,
        "LUUTRU_S3_SECRET_KEY": S3_SECRET_KEY,
        "LUUTRU_ES_URL": es_url,
        "LUUTRU_ES_INDEX_PREFIX": es_prefixes(),
        "LUUTRU_BROKER_URL": redis_url,
    }
