"""Cheap looks at scanned pages before and after OCR: how crooked a page is, which way up it is.

Straightening every page and asking Tesseract for every page's orientation doubled the CPU of OCR on
the shared corpus (3.4 instead of 1.6 CPU s per page) and gained no recall: its pages lean by at most
1.1°, which Tesseract's line finder follows unaided, and none is sideways. So `normalise` asks
OCRmyPDF to deskew only a document with a page leaning more than a threshold, measured here in tens of
milliseconds per page on a small rendering, and asks for orientation only when a page read poorly — a page
upside down or sideways reads as low-confidence noise — and Tesseract's orientation detection then
says it is turned.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ocrmypdf._exec import tesseract
from PIL import Image, ImageStat

from ingest import pdfium

#: Width (px) of the rendering whose text lines are measured: an A4 page at ~50 dpi, where a line of
#: 11 pt text is still a distinct band of ink.
SKEW_PROBE_WIDTH = 420
PROBE_MAX_SIDE = 1754
"""Longest side (px) of the image Tesseract's layout questions (skew, orientation) are asked of: an A4
page at 150 dpi, half a 300 dpi scan. Layout survives the halving; OCR-sized images cost a whole extra
Tesseract pass each."""
#: Angles tried: whole degrees up to ``_SKEW_RANGE`` either way, then tenths around the best.
_SKEW_RANGE = 8


def renderings(pdf_path: Path, pages: list[int], longest_side: int) -> Iterator[tuple[int, Image.Image]]:
    """Grey renderings of *pages* (1-based), each at most *longest_side* px long, one at a time."""
    for number in pages:
        yield number, pdfium.render_page(pdf_path, number, longest_side=longest_side, grayscale=True).convert("L")


def skew_degrees(image: Image.Image) -> float:
    """How far the text lines of *image* lean, in degrees (sign: Pillow's ``rotate`` that straightens it).

    Projection profile: rotated the right way, the ink falls into dense rows separated by white
    ones, so the sum of squared row totals peaks. Tried on a ~420 px wide rendering; the precision
    (±0.1° near the best angle) is ample for deciding whether a page needs straightening.
    """
    grey = image.convert("L")
    factor = max(1, grey.width // SKEW_PROBE_WIDTH)
    if factor > 1:
        grey = grey.reduce(factor)
    ink = grey.point(lambda value: 255 if value < 128 else 0)
    if ink.getbbox() is None:
        return 0.0

    def lined_up(degrees: float) -> float:
        turned = ink.rotate(degrees, resample=Image.Resampling.NEAREST)
        rows = turned.resize((1, turned.height), Image.Resampling.BOX)
        return ImageStat.Stat(rows).sum2[0]

    best = float(max(range(-_SKEW_RANGE, _SKEW_RANGE + 1), key=lined_up))
    return max((best + tenth / 10 for tenth in range(-9, 10)), key=lined_up)


def most_skew(pdf_path: Path, pages: list[int]) -> float:
    """The largest lean (absolute degrees) among *pages* of *pdf_path*."""
    return max((abs(skew_degrees(image)) for _, image in renderings(pdf_path, pages, SKEW_PROBE_WIDTH * 3)),
               default=0.0)


def turned_pages(pdf_path: Path, pages: list[int], workdir: Path, *, threshold: float,
                 timeout: float = 180.0) -> list[int]:
    """Which of *pages* Tesseract's orientation detection finds sideways or upside down, with at
    least *threshold* confidence (the same rule as OCRmyPDF's ``--rotate-pages-threshold``)."""
    turned = []
    for number, image in renderings(pdf_path, pages, PROBE_MAX_SIDE):
        probe = workdir / f"orientation-{number:06d}.png"
        image.save(probe)
        found = tesseract.get_orientation(probe, engine_mode=None, timeout=timeout)
        if found.angle % 360 and found.confidence >= threshold:
            turned.append(number)
        probe.unlink(missing_ok=True)
    return turned
