"""Agency block grouping and repair; signature block reading."""

from __future__ import annotations

import pytest

from ingest.extract.agency import Body, agency_index, canonical_agency, read_agencies
from ingest.extract.layout import Seg
from ingest.extract.model import Word
from ingest.extract.signer import parse_block
from ingest.extract.wordfix import PhraseVocab


def segs(*lines: str, conf: float = 0.95) -> list[Seg]:
    return [Seg(tuple(Word(t, 0, 0, 0, 0, conf) for t in line.split()), 0, i, False) for i, line in enumerate(lines)]


@pytest.mark.parametrize(
    ("lines", "agency", "parent"),
    [
        (["UBND THÀNH PHỐ HỒ CHÍ", "MINH", "SỞ NỘI VỤ"], "SỞ NỘI VỤ", "UBND THÀNH PHỐ HỒ CHÍ MINH"),
        (["ỦY BAN NHÂN DÂN TỈNH THỪA", "THIÊN HUẾ"], "ỦY BAN NHÂN DÂN TỈNH THỪA THIÊN HUẾ", None),
        (["BỘ NỘI VỤ", "CỤC VĂN THƯ VÀ LƯU TRỮ", "NHÀ NƯỚC"], "CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC", "BỘ NỘI VỤ"),
        (["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG BÌNH"], "ỦY BAN NHÂN DÂN TỈNH QUẢNG BÌNH", None),
        (["BỘ TÀI NGUYÊN VÀ MÔI", "TRƯỜNG"], "BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG", None),
        (["ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH", "SỞ Y TẾ"], "SỞ Y TẾ", "ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH"),
        (["SỞ GIÁO DỤC VÀ", "ĐÀO TẠO"], "SỞ GIÁO DỤC VÀ ĐÀO TẠO", None),
        (["UBND HUYỆN LỆ THỦY", "PHÒNG NỘI VỤ"], "PHÒNG NỘI VỤ", "UBND HUYỆN LỆ THỦY"),
        (["SƠ NỌI VỤ"], "SỞ NỘI VỤ", None),
        (["BỘ THOÔNG TÌTN VÀ", "TRUYÊN THÔNG"], "BỘ THÔNG TIN VÀ TRUYỀN THÔNG", None),
        (["UBND HUYEN NAM DÀN"], "UBND HUYỆN NAM DÀN", None),
    ],
)
def test_bodies_and_repairs(lines: list[str], agency: str, parent: str | None) -> None:
    result = read_agencies(segs(*lines), agency_index(), None)
    assert (result.agency, result.parent) == (agency, parent)


def test_a_different_proper_noun_is_never_substituted() -> None:
    name, _ = canonical_agency(Body("ỦY BAN NHÂN DÂN THÀNH PHỐ BẢO LÔC", 0.9), agency_index(), "UBND")
    assert name == "ỦY BAN NHÂN DÂN THÀNH PHỐ BẢO LÔC"


def test_lost_issuer_recovered_from_its_abbreviation_only_when_unique() -> None:
    lines = segs("UBND TỈNH QUẢNG BÌNH", "TH VyIYVU", conf=0.6)
    assert read_agencies(lines, agency_index(), "STTTT").agency == "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
    # SNV is both Sở Nội vụ and Sở Ngoại vụ: no guess.
    assert read_agencies(lines, agency_index(), "SNV").agency is None


def test_word_pairs_restore_only_confirmed_spellings() -> None:
    vocab = PhraseVocab.build(["THÀNH PHỐ HỒ CHÍ MINH", "VIỆN KHOA HỌC"])
    assert vocab.fix("HỒ CHI MINH") == ("HỒ CHÍ MINH", 1)
    assert vocab.fix("VIEN CHỨC") == ("VIEN CHỨC", 0)


@pytest.mark.parametrize(
    ("lines", "authority", "title", "name"),
    [
        (["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Nguyễn Văn An"], "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Nguyễn Văn An"),
        (["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Lê Thị Hà"], "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Lê Thị Hà"),
        (["TL. BỘ TRƯỞNG", "CHÁNH VĂN PHÒNG", "Trần Ngọc Cường"], "TL. BỘ TRƯỞNG", "CHÁNH VĂN PHÒNG", "Trần Ngọc Cường"),
        (["TUQ. GIÁM ĐỐC", "TRƯỞNG PHÒNG", "Võ Minh Tâm"], "TUQ. GIÁM ĐỐC", "TRƯỞNG PHÒNG", "Võ Minh Tâm"),
        (["Q. GIÁM ĐỐC", "Hoàng Thị Oanh"], "Q. GIÁM ĐỐC", "Q. GIÁM ĐỐC", "Hoàng Thị Oanh"),
        (["CỤC TRƯỞNG", "Ngô Xuân Hùng"], "CỤC TRƯỞNG", "CỤC TRƯỞNG", "Ngô Xuân Hùng"),
        (["KT, CHU TICH", "PHO CHU TICH", "~ .", "Ho Van Long"], "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Hồ Van Long"),
        (["K.T. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "(đã ký)", "Đặng Thị Mai"], "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Đặng Thị Mai"),
        (["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Bùi Hữu Nam"],
         "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Bùi Hữu Nam"),
        (["PHÓ CHÁNH VĂN PHÒNG", "THƯỜNG TRỰC", "Lý Kim An"], "PHÓ CHÁNH VĂN PHÒNG THƯỜNG TRỰC",
         "PHÓ CHÁNH VĂN PHÒNG THƯỜNG TRỰC", "Lý Kim An"),
    ],
)
def test_signature_blocks(lines: list[str], authority: str, title: str, name: str) -> None:
    sig = parse_block(segs(*lines))
    assert (sig.authority, sig.title, sig.name) == (authority, title, name)


def test_no_name_without_a_position_above_it() -> None:
    sig = parse_block(segs("Nguyễn Văn An"))
    assert sig.name is None and sig.title is None
