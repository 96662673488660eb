"""Accounts beyond the user row: API tokens for machines and the sign-in throttle.

Tokens are stored as their SHA-256 only: a token is 32 random bytes, so a fast hash cannot be
brute-forced and lets every API request be checked with one indexed lookup (argon2 is kept for
passwords, which are guessable). The throttle lives in the catalog, not in process memory, so a
lockout holds across waitress threads, several app processes and restarts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.catalog.models import ID, Base, User, UtcDateTime, utc_now


class ApiToken(Base):
    """A bearer token of one user; shown once when created, then only its prefix."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    user_id: Mapped[int] = mapped_column(ID, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(12), doc="first characters, so people can tell tokens apart")
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship()


class WebSession(Base):
    """A signed-in browser. The cookie carries a random id; only its SHA-256 is kept here, so a copy
    of the catalog cannot be replayed as a session. Signing in makes a new one (no session
    fixation), signing out or deactivating the account deletes it on the server."""

    __tablename__ = "web_session"

    sid_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ID, ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LoginThrottle(Base):
    """Failed sign-ins counted per key (``user:<name>`` or ``ip:<address>``) in a sliding window."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
