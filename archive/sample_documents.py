"""Generator of synthetic ND 30/2020 documents with ground truth: the demo batch, tests and benchmarks.

The 30 corpus documents are a sample; the extractor is judged on documents it has not seen. This
generator varies what the sample does not: agency hierarchies (ministries and their units,
provinces, sở, districts, communes, units no built-in list knows), all document types with an
official abbreviation plus công văn and legal forms, every authority prefix, every stamp, 1–10
pages, date spellings, wrapping, and OCR-like damage at four noise levels. Documents can also be
rendered to page images (Pillow, DejaVu Serif) so they can be OCR'd like real scans, or written as
born-digital PDFs with a text layer (fpdf2); ``write_sample`` makes the demo batch `scripts/run.sh`
ingests, so the product shows itself on documents of its own making.

Its vocabularies are deliberately its own, not the parser's: agencies, districts and names the
parser has no list of test the parser's fallbacks instead of its lookup tables.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.fonts import dejavu

SEEDS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"

#: Bump when `render_pages` changes, so cached OCR of older renderings is not reused.
RENDER_VERSION = 2
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
SLOGAN = "Độc lập - Tự do - Hạnh phúc"

#: (name, abbreviation) of every ND 30 type with an abbreviation, and the legal forms we also see.
TYPES: tuple[tuple[str, str], ...] = (
    ("Nghị quyết", "NQ"), ("Quyết định", "QĐ"), ("Chỉ thị", "CT"), ("Quy chế", "QC"), ("Quy định", "QyĐ"),
    ("Thông cáo", "TC"), ("Thông báo", "TB"), ("Hướng dẫn", "HD"), ("Chương trình", "CTr"), ("Kế hoạch", "KH"),
    ("Phương án", "PA"), ("Đề án", "ĐA"), ("Dự án", "DA"), ("Báo cáo", "BC"), ("Tờ trình", "TTr"),
    ("Hợp đồng", "HĐ"), ("Công điện", "CĐ"), ("Bản ghi nhớ", "BGN"), ("Bản thỏa thuận", "BTT"),
    ("Giấy ủy quyền", "GUQ"), ("Giấy mời", "GM"), ("Giấy giới thiệu", "GGT"), ("Giấy nghỉ phép", "GNP"),
    ("Phiếu gửi", "PG"), ("Phiếu chuyển", "PC"), ("Phiếu báo", "PB"), ("Biên bản", "BB"),
    ("Bản sao y", "SY"), ("Bản trích sao", "TrS"), ("Bản sao lục", "SL"),
)
LEGAL_TYPES: tuple[tuple[str, str], ...] = (("Thông tư", "TT"), ("Nghị định", "NĐ"))

MINISTRIES = (
    "BỘ NỘI VỤ", "BỘ TÀI CHÍNH", "BỘ Y TẾ", "BỘ CÔNG AN", "BỘ TƯ PHÁP", "BỘ XÂY DỰNG", "BỘ CÔNG THƯƠNG",
    "BỘ GIÁO DỤC VÀ ĐÀO TẠO", "BỘ GIAO THÔNG VẬN TẢI", "BỘ KẾ HOẠCH VÀ ĐẦU TƯ", "BỘ NGOẠI GIAO",
    "BỘ THÔNG TIN VÀ TRUYỀN THÔNG", "BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "BỘ KHOA HỌC VÀ CÔNG NGHỆ",
    "BỘ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN", "BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH",
    "BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI",
)
MINISTRY_UNITS = (
    ("CỤC", "CỤC TRƯỞNG", ("VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC", "QUẢN LÝ CHẤT LƯỢNG", "CÔNG NGHỆ THÔNG TIN",
                           "QUẢN LÝ THỊ TRƯỜNG", "ĐƯỜNG BỘ VIỆT NAM", "AN TOÀN THÔNG TIN", "KIỂM TRA VĂN BẢN")),
    ("VỤ", "VỤ TRƯỞNG", ("TỔ CHỨC CÁN BỘ", "PHÁP CHẾ", "HỢP TÁC QUỐC TẾ", "KẾ HOẠCH - TÀI CHÍNH",
                         "CÔNG CHỨC - VIÊN CHỨC", "THI ĐUA - KHEN THƯỞNG")),
    ("VIỆN", "VIỆN TRƯỞNG", ("KHOA HỌC TỔ CHỨC NHÀ NƯỚC", "CHIẾN LƯỢC VÀ CHÍNH SÁCH", "NGHIÊN CỨU PHÁT TRIỂN")),
    ("TRUNG TÂM", "GIÁM ĐỐC", ("THÔNG TIN", "LƯU TRỮ QUỐC GIA III", "DỮ LIỆU SỐ", "ĐÀO TẠO BỒI DƯỠNG")),
)
PROVINCES = (
    "Hà Nội", "Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Cần Thơ", "Quảng Bình", "Nghệ An", "Thanh Hóa",
    "Thừa Thiên Huế", "Lâm Đồng", "Đắk Lắk", "Bà Rịa - Vũng Tàu", "Khánh Hòa", "Bắc Ninh", "Lào Cai",
    "Cà Mau", "Quảng Ninh", "Hà Tĩnh", "Kiên Giang", "Điện Biên", "Bình Định", "Thái Nguyên",
)
CITIES = {"Hà Nội", "Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Cần Thơ"}
#: (district kind, name): mostly outside any gazetteer the parser has.
DISTRICTS = (
    ("HUYỆN", "Lệ Thủy"), ("HUYỆN", "Quảng Trạch"), ("HUYỆN", "Nam Đàn"), ("HUYỆN", "Krông Pắc"),
    ("QUẬN", "Ba Đình"), ("QUẬN", "Hải Châu"), ("THỊ XÃ", "Sơn Tây"), ("HUYỆN", "Mường Tè"),
    ("THÀNH PHỐ", "Bảo Lộc"), ("HUYỆN", "Phong Điền"), ("QUẬN", "Ninh Kiều"), ("HUYỆN", "Cần Giờ"),
)
COMMUNES = ("Tân Hợp", "Phú Lộc", "Hòa Bắc", "Xuân Phương", "Tân Lập", "Quỳnh Lưu", "An Phú")
SO_NAMES = (
    "SỞ NỘI VỤ", "SỞ TÀI CHÍNH", "SỞ Y TẾ", "SỞ TƯ PHÁP", "SỞ XÂY DỰNG", "SỞ CÔNG THƯƠNG",
    "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "SỞ GIAO THÔNG VẬN TẢI", "SỞ KẾ HOẠCH VÀ ĐẦU TƯ", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
    "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN",
    "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI",
)
DISTRICT_OFFICES = ("PHÒNG NỘI VỤ", "PHÒNG TÀI CHÍNH - KẾ HOẠCH", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "PHÒNG Y TẾ",
                    "PHÒNG VĂN HÓA VÀ THÔNG TIN", "PHÒNG TÀI NGUYÊN VÀ MÔI TRƯỜNG")
#: Units under a sở that no built-in list holds: (name, head title).
OTHER_UNITS = (
    ("CHI CỤC KIỂM LÂM", "CHI CỤC TRƯỞNG"), ("CHI CỤC THỦY LỢI", "CHI CỤC TRƯỞNG"),
    ("BỆNH VIỆN ĐA KHOA TỈNH", "GIÁM ĐỐC"), ("TRUNG TÂM KIỂM SOÁT BỆNH TẬT", "GIÁM ĐỐC"),
    ("TRƯỜNG CAO ĐẲNG Y TẾ", "HIỆU TRƯỞNG"), ("BAN QUẢN LÝ DỰ ÁN ĐẦU TƯ XÂY DỰNG", "GIÁM ĐỐC"),
    ("TRUNG TÂM PHÁT TRIỂN QUỸ ĐẤT", "GIÁM ĐỐC"), ("TRUNG TÂM DỊCH VỤ VIỆC LÀM", "GIÁM ĐỐC"),
)
TOPICS = (
    "triển khai Hệ thống quản lý văn bản và điều hành", "số hóa tài liệu lưu trữ của cơ quan",
    "tăng cường bảo đảm an toàn thông tin mạng", "tổ chức tập huấn kỹ năng số cho cán bộ, công chức",
    "nộp lưu hồ sơ, tài liệu vào Lưu trữ lịch sử", "kiện toàn Ban Chỉ đạo chuyển đổi số",
    "phê duyệt danh mục hồ sơ năm 2024", "góp ý dự thảo Quy chế công tác văn thư, lưu trữ",
    "cử cán bộ tham dự hội nghị tổng kết công tác cải cách hành chính",
    "báo cáo tình hình thực hiện dịch vụ công trực tuyến toàn trình",
    "thành lập Hội đồng xác định giá trị tài liệu", "điều chỉnh kế hoạch vốn đầu tư công năm 2023",
    "tiêu hủy tài liệu hết giá trị", "chia sẻ dữ liệu qua nền tảng tích hợp, chia sẻ dữ liệu",
    "khen thưởng tập thể, cá nhân có thành tích xuất sắc trong phong trào thi đua",
    "đánh giá mức độ hài lòng của người dân", "xây dựng cơ sở dữ liệu cán bộ, công chức, viên chức",
    "tổ chức kỳ thi tuyển công chức năm 2022", "quản lý, sử dụng chữ ký số chuyên dùng Chính phủ",
    "phân công nhiệm vụ của lãnh đạo Sở", "bổ sung kinh phí thực hiện nhiệm vụ chuyển đổi số",
)
RECIPIENTS = ("- Như trên;", "- Lãnh đạo Bộ;", "- Các đơn vị thuộc Bộ;", "- UBND các tỉnh, thành phố;",
              "- Cổng thông tin điện tử;", "- Văn phòng Chính phủ;")
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
            "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Lương", "Tạ", "Quách", "Lò")
MIDDLES = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Quang", "Thanh", "Xuân", "Thu", "Công", "Kim", "Bảo")
GIVENS = ("An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hùng", "Lan", "Long", "Mai", "Nam", "Phương",
          "Quân", "Sơn", "Trung", "Yến", "Thảo", "Tuấn", "Hiếu", "Khánh", "Linh", "Oanh", "Vinh", "Tâm")
STAMPS_SECRET = ("MẬT", "TỐI MẬT", "TUYỆT MẬT")
STAMPS_URGENT = ("KHẨN", "THƯỢNG KHẨN", "HỎA TỐC")
_FALLBACK_SENTENCES = (
    "Chuyển đổi số là quá trình thay đổi tổng thể và toàn diện của cá nhân, tổ chức về cách sống, cách làm việc.",
    "Các đơn vị thuộc, trực thuộc Bộ chủ động nghiên cứu, đề xuất nội dung, kinh phí cụ thể để thực hiện.",
    "Giao Văn phòng chủ trì, phối hợp với các đơn vị liên quan theo dõi, đôn đốc việc triển khai thực hiện.",
    "Trong quá trình thực hiện, nếu có vướng mắc, đề nghị phản ánh về Văn phòng để tổng hợp, báo cáo.",
    "Tài liệu lưu trữ điện tử phải được bảo quản an toàn, bảo đảm tính toàn vẹn, xác thực và tin cậy.",
    "Cơ quan, tổ chức có trách nhiệm lập hồ sơ, chỉnh lý và nộp lưu tài liệu vào Lưu trữ lịch sử đúng thời hạn.",
    "Việc số hóa tài liệu giấy được thực hiện theo quy trình thống nhất, có kiểm tra chất lượng bản số hóa.",
    "Thủ trưởng các đơn vị chịu trách nhiệm tổ chức thực hiện và báo cáo kết quả trước ngày 15 tháng 12.",
    "Kinh phí thực hiện được bố trí từ nguồn ngân sách nhà nước theo phân cấp hiện hành.",
    "Quyết định này có hiệu lực kể từ ngày ký; các quy định trước đây trái với Quyết định này đều bãi bỏ.",
)


@dataclass
class GeneratedDoc:
    """One synthetic document: its truth (truth.jsonl keys), clean and damaged text, and a render spec."""

    id: str
    truth: dict[str, Any]
    pages: list[list[str]]
    noisy_pages: list[str]
    noise: int
    spec: dict[str, Any] = field(default_factory=dict)

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def render_spec(self) -> dict[str, Any]:
        """What the rendered pages depend on; a cache of their OCR is keyed by it."""
        return {**self.spec, "render_version": RENDER_VERSION}


def _sentences() -> list[str]:
    """Real government prose from the seed documents, one sentence each (fallback: a few built in)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))] if SEEDS_DIR.is_dir() else []
    flat = " ".join(" ".join(t.split()) for t in texts)
    found = [s.strip(" -+•") for s in re.split(r"(?<=[.;])\s+", flat)]
    good = [s for s in found if 50 <= len(s) <= 260 and s[:1].isupper() and not s.isupper()
            and "…" not in s and ".." not in s]
    return good or list(_FALLBACK_SENTENCES)


def wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines


def initials(name: str) -> str:
    words = [w for w in re.split(r"[\s,\-]+", name) if w and w != "VÀ"]
    return "".join(unicodedata.normalize("NFD", w)[0] for w in words)


def _unit_of(province: str) -> str:
    return "THÀNH PHỐ" if province in CITIES else "TỈNH"


def _place(province: str) -> str:
    return "Thành phố Hồ Chí Minh" if province == "Hồ Chí Minh" else province


def _agency(rng: random.Random) -> dict[str, Any]:
    """An issuer with its parent, abbreviation, place, signer positions and whether lists know it."""
    kind = rng.choices(
        ["ministry", "ministry_unit", "province", "so", "district", "district_office", "commune", "other", "hdnd"],
        weights=[12, 14, 12, 20, 8, 8, 6, 12, 8])[0]
    province = rng.choice(PROVINCES)
    unit = _unit_of(province)
    ubnd = rng.choice([f"ỦY BAN NHÂN DÂN {unit} {province.upper()}", f"UBND {unit} {province.upper()}"])
    chair = {"head": "CHỦ TỊCH", "deputy": "PHÓ CHỦ TỊCH", "body": "ỦY BAN NHÂN DÂN"}
    if kind == "ministry":
        name = rng.choice(MINISTRIES)
        return dict(agency=name, parent=None, abbr=initials(name), place="Hà Nội",
                    head="BỘ TRƯỞNG", deputy="THỨ TRƯỞNG", body=None, staff="CHÁNH VĂN PHÒNG")
    if kind == "ministry_unit":
        head_word, head_title, names = rng.choice(MINISTRY_UNITS)
        name = f"{head_word} {rng.choice(names)}"
        abbr = initials(name) if rng.random() < 0.5 else initials(name[len(head_word) + 1:])
        return dict(agency=name, parent=rng.choice(MINISTRIES), abbr=abbr, place="Hà Nội",
                    head=head_title, deputy=f"PHÓ {head_title}", body=None, staff="CHÁNH VĂN PHÒNG")
    if kind == "province":
        name = f"ỦY BAN NHÂN DÂN {unit} {province.upper()}"
        return dict(agency=name, parent=None, abbr="UBND", place=_place(province), staff="CHÁNH VĂN PHÒNG", **chair)
    if kind == "hdnd":
        name = f"HỘI ĐỒNG NHÂN DÂN {unit} {province.upper()}"
        return dict(agency=name, parent=None, abbr="HĐND", place=_place(province), head="CHỦ TỊCH",
                    deputy="PHÓ CHỦ TỊCH", body="HỘI ĐỒNG NHÂN DÂN", staff="CHÁNH VĂN PHÒNG")
    if kind == "so":
        name = rng.choice(SO_NAMES)
        return dict(agency=name, parent=ubnd, abbr=initials(name), place=_place(province), head="GIÁM ĐỐC",
                    deputy="PHÓ GIÁM ĐỐC", body=None, staff="CHÁNH VĂN PHÒNG")
    district_kind, district = rng.choice(DISTRICTS)
    if kind == "district":
        name = f"ỦY BAN NHÂN DÂN {district_kind} {district.upper()}"
        return dict(agency=name, parent=None, abbr="UBND", place=district, staff="CHÁNH VĂN PHÒNG", **chair)
    if kind == "district_office":
        name = rng.choice(DISTRICT_OFFICES)
        return dict(agency=name, parent=f"UBND {district_kind} {district.upper()}", abbr=initials(name)[1:],
                    place=district, head="TRƯỞNG PHÒNG", deputy="PHÓ TRƯỞNG PHÒNG", body=None, staff="CHÁNH VĂN PHÒNG")
    if kind == "commune":
        commune = rng.choice(COMMUNES)
        name = f"ỦY BAN NHÂN DÂN XÃ {commune.upper()}"
        return dict(agency=name, parent=None, abbr="UBND", place=commune, staff="CÔNG CHỨC VĂN PHÒNG", **chair)
    name, head = rng.choice(OTHER_UNITS)
    return dict(agency=name, parent=rng.choice(SO_NAMES), abbr=initials(name), place=_place(province),
                head=head, deputy=f"PHÓ {head}", body=None, staff="TRƯỞNG PHÒNG TỔ CHỨC - HÀNH CHÍNH")


