"""The integrity settings are validated at start, each problem naming the variable to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.audit.signing import SigningKeyError, load_signing_key
from archive.config import ConfigError, load_settings


def _problems(env: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    return "\n".join(caught.value.problems)


def test_replica_settings(tmp_path: Path) -> None:
    assert "LUUTRU_REPLICA_S3_SECRET_KEY" in _problems({"LUUTRU_REPLICA_S3_ENDPOINT": "127.0.0.1:9000",
                                                         "LUUTRU_REPLICA_S3_BUCKET": "b",
                                                         "LUUTRU_REPLICA_S3_ACCESS_KEY": "k"})
    same = {"LUUTRU_S3_ENDPOINT": "h:1", "LUUTRU_S3_BUCKET": "b", "LUUTRU_S3_ACCESS_KEY": "k",
            "LUUTRU_S3_SECRET_KEY": "s", "LUUTRU_REPLICA_S3_ENDPOINT": "h:1", "LUUTRU_REPLICA_S3_BUCKET": "b",
            "LUUTRU_REPLICA_S3_ACCESS_KEY": "k", "LUUTRU_REPLICA_S3_SECRET_KEY": "s"}
    assert "two independent copies" in _problems(same)
    data = tmp_path / "data"
    assert "primary object folder" in _problems({"LUUTRU_DATA_DIR": str(data),
                                                 "LUUTRU_REPLICA_DIR": str(data / "objects")})
    assert "choose one of them" in _problems({**same, "LUUTRU_REPLICA_S3_BUCKET": "other",
                                              "LUUTRU_REPLICA_DIR": str(tmp_path / "r")})
    ok = load_settings({"LUUTRU_DATA_DIR": str(data), "LUUTRU_REPLICA_DIR": str(tmp_path / "replica")})
    assert ok.replica_dir == str(tmp_path / "replica")


def test_fixity_settings() -> None:
    assert "within 3 years" in _problems({"LUUTRU_FIXITY_CYCLE_DAYS": "2000"})
    assert "LUUTRU_FIXITY_BANDWIDTH" in _problems({"LUUTRU_FIXITY_BANDWIDTH": "0"})
    assert load_settings({}).fixity_cycle_days == 90


def test_signing_key_settings(tmp_path: Path) -> None:
    settings = load_settings({"LUUTRU_DATA_DIR": str(tmp_path), "LUUTRU_AUDIT_SIGNING_KEY": "base64:" + "A" * 43 + "="})
    assert load_signing_key(settings).public_key()
    with pytest.raises(SigningKeyError, match="luutru init"):
        load_signing_key(load_settings({"LUUTRU_DATA_DIR": str(tmp_path)}))
    with pytest.raises(SigningKeyError, match="32 raw bytes"):
        load_signing_key(load_settings({"LUUTRU_AUDIT_SIGNING_KEY": "base64:AAAA"}))
    not_ed25519 = tmp_path / "rsa.pem"
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    not_ed25519.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    with pytest.raises(SigningKeyError, match="not an Ed25519 key"):
        load_signing_key(load_settings({"LUUTRU_AUDIT_SIGNING_KEY": str(not_ed25519)}))
