"""PDFium is not thread-safe; the worker threads render, read text layers and make thumbnails at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ocrmypdf.builtin_plugins import pypdfium as ocrmypdf_pdfium

from ingest import pdfium
from ingest.thumbnail import render_thumbnail
from tests.ocr.helpers import corpus_file


def test_the_lock_is_ocrmypdfs_own() -> None:
    # OCRmyPDF rasterises pages with PDFium under this lock; ours must exclude it too.
    assert pdfium.PDFIUM_LOCK is ocrmypdf_pdfium._pdfium_lock


def test_many_threads_use_pdfium_at_once_without_crashing(tmp_path: Path) -> None:
    # Before every call went through one lock, two worker threads in PDFium at once killed the
    # interpreter (SIGSEGV); a crash here ends the test run, so surviving is the assertion's premise.
    sources = [corpus_file(name) for name in ("vn002.pdf", "vn003.pdf", "vn010.pdf", "vn029.pdf")]

    def work(n: int) -> tuple[int, list[int], int, int]:
        source = sources[n % len(sources)]
        count = pdfium.page_count(source)
        untexted = pdfium.untexted_pages(source)
        texts = pdfium.page_texts(source, list(range(1, count + 1)))
        image = pdfium.render_page(source.read_bytes(), 1, longest_side=600, grayscale=n % 2 == 0)
        render_thumbnail(source, tmp_path / f"thumb-{n}.png", is_pdf=True)
        return count, untexted, sum(map(len, texts)), max(image.size)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(64)))
    for n, (count, untexted, text_length, side) in enumerate(results):
        assert count >= 1 and side == 600
        born_digital = sources[n % len(sources)].name in ("vn003.pdf", "vn010.pdf")
        assert (untexted == [] and text_length > 500) if born_digital else (untexted == list(range(1, count + 1)))
    assert len(list(tmp_path.glob("thumb-*.png"))) == 64
