"""Mapping to TT 05 EAD_doc, ND 30 PL VI and Dublin Core: code lists and lengths enforced."""

from __future__ import annotations

import pytest

from ingest.extract import Extraction, to_dublin_core, to_nd30_input, to_tt05_ead_doc
from ingest.extract.mapping import tt05_type_code
from ingest.extract.vocab import DOC_TYPES


def sample(**changes: object) -> Extraction:
    ex = Extraction(
        document_type="Quyết định", reference="2291/QĐ-UBND", number="2291", symbol="QĐ-UBND",
        issued_date="2023-12-15", issued_place="Thừa Thiên Huế", issuing_agency="ỦY BAN NHÂN DÂN TỈNH THỪA THIÊN HUẾ",
        summary="Về việc xây dựng cơ sở dữ liệu cán bộ, công chức, viên chức", signer_name="Nguyễn Văn An",
        signer_title="PHÓ CHỦ TỊCH", signer_authority="KT. CHỦ TỊCH", page_count=2, language="vi",
    )
    for name, value in changes.items():
        setattr(ex, name, value)
    return ex


def test_tt05_ead_doc() -> None:
    rec = to_tt05_ead_doc(sample())
    assert rec.ok
    f = rec.fields
    assert (f["typeName"], f["codeNumber"], f["codeNotation"]) == ("02", "2291", "QĐ-UBND")
    assert f["issuedDate"] == "15/12/2023"
    assert f["organName"] == "ỦY BAN NHÂN DÂN TỈNH THỪA THIÊN HUẾ"
    assert f["language"] == "01" and f["numberOfPage"] == 2
    assert f["confidenceLevel"] == "02" and f["mode"] is None
    assert to_tt05_ead_doc(sample(born_digital=True)).fields["confidenceLevel"] == "01"
    assert to_tt05_ead_doc(sample(confidentiality="MẬT")).fields["mode"] == "03"


@pytest.mark.parametrize(("name", "code"), [("Nghị quyết", "01"), ("Công văn", "22"), ("Công điện", "23"),
                                            ("Giấy nghỉ phép", "28"), ("Thư công", "29"), ("Thông tư", "32"),
                                            ("Bản sao y", "32"), (None, None)])
def test_type_codes(name: str | None, code: str | None) -> None:
    assert tt05_type_code(name) == code


def test_every_type_has_a_two_digit_code_in_range() -> None:
    for doc_type in DOC_TYPES:
        assert 1 <= int(tt05_type_code(doc_type.name)) <= 32


def test_overlong_values_are_flagged_not_truncated() -> None:
    rec = to_tt05_ead_doc(sample(summary="Về việc " + "x" * 600, symbol="QĐ-" + "A" * 40))
    assert rec.fields["subject"] is None and rec.fields["codeNotation"] is None
    assert {p.field for p in rec.problems} == {"subject", "codeNotation"}
    nd30 = to_nd30_input(sample(signer_name="Nguyễn " * 10))
    assert nd30.fields["SignerInfo"]["FullName"] is None
    assert [p.field for p in nd30.problems] == ["SignerInfo.FullName"]


def test_nd30_input_and_priority() -> None:
    rec = to_nd30_input(sample(urgency="HỎA TỐC"))
    f = rec.fields
    assert (f["TypeName"], f["CodeNumber"], f["CodeNotation"], f["IssuedDate"]) == ("Quyết định", "2291", "QĐ-UBND", "15/12/2023")
    assert f["SignerInfo"] == {"Position": "PHÓ CHỦ TỊCH", "FullName": "Nguyễn Văn An"}
    assert f["Priority"] == 3 and f["PageAmount"] == 2
    assert to_nd30_input(sample()).fields["Priority"] == 0
    assert to_nd30_input(sample(confidentiality="TUYỆT MẬT")).fields["Priority"] == 6
    both = to_nd30_input(sample(confidentiality="MẬT", urgency="KHẨN"))
    assert both.fields["Priority"] == 7 and [p.field for p in both.problems] == ["Priority"]


def test_page_counts_out_of_range() -> None:
    assert [p.field for p in to_nd30_input(sample(page_count=1000)).problems] == ["PageAmount"]
    assert to_tt05_ead_doc(sample(page_count=1000)).ok


def test_dublin_core_crosswalk() -> None:
    dc = to_dublin_core(sample(parent_agency="BỘ NỘI VỤ", confidentiality="MẬT")).fields
    assert dc["title"] == ["Về việc xây dựng cơ sở dữ liệu cán bộ, công chức, viên chức"]
    assert dc["creator"] == ["ỦY BAN NHÂN DÂN TỈNH THỪA THIÊN HUẾ", "Nguyễn Văn An"]
    assert dc["identifier"] == ["2291/QĐ-UBND"] and dc["date"] == ["2023-12-15"]
    assert dc["type"] == ["Quyết định"] and dc["language"] == ["vi"]
    assert dc["contributor"] == ["BỘ NỘI VỤ"] and dc["rights"] == ["MẬT"]
    assert "description" not in dc
