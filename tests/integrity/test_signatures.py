"""Signature verdicts on PDFs signed in the test with a test CA: valid, changed, modified, untrusted, expired."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.signature import load_trust_roots, validate_signatures
from tests.integrity import pki


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("pki")
    ca, ca_key, ca_cert = pki.make_ca(folder, "Root CA Chinh phu thu nghiem")
    rogue, rogue_key, rogue_cert = pki.make_ca(folder, "Rogue CA")
    return {"folder": folder, "ca": ca, "rogue": rogue,
            "signer": pki.make_signer(folder, "Nguyen Van A", ca_key, ca_cert),
            "expired": pki.make_signer(folder, "Tran Thi B", ca_key, ca_cert, expired=True),
            "outsider": pki.make_signer(folder, "Le Van C", rogue_key, rogue_cert)}


def _check(tmp_path: Path, data: bytes, roots: str) -> tuple[str | None, dict[str, object]]:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    report = validate_signatures(path, load_trust_roots(roots))
    return report.verdict, report.as_dict()


def test_valid_signature(tmp_path: Path, keys: dict) -> None:
    verdict, report = _check(tmp_path, pki.sign(pki.plain_pdf(), keys["signer"], keys["ca"]), str(keys["ca"].cert_path))
    assert verdict == "valid", report
    signature = report["signatures"][0]
    assert signature["intact"] and signature["trusted"] and signature["coverage"] == "ENTIRE_FILE"
    assert "Nguyen Van A" in signature["signer"] and signature["signing_time"]
    assert report["trust_roots"] == 1


def test_trust_roots_from_a_folder(tmp_path: Path, keys: dict) -> None:
    verdict, _ = _check(tmp_path, pki.sign(pki.plain_pdf(), keys["signer"], keys["ca"]), str(keys["folder"]))
    assert verdict == "valid"


def test_signed_bytes_changed(tmp_path: Path, keys: dict) -> None:
    signed = pki.sign(pki.plain_pdf(), keys["signer"], keys["ca"])
    assert signed.count(pki.TEXT) == 1
    tampered = signed.replace(pki.TEXT, pki.TEXT.replace(b"05", b"06"))
    verdict, report = _check(tmp_path, tampered, str(keys["ca"].cert_path))
    assert verdict == "invalid" and report["signatures"][0]["intact"] is False


def test_modified_after_signing(tmp_path: Path, keys: dict) -> None:
    signed = pki.sign(pki.plain_pdf(), keys["signer"], keys["ca"])
    verdict, report = _check(tmp_path, pki.modify_after_signing(signed), str(keys["ca"].cert_path))
    assert verdict == "modified", report
    signature = report["signatures"][0]
    assert signature["intact"] and signature["coverage"] == "ENTIRE_REVISION"
    assert signature["modification"] == "OTHER"


def test_untrusted_root(tmp_path: Path, keys: dict) -> None:
    verdict, report = _check(tmp_path, pki.sign(pki.plain_pdf(), keys["outsider"], keys["rogue"]),
                             str(keys["ca"].cert_path))
    assert verdict == "untrusted", report
    assert report["signatures"][0]["intact"] and not report["signatures"][0]["trusted"]


def test_expired_certificate(tmp_path: Path, keys: dict) -> None:
    verdict, report = _check(tmp_path, pki.sign(pki.plain_pdf(), keys["expired"], keys["ca"]),
                             str(keys["ca"].cert_path))
    assert verdict == "expired", report


def test_unsigned_pdf_has_no_verdict(tmp_path: Path, keys: dict) -> None:
    verdict, report = _check(tmp_path, pki.plain_pdf(), str(keys["ca"].cert_path))
    assert verdict is None and report["signatures"] == []
