"""Whole-document extraction from box-less text, as an OCR layer or pdftotext would give it."""

from __future__ import annotations

from ingest.extract import ExtractSettings, extract_fields
from tests.extract.helpers import text_pages

CLEAN = """\
BỘ NỘI VỤ
CỤC VĂN THƯ VÀ LƯU TRỮ
NHÀ NƯỚC
Số: 15/QĐ-VTLTNN
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hà Nội, ngày 05 tháng 01 năm 2020
QUYẾT ĐỊNH
Về việc ban hành Quy chế quản lý, khai thác cơ sở dữ liệu
CỤC TRƯỞNG CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC
Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Quy chế quản lý, khai thác cơ sở dữ liệu.
Nơi nhận:
- Như Điều 3;
- Lưu: VT, VP.
KT. CỤC TRƯỞNG
PHÓ CỤC TRƯỞNG
Nguyễn Văn An
"""


def test_clean_decision() -> None:
    ex = extract_fields(text_pages(CLEAN), born_digital=True)
    assert ex.document_type == "Quyết định"
    assert (ex.reference, ex.number, ex.symbol) == ("15/QĐ-VTLTNN", "15", "QĐ-VTLTNN")
    assert ex.issued_date == "2020-01-05"
    assert ex.issued_place == "Hà Nội"
    assert ex.issuing_agency == "CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC"
    assert ex.parent_agency == "BỘ NỘI VỤ"
    assert ex.summary == "Về việc ban hành Quy chế quản lý, khai thác cơ sở dữ liệu"
    assert (ex.signer_authority, ex.signer_title, ex.signer_name) == ("KT. CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG", "Nguyễn Văn An")
    assert ex.confidentiality is None and ex.urgency is None
    assert ex.page_count == 1 and ex.language == "vi"
    assert ex.needs_review == []


def test_interleaved_header_wrong_diacritics_and_lookalikes() -> None:
    page = """\
UBND THÀNH PHỐ HỒ CHÍ    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
MINH    Đôc lập - Tư do - Hanh phúc
SƠ NỌI VỤ    Thành phố Hồ Chí Minh, ngay 18 thang 9 nam 2O23
Sô: 24O6 / SNV - VTLT
V/V ban hành Quy chế quản lý,
khai thác cơ sở dữ liệu
KHẨN
Kính gửi: Các đơn vị thuộc Sở
Được sự tài trợ của Ngân hàng Thế giới và hợp tác với khu vực tư nhân, Rwanda đã đưa ra sáng kiến.
Nơi nhận:    KT. GIÁM ĐỐC
- Như trên;    PHÓ GIÁM ĐỐC
- Lưu: VT.
Ngô Thu Hải
"""
    ex = extract_fields(text_pages(page))
    assert ex.document_type == "Công văn"
    assert ex.reference == "2406/SNV-VTLT"
    assert ex.issued_date == "2023-09-18"
    assert ex.issued_place == "Thành phố Hồ Chí Minh"
    assert ex.issuing_agency == "SỞ NỘI VỤ"
    assert ex.parent_agency == "UBND THÀNH PHỐ HỒ CHÍ MINH"
    assert ex.summary == "V/v ban hành Quy chế quản lý, khai thác cơ sở dữ liệu"
    assert ex.urgency == "KHẨN" and ex.confidentiality is None
    assert (ex.signer_authority, ex.signer_title, ex.signer_name) == ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Ngô Thu Hải")


def test_right_block_first_and_broken_abstract() -> None:
    page = """\
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Bình, ngày 09 tháng 6 năm 2018
ỦY BAN NHÂN DÂN
TỈNH QUẢNG BÌNH
Số: 2568/2018/TT-UBND
TỐI MẬT
THÔNG TƯ
Về việc đánh giá mức độ hài lòng
của người dân
Thực hiện chỉ đạo của Thủ tướng Chính phủ, Ủy ban nhân dân tỉnh hướng dẫn như sau.
Nơi nhận:
- Như trên;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Bùi Hữu Nam
"""
    ex = extract_fields(text_pages(page))
    assert ex.document_type == "Thông tư"
    assert (ex.reference, ex.number, ex.symbol) == ("2568/2018/TT-UBND", "2568", "TT-UBND")
    assert ex.issuing_agency == "ỦY BAN NHÂN DÂN TỈNH QUẢNG BÌNH"
    assert ex.parent_agency is None
    assert ex.summary == "Về việc đánh giá mức độ hài lòng của người dân"
    assert ex.confidentiality == "TỐI MẬT"
    assert (ex.signer_authority, ex.signer_title) == ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")


