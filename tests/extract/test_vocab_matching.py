"""Type lines, type abbreviations and stamps matched on folded, damaged text."""

from __future__ import annotations

import pytest

from ingest.extract.doctype import match_type_line, types_for_abbr
from ingest.extract.stamps import find_stamps, match_stamp
from ingest.extract.vocab import DOC_TYPES, DocType


@pytest.mark.parametrize("doc_type", [t for t in DOC_TYPES if t.name != "Công văn"], ids=lambda t: t.name)
def test_every_type_line_is_recognised_upper_case(doc_type: DocType) -> None:
    match = match_type_line(doc_type.name.upper())
    assert match is not None and match.doc_type == doc_type


@pytest.mark.parametrize(
    ("line", "name"),
    [("QUYET DINH", "Quyết định"), ("QUYẾT DỊNH", "Quyết định"), ("KÉ HOẠCH", "Kế hoạch"),
     ("BAO CAO", "Báo cáo"), ("THOÔNG BẢO", "Thông báo"), ("CHÍ THỊ", "Chỉ thị"), ("TỜ TRINH", "Tờ trình"),
     ("— BÁO CÁO |", "Báo cáo"), ("NGHI QUYET", "Nghị quyết"), ("GIAY UY QUYEN", "Giấy ủy quyền")],
)
def test_damaged_type_lines(line: str, name: str) -> None:
    match = match_type_line(line)
    assert match is not None and match.doc_type.name == name


@pytest.mark.parametrize("line", ["Về việc ban hành quy chế", "THƯỢNG KHẨN", "ỦY BAN NHÂN DÂN TỈNH", "THÔNG", "Báo cáo"])
def test_non_type_lines(line: str) -> None:
    assert match_type_line(line) is None


def test_abbreviations_match_case_and_d_insensitively_exact_first() -> None:
    assert [t.name for t in types_for_abbr("QyĐ")] == ["Quy định"]
    assert [t.name for t in types_for_abbr("QYD")] == ["Quy định"]
    assert [t.name for t in types_for_abbr("TTR")][0] == "Tờ trình"
    assert [t.name for t in types_for_abbr("HĐ")][0] == "Hợp đồng"
    assert [t.name for t in types_for_abbr("HD")][0] == "Hướng dẫn"
    assert types_for_abbr("UBND") == []


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [("MẬT", "MẬT", "confidentiality"), ("MAT", "MẬT", "confidentiality"), ("|TỐI MẬT|", "TỐI MẬT", "confidentiality"),
     ("TUYET MAT", "TUYỆT MẬT", "confidentiality"), ("KHẨN", "KHẨN", "urgency"), ("[KHAN]", "KHẨN", "urgency"),
     ("THUONG KHAN", "THƯỢNG KHẨN", "urgency"), ("HOẢ TỐC", "HỎA TỐC", "urgency"), ("HỎA TÓC", "HỎA TỐC", "urgency")],
)
def test_stamps(text: str, value: str, kind: str) -> None:
    hit = match_stamp(text)
    assert hit is not None and hit[:2] == (value, kind)


@pytest.mark.parametrize("text", ["mặt", "Mật khẩu", "bảo mật thông tin", "NHÂN", "MẶT TRẬN TỔ QUỐC", "KHAM"])
def test_words_that_are_not_stamps(text: str) -> None:
    assert match_stamp(text) is None


def test_a_damaged_long_stamp_is_not_read_as_its_last_word() -> None:
    assert find_stamps(["TỐl MẬT"]) == {"confidentiality": ("TỐI MẬT", pytest.approx(0.857, abs=0.01))}


def test_two_stamps_on_one_line() -> None:
    found = find_stamps(["MẬT HỎA TỐC"])
    assert found["confidentiality"][0] == "MẬT"
    assert found["urgency"][0] == "HỎA TỐC"
