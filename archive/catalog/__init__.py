"""The catalog: the relational record of what the archive holds and what happened to it.

``models`` holds the tables, ``codes`` the controlled vocabularies (code plus Vietnamese and
English label), and ``db`` the engine, session and migration helpers. The names most callers
need are re-exported here.
"""

from archive.catalog.access import AccessGrant, SavedQuery
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
from archive.catalog.integrity import AuditCheckpoint, AuditEntry, ObjectCopy, SignatureValidation
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
from archive.catalog.packages import ArchivalPackage, MetadataChange
from archive.catalog.sharing import AccessRequest, GrantDownload, ShareLink

__all__ = [
    "MIGRATIONS_DIR",
    "AccessGrant",
    "AccessRequest",
    "GrantDownload",
    "ShareLink",
    "SavedQuery",
    "Agency",
    "AuditCheckpoint",
    "AuditEntry",
    "ArchivalPackage",
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
    "ObjectCopy",
    "MetadataChange",
    "LoginThrottle",
    "PartialDate",
    "PreservationAgent",
    "PreservationEvent",
    "Representation",
    "SignatureValidation",
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
