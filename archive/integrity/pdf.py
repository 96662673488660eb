"""Auditor reports as PDF: title in the reader's language and the other, when, where and by whom it was made,
and the rows as a table (fpdf2 with DejaVu Sans embedded: the standard PDF fonts have no Vietnamese glyphs,
the same choice as the sample documents and the stamping). The CSV carries the same rows; the PDF is for
signing off and filing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fpdf import FPDF

from archive.fonts import dejavu
from archive.i18n import format_datetime

if TYPE_CHECKING:
    from archive.integrity.auditor import Table

CELL_LIMIT = 1100
"""Characters of one cell printed, enough for any storage key (1024); a longer details field ends in "…",
and the CSV has it all."""


class _ReportPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=7)
        self.cell(0, 6, f"{self.footer_text} — {self.page_no()}/{{nb}}", align="C")


def table_pdf(table: Table) -> bytes:
    """The report as an A4 landscape PDF."""
    lang = table.lang
    pdf = _ReportPDF(orientation="L", format="A4")
    pdf.set_title(table.title)
    pdf.set_author(table.made_by or "luutru")
    pdf.set_creator("luutru")
    pdf.add_font("DejaVu", "", str(dejavu("DejaVuSans.ttf")))
    pdf.add_font("DejaVu", "B", str(dejavu("DejaVuSans-Bold.ttf")))
    pdf.footer_text = f"Lưu trữ số — {table.title}"
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, table.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 6, table.other_title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(8.5)
    made = format_datetime(table.made_at, lang)
    pdf.multi_cell(0, 5, (f"Lập lúc {made} (UTC) bởi {table.made_by or 'luutru'} — {len(table.cells)} dòng"
                          if lang == "vi" else
                          f"Made at {made} (UTC) by {table.made_by or 'luutru'} — {len(table.cells)} rows"),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, table.summary, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if not table.cells:
        pdf.set_font_size(10)
        pdf.multi_cell(0, 8, "Không có khác biệt hay sự việc nào." if lang == "vi" else "Nothing to report.",
                       new_x="LMARGIN", new_y="NEXT")
    else:
        _rows(pdf, table)
    return bytes(pdf.output())


LINE = 4.0
"""Height of one line of a table cell, in mm (7.5 pt text)."""


def _rows(pdf: FPDF, table: Table) -> None:
    """The table, drawn row by row with the header repeated on each page. Not fpdf2's ``table()``: that
    lays out every cell in a dry run first and takes ~10 ms a row, while a reconciliation may list tens
    of thousands; here a cell that fits on one line (most) is measured, not laid out."""
    total = sum(c.width for c in table.columns)
    widths = [pdf.epw * c.width / total for c in table.columns]
    pdf.set_font_size(7.5)

    def lines(text: str, width: float) -> list[str]:
        text = text if len(text) <= CELL_LIMIT else text[:CELL_LIMIT - 1] + "…"
        if "\n" not in text and pdf.get_string_width(text) <= width - 2:
            return [text]
        return pdf.multi_cell(width - 2, LINE, text, dry_run=True, output="LINES") or [""]

    def draw(cells: list[str], bold: bool = False) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", 7.5)
        wrapped = [lines(text, width) for text, width in zip(cells, widths)]
        height = max(len(cell) for cell in wrapped) * LINE + 1
        if pdf.get_y() + height > pdf.page_break_trigger and not bold:
            pdf.add_page()
            draw(table.headers(), bold=True)
            pdf.set_font("DejaVu", "", 7.5)
        x, y = pdf.l_margin, pdf.get_y()
        for width, cell in zip(widths, wrapped):
            if bold:
                pdf.set_fill_color(230, 234, 240)
            pdf.rect(x, y, width, height, style="DF" if bold else "D")
            for number, line in enumerate(cell):
                pdf.set_xy(x + 1, y + 0.5 + number * LINE)
                pdf.cell(width - 2, LINE, line)
            x += width
        pdf.set_xy(pdf.l_margin, y + height)

    draw(table.headers(), bold=True)
    for cells in table.cells:
        draw(cells)
