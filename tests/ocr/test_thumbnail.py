"""Thumbnails of page 1: from PDFs and images, bounded in size, and a clear error for what cannot render."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from ingest.thumbnail import MAX_SIDE, ThumbnailError, render_thumbnail
from tests.pipeline.badfiles import BORN_DIGITAL, CORPUS, SCAN_JPEG, corrupt_pdf


@pytest.mark.parametrize(("source", "is_pdf"), [(BORN_DIGITAL, True), (SCAN_JPEG, False),
                                                (CORPUS / "vn006.tif", False), (CORPUS / "vn002.pdf", True)])
def test_page_one_becomes_a_small_png(tmp_path: Path, source: Path, is_pdf: bool) -> None:
    out = render_thumbnail(source, tmp_path / "thumbnail.png", is_pdf=is_pdf)
    with Image.open(out) as img:
        assert img.format == "PNG" and img.mode == "RGB"
        assert max(img.size) <= MAX_SIDE and max(img.size) >= MAX_SIDE - 1
        # An A4 page keeps its proportions (√2), and the page is not blank.
        assert abs(img.size[1] / img.size[0] - 2 ** 0.5) < 0.02
        lo, hi = img.convert("L").getextrema()
        assert lo < 128 < hi


def test_a_file_that_cannot_render_says_so(tmp_path: Path) -> None:
    with pytest.raises(ThumbnailError):
        render_thumbnail(corrupt_pdf(tmp_path / "hong.pdf"), tmp_path / "thumbnail.png", is_pdf=True)
