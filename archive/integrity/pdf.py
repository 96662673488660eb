"""Auditor reports as PDF: a title, when and where it was made, and the rows as a table (fpdf2, DejaVu Sans
for Vietnamese). The CSV carries the same rows; the PDF is for signing off and filing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


class ReportFontMissing(Exception):
    """No DejaVu Sans: Vietnamese text cannot be rendered (install fonts-dejavu-core)."""


def _font(name: str = "DejaVuSans.ttf") -> Path:
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return folder / name
    raise ReportFontMissing("DejaVuSans.ttf is not installed; install the fonts-dejavu-core package to write PDF "
                            "reports (the CSV export does not need it).")


def write_pdf(path: Path, title: str, rows: list[dict[str, Any]], source: str) -> None:
    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("DejaVu", "", str(_font()))
    pdf.add_font("DejaVu", "B", str(_font("DejaVuSans-Bold.ttf")))
    pdf.set_font("DejaVu", size=9)
    pdf.add_page()
    pdf.set_font_size(14)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(8)
    pdf.cell(0, 6, f"{source} — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {len(rows)} dòng / rows",
             new_x="LMARGIN", new_y="NEXT")
    if rows:
        with pdf.table(text_align="LEFT") as table:
            table.row([str(name) for name in rows[0]])
            for row in rows:
                table.row([str(value)[:300] for value in row.values()])
    else:
        pdf.cell(0, 8, "Không có dòng nào / no rows.", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
