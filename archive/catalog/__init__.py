"""The catalog: the relational record of what the archive holds and what happened to it.

``models`` holds the tables, ``codes`` the controlled vocabularies (code plus Vietnamese and
English label), and ``db`` the engine, session and migration helpers. The names most callers
need are re-exported here.
"""

from archive.catalog.accounts import ApiToken, LoginThrottle, WebSession
from archive.catalog.db import (
    MIGRATIONS_DIR,
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    make_session_factory,
    schema_differences,
    upgrade,
)
from archive.catalog.models import (
    Agency,
    Base,
    BatchItem,
    Bitstream,
    CatalogRuleError,
    Document,
    DocumentLanguage,
    Dossier,
    DossierLanguage,
    EventAgent,
    EventObject,
    FieldProvenance,
    Fonds,
    FondsLanguage,
    IngestBatch,
    PartialDate,
    PreservationAgent,
    PreservationEvent,
    Representation,
    User,
    utc_now,
)

__all__ = [
    "MIGRATIONS_DIR",
    "Agency",
    "ApiToken",
    "Base",
    "BatchItem",
    "Bitstream",
    "CatalogRuleError",
    "Document",
    "DocumentLanguage",
    "Dossier",
    "DossierLanguage",
    "EventAgent",
    "EventObject",
    "FieldProvenance",
    "Fonds",
    "FondsLanguage",
    "IngestBatch",
    "LoginThrottle",
    "PartialDate",
    "PreservationAgent",
    "PreservationEvent",
    "Representation",
    "User",
    "WebSession",
    "current_revision",
    "downgrade",
    "head_revision",
    "make_engine",
    "make_session_factory",
    "schema_differences",
    "upgrade",
    "utc_now",
]
