""""Địa danh, ngày … tháng … năm …": the date must exist, the place is restored from the gazetteer."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest.extract.dates import canonical_place, find_date


@pytest.mark.parametrize(
    ("text", "iso", "place"),
    [
        ("Hà Nội, ngày 05 tháng 01 năm 2020", "2020-01-05", "Hà Nội"),
        ("Ha Noi, ngay 05 thang 01 nam 2020", "2020-01-05", "Hà Nội"),
        ("Thành phố Hồ Chí Minh, ngày 18 tháng 9 năm 2023", "2023-09-18", "Thành phố Hồ Chí Minh"),
        ("Thừa Thiên Huế, ngàỵ 31 thảng 01 nǎm 2016", "2016-01-31", "Thừa Thiên Huế"),
        ("Quảng Bình, ngày O9 tháng 0l năm 2O18", "2018-01-09", "Quảng Bình"),
        ("Bà Rịa - Vũng Tàu, ngày 1 tháng 12 năm 2019", "2019-12-01", "Bà Rịa - Vũng Tàu"),
        ("Lệ Thủy, ngày 20 tháng 10 năm 2021", "2021-10-20", "Lệ Thủy"),
        ("SỞ NỘI VỤ Thành phố Hồ Chí Minh, ngày 07 tháng 02 năm 2024", "2024-02-07", "Thành phố Hồ Chí Minh"),
        ("Số: 1511/BC-BGTVT Hà Nội, ngày 03 tháng 11 năm 2016", "2016-11-03", "Hà Nội"),
        ("V/v đánh giá mức độ hài lòng Hà Nội, ngày 26 tháng 7 năm 2022", "2022-07-26", "Hà Nội"),
        ("Đà Nẵng, ngày 22/12/2023", "2023-12-22", "Đà Nẵng"),
    ],
)
def test_date_and_place(text: str, iso: str, place: str) -> None:
    parsed = find_date(text, today=dt.date(2025, 6, 1))
    assert parsed is not None
    assert parsed.iso == iso
    assert parsed.place == place


@pytest.mark.parametrize("text", ["Hà Nội, ngày 31 tháng 02 năm 2020", "Hà Nội, ngày 12 tháng 13 năm 2020",
                                  "Hà Nội, ngày 01 tháng 01 năm 1900", "Hà Nội, ngày 01 tháng 01 năm 2090"])
def test_impossible_dates_are_null_with_a_warning(text: str) -> None:
    parsed = find_date(text, today=dt.date(2025, 6, 1))
    assert parsed is not None
    assert parsed.iso is None
    assert parsed.warnings


def test_no_date_phrase() -> None:
    assert find_date("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") is None


def test_gazetteer_restores_damaged_provinces_only() -> None:
    assert canonical_place("Quang Binh") == ("Quảng Bình", True)
    assert canonical_place("Quảng Blnh") == ("Quảng Bình", True)
    assert canonical_place("Hà Nội") == ("Hà Nội", False)
    # An unknown place is kept as read, never replaced by a similar province.
    assert canonical_place("Hà Tiên") == ("Hà Tiên", False)
    assert canonical_place("Sơn Tây") == ("Sơn Tây", False)


def test_abbreviated_unit_opens_the_place() -> None:
    parsed = find_date("TP. Hồ Chí Minh, ngày 02 tháng 01 năm 2020", today=dt.date(2025, 6, 1))
    assert parsed is not None and parsed.place == "TP. Hồ Chí Minh"
