"""`luutru extract FILE --json` follows the contract, identifies files by content, and errs in sentences."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from archive.cli import main

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "vn-admin"
CONTRACT_KEYS = ["document_type", "reference", "number", "symbol", "issued_date", "issued_place", "issuing_agency",
                 "parent_agency", "summary", "signer_name", "signer_title", "signer_authority", "confidentiality",
                 "urgency", "page_count", "language", "confidence"]


def _truth(file_id: str) -> dict[str, object]:
    for line in (CORPUS / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["id"] == file_id:
            return row
    raise KeyError(file_id)


def _extract(tmp_path: Path, path: Path) -> dict[str, object]:
    result = CliRunner().invoke(main, ["extract", str(path), "--json"], env={"LUUTRU_DATA_DIR": str(tmp_path)},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_born_digital_pdf_matches_the_contract_and_the_truth(tmp_path: Path) -> None:
    out = _extract(tmp_path, CORPUS / "files" / "vn003.pdf")
    truth = _truth("vn003")
    assert list(out) == CONTRACT_KEYS
    assert out["reference"] == truth["so_ky_hieu"]
    assert out["issued_date"] == truth["issued_date"]
    assert out["summary"] == truth["summary"]
    assert all(0 <= v <= 1 for v in out["confidence"].values())  # type: ignore[union-attr]


def test_scan_named_pdf_is_read_as_an_image(tmp_path: Path) -> None:
    disguised = tmp_path / "ban-quet.pdf"
    shutil.copyfile(CORPUS / "files" / "vn015.jpg", disguised)
    out = _extract(tmp_path, disguised)
    truth = _truth("vn015")
    assert out["reference"] == truth["so_ky_hieu"] and out["issued_date"] == truth["issued_date"]


def test_unreadable_file_is_a_sentence(tmp_path: Path) -> None:
    junk = tmp_path / "rac.pdf"
    junk.write_bytes(b"%PDF-1.7\n garbage")
    result = CliRunner().invoke(main, ["extract", str(junk), "--json"], env={"LUUTRU_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2
    assert "Không đọc được rac.pdf" in result.output and "Traceback" not in result.output
