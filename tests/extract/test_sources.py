"""Inputs: hOCR, Tesseract TSV, PDF text layers (the corpus's born-digital files), plain text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.extract import (
    extract_fields,
    pages_from_text,
    words_from_hocr,
    words_from_pdf_text_layer,
    words_from_tsv,
)
from ingest.extract.sources import pdf_document_info

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "vn-admin"
SCORED = ("doc_type", "so_ky_hieu", "issued_date", "place", "agency", "parent_agency", "summary",
          "signer_name", "signer_title", "signer_authority", "confidentiality", "urgency")
OURS = ("document_type", "reference", "issued_date", "issued_place", "issuing_agency", "parent_agency", "summary",
        "signer_name", "signer_title", "signer_authority", "confidentiality", "urgency")

HOCR = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><body>
<div class='ocr_page' id='page_1' title='image "x.png"; bbox 0 0 2480 3508; ppageno 0'>
 <div class='ocr_carea'><p class='ocr_par'>
  <span class='ocr_line' title="bbox 400 230 2200 270">
   <span class='ocrx_word' title='bbox 400 230 480 270; x_wconf 96'>BỘ</span>
   <span class='ocrx_word' title='bbox 500 230 600 270; x_wconf 95'>Y</span>
   <span class='ocrx_word' title='bbox 620 230 700 270; x_wconf 95'>TẾ</span>
   <span class='ocrx_word' title='bbox 1250 230 1400 270; x_wconf 91'>CỘNG</span>
   <span class='ocrx_word' title='bbox 1420 230 1500 270; x_wconf 90'>HÒA</span>
  </span>
 </p></div>
</div></body></html>"""


def test_hocr_words_keep_boxes_and_confidence() -> None:
    pages = words_from_hocr(HOCR)
    assert len(pages) == 1
    page = pages[0]
    assert (page.width, page.height) == (2480, 3508)
    line = page.lines[0]
    assert line.text == "BỘ Y TẾ CỘNG HÒA"
    assert line.words[3].x0 == 1250 and line.words[0].conf == pytest.approx(0.96)


def test_empty_hocr() -> None:
    assert words_from_hocr("") == []


def test_tsv_lines_follow_tesseract_grouping() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        "1\t1\t0\t0\t0\t0\t0\t0\t1654\t2339\t-1\t",
        "5\t1\t1\t1\t1\t1\t100\t100\t60\t30\t95.5\tSố:",
        "5\t1\t1\t1\t1\t2\t170\t100\t200\t30\t91\t12/QĐ-BYT",
        "5\t1\t2\t1\t1\t1\t900\t100\t100\t30\t-1\t ",
        "5\t1\t2\t1\t1\t2\t900\t100\t100\t30\tbad\tx",
    ]
    page = words_from_tsv("\n".join([header, *rows]))
    assert (page.width, page.height) == (1654, 2339)
    assert [line.text for line in page.lines] == ["Số: 12/QĐ-BYT"]
    assert page.lines[0].words[0].conf == pytest.approx(0.955)


def test_plain_text_pages_split_on_form_feed() -> None:
    pages = pages_from_text("a\nb\n\fc\n\f  \n")
    assert [[line.text for line in p.lines] for p in pages] == [["a", "b"], ["c"]]


def _born_digital() -> list[dict]:
    rows = [json.loads(line) for line in (CORPUS / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    return [r for r in rows if r["kind"] == "born-digital-pdf"]


@pytest.mark.parametrize("truth", _born_digital(), ids=lambda t: t["id"])
def test_corpus_born_digital_pdfs_via_text_layer(truth: dict) -> None:
    path = CORPUS / truth["file"]
    pages = words_from_pdf_text_layer(path)
    assert len(pages) == truth["pages"]
    ex = extract_fields(pages, page_count=len(pages), born_digital=True, metadata=pdf_document_info(path))
    for ours, theirs in zip(OURS, SCORED, strict=True):
        assert getattr(ex, ours) == truth[theirs], ours
    assert ex.number == str(truth["number"]) and ex.symbol == truth["symbol"]
    assert ex.language == "vi" and ex.needs_review == []


def test_scan_pdf_has_no_text_layer() -> None:
    pages = words_from_pdf_text_layer(CORPUS / "files" / "vn002.pdf")
    assert pages and all(not p.lines for p in pages)


def _tsv(*words: tuple[str, int, int, int]) -> str:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = ["1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t"]
    rows += [f"5\t1\t{i}\t1\t1\t1\t{x}\t{y}\t{w}\t40\t90\t{t}" for i, (t, x, y, w) in enumerate(words, 1)]
    return "\n".join([header, *rows])


def test_header_pass_adds_only_what_the_page_pass_missed() -> None:
    from ingest.extract.ocr import page_from_tsvs

    page = _tsv(("Số:", 500, 480, 80), ("12/BC-BYT", 590, 480, 200))
    header = _tsv(("Sô:", 502, 481, 80), ("MẬT", 560, 600, 90))
    merged = page_from_tsvs(page, header)
    assert [line.text for line in merged.lines] == ["Số:", "12/BC-BYT", "MẬT"]
