"""TT 05/2025 descriptive metadata: the ``simpledc`` blocks of EAD.xml and EAD_doc_*.xml.

One field table drives everything: validation of Python values (lengths, code lists, dates), the
XML written into packages, the XML read back from received packages, and the EAD XSDs put in each
package's ``schemas/`` folder. Keeping a single table is what stops those four from drifting
apart, which is the failure the TT 05 annexes themselves show (16, 17 or 18 fields for one block).

Each block has *variants* because TT 05 names the same datum differently per package type
(``fileCode`` in a SIP, ``arcFileCode`` in an AIP) and drops or adds fields (the AIP ``EAD_doc``
has no ``docId``). Variants are "SIP", "AIP" and "DIP".
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Literal, Self

from lxml import etree

from ingest.package import vocab
from ingest.package.errors import MetadataError
from ingest.package.xmlutil import XSI, safe_parser

Kind = Literal["text", "code", "codes", "int", "bool", "date"]
Variant = Literal["SIP", "AIP", "DIP"]
XS = "http://www.w3.org/2001/XMLSchema"
_FULL_DATE = "DD/MM/YYYY"
_DATE_PATTERNS = {"DD/MM/YYYY": r"\d{2}/\d{2}/\d{4}", "MM/YYYY": r"\d{2}/\d{4}", "YYYY": r"\d{4}"}


@dataclass(frozen=True)
class Field:
    """One simpledc element: its Python attribute, TT 05 label, type, maximum length and code list."""

    element: str
    attr: str
    label: str
    kind: Kind
    length: int | None = None
    codes: Mapping[str, str] | None = None
    required: bool = False
    date_forms: tuple[str, ...] = (_FULL_DATE,)


def _variant(fields: Mapping[str, Field], order: str, required: str, **overrides: Field) -> tuple[Field, ...]:
    """Fields of one variant in element order, with that variant's required set applied."""
    table = {**fields, **overrides}
    needed = set(required.split())
    return tuple(dataclasses.replace(table[name], required=name in needed) for name in order.split())


