"""A small picture of page 1 for result lists and the record page.

Rendered in-process with PDFium (pypdfium2, already used to rasterise pages for OCR) rather than by
starting ``pdftoppm``: a thumbnail is made for every file, and for a born-digital PDF the process
start cost more than the rendering.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from PIL import Image

from ingest import pdfium

MAX_SIDE = 320
RENDERER = ("pypdfium2", version("pypdfium2"))
"""The agent of the thumbnail's PREMIS creation event."""


class ThumbnailError(Exception):
    """Page 1 could not be rendered; the record is complete without a thumbnail."""


def render_thumbnail(source: Path, output: Path, *, is_pdf: bool) -> Path:
    """Write page 1 of ``source`` (a PDF, or an image) as a PNG at most ``MAX_SIDE`` px on a side."""
    try:
        if is_pdf:
            image = pdfium.render_page(source, 1, longest_side=MAX_SIDE)
        else:
            with Image.open(source) as img:
                img.thumbnail((MAX_SIDE, MAX_SIDE))
                image = img.convert("RGB")
        # zlib level 1: a third of the default level's time for a page of text, and no larger.
        image.convert("RGB").save(output, format="PNG", optimize=False, compress_level=1)
    except (pdfium.PdfiumError, OSError, ValueError, IndexError, Image.DecompressionBombError) as exc:
        raise ThumbnailError(str(exc)) from exc
    return output
