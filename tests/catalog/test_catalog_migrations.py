"""Migrations build, remove and rebuild the schema, and the models agree with what they build."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, Enum, inspect, text

from archive.catalog import (
    MIGRATIONS_DIR,
    Base,
    PreservationEvent,
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    make_session_factory,
    schema_differences,
    upgrade,
)
from archive.catalog.codes import CodeEnum, EventOutcome, EventType

CATALOG_TABLES = set(Base.metadata.tables)


def _tables(url_or_engine: str | Engine) -> set[str]:
    engine = url_or_engine if isinstance(url_or_engine, Engine) else make_engine(url_or_engine)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        if engine is not url_or_engine:
            engine.dispose()


def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    assert current_revision(database_url) is None
    assert _tables(database_url) == set()

    upgrade(database_url)
    assert current_revision(database_url) == head_revision()
    assert _tables(database_url) == CATALOG_TABLES

    downgrade(database_url, "base")
    assert current_revision(database_url) is None
    assert _tables(database_url) == set()

    upgrade(database_url, "head")
    assert current_revision(database_url) == head_revision()
    assert _tables(database_url) == CATALOG_TABLES


def test_models_match_the_migrated_schema(engine: Engine) -> None:
    assert schema_differences(engine) == []


def test_schema_drift_is_reported(engine: Engine) -> None:
    """The comparison is not vacuous: a missing index shows up."""
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_bitstream_sha256"))
    differences = schema_differences(engine)
    assert any(diff[0] == "add_index" and diff[1].name == "ix_bitstream_sha256" for diff in differences)


def test_check_constraints_in_the_database_match_the_code_lists(engine: Engine) -> None:
    """Alembic's autogenerate ignores CHECK constraints, so a code added to ``codes.py`` without a
    migration would go unnoticed; this compares every code CHECK in the database with its list."""
    inspector = inspect(engine)
    compared: set[str] = set()
    for table in Base.metadata.sorted_tables:
        reflected = {ck["name"]: ck["sqltext"] for ck in inspector.get_check_constraints(table.name)}
        for column in table.columns:
            code_list = getattr(column.type, "enum_class", None)
            if not (isinstance(column.type, Enum) and code_list and issubclass(code_list, CodeEnum)):
                continue
            name = f"ck_{table.name}_{column.name}"
            assert name in reflected, f"{name} is missing from the database"
            assert set(re.findall(r"'([^']*)'", reflected[name])) == set(code_list.codes()), name
            compared.add(name)
    assert {"ck_dossier_maintenance", "ck_document_type_name", "ck_document_confidentiality",
            "ck_dossier_language_language", "ck_bitstream_digest_algorithm", "ck_batch_item_failed_step",
            "ck_preservation_event_event_type", "ck_event_agent_role"} <= compared


def test_upgrade_needs_no_alembic_ini_in_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'nested' / 'data' / 'catalog.sqlite'}"
    upgrade(url)
    assert current_revision(url) == head_revision()
    assert (MIGRATIONS_DIR / "env.py").is_file() and (MIGRATIONS_DIR / "script.py.mako").is_file()
    assert (MIGRATIONS_DIR / "versions" / "0001_initial.py").is_file()


def test_sqlite_engine_enforces_foreign_keys_and_uses_wal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()


def test_sqlite_ddl_is_transactional(tmp_path: Path) -> None:
    """A failed migration step must not leave half a schema: DDL rolls back on SQLite too."""
    engine = make_engine(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE scratch (id INTEGER)")
            connection.rollback()
        assert "scratch" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_timestamps_come_back_timezone_aware_in_utc(engine: Engine) -> None:
    hanoi = timezone(timedelta(hours=7))
    happened = datetime(2024, 11, 15, 9, 30, 15, 123000, tzinfo=hanoi)
    factory = make_session_factory(engine)
    with factory() as session:
        event = PreservationEvent(event_type=EventType.FIXITY_CHECK, outcome=EventOutcome.SUCCESS,
                                  event_datetime=happened)
        session.add(event)
        session.commit()
        identifier = event.event_identifier
    with factory() as session:
        loaded = session.query(PreservationEvent).filter_by(event_identifier=identifier).one()
        assert loaded.event_datetime == happened
        assert loaded.event_datetime.utcoffset() == timedelta(0)
        assert loaded.event_datetime.hour == 2


def test_naive_timestamps_are_refused(engine: Engine) -> None:
    with make_session_factory(engine)() as session:
        session.add(PreservationEvent(event_type=EventType.FIXITY_CHECK, outcome=EventOutcome.SUCCESS,
                                      event_datetime=datetime(2024, 11, 15, 9, 30)))
        with pytest.raises(Exception, match="has no time zone"):
            session.flush()
