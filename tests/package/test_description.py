"""The TT 05 simpledc blocks: field rules, code lists, XML round trips and the generated XSDs."""

from __future__ import annotations

import pytest
from lxml import etree

from ingest.package import AccessRequest, DocumentDescription, FileDescription, LooseFileDescription, MetadataError
from tests.package.conftest import document, file_description


def test_file_level_block_has_the_18_fields_in_both_forms() -> None:
    sip = [field.element for field in FileDescription.fields("SIP")]
    aip = [field.element for field in FileDescription.fields("AIP")]
    assert len(sip) == len(aip) == 18
    assert sip[0] == "fileCode" and aip[0] == "arcFileCode" and sip[1:] == aip[1:]


def test_document_block_sizes_follow_the_annexes() -> None:
    assert len(DocumentDescription.fields("SIP")) == 21
    assert len(DocumentDescription.fields("AIP")) == 19
    dip = [field.element for field in DocumentDescription.fields("DIP")]
    assert len(dip) == 20 and "arcDocCode" in dip and "organName" not in dip


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"file_code": "H" * 101}, "arcFileCode", "at most 100"),
    ({"title": "t" * 1001}, "title", "at most 1000"),
    ({"maintenance": "08"}, "maintenance", "not in the TT 05 code list"),
    ({"mode": "1"}, "mode", "not in the TT 05 code list"),
    ({"language": ("01", "12")}, "language", "'12'"),
    ({"confidence_level": "02", "paper_file_code": None}, "paperFileCode", "required when confidenceLevel is 02"),
    ({"risk_recovery": True}, "riskRecoveryStatus", "required when riskRecovery is 1"),
    ({"start_date": "31/02/2024"}, "startDate", "not a real date"),
    ({"end_date": "2024-05-27"}, "endDate", "DD/MM/YYYY or MM/YYYY or YYYY"),
    ({"total_doc": 12345678901}, "totalDoc", "more than 10 digits"),
    ({"description": "x" * 2001}, "description", "at most 2000"),
    ({"title": ""}, "title", "required"),
])
def test_file_level_rules_name_the_field(changes: dict[str, object], field: str, words: str) -> None:
    with pytest.raises(MetadataError) as caught:
        file_description(**changes).check("AIP")
    assert caught.value.field == field and words in str(caught.value)


def test_sip_dates_must_be_full_but_aip_dates_may_be_partial() -> None:
    file_description(start_date="05/2024", end_date="2024").check("AIP")
    with pytest.raises(MetadataError, match="startDate"):
        file_description(start_date="05/2024").check("SIP")


@pytest.mark.parametrize(("changes", "variant", "field"), [
    ({"type_name": "33"}, "AIP", "typeName"),
    ({"code_number": "123456789012"}, "AIP", "codeNumber"),
    ({"subject": "s" * 501}, "AIP", "subject"),
    ({"number_of_page": 10000}, "AIP", "numberOfPage"),
    ({"doc_ordinal": None}, "AIP", "docOrdinal"),
    ({"doc_id": None, "maintenance": "01"}, "SIP", "docId"),
    ({"arc_doc_code": None}, "DIP", "arcDocCode"),
])
def test_document_rules_name_the_field(changes: dict[str, object], variant: str, field: str) -> None:
    with pytest.raises(MetadataError) as caught:
        document(**changes).check(variant)
    assert caught.value.field == field


@pytest.mark.parametrize(("block", "variant"), [
    (file_description(), "AIP"),
    (file_description(start_date="27/05/2024"), "SIP"),
    (document(), "AIP"),
    (document(doc_id="H49.64.33.2024.160.1", maintenance="01", risk_recovery=True, risk_recovery_status="01"), "SIP"),
    (document(arc_doc_code="H49.64.33.2024.160.0000001", maintenance="01"), "DIP"),
    (LooseFileDescription(file_code="H49.2024.VB", title="Văn bản đi năm 2024", source="0", total_doc=3), "SIP"),
    (LooseFileDescription(file_code="H49.2024.VB", title="Văn bản đi năm 2024", source="0"), "AIP"),
    (AccessRequest(request_id="YC-2025-0001", request_date="02/07/2025", purpose="02", fee_object_type="01",
                   research_topic="Chuyển đổi số"), "DIP"),
])
def test_xml_round_trip_and_generated_xsd(block: object, variant: str) -> None:
    data = block.to_xml(variant)  # type: ignore[attr-defined]
    schema = etree.XMLSchema(etree.fromstring(type(block).xsd(variant)))
    assert schema.validate(etree.fromstring(data)), schema.error_log
    parsed = type(block).from_xml(data, variant)  # type: ignore[attr-defined]
    for field in type(block).fields(variant):  # type: ignore[attr-defined]
        assert getattr(parsed, field.attr) == getattr(block, field.attr), field.element


def test_the_generated_xsd_refuses_what_the_dataclass_refuses() -> None:
    schema = etree.XMLSchema(etree.fromstring(FileDescription.xsd("AIP")))
    tree = etree.fromstring(file_description().to_xml("AIP"))
    tree.find("maintenance").text = "09"
    assert not schema.validate(tree)
    assert "maintenance" in str(schema.error_log)


def test_reading_refuses_unknown_and_repeated_elements() -> None:
    data = file_description().to_xml("AIP")
    with pytest.raises(MetadataError, match="not a AIP EAD element"):
        FileDescription.from_xml(data.replace(b"<title>", b"<tittle>x</tittle><title>"), "AIP")
    with pytest.raises(MetadataError, match="more than once"):
        FileDescription.from_xml(data.replace(b"<mode>01</mode>", b"<mode>01</mode><mode>02</mode>"), "AIP")
