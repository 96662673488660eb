"""Helpers for the normalisation/OCR tests: the vn-admin corpus, generated page images, checksums."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import ocrmypdf
import pytest
from PIL import Image, ImageDraw, ImageFont

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "vn-admin"
#: A font with Vietnamese glyphs that is always present: OCRmyPDF ships it for its text layer.
FONT = Path(ocrmypdf.__file__).parent / "data" / "NotoSans-Regular.ttf"
LINES = ("Cộng hòa xã hội chủ nghĩa Việt Nam", "Độc lập - Tự do - Hạnh phúc")


def corpus_file(name: str) -> Path:
    path = CORPUS / "files" / name
    if not path.exists():
        pytest.fail(f"The test corpus is missing {path}; it lives in ../shared/corpus/vn-admin.", pytrace=False)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def text_page(size: tuple[int, int], mode: str, lines: Iterable[str] = LINES,
              background: int | tuple[int, ...] = 255, ink: int | tuple[int, ...] = 0,
              font_size: int = 36) -> Image.Image:
    """A page image of printed Vietnamese lines, as a scanner would give it."""
    image = Image.new(mode, size, background)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), font_size)
    for row, line in enumerate(lines):
        draw.text((40, 40 + row * int(font_size * 2.2)), line, font=font, fill=ink)
    return image
