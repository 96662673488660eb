"""`luutru audit export OUT`: the log as a folder an auditor checks with bash, sha256sum and openssl.

The folder holds ``audit.jsonl`` (one canonical line per entry, exactly the bytes that were
hashed), ``checkpoint.json`` and ``checkpoint.sig`` (a checkpoint signed at export time, read back
from object storage), ``public-key.pem`` and ``VERIFY.md`` (the procedure, with ``verify.sh``
doing the same in a dozen lines).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization

from archive.audit.checkpoints import checkpoint_key, write_checkpoint
from archive.audit.log import _rows, line_of
from archive.audit.signing import load_signing_key, public_pem

if TYPE_CHECKING:
    from archive.factory import Archive

VERIFY_SH = r"""#!/bin/bash
# Checks an audit export with bash, sha256sum and openssl only. Run it inside the export folder.
set -u
prev=0000000000000000000000000000000000000000000000000000000000000000
n=0
while IFS= read -r line; do
  n=$((n + 1))
  case "$line" in
    *",\"prev\":\"$prev\"}") ;;
    *) echo "line $n: does not link to line $((n - 1)) (altered, removed or inserted entry)"; exit 1 ;;
  esac
  prev=$(printf '%s' "$line" | sha256sum | cut -c1-64)
done < audit.jsonl
grep -q "\"head\":\"$prev\"" checkpoint.json || { echo "the signed checkpoint does not name the last line's hash"; exit 1; }
grep -q "\"seq\":$n," checkpoint.json || { echo "the signed checkpoint covers a different number of entries than $n"; exit 1; }
openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in checkpoint.json -sigfile checkpoint.sig || exit 1
echo "OK: $n entries, head $prev, signed checkpoint valid"
"""

VERIFY_MD = """# Verifying this audit log export

Files: `audit.jsonl` (one entry per line), `checkpoint.json` (signed statement of the number of
entries and the hash of the last line), `checkpoint.sig` (its Ed25519 signature, 64 raw bytes),
`public-key.pem` (the archive's audit public key).

Each line is RFC 8785 canonical JSON `{"entry":{…},"prev":"<hex>"}`, so it always ends with
`,"prev":"<64 hex digits>"}`; `prev` is the SHA-256 of the previous line's bytes (without the
newline), and 64 zeros for the first line.

1. Chain: for each line, check that it ends with `,"prev":"<P>"}` where P is the SHA-256 of the
   previous line (`printf '%s' "$line" | sha256sum`). A line that does not is where an entry was
   altered, removed or inserted.
2. Head: the SHA-256 of the last line is the `head` of `checkpoint.json`, and its `seq` is the
   number of lines.
3. Signature: `openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in checkpoint.json
   -sigfile checkpoint.sig` prints `Signature Verified Successfully`.
4. Key: `openssl pkey -pubin -in public-key.pem -outform DER | sha256sum` equals the fingerprint
   the archive published ({fingerprint}).

`bash verify.sh` does steps 1–3.
"""


def export_log(archive: Archive, out: Path) -> tuple[int, str]:
    """Write the export folder ``out``; returns (entries, head). A fresh checkpoint covers every line."""
    out.mkdir(parents=True, exist_ok=True)
    checkpoint = write_checkpoint(archive)
    count = 0
    with archive.sessions() as session, open(out / "audit.jsonl", "wb") as fh:
        for row in _rows(session):
            if checkpoint is not None and row.seq > checkpoint.seq:
                break  # appended after the checkpoint: the next export covers it
            fh.write(line_of(row) + b"\n")
            count += 1
    key = load_signing_key(archive.settings)
    if checkpoint is not None:
        stored = checkpoint_key(checkpoint.seq)
        (out / "checkpoint.json").write_bytes(b"".join(archive.store.get(stored)))
        (out / "checkpoint.sig").write_bytes(b"".join(archive.store.get(stored.removesuffix(".json") + ".sig")))
    (out / "public-key.pem").write_bytes(public_pem(key))
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    (out / "VERIFY.md").write_text(VERIFY_MD.replace("{fingerprint}", hashlib.sha256(der).hexdigest()),
                                    encoding="utf-8")
    (out / "verify.sh").write_text(VERIFY_SH, encoding="utf-8")
    return count, checkpoint.head if checkpoint else ""


def key_fingerprint(archive: Archive) -> str:
    """SHA-256 of the DER public key: what the archive publishes so auditors can trust public-key.pem."""
    der = load_signing_key(archive.settings).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()