def _signature(rng: random.Random, ag: dict[str, Any]) -> tuple[list[str], str, str]:
    """Signature lines, authority and title, covering direct signing and TM./KT./TL./TUQ./Q."""
    head, deputy, body, staff = ag["head"], ag["deputy"], ag["body"], ag["staff"]
    options = ["direct", "kt", "tl", "tuq", "q"] + (["tm"] if body else [])
    form = rng.choice(options)
    if form == "direct":
        return [head], head, head
    if form == "kt":
        return [f"KT. {head}", deputy], f"KT. {head}", deputy
    if form == "tl":
        return [f"TL. {head}", staff], f"TL. {head}", staff
    if form == "tuq":
        return [f"TUQ. {head}", staff], f"TUQ. {head}", staff
    if form == "q":
        return [f"Q. {head}"], f"Q. {head}", f"Q. {head}"
    return [f"TM. {body}", head], f"TM. {body}", head


def _date_line(rng: random.Random, place: str, day: dt.date) -> str:
    """ND 30 spelling (leading zero for days < 10 and months 1–2), with the variants clerks use."""
    d = f"{day.day:02d}" if day.day < 10 else str(day.day)
    m = f"{day.month:02d}" if day.month < 3 else str(day.month)
    if rng.random() < 0.15:
        d, m = str(day.day), f"{day.month:02d}"
    return f"{place}, ngày {d} tháng {m} năm {day.year}"


