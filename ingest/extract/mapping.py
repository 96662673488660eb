"""Map an `Extraction` onto the standard schemas: TT 05/2025 EAD_doc, ND 30 PL VI, Dublin Core.

Code lists and field lengths are enforced here. A value that does not fit is never truncated:
truncating a ký hiệu or a name silently produces a wrong record that looks right. It is left out
of the mapped record and reported in ``problems`` so the ingest step can route the document to a
person (standards.md §1.1.5, §1.2.5, §2.4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingest.extract.model import Extraction
from ingest.extract.vocab import TT05_OTHER, TYPE_BY_NAME

#: TT 05 language codes (01 Việt … 05 Trung, 11 Khác), from ISO 639-1.
TT05_LANGUAGE = {"vi": "01", "en": "02", "fr": "03", "ru": "04", "zh": "05"}
TT05_LANGUAGE_OTHER = "11"
#: TT 05 confidenceLevel: 01 Gốc điện tử, 02 Số hóa.
BORN_DIGITAL, DIGITISED = "01", "02"
#: TT 05 mode: 01 Công khai, 03 Mật. A secrecy stamp makes a document "Mật"; otherwise the
#: access regime is the archivist's decision and is left empty.
MODE_SECRET = "03"

#: ND 30 PL VI "Priority" is Number(1) and the decree gives no code table (standards.md §1.1.4),
#: so this local table is ours: 0 none, 1–3 urgency, 4–6 secrecy, 7 both (values kept in full
#: in the separate fields, and the combination reported as a problem).
PRIORITY_NONE = 0
PRIORITY_URGENCY = {"KHẨN": 1, "THƯỢNG KHẨN": 2, "HỎA TỐC": 3}
PRIORITY_SECRECY = {"MẬT": 4, "TỐI MẬT": 5, "TUYỆT MẬT": 6}
PRIORITY_BOTH = 7

#: Field lengths: ND 30 PL VI Part II (I) and TT 05 SIP EAD_doc.
ND30_LENGTHS = {"TypeName": 100, "CodeNumber": 11, "CodeNotation": 30, "IssuedDate": 10, "OrganName": 200,
                "Subject": 500, "Language": 30, "Position": 100, "FullName": 50}
ND30_MAX_PAGES = 999
TT05_LENGTHS = {"typeName": 10, "codeNumber": 11, "codeNotation": 30, "organName": 200, "subject": 500,
                "language": 100, "mode": 20, "confidenceLevel": 30}
TT05_MAX_PAGES = 9999


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str
    reason: str
    value: Any = None


@dataclass(slots=True)
class MappedRecord:
    """A record in one schema; ``problems`` lists what was left out or is doubtful, and why."""

    fields: dict[str, Any]
    problems: list[FieldProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _put(record: MappedRecord, name: str, value: Any, limit: int | None) -> None:
    if value is None:
        record.fields[name] = None
        return
    if limit is not None and isinstance(value, str) and len(value) > limit:
        record.fields[name] = None
        record.problems.append(FieldProblem(name, f"longer than {limit} characters ({len(value)})", value))
        return
    record.fields[name] = value


def _ddmmyyyy(iso: str | None) -> str | None:
    if not iso:
        return None
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def tt05_type_code(document_type: str | None) -> str | None:
    """TT 05 typeName code 01–32; types without a code of their own (VBQPPL, copies) are 32 Khác."""
    if document_type is None:
        return None
    doc_type = TYPE_BY_NAME.get(document_type)
    return doc_type.tt05_code if doc_type else TT05_OTHER


def to_tt05_ead_doc(ex: Extraction) -> MappedRecord:
    """The TT 05/2025 SIP ``EAD_doc`` fields the document itself can tell us.

    ``codeNotation`` is the ký hiệu without the year of a legal form ("TT-BNV" for
    "02/2019/TT-BNV"): the year is in ``issuedDate``. Fields only an archivist can set
    (maintenance, docCode, autograph, format …) are present and empty.
    """
    rec = MappedRecord({})
    _put(rec, "typeName", tt05_type_code(ex.document_type), TT05_LENGTHS["typeName"])
    _put(rec, "codeNumber", ex.number, TT05_LENGTHS["codeNumber"])
    _put(rec, "codeNotation", ex.symbol, TT05_LENGTHS["codeNotation"])
    _put(rec, "issuedDate", _ddmmyyyy(ex.issued_date), None)
    _put(rec, "organName", ex.issuing_agency, TT05_LENGTHS["organName"])
    _put(rec, "subject", ex.summary, TT05_LENGTHS["subject"])
    language = None
    if ex.language:
        language = TT05_LANGUAGE.get(ex.language, TT05_LANGUAGE_OTHER)
    _put(rec, "language", language, TT05_LENGTHS["language"])
    pages = ex.page_count
    if pages is not None and not 0 < pages <= TT05_MAX_PAGES:
        rec.problems.append(FieldProblem("numberOfPage", f"outside 1–{TT05_MAX_PAGES}", pages))
        pages = None
    rec.fields["numberOfPage"] = pages
    rec.fields["confidenceLevel"] = BORN_DIGITAL if ex.born_digital else DIGITISED
    rec.fields["mode"] = MODE_SECRET if ex.confidentiality else None
    for name in ("maintenance", "docCode", "inforSign", "keyword", "autograph", "format", "description"):
        rec.fields[name] = None
    return rec


def priority_code(ex: Extraction, record: MappedRecord | None = None) -> int:
    """The local one-digit Priority code for the stamps (see `PRIORITY_URGENCY`, `PRIORITY_SECRECY`)."""
    urgency = PRIORITY_URGENCY.get(ex.urgency or "")
    secrecy = PRIORITY_SECRECY.get(ex.confidentiality or "")
    if urgency and secrecy:
        if record is not None:
            record.problems.append(FieldProblem(
                "Priority", "secret and urgent: one digit cannot hold both; see confidentiality and urgency",
                (ex.confidentiality, ex.urgency)))
        return PRIORITY_BOTH
    return urgency or secrecy or PRIORITY_NONE


def to_nd30_input(ex: Extraction) -> MappedRecord:
    """ND 30 PL VI Part II (I) "văn bản đi" input fields readable from the document."""
    rec = MappedRecord({})
    _put(rec, "TypeName", ex.document_type, ND30_LENGTHS["TypeName"])
    _put(rec, "CodeNumber", ex.number, ND30_LENGTHS["CodeNumber"])
    _put(rec, "CodeNotation", ex.symbol, ND30_LENGTHS["CodeNotation"])
    _put(rec, "IssuedDate", _ddmmyyyy(ex.issued_date), ND30_LENGTHS["IssuedDate"])
    _put(rec, "OrganName", ex.issuing_agency, ND30_LENGTHS["OrganName"])
    _put(rec, "Subject", ex.summary, ND30_LENGTHS["Subject"])
    _put(rec, "Language", ex.language, ND30_LENGTHS["Language"])
    pages = ex.page_count
    if pages is not None and not 0 < pages <= ND30_MAX_PAGES:
        rec.problems.append(FieldProblem("PageAmount", f"outside 1–{ND30_MAX_PAGES}", pages))
        pages = None
    rec.fields["PageAmount"] = pages
    signer = MappedRecord({})
    _put(signer, "Position", ex.signer_title, ND30_LENGTHS["Position"])
    _put(signer, "FullName", ex.signer_name, ND30_LENGTHS["FullName"])
    rec.fields["SignerInfo"] = signer.fields
    rec.problems.extend(FieldProblem(f"SignerInfo.{p.field}", p.reason, p.value) for p in signer.problems)
    rec.fields["Priority"] = priority_code(ex, rec)
    return rec


def to_dublin_core(ex: Extraction) -> MappedRecord:
    """Dublin Core 1.1 elements (repeatable, so lists) by the crosswalk of standards.md §2.4."""
    def values(*items: str | None) -> list[str]:
        return [v for v in items if v]

    rights = values(ex.confidentiality, ex.urgency)
    fields: dict[str, Any] = {
        "title": values(ex.summary),
        "creator": values(ex.issuing_agency, ex.signer_name),
        "contributor": values(ex.parent_agency),
        "date": values(ex.issued_date),
        "identifier": values(ex.reference),
        "type": values(ex.document_type),
        "language": values(ex.language),
        "coverage": values(ex.issued_place),
        "rights": rights,
    }
    return MappedRecord({k: v for k, v in fields.items() if v})