def test_lowercase_abbreviations_are_restored_from_the_type_line() -> None:
    page = """\
SỞ NỘI VỤ
Số: 12/QYĐ-SNV
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hà Nội, ngày 12 tháng 3 năm 2021
QUY ĐỊNH
Về việc quản lý tài liệu lưu trữ
"""
    ex = extract_fields(text_pages(page))
    assert ex.document_type == "Quy định"
    assert ex.reference == "12/QyĐ-SNV"
    assert ex.symbol == "QyĐ-SNV"


def test_to_trinh_with_upper_cased_ttr() -> None:
    page = "SỞ NỘI VỤ\nSố: 1935/TTR-SNV\nHà Nội, ngày 06 tháng 01 năm 2018\nTỜ TRÌNH\nVề việc triển khai hệ thống"
    ex = extract_fields(text_pages(page))
    assert ex.document_type == "Tờ trình"
    assert ex.reference == "1935/TTr-SNV"


def test_missing_hyphen_and_d_for_dj() -> None:
    page = "BỘ NỘI VỤ\nSố: 576/QDVTLT\nHà Nội, ngày 18 tháng 12 năm 2017\nQUYẾT ĐỊNH\nVề việc nộp lưu hồ sơ"
    ex = extract_fields(text_pages(page))
    assert ex.reference == "576/QĐ-VTLT"


def test_issuer_abbreviation_checked_against_the_agency_name() -> None:
    page = "BỘ GIAO THÔNG VẬN TẢI\nSố: 1511/BC-BGTVI\nHà Nội, ngày 03 tháng 11 năm 2016\nBÁO CÁO\nVề việc sử dụng chữ ký số"
    ex = extract_fields(text_pages(page))
    assert ex.reference == "1511/BC-BGTVT"
    assert any("BGTVI" in w for w in ex.warnings)


def test_type_line_and_abbreviation_disagree_is_flagged() -> None:
    page = "SỞ Y TẾ\nSố: 10/KH-SYT\nHà Nội, ngày 03 tháng 11 năm 2016\nBÁO CÁO\nVề việc tiêm chủng"
    ex = extract_fields(text_pages(page))
    assert ex.document_type == "Báo cáo"
    assert "document_type" in ex.needs_review
    assert ex.warnings


def test_vv_without_type_line_is_cong_van() -> None:
    page = "BỘ Y TẾ\nSố: 88/BYT-KHTC\nV/v bổ sung kinh phí\nHà Nội, ngày 3 tháng 4 năm 2022\nKính gửi: Bộ Tài chính"
    ex = extract_fields(text_pages(page))
    assert ex.document_type == "Công văn"
    assert ex.summary == "V/v bổ sung kinh phí"


def test_impossible_date_is_null_and_reviewed() -> None:
    page = "BỘ Y TẾ\nSố: 88/BYT-KHTC\nV/v bổ sung kinh phí\nHà Nội, ngày 31 tháng 02 năm 2022\n"
    ex = extract_fields(text_pages(page))
    assert ex.issued_date is None
    assert "issued_date" in ex.needs_review
    assert any("does not exist" in w for w in ex.warnings)


def test_missing_fields_are_null_never_guessed() -> None:
    ex = extract_fields(text_pages("Một đoạn văn bản không có thể thức hành chính nào cả, chỉ là nội dung."))
    for name in ("document_type", "reference", "number", "symbol", "issued_date", "issued_place", "issuing_agency",
                 "parent_agency", "summary", "signer_name", "signer_title", "signer_authority",
                 "confidentiality", "urgency"):
        assert getattr(ex, name) is None, name
    assert ex.confidence["reference"] == 0.0
    assert "reference" in ex.needs_review