def generate_one(rng: random.Random, index: int, noise: int | None = None,
                 prose: tuple[str, ...] | None = None) -> GeneratedDoc:
    ag = _agency(rng)
    legal = rng.random() < 0.06 and ag["parent"] is None
    cong_van = not legal and rng.random() < 0.25
    doc_type, abbr = (rng.choice(LEGAL_TYPES) if legal else (None, None) if cong_van else rng.choice(TYPES))
    day = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(0, 7670))
    num = rng.randint(1, 3500)
    number = f"{num:02d}"
    if cong_van:
        symbol = f"{ag['abbr']}-{rng.choice(['VP', 'TCCB', 'VX', 'KT', 'PC', 'VTLT'])}"
    else:
        symbol = f"{abbr}-{ag['abbr']}"
    reference = f"{number}/{day.year}/{symbol}" if legal else f"{number}/{symbol}"
    topic = rng.choice(TOPICS)
    summary = f"V/v {topic}" if cong_van else f"Về việc {topic}"
    name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVENS)}"
    sig_lines, authority, title = _signature(rng, ag)
    secret = rng.choice(STAMPS_SECRET) if rng.random() < 0.25 else None
    urgent = rng.choice(STAMPS_URGENT) if rng.random() < 0.25 else None
    page_count = rng.choices(range(1, 11), weights=[20, 25, 15, 10, 8, 6, 5, 4, 4, 3])[0]
    noise = rng.randint(0, 3) if noise is None else noise

    width = rng.randint(24, 30)
    left: list[str] = []
    if ag["parent"]:
        left += wrap(ag["parent"], width)
    left += wrap(ag["agency"], width)
    left.append(f"Số: {reference}")
    if cong_van:
        left += wrap(summary, rng.randint(28, 34))
    stamps = [s for s in (secret, urgent) if s]
    right = [MOTTO, SLOGAN, _date_line(rng, ag["place"], day)]
    middle: list[str] = []
    if doc_type is not None:
        middle.append(doc_type.upper())
        middle += wrap(summary, rng.choice([48, 56, 64, 200]))
    else:
        middle.append(f"Kính gửi: {rng.choice(['Các đơn vị thuộc Bộ', 'UBND các huyện, thị xã', 'Sở Nội vụ'])}")
    sentences = list(prose) if prose else _sentences()
    body_pages: list[list[str]] = []
    for _ in range(page_count):
        lines: list[str] = []
        while len(lines) < 30:
            lines += wrap(" ".join(rng.sample(sentences, rng.randint(1, 3))), 64)
        body_pages.append(lines[:30])
    body_pages[0] = body_pages[0][:14]
    body_pages[-1] = body_pages[-1][: rng.randint(3, 12)]
    recipients = ["Nơi nhận:", *rng.sample(RECIPIENTS, rng.randint(1, 3)), "- Lưu: VT."]
    signature = [*sig_lines, name]

    pages = [list(p) for p in body_pages]
    pages[0] = left + right + stamps + middle + pages[0]
    pages[-1] = pages[-1] + recipients + signature
    truth = {
        "id": f"gen{index:04d}", "doc_type": "Công văn" if cong_van else doc_type,
        "doc_type_abbr": abbr, "number": num, "symbol": symbol, "so_ky_hieu": reference,
        "issued_date": day.isoformat(), "place": ag["place"], "agency": ag["agency"], "parent_agency": ag["parent"],
        "summary": summary, "signer_title": title, "signer_authority": authority, "signer_name": name,
        "confidentiality": secret, "urgency": urgent, "language": "vi", "pages": page_count,
    }
    spec = {"id": truth["id"], "noise": noise, "left": left, "right": right, "stamps": stamps, "middle": middle,
            "body": body_pages, "recipients": recipients, "signature": signature, "seed": rng.random(),
            "parent": ag["parent"], "agency": ag["agency"], "so": f"Số: {reference}",
            "vv": summary if cong_van else None}
    noisy = _noisy_pages(random.Random(spec["seed"]), spec, noise)
    return GeneratedDoc(truth["id"], truth, pages, noisy, noise, spec)


