"""Fixtures for the normalisation/OCR tests.

Everything runs the real Tesseract, OCRmyPDF and pikepdf; nothing is mocked. OCR results of the
corpus scans are module-scoped fixtures in the test modules, so each scan is OCR'd once per module.
"""

from __future__ import annotations

import json

import pytest

from tests.ocr.helpers import CORPUS


@pytest.fixture(scope="session")
def truth() -> dict[str, dict]:
    """truth.jsonl by document id (``vn001`` …)."""
    with (CORPUS / "truth.jsonl").open(encoding="utf-8") as stream:
        return {row["id"]: row for row in map(json.loads, stream)}
