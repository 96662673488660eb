"""The app factory: builds the configured backends once for the web app, the CLI and the workers.

Everything that differs between the embedded and the services profile is decided here and only
here; the rest of the code talks to the small interfaces (catalog sessions, ``ObjectStore``,
``SearchIndex``, the Celery app) and never asks which profile it runs under.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

from celery import Celery
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from archive.catalog.db import make_engine, make_session_factory
from archive.config import Settings, load_settings
from search.base import SearchIndex
from search.elastic import ElasticsearchIndex
from search.sqlite_fts import SqliteFtsIndex
from search.tantivy_index import TantivyIndex
from storage.base import ObjectStore
from storage.local import LocalObjectStore
from storage.s3 import S3ObjectStore

if TYPE_CHECKING:
    from archive.tasks import CeleryDispatcher, LocalDispatcher


@dataclass
class Archive:
    """The composed application: settings plus one instance of every backend."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    work_sessions: sessionmaker[Session]   # for read-then-write transactions
    pipeline_sessions: sessionmaker[Session]   # the pipeline's step transactions, redone on resume
    store: ObjectStore
    index: SearchIndex
    celery: Celery | None          # services profile only; the embedded one needs no broker
    secret_key: str
    dispatcher: CeleryDispatcher | LocalDispatcher = None  # type: ignore[assignment]  # set by create_archive
    replica: ObjectStore | None = None  # the second, independent copy (TT 05 Điều 27), when configured

    def locations(self) -> dict[str, ObjectStore]:
        """Every storage location by name: ``primary`` and, when configured, ``replica``."""
        return {"primary": self.store, **({"replica": self.replica} if self.replica is not None else {})}


def _secret_key(settings: Settings) -> str:
    """The configured key, or (embedded only) one generated once and kept private in the data dir."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret.key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def make_store(settings: Settings) -> ObjectStore:
    """S3 whenever an endpoint is configured, else files under the data directory."""
    if settings.s3_endpoint:
        return S3ObjectStore(
            endpoint=settings.s3_endpoint, bucket=settings.s3_bucket, access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key, secure=settings.s3_secure, region=settings.s3_region or None,
            lock_mode=settings.s3_lock_mode.upper() or None, lock_days=settings.s3_lock_days,
            part_size=settings.s3_part_size)
    return LocalObjectStore(settings.objects_dir)


def make_replica(settings: Settings) -> ObjectStore | None:
    """The replica location: another S3 bucket or server, or another local folder; None if not configured."""
    if settings.replica_s3_endpoint:
        return S3ObjectStore(
            endpoint=settings.replica_s3_endpoint, bucket=settings.replica_s3_bucket,
            access_key=settings.replica_s3_access_key, secret_key=settings.replica_s3_secret_key,
            secure=settings.replica_s3_secure, region=settings.replica_s3_region or None,
            lock_mode=settings.s3_lock_mode.upper() or None, lock_days=settings.s3_lock_days,
            part_size=settings.s3_part_size)
    if settings.replica_dir:
        return LocalObjectStore(Path(settings.replica_dir).expanduser())
    return None


def make_index(settings: Settings) -> SearchIndex:
    """Elasticsearch whenever a URL is configured, else the embedded engine of ``LUUTRU_SEARCH_ENGINE`` in
    the data directory: tantivy (default; see BENCHMARKS.md "Embedded on tantivy") or SQLite FTS5."""
    if settings.es_url:
        return ElasticsearchIndex(settings.es_url, prefix=settings.es_index_prefix)
    if settings.search_engine == "sqlite":
        return SqliteFtsIndex(settings.search_db_path)
    return TantivyIndex(settings.search_dir)


def make_celery(settings: Settings) -> Celery | None:
    """Celery on the configured broker (Redis); None when none is configured (embedded profile)."""
    if not settings.broker_url:
        return None
    app = Celery("luutru", broker=settings.broker_url, backend=settings.broker_url)
    app.conf.update(
        task_acks_late=True,              # a worker that dies mid-task leaves the task for another
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,     # OCR tasks are long; do not hoard them
        task_serializer="json", result_serializer="json", accept_content=["json"],
        broker_connection_retry_on_startup=True,
        timezone="UTC", enable_utc=True,
    )
    return app


def create_archive(settings: Settings | None = None) -> Archive:
    """Build every backend from validated settings; the only place profiles are looked at."""
    settings = settings or load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    from archive.tasks import CeleryDispatcher, LocalDispatcher

    engine = make_engine(settings.catalog_url)
    archive = Archive(settings=settings, engine=engine, sessions=make_session_factory(engine),
                      work_sessions=make_session_factory(engine, writer=True),
                      pipeline_sessions=make_session_factory(engine, writer=True, resumable=True),
                      store=make_store(settings), index=make_index(settings), celery=make_celery(settings),
                      secret_key=_secret_key(settings), replica=make_replica(settings))
    archive.dispatcher = CeleryDispatcher(archive, archive.celery) if archive.celery else LocalDispatcher(archive)
    return archive
