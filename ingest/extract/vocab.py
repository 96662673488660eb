"""The official vocabularies the parser matches OCR text against (ND 30/2020, TT 05/2025).

OCR damages diacritics and letters, but these vocabularies are closed: a type line can only be one
of the Điều 7 types, a stamp one of six, an authority prefix one of five. Matching on folded text
and restoring the canonical spelling from here is what makes damaged scans usable.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DocType:
    """A document type: how a person writes it, its ND 30 abbreviation and its TT 05 typeName code."""

    name: str
    abbr: str | None
    tt05_code: str
    #: Legal normative documents (VBQPPL) are outside ND 30 but arrive in the same registries.
    normative: bool = False


#: ND 30 Điều 7 + Phụ lục III, TT 05 typeName codes (standards.md §1.1.1, §1.2.5). The copy forms
#: (sao y, trích sao, sao lục) and the VBQPPL types have no TT 05 code of their own: "32 Khác".
DOC_TYPES: tuple[DocType, ...] = (
    DocType("Nghị quyết", "NQ", "01"),
    DocType("Quyết định", "QĐ", "02"),
    DocType("Chỉ thị", "CT", "03"),
    DocType("Quy chế", "QC", "04"),
    DocType("Quy định", "QyĐ", "05"),
    DocType("Thông cáo", "TC", "06"),
    DocType("Thông báo", "TB", "07"),
    DocType("Hướng dẫn", "HD", "08"),
    DocType("Chương trình", "CTr", "09"),
    DocType("Kế hoạch", "KH", "10"),
    DocType("Phương án", "PA", "11"),
    DocType("Đề án", "ĐA", "12"),
    DocType("Dự án", "DA", "13"),
    DocType("Báo cáo", "BC", "14"),
    DocType("Tờ trình", "TTr", "15"),
    DocType("Giấy ủy quyền", "GUQ", "16"),
    DocType("Phiếu gửi", "PG", "17"),
    DocType("Phiếu chuyển", "PC", "18"),
    DocType("Phiếu báo", "PB", "19"),
    DocType("Biên bản", "BB", "20"),
    DocType("Hợp đồng", "HĐ", "21"),
    DocType("Công văn", None, "22"),
    DocType("Công điện", "CĐ", "23"),
    DocType("Bản ghi nhớ", "BGN", "24"),
    DocType("Bản thỏa thuận", "BTT", "25"),
    DocType("Giấy mời", "GM", "26"),
    DocType("Giấy giới thiệu", "GGT", "27"),
    DocType("Giấy nghỉ phép", "GNP", "28"),
    DocType("Thư công", None, "29"),
    DocType("Bản đồ", None, "30"),
    DocType("Bản vẽ kỹ thuật", None, "31"),
    DocType("Bản sao y", "SY", "32"),
    DocType("Bản trích sao", "TrS", "32"),
    DocType("Bản sao lục", "SL", "32"),
    DocType("Thông tư", "TT", "32", normative=True),
    DocType("Thông tư liên tịch", "TTLT", "32", normative=True),
    DocType("Nghị định", "NĐ", "32", normative=True),
    DocType("Pháp lệnh", "PL", "32", normative=True),
    DocType("Luật", None, "32", normative=True),
)

CONG_VAN = next(t for t in DOC_TYPES if t.name == "Công văn")
TYPE_BY_NAME: dict[str, DocType] = {t.name: t for t in DOC_TYPES}
TT05_OTHER = "32"

#: Authority prefixes of the signature block (ND 30 PL I, box 7a): "thay mặt", "quyền", "ký thay",
#: "thừa lệnh", "thừa ủy quyền". TUQ before TL and TM so the longest prefix wins.
AUTHORITY_PREFIXES: tuple[str, ...] = ("TUQ.", "TM.", "KT.", "TL.", "Q.")

#: Độ mật and độ khẩn stamps (ND 30 PL I III.2), longest first so "TỐI MẬT" is not read as "MẬT".
CONFIDENTIALITY: tuple[str, ...] = ("TUYỆT MẬT", "TỐI MẬT", "MẬT")
URGENCY: tuple[str, ...] = ("THƯỢNG KHẨN", "HỎA TỐC", "KHẨN")

NATIONAL_MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_SLOGAN = "Độc lập - Tự do - Hạnh phúc"

_TITLE_BASES = (
    "BỘ TRƯỞNG", "THỨ TRƯỞNG", "CHỦ TỊCH", "GIÁM ĐỐC", "TỔNG GIÁM ĐỐC", "CỤC TRƯỞNG",
    "TỔNG CỤC TRƯỞNG", "CHI CỤC TRƯỞNG", "VỤ TRƯỞNG", "CHÁNH VĂN PHÒNG", "CHÁNH THANH TRA",
    "TRƯỞNG PHÒNG", "TRƯỞNG BAN", "VIỆN TRƯỞNG", "HIỆU TRƯỞNG", "CHỦ NHIỆM", "TỔNG THƯ KÝ",
    "THỦ TƯỚNG", "BÍ THƯ", "CHÁNH ÁN", "TỔNG KIỂM TOÁN", "THỐNG ĐỐC", "TRƯỞNG ĐOÀN",
    "TRƯỞNG KHOA", "KẾ TOÁN TRƯỞNG", "THƯ KÝ", "CHỦ TỊCH HỘI ĐỒNG", "TRƯỞNG TRẠM",
)
#: Signer positions (chức vụ) as printed in signature blocks, with their deputies ("PHÓ …").
SIGNER_TITLES: tuple[str, ...] = (
    *_TITLE_BASES, *(f"PHÓ {base}" for base in _TITLE_BASES),
    "THỨ TRƯỞNG THƯỜNG TRỰC", "PHÓ CHỦ TỊCH THƯỜNG TRỰC", "PHÓ CHÁNH VĂN PHÒNG THƯỜNG TRỰC",
)

#: Bodies a "TM." (on behalf of) line names, besides agency names and positions.
COLLECTIVE_BODIES: tuple[str, ...] = (
    "ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "CHÍNH PHỦ", "BAN THƯỜNG VỤ", "BAN CHẤP HÀNH", "HỘI ĐỒNG",
    "BAN CHỈ ĐẠO", "THƯỜNG TRỰC HỘI ĐỒNG NHÂN DÂN", "BAN GIÁM ĐỐC", "HỘI ĐỒNG QUẢN TRỊ", "ĐOÀN CHỦ TỊCH",
    "BAN TỔ CHỨC", "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG", "ĐẢNG ỦY", "BAN CHỈ HUY", "TẬP THỂ LÃNH ĐẠO",
)
#: Words that open an agency name in the header block: a new line starting with one of these is a
#: new body (the parent or the issuer), any other line continues the name above it.
AGENCY_HEADS: tuple[str, ...] = (
    "BỘ", "UBND", "ỦY BAN", "HĐND", "HỘI ĐỒNG", "SỞ", "CỤC", "TỔNG CỤC", "CHI CỤC", "VỤ", "VIỆN",
    "HỌC VIỆN", "TRUNG TÂM", "VĂN PHÒNG", "BAN", "PHÒNG", "THANH TRA", "KHO BẠC", "NGÂN HÀNG",
    "TRƯỜNG", "ĐẠI HỌC", "BỆNH VIỆN", "CÔNG TY", "TẬP ĐOÀN", "TỔNG CÔNG TY", "TÒA ÁN", "VIỆN KIỂM SÁT",
    "BẢO HIỂM XÃ HỘI", "CÔNG AN", "BỘ CHỈ HUY", "ĐẢNG ỦY", "TỈNH ỦY", "THÀNH ỦY", "HUYỆN ỦY",
    "CHÍNH PHỦ", "QUỐC HỘI", "THỦ TƯỚNG", "ĐÀI", "BÁO", "TẠP CHÍ", "NHÀ XUẤT BẢN", "QUỸ",
    "KIỂM TOÁN", "CHI NHÁNH", "ĐOÀN", "LIÊN ĐOÀN", "HỘI", "ĐỘI", "TRẠM", "HẠT", "THÔNG TẤN XÃ",
)

#: Common pieces of agency and position names beyond the listed agencies: they confirm word
#: pairs when restoring diacritics (see `wordfix`), e.g. "UBND HUYEN" → "UBND HUYỆN".
AGENCY_PHRASES: tuple[str, ...] = (
    "ỦY BAN NHÂN DÂN HUYỆN", "ỦY BAN NHÂN DÂN QUẬN", "ỦY BAN NHÂN DÂN THỊ XÃ", "ỦY BAN NHÂN DÂN XÃ",
    "ỦY BAN NHÂN DÂN PHƯỜNG", "ỦY BAN NHÂN DÂN THỊ TRẤN", "ỦY BAN NHÂN DÂN THÀNH PHỐ", "UBND HUYỆN",
    "UBND QUẬN", "UBND THỊ XÃ", "UBND XÃ", "UBND PHƯỜNG", "UBND THỊ TRẤN", "UBND THÀNH PHỐ", "UBND TỈNH",
    "HĐND HUYỆN", "HĐND XÃ", "HĐND TỈNH", "HỘI ĐỒNG NHÂN DÂN HUYỆN", "HỘI ĐỒNG NHÂN DÂN XÃ",
    "CHI CỤC THUẾ", "CHI CỤC KIỂM LÂM", "CHI CỤC THỦY LỢI", "CHI CỤC THỐNG KÊ", "CHI CỤC BẢO VỆ THỰC VẬT",
    "TRƯỜNG ĐẠI HỌC", "TRƯỜNG CAO ĐẲNG", "TRƯỜNG TRUNG HỌC PHỔ THÔNG", "TRƯỜNG TRUNG HỌC CƠ SỞ",
    "TRƯỜNG TIỂU HỌC", "TRƯỜNG MẦM NON", "BỆNH VIỆN ĐA KHOA", "TRUNG TÂM Y TẾ", "TRUNG TÂM DỊCH VỤ VIỆC LÀM",
    "TRUNG TÂM PHÁT TRIỂN QUỸ ĐẤT", "TRUNG TÂM KIỂM SOÁT BỆNH TẬT", "TRUNG TÂM CÔNG NGHỆ THÔNG TIN",
    "TRUNG TÂM HÀNH CHÍNH CÔNG", "BAN QUẢN LÝ DỰ ÁN ĐẦU TƯ XÂY DỰNG", "VIỆN NGHIÊN CỨU", "CỤC QUẢN LÝ",
    "CỤC KIỂM TRA VĂN BẢN", "VỤ CÔNG CHỨC - VIÊN CHỨC", "TỔ CHỨC - HÀNH CHÍNH", "TÀI CHÍNH - KẾ HOẠCH",
    "KẾ HOẠCH - TÀI CHÍNH", "TỔ CHỨC CÁN BỘ", "THI ĐUA - KHEN THƯỞNG", "VĂN THƯ - LƯU TRỮ",
    "CÔNG CHỨC VĂN PHÒNG", "TRƯỞNG PHÒNG TỔ CHỨC - HÀNH CHÍNH", "TRƯỞNG PHÒNG HÀNH CHÍNH - TỔNG HỢP",
)

#: Words after which an agency name cannot end, so the next line continues it.
AGENCY_OPEN_ENDINGS: tuple[str, ...] = (
    "VÀ", "CỦA", "VỀ", "TỈNH", "THÀNH PHỐ", "HUYỆN", "QUẬN", "THỊ XÃ", "XÃ", "PHƯỜNG", "NHÂN DÂN",
    "-", ",", "QUẢN LÝ", "PHÁT TRIỂN",
)

#: The 63 provinces and centrally-run cities (before the 2025 mergers, which most archives hold).
PROVINCES: tuple[str, ...] = (
    "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre",
    "Bình Dương", "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ", "Đà Nẵng",
    "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam",
    "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa",
    "Kiên Giang", "Kon Tum", "Lai Châu", "Lạng Sơn", "Lào Cai", "Lâm Đồng", "Long An", "Nam Định",
    "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam",
    "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình",
    "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "Hồ Chí Minh", "Trà Vinh",
    "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái", "Huế",
)

#: Cities that are provinces in their own right: their agencies say "THÀNH PHỐ", not "TỈNH".
CENTRAL_CITIES: frozenset[str] = frozenset({"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"})

#: Place names as printed in "Địa danh, ngày …": provinces, plus the long form of Hồ Chí Minh city.
PLACES: tuple[str, ...] = (
    *(p for p in PROVINCES if p != "Hồ Chí Minh"), "Thành phố Hồ Chí Minh", "TP. Hồ Chí Minh",
)

#: Central bodies whose names appear as issuer or parent (ministries before and after 2025,
#: ministerial-level and government agencies, and well-known departments).
CENTRAL_AGENCIES: tuple[str, ...] = (
    "CHÍNH PHỦ", "THỦ TƯỚNG CHÍNH PHỦ", "QUỐC HỘI", "VĂN PHÒNG QUỐC HỘI", "VĂN PHÒNG CHỦ TỊCH NƯỚC",
    "VĂN PHÒNG CHÍNH PHỦ", "THANH TRA CHÍNH PHỦ", "NGÂN HÀNG NHÀ NƯỚC VIỆT NAM", "ỦY BAN DÂN TỘC",
    "BỘ QUỐC PHÒNG", "BỘ CÔNG AN", "BỘ NGOẠI GIAO", "BỘ NỘI VỤ", "BỘ TƯ PHÁP", "BỘ KẾ HOẠCH VÀ ĐẦU TƯ",
    "BỘ TÀI CHÍNH", "BỘ CÔNG THƯƠNG", "BỘ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN",
    "BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", "BỘ GIAO THÔNG VẬN TẢI", "BỘ XÂY DỰNG", "BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG",
    "BỘ THÔNG TIN VÀ TRUYỀN THÔNG", "BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI",
    "BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "BỘ KHOA HỌC VÀ CÔNG NGHỆ", "BỘ GIÁO DỤC VÀ ĐÀO TẠO", "BỘ Y TẾ",
    "BỘ DÂN TỘC VÀ TÔN GIÁO", "KIỂM TOÁN NHÀ NƯỚC", "TÒA ÁN NHÂN DÂN TỐI CAO",
    "VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO", "BẢO HIỂM XÃ HỘI VIỆT NAM", "ĐÀI TIẾNG NÓI VIỆT NAM",
    "ĐÀI TRUYỀN HÌNH VIỆT NAM", "THÔNG TẤN XÃ VIỆT NAM", "VIỆN HÀN LÂM KHOA HỌC XÃ HỘI VIỆT NAM",
    "VIỆN HÀN LÂM KHOA HỌC VÀ CÔNG NGHỆ VIỆT NAM", "ĐẠI HỌC QUỐC GIA HÀ NỘI",
    "ĐẠI HỌC QUỐC GIA THÀNH PHỐ HỒ CHÍ MINH", "HỌC VIỆN CHÍNH TRỊ QUỐC GIA HỒ CHÍ MINH",
    "KHO BẠC NHÀ NƯỚC", "TỔNG CỤC THUẾ", "TỔNG CỤC HẢI QUAN", "TỔNG CỤC THỐNG KÊ",
    "CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC", "BAN CƠ YẾU CHÍNH PHỦ", "BAN TÔN GIÁO CHÍNH PHỦ",
    "TRUNG TÂM LƯU TRỮ QUỐC GIA I", "TRUNG TÂM LƯU TRỮ QUỐC GIA II", "TRUNG TÂM LƯU TRỮ QUỐC GIA III",
    "TRUNG TÂM LƯU TRỮ QUỐC GIA IV", "TRUNG TÂM THÔNG TIN", "VĂN PHÒNG BỘ", "THANH TRA BỘ",
    "VỤ TỔ CHỨC CÁN BỘ", "VỤ PHÁP CHẾ", "VỤ KẾ HOẠCH - TÀI CHÍNH", "VỤ HỢP TÁC QUỐC TẾ",
)

#: The departments every province has (sở and equivalents), before and after the 2025 reform.
PROVINCIAL_DEPARTMENTS: tuple[str, ...] = (
    "SỞ NỘI VỤ", "SỞ TƯ PHÁP", "SỞ KẾ HOẠCH VÀ ĐẦU TƯ", "SỞ TÀI CHÍNH", "SỞ CÔNG THƯƠNG",
    "SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN", "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", "SỞ GIAO THÔNG VẬN TẢI",
    "SỞ XÂY DỰNG", "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
    "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "SỞ VĂN HÓA VÀ THỂ THAO",
    "SỞ DU LỊCH", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "SỞ Y TẾ", "SỞ NGOẠI VỤ",
    "SỞ DÂN TỘC VÀ TÔN GIÁO", "THANH TRA TỈNH", "BAN DÂN TỘC", "VĂN PHÒNG ỦY BAN NHÂN DÂN",
    "BAN QUẢN LÝ CÁC KHU CÔNG NGHIỆP", "BAN QUẢN LÝ KHU KINH TẾ",
)

#: The district-level offices (phòng) of a UBND huyện/quận.
DISTRICT_OFFICES: tuple[str, ...] = (
    "PHÒNG NỘI VỤ", "PHÒNG TƯ PHÁP", "PHÒNG TÀI CHÍNH - KẾ HOẠCH", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO",
    "PHÒNG Y TẾ", "PHÒNG VĂN HÓA VÀ THÔNG TIN", "PHÒNG TÀI NGUYÊN VÀ MÔI TRƯỜNG",
    "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "PHÒNG KINH TẾ", "PHÒNG QUẢN LÝ ĐÔ THỊ",
    "PHÒNG KINH TẾ VÀ HẠ TẦNG", "PHÒNG NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN", "THANH TRA HUYỆN",
    "VĂN PHÒNG HỘI ĐỒNG NHÂN DÂN VÀ ỦY BAN NHÂN DÂN",
)

#: Common Vietnamese surnames: a name line starting with one is very likely the signer's name.
SURNAMES: tuple[str, ...] = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
    "Ngô", "Dương", "Lý", "Đinh", "Đào", "Đoàn", "Lâm", "Mai", "Trịnh", "Trương", "Tạ", "Hà", "Cao",
    "Lưu", "Chu", "Lương", "Tô", "Quách", "Thái", "Kiều", "Vương", "Triệu", "Tăng", "Châu", "Tôn",
    "Khúc", "Lại", "Nông", "La", "Hứa", "Diệp", "Lò", "Mạc", "Phùng", "Lục", "Giang", "Thân", "Doãn",
    "Từ", "Âu", "Khổng", "Tống", "Đàm", "Kim", "Nghiêm", "Quan", "Hầu", "Lã", "Văn", "Nhữ", "Ninh",
)


def province_agency_forms(province: str) -> tuple[str, ...]:
    """The ways a province's UBND and HĐND are printed: full, abbreviated, "TỈNH"/"THÀNH PHỐ"."""
    unit = "THÀNH PHỐ" if province in CENTRAL_CITIES else "TỈNH"
    name = province.upper()
    return (
        f"ỦY BAN NHÂN DÂN {unit} {name}",
        f"UBND {unit} {name}",
        f"HỘI ĐỒNG NHÂN DÂN {unit} {name}",
        f"HĐND {unit} {name}",
    )


def builtin_agencies() -> tuple[str, ...]:
    """Every agency name known without configuration: central bodies, sở, phòng, province UBND/HĐND."""
    names: list[str] = [*CENTRAL_AGENCIES, *PROVINCIAL_DEPARTMENTS, *DISTRICT_OFFICES]
    for province in PROVINCES:
        names.extend(province_agency_forms(province))
    return tuple(dict.fromkeys(names))
