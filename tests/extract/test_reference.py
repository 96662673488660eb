"""Số/ký hiệu parsing on damaged readings (ND 30 PL I II.3)."""

from __future__ import annotations

import pytest

from ingest.extract.reference import parse_reference, strip_so_label


@pytest.mark.parametrize(
    ("text", "number", "year", "symbol"),
    [
        ("2291/QĐ-UBND", "2291", None, "QĐ-UBND"),
        ("02/2019/TT-BNV", "02", "2019", "TT-BNV"),
        ("30/2020/NĐ-CP", "30", "2020", "NĐ-CP"),
        ("12/QyĐ-UBND", "12", None, "QyĐ-UBND"),
        ("05/TTr-SNV", "05", None, "TTr-SNV"),
        ("458/QĐ-TTg", "458", None, "QĐ-TTg"),
        ("33/2024/QH15", "33", "2024", "QH15"),
        ("2406 / SNV - VTLT", "2406", None, "SNV-VTLT"),
        ("06/QĐ- -TTg", "06", None, "QĐ-TTg"),
        ("l9O5/KH-UBND", "1905", None, "KH-UBND"),
        ("2O34/2O18/TT-UBND", "2034", "2018", "TT-UBND"),
        ("1511/BC–BGTVT.", "1511", None, "BC-BGTVT"),
        ("122/BC-STTTT 11/7... nh", "122", None, "BC-STTTT"),
        ("12/B0NV-VP", "12", None, "BONV-VP"),
    ],
)
def test_parses_number_year_and_symbol(text: str, number: str, year: str | None, symbol: str) -> None:
    ref = parse_reference(text)
    assert ref is not None
    assert (ref.number, ref.year, ref.symbol) == (number, year, symbol)


def test_reference_rebuilds_the_printed_form() -> None:
    assert parse_reference("02/2019/TT-BNV").reference == "02/2019/TT-BNV"
    assert parse_reference("2406 / SNV-VTLT").reference == "2406/SNV-VTLT"


def test_party_documents_keep_their_own_form() -> None:
    ref = parse_reference("52-NQ/TW")
    assert ref is not None and ref.party_form
    assert ref.reference == "52-NQ/TW"


def test_slash_read_as_letter_is_restored() -> None:
    ref = parse_reference("1935lTTr-SNV")
    assert ref is not None and ref.reference == "1935/TTr-SNV"
    assert "slash" in ref.fixes


@pytest.mark.parametrize("text", ["", "V/v triển khai", "Hà Nội, ngày 5 tháng 1", "ABC/DEF", "/QĐ-UBND"])
def test_non_references_are_rejected(text: str) -> None:
    assert parse_reference(text) is None


@pytest.mark.parametrize(
    ("line", "rest"),
    [("Số: 15/QĐ-BNV", "15/QĐ-BNV"), ("Sô: 15/QĐ-BNV", "15/QĐ-BNV"), ("So: 15/QĐ-BNV", "15/QĐ-BNV"),
     ("S6: 15/QĐ-BNV", "15/QĐ-BNV"), ("Số:15/QĐ-BNV", "15/QĐ-BNV")],
)
def test_so_label_variants(line: str, rest: str) -> None:
    assert strip_so_label(line) == rest


def test_a_line_without_the_label_is_not_a_so_line() -> None:
    assert strip_so_label("Sở Nội vụ") is None
    assert strip_so_label("Quyết định số 1198/QĐ-BNV") is None
