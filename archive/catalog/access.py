"""Access grants and saved searches: the data the access rules and the search page read.

A grant lets one user, or every user of one agency, read one document or a whole dossier until it
expires or is revoked (TT 05: 15 days by default). The sharing workflow that requests, approves and
audits grants builds on this table; search and record pages only read it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.catalog.models import ID, Agency, Base, Document, Dossier, User, UtcDateTime, _one_of, utc_now


class AccessGrant(Base):
    """Reading access to a document or dossier for a user or an agency, limited in time.

    Exactly one grantee (user or agency) and exactly one object (document or dossier); a revoked
    grant keeps its row, so the history of who could read what is never lost.
    """

    __tablename__ = "access_grant"
    __table_args__ = (
        CheckConstraint(_one_of(("grantee_user_id", "grantee_agency_id")), name="exactly_one_grantee"),
        CheckConstraint(_one_of(("document_id", "dossier_id")), name="exactly_one_object"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    grantee_user_id: Mapped[int | None] = mapped_column(ID, ForeignKey("user_account.id"), index=True)
    grantee_agency_id: Mapped[int | None] = mapped_column(ID, ForeignKey("agency.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ID, ForeignKey("document.id"), index=True)
    dossier_id: Mapped[int | None] = mapped_column(ID, ForeignKey("dossier.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    allow_download: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by_id: Mapped[int | None] = mapped_column(ID, ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    grantee_user: Mapped[User | None] = relationship(foreign_keys=[grantee_user_id])
    grantee_agency: Mapped[Agency | None] = relationship()
    document: Mapped[Document | None] = relationship()
    dossier: Mapped[Dossier | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def active_at(self, moment: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > moment


class SavedQuery(Base):
    """A search a user keeps under a name: the text, the filters and the sort, run again on demand."""

    __tablename__ = "saved_query"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    user_id: Mapped[int] = mapped_column(ID, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    query: Mapped[str] = mapped_column(String(1000), default="")
    filters: Mapped[dict[str, Any]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"), default=dict)
    sort: Mapped[str] = mapped_column(String(20), default="relevance")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    user: Mapped[User] = relationship()
