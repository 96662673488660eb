"""Metadata extraction: the ND 30/2020 registry fields, read from the text layer, into the catalog.

The catalogue spreadsheet's values win over extracted ones; each field records where its value
came from and how sure we are (``Document.field_provenance``), and uncertain documents are
flagged for an archivist's review.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from archive.catalog import Document
from archive.catalog.codes import (
    Confidentiality,
    EventOutcome,
    EventType,
    Language,
    Maintenance,
    Mode,
    PhysicalCondition,
    ProvenanceSource,
    SignerAuthority,
    TypeName,
    Urgency,
)
from archive.pipeline.context import ItemContext
from archive.pipeline.steps.base import stored_derivative
from archive.pipeline.steps.normalise import WORDS_NAME
from archive.preservation import LUUTRU_AGENT, record_event
from ingest.extract import (
    ExtractSettings,
    Extraction,
    Line,
    PageText,
    Word,
    extract_fields,
    words_from_pdf_text_layer,
)
from ingest.extract.mapping import tt05_type_code

# Extraction field → (document column, maximum length or None).
EXTRACTED_COLUMNS = {
    "document_type": ("type_label", 100), "number": ("code_number", 11), "symbol": ("code_notation", 30),
    "issued_date": ("issued_date", None), "issuing_agency": ("organ_name", 200), "summary": ("subject", 500),
    "signer_name": ("signer_full_name", 50), "signer_title": ("signer_position", 100),
    "signer_authority": ("signer_authority", None), "confidentiality": ("confidentiality", None),
    "urgency": ("urgency", None), "page_count": ("number_of_page", None),
}
# Catalogue column (TT 05 name) → document column.
SUPPLIED_COLUMNS = {
    "typeName": "type_name", "codeNumber": "code_number", "codeNotation": "code_notation",
    "issuedDate": "issued_date", "organName": "organ_name", "subject": "subject", "description": "description",
    "keyword": "keyword", "mode": "mode", "maintenance": "maintenance", "autograph": "autograph",
    "inforSign": "infor_sign", "numberOfPage": "number_of_page", "docOrdinal": "doc_ordinal", "format": "format",
}


def _coerce(column: str, value: Any) -> Any:
    """Turn an extracted or supplied value into the column's type; None when it does not fit."""
    if value is None:
        return None
    if column in ("issued_date",):
        return date.fromisoformat(value) if isinstance(value, str) else value
    if column == "signer_authority":
        return SignerAuthority.lookup(str(value).split(".")[0])
    if column == "confidentiality":
        return Confidentiality.lookup(value)
    if column == "urgency":
        return Urgency.lookup(value)
    if column == "type_name":
        return TypeName(value) if TypeName.is_valid(value) else TypeName.lookup(value)
    if column == "mode":
        return Mode(value)
    if column == "maintenance":
        return Maintenance(value)
    if column == "format":
        return PhysicalCondition(value)
    return value


def _apply_extraction(document: Document, extraction: Extraction, flags: list[dict[str, str]]) -> None:
    for field, (column, limit) in EXTRACTED_COLUMNS.items():
        value = getattr(extraction, field)
        if value is None:
            continue
        if limit is not None and isinstance(value, str) and len(value) > limit:
            flags.append({"code": "field-too-long",
                          "vi": f"Giá trị trích xuất của {column} dài hơn {limit} ký tự nên không được lưu; cần nhập tay.",
                          "en": f"The extracted {column} is longer than {limit} characters and was not stored; enter it by hand."})
            continue
        setattr(document, column, _coerce(column, value))
        document.set_provenance(column, ProvenanceSource.EXTRACTED, extraction.confidence.get(field, 0.0))
    type_code = tt05_type_code(extraction.document_type)
    if type_code:
        document.type_name = TypeName(type_code)
        document.set_provenance("type_name", ProvenanceSource.EXTRACTED, extraction.confidence.get("document_type", 0.0))
    if extraction.language == "vi" and not document.languages:
        document.languages.append(Language.VIETNAMESE)


def _apply_supplied(document: Document, supplied: dict[str, Any]) -> None:
    for name, column in SUPPLIED_COLUMNS.items():
        if supplied.get(name) is not None:
            setattr(document, column, _coerce(column, supplied[name]))
            document.set_provenance(column, ProvenanceSource.CATALOGUE, 1.0)
    if supplied.get("typeName") and document.type_name is not None:
        document.type_label = document.type_name.vi
    if supplied.get("language"):
        document.languages.clear()
        document.languages.extend(Language(code) for code in supplied["language"])


def _pages_from_words(data: dict[str, Any]) -> list[PageText]:
    """The stored OCR result as the extractor's pages: Tesseract's lines, with word confidences."""
    pages = []
    for page in data["pages"]:
        if not page["words"]:
            pages.append(PageText.from_text(page["text"]))
            continue
        lines: dict[tuple[int, int], list[Word]] = {}
        for text, x0, y0, x1, y1, conf, line, block in page["words"]:
            lines.setdefault((block, line), []).append(Word(text, x0, y0, x1, y1, conf))
        pages.append(PageText(tuple(Line.from_words(words) for _, words in sorted(lines.items())),
                              page["width"], page["height"]))
    return pages


def _stored_pages(ctx: ItemContext) -> tuple[list[PageText], bool] | None:
    """Pages to read, from what earlier steps stored (so a resumed item needs no scratch state)."""
    item = ctx.item
    words = stored_derivative(ctx, WORDS_NAME)
    if words is not None:
        data = json.loads(b"".join(ctx.archive.store.get(words.storage_key)))
        return _pages_from_words(data), any(p["ocr"] for p in data["pages"])
    if item.mime_type == "application/pdf":
        return words_from_pdf_text_layer(ctx.master_path()), False
    return None


def extract_metadata(ctx: ItemContext) -> None:
    item, document = ctx.item, ctx.item.document
    assert document is not None
    source = _stored_pages(ctx)
    ctx.end_reads()
    extraction: Extraction | None = None
    if source is not None:
        pages, ocred = source
        settings = ExtractSettings(review_threshold=ctx.archive.settings.review_threshold)
        extraction = extract_fields(pages, page_count=item.page_count, born_digital=not ocred, settings=settings)
        _apply_extraction(document, extraction, item.flags)
        if extraction.needs_review:
            item.flags.append({"code": "needs-review",
                               "vi": "Cần kiểm tra lại các trường: " + ", ".join(extraction.needs_review),
                               "en": "Review these fields: " + ", ".join(extraction.needs_review)})
    _apply_supplied(document, item.supplied_metadata or {})
    if document.number_of_page is None:
        document.number_of_page = item.page_count
    found = [name for name in EXTRACTED_COLUMNS if extraction is not None and getattr(extraction, name) is not None]
    record_event(ctx.session, EventType.METADATA_EXTRACTION,
                 EventOutcome.SUCCESS if extraction and not extraction.needs_review else EventOutcome.WARNING,
                 tool=("luutru-extract", LUUTRU_AGENT[1]),
                 detail="ND 30/2020 registry fields from the text layer; catalogue values take precedence",
                 outcome_detail=(f"found: {', '.join(found)}" if found else "no text layer to read")
                 + (f"; review: {', '.join(extraction.needs_review)}" if extraction and extraction.needs_review else ""),
                 sources=[item.master_bitstream], outcomes=[document])