class SimpleDC:
    """Behaviour shared by the simpledc blocks; subclasses are frozen dataclasses plus a VARIANTS table."""

    VARIANTS: ClassVar[Mapping[str, tuple[Field, ...]]]
    SCHEMA: ClassVar[str]

    @classmethod
    def fields(cls, variant: str) -> tuple[Field, ...]:
        try:
            return cls.VARIANTS[variant]
        except KeyError:
            raise MetadataError(cls.SCHEMA, f"{cls.__name__} has no {variant} form; use one of "
                                            f"{', '.join(cls.VARIANTS)}.") from None

    def check(self, variant: str) -> None:
        """Raise MetadataError naming the first element that breaks a TT 05 rule in this variant."""
        for field in self.fields(variant):
            _check_value(field, getattr(self, field.attr))
        self._cross_rules(variant)

    def _cross_rules(self, variant: str) -> None:
        """Rules between fields; the base block has none."""

    def only(self, variant: str) -> Self:
        """A copy keeping just the fields this variant has, the others reset to their defaults.

        Converting a SIP block to its AIP form must drop what the AIP cannot carry (``docId``,
        ``maintenance`` …), or the converted value would differ from what its package says.
        """
        kept = {field.attr for field in self.fields(variant)}
        return dataclasses.replace(self, **{  # type: ignore[type-var]
            item.name: item.default for item in dataclasses.fields(self)  # type: ignore[arg-type]
            if item.name not in kept and item.default is not dataclasses.MISSING})

    def to_xml(self, variant: str, schema_location: str | None = None) -> bytes:
        """The simpledc document, every element present (TT 05 XSDs require each one), empty when unknown."""
        self.check(variant)
        root = etree.Element("simpledc", nsmap={"xsi": XSI})
        if schema_location:
            root.set(f"{{{XSI}}}noNamespaceSchemaLocation", schema_location)
        for field in self.fields(variant):
            etree.SubElement(root, field.element).text = _render(field, getattr(self, field.attr))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    @classmethod
    def from_xml(cls, data: bytes, variant: str) -> Self:
        """Parse a simpledc document of the given variant; element order is not enforced, names are."""
        try:
            root = etree.fromstring(data, parser=safe_parser())
        except etree.XMLSyntaxError as exc:
            raise MetadataError(cls.SCHEMA, f"not well-formed XML ({exc})") from None
        if etree.QName(root).localname != "simpledc":
            raise MetadataError(cls.SCHEMA, f"root element is <{root.tag}>, expected <simpledc>")
        fields = {field.element: field for field in cls.fields(variant)}
        seen: dict[str, str] = {}
        for child in root:
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child).localname
            if name not in fields:
                raise MetadataError(name, f"is not a {variant} {cls.SCHEMA} element; expected only "
                                          f"{', '.join(fields)}")
            if name in seen:
                raise MetadataError(name, "appears more than once")
            seen[name] = (child.text or "").strip()
        values = {field.attr: _parse(field, seen.get(field.element, "")) for field in fields.values()}
        instance = cls(**values)  # type: ignore[call-arg]
        instance.check(variant)
        return instance

    @classmethod
    def xsd(cls, variant: str) -> bytes:
        """An XSD for this variant, generated from the same table, so packages are checkable offline."""
        schema = etree.Element(f"{{{XS}}}schema", nsmap={"xs": XS}, elementFormDefault="qualified")
        note = etree.SubElement(etree.SubElement(schema, f"{{{XS}}}annotation"), f"{{{XS}}}documentation")
        note.text = (f"TT 05/2025/TT-BNV {cls.SCHEMA} simpledc block, {variant} form, generated by luutru from its "
                     "field table (lengths and code lists of the circular's annexes).")
        root = etree.SubElement(schema, f"{{{XS}}}element", name="simpledc")
        sequence = etree.SubElement(etree.SubElement(root, f"{{{XS}}}complexType"), f"{{{XS}}}sequence")
        for field in cls.fields(variant):
            element = etree.SubElement(sequence, f"{{{XS}}}element", name=field.element)
            _xsd_type(element, field)
        return etree.tostring(schema, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _where(field: Field) -> str:
    return f"({field.label})"


def _check_value(field: Field, value: object) -> None:
    missing = value is None or value == "" or value == ()
    if missing:
        if field.required:
            raise MetadataError(field.element, f"{_where(field)} is required by TT 05")
        return
    if field.kind == "bool":
        if not isinstance(value, bool):
            raise MetadataError(field.element, f"{_where(field)} must be true or false (1/0), not {value!r}")
        return
    if field.kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise MetadataError(field.element, f"{_where(field)} must be a whole number ≥ 0, not {value!r}")
        if field.length is not None and len(str(value)) > field.length:
            raise MetadataError(field.element, f"{_where(field)} {value} has more than {field.length} digits")
        return
    if field.kind == "codes":
        if not isinstance(value, tuple):
            raise MetadataError(field.element, f"{_where(field)} must be a tuple of codes, not {value!r}")
        for code in value:
            _check_code(field, code)
        text = _render(field, value)
    else:
        if not isinstance(value, str):
            raise MetadataError(field.element, f"{_where(field)} must be text, not {type(value).__name__}")
        text = value
        if text != text.strip():
            raise MetadataError(field.element, f"{_where(field)} has leading or trailing spaces: {text!r}")
        if field.kind == "code":
            _check_code(field, text)
        elif field.kind == "date":
            _check_date(field, text)
    if field.length is not None and len(text) > field.length:
        raise MetadataError(field.element, f"{_where(field)} is {len(text)} characters long; TT 05 allows at most "
                                           f"{field.length}")


def _check_code(field: Field, code: object) -> None:
    assert field.codes is not None
    if code not in field.codes:
        allowed = ", ".join(f"{key} ({label})" for key, label in field.codes.items())
        raise MetadataError(field.element, f"{_where(field)} {code!r} is not in the TT 05 code list: {allowed}")


def _check_date(field: Field, text: str) -> None:
    for form in field.date_forms:
        if re.fullmatch(_DATE_PATTERNS[form], text):
            parts = [int(p) for p in text.split("/")]
            day, month, year = ([1] * (3 - len(parts))) + parts
            try:
                date(year, month, day)
            except ValueError:
                raise MetadataError(field.element, f"{_where(field)} {text!r} is not a real date") from None
            return
    raise MetadataError(field.element, f"{_where(field)} {text!r} must be written as "
                                       f"{' or '.join(field.date_forms)}")


def _render(field: Field, value: object) -> str:
    if value is None:
        return ""
    if field.kind == "bool":
        return "1" if value else "0"
    if field.kind == "codes":
        return ",".join(value)  # type: ignore[arg-type]
    return str(value)


def _parse(field: Field, text: str) -> object:
    if field.kind == "bool":
        if text not in ("", "0", "1"):
            raise MetadataError(field.element, f"{_where(field)} must be 1 or 0, not {text!r}")
        return text == "1"
    if text == "":
        return () if field.kind == "codes" else None
    if field.kind == "int":
        if not text.isdigit():
            raise MetadataError(field.element, f"{_where(field)} must be a whole number, not {text!r}")
        return int(text)
    if field.kind == "codes":
        return tuple(code.strip() for code in text.split(","))
    return text


def _xsd_type(element: etree._Element, field: Field) -> None:
    simple = etree.SubElement(element, f"{{{XS}}}simpleType")
    restriction = etree.SubElement(simple, f"{{{XS}}}restriction", base="xs:string")
    optional = "" if field.required else "?"
    if field.kind in ("code", "bool"):
        codes = list(field.codes or {}) if field.kind == "code" else ["0", "1"]
        for code in codes + ([""] if not field.required and field.kind == "code" else []):
            etree.SubElement(restriction, f"{{{XS}}}enumeration", value=code)
        return
    if field.kind == "codes":
        one = "(" + "|".join(field.codes or {}) + ")"
        etree.SubElement(restriction, f"{{{XS}}}pattern", value=f"({one}(,{one})*){optional}")
    elif field.kind == "int":
        etree.SubElement(restriction, f"{{{XS}}}pattern", value=f"(\\d{{1,{field.length}}}){optional}")
    elif field.kind == "date":
        forms = "|".join(_DATE_PATTERNS[form] for form in field.date_forms)
        etree.SubElement(restriction, f"{{{XS}}}pattern", value=f"({forms}){optional}")
    elif field.required:
        etree.SubElement(restriction, f"{{{XS}}}minLength", value="1")
    if field.length is not None and field.kind != "int":
        etree.SubElement(restriction, f"{{{XS}}}maxLength", value=str(field.length))


def _fields(*items: Field) -> dict[str, Field]:
    return {item.element: item for item in items}


_FILE_FIELDS = _fields(
    Field("fileCode", "file_code", "Mã hồ sơ", "text", 100),
    Field("arcFileCode", "file_code", "Mã hồ sơ lưu trữ", "text", 100),
    Field("title", "title", "Tiêu đề hồ sơ", "text", 1000),
    Field("maintenance", "maintenance", "Thời hạn lưu trữ", "code", 100, vocab.MAINTENANCE),
    Field("mode", "mode", "Chế độ sử dụng", "code", 30, vocab.MODE),
    Field("language", "language", "Ngôn ngữ", "codes", 100, vocab.LANGUAGE),
    Field("startDate", "start_date", "Thời gian bắt đầu", "date"),
    Field("endDate", "end_date", "Thời gian kết thúc", "date"),
    Field("keyword", "keyword", "Từ khóa", "text", 100),
    Field("totalDoc", "total_doc", "Tổng số tài liệu", "int", 10),
    Field("numberOfPaper", "number_of_paper", "Số lượng tờ", "int", 10),
    Field("numberOfPage", "number_of_page", "Số lượng trang", "int", 10),
    Field("format", "physical_state", "Tình trạng vật lý", "code", 50, vocab.PHYSICAL_STATE),
    Field("inforSign", "infor_sign", "Ký hiệu thông tin", "text", 30),
    Field("confidenceLevel", "confidence_level", "Mức độ tin cậy", "code", 40, vocab.CONFIDENCE_LEVEL),
    Field("paperFileCode", "paper_file_code", "Mã hồ sơ gốc giấy", "text", 100),
    Field("riskRecovery", "risk_recovery", "Chế độ dự phòng", "bool", 1),
    Field("riskRecoveryStatus", "risk_recovery_status", "Tình trạng dự phòng", "code", 2,
          vocab.RISK_RECOVERY_STATUS),
    Field("description", "description", "Ghi chú", "text", 2000),
)
_FILE_ORDER = ("title maintenance mode language startDate endDate keyword totalDoc numberOfPaper numberOfPage "
               "format inforSign confidenceLevel paperFileCode riskRecovery riskRecoveryStatus description")
_FILE_REQUIRED = "title maintenance mode language confidenceLevel"
_ANY_DATE = ("DD/MM/YYYY", "MM/YYYY", "YYYY")


@dataclass(frozen=True, kw_only=True)
class FileDescription(SimpleDC):
    """File level (hồ sơ) ``EAD.xml``: the 18 fields of SIP_hoso / AIP_hoso."""

    VARIANTS: ClassVar[Mapping[str, tuple[Field, ...]]] = {
        "SIP": _variant(_FILE_FIELDS, "fileCode " + _FILE_ORDER, "fileCode " + _FILE_REQUIRED),
        "AIP": _variant(_FILE_FIELDS, "arcFileCode " + _FILE_ORDER, "arcFileCode " + _FILE_REQUIRED,
                        startDate=dataclasses.replace(_FILE_FIELDS["startDate"], date_forms=_ANY_DATE),
                        endDate=dataclasses.replace(_FILE_FIELDS["endDate"], date_forms=_ANY_DATE)),
    }
    SCHEMA: ClassVar[str] = "EAD"

    file_code: str
    title: str
    maintenance: str
    mode: str
    language: tuple[str, ...]
    confidence_level: str
    start_date: str | None = None
    end_date: str | None = None
    keyword: str | None = None
    total_doc: int | None = None
    number_of_paper: int | None = None
    number_of_page: int | None = None
    physical_state: str | None = None
    infor_sign: str | None = None
    paper_file_code: str | None = None
    risk_recovery: bool = False
    risk_recovery_status: str | None = None
    description: str | None = None

    def _cross_rules(self, variant: str) -> None:
        if self.confidence_level == "02" and not self.paper_file_code:
            raise MetadataError("paperFileCode", "(Mã hồ sơ gốc giấy) is required when confidenceLevel is 02 "
                                                 "(Số hóa): name the paper file this digitised file copies")
        _risk_rule(self.risk_recovery, self.risk_recovery_status)


_LOOSE_FIELDS = _fields(
    _FILE_FIELDS["fileCode"], _FILE_FIELDS["arcFileCode"], _FILE_FIELDS["title"], _FILE_FIELDS["totalDoc"],
    _FILE_FIELDS["description"],
    Field("source", "source", "Nguồn (đi/đến)", "code", 1, vocab.DOCUMENT_SOURCE),
)


@dataclass(frozen=True, kw_only=True)
class LooseFileDescription(SimpleDC):
    """Loose-document (tài liệu) ``EAD.xml``: 5 fields in SIP_tailieu, 4 in AIP_tailieu."""

    VARIANTS: ClassVar[Mapping[str, tuple[Field, ...]]] = {
        "SIP": _variant(_LOOSE_FIELDS, "fileCode title source totalDoc description", "fileCode title source"),
        "AIP": _variant(_LOOSE_FIELDS, "arcFileCode title source description", "arcFileCode title source"),
    }
    SCHEMA: ClassVar[str] = "EAD"

    file_code: str
    title: str
    source: str
    total_doc: int | None = None
    description: str | None = None


_DOC_FIELDS = _fields(
    Field("docId", "doc_id", "Mã định danh tài liệu", "text", 25),
    Field("docCode", "doc_code", "Mã tài liệu", "text", 100),
    Field("arcDocCode", "arc_doc_code", "Mã tài liệu lưu trữ", "text", 100),
    Field("arcFileCode", "arc_file_code", "Mã hồ sơ lưu trữ", "text", 100),
    Field("docOrdinal", "doc_ordinal", "Số thứ tự tài liệu", "int", 7),
    Field("maintenance", "maintenance", "Thời hạn lưu trữ", "code", 100, vocab.MAINTENANCE),
    Field("typeName", "type_name", "Tên loại tài liệu", "code", 10, vocab.TYPE_NAME),
    Field("codeNumber", "code_number", "Số của tài liệu", "text", 11),
    Field("codeNotation", "code_notation", "Ký hiệu của tài liệu", "text", 30),
    Field("issuedDate", "issued_date", "Ngày, tháng, năm tài liệu", "date"),
    Field("organName", "organ_name", "Tên cơ quan, tổ chức ban hành", "text", 200),
    Field("subject", "subject", "Trích yếu nội dung", "text", 500),
    Field("language", "language", "Ngôn ngữ", "codes", 100, vocab.LANGUAGE),
    Field("numberOfPage", "number_of_page", "Số lượng trang", "int", 4),
    Field("inforSign", "infor_sign", "Ký hiệu thông tin", "text", 30),
    Field("keyword", "keyword", "Từ khóa", "text", 100),
    Field("mode", "mode", "Chế độ sử dụng", "code", 20, vocab.MODE),
    Field("confidenceLevel", "confidence_level", "Mức độ tin cậy", "code", 30, vocab.CONFIDENCE_LEVEL),
    Field("autograph", "autograph", "Bút tích", "text", 2000),
    Field("format", "physical_state", "Tình trạng vật lý", "code", 50, vocab.PHYSICAL_STATE),
    Field("process", "process", "Quy trình xử lý", "bool", 1),
    Field("riskRecovery", "risk_recovery", "Chế độ dự phòng", "bool", 1),
    Field("riskRecoveryStatus", "risk_recovery_status", "Tình trạng dự phòng", "code", 2,
          vocab.RISK_RECOVERY_STATUS),
    Field("description", "description", "Ghi chú", "text", 500),
)
_DOC_SIP = ("docId docCode maintenance typeName codeNumber codeNotation issuedDate organName subject language "
            "numberOfPage inforSign keyword mode confidenceLevel autograph format process riskRecovery "
            "riskRecoveryStatus description")
_DOC_AIP = ("arcFileCode mode language keyword numberOfPage format inforSign confidenceLevel description docCode "
            "docOrdinal typeName codeNumber codeNotation issuedDate organName subject autograph process")
_DOC_DIP = _DOC_SIP.replace("docCode", "arcDocCode").replace(" organName", "")
_DOC_REQUIRED = "typeName subject mode language confidenceLevel"


@dataclass(frozen=True, kw_only=True)
class DocumentDescription(SimpleDC):
    """Document level ``EAD_doc``: 21 fields in a SIP, 19 in an AIP, 20 in a DIP (TT 05 annexes)."""

    VARIANTS: ClassVar[Mapping[str, tuple[Field, ...]]] = {
        "SIP": _variant(_DOC_FIELDS, _DOC_SIP, "docId docCode maintenance " + _DOC_REQUIRED),
        "AIP": _variant(_DOC_FIELDS, _DOC_AIP, "arcFileCode docCode docOrdinal " + _DOC_REQUIRED),
        "DIP": _variant(_DOC_FIELDS, _DOC_DIP, "arcDocCode " + _DOC_REQUIRED),
    }
    SCHEMA: ClassVar[str] = "EAD_doc"

    type_name: str
    subject: str
    mode: str
    language: tuple[str, ...]
    confidence_level: str
    doc_code: str | None = None
    doc_id: str | None = None
    arc_doc_code: str | None = None
    arc_file_code: str | None = None
    doc_ordinal: int | None = None
    maintenance: str | None = None
    code_number: str | None = None
    code_notation: str | None = None
    issued_date: str | None = None
    organ_name: str | None = None
    number_of_page: int | None = None
    infor_sign: str | None = None
    keyword: str | None = None
    autograph: str | None = None
    physical_state: str | None = None
    process: bool = False
    risk_recovery: bool = False
    risk_recovery_status: str | None = None
    description: str | None = None

    def _cross_rules(self, variant: str) -> None:
        if variant != "AIP":
            _risk_rule(self.risk_recovery, self.risk_recovery_status)


_REQUEST_FIELDS = _fields(
    Field("requestID", "request_id", "Mã yêu cầu", "text", 100),
    Field("requestDate", "request_date", "Ngày yêu cầu", "date"),
    Field("purpose", "purpose", "Mục đích", "code", 2, vocab.ACCESS_PURPOSE),
    Field("purposeContent", "purpose_content", "Nội dung mục đích", "text", 500),
    Field("feeObjectType", "fee_object_type", "Đối tượng thu phí", "code", 2, vocab.FEE_OBJECT_TYPE),
    Field("researchTopic", "research_topic", "Chủ đề nghiên cứu", "text", 250),
    Field("description", "description", "Ghi chú", "text", 2000),
)


@dataclass(frozen=True, kw_only=True)
class AccessRequest(SimpleDC):
    """DIP ``EAD.xml``: the access request the DIP answers, not a description of the records."""

    VARIANTS: ClassVar[Mapping[str, tuple[Field, ...]]] = {
        "DIP": _variant(_REQUEST_FIELDS, "requestID requestDate purpose purposeContent feeObjectType researchTopic "
                                         "description", "requestID requestDate purpose feeObjectType"),
    }
    SCHEMA: ClassVar[str] = "EAD"

    request_id: str
    request_date: str
    purpose: str
    fee_object_type: str
    purpose_content: str | None = None
    research_topic: str | None = None
    description: str | None = None


def _risk_rule(risk_recovery: bool, status: str | None) -> None:
    if risk_recovery and not status:
        raise MetadataError("riskRecoveryStatus", "(Tình trạng dự phòng) is required when riskRecovery is 1")


def tt05_date(value: date) -> str:
    """A date in the DD/MM/YYYY form TT 05 prescribes for simpledc dates."""
    return value.strftime("%d/%m/%Y")
