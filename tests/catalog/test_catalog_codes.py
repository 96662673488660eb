"""The code lists carry the official codes, in order, each with a Vietnamese and an English label."""

from __future__ import annotations

import pytest

from archive.catalog import codes
from archive.catalog.codes import (
    CODE_LISTS,
    BatchItemState,
    ConfidenceLevel,
    Confidentiality,
    EventType,
    Language,
    Maintenance,
    Mode,
    PhysicalCondition,
    SignerAuthority,
    TypeName,
    Urgency,
)

ND30_ABBREVIATIONS = {
    "Nghị quyết": "NQ", "Quyết định": "QĐ", "Chỉ thị": "CT", "Quy chế": "QC", "Quy định": "QyĐ",
    "Thông cáo": "TC", "Thông báo": "TB", "Hướng dẫn": "HD", "Chương trình": "CTr", "Kế hoạch": "KH",
    "Phương án": "PA", "Đề án": "ĐA", "Dự án": "DA", "Báo cáo": "BC", "Tờ trình": "TTr",
    "Giấy ủy quyền": "GUQ", "Phiếu gửi": "PG", "Phiếu chuyển": "PC", "Phiếu báo": "PB", "Biên bản": "BB",
    "Hợp đồng": "HĐ", "Công điện": "CĐ", "Bản ghi nhớ": "BGN", "Bản thỏa thuận": "BTT", "Giấy mời": "GM",
    "Giấy giới thiệu": "GGT", "Giấy nghỉ phép": "GNP",
}
"""ND 30/2020 Phụ lục III, as quoted in standards.md §1.1.1."""


@pytest.mark.parametrize("code_list", CODE_LISTS.values(), ids=list(CODE_LISTS))
def test_every_code_has_vietnamese_and_english_labels(code_list: type[codes.CodeEnum]) -> None:
    for member in code_list:
        assert member.vi.strip() and member.en.strip(), member
        assert member.label("vi") == member.vi and member.label("en") == member.en
    assert len({m.vi for m in code_list}) == len(code_list), "Vietnamese labels must tell codes apart"


@pytest.mark.parametrize(("code_list", "count"), [
    (Maintenance, 7), (Mode, 3), (Language, 11), (PhysicalCondition, 3), (ConfidenceLevel, 3), (TypeName, 32),
])
def test_tt05_lists_are_numbered_01_to_n(code_list: type[codes.CodeEnum], count: int) -> None:
    assert code_list.codes() == tuple(f"{n:02d}" for n in range(1, count + 1))


def test_type_names_carry_the_nd30_abbreviations() -> None:
    assert len(TypeName) == 32
    assert TypeName("02").vi == "Quyết định" and TypeName("02").mark == "QĐ"
    assert TypeName("22").vi == "Công văn" and TypeName("22").mark is None
    assert TypeName("29").vi == "Thư công" and TypeName("29").mark is None
    assert TypeName("32").vi == "Khác"
    assert {t.vi: t.mark for t in TypeName if t.mark} == ND30_ABBREVIATIONS


def test_tt05_labels() -> None:
    assert Maintenance.PERMANENT.vi == "Vĩnh viễn" and Maintenance("02").vi == "70 năm"
    assert Mode("02").vi == "Sử dụng có điều kiện"
    assert Language("09").vi == "Hán Nôm"
    assert ConfidenceLevel("02").vi == "Số hóa"
    assert PhysicalCondition("03").vi == "Hỏng"


def test_secrecy_urgency_and_authority_marks() -> None:
    assert [c.mark for c in Confidentiality] == ["MẬT", "TỐI MẬT", "TUYỆT MẬT"]
    assert [u.mark for u in Urgency] == ["KHẨN", "THƯỢNG KHẨN", "HỎA TỐC"]
    assert [a.mark for a in SignerAuthority] == ["TM.", "Q.", "KT.", "TL.", "TUQ."]


def test_premis_event_types_are_the_loc_vocabulary() -> None:
    assert len(EventType) == 50
    for code, label in [("ing", "ingestion"), ("mes", "message digest calculation"), ("vir", "virus check"),
                        ("for", "format identification"), ("val", "validation"), ("nor", "normalization"),
                        ("fix", "fixity check"), ("rep", "replication"), ("ipc", "information package creation"),
                        ("del", "deletion"), ("mig", "migration"), ("tra", "transfer"), ("cap", "capture"),
                        ("mee", "metadata extraction")]:
        event_type = EventType(code)
        assert event_type.en == label
        assert event_type.uri == f"http://id.loc.gov/vocabulary/preservation/eventType/{code}"


def test_batch_item_states() -> None:
    assert list(BatchItemState.codes()) == [
        "received", "virus_checked", "identified", "validated", "signatures_checked", "normalised", "extracted", "stored",
        "packaged", "indexed", "archived", "duplicate", "failed", "quarantined"]
    assert BatchItemState.QUARANTINED.vi == "Đã cách ly"


def test_label_lookups() -> None:
    assert codes.label("maintenance", "01") == "Vĩnh viễn"
    assert codes.label("type_name", "02", "en") == "Decision"
    assert Maintenance.label_of("06", "en") == "10 years"
    assert TypeName.lookup("QUYẾT ĐỊNH") is TypeName.QUYET_DINH
    assert TypeName.lookup("QĐ") is TypeName.QUYET_DINH
    assert Confidentiality.lookup("tối mật") is Confidentiality.TOI_MAT
    assert SignerAuthority.lookup("KT.") is SignerAuthority.KY_THAY
    assert Mode.lookup("Mặt") is None, "diacritics distinguish words and are never folded away"
    assert Maintenance.is_valid("07") and not Maintenance.is_valid("08") and not Maintenance.is_valid(1)
    with pytest.raises(ValueError, match="not a code of Maintenance"):
        Maintenance.label_of("99")
    with pytest.raises(ValueError, match="not a code list"):
        codes.label("colour", "01")


def test_codes_are_plain_strings() -> None:
    assert Maintenance.PERMANENT == "01" and f"{Maintenance.PERMANENT}" == "01"
    assert Maintenance.choices("en")[0] == ("01", "Permanent")