def generate(count: int, seed: int = 0, noise: int | None = None,
             prose: tuple[str, ...] | None = None) -> Iterator[GeneratedDoc]:
    """``count`` documents, reproducible from ``seed``; noise 0–3 at random unless fixed; body text from
    the seed documents unless ``prose`` is given."""
    rng = random.Random(seed)
    for i in range(count):
        yield generate_one(rng, i, noise, prose)


# --- OCR-like damage, applied to text -------------------------------------------------------------

_TONE_DROP = str.maketrans(
    "ốồổỗộớờởỡợếềểễệấầẩẫậắằẳẵặứừửữựỐỒỔỖỘỚỜỞỠỢẾỀỂỄỆẤẦẨẪẬẮẰẲẴẶỨỪỬỮỰ",
    "ôôôôôơơơơơêêêêêâââââăăăăăưưưưưÔÔÔÔÔƠƠƠƠƠÊÊÊÊÊÂÂÂÂÂĂĂĂĂĂƯƯƯƯƯ",
)
_HAT_DROP = str.maketrans("ÔƠÊÂĂƯôơêâăưĐđ", "OOEAAUooeaauDd")


def damage_word(rng: random.Random, word: str, level: int) -> str:
    """Lose a tone mark ("Số" → "Sô"), a hat, or confuse Đ/D, as Tesseract does on a poor scan."""
    if rng.random() > 0.12 * level:
        return word
    nfc = unicodedata.normalize("NFC", word)
    choice = rng.random()
    if choice < 0.5:
        return nfc.translate(_TONE_DROP)
    if choice < 0.8:
        stripped = "".join(c for c in unicodedata.normalize("NFD", nfc) if not unicodedata.combining(c))
        return unicodedata.normalize("NFC", stripped)
    return nfc.translate(_HAT_DROP)


