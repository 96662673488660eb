"""Alembic environment for the catalog.

``archive.catalog.db`` hands over an open connection in ``config.attributes["connection"]``.
Run from the ``alembic`` command line instead (to write a new revision), the database is the
``sqlalchemy.url`` option if given, else the catalog of the configured deployment
(``LUUTRU_DATABASE_URL`` or the SQLite file in ``LUUTRU_DATA_DIR``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from archive.catalog.db import make_engine
from archive.catalog.models import Base
from archive.config import load_settings

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or load_settings().catalog_url


def _configure(connection: Connection) -> None:
    # SQLite cannot ALTER most things; batch mode copies the table instead.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    """Write the SQL to standard output (``alembic upgrade head --sql``) for a DBA to review."""
    url = _url()
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _configure(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
