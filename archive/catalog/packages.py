"""Where each record's archival package lives, and the archivist corrections that made its versions.

The AIP itself is self-describing in the object store (OCFL); these tables are the catalog's
pointer to it and an index of what changed, both rebuildable from the packages alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.catalog.models import ID, Base, Document, PreservationEvent, UtcDateTime, utc_now


class ArchivalPackage(Base):
    """The OCFL object holding a document's AIP and the version the catalog describes (its head).

    ``head_version`` only moves forward, in the transaction that records the PREMIS event of the
    change that made that version, so catalog and storage never disagree about a committed change.
    """

    __tablename__ = "archival_package"
    __table_args__ = (CheckConstraint("head_version >= 1", name="head_version_positive"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    document_id: Mapped[int] = mapped_column(ID, ForeignKey("document.id"), unique=True)
    object_id: Mapped[str] = mapped_column(String(100), unique=True, doc="OCFL object id = AIP OBJID, urn:uuid:…")
    head_version: Mapped[int] = mapped_column(Integer)
    inventory_sha512: Mapped[str] = mapped_column(String(128), doc="SHA-512 of the head version's inventory.json")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, doc="when v1 was made")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, doc="when the head version was made")

    document: Mapped[Document] = relationship()

    @property
    def head(self) -> str:
        return f"v{self.head_version}"


class MetadataChange(Base):
    """One field an archivist corrected: old and new value, who, when, and the package version it made.

    Values are kept as text in their TT 05 form (``DD/MM/YYYY``, codes, comma-separated lists),
    which is also how the EAD of the older version shows them.
    """

    __tablename__ = "metadata_change"
    __table_args__ = (UniqueConstraint("event_id", "field"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    document_id: Mapped[int] = mapped_column(ID, ForeignKey("document.id"), index=True)
    event_id: Mapped[int] = mapped_column(ID, ForeignKey("preservation_event.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, doc="the package version that carries the new value")
    field: Mapped[str] = mapped_column(String(50), doc="document column")
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    event: Mapped[PreservationEvent] = relationship()