def _digits_damage(rng: random.Random, text: str, level: int) -> str:
    if level < 2:
        return text
    return "".join(({"0": "O", "1": "l"}.get(c, c) if rng.random() < 0.08 * level else c) for c in text)


def _noisy_line(rng: random.Random, line: str, level: int) -> str:
    return " ".join(damage_word(rng, w, level) for w in line.split())


def _noisy_pages(rng: random.Random, spec: dict[str, Any], level: int) -> list[str]:
    """Plain-text pages as a poor OCR layer reads them: interleaved headers, lost marks, stray marks."""
    left = [_noisy_line(rng, line, level) for line in spec["left"]]
    so_index = next(i for i, line in enumerate(spec["left"]) if line.startswith("Số:"))
    reference = spec["left"][so_index].split(" ", 1)[1]
    ref = _digits_damage(rng, reference, level)
    if level >= 2 and rng.random() < 0.5:
        ref = ref.replace("/", " / ", 1)
    left[so_index] = f"{damage_word(rng, 'Số:', level + 1)} {ref}"
    right = [_noisy_line(rng, line, level) for line in spec["right"]]
    right[2] = right[2].replace("ngày", damage_word(rng, "ngày", level + 1)).replace(
        "tháng", damage_word(rng, "tháng", level + 1))
    stamps = [f"|{s}|" if level >= 2 and rng.random() < 0.5 else s for s in spec["stamps"]]
    if level >= 1 and rng.random() < 0.6:
        header = [f"{a}    {b}".strip() for a, b in _zip_longest(left, right)]
    elif rng.random() < 0.2:
        header = right + left
    else:
        header = left + right
    middle = [_noisy_line(rng, line, level) if i == 0 else line for i, line in enumerate(spec["middle"])]
    pages = [list(p) for p in spec["body"]]
    pages[0] = header + stamps + middle + pages[0]
    sig = [_noisy_line(rng, line, level) for line in spec["signature"][:-1]] + [spec["signature"][-1]]
    recipients = list(spec["recipients"])
    if level >= 1 and rng.random() < 0.6:
        tail = [f"{a}    {b}".strip() for a, b in _zip_longest(recipients, sig)]
    else:
        tail = recipients + sig
    pages[-1] = pages[-1] + tail
    return ["\n".join(p) for p in pages]


def _zip_longest(a: list[str], b: list[str]) -> Iterator[tuple[str, str]]:
    for i in range(max(len(a), len(b))):
        yield (a[i] if i < len(a) else ""), (b[i] if i < len(b) else "")


# --- Rendering to page images --------------------------------------------------------------------

