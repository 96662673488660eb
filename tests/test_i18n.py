from datetime import date, datetime

from archive.i18n import MESSAGES, format_date, format_datetime, t


def test_vietnamese_administrative_date() -> None:
    assert format_date(date(2020, 1, 5)) == "ngày 05 tháng 01 năm 2020"
    assert format_date(date(2020, 1, 5), "en") == "05 January 2020"
    assert format_datetime(datetime(2026, 11, 25, 9, 7)) == "09:07, ngày 25 tháng 11 năm 2026"


def test_every_message_has_both_languages() -> None:
    for key, entry in MESSAGES.items():
        assert entry.get("vi") and entry.get("en"), key
    assert t("status.ok") == "hoạt động" and t("status.ok", "en") == "working"
