"""Auditor reports: fixity coverage with its histogram (CSV too) and the exact reconciliation lists."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pypdfium2
from sqlalchemy import select

from archive.catalog import AuditEntry
from archive.factory import Archive
from search.base import IndexedDocument
from tests.integrity.conftest import run_cli, store_master


def test_fixity_coverage_and_histogram(archive: Archive, catalog_env: dict[str, str], tmp_path: Path) -> None:
    for n in range(3):
        store_master(archive, f"record {n}".encode() * 100)
    code, output = run_cli(catalog_env, "report", "fixity", "--json")
    rows = json.loads(output)
    assert rows[0]["copies"] == "0/3 (0.0%)"
    assert {r["bucket"]: r["copies"] for r in rows}["never"] == 3
    assert run_cli(catalog_env, "verify", "--all")[0] == 0
    out = tmp_path / "fixity.csv"
    pdf = tmp_path / "fixity.pdf"
    code, output = run_cli(catalog_env, "report", "fixity", "--json", "--csv", str(out), "--pdf", str(pdf))
    document = pypdfium2.PdfDocument(pdf)
    text = document[0].get_textpage().get_text_range()
    document.close()
    assert "Fixity coverage" in text and "Độ bao phủ kiểm tra toàn vẹn" in text  # English asked, Vietnamese too
    assert "verified in the current 90-day cycle 3/3 100.0%" in text
    by_bucket = {r["bucket"]: r["copies"] for r in json.loads(output)}
    assert by_bucket["verified in the current 90-day cycle"] == "3/3 (100.0%)"
    assert by_bucket["< 1 day"] == 3 and by_bucket["never"] == 0
    with archive.sessions() as session:  # each run of a report is an audited read, from the CLI as on the web
        views = [json.loads(e.details)["format"] for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == "report.view").order_by(AuditEntry.seq))]
    assert views == ["json", "pdf"]
    with open(out, encoding="utf-8-sig") as fh:
        assert list(csv.DictReader(fh))[0] == {"location": "primary", "bucket": "verified in the current 90-day cycle",
                                               "copies": "3/3 (100.0%)"}


def test_reconciliation_lists_orphans_missing_and_stale_entries(archive: Archive, catalog_env: dict[str, str]) -> None:
    kept = store_master(archive, b"kept" * 100)
    gone = store_master(archive, b"gone" * 100)
    code, output = run_cli(catalog_env, "report", "reconcile", "--json")
    assert (code, json.loads(output)) == (0, [])
    archive.store.put("derivatives/stray/text.txt", io.BytesIO(b"no catalog row"))
    (archive.settings.objects_dir / gone.storage_key).unlink()
    archive.index.put(IndexedDocument("424242", "Quyết định đã hủy", {}, {}))
    code, output = run_cli(catalog_env, "report", "reconcile", "--json")
    assert code == 1
    assert json.loads(output) == [
        {"kind": "orphan", "location": "primary", "name": "derivatives/stray/text.txt"},
        {"kind": "missing", "location": "primary", "name": gone.storage_key},
        {"kind": "stale-index", "location": "index", "name": "document:424242"},
    ]
    assert kept.storage_key not in output
