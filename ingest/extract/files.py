"""`extract_file`: from a file on disk to an `Extraction`, running OCR only when there is no text.

This is what `luutru extract FILE --json` needs. A PDF with a visible text layer is born digital
(TT 05 confidenceLevel 01) and is read through that layer and its document info; a PDF whose
only text is invisible (an OCR layer, e.g. from OCRmyPDF) is a digitised scan (02) read through
that layer; a PDF without text, or an image, is OCR'd here with Tesseract.
"""

from __future__ import annotations

from pathlib import Path

from ingest.extract.model import Extraction, ExtractSettings, PageText
from ingest.extract.ocr import ocr_page_words, page_images
from ingest.extract.parser import extract_fields
from ingest.extract.sources import pdf_document_info, words_from_pdf_text_layer

#: PDF text render mode 3 draws nothing: the mark of an OCR layer laid over a page image.
_INVISIBLE = 3


def extract_file(path: str | Path, settings: ExtractSettings | None = None, lang: str = "vie") -> Extraction:
    """Read the registry fields of one PDF, TIFF, JPEG or PNG file."""
    path = Path(path)
    with open(path, "rb") as fh:
        is_pdf = b"%PDF-" in fh.read(1024)  # by content: a scan named .pdf is still an image
    if is_pdf:
        pages = words_from_pdf_text_layer(path)
        if any(page.lines for page in pages):
            born_digital = not has_invisible_text(path)
            metadata = pdf_document_info(path) if born_digital else None
            return extract_fields(pages, page_count=len(pages), born_digital=born_digital,
                                  settings=settings, metadata=metadata)
    pages = ocr_pages(path, lang)
    return extract_fields(pages, page_count=len(pages), born_digital=False, settings=settings)


def ocr_pages(path: str | Path, lang: str = "vie") -> list[PageText]:
    """OCR every page of a scan (word boxes and confidences), one Tesseract run per page."""
    return [ocr_page_words(image, lang=lang) for image in page_images(path)]


def has_invisible_text(pdf_path: str | Path) -> bool:
    """True when the first page draws text invisibly (render mode 3), directly or in a form XObject."""
    import pikepdf

    with pikepdf.open(str(pdf_path)) as pdf:
        if not pdf.pages:
            return False
        page = pdf.pages[0]
        streams: list[pikepdf.Object | pikepdf.Page] = [page]
        resources = page.obj.get("/Resources")
        xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
        if isinstance(xobjects, pikepdf.Dictionary):
            streams += [xobj for _, xobj in xobjects.items() if xobj.get("/Subtype") == "/Form"]
        for stream in streams:
            for instruction in pikepdf.parse_content_stream(stream):
                if (isinstance(instruction, pikepdf.ContentStreamInstruction) and str(instruction.operator) == "Tr"
                        and instruction.operands and int(instruction.operands[0]) == _INVISIBLE):
                    return True
    return False
