"""The Ed25519 key that signs audit checkpoints: loaded from configuration, generated for the embedded profile.

``LUUTRU_AUDIT_SIGNING_KEY`` is either a path to a PKCS#8 PEM private key (what ``openssl genpkey
-algorithm ed25519`` writes) or ``base64:`` followed by the 32-byte raw private key. Without it,
the embedded profile uses ``DATA_DIR/audit-signing-key.pem``, which ``luutru init`` creates once.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from archive.config import Settings


class SigningKeyError(Exception):
    """The audit signing key is missing or unusable; the message says which setting to fix."""


def load_signing_key(settings: Settings) -> Ed25519PrivateKey:
    value = settings.audit_signing_key
    if value.startswith("base64:"):
        try:
            raw = base64.b64decode(value.removeprefix("base64:"), validate=True)
            return Ed25519PrivateKey.from_private_bytes(raw)
        except (binascii.Error, ValueError) as exc:
            raise SigningKeyError("LUUTRU_AUDIT_SIGNING_KEY=base64:… must hold the 32 raw bytes of an Ed25519 private "
                                  f"key ({exc}); or give the path of a PEM file.") from exc
    path = Path(value).expanduser() if value else settings.audit_key_path
    if not path.exists():
        hint = ("run `luutru init`, which creates it" if not value and settings.profile == "embedded"
                else "create one with `openssl genpkey -algorithm ed25519 -out audit-key.pem` and set "
                     "LUUTRU_AUDIT_SIGNING_KEY to its path")
        raise SigningKeyError(f"The audit signing key {path} does not exist; {hint}.")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(f"The audit signing key {path} is not an unencrypted PEM private key ({exc}).") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"The audit signing key {path} is not an Ed25519 key; create one with "
                              "`openssl genpkey -algorithm ed25519`.")
    return key


def ensure_signing_key(settings: Settings) -> Path | None:
    """Create the embedded profile's key file if no key is configured; returns the path created, if any."""
    if settings.audit_signing_key or settings.audit_key_path.exists():
        return None
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path = settings.audit_key_path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return path


def public_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
