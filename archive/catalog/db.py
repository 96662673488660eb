"""Engines, sessions and schema migrations for the catalog, on SQLite or PostgreSQL.

Migrations run through Alembic's Python API with the scripts shipped inside the package, so
``luutru db upgrade`` works from any directory and from an installed wheel, without an
``alembic.ini`` next to the operator.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
"""``archive/migrations``: env.py, script.py.mako and versions/ (installed as package data)."""


SQLITE_BUSY_TIMEOUT_MS = 60_000
IMMEDIATE_OPTION = "luutru_sqlite_immediate"
RESUMABLE_OPTION = "luutru_sqlite_resumable"
"""Transactions that a power cut may roll back because their work is redone on resume (see ``make_session_factory``)."""


def make_engine(url: str | URL, **engine_options: Any) -> Engine:
    """An engine configured for the catalog's needs on either backend.

    SQLite: foreign keys are enforced (SQLite ignores them unless told, per connection); the
    journal is WAL so the web app can read while a worker writes; and SQLAlchemy emits BEGIN
    itself, because the sqlite3 driver's legacy mode runs DDL outside transactions and breaks
    SAVEPOINTs, which would make a failed migration leave half a schema behind. The directory of
    a database file is created, so a first ``db upgrade`` works in a fresh data directory.

    PostgreSQL: connections are pinged before use so a restarted server does not fail the first
    request after it; a bare ``postgresql://`` URL uses psycopg 3, the driver the project ships.
    """
    url = make_url(url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
            Path(url.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **engine_options)
        _configure_sqlite(engine)
        return engine
    engine_options.setdefault("pool_pre_ping", True)
    return create_engine(url, **engine_options)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        # SQLite takes the level per connection and only outside a transaction; pooled connections are
        # shared by every session factory, so each transaction sets its own (only when it changes).
        level = "NORMAL" if options.get(RESUMABLE_OPTION, False) else "FULL"
        if connection.info.get("synchronous") != level:
            connection.exec_driver_sql(f"PRAGMA synchronous = {level}")
            connection.info["synchronous"] = level
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(IMMEDIATE_OPTION, False) else "BEGIN")


def make_session_factory(engine: Engine, *, expire_on_commit: bool = True,
                         writer: bool = False, resumable: bool = False) -> sessionmaker[Session]:
    """A session factory bound to ``engine``.

    ``expire_on_commit=False`` suits code that hands objects on after committing (Celery task
    results, JSON responses); the default reloads them so nobody reads stale rows.

    ``writer=True`` is for concurrent workers that read and then write (the pipeline). On SQLite
    their transactions begin IMMEDIATE, taking the write lock up front: a deferred transaction that
    reads and later writes fails at once (SQLITE_BUSY_SNAPSHOT, no waiting) if another thread
    committed in between, while an immediate one waits its turn. Such sessions must keep their
    transactions short, since they block other writers while open; PostgreSQL is unaffected.

    ``resumable=True`` (the pipeline's step transactions) commits on SQLite with ``synchronous =
    NORMAL`` instead of ``FULL``: the WAL is fsynced at checkpoints rather than at every commit,
    which cost ~3–4 ms per commit, a dozen commits per file. What is given up: a power cut or OS
    crash (not a killed process: the WAL is already in the OS) may roll back the last commits; the
    database stays consistent, and as the WAL is replayed in order, everything committed before a
    surviving commit survives too. Why that is safe for the pipeline: a rolled-back step is exactly a
    step killed before its commit, which the pipeline redoes on resume (deterministic object keys
    are adopted, an OCFL version stored ahead of the catalog is adopted by ``packaging.seal``;
    ``tests/pipeline/test_resume.py``). Receipt of the masters and every person's action keep
    ``FULL``, and a ``FULL`` commit also makes every earlier one durable. PostgreSQL is unaffected.
    """
    options: dict[str, bool] = {}
    if writer:
        options[IMMEDIATE_OPTION] = True
    if resumable:
        options[RESUMABLE_OPTION] = True
    if options:
        engine = engine.execution_options(**options)
    return sessionmaker(bind=engine, expire_on_commit=expire_on_commit)


def alembic_config() -> Config:
    """An Alembic configuration pointing at the packaged migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    return config


@contextmanager
def _connection(target: str | URL | Engine) -> Iterator[Connection]:
    """A connection to ``target``; an engine made here from a URL is disposed afterwards."""
    engine = target if isinstance(target, Engine) else make_engine(target)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        if engine is not target:
            engine.dispose()


def _run(target: str | URL | Engine, action: Any, *args: Any) -> None:
    config = alembic_config()
    with _connection(target) as connection:
        config.attributes["connection"] = connection
        action(config, *args)
        connection.commit()


def upgrade(target: str | URL | Engine, revision: str = "head") -> None:
    """Migrate the catalog at ``target`` (URL or engine) up to ``revision``, creating it if empty."""
    _run(target, command.upgrade, revision)


def downgrade(target: str | URL | Engine, revision: str) -> None:
    """Migrate down to ``revision``; ``"base"`` removes every catalog table and its data.

    There is no default revision: going down destroys data, so the caller must say how far.
    """
    _run(target, command.downgrade, revision)


def current_revision(target: str | URL | Engine) -> str | None:
    """The revision the catalog at ``target`` is at, or ``None`` for an empty database."""
    with _connection(target) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision shipped with this version of the software."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"No migration scripts found in {MIGRATIONS_DIR}; the installation is incomplete.")
    return head


def schema_differences(target: str | URL | Engine) -> list[Any]:
    """Differences between the models and the migrated schema at ``target``; empty when they agree.

    Used by the tests and useful to an operator who suspects a hand-edited database. CHECK
    constraints are not compared (Alembic cannot reflect them portably).
    """
    from archive.catalog.models import Base

    with _connection(target) as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True})
        return list(compare_metadata(context, Base.metadata))
