"""The shared corpus's ground truth as index documents, with access levels and owners assigned.

The contract tests index these directly (no OCR), so they run in seconds on both backends; the
pipeline test checks that real ingestion produces documents of the same shape.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from search.analysis import folded_tokens
from search.base import IndexedDocument

TRUTH = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "vn-admin" / "truth.jsonl"

ROWS: list[dict[str, Any]] = [json.loads(line) for line in TRUTH.read_text(encoding="utf-8").splitlines() if line]
AGENCIES = sorted({r["agency"] for r in ROWS})
OWNER = {name: f"org{i}" for i, name in enumerate(AGENCIES)}


def mode_of(row: dict[str, Any]) -> str:
    """Stamped MẬT → secret (03); every third other record conditional (02); the rest public."""
    if row["confidentiality"]:
        return "03"
    return "02" if int(row["id"][2:]) % 3 == 0 else "01"


def to_document(row: dict[str, Any]) -> IndexedDocument:
    fields = {k: v for k, v in {
        "reference": row["so_ky_hieu"], "document_type": row["doc_type"], "summary": row["summary"],
        "issued_date": row["issued_date"], "issuing_agency": row["agency"], "parent_agency": row["parent_agency"],
        "signer": row["signer_name"], "signer_position": row["signer_title"], "original_filename": row["file"],
        "stamps": " ".join(s for s in (row["confidentiality"], row["urgency"]) if s) or None,
    }.items() if v}
    terms = {"type": [row["doc_type"]], "agency": [row["agency"]], "year": [row["issued_date"][:4]],
             "mode": [mode_of(row)], "owner": [OWNER[row["agency"]]], "record": [row["id"]],
             "signer": [row["signer_name"]]}
    return IndexedDocument(row["id"], row["page_text"], fields, terms, reference=row["so_ky_hieu"],
                           date=row["issued_date"])


DOCUMENTS = [to_document(r) for r in ROWS]


def unique_phrases(width: int = 4) -> dict[str, list[str]]:
    """For each document, one run of ``width`` words (as printed) whose folded form occurs in no other
    document, taken from the body rather than the header, so the test is about full text."""
    folded_text = {r["id"]: " ".join(folded_tokens("\n".join(r["page_text"]))) for r in ROWS}
    found: dict[str, list[str]] = {}
    for row in ROWS:
        words = " ".join(row["page_text"]).split()
        for start in range(len(words) // 3, len(words) - width):
            run = words[start:start + width]
            key = " ".join(folded_tokens(" ".join(run)))
            if not all(w.isalpha() for w in run) or any(len(w) < 2 for w in run):
                continue
            if sum(f" {key} " in f" {text} " for text in folded_text.values()) == 1:
                found[row["id"]] = run
                break
    return found


def counts(name: str, rows: list[dict[str, Any]] | None = None) -> dict[str, int]:
    key = {"type": lambda r: r["doc_type"], "agency": lambda r: r["agency"],
           "year": lambda r: r["issued_date"][:4], "mode": mode_of}[name]
    return dict(Counter(key(r) for r in (ROWS if rows is None else rows)))
