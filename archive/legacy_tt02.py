"""Legacy import profile: catalogue spreadsheets exported from systems built on TT 02/2019/TT-BNV.

TT 05/2025 repealed TT 02/2019, but data created under it "is kept until converted" (TT 05 Điều 51),
and agencies' old systems export their catalogues with TT 02 column names. This profile maps those
names onto the TT 05 fields the catalogue reader validates, and the TT 02 wording of two code lists
onto TT 05 codes. The TT 02 annex was not retrieved; the column list is the one reconstructed in
``standards.md`` §1.3 from several implementations. Columns the archive determines itself (the
composite identifiers, counts, the reliability level) are reported as not imported rather than guessed at.
"""

from __future__ import annotations

import unicodedata

from search.folding import fold as search_fold

# TT 02/2019 column (as printed in its annex) → TT 05/2025 field.
COLUMNS: dict[str, str] = {
    "Mã hồ sơ": "fileCode",
    "Tiêu đề hồ sơ": "title",
    "Thời hạn bảo quản": "maintenance",
    "Chế độ sử dụng": "mode",
    "Ngôn ngữ": "language",
    "Thời gian bắt đầu": "startDate",
    "Thời gian kết thúc": "endDate",
    "Số và ký hiệu hồ sơ": "fileNotation",
    "STT văn bản trong hồ sơ": "docOrdinal",
    "Tên loại": "typeName",
    "Tên loại văn bản": "typeName",
    "Số": "codeNumber",
    "Số văn bản": "codeNumber",
    "Ký hiệu": "codeNotation",
    "Ký hiệu văn bản": "codeNotation",
    "Ngày tháng năm": "issuedDate",
    "Ngày tháng năm văn bản": "issuedDate",
    "Cơ quan ban hành": "organName",
    "Tên cơ quan, tổ chức ban hành văn bản": "organName",
    "Trích yếu": "subject",
    "Trích yếu nội dung": "subject",
    "Số lượng trang": "numberOfPage",
    "Số trang": "numberOfPage",
    "Ghi chú": "description",
    "Ký hiệu thông tin": "inforSign",
    "Từ khóa": "keyword",
    "Bút tích": "autograph",
    "Tình trạng vật lý": "format",
}

NOT_IMPORTED = ("Mức độ tin cậy", "Mã định danh văn bản", "Mã lưu trữ", "Mã cơ quan lưu trữ", "Mã phông",
                "Mục lục số", "Tổng số văn bản", "Chú giải", "Số lượng tờ")
"""TT 02 columns the catalogue does not take: identifiers and counts the archive assigns or computes
itself, and the reliability level, which it sets from how the record was made (02 for a scan, 01 for a
born-digital file). Their values stay in the export."""

# TT 02 wording of the access code list → TT 05 ``mode`` codes ("Hạn chế" became "Sử dụng có điều kiện").
MODE_VALUES = {"công khai": "01", "hạn chế": "02", "hạn chế sử dụng": "02", "sử dụng có điều kiện": "02",
               "mật": "03"}
# "Lâu dài" (TT 02 era) has no TT 05 code of its own: it is "Khác" (07) until an archivist appraises it.
MAINTENANCE_VALUES = {"vĩnh viễn": "01", "lâu dài": "07"}


def fold(text: str) -> str:
    """Header matching ignores case, accents, đ and spacing, as exports from old systems are inconsistent."""
    return " ".join(search_fold(text).split())


_BY_FOLDED = {fold(name): field for name, field in COLUMNS.items()}
_NOT_IMPORTED = {fold(name) for name in NOT_IMPORTED}


def is_legacy(header: list[str]) -> bool:
    """A header is TT 02's when most of its columns are TT 02 names."""
    known = sum(1 for column in header if fold(column) in _BY_FOLDED or fold(column) in _NOT_IMPORTED)
    return known >= 2 and known * 2 >= len(header) - 1


def field_for(column: str) -> str | None:
    """The TT 05 field a TT 02 column maps to; None if TT 05 has none (or the column is not TT 02's)."""
    return _BY_FOLDED.get(fold(column))


def not_imported(column: str) -> bool:
    return fold(column) in _NOT_IMPORTED


def translate_value(field: str, value: str) -> str:
    """TT 02 wording of a coded value as TT 05 expects it; anything else is left for validation."""
    table = MODE_VALUES if field == "mode" else MAINTENANCE_VALUES if field == "maintenance" else None
    if table is None:
        return value
    return table.get(" ".join(unicodedata.normalize("NFC", value).casefold().split()), value)
