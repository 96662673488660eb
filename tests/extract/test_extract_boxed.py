"""Extraction from word boxes (hOCR / TSV / PDF text layer): columns are separated by x."""

from __future__ import annotations

import random

from ingest.extract import Line, PageText, Word, extract_fields
from tests.extract.helpers import LINE_H, PAGE_W, boxed_line, boxed_page, centred

LEFT, RIGHT, MID = 0.27 * PAGE_W, 0.69 * PAGE_W, 0.5 * PAGE_W
BODY_X = 350.0


def _body(y: float, n: int) -> list[tuple[float, list[tuple[float, str]]]]:
    text = "Cơ quan, tổ chức thực hiện nghiêm túc các quy định về công tác văn thư và lưu trữ tài liệu điện tử."
    return [(y + i * 75, [(BODY_X + (150 if i == 0 else 0), text)]) for i in range(n)]


def first_page() -> PageText:
    """A decision whose header OCR ran the two columns together on every line."""
    rows = [
        (230, [centred("BỘ NỘI VỤ", LEFT), centred("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", RIGHT)]),
        (305, [centred("CỤC VĂN THƯ VÀ LƯU TRỮ", LEFT), centred("Độc lập - Tự do - Hạnh phúc", RIGHT)]),
        (390, [centred("NHÀ NƯƠC", LEFT), centred("Hà Nội, ngày 13 tháng 3 năm 2023", RIGHT)]),
        (480, [centred("Số: 2736/CT-VTLTNN", LEFT)]),
        (570, [centred("MẬT", LEFT)]),
        (640, [centred("CHỈ THỊ", MID)]),
        (715, [centred("Về việc triển khai Nền tảng lưu trữ số và chia sẻ dữ", MID)]),
        (790, [centred("liệu dùng chung", MID)]),
        *_body(900, 8),
    ]
    return boxed_page(rows)


def last_page() -> PageText:
    rows = [
        *_body(250, 4),
        (600, [(BODY_X, "Nơi nhận:"), centred("KT. CỤC TRƯỞNG", 0.72 * PAGE_W)]),
        (675, [(BODY_X, "- Như trên;"), centred("PHÓ CỤC TRƯỞNG", 0.72 * PAGE_W)]),
        (750, [(BODY_X, "- Lưu: VT, VP.")]),
        (820, [centred("~ ,;/", 0.70 * PAGE_W)]),
        (1000, [centred("Hồ Thanh Yến", 0.72 * PAGE_W)]),
    ]
    return boxed_page(rows)


def test_interleaved_columns_are_separated_by_x() -> None:
    ex = extract_fields([first_page(), last_page()])
    assert ex.issuing_agency == "CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC"
    assert ex.parent_agency == "BỘ NỘI VỤ"
    assert ex.reference == "2736/CT-VTLTNN"
    assert ex.issued_date == "2023-03-13" and ex.issued_place == "Hà Nội"
    assert ex.document_type == "Chỉ thị"
    assert ex.confidentiality == "MẬT"
    assert ex.summary == "Về việc triển khai Nền tảng lưu trữ số và chia sẻ dữ liệu dùng chung"
    assert (ex.signer_authority, ex.signer_title, ex.signer_name) == ("KT. CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG", "Hồ Thanh Yến")
    assert ex.page_count == 2


def test_abstract_stops_where_the_justified_body_starts() -> None:
    ex = extract_fields([first_page()])
    assert "Cơ quan" not in (ex.summary or "")


def test_skewed_scan_with_shuffled_line_order() -> None:
    """A 1° skew moves y across a line and engines emit blocks in odd orders; boxes still tell."""
    rng = random.Random(4)
    pages = []
    for page in (first_page(), last_page()):
        lines = []
        for line in page.lines:
            words = tuple(Word(w.text, w.x0, w.y0 + 0.017 * w.x0, w.x1, w.y1 + 0.017 * w.x0, w.conf) for w in line.words)
            lines.append(Line.from_words(words))
        rng.shuffle(lines)
        pages.append(PageText(tuple(lines), page.width, page.height))
    ex = extract_fields(pages)
    assert ex.issuing_agency == "CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC"
    assert ex.reference == "2736/CT-VTLTNN"
    assert ex.issued_date == "2023-03-13"
    assert ex.signer_name == "Hồ Thanh Yến"


