"""`extract_file` on real files: born-digital PDFs, OCR'd PDFs, bare scans (Tesseract runs here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fpdf import FPDF

from ingest.extract import extract_file, words_from_pdf_text_layer
from ingest.extract.files import has_invisible_text
from ingest.extract.ocr import page_images

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "vn-admin"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")


def truth(doc_id: str) -> dict:
    for line in (CORPUS / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["id"] == doc_id:
            return row
    raise KeyError(doc_id)


def test_born_digital_pdf_is_read_without_ocr() -> None:
    ex = extract_file(CORPUS / "files" / "vn008.pdf")
    t = truth("vn008")
    assert ex.born_digital
    assert (ex.reference, ex.issuing_agency, ex.parent_agency) == (t["so_ky_hieu"], t["agency"], t["parent_agency"])
    assert ex.confidentiality == "MẬT"


def test_jpeg_scan_is_ocred() -> None:
    ex = extract_file(CORPUS / "files" / "vn015.jpg")
    t = truth("vn015")
    assert not ex.born_digital
    assert ex.reference == t["so_ky_hieu"] == "2521/2016/TT-VTLTNN"
    assert ex.issued_date == t["issued_date"]
    assert ex.issuing_agency == t["agency"] and ex.parent_agency == t["parent_agency"]
    assert ex.signer_name == t["signer_name"]


def test_page_images_of_multipage_tiff_and_pdf() -> None:
    assert len(list(page_images(CORPUS / "files" / "vn009.tif"))) == 3
    assert len(list(page_images(CORPUS / "files" / "vn016.pdf", dpi=50))) == 3


def test_ocrmypdf_text_layer_is_a_scan(tmp_path: Path) -> None:
    """The ingest pipeline's OCR step writes an invisible text layer: read it, call it digitised."""
    out = tmp_path / "ocr.pdf"
    subprocess.run([sys.executable, "-m", "ocrmypdf", "-q", "-l", "vie", "--output-type", "pdf",
                    str(CORPUS / "files" / "vn006.tif"), str(out)], check=True, timeout=300)
    assert has_invisible_text(out)
    ex = extract_file(out)
    t = truth("vn006")
    assert not ex.born_digital
    assert ex.reference == t["so_ky_hieu"] and ex.issued_date == t["issued_date"]
    assert ex.document_type == t["doc_type"]


@pytest.fixture
def laid_out_pdf(tmp_path: Path) -> Path:
    """A born-digital PDF with ND 30 columns in its text layer (not one flowed column)."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.add_page()
    pdf.add_font("serif", fname=str(FONT))
    pdf.set_font("serif", size=12)

    def at(x: float, y: float, w: float, text: str) -> None:
        pdf.set_xy(x, y)
        pdf.cell(w, 6, text, align="C")

    at(20, 20, 75, "BỘ Y TẾ")
    at(20, 26, 75, "CỤC QUẢN LÝ DƯỢC")
    at(20, 34, 75, "Số: 17/TB-QLD")
    at(95, 20, 105, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    at(95, 26, 105, "Độc lập - Tự do - Hạnh phúc")
    at(95, 34, 105, "Hà Nội, ngày 09 tháng 02 năm 2021")
    at(20, 50, 180, "THÔNG BÁO")
    at(20, 56, 180, "Về việc thu hồi thuốc không đạt chất lượng")
    pdf.set_xy(30, 70)
    pdf.multi_cell(160, 6, "Cục Quản lý Dược thông báo việc thu hồi lô thuốc không đạt tiêu chuẩn chất lượng. " * 3)
    at(20, 120, 60, "Nơi nhận:")
    at(110, 120, 80, "KT. CỤC TRƯỞNG")
    at(110, 126, 80, "PHÓ CỤC TRƯỞNG")
    at(110, 150, 80, "Trần Văn Bình")
    path = tmp_path / "laid-out.pdf"
    pdf.output(str(path))
    return path


def test_born_digital_pdf_with_columns(laid_out_pdf: Path) -> None:
    pages = words_from_pdf_text_layer(laid_out_pdf)
    assert pages[0].has_boxes
    ex = extract_file(laid_out_pdf)
    assert ex.born_digital
    assert (ex.issuing_agency, ex.parent_agency) == ("CỤC QUẢN LÝ DƯỢC", "BỘ Y TẾ")
    assert (ex.reference, ex.issued_date, ex.issued_place) == ("17/TB-QLD", "2021-02-09", "Hà Nội")
    assert ex.document_type == "Thông báo"
    assert ex.summary == "Về việc thu hồi thuốc không đạt chất lượng"
    assert (ex.signer_authority, ex.signer_title, ex.signer_name) == ("KT. CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG", "Trần Văn Bình")
