"""Tables of the integrity area: the tamper-evident audit log, its signed checkpoints, the state of
every stored copy (fixity and replication), and signature-validation reports.

The audit log stores each entry's fields exactly as they were hashed (the time as its canonical
text, the details as canonical JSON text): a round trip through a database type (a timestamp, JSONB
reordering keys) must never change the bytes an auditor re-hashes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.catalog.models import ID, JSON_DOCUMENT, Base, Bitstream, Document, UtcDateTime, utc_now

COPY_STATES = ("ok", "damaged", "missing", "unknown")
"""What the last check of one copy found; ``unknown`` until a copy is first verified."""


class AuditEntry(Base):
    """One security-relevant action. ``seq`` is gapless; ``entry_hash`` = SHA-256 of the canonical line."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        CheckConstraint("seq >= 1", name="seq_positive"),
        CheckConstraint("length(prev_hash) = 64 AND length(entry_hash) = 64", name="hash_length"),
        Index(None, "action", "at"),
    )

    seq: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32), index=True, doc="UTC, 2026-11-25T19:39:06.123456Z")
    actor: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str | None] = mapped_column(String(200))
    ip: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(100))
    object: Mapped[str | None] = mapped_column(String(1024), index=True, doc="e.g. document:17, bitstream:4")
    details: Mapped[str] = mapped_column(Text, doc="canonical JSON of the details object")
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditCheckpoint(Base):
    """A signed statement "the log had ``seq`` entries ending in ``head``", also kept in object storage."""

    __tablename__ = "audit_checkpoint"

    seq: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=False)
    head: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(32))
    statement: Mapped[str] = mapped_column(Text, doc="the exact signed bytes (canonical JSON)")
    signature: Mapped[str] = mapped_column(String(128), doc="Ed25519 signature, hex")
    storage_key: Mapped[str] = mapped_column(String(1024))


class ObjectCopy(Base):
    """One copy of a bitstream in one storage location (``primary``, ``replica``) and its last check."""

    __tablename__ = "object_copy"
    __table_args__ = (
        CheckConstraint("state IN ('" + "', '".join(COPY_STATES) + "')", name="state_known"),
        Index(None, "location", "last_verified_at"),
    )

    bitstream_id: Mapped[int] = mapped_column(ID, ForeignKey("bitstream.id", ondelete="CASCADE"), primary_key=True)
    location: Mapped[str] = mapped_column(String(30), primary_key=True)
    state: Mapped[str] = mapped_column(String(30), default="unknown")
    copied_at: Mapped[datetime | None] = mapped_column(UtcDateTime, doc="replicated and verified at")
    last_verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_message: Mapped[str | None] = mapped_column(Text)
    repaired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    bitstream: Mapped[Bitstream] = relationship()


class SignatureValidation(Base):
    """The pyHanko report on the digital signatures of one PDF, as validated at ingest."""

    __tablename__ = "signature_validation"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    bitstream_id: Mapped[int] = mapped_column(ID, ForeignKey("bitstream.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ID, ForeignKey("document.id"), index=True)
    verdict: Mapped[str] = mapped_column(String(30), doc="valid, invalid, untrusted, modified, expired, unsigned")
    signature_count: Mapped[int] = mapped_column(BigInteger, default=0)
    report: Mapped[dict[str, Any]] = mapped_column(JSON_DOCUMENT, default=dict)
    validated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    bitstream: Mapped[Bitstream] = relationship()
    document: Mapped[Document | None] = relationship()