def test_cong_van_abstract_in_the_left_column() -> None:
    rows = [
        (230, [centred("UBND TỈNH QUẢNG BÌNH", LEFT), centred("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", RIGHT)]),
        (305, [centred("SỞ THÔNG TIN VÀ TRUYỀN", LEFT), centred("Độc lập - Tự do - Hạnh phúc", RIGHT)]),
        (380, [centred("THÔNG", LEFT)]),
        (420, [centred("Quảng Bình, ngày 27 tháng 5 năm 2024", RIGHT)]),
        (480, [centred("Số: 122/STTTT-VP", LEFT)]),
        (550, [centred("V/v số hóa tài liệu lưu trữ", LEFT)]),
        (620, [centred("của cơ quan", LEFT)]),
        (700, [centred("HỎA TỐC", LEFT)]),
        (800, [centred("Kính gửi: Các sở, ban, ngành", MID)]),
        *_body(900, 6),
    ]
    ex = extract_fields([boxed_page(rows), last_page()])
    assert ex.document_type == "Công văn"
    assert ex.summary == "V/v số hóa tài liệu lưu trữ của cơ quan"
    assert ex.issuing_agency == "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
    assert ex.parent_agency == "UBND TỈNH QUẢNG BÌNH"
    assert ex.urgency == "HỎA TỐC"
    assert ex.reference == "122/STTTT-VP"


def test_unreadable_agency_line_is_completed_only_when_the_abbreviation_agrees() -> None:
    def page(ref: str) -> PageText:
        rows = [
            (230, [centred("BỘ NỘI VỤ", LEFT), centred("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", RIGHT)]),
            (305, [centred("CỤC VĂN THƯ VÀ LƯU TRỮ", LEFT), centred("Độc lập - Tự do - Hạnh phúc", RIGHT)]),
            (390, [centred("8l.", LEFT), centred("Hà Nội, ngày 13 tháng 3 năm 2023", RIGHT)]),
            (480, [centred(f"Số: {ref}", LEFT)]),
            (640, [centred("CHỈ THỊ", MID)]),
        ]
        return boxed_page(rows)

    assert extract_fields([page("27/CT-VTLTNN")]).issuing_agency == "CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC"
    assert extract_fields([page("27/CT-XYZ")]).issuing_agency != "CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC"


def test_low_ocr_confidence_sends_fields_to_review() -> None:
    rows = [
        (230, [centred("BỘ Y TẾ", LEFT), centred("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", RIGHT)]),
        (305, [centred("Số: 12/BC-BYT", LEFT), centred("Độc lập - Tự do - Hạnh phúc", RIGHT)]),
        (390, [centred("Hà Nội, ngày 13 tháng 3 năm 2023", RIGHT)]),
        (640, [centred("BÁO CÁO", MID)]),
        (715, [centred("Về việc tiêm chủng", MID)]),
    ]
    sure = extract_fields([boxed_page(rows, conf=0.97)])
    unsure = extract_fields([boxed_page(rows, conf=0.3)])
    assert sure.reference == unsure.reference == "12/BC-BYT"
    assert "reference" not in sure.needs_review
    assert "reference" in unsure.needs_review
    assert unsure.confidence["reference"] < sure.confidence["reference"]


def test_flowed_text_layer_is_read_as_text() -> None:
    """A born-digital PDF whose text layer is one column at the margin: boxes carry no layout."""
    lines = ["ỦY BAN NHÂN DÂN TỈNH THỪA", "THIÊN HUẾ", "Số: 1905/KH-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
             "Độc lập - Tự do - Hạnh phúc", "Thừa Thiên Huế, ngày 31 tháng 01 năm 2016", "KẾ HOẠCH",
             "Về việc đánh giá mức độ hài lòng của người dân", "Gồm đại diện lãnh đạo, công chức của các đơn vị."]
    page = PageText(tuple(boxed_line([(63, t)], 52 + i * LINE_H) for i, t in enumerate(lines)), 595, 842)
    ex = extract_fields([page], born_digital=True)
    assert ex.issuing_agency == "ỦY BAN NHÂN DÂN TỈNH THỪA THIÊN HUẾ"
    assert ex.document_type == "Kế hoạch"
    assert ex.issued_place == "Thừa Thiên Huế"


def test_cong_van_abstract_centred_below_the_header() -> None:
    rows = [
        (230, [centred("BỘ Y TẾ", LEFT), centred("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", RIGHT)]),
        (305, [centred("Số: 88/BYT-KHTC", LEFT), centred("Độc lập - Tự do - Hạnh phúc", RIGHT)]),
        (390, [centred("Hà Nội, ngày 3 tháng 4 năm 2022", RIGHT)]),
        (520, [centred("V/v bổ sung kinh phí thực hiện nhiệm vụ chuyển đổi số", MID)]),
        (620, [centred("Kính gửi: Bộ Tài chính", MID)]),
        *_body(720, 5),
    ]
    ex = extract_fields([boxed_page(rows)])
    assert ex.document_type == "Công văn"
    assert ex.summary == "V/v bổ sung kinh phí thực hiện nhiệm vụ chuyển đổi số"
