"""A small picture of page 1 for result lists and the record page.

Rendered in-process with PDFium (pypdfium2, already used to rasterise pages for OCR) rather than by
starting ``pdftoppm``: a thumbnail is made for every file, and for a born-digital PDF the process
start cost more than the rendering.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pypdfium2
from PIL import Image

MAX_SIDE = 320
RENDERER = ("pypdfium2", version("pypdfium2"))
"""The agent of the thumbnail's PREMIS creation event."""


class ThumbnailError(Exception):
    """Page 1 could not be rendered; the record is complete without a thumbnail."""


def render_thumbnail(source: Path, output: Path, *, is_pdf: bool) -> Path:
    """Write page 1 of ``source`` (a PDF, or an image) as a PNG at most ``MAX_SIDE`` px on a side."""
    try:
        if is_pdf:
            pdf = pypdfium2.PdfDocument(str(source))
            try:
                page = pdf[0]
                width, height = page.get_size()
                image = page.render(scale=MAX_SIDE / max(width, height, 1)).to_pil()
                page.close()
            finally:
                pdf.close()
        else:
            with Image.open(source) as img:
                img.thumbnail((MAX_SIDE, MAX_SIDE))
                image = img.convert("RGB")
        # zlib level 1: a third of the default level's time for a page of text, and no larger.
        image.convert("RGB").save(output, format="PNG", optimize=False, compress_level=1)
    except (pypdfium2.PdfiumError, OSError, ValueError, IndexError, Image.DecompressionBombError) as exc:
        raise ThumbnailError(str(exc)) from exc
    return output