def _font(size: int, bold: bool = False, italic: bool = False) -> Any:
    from PIL import ImageFont

    style = {(False, False): "", (True, False): "-Bold", (False, True): "-Italic", (True, True): "-BoldItalic"}
    return ImageFont.truetype(str(dejavu(f"DejaVuSerifCondensed{style[(bold, italic)]}.ttf")), size)


def _wrap_px(draw: Any, text: str, font: Any, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and draw.textlength(trial, font=font) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    return lines + ([current] if current else [])


def render_pages(doc: GeneratedDoc, dpi: int = 200) -> list[Any]:
    """Page 1 and the last page as scan-like images (A4; body pages carry no registry fields).

    Layout follows ND 30 PL I: agency block centred in the left column, quốc hiệu block in the
    right, type line and abstract centred, body from the left margin, "Nơi nhận" bottom left and
    the signature block centred in the right half. Noise adds rotation, blur, speckle, JPEG loss.
    """
    from PIL import Image, ImageDraw, ImageFilter

    spec = doc.spec
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    pt = dpi / 72
    regular, bold = _font(int(13 * pt)), _font(int(13 * pt), bold=True)
    head_regular, head_bold = _font(int(12 * pt)), _font(int(12 * pt), bold=True)
    margin_l, margin_r, top = int(30 / 25.4 * dpi), int(15 / 25.4 * dpi), int(20 / 25.4 * dpi)
    text_w = width - margin_l - margin_r
    line_h = int(13 * pt * 1.45)
    left_cx, right_cx = margin_l + int(0.19 * text_w), margin_l + int(0.70 * text_w)
    head_italic = _font(int(12 * pt), italic=True)
    rng = random.Random(spec["seed"])
    images = []
    body = spec["body"]
    for index in ([0] if len(body) == 1 else [0, len(body) - 1]):
        img = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(img)

        def centred(text: str, cx: int, y: int, font: Any, draw: Any = draw) -> None:
            draw.text((cx - draw.textlength(text, font=font) / 2, y), text, font=font, fill=0)

        y = top
        if index == 0:
            col = 0.37 * text_w
            left = [(line, head_regular) for line in _wrap_px(draw, spec["parent"] or "", head_regular, col)]
            left += [(line, head_bold) for line in _wrap_px(draw, spec["agency"], head_bold, col)]
            left.append((spec["so"], regular))
            left += [(line, regular) for line in _wrap_px(draw, spec["vv"] or "", regular, col)]
            for i, (line, font) in enumerate(left):
                centred(line, left_cx, top + i * line_h, font)
            yl = top + len(left) * line_h + line_h // 2
            for stamp in spec["stamps"]:
                w = draw.textlength(stamp, font=bold)
                draw.rectangle((left_cx - w / 2 - 16, yl - 18, left_cx + w / 2 + 16, yl + line_h + 4), outline=0, width=3)
                centred(stamp, left_cx, yl, bold)
                yl += int(line_h * 1.9)
            centred(spec["right"][0], right_cx, top, head_bold)
            centred(spec["right"][1], right_cx, top + line_h, bold)
            centred(spec["right"][2], right_cx, top + int(2.4 * line_h), head_italic)
            y = max(yl, top + 4 * line_h) + line_h // 2
            for line in spec["middle"]:
                if line.startswith("Kính gửi"):
                    centred(line, width // 2, y, regular)
                    y += line_h
                    continue
                for part in _wrap_px(draw, line, bold, 0.8 * text_w):
                    centred(part, margin_l + text_w // 2, y, bold)
                    y += line_h
            y += line_h // 2
        indent = int(12.7 / 25.4 * dpi)
        for j, line in enumerate(body[index]):
            draw.text((margin_l + (indent if j % 6 == 0 else 0), y), line, font=regular, fill=0)
            y += line_h
            if y > height - 9 * line_h:
                break
        if index == len(body) - 1:
            y += line_h
            small = _font(int(11 * pt))
            for i, line in enumerate(spec["recipients"]):
                draw.text((margin_l, y + i * line_h), line, font=bold if i == 0 else small, fill=0)
            sig_cx = margin_l + int(0.72 * text_w)
            sig_lines = spec["signature"][:-1]
            for i, line in enumerate(sig_lines):
                centred(line, sig_cx, y + i * line_h, bold)
            centred(spec["signature"][-1], sig_cx, y + (len(sig_lines) + 3) * line_h, bold)
        images.append(_degrade(img, spec["noise"], rng, ImageFilter))
    return images


def _degrade(img: Any, level: int, rng: random.Random, image_filter: Any) -> Any:
    import io

    from PIL import Image

    if level == 0:
        return img
    img = img.rotate(rng.uniform(-0.4, 0.4) * level, expand=False, fillcolor=255, resample=Image.Resampling.BICUBIC)
    img = img.filter(image_filter.GaussianBlur(0.4 + 0.3 * level))
    pixels = img.load()
    w, h = img.size
    for _ in range(400 * level):
        pixels[rng.randrange(w), rng.randrange(h)] = rng.choice((0, 255))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=max(25, 75 - 15 * level))
    return Image.open(io.BytesIO(buf.getvalue())).convert("L")


# --- demo batch: born-digital PDFs and scans ------------------------------------------------------


def render_pdf(doc: GeneratedDoc, path: Path) -> Path:
    """The document as a born-digital PDF (A4, DejaVu fonts embedded), laid out as ND 30 PL I asks."""
    from fpdf import FPDF

    spec = doc.spec
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(30, 20, 15)
    pdf.set_auto_page_break(True, 20)
    for style, name in (("", "DejaVuSerif.ttf"), ("B", "DejaVuSerif-Bold.ttf"), ("I", "DejaVuSerif-Italic.ttf")):
        pdf.add_font("DejaVu", style, str(dejavu(name)))
    text_w = 210 - 30 - 15
    for index, body in enumerate(spec["body"]):
        pdf.add_page()
        if index == 0:
            top = pdf.get_y()
            pdf.set_font("DejaVu", "", 12)
            left = [(line, "") for line in ([spec["parent"]] if spec["parent"] else [])]
            left += [(spec["agency"], "B"), (spec["so"], "")] + ([(spec["vv"], "")] if spec["vv"] else [])
            left += [(stamp, "B") for stamp in spec["stamps"]]
            for line, style in left:
                pdf.set_font("DejaVu", style, 12)
                pdf.multi_cell(0.42 * text_w, 6, line, align="C", new_x="LMARGIN", new_y="NEXT")
            bottom = pdf.get_y()
            pdf.set_xy(30 + 0.45 * text_w, top)
            for line, style in zip(spec["right"], ("B", "B", "I"), strict=True):
                pdf.set_font("DejaVu", style, 12)
                pdf.set_x(30 + 0.45 * text_w)
                pdf.multi_cell(0.55 * text_w, 6, line, align="C", new_x="LEFT", new_y="NEXT")
            pdf.set_xy(30, max(bottom, pdf.get_y()) + 6)
            for line in spec["middle"]:
                pdf.set_font("DejaVu", "" if line.startswith("Kính gửi") else "B", 13)
                pdf.multi_cell(0, 7, line, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        pdf.set_font("DejaVu", "", 13)
        pdf.multi_cell(0, 7, " ".join(body), align="J", new_x="LMARGIN", new_y="NEXT")
        if index == len(spec["body"]) - 1:
            pdf.ln(6)
            top = pdf.get_y()
            for i, line in enumerate(spec["recipients"]):
                pdf.set_font("DejaVu", "B" if i == 0 else "", 11)
                pdf.cell(0.45 * text_w, 5, line, new_x="LMARGIN", new_y="NEXT")
            pdf.set_xy(30 + 0.45 * text_w, top)
            for i, line in enumerate(spec["signature"]):
                pdf.set_font("DejaVu", "B", 13)
                pdf.set_x(30 + 0.45 * text_w)
                if i == len(spec["signature"]) - 1:
                    pdf.ln(14)
                    pdf.set_x(30 + 0.45 * text_w)
                pdf.multi_cell(0.55 * text_w, 6, line, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_title(doc.truth["summary"])
    pdf.set_creator("luutru sample")
    pdf.output(str(path))
    return path


def write_sample(folder: Path, count: int = 6, seed: int = 2020) -> list[Path]:
    """A demo batch: born-digital PDFs and, for every third document, a clean scan (JPEG) of its pages."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for doc in generate(count, seed=seed, noise=0, prose=_FALLBACK_SENTENCES):
        stem = folder / f"{doc.truth['so_ky_hieu'].replace('/', '-')}"
        if len(written) % 3 == 2:
            first, *rest = render_pages(doc, dpi=200)
            target = stem.with_suffix(".jpg" if not rest else ".tif")
            if rest:
                first.save(target, save_all=True, append_images=rest, compression="tiff_lzw", dpi=(200, 200))
            else:
                first.convert("L").save(target, quality=90, dpi=(200, 200))
        else:
            target = render_pdf(doc, stem.with_suffix(".pdf"))
        written.append(target)
    return written
