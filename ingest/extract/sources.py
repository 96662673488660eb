"""Turn what engines and files give us (Tesseract TSV, hOCR, a PDF text layer) into `PageText`.

Word boxes are the point: ND 30 puts two header blocks side by side, and OCR engines and PDF
producers often emit them interleaved on one line. With the boxes the parser can separate the
columns by x-coordinate instead of guessing from text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from lxml import html as lxml_html

from ingest.extract.model import Line, PageText, Word

_BBOX = re.compile(r"bbox\s+(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)")
_WCONF = re.compile(r"x_wconf\s+(\d+(?:\.\d+)?)")


def words_from_tsv(tsv: str) -> PageText:
    """Parse one page of ``tesseract … tsv`` output, keeping Tesseract's own line grouping."""
    width = height = 0.0
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for raw in tsv.splitlines()[1:]:
        cols = raw.split("\t")
        if len(cols) < 12:
            continue
        try:
            level = int(cols[0])
            key = (int(cols[2]), int(cols[3]), int(cols[4]))
            left, top, w, h = (float(c) for c in cols[6:10])
            conf = float(cols[10])
        except ValueError:
            continue
        if level == 1:
            width, height = w, h
            continue
        text = cols[11].strip()
        if level != 5 or not text:
            continue
        lines.setdefault(key, []).append(Word(text, left, top, left + w, top + h, max(conf, 0.0) / 100))
    return PageText(tuple(Line.from_words(ws) for ws in lines.values()), width, height)


def words_from_hocr(hocr: str) -> list[PageText]:
    """Parse hOCR (Tesseract, ocrmypdf's sidecar, other engines): one `PageText` per ``ocr_page``."""
    if not hocr.strip():
        return []
    root = lxml_html.fromstring(hocr.encode("utf-8"))
    pages: list[PageText] = []
    for page in root.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), ' ocr_page ')]"):
        box = _BBOX.search(page.get("title", ""))
        width, height = (float(box.group(3)), float(box.group(4))) if box else (0.0, 0.0)
        lines: list[Line] = []
        line_xpath = (".//*[contains(concat(' ', normalize-space(@class), ' '), ' ocr_line ')"
                      " or contains(@class, 'ocr_caption') or contains(@class, 'ocr_header')"
                      " or contains(@class, 'ocr_textfloat')]")
        for line in page.xpath(line_xpath):
            words = []
            for node in line.xpath(".//*[contains(@class, 'ocrx_word')]"):
                text = "".join(node.itertext()).strip()
                wbox = _BBOX.search(node.get("title", ""))
                if not text or not wbox:
                    continue
                conf_m = _WCONF.search(node.get("title", ""))
                conf = float(conf_m.group(1)) / 100 if conf_m else 1.0
                x0, y0, x1, y1 = (float(g) for g in wbox.groups())
                words.append(Word(text, x0, y0, x1, y1, conf))
            if words:
                lines.append(Line.from_words(words))
        pages.append(PageText(tuple(lines), width, height))
    return pages


def words_from_pdf_text_layer(pdf_path: str | Path) -> list[PageText]:
    """Read a PDF's text layer with word boxes (top-left origin, points); empty pages for scans.

    pdfminer groups characters into lines by proximity, so two header blocks far apart stay
    separate lines; words are cut at spaces and each keeps the union box of its characters.
    Text inside form XObjects is read too: that is where OCRmyPDF puts its invisible OCR layer.
    """
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTFigure, LTTextContainer, LTTextLine

    def text_lines(container: Iterable[object]) -> Iterator[LTTextLine]:
        for element in container:
            if isinstance(element, LTTextLine):
                yield element
            elif isinstance(element, (LTTextContainer, LTFigure)):
                yield from text_lines(element)

    pages: list[PageText] = []
    for layout in extract_pages(str(pdf_path), laparams=LAParams(all_texts=True)):
        height = float(layout.height)
        lines: list[Line] = []
        for text_line in text_lines(layout):
            words = _words_from_chars(
                (ch.get_text(), ch.x0, height - ch.y1, ch.x1, height - ch.y0) if isinstance(ch, LTChar)
                else (ch.get_text(), 0.0, 0.0, 0.0, 0.0)
                for ch in text_line
            )
            if words:
                lines.append(Line.from_words(words))
        lines.sort(key=lambda ln: (round(ln.y0), ln.x0))
        pages.append(PageText(tuple(lines), float(layout.width), height))
    return pages


def _words_from_chars(chars: Iterable[tuple[str, float, float, float, float]]) -> list[Word]:
    """Group characters into words at spaces; boxless space markers from pdfminer split words too."""
    words: list[Word] = []
    buf: list[tuple[str, float, float, float, float]] = []

    def flush() -> None:
        if buf:
            words.append(Word("".join(c[0] for c in buf), min(c[1] for c in buf), min(c[2] for c in buf),
                              max(c[3] for c in buf), max(c[4] for c in buf)))
            buf.clear()

    for ch in chars:
        if not ch[0].strip():
            flush()
        else:
            buf.append(ch)
    flush()
    return words


def pages_from_text(text: str) -> list[PageText]:
    """Plain text with form feeds between pages (``pdftotext`` style) as box-less pages."""
    return [PageText.from_text(chunk) for chunk in text.split("\f") if chunk.strip()]


def pdf_document_info(pdf_path: str | Path) -> dict[str, str]:
    """A PDF's document-info title and author (lower-case keys), for `extract_fields(metadata=…)`."""
    import pikepdf

    with pikepdf.open(str(pdf_path)) as pdf:
        info = pdf.docinfo
        out = {}
        for name in ("Title", "Author", "Subject"):
            value = info.get(f"/{name}")
            if value is not None and str(value).strip():
                out[name.lower()] = str(value).strip()
        return out
