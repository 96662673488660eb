"""Who may read which record: the one place the access rules live.

TT 05 ``mode`` decides: 01 public → every signed-in user; 02 conditional → users of the owning
agency, or holders of an active grant; 03 secret → only users explicitly granted. Auditors and
administrators read everything. Search turns the same rules into a ``Visibility`` filter run
inside the index query; record pages and downloads call ``can_read``.

The owning agency of a record is the agency whose fonds holds it (the archive's depositor), not the
body that issued it: a letter from a ministry kept in a province's fonds belongs to the province.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from archive.catalog import AccessGrant, Document, User, utc_now
from archive.catalog.codes import Mode, UserRole
from search.base import Visibility

READS_EVERYTHING = frozenset({UserRole.ADMIN, UserRole.AUDITOR})

# Names of the index terms the rules read; ``archive.search_service`` writes them.
MODE_TERM, OWNER_TERM, RECORD_TERM, DOSSIER_TERM = "mode", "owner", "record", "dossier_id"


@dataclass(frozen=True)
class Caller:
    """A signed-in user as the access rules see them: role, agency and what was granted to them."""

    user_id: int | None
    role: UserRole
    agency_id: int | None
    granted_documents: frozenset[int] = field(default_factory=frozenset)
    granted_dossiers: frozenset[int] = field(default_factory=frozenset)
    username: str = ""

    @classmethod
    def system(cls) -> Caller:
        """The operator at the server's shell (CLI without ``--as``): already holds the whole catalog."""
        return cls(user_id=None, role=UserRole.ADMIN, agency_id=None, username="system")

    @property
    def reads_everything(self) -> bool:
        return self.role in READS_EVERYTHING


def active_grants(session: Session, user: User, at: datetime | None = None) -> list[AccessGrant]:
    """Grants to the user or to the user's agency, neither expired nor revoked."""
    moment = at or utc_now()
    grantee = [AccessGrant.grantee_user_id == user.id]
    if user.agency_id is not None:
        grantee.append(AccessGrant.grantee_agency_id == user.agency_id)
    return list(session.scalars(select(AccessGrant).where(
        or_(*grantee), AccessGrant.revoked_at.is_(None), AccessGrant.expires_at > moment)))


def caller_for(session: Session, user: User, at: datetime | None = None) -> Caller:
    grants = active_grants(session, user, at)
    return Caller(user_id=user.id, role=UserRole(user.role), agency_id=user.agency_id, username=user.username,
                  granted_documents=frozenset(g.document_id for g in grants if g.document_id is not None),
                  granted_dossiers=frozenset(g.dossier_id for g in grants if g.dossier_id is not None))


def visibility(caller: Caller) -> Visibility:
    """The rules as index clauses: public; own agency's conditional; anything granted."""
    if caller.reads_everything:
        return Visibility.everything()
    clauses: list[dict[str, list[str]]] = [{MODE_TERM: [Mode.PUBLIC.value]}]
    if caller.agency_id is not None:
        clauses.append({MODE_TERM: [Mode.RESTRICTED.value], OWNER_TERM: [str(caller.agency_id)]})
    if caller.granted_documents:
        clauses.append({RECORD_TERM: sorted(str(i) for i in caller.granted_documents)})
    if caller.granted_dossiers:
        clauses.append({DOSSIER_TERM: sorted(str(i) for i in caller.granted_dossiers)})
    return Visibility(tuple(clauses))


def record_mode(document: Document) -> Mode:
    """A document's access level; an unset one falls back to its dossier's, then to conditional.

    Conditional (not public) is the safe default: a record nobody classified is not published.
    """
    mode = document.mode or (document.dossier.mode if document.dossier is not None else None)
    return Mode(mode) if mode is not None else Mode.RESTRICTED


def owner_agency_id(document: Document) -> int | None:
    return document.fonds.agency_id if document.fonds is not None else None


def can_read(caller: Caller, document: Document) -> bool:
    """The same rules as ``visibility`` for one record already loaded."""
    if caller.reads_everything:
        return True
    mode = record_mode(document)
    if mode is Mode.PUBLIC:
        return True
    if document.id in caller.granted_documents or (
            document.dossier_id is not None and document.dossier_id in caller.granted_dossiers):
        return True
    return mode is Mode.RESTRICTED and caller.agency_id is not None and caller.agency_id == owner_agency_id(document)
