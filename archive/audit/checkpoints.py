"""Signed checkpoints: "the log had N entries and its last line hashed to H", written to object storage.

A checkpoint lives outside the database (in the object store, and in the replica when there is
one) so that someone who can rewrite the catalog cannot also rewrite what was signed. The
statement is canonical JSON; the signature is the raw 64-byte Ed25519 signature of exactly those
bytes, so ``openssl pkeyutl -verify -rawin`` checks it with no other tool.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.audit.canonical import GENESIS, NotCanonical, canonical, sha256_hex
from archive.audit.log import ChainReport, Problem, _serialise, line_of, now_text, verify_chain
from archive.audit.signing import load_signing_key
from archive.catalog import AuditCheckpoint, AuditEntry
from storage import KeyExists, ObjectStore, StorageError

if TYPE_CHECKING:
    from archive.factory import Archive

PREFIX = "audit/checkpoints/"
STATEMENT_TYPE = "luutru-audit-checkpoint"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head: str
    at: str
    statement: bytes
    signature: bytes


def checkpoint_key(seq: int) -> str:
    return f"{PREFIX}{seq:012d}.json"


def _put_quietly(store: ObjectStore, key: str, data: bytes, content_type: str) -> None:
    """Checkpoints are write-once; an existing key already holds this checkpoint (same seq, same head)."""
    try:
        store.put(key, io.BytesIO(data), content_type=content_type, retain=True)
    except KeyExists:
        pass


def write_checkpoint(archive: Archive) -> Checkpoint | None:
    """Sign the current head and store it; None when the log is empty. Idempotent per head."""
    key = load_signing_key(archive.settings)
    with archive.work_sessions.begin() as session:
        _serialise(session)
        last = session.execute(select(AuditEntry.seq, AuditEntry.entry_hash)
                               .order_by(AuditEntry.seq.desc()).limit(1)).first()
        if last is None:
            return None
        existing = session.get(AuditCheckpoint, last[0])
        if existing is not None and existing.head == last[1]:
            return Checkpoint(existing.seq, existing.head, existing.at, existing.statement.encode("utf-8"),
                              bytes.fromhex(existing.signature))
        _check_since_last_checkpoint(session)
        at = now_text()
        statement = canonical({"type": STATEMENT_TYPE, "seq": last[0], "head": last[1], "time": at})
        signature = key.sign(statement)
        storage_key = checkpoint_key(last[0])
        for store in filter(None, (archive.store, archive.replica)):
            _put_quietly(store, storage_key, statement, "application/json")
            _put_quietly(store, storage_key.removesuffix(".json") + ".sig", signature, "application/octet-stream")
        session.merge(AuditCheckpoint(seq=last[0], head=last[1], at=at, statement=statement.decode("utf-8"),
                                      signature=signature.hex(), storage_key=storage_key))
    return Checkpoint(last[0], last[1], at, statement, signature)


class ChainBroken(Exception):
    """The entries since the last checkpoint do not chain: signing them would certify a tampered log."""


def _check_since_last_checkpoint(session: Session) -> None:
    """Never sign a head that does not chain from the previous signed one."""
    previous = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)).first()
    expected, prev = (previous.seq + 1, previous.head) if previous else (1, GENESIS)
    for row in session.scalars(select(AuditEntry).where(AuditEntry.seq >= expected).order_by(AuditEntry.seq)):
        try:
            intact = sha256_hex(line_of(row)) == row.entry_hash
        except NotCanonical:
            intact = False
        if row.seq != expected or row.prev_hash != prev or not intact:
            raise ChainBroken(f"The audit log does not chain at entry {row.seq}; no checkpoint was signed. Run "
                              "`luutru audit verify` and report the incident to the security officer.")
        expected, prev = row.seq + 1, row.entry_hash


def read_checkpoints(store: ObjectStore, public_key: Ed25519PublicKey) -> tuple[dict[int, Checkpoint], list[str]]:
    """Every checkpoint in ``store`` whose signature is valid, and a sentence for each one that is not."""
    found: dict[int, Checkpoint] = {}
    problems: list[str] = []
    for key in store.list(PREFIX):
        if not key.endswith(".json"):
            continue
        try:
            statement = b"".join(store.get(key))
            signature = b"".join(store.get(key.removesuffix(".json") + ".sig"))
        except StorageError as exc:
            problems.append(f"checkpoint {key} cannot be read ({exc})")
            continue
        try:
            public_key.verify(signature, statement)
        except InvalidSignature:
            problems.append(f"checkpoint {key} does not carry a valid signature of the archive's key")
            continue
        data = json.loads(statement)
        found[int(data["seq"])] = Checkpoint(int(data["seq"]), data["head"], data["time"], statement, signature)
    return found, problems


def verify_log(archive: Archive) -> ChainReport:
    """Recompute the chain and hold it against every signed checkpoint in object storage."""
    public_key = load_signing_key(archive.settings).public_key()
    checkpoints: dict[int, Checkpoint] = {}
    problems: list[str] = []
    for location, store in archive.locations().items():
        found, unreadable = read_checkpoints(store, public_key)
        problems += [f"{location}: {message}" for message in unreadable]
        for seq, checkpoint in found.items():
            if seq in checkpoints and checkpoints[seq].head != checkpoint.head:
                problems.append(f"{location}: two validly signed checkpoints at entry {seq} name different heads")
            checkpoints.setdefault(seq, checkpoint)
    with archive.sessions() as session:
        report = verify_chain(session, {seq: cp.head for seq, cp in checkpoints.items()})
    report.problems.extend(Problem(0, "checkpoint", message) for message in problems)
    return report
