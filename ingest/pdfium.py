"""Every call into PDFium (pypdfium2) goes through here, under one lock.

PDFium is not thread-safe: no two threads may be inside it at once, even on different documents
(pypdfium2's documentation). Worker threads process several files at a time, and OCRmyPDF rasterises
pages with PDFium under a lock of its own; two threads in PDFium at once crashed the interpreter
(SIGSEGV in ``FPDF_LoadPage`` while a second worker thread was rendering). So this module holds that
same OCRmyPDF lock around each call — imported by its private name on purpose: if OCRmyPDF renames it,
the import fails loudly instead of silently no longer excluding OCRmyPDF's rasteriser.

Nothing PDFium owns outlives a call: documents, pages, text pages and bitmaps are closed inside the
lock, and images are copied out first, so no finaliser ever calls into PDFium from another thread.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2
from ocrmypdf.builtin_plugins.pypdfium import _pdfium_lock as PDFIUM_LOCK
from PIL import Image

PdfiumError = pypdfium2.PdfiumError
Source = str | Path | bytes


def _open(source: Source) -> pypdfium2.PdfDocument:
    return pypdfium2.PdfDocument(source if isinstance(source, bytes) else str(source))


def page_count(source: Source) -> int:
    with PDFIUM_LOCK:
        pdf = _open(source)
        try:
            return len(pdf)
        finally:
            pdf.close()


def untexted_pages(source: Source) -> list[int]:
    """Page numbers (1-based) without a text layer: the pages OCRmyPDF will OCR (``--skip-text``)."""
    with PDFIUM_LOCK:
        pdf = _open(source)
        try:
            found = []
            for index in range(len(pdf)):
                page = pdf[index]
                textpage = page.get_textpage()
                if textpage.count_chars() == 0:
                    found.append(index + 1)
                textpage.close()
                page.close()
            return found
        finally:
            pdf.close()


def page_texts(source: Source, numbers: list[int]) -> list[str]:
    """The text layer of pages *numbers* (1-based), line ends normalised to ``\\n``."""
    if not numbers:
        return []
    with PDFIUM_LOCK:
        pdf = _open(source)
        try:
            texts = []
            for number in numbers:
                page = pdf[number - 1]
                textpage = page.get_textpage()
                texts.append(textpage.get_text_bounded().replace("\r\n", "\n").replace("\r", "\n"))
                textpage.close()
                page.close()
            return texts
        finally:
            pdf.close()


def render_page(source: Source, number: int, *, longest_side: int | None = None, scale: float | None = None,
                max_width: int | None = None, grayscale: bool = False) -> Image.Image:
    """Page *number* (1-based) as a PIL image of its own: at *scale* (1 = 72 dpi), or fitted so its
    longest side is *longest_side* px, or at most *max_width* px wide (never above scale 2).
    Raises IndexError for a page the document does not have."""
    with PDFIUM_LOCK:
        pdf = _open(source)
        try:
            if not 1 <= number <= len(pdf):
                raise IndexError(number)
            page = pdf[number - 1]
            width, height = page.get_size()
            if longest_side is not None:
                scale = longest_side / max(width, height, 1)
            elif max_width is not None:
                scale = min(2.0, max_width / (width or max_width))
            bitmap = page.render(scale=scale or 1.0, grayscale=grayscale)
            image = bitmap.to_pil().copy()
            bitmap.close()
            page.close()
            return image
        finally:
            pdf.close()
