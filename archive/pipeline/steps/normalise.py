"""Normalisation: images and PDFs become a two-layer PDF/A-2b with per-page OCR text and word boxes.

The master is never touched (the OCR library works on a copy); its outputs are stored before the
step commits, under keys fixed by the master's checksum, and linked to it by a PREMIS ``nor`` event.
"""

from __future__ import annotations

import json

from archive.catalog import Representation
from archive.catalog.codes import BitstreamRole, EventOutcome, EventType, RepresentationType
from archive.pipeline.context import ItemContext
from archive.pipeline.errors import FailedCheck, StepError
from archive.pipeline.steps.base import derivative_key, json_file, register, store_files
from archive.preservation import record_event
from ingest.normalise import NormalisationError
from ingest.ocr import NormalisationResult, OcrSettings, normalise, tool_versions

PDFA_2B_PUID = "fmt/477"
"""PRONOM's PDF/A-2b (fmt/476 is PDF/A-2a, which the derivative does not claim)."""
WORDS_NAME = "words.json"
PRESERVATION_NAME = "preservation.pdf"
TEXT_NAME = "text.txt"


def _settings(ctx: ItemContext) -> OcrSettings:
    s = ctx.archive.settings
    # One page at a time per document by default: workers run one document per core, so giving
    # each OCRmyPDF every core would oversubscribe them (measured in bench/ocr.py).
    return OcrSettings(language=s.ocr_languages, jobs=s.ocr_jobs or 1, deskew_min_degrees=s.ocr_deskew_min_degrees,
                       low_confidence_threshold=s.ocr_confidence_threshold)


def words_document(result: NormalisationResult) -> dict[str, object]:
    """Per-page text, confidence and word boxes, kept so metadata can be re-read without re-OCR."""
    return {"pages": [{"number": p.number, "ocr": p.ocr, "confidence": p.confidence, "width": p.width,
                       "height": p.height, "dpi": p.dpi, "text": p.text,
                       "words": [[w.text, w.x0, w.y0, w.x1, w.y1, round(w.conf, 3), w.line, w.block]
                                 for w in p.words]} for p in result.pages]}


def normalise_content(ctx: ItemContext) -> None:
    item, document = ctx.item, ctx.item.document
    assert document is not None and item.mime_type is not None
    if not item.mime_type.startswith(("application/pdf", "image/")):
        return  # born-digital office documents and media are kept as they are
    try:
        result = normalise(ctx.master_path(), item.mime_type, ctx.workdir / "nor", _settings(ctx))
    except NormalisationError as exc:
        raise StepError(exc.code, exc.message_vi, exc.message_en, permanent=exc.permanent,
                        check=FailedCheck(EventType.NORMALIZATION, ("ocrmypdf", tool_versions().get("ocrmypdf")),
                                          "PDF/A-2b with OCR text layer")) from exc

    representation = Representation(document=document, type=RepresentationType.PRESERVATION, label="rep2")
    ctx.session.add(representation)
    files = [(derivative_key(ctx, TEXT_NAME), result.sidecar, "text/plain; charset=utf-8"),
             (derivative_key(ctx, WORDS_NAME), json_file(ctx, derivative_key(ctx, WORDS_NAME),
                                                         words_document(result)), "application/json")]
    if result.derivative is not None:
        files.insert(0, (derivative_key(ctx, PRESERVATION_NAME), result.derivative, "application/pdf"))
    *pdfa, text, words = store_files(ctx, files)
    outcomes = [register(ctx, representation, stored, BitstreamRole.DERIVATIVE, "application/pdf", PDFA_2B_PUID,
                         PRESERVATION_NAME) for stored in pdfa]
    outcomes.append(register(ctx, representation, text, BitstreamRole.OCR_TEXT, "text/plain", "x-fmt/111", TEXT_NAME))
    outcomes.append(register(ctx, representation, words, BitstreamRole.OCR_TEXT, "application/json", "fmt/817",
                             WORDS_NAME))

    item.page_count = result.page_count
    item.pages_ocred = len(result.pages_ocred)
    for warning in result.warnings:
        item.flags.append({"code": warning.code, "vi": warning.message_vi, "en": warning.message_en})
    versions = result.tool_versions
    record_event(
        ctx.session, EventType.NORMALIZATION, EventOutcome.WARNING if result.warnings else EventOutcome.SUCCESS,
        tool=result.agent,
        detail=f"{result.pdfa or 'no PDF/A'} two-layer derivative; "
               f"{'OCR ' + _settings(ctx).language if 'ocrmypdf' in versions else 'text layer kept, no OCR needed'}; "
               f"tools: {json.dumps(versions, ensure_ascii=False)}",
        outcome_detail=f"{result.page_count} page(s), {len(result.pages_ocred)} OCR'd, "
                       f"low confidence: {result.low_confidence_pages or 'none'}; "
                       + "; ".join(w.message_en for w in result.warnings),
        sources=[item.master_bitstream], outcomes=outcomes)
