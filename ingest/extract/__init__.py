"""Registry-field extraction (issue 4): ND 30/2020 fields from OCR text or a PDF text layer.

The core is a pure function: pages of text (with word boxes when available) and settings in, an
`Extraction` out; it knows nothing of the catalog. `extract_file` wraps it for a file on disk and
is the one entry point that may run a program (Tesseract, through `ingest.extract.ocr`), and only
for files that have no text of their own.
"""

from ingest.extract.files import extract_file, ocr_pages
from ingest.extract.mapping import (
    FieldProblem,
    MappedRecord,
    to_dublin_core,
    to_nd30_input,
    to_tt05_ead_doc,
)
from ingest.extract.model import Extraction, ExtractSettings, Line, PageText, Word
from ingest.extract.parser import extract_fields
from ingest.extract.sources import (
    pages_from_text,
    pdf_document_info,
    words_from_hocr,
    words_from_pdf_text_layer,
    words_from_tsv,
)

__all__ = [
    "ExtractSettings",
    "Extraction",
    "FieldProblem",
    "Line",
    "MappedRecord",
    "PageText",
    "Word",
    "extract_fields",
    "extract_file",
    "ocr_pages",
    "pages_from_text",
    "pdf_document_info",
    "to_dublin_core",
    "to_nd30_input",
    "to_tt05_ead_doc",
    "words_from_hocr",
    "words_from_pdf_text_layer",
    "words_from_tsv",
]
