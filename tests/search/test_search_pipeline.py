"""End to end: born-digital files go through the real pipeline, then `luutru search` finds them.

Born-digital PDFs keep this test to seconds (no OCR of scans); the index step, the reference
extracted from the page, the per-page text and the CLI are all the real ones.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from archive.cli import main
from archive.factory import Archive
from search.folding import fold
from tests.pipeline.badfiles import CORPUS
from tests.pipeline.conftest import RunBatch, archive, embedded_env, run_batch  # noqa: F401  (fixtures)
from tests.search.corpus import ROWS, unique_phrases

BORN_DIGITAL = [r for r in ROWS if r["kind"] == "born-digital-pdf"]


def test_ingested_records_are_found_by_reference_phrase_and_page(
        archive: Archive, run_batch: RunBatch, embedded_env: dict[str, str]) -> None:  # noqa: F811
    report = run_batch(*(CORPUS / r["file"].split("/")[-1] for r in BORN_DIGITAL))
    assert [i["state"] for i in report.items] == ["archived"] * len(BORN_DIGITAL), report.items
    document_of = {str(i["name"]).rsplit("/", 1)[-1]: i["document_id"] for i in report.items}

    def search(*args: str) -> dict:  # type: ignore[type-arg]
        result = CliRunner().invoke(main, ["search", *args, "--json"], env=embedded_env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    phrases = unique_phrases()
    for row in BORN_DIGITAL:
        expected = document_of[row["file"].split("/")[-1]]
        for reference in (row["so_ky_hieu"], row["so_ky_hieu"].lower().replace("/", " / ")):
            hit = search(reference)["hits"][0]
            assert hit["id"] == expected and hit["reference"] == row["so_ky_hieu"], reference
        phrase = " ".join(phrases[row["id"]])
        page = next(n for n, text in enumerate(row["page_text"], start=1) if phrase in " ".join(text.split()))
        for text in (phrase, fold(phrase)):
            hits = search(text, "--limit", "3")["hits"]
            assert expected in [h["id"] for h in hits], text
            found = next(h for h in hits if h["id"] == expected)
            assert found["highlights"][0]["page"] == page
            assert found["original_filename"] == row["file"].split("/")[-1]
    everything = search("--limit", "10")
    assert everything["total"] == len(BORN_DIGITAL)
    assert sum(everything["facets"]["type"].values()) == len(BORN_DIGITAL)

    # `luutru reindex` rebuilds the same index from the catalog and the stored page text.
    result = CliRunner().invoke(main, ["reindex", "--json"], env=embedded_env, catch_exceptions=False)
    assert json.loads(result.output)["indexed"] == len(BORN_DIGITAL)
    assert search(BORN_DIGITAL[0]["so_ky_hieu"])["hits"][0]["id"] == document_of[BORN_DIGITAL[0]["file"].split("/")[-1]]
