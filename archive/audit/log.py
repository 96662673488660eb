"""Appending to the audit log and proving it unaltered.

Each entry's line is ``canonical({"entry": fields, "prev": hash of the previous line})`` and its
hash is the SHA-256 of that line (see ``archive.audit.canonical``). Appends are serialised, so the
chain never forks: on PostgreSQL by a transaction-scoped advisory lock, on SQLite by the write lock
that the catalog's writer sessions take at BEGIN IMMEDIATE; the primary key on ``seq`` is the last
guard either way (a racing append that slipped through fails instead of forking the chain).
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from archive.audit.canonical import GENESIS, NotCanonical, canonical, sha256_hex
from archive.catalog import AuditEntry

if TYPE_CHECKING:
    from archive.factory import Archive

ADVISORY_LOCK = 0x4C55_5454  # "LUTT": one lock id for every append, cluster-wide
SYSTEM_ACTOR = "system"


def cli_actor() -> str:
    """Who runs a CLI command: the operating-system account (the CLI has no sign-in of its own)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return f"cli:uid-{os.getuid()}"


def now_text() -> str:
    """The entry time as it is hashed: UTC, microseconds, ``Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_fields(row: AuditEntry) -> dict[str, Any]:
    """The hashed fields of a stored row; raises NotCanonical when the details are not canonical JSON."""
    try:
        details = json.loads(row.details)
    except (TypeError, ValueError) as exc:
        raise NotCanonical(f"the details of entry {row.seq} are not JSON ({exc})") from exc
    return {"seq": row.seq, "time": row.at, "actor": row.actor, "agency": row.agency, "ip": row.ip,
            "action": row.action, "object": row.object, "details": details}


def line_of(row: AuditEntry) -> bytes:
    """The exact bytes that were hashed for ``row`` (one line of an export, without the newline)."""
    return canonical({"entry": entry_fields(row), "prev": row.prev_hash})


def _serialise(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})


def append(session: Session, action: str, *, actor: str, agency: str | None = None, ip: str | None = None,
           object: str | None = None, details: dict[str, Any] | None = None) -> AuditEntry:
    """Add one entry in the caller's transaction, so it commits exactly when the audited change does.

    On SQLite the session must be a writer session (``archive.work_sessions``): its BEGIN IMMEDIATE
    is what orders concurrent appends. Details must be canonical-encodable (no floats).
    """
    details_text = canonical(details or {}).decode("utf-8")
    _serialise(session)
    last = session.execute(select(AuditEntry.seq, AuditEntry.entry_hash)
                           .order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    row = AuditEntry(seq=seq, at=now_text(), actor=actor, agency=agency, ip=ip, action=action, object=object,
                     details=details_text, prev_hash=prev, entry_hash="")
    row.entry_hash = sha256_hex(line_of(row))
    session.add(row)
    session.flush()
    return row


def record(archive: Archive, action: str, **fields: Any) -> int:
    """Append in a transaction of its own (for actions with no catalog change to commit with); returns seq."""
    with archive.work_sessions.begin() as session:
        return append(session, action, **fields).seq


# -- verification ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One break in the chain, naming the entry: ``kind`` is altered, removed or inserted."""

    seq: int
    kind: str
    message: str


@dataclass
class ChainReport:
    entries: int = 0
    head: str = GENESIS
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _rows(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = list(session.scalars(select(AuditEntry).where(AuditEntry.seq > last)
                                    .order_by(AuditEntry.seq).limit(batch)))
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify_chain(session: Session, checkpoints: dict[int, str] | None = None) -> ChainReport:
    """Recompute every hash and link; ``checkpoints`` (seq → signed head) anchor the chain.

    How each tampering shows: an altered row no longer hashes to its stored hash (or, re-hashed by
    the tamperer, no longer matches the next row's link or a signed checkpoint); a removed row
    leaves a gap in ``seq``, or, at the end, a signed checkpoint beyond the last row; an inserted
    row is followed by a row whose link points past it, to the row before it.
    """
    checkpoints = dict(checkpoints or {})
    report = ChainReport(checkpoints=len(checkpoints))
    expected_seq, prev_hash, before_prev = 1, GENESIS, None
    previous_bad = False
    for row in _rows(session):
        report.entries += 1
        try:
            actual = sha256_hex(line_of(row))
        except NotCanonical as exc:
            actual = None
            report.problems.append(Problem(row.seq, "altered", f"entry {row.seq} was altered: {exc}"))
        if row.seq > expected_seq:
            missing = (f"entry {expected_seq}" if row.seq == expected_seq + 1
                       else f"entries {expected_seq}–{row.seq - 1}")
            report.problems.append(Problem(expected_seq, "removed", f"{missing} removed: the log jumps from "
                                                                     f"{expected_seq - 1} to {row.seq}"))
        elif row.prev_hash != prev_hash and not previous_bad:
            if before_prev is not None and row.prev_hash == before_prev:
                report.problems.append(Problem(row.seq - 1, "inserted", f"entry {row.seq - 1} was inserted: entry "
                                               f"{row.seq} links to entry {row.seq - 2}, not to it"))
            else:
                report.problems.append(Problem(row.seq - 1, "altered", f"entry {row.seq - 1} was altered (its hash "
                                               f"was recomputed; entry {row.seq} still links to the original)"))
        if actual is not None and actual != row.entry_hash:
            report.problems.append(Problem(row.seq, "altered", f"entry {row.seq} was altered: its content no longer "
                                           "has its recorded hash"))
        signed = checkpoints.pop(row.seq, None)
        if signed is not None and actual is not None and actual != signed:
            report.problems.append(Problem(row.seq, "altered", f"entry {row.seq} differs from the signed checkpoint "
                                           "at that position"))
        previous_bad = actual is None or actual != row.entry_hash
        before_prev, prev_hash = prev_hash, row.entry_hash
        expected_seq = row.seq + 1
        report.head = row.entry_hash
    for seq in sorted(checkpoints):
        report.problems.append(Problem(expected_seq, "removed", f"entries from {expected_seq} on were removed: a "
                                       f"signed checkpoint covers {seq} entries, the log has {expected_seq - 1}"))
    report.problems.sort(key=lambda p: p.seq)
    return report

