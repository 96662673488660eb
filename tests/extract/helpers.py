"""Build pages for tests: plain text, or words with boxes laid out like a scan of an ND 30 page."""

from __future__ import annotations

from collections.abc import Sequence

from ingest.extract import Line, PageText, Word

PAGE_W, PAGE_H = 2480.0, 3508.0
CHAR_W, LINE_H = 22.0, 42.0


def text_pages(*pages: str) -> list[PageText]:
    return [PageText.from_text(p) for p in pages]


def boxed_line(pieces: Sequence[tuple[float, str]], y: float, conf: float = 0.95) -> Line:
    """One OCR line holding several runs of words, each run starting at its own x (a column)."""
    words: list[Word] = []
    for x, text in pieces:
        cursor = x
        for token in text.split():
            width = CHAR_W * len(token)
            words.append(Word(token, cursor, y, cursor + width, y + LINE_H, conf))
            cursor += width + CHAR_W * 0.6
    return Line.from_words(words)


def boxed_page(rows: Sequence[tuple[float, Sequence[tuple[float, str]]]], conf: float = 0.95) -> PageText:
    """``rows``: (y, [(x, text), …]); each row becomes one OCR line, as Tesseract merges columns."""
    return PageText(tuple(boxed_line(pieces, y, conf) for y, pieces in rows), PAGE_W, PAGE_H)


def centred(text: str, cx: float) -> tuple[float, str]:
    return cx - CHAR_W * len(text) * 1.05 / 2, text
