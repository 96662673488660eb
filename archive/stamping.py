"""Stamp a copy handed out under a sharing grant: recipient, agency and time on every page, "BẢN SAO" on page 1.

TT 05 (Điều 37, 40–42) marks an uncertified copy "BẢN SAO" at the top right of page 1. The stamp
is drawn by fpdf2 with DejaVu Sans embedded (the standard PDF fonts have no Vietnamese glyphs),
one overlay page per page of the copy at that page's size, and laid over the copy with pikepdf.
Only the bytes handed out are changed: the archive's stored file is read, never written.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
import pikepdf
from fpdf import FPDF

from archive.fonts import dejavu

COPY_MARK = "BẢN SAO"


@dataclass(frozen=True)
class Stamp:
    recipient: str
    agency: str
    at: datetime
    holder: str = ""

    def line(self) -> str:
        source = f" — {self.holder}" if self.holder else ""
        return (f"Cấp cho / Issued to: {self.recipient} ({self.agency}){source} — "
                f"{self.at.strftime('%d/%m/%Y %H:%M UTC')}")


def _overlay(sizes: list[tuple[float, float]], stamp: Stamp) -> pikepdf.Pdf:
    """One transparent page per page of the copy, carrying the stamp text (sizes in points)."""
    pdf = FPDF(unit="pt")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(dejavu("DejaVuSans.ttf")))
    for number, (width, height) in enumerate(sizes, start=1):
        pdf.add_page(format=(width, height))
        pdf.set_text_color(160, 0, 0)
        if number == 1:
            pdf.set_font("DejaVu", size=12)
            pdf.set_xy(width - 110, 18)
            pdf.cell(90, 16, COPY_MARK, align="R")
        pdf.set_font("DejaVu", size=7)
        pdf.set_xy(18, height - 22)
        pdf.cell(width - 36, 10, stamp.line(), align="C")
    return pikepdf.open(io.BytesIO(bytes(pdf.output())))


def stamp_pdf(data: bytes, stamp: Stamp) -> bytes:
    """A stamped copy of the PDF ``data``; ``data`` itself is left as it is."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        boxes = [page.mediabox for page in pdf.pages]
        sizes = [(float(box[2]) - float(box[0]), float(box[3]) - float(box[1])) for box in boxes]
        with _overlay(sizes, stamp) as overlay:
            for page, mark, box in zip(pdf.pages, overlay.pages, boxes, strict=True):
                target = pikepdf.Rectangle(float(box[0]), float(box[1]), float(box[2]), float(box[3]))
                page.add_overlay(mark, target)
            out = io.BytesIO()
            pdf.save(out)
    return out.getvalue()
