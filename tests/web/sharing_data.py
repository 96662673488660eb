"""Records held by agency A for the sharing tests: a conditional document with a stored PDF/A and its OCR text."""

from __future__ import annotations

import hashlib
import io
import json
import uuid

from fpdf import FPDF
from sqlalchemy import select

from archive.catalog import Bitstream, Document, Fonds, Representation
from archive.catalog.codes import BitstreamRole, RepresentationType, TypeName
from archive.factory import Archive
from archive.search_service import SearchService

WORD = "lamngọc"
"""A word only the shared record contains, to find it by search."""


def two_page_pdf() -> bytes:
    pdf = FPDF()
    for text in ("Trang 1 - page one", "Trang 2 - page two"):
        pdf.add_page()
        pdf.set_font("helvetica", size=14)
        pdf.cell(120, 10, text)
    return bytes(pdf.output())


def add_document(archive: Archive, fonds_code: str = "F-A", mode: str = "02") -> tuple[int, str]:
    """A document of the fonds with a PDF/A in its preservation representation, indexed; returns
    (its id, the stored PDF/A's SHA-256)."""
    data = two_page_pdf()
    with archive.sessions.begin() as session:
        fonds = session.scalars(select(Fonds).where(Fonds.code == fonds_code)).one()
        document = Document(fonds=fonds, agency=fonds.agency, mode=mode, type_name=TypeName.CONG_VAN,
                            type_label="Công văn", code_number="12", code_notation="CV-A",
                            subject=f"Về việc trao đổi số liệu {WORD}", doc_code=f"DOC-{uuid.uuid4().hex[:8]}")
        session.add(document)
        key = f"test/{uuid.uuid4().hex}/ban-pdfa.pdf"
        stored = archive.store.put(key, io.BytesIO(data), content_type="application/pdf")
        preservation = Representation(document=document, type=RepresentationType.PRESERVATION, label="rep2")
        preservation.bitstreams.append(Bitstream(storage_key=key, size=stored.size, sha256=stored.sha256,
                                                 role=BitstreamRole.DERIVATIVE, mime_type="application/pdf",
                                                 original_filename="ban-pdfa.pdf"))
        words = json.dumps({"pages": [{"text": f"Nội dung {WORD}"}]}, ensure_ascii=False).encode()
        words_key = f"derivatives/{hashlib.sha256(data).hexdigest()}/{uuid.uuid4().hex}/words.json"
        stored_words = archive.store.put(words_key, io.BytesIO(words), content_type="application/json")
        preservation.bitstreams.append(Bitstream(storage_key=words_key, size=stored_words.size,
                                                 sha256=stored_words.sha256, role=BitstreamRole.OCR_TEXT,
                                                 original_filename="words.json"))
        session.add(preservation)
        session.flush()
        document_id, sha = document.id, stored.sha256
    SearchService(archive).reindex()
    return document_id, sha
