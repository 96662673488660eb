"""Minimal OCR for the CLI and the benchmark when a file has no text layer.

The ingest pipeline's real OCR step (ocrmypdf, PDF/A output) lives elsewhere; this module only
gets word boxes out of Tesseract so the parser can be run on a bare scan. It is kept apart from
the parser so the parser stays a pure function of text.
"""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

from PIL import Image

from ingest.extract.model import Line, PageText
from ingest.extract.sources import words_from_tsv

#: Scans are rendered at this resolution when a PDF holds page images; ND 30 text is 13–14 pt,
#: which Tesseract reads best at 300 dpi.
RENDER_DPI = 300
#: Tesseract's "sparse text" segmentation. On the 25 corpus scans the default (3, automatic
#: layout) merged the two header columns into one line and lost words of the agency block and
#: the signer's name; sparse text finds each block on its own and keeps every word's box,
#: which is all the parser needs.
SPARSE_TEXT = 11
#: Tesseract's "single block" segmentation, used on the header crop (see `ocr_page_tsvs`).
SINGLE_BLOCK = 6
#: The header's left column (agency, số, stamps) as fractions of page width and height.
HEADER_CROP = (0.46, 0.35)


class OcrError(RuntimeError):
    """Tesseract is missing or failed on a page."""


def page_images(path: str | Path, dpi: int = RENDER_DPI) -> Iterator[Image.Image]:
    """Yield each page of a PDF, (multi-page) TIFF or single image as a Pillow image."""
    path = Path(path)
    with open(path, "rb") as fh:
        is_pdf = b"%PDF-" in fh.read(1024)  # by content, never by the file's name
    if is_pdf:
        from ingest import pdfium

        for number in range(1, pdfium.page_count(path) + 1):
            yield pdfium.render_page(path, number, scale=dpi / 72)
        return
    with Image.open(path) as img:
        for frame in range(getattr(img, "n_frames", 1)):
            img.seek(frame)
            yield img.convert("L") if img.mode not in ("L", "RGB") else img.copy()


def ocr_page_tsv(image: Image.Image, lang: str = "vie", psm: int = SPARSE_TEXT, timeout: float = 300) -> str:
    """Run ``tesseract stdin stdout -l LANG --psm PSM tsv`` on one page and return the TSV text."""
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    env = dict(os.environ, OMP_THREAD_LIMIT=os.environ.get("OMP_THREAD_LIMIT", "1"))
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", lang, "--psm", str(psm), "tsv"],
            input=buf.getvalue(), capture_output=True, timeout=timeout, env=env, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OcrError(f"tesseract could not run: {exc}") from exc
    if done.returncode != 0:
        raise OcrError(f"tesseract failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout.decode("utf-8", "replace")


def ocr_page_tsvs(image: Image.Image, lang: str = "vie") -> tuple[str, str]:
    """TSV of the whole page (sparse text) and of the header's left column (single block).

    Sparse-text mode skips a word drawn inside a box, and ND 30 stamps ("MẬT", "HỎA TỐC") are
    boxed; on the small header crop, single-block mode reads them. The crop starts at the page
    origin, so its boxes are already in page coordinates.
    """
    width, height = image.size
    crop = image.crop((0, 0, int(HEADER_CROP[0] * width), int(HEADER_CROP[1] * height)))
    return ocr_page_tsv(image, lang=lang), ocr_page_tsv(crop, lang=lang, psm=SINGLE_BLOCK)


def page_from_tsvs(page_tsv: str, header_tsv: str) -> PageText:
    """The page's lines plus the header-pass lines that cover words the page pass did not find."""
    page = words_from_tsv(page_tsv)
    extra = [line for line in words_from_tsv(header_tsv).lines if not any(_overlaps(line, seen) for seen in page.lines)]
    return PageText(page.lines + tuple(extra), page.width, page.height)


def _overlaps(a: Line, b: Line) -> bool:
    if not (a.words and b.words):
        return False
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def ocr_page_words(image: Image.Image, lang: str = "vie") -> PageText:
    """OCR one page image into a `PageText` with word boxes and confidences (two Tesseract runs)."""
    return page_from_tsvs(*ocr_page_tsvs(image, lang=lang))
