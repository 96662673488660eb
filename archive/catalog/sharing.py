"""Controlled sharing between agencies: requests, the links that open a grant, downloads made under it.

An official asks the holding agency for a record or a dossier (``access_request``); the holding
agency's archivist approves (an ``access_grant`` is created, see ``archive.catalog.access``) or
refuses, with a reason either way. An approval comes with a link whose token is shown once and
stored only as SHA-256 (``share_link``). Every stamped copy downloaded under a grant is a row of
``grant_download``: the counter on the grant is the number of its rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.catalog.access import AccessGrant
from archive.catalog.models import ID, Agency, Base, Document, Dossier, User, UtcDateTime, _one_of, utc_now


class AccessRequest(Base):
    """One official's request to read a record or dossier of another agency, and its decision."""

    __tablename__ = "access_request"
    __table_args__ = (CheckConstraint(_one_of(("document_id", "dossier_id")), name="exactly_one_object"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    requester_id: Mapped[int] = mapped_column(ID, ForeignKey("user_account.id"), index=True)
    requester_agency_id: Mapped[int | None] = mapped_column(ID, ForeignKey("agency.id"), index=True)
    holder_agency_id: Mapped[int] = mapped_column(ID, ForeignKey("agency.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ID, ForeignKey("document.id"), index=True)
    dossier_id: Mapped[int | None] = mapped_column(ID, ForeignKey("dossier.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(2), doc="TT 05 DIP purpose: 01 personal, 02 official, 03 special")
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    decided_by_id: Mapped[int | None] = mapped_column(ID, ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    grant_id: Mapped[int | None] = mapped_column(ID, ForeignKey("access_grant.id"))

    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    requester_agency: Mapped[Agency | None] = relationship(foreign_keys=[requester_agency_id])
    holder_agency: Mapped[Agency] = relationship(foreign_keys=[holder_agency_id])
    document: Mapped[Document | None] = relationship()
    dossier: Mapped[Dossier | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    grant: Mapped[AccessGrant | None] = relationship()


class ShareLink(Base):
    """The unguessable link of a grant: only the SHA-256 of its token is kept."""

    __tablename__ = "share_link"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    grant_id: Mapped[int] = mapped_column(ID, ForeignKey("access_grant.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    grant: Mapped[AccessGrant] = relationship()


class GrantDownload(Base):
    """One stamped copy handed out under a grant: who, which document, when."""

    __tablename__ = "grant_download"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    grant_id: Mapped[int] = mapped_column(ID, ForeignKey("access_grant.id"), index=True)
    user_id: Mapped[int] = mapped_column(ID, ForeignKey("user_account.id"))
    document_id: Mapped[int] = mapped_column(ID, ForeignKey("document.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
