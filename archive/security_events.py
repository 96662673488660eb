"""The one door every security-relevant action goes through.

Sign-ins (good, failed, locked out), sign-outs, token creation and revocation, changes to users,
roles and agencies, batch submission and retry, quarantine downloads: each calls ``record`` and
nothing else. For now it writes one structured JSON line to the ``luutru.security`` logger; the
tamper-evident audit log (issue 8) will be plugged in here, so callers never change.

Never pass secrets in ``details`` (passwords, tokens, hashes): ``record`` drops keys that look like
one, as a second line of defence.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive.catalog import User
    from archive.factory import Archive

log = logging.getLogger("luutru.security")

_SECRET_WORDS = ("password", "token", "secret", "hash")


def record(archive: Archive | None, actor: User | None, agency: str | None, ip: str | None, action: str,
           target: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """Record one security event; returns the event as written (tests and the audit log read it).

    ``actor`` is the user who acted (None for an anonymous attempt), ``agency`` that user's agency
    code (13 characters), ``action`` a dotted verb such as ``auth.login_failed``, ``target`` what it
    was done to (``user:minh``, ``batch:12``).
    """
    clean = {k: v for k, v in (details or {}).items() if not any(w in k.lower() for w in _SECRET_WORDS)}
    event = {"at": datetime.now(UTC).isoformat(), "action": action, "actor": actor.username if actor else None,
             "agency": agency, "ip": ip, "target": target, "details": clean}
    log.info(json.dumps(event, ensure_ascii=False, default=str))
    return event
