"""The initial catalog: agencies, fonds, files, documents, stored objects, ingest, users and PREMIS.

Written by autogenerate and then reviewed: timestamps are plain ``DateTime(timezone=True)``
(the UTC handling is Python-side), boolean defaults use ``sa.true()``/``sa.false()`` so they
compile on PostgreSQL, and the code lists are frozen here as they were at this revision, so a
later change to ``archive/catalog/codes.py`` needs a revision of its own.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 17:03:09.576185
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# fmt: off
AGENT_ROLE = ("authorizer", "implementer", "validator", "executing_program")
AGENT_TYPE = ("software", "person", "organization", "hardware")
BATCH_ITEM_STATE = (
    "received", "virus_checked", "identified", "validated", "signatures_checked", "normalised", "extracted", "stored",
    "packaged", "indexed", "archived", "duplicate", "failed", "quarantined"
)
BATCH_STATUS = ("open", "processing", "completed", "completed_with_errors", "cancelled")
BITSTREAM_ROLE = ("master", "derivative", "ocr-text", "package")
CONFIDENCE_LEVEL = ("01", "02", "03")
CONFIDENTIALITY = ("01", "02", "03")
DATE_PRECISION = ("day", "month", "year")
DIGEST_ALGORITHM = ("SHA-256",)
DIRECTION = ("0", "1")
EVENT_OUTCOME = ("success", "failure", "warning")
EVENT_TYPE = (
    "acc", "app", "cap", "com", "cop", "cre", "dea", "dec", "del", "der", "dig", "dis", "dsg", "dsp",
    "enc", "exe", "exp", "ext", "ffa", "fil", "fix", "for", "ima", "ine", "ing", "ins", "int", "ipc",
    "ipm", "ips", "mee", "mem", "mes", "mig", "mod", "nor", "pac", "poa", "prt", "qua", "rec", "red",
    "ref", "ren", "rep", "tra", "unp", "unq", "val", "vir"
)
FONDS_STATUS = ("open", "closed")
FORMAT = ("01", "02", "03")
LANGUAGE = ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11")
MAINTENANCE = ("01", "02", "03", "04", "05", "06", "07")
MODE = ("01", "02", "03")
OBJECT_ROLE = ("source", "outcome")
REPRESENTATION_TYPE = ("original", "preservation", "access")
RISK_RECOVERY_STATUS = ("01", "02")
SIGNER_AUTHORITY = ("TM", "Q", "KT", "TL", "TUQ")
TYPE_NAME = (
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16",
    "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32"
)
URGENCY = ("01", "02", "03")
USER_ROLE = ("archivist", "official", "auditor", "admin")
# fmt: on


def codes(values: tuple[str, ...], name: str, length: int | None = None) -> sa.Enum:
    """VARCHAR limited by the CHECK constraint ``ck_<table>_<name>`` to ``values`` (models.code_type)."""
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


TABLES = [
    "agency",
    "preservation_event",
    "fonds",
    "user_account",
    "dossier",
    "fonds_language",
    "ingest_batch",
    "preservation_agent",
    "document",
    "dossier_language",
    "event_agent",
    "document_language",
    "representation",
    "bitstream",
    "batch_item",
    "event_object",
]
"""Creation order; downgrade drops them in reverse so no foreign key is left dangling."""


def upgrade() -> None:
    op.create_table(
        "agency",
        sa.Column("id", ID, nullable=False),
        sa.Column("organ_id", sa.String(length=13), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("abbreviation", sa.String(length=30), nullable=True),
        sa.Column("parent_id", ID, nullable=True),
        sa.CheckConstraint("length(organ_id) = 13", name=op.f("ck_agency_organ_id_length")),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name=op.f("ck_agency_not_own_parent")),
        sa.ForeignKeyConstraint(["parent_id"], ["agency.id"], name=op.f("fk_agency_parent_id_agency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency")),
        sa.UniqueConstraint("organ_id", name=op.f("uq_agency_organ_id")),
    )
    op.create_index(op.f("ix_agency_parent_id"), "agency", ["parent_id"])

    op.create_table(
        "preservation_event",
        sa.Column("id", ID, nullable=False),
        sa.Column("event_identifier", sa.Uuid(), nullable=False),
        sa.Column("event_type", codes(EVENT_TYPE, "event_type", 30), nullable=False),
        sa.Column("event_datetime", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_detail", sa.Text(), nullable=True),
        sa.Column("outcome", codes(EVENT_OUTCOME, "outcome", 30), nullable=False),
        sa.Column("outcome_detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preservation_event")),
        sa.UniqueConstraint("event_identifier", name=op.f("uq_preservation_event_event_identifier")),
    )
    op.create_index(op.f("ix_preservation_event_event_datetime"), "preservation_event", ["event_datetime"])
    op.create_index(
        op.f("ix_preservation_event_event_type_event_datetime"), "preservation_event", ["event_type", "event_datetime"]
    )

    op.create_table(
        "fonds",
        sa.Column("id", ID, nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("agency_id", ID, nullable=True),
        sa.Column("status", codes(FONDS_STATUS, "status", 30), nullable=False),
        sa.Column("history", sa.Text(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("start_date_precision", codes(DATE_PRECISION, "start_date_precision", 30), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("end_date_precision", codes(DATE_PRECISION, "end_date_precision", 30), nullable=True),
        sa.Column("classification_scheme", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(end_date IS NULL AND end_date_precision IS NULL) OR (end_date IS NOT NULL AND end_date_precision "
            "IS NOT NULL)",
            name=op.f("ck_fonds_end_date_pair"),
        ),
        sa.CheckConstraint(
            "(start_date IS NULL AND start_date_precision IS NULL) OR (start_date IS NOT NULL AND "
            "start_date_precision IS NOT NULL)",
            name=op.f("ck_fonds_start_date_pair"),
        ),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_fonds_agency_id_agency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fonds")),
        sa.UniqueConstraint("code", name=op.f("uq_fonds_code")),
    )
    op.create_index(op.f("ix_fonds_agency_id"), "fonds", ["agency_id"])

    op.create_table(
        "user_account",
        sa.Column("id", ID, nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", codes(USER_ROLE, "role", 30), nullable=False),
        sa.Column("agency_id", ID, nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_user_account_agency_id_agency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )
    op.create_index(op.f("ix_user_account_agency_id"), "user_account", ["agency_id"])

    op.create_table(
        "dossier",
        sa.Column("id", ID, nullable=False),
        sa.Column("fonds_id", ID, nullable=False),
        sa.Column("file_code", sa.String(length=100), nullable=False),
        sa.Column("organ_id", sa.String(length=13), nullable=True),
        sa.Column("file_catalog", sa.SmallInteger(), nullable=True),
        sa.Column("file_notation", sa.String(length=20), nullable=True),
        sa.Column("title", sa.String(length=1000), nullable=False),
        sa.Column("maintenance", codes(MAINTENANCE, "maintenance"), nullable=True),
        sa.Column("mode", codes(MODE, "mode"), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("start_date_precision", codes(DATE_PRECISION, "start_date_precision", 30), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("end_date_precision", codes(DATE_PRECISION, "end_date_precision", 30), nullable=True),
        sa.Column("keyword", sa.String(length=100), nullable=True),
        sa.Column("total_doc", sa.BigInteger(), nullable=True),
        sa.Column("number_of_paper", sa.BigInteger(), nullable=True),
        sa.Column("number_of_page", sa.BigInteger(), nullable=True),
        sa.Column("format", codes(FORMAT, "format"), nullable=True),
        sa.Column("infor_sign", sa.String(length=30), nullable=True),
        sa.Column("confidence_level", codes(CONFIDENCE_LEVEL, "confidence_level"), nullable=True),
        sa.Column("paper_file_code", sa.String(length=100), nullable=True),
        sa.Column("risk_recovery", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("risk_recovery_status", codes(RISK_RECOVERY_STATUS, "risk_recovery_status"), nullable=True),
        sa.Column("description", sa.String(length=2000), nullable=True),
        sa.Column("creator", sa.String(length=30), nullable=True),
        sa.CheckConstraint(
            "COALESCE(confidence_level, '') <> '02' OR COALESCE(paper_file_code, '') <> ''",
            name=op.f("ck_dossier_paper_file_code_required"),
        ),
        sa.CheckConstraint(
            "(end_date IS NULL AND end_date_precision IS NULL) OR (end_date IS NOT NULL AND end_date_precision "
            "IS NOT NULL)",
            name=op.f("ck_dossier_end_date_pair"),
        ),
        sa.CheckConstraint(
            "(start_date IS NULL AND start_date_precision IS NULL) OR (start_date IS NOT NULL AND "
            "start_date_precision IS NOT NULL)",
            name=op.f("ck_dossier_start_date_pair"),
        ),
        sa.CheckConstraint(
            "NOT risk_recovery OR risk_recovery_status IS NOT NULL",
            name=op.f("ck_dossier_risk_recovery_status_required"),
        ),
        sa.CheckConstraint(
            "file_catalog IS NULL OR file_catalog BETWEEN 1000 AND 9999", name=op.f("ck_dossier_file_catalog_year")
        ),
        sa.CheckConstraint(
            "number_of_page IS NULL OR number_of_page >= 0", name=op.f("ck_dossier_number_of_page_not_negative")
        ),
        sa.CheckConstraint(
            "number_of_paper IS NULL OR number_of_paper >= 0", name=op.f("ck_dossier_number_of_paper_not_negative")
        ),
        sa.CheckConstraint("organ_id IS NULL OR length(organ_id) = 13", name=op.f("ck_dossier_organ_id_length")),
        sa.CheckConstraint("total_doc IS NULL OR total_doc >= 0", name=op.f("ck_dossier_total_doc_not_negative")),
        sa.ForeignKeyConstraint(["fonds_id"], ["fonds.id"], name=op.f("fk_dossier_fonds_id_fonds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier")),
        sa.UniqueConstraint("file_code", name=op.f("uq_dossier_file_code")),
    )
    op.create_index(op.f("ix_dossier_fonds_id"), "dossier", ["fonds_id"])

    op.create_table(
        "fonds_language",
        sa.Column("fonds_id", ID, nullable=False),
        sa.Column("language", codes(LANGUAGE, "language"), nullable=False),
        sa.ForeignKeyConstraint(
            ["fonds_id"], ["fonds.id"], name=op.f("fk_fonds_language_fonds_id_fonds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("fonds_id", "language", name=op.f("pk_fonds_language")),
    )
    op.create_table(
        "ingest_batch",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("fonds_id", ID, nullable=False),
        sa.Column("submitted_by_id", ID, nullable=True),
        sa.Column("status", codes(BATCH_STATUS, "status", 30), nullable=False),
        sa.Column("total_items", sa.Integer(), server_default="0", nullable=False),
        sa.Column("archived_items", sa.Integer(), server_default="0", nullable=False),
        sa.Column("duplicate_items", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failed_items", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("archived_items >= 0", name=op.f("ck_ingest_batch_archived_items_not_negative")),
        sa.CheckConstraint("duplicate_items >= 0", name=op.f("ck_ingest_batch_duplicate_items_not_negative")),
        sa.CheckConstraint("failed_items >= 0", name=op.f("ck_ingest_batch_failed_items_not_negative")),
        sa.CheckConstraint("total_items >= 0", name=op.f("ck_ingest_batch_total_items_not_negative")),
        sa.ForeignKeyConstraint(["fonds_id"], ["fonds.id"], name=op.f("fk_ingest_batch_fonds_id_fonds")),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["user_account.id"], name=op.f("fk_ingest_batch_submitted_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_batch")),
    )
    op.create_index(op.f("ix_ingest_batch_fonds_id"), "ingest_batch", ["fonds_id"])
    op.create_index(op.f("ix_ingest_batch_submitted_by_id"), "ingest_batch", ["submitted_by_id"])

    op.create_table(
        "preservation_agent",
        sa.Column("id", ID, nullable=False),
        sa.Column("identifier", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=True),
        sa.Column("type", codes(AGENT_TYPE, "type", 30), nullable=False),
        sa.Column("user_id", ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_preservation_agent_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preservation_agent")),
        sa.UniqueConstraint("identifier", name=op.f("uq_preservation_agent_identifier")),
        sa.UniqueConstraint("type", "name", "version", name=op.f("uq_preservation_agent_type_name_version")),
    )
    op.create_index(op.f("ix_preservation_agent_user_id"), "preservation_agent", ["user_id"])

    op.create_table(
        "document",
        sa.Column("id", ID, nullable=False),
        sa.Column("fonds_id", ID, nullable=False),
        sa.Column("dossier_id", ID, nullable=True),
        sa.Column("agency_id", ID, nullable=True),
        sa.Column("doc_code", sa.String(length=100), nullable=True),
        sa.Column("doc_ordinal", sa.Integer(), nullable=True),
        sa.Column("type_name", codes(TYPE_NAME, "type_name"), nullable=True),
        sa.Column("type_label", sa.String(length=100), nullable=True),
        sa.Column("code_number", sa.String(length=11), nullable=True),
        sa.Column("code_notation", sa.String(length=30), nullable=True),
        sa.Column("issued_date", sa.Date(), nullable=True),
        sa.Column("organ_name", sa.String(length=200), nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=True),
        sa.Column("number_of_page", sa.Integer(), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("signer_authority", codes(SIGNER_AUTHORITY, "signer_authority", 30), nullable=True),
        sa.Column("signer_position", sa.String(length=100), nullable=True),
        sa.Column("signer_full_name", sa.String(length=50), nullable=True),
        sa.Column("confidentiality", codes(CONFIDENTIALITY, "confidentiality"), nullable=True),
        sa.Column("urgency", codes(URGENCY, "urgency"), nullable=True),
        sa.Column("priority", sa.SmallInteger(), nullable=True),
        sa.Column("issued_amount", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("maintenance", codes(MAINTENANCE, "maintenance"), nullable=True),
        sa.Column("mode", codes(MODE, "mode"), nullable=True),
        sa.Column("keyword", sa.String(length=100), nullable=True),
        sa.Column("infor_sign", sa.String(length=30), nullable=True),
        sa.Column("confidence_level", codes(CONFIDENCE_LEVEL, "confidence_level"), nullable=True),
        sa.Column("format", codes(FORMAT, "format"), nullable=True),
        sa.Column("autograph", sa.String(length=2000), nullable=True),
        sa.Column("process", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("risk_recovery", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("risk_recovery_status", codes(RISK_RECOVERY_STATUS, "risk_recovery_status"), nullable=True),
        sa.Column("direction", codes(DIRECTION, "direction"), nullable=True),
        sa.Column("arrival_date", sa.Date(), nullable=True),
        sa.Column("arrival_number", sa.BigInteger(), nullable=True),
        sa.Column("to_places", sa.String(length=1000), nullable=True),
        sa.Column("trace_header_list", sa.Text(), nullable=True),
        sa.Column(
            "field_provenance",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "COALESCE(direction, '') = '1' OR (arrival_date IS NULL AND arrival_number IS NULL)",
            name=op.f("ck_document_arrival_only_incoming"),
        ),
        sa.CheckConstraint(
            "NOT risk_recovery OR risk_recovery_status IS NOT NULL",
            name=op.f("ck_document_risk_recovery_status_required"),
        ),
        sa.CheckConstraint("doc_ordinal IS NULL OR doc_ordinal >= 1", name=op.f("ck_document_doc_ordinal_positive")),
        sa.CheckConstraint(
            "issued_amount IS NULL OR issued_amount >= 0", name=op.f("ck_document_issued_amount_not_negative")
        ),
        sa.CheckConstraint(
            "number_of_page IS NULL OR number_of_page >= 0", name=op.f("ck_document_number_of_page_not_negative")
        ),
        sa.CheckConstraint("priority IS NULL OR priority BETWEEN 0 AND 9", name=op.f("ck_document_priority_digit")),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_document_agency_id_agency")),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"], name=op.f("fk_document_dossier_id_dossier")),
        sa.ForeignKeyConstraint(["fonds_id"], ["fonds.id"], name=op.f("fk_document_fonds_id_fonds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
        sa.UniqueConstraint("doc_code", name=op.f("uq_document_doc_code")),
        sa.UniqueConstraint("dossier_id", "doc_ordinal", name=op.f("uq_document_dossier_id_doc_ordinal")),
    )
    op.create_index(op.f("ix_document_agency_id"), "document", ["agency_id"])
    op.create_index(op.f("ix_document_code_number_code_notation"), "document", ["code_number", "code_notation"])
    op.create_index(op.f("ix_document_dossier_id"), "document", ["dossier_id"])
    op.create_index(op.f("ix_document_fonds_id"), "document", ["fonds_id"])

    op.create_table(
        "dossier_language",
        sa.Column("dossier_id", ID, nullable=False),
        sa.Column("language", codes(LANGUAGE, "language"), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_dossier_language_dossier_id_dossier"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("dossier_id", "language", name=op.f("pk_dossier_language")),
    )
    op.create_table(
        "event_agent",
        sa.Column("event_id", ID, nullable=False),
        sa.Column("agent_id", ID, nullable=False),
        sa.Column("role", codes(AGENT_ROLE, "role", 30), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["preservation_agent.id"], name=op.f("fk_event_agent_agent_id_preservation_agent")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["preservation_event.id"],
            name=op.f("fk_event_agent_event_id_preservation_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "agent_id", "role", name=op.f("pk_event_agent")),
    )
    op.create_index(op.f("ix_event_agent_agent_id"), "event_agent", ["agent_id"])

    op.create_table(
        "document_language",
        sa.Column("document_id", ID, nullable=False),
        sa.Column("language", codes(LANGUAGE, "language"), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_document_language_document_id_document"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("document_id", "language", name=op.f("pk_document_language")),
    )
    op.create_table(
        "representation",
        sa.Column("id", ID, nullable=False),
        sa.Column("document_id", ID, nullable=False),
        sa.Column("type", codes(REPRESENTATION_TYPE, "type", 30), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_representation_document_id_document")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_representation")),
    )
    op.create_index(op.f("ix_representation_document_id"), "representation", ["document_id"])

    op.create_table(
        "bitstream",
        sa.Column("id", ID, nullable=False),
        sa.Column("representation_id", ID, nullable=True),
        sa.Column("storage_key", sa.String(length=1024), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("digest_algorithm", codes(DIGEST_ALGORITHM, "digest_algorithm", 30), nullable=False),
        sa.Column("mime_type", sa.String(length=255), nullable=True),
        sa.Column("puid", sa.String(length=30), nullable=True),
        sa.Column("original_filename", sa.String(length=1024), nullable=True),
        sa.Column("role", codes(BITSTREAM_ROLE, "role", 30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(sha256) = 64 AND "
            "length(replace(replace(replace(replace(replace(replace(replace(replace("
            "replace(replace(replace(replace(replace(replace(replace(replace(sha256, "
            "'0', ''), '1', ''), '2', ''), '3', ''), '4', ''), '5', ''), '6', ''), '7', ''), '8', ''), '9', ''), "
            "'a', ''), 'b', ''), 'c', ''), 'd', ''), 'e', ''), 'f', '')) = 0",
            name=op.f("ck_bitstream_sha256_hex"),
        ),
        sa.CheckConstraint(
            "role IN ('package', 'master') OR representation_id IS NOT NULL",
            name=op.f("ck_bitstream_representation_required"),
        ),
        sa.CheckConstraint("size >= 0", name=op.f("ck_bitstream_size_not_negative")),
        sa.ForeignKeyConstraint(
            ["representation_id"], ["representation.id"], name=op.f("fk_bitstream_representation_id_representation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bitstream")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_bitstream_storage_key")),
    )
    op.create_index(op.f("ix_bitstream_representation_id"), "bitstream", ["representation_id"])
    op.create_index(op.f("ix_bitstream_sha256"), "bitstream", ["sha256"])

    op.create_table(
        "batch_item",
        sa.Column("id", ID, nullable=False),
        sa.Column("batch_id", ID, nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=1024), nullable=False),
        sa.Column("original_path", sa.String(length=2048), nullable=True),
        sa.Column("state", codes(BATCH_ITEM_STATE, "state", 30), nullable=False),
        sa.Column("failed_step", codes(BATCH_ITEM_STATE, "failed_step", 30), nullable=True),
        sa.Column("failure_code", sa.String(length=50), nullable=True),
        sa.Column("message_vi", sa.Text(), nullable=True),
        sa.Column("message_en", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("crashes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("master_bitstream_id", ID, nullable=True),
        sa.Column("document_id", ID, nullable=True),
        sa.Column("duplicate_of_id", ID, nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("mime_type", sa.String(length=255), nullable=True),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("pages_ocred", sa.Integer(), server_default="0", nullable=False),
        sa.Column("flags", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), server_default=sa.text("'[]'"),
                  nullable=False),
        sa.Column("supplied_metadata", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                  server_default=sa.text("'{}'"), nullable=False),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state <> 'duplicate' OR duplicate_of_id IS NOT NULL", name=op.f("ck_batch_item_duplicate_of_required")
        ),
        sa.CheckConstraint(
            "state <> 'failed' OR failed_step IS NOT NULL", name=op.f("ck_batch_item_failed_step_required")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_batch_item_attempts_not_negative")),
        sa.CheckConstraint("ordinal >= 1", name=op.f("ck_batch_item_ordinal_positive")),
        sa.ForeignKeyConstraint(["batch_id"], ["ingest_batch.id"], name=op.f("fk_batch_item_batch_id_ingest_batch")),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_batch_item_document_id_document")),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"], ["bitstream.id"], name=op.f("fk_batch_item_duplicate_of_id_bitstream")
        ),
        sa.ForeignKeyConstraint(
            ["master_bitstream_id"], ["bitstream.id"], name=op.f("fk_batch_item_master_bitstream_id_bitstream")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_item")),
        sa.UniqueConstraint("batch_id", "ordinal", name=op.f("uq_batch_item_batch_id_ordinal")),
    )
    op.create_index(op.f("ix_batch_item_batch_id"), "batch_item", ["batch_id"])
    op.create_index(op.f("ix_batch_item_document_id"), "batch_item", ["document_id"])
    op.create_index(op.f("ix_batch_item_sha256"), "batch_item", ["sha256"])
    op.create_index(op.f("ix_batch_item_duplicate_of_id"), "batch_item", ["duplicate_of_id"])
    op.create_index(op.f("ix_batch_item_master_bitstream_id"), "batch_item", ["master_bitstream_id"])
    op.create_index(op.f("ix_batch_item_state"), "batch_item", ["state"])

    op.create_table(
        "event_object",
        sa.Column("id", ID, nullable=False),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("role", codes(OBJECT_ROLE, "role", 30), nullable=False),
        sa.Column("bitstream_id", ID, nullable=True),
        sa.Column("representation_id", ID, nullable=True),
        sa.Column("document_id", ID, nullable=True),
        sa.Column("dossier_id", ID, nullable=True),
        sa.Column("batch_item_id", ID, nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN bitstream_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN representation_id IS NULL THEN 0 "
            "ELSE 1 END) + (CASE WHEN document_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN dossier_id IS NULL "
            "THEN 0 ELSE 1 END) + (CASE WHEN batch_item_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_event_object_exactly_one_object"),
        ),
        sa.ForeignKeyConstraint(
            ["batch_item_id"], ["batch_item.id"], name=op.f("fk_event_object_batch_item_id_batch_item")
        ),
        sa.ForeignKeyConstraint(
            ["bitstream_id"], ["bitstream.id"], name=op.f("fk_event_object_bitstream_id_bitstream")
        ),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_event_object_document_id_document")),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"], name=op.f("fk_event_object_dossier_id_dossier")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["preservation_event.id"],
            name=op.f("fk_event_object_event_id_preservation_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["representation_id"], ["representation.id"], name=op.f("fk_event_object_representation_id_representation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_object")),
    )
    op.create_index(op.f("ix_event_object_batch_item_id"), "event_object", ["batch_item_id"])
    op.create_index(op.f("ix_event_object_bitstream_id"), "event_object", ["bitstream_id"])
    op.create_index(op.f("ix_event_object_document_id"), "event_object", ["document_id"])
    op.create_index(op.f("ix_event_object_dossier_id"), "event_object", ["dossier_id"])
    op.create_index(op.f("ix_event_object_event_id"), "event_object", ["event_id"])
    op.create_index(op.f("ix_event_object_representation_id"), "event_object", ["representation_id"])

    # --- integrity (issue 8): audit log, checkpoints, copies, signature reports ---
    op.create_table(
        "audit_entry",
        sa.Column("seq", ID, autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("object", sa.String(length=1024), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_audit_entry_seq_positive")),
        sa.CheckConstraint("length(prev_hash) = 64 AND length(entry_hash) = 64", name=op.f("ck_audit_entry_hash_length")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entry")),
        sa.UniqueConstraint("entry_hash", name=op.f("uq_audit_entry_entry_hash")),
    )
    op.create_index(op.f("ix_audit_entry_at"), "audit_entry", ["at"])
    op.create_index(op.f("ix_audit_entry_object"), "audit_entry", ["object"])
    op.create_index(op.f("ix_audit_entry_action_at"), "audit_entry", ["action", "at"])
    op.create_table(
        "audit_checkpoint",
        sa.Column("seq", ID, autoincrement=False, nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("storage_key", sa.String(length=1024), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_checkpoint")),
    )
    op.create_table(
        "object_copy",
        sa.Column("bitstream_id", ID, nullable=False),
        sa.Column("location", sa.String(length=30), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("copied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_message", sa.Text(), nullable=True),
        sa.Column("repaired_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('ok', 'damaged', 'missing', 'unknown')", name=op.f("ck_object_copy_state_known")),
        sa.ForeignKeyConstraint(["bitstream_id"], ["bitstream.id"], name=op.f("fk_object_copy_bitstream_id_bitstream"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("bitstream_id", "location", name=op.f("pk_object_copy")),
    )
    op.create_index(op.f("ix_object_copy_location_last_verified_at"), "object_copy", ["location", "last_verified_at"])
    op.create_table(
        "signature_validation",
        sa.Column("id", ID, nullable=False),
        sa.Column("bitstream_id", ID, nullable=False),
        sa.Column("document_id", ID, nullable=True),
        sa.Column("verdict", sa.String(length=30), nullable=False),
        sa.Column("signature_count", sa.BigInteger(), nullable=False),
        sa.Column("report", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                  nullable=False),
        sa.Column("validated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bitstream_id"], ["bitstream.id"],
                                name=op.f("fk_signature_validation_bitstream_id_bitstream")),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"],
                                name=op.f("fk_signature_validation_document_id_document")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signature_validation")),
    )
    op.create_index(op.f("ix_signature_validation_bitstream_id"), "signature_validation", ["bitstream_id"])
    op.create_index(op.f("ix_signature_validation_document_id"), "signature_validation", ["document_id"])
    # --- end integrity ---

    # --- archival packages (issue 5) ---
    op.create_table(
        "archival_package",
        sa.Column("id", ID, nullable=False),
        sa.Column("document_id", ID, nullable=False),
        sa.Column("object_id", sa.String(length=100), nullable=False),
        sa.Column("head_version", sa.Integer(), nullable=False),
        sa.Column("inventory_sha512", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("head_version >= 1", name=op.f("ck_archival_package_head_version_positive")),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_archival_package_document_id_document")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archival_package")),
        sa.UniqueConstraint("document_id", name=op.f("uq_archival_package_document_id")),
        sa.UniqueConstraint("object_id", name=op.f("uq_archival_package_object_id")),
    )
    op.create_table(
        "metadata_change",
        sa.Column("id", ID, nullable=False),
        sa.Column("document_id", ID, nullable=False),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=50), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_metadata_change_document_id_document")),
        sa.ForeignKeyConstraint(["event_id"], ["preservation_event.id"],
                                name=op.f("fk_metadata_change_event_id_preservation_event")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metadata_change")),
        sa.UniqueConstraint("event_id", "field", name=op.f("uq_metadata_change_event_id_field")),
    )
    op.create_index(op.f("ix_metadata_change_document_id"), "metadata_change", ["document_id"])
    op.create_index(op.f("ix_metadata_change_event_id"), "metadata_change", ["event_id"])
    # --- end archival packages ---

    # --- search and access ---
    op.create_table(
        "access_grant",
        sa.Column("id", ID, nullable=False),
        sa.Column("grantee_user_id", ID, nullable=True),
        sa.Column("grantee_agency_id", ID, nullable=True),
        sa.Column("document_id", ID, nullable=True),
        sa.Column("dossier_id", ID, nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("allow_download", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_by_id", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN grantee_user_id IS NULL THEN 0 ELSE 1 END) + "
            "(CASE WHEN grantee_agency_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_access_grant_exactly_one_grantee"),
        ),
        sa.CheckConstraint(
            "(CASE WHEN document_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN dossier_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_access_grant_exactly_one_object"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_access_grant_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_access_grant_document_id_document")),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"], name=op.f("fk_access_grant_dossier_id_dossier")),
        sa.ForeignKeyConstraint(
            ["grantee_agency_id"], ["agency.id"], name=op.f("fk_access_grant_grantee_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["grantee_user_id"], ["user_account.id"], name=op.f("fk_access_grant_grantee_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_grant")),
    )
    op.create_index(op.f("ix_access_grant_document_id"), "access_grant", ["document_id"])
    op.create_index(op.f("ix_access_grant_dossier_id"), "access_grant", ["dossier_id"])
    op.create_index(op.f("ix_access_grant_grantee_agency_id"), "access_grant", ["grantee_agency_id"])
    op.create_index(op.f("ix_access_grant_grantee_user_id"), "access_grant", ["grantee_user_id"])
    op.create_table(
        "saved_query",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("query", sa.String(length=1000), nullable=False),
        sa.Column("filters", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("sort", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_saved_query_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_query")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_saved_query_user_id_name")),
    )
    op.create_index(op.f("ix_saved_query_user_id"), "saved_query", ["user_id"])
    # --- end search and access ---

    # --- accounts and web (issue 7) ---
    op.add_column("user_account", sa.Column("language", sa.String(length=2), server_default="vi", nullable=False))
    op.create_table(
        "api_token",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_api_token_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_api_token_token_sha256")),
    )
    op.create_index(op.f("ix_api_token_user_id"), "api_token", ["user_id"])
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    op.create_table(
        "web_session",
        sa.Column("sid_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_web_session_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("sid_sha256", name=op.f("pk_web_session")),
    )
    op.create_index(op.f("ix_web_session_user_id"), "web_session", ["user_id"])
    # --- end accounts and web ---
    # --- controlled sharing (issue 7) ---
    op.create_table(
        "access_request",
        sa.Column("id", ID, nullable=False),
        sa.Column("requester_id", ID, nullable=False),
        sa.Column("requester_agency_id", ID, nullable=True),
        sa.Column("holder_agency_id", ID, nullable=False),
        sa.Column("document_id", ID, nullable=True),
        sa.Column("dossier_id", ID, nullable=True),
        sa.Column("purpose", sa.String(length=2), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", ID, nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.Column("grant_id", ID, nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN document_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN dossier_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_access_request_exactly_one_object"),
        ),
        sa.ForeignKeyConstraint(["requester_id"], ["user_account.id"],
                                name=op.f("fk_access_request_requester_id_user_account")),
        sa.ForeignKeyConstraint(["requester_agency_id"], ["agency.id"],
                                name=op.f("fk_access_request_requester_agency_id_agency")),
        sa.ForeignKeyConstraint(["holder_agency_id"], ["agency.id"], name=op.f("fk_access_request_holder_agency_id_agency")),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_access_request_document_id_document")),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"], name=op.f("fk_access_request_dossier_id_dossier")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user_account.id"],
                                name=op.f("fk_access_request_decided_by_id_user_account")),
        sa.ForeignKeyConstraint(["grant_id"], ["access_grant.id"], name=op.f("fk_access_request_grant_id_access_grant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_request")),
    )
    for column in ("requester_id", "requester_agency_id", "holder_agency_id", "document_id", "dossier_id", "status"):
        op.create_index(op.f(f"ix_access_request_{column}"), "access_request", [column])
    op.create_table(
        "share_link",
        sa.Column("id", ID, nullable=False),
        sa.Column("grant_id", ID, nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["grant_id"], ["access_grant.id"], name=op.f("fk_share_link_grant_id_access_grant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_link")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_share_link_token_sha256")),
    )
    op.create_index(op.f("ix_share_link_grant_id"), "share_link", ["grant_id"])
    op.create_table(
        "grant_download",
        sa.Column("id", ID, nullable=False),
        sa.Column("grant_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("document_id", ID, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["grant_id"], ["access_grant.id"], name=op.f("fk_grant_download_grant_id_access_grant")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_grant_download_user_id_user_account")),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_grant_download_document_id_document")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_download")),
    )
    op.create_index(op.f("ix_grant_download_grant_id"), "grant_download", ["grant_id"])
    # --- end controlled sharing ---


def downgrade() -> None:
    # --- controlled sharing (issue 7) ---
    for table in ("grant_download", "share_link", "access_request"):
        op.drop_table(table)
    # --- end controlled sharing ---
    # --- accounts and web (issue 7) ---
    op.drop_table("web_session")
    op.drop_table("login_throttle")
    op.drop_table("api_token")
    # --- end accounts and web ---
    # --- search and access ---
    op.drop_table("saved_query")
    op.drop_table("access_grant")
    # --- end search and access ---
    # --- archival packages (issue 5) ---
    op.drop_table("metadata_change")
    op.drop_table("archival_package")
    # --- end archival packages ---
    # --- integrity (issue 8) ---
    for table in ("signature_validation", "object_copy", "audit_checkpoint", "audit_entry"):
        op.drop_table(table)
    # --- end integrity ---
    for table in reversed(TABLES):
        op.drop_table(table)
