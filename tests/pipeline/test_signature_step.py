"""A signed PDF through the whole pipeline: a ``dig`` event and a stored report on the master, the signed
master kept byte for byte; the record's chain of custody lists it with the audit entries."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from archive.catalog import PreservationEvent, SignatureValidation
from archive.cli import main
from archive.factory import Archive
from tests.integrity import pki
from tests.pipeline.conftest import RunBatch


@pytest.fixture()
def embedded_env(tmp_path: Path, clamd_address: str) -> dict[str, str]:
    folder = tmp_path / "pki"
    folder.mkdir()
    ca, ca_key, ca_cert = pki.make_ca(folder, "Root CA")
    (tmp_path / "signed.pdf").write_bytes(pki.sign(pki.plain_pdf(), pki.make_signer(folder, "Nguyen Van A", ca_key,
                                                                                     ca_cert), ca))
    (tmp_path / "forged.pdf").write_bytes(pki.modify_after_signing((tmp_path / "signed.pdf").read_bytes()))
    return {"LUUTRU_DATA_DIR": str(tmp_path / "data"), "LUUTRU_CLAMD": clamd_address, "LUUTRU_OCR_JOBS": "1",
            "LUUTRU_SIGNATURE_TRUST_ROOTS": str(ca.cert_path)}


def test_signed_pdf_gets_a_report_and_a_dig_event(archive: Archive, run_batch: RunBatch, tmp_path: Path,
                                                  embedded_env: dict[str, str]) -> None:
    report = run_batch(tmp_path / "signed.pdf", tmp_path / "forged.pdf")
    states = {Path(str(i["name"])).name: i for i in report.items}
    assert states["signed.pdf"]["state"] == "archived", states
    assert states["forged.pdf"]["state"] == "archived", states
    assert any(f["code"] == "signature-modified" for f in states["forged.pdf"]["flags"])  # type: ignore[union-attr]
    with archive.sessions() as session:
        rows = {r.bitstream.original_filename: r for r in session.scalars(select(SignatureValidation))}
        assert rows["signed.pdf"].verdict == "valid" and rows["forged.pdf"].verdict == "modified"
        signed = rows["signed.pdf"]
        assert "Common Name: Nguyen Van A" in signed.report["signatures"][0]["signer"]
        master = b"".join(archive.store.get(signed.bitstream.storage_key))
        assert master == (tmp_path / "signed.pdf").read_bytes()
        assert hashlib.sha256(master).hexdigest() == signed.bitstream.sha256
        outcomes = sorted(e.outcome.value for e in session.scalars(
            select(PreservationEvent).where(PreservationEvent.event_type == "dig")))
        assert outcomes == ["failure", "success"]
        document_id = signed.document_id
    result = CliRunner().invoke(main, ["report", "custody", str(document_id), "--json"], env=embedded_env)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    whats = [row["what"] for row in rows]
    assert "dig digital signature validation" in whats and "ingest.submit" in whats
    assert whats.index("mes message digest calculation") < whats.index("dig digital signature validation")

    result = CliRunner().invoke(main, ["--lang", "en", "verify", "--record", str(document_id), "--json"],
                                env=embedded_env)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.splitlines()[-1])["summary"]
    assert summary["objects"] >= 2 and summary["by_status"] == {"ok": summary["objects"]}  # master and derivatives
