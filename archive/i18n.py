"""Vietnamese-first wording for everything a person reads; English on request.

Dates follow administrative usage ("ngày 05 tháng 01 năm 2020", ND 30/2020 Phụ lục I).
"""

from __future__ import annotations

from datetime import date, datetime

LANGUAGES = ("vi", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "status.title": {"vi": "Tình trạng hệ thống Lưu trữ số", "en": "Lưu trữ số system status"},
    "status.profile": {"vi": "Cấu hình", "en": "Profile"},
    "status.data_dir": {"vi": "Thư mục dữ liệu", "en": "Data directory"},
    "status.component": {"vi": "Thành phần", "en": "Component"},
    "status.state": {"vi": "Trạng thái", "en": "State"},
    "status.detail": {"vi": "Chi tiết", "en": "Detail"},
    "status.ok": {"vi": "hoạt động", "en": "working"},
    "status.failed": {"vi": "LỖI", "en": "FAILED"},
    "status.checked_at": {"vi": "Kiểm tra lúc", "en": "Checked at"},
    "component.catalog": {"vi": "Cơ sở dữ liệu mục lục", "en": "Catalog database"},
    "component.store": {"vi": "Kho lưu trữ đối tượng", "en": "Object store"},
    "component.replica": {"vi": "Kho bản sao thứ hai", "en": "Replica object store"},
    "component.index": {"vi": "Chỉ mục tìm kiếm", "en": "Search index"},
    "component.queue": {"vi": "Hàng đợi xử lý", "en": "Work queue"},
    "component.virus": {"vi": "Quét mã độc (ClamAV)", "en": "Virus scanner (ClamAV)"},
    "virus.not_configured": {"vi": "chưa cấu hình LUUTRU_CLAMD: tệp tiếp nhận được đánh dấu 'chưa quét mã độc'",
                             "en": "LUUTRU_CLAMD not set: received files are flagged 'not virus-checked'"},
    "catalog.revision": {"vi": "phiên bản lược đồ {current}, mới nhất {head}",
                         "en": "schema revision {current}, newest {head}"},
    "catalog.behind": {"vi": "lược đồ chưa cập nhật: chạy `luutru db upgrade`",
                       "en": "schema out of date: run `luutru db upgrade`"},
    "error.config": {"vi": "Cấu hình chưa hợp lệ. Sửa các mục sau rồi chạy lại:",
                     "en": "The configuration is not valid. Fix these and run again:"},
}


def t(key: str, lang: str = "vi", **values: object) -> str:
    """The message in the requested language, falling back to Vietnamese."""
    entry = MESSAGES[key]
    return entry.get(lang, entry["vi"]).format(**values)


def format_date(value: date | datetime, lang: str = "vi") -> str:
    """'ngày 05 tháng 01 năm 2020' in Vietnamese, '05 January 2020' in English."""
    if lang == "vi":
        return f"ngày {value.day:02d} tháng {value.month:02d} năm {value.year:04d}"
    return value.strftime("%d %B %Y")


def format_datetime(value: datetime, lang: str = "vi") -> str:
    """Date in words plus the time of day, for event logs and status pages."""
    return f"{value:%H:%M}, {format_date(value, lang)}"
