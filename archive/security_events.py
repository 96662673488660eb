"""The one door every security-relevant action goes through.

Sign-ins (good, failed, locked out), sign-outs, token creation and revocation, changes to users,
roles and agencies, quarantine downloads: each calls ``record`` and nothing else. Each becomes an
entry of the tamper-evident audit log (``archive.audit``) and one structured JSON line on the
``luutru.security`` logger for the operators' log collection. Batch submission and retry are audited
by ``BatchService`` itself, in the transaction that makes the change.

Never pass secrets in ``details`` (passwords, tokens, hashes): ``record`` drops keys that look like
one, as a second line of defence.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from archive import audit

if TYPE_CHECKING:
    from archive.catalog import User
    from archive.factory import Archive

log = logging.getLogger("luutru.security")

_SECRET_WORDS = ("password", "token", "secret", "hash")
ANONYMOUS = "anonymous"
"""Actor of an attempt made by nobody signed in (a failed sign-in, a wrong API token)."""


def record(archive: Archive | None, actor: User | None, agency: str | None, ip: str | None, action: str,
           target: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """Record one security event; returns the event as written (tests and the audit log read it).

    ``actor`` is the user who acted (None for an anonymous attempt), ``agency`` that user's agency
    code (13 characters), ``action`` a dotted verb such as ``auth.login_failed``, ``target`` what it
    was done to (``user:minh``, ``batch:12``).
    """
    clean = {k: _canonical_value(v) for k, v in (details or {}).items()
             if not any(w in k.lower() for w in _SECRET_WORDS)}
    event = {"at": datetime.now(UTC).isoformat(), "action": action, "actor": actor.username if actor else None,
             "agency": agency, "ip": ip, "target": target, "details": clean}
    if archive is not None:
        audit.record(archive, action, actor=actor.username if actor else ANONYMOUS, agency=agency, ip=ip,
                     object=target, details=clean)
    log.info(json.dumps(event, ensure_ascii=False, default=str))
    return event


def _canonical_value(value: Any) -> Any:
    """The audit log's canonical encoding has no floats (their text is not unique); they become text."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_value(v) for v in value]
    return value