def test_review_threshold_is_configurable() -> None:
    page = "SƠ NỌI VỤ\nSố: 12/KH-SNV\nHà Nội, ngày 12 tháng 3 năm 2021\nKẾ HOẠCH\nVề việc quản lý tài liệu"
    lenient = extract_fields(text_pages(page), settings=ExtractSettings(review_threshold=0.0))
    strict = extract_fields(text_pages(page), settings=ExtractSettings(review_threshold=0.999))
    assert lenient.needs_review == []
    assert "issued_place" in strict.needs_review
    assert len(strict.needs_review) > len(lenient.needs_review)


def test_known_agencies_from_settings_repair_their_names() -> None:
    page = "TRUNG TAM LUU TRU TINH\nSố: 7/KH-TTLT\nHà Nội, ngày 12 tháng 3 năm 2021\nKẾ HOẠCH\nVề việc số hóa"
    plain = extract_fields(text_pages(page))
    known = extract_fields(text_pages(page), settings=ExtractSettings(known_agencies=("TRUNG TÂM LƯU TRỮ TỈNH",)))
    # Word pairs of known names restore "TRUNG TÂM LƯU TRỮ"; "TINH" (TỈNH? TÍNH?) stays as read.
    assert plain.issuing_agency == "TRUNG TÂM LƯU TRỮ TINH"
    assert known.issuing_agency == "TRUNG TÂM LƯU TRỮ TỈNH"


def test_document_info_fills_and_corroborates() -> None:
    page = "SỞ NỘI VỤ\nSố: 12/KH-SNV\nHà Nội, ngày 12 tháng 3 năm 2021\nKẾ HOẠCH\n"
    ex = extract_fields(text_pages(page), born_digital=True,
                        metadata={"title": "Về việc quản lý tài liệu", "author": "Sở Nội vụ"})
    assert ex.summary == "Về việc quản lý tài liệu"
    assert ex.confidence["issuing_agency"] >= 0.97


def test_signature_found_on_a_page_of_its_own() -> None:
    body = "Nội dung trang một.\n" * 3
    last = "Nơi nhận:\n- Như trên;\n- Lưu: VT.\nQ. GIÁM ĐỐC\nHoàng Thị Oanh"
    page1 = "SỞ Y TẾ\nSố: 5/TB-SYT\nHà Nội, ngày 3 tháng 4 năm 2022\nTHÔNG BÁO\nVề việc nghỉ lễ\n" + body
    ex = extract_fields(text_pages(page1, body, last))
    assert ex.page_count == 3
    assert (ex.signer_authority, ex.signer_title, ex.signer_name) == ("Q. GIÁM ĐỐC", "Q. GIÁM ĐỐC", "Hoàng Thị Oanh")


def test_agency_read_even_without_a_so_line() -> None:
    page = "BỘ TÀI CHÍNH\nTỔNG CỤC THUẾ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nHà Nội, ngày 3 tháng 4 năm 2022\nTHÔNG BÁO\nVề việc nộp thuế"
    ex = extract_fields(text_pages(page))
    assert (ex.issuing_agency, ex.parent_agency) == ("TỔNG CỤC THUẾ", "BỘ TÀI CHÍNH")
    assert ex.reference is None and "reference" in ex.needs_review


def test_json_contract_keys() -> None:
    ex = extract_fields(text_pages(CLEAN))
    keys = list(ex.to_dict())
    assert keys == ["document_type", "reference", "number", "symbol", "issued_date", "issued_place", "issuing_agency",
                    "parent_agency", "summary", "signer_name", "signer_title", "signer_authority", "confidentiality",
                    "urgency", "page_count", "language", "confidence"]
    assert set(ex.to_dict()["confidence"]) == set(keys[:-1])
    assert {"needs_review", "warnings"} <= set(ex.to_dict(include_review=True))
