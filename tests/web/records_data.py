"""Records made straight in the catalog (no OCR run) for the search, record and review page tests.

Each record is a real catalog row with a real stored PDF (one of the corpus files) as its PDF/A
and original, an archived batch item (optionally flagged for review), and is put in the real
search index through ``SearchService.index``, with its text page by page.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date
from itertools import count
from pathlib import Path

from sqlalchemy import select

from archive.catalog import Agency, BatchItem, Bitstream, Document, Dossier, Fonds, IngestBatch, ObjectCopy, Representation
from archive.catalog.codes import (
    BatchItemState,
    BatchStatus,
    BitstreamRole,
    Mode,
    ProvenanceSource,
    RepresentationType,
    TypeName,
)
from archive.factory import Archive
from archive.pipeline.steps.normalise import PRESERVATION_NAME, WORDS_NAME
from archive.search_service import SearchService
from tests.web.conftest import CORPUS

_numbers = count(1)


def _store(archive: Archive, data: bytes, name: str, role: BitstreamRole, mime: str) -> Bitstream:
    digest = hashlib.sha256(data).hexdigest()
    key = f"test/{digest}/{next(_numbers)}-{name}"
    archive.store.put(key, io.BytesIO(data), expected_sha256=digest, size=len(data), content_type=mime)
    return Bitstream(storage_key=key, size=len(data), sha256=digest, mime_type=mime, original_filename=name, role=role)


def make_record(archive: Archive, agency_code: str, mode: Mode | None, pages: list[str], *, number: str,
                subject: str, review: bool = False, dossier: str | None = None, ordinal: int | None = None,
                pdf: Path = CORPUS / "vn003.pdf") -> int:
    """One archived record of ``agency_code``'s fonds; ``review`` leaves low-confidence extracted fields."""
    pdf_bytes = pdf.read_bytes()
    words = json.dumps({"pages": [{"text": text, "words": []} for text in pages]}).encode()
    with archive.sessions.begin() as session:
        agency = session.scalars(select(Agency).where(Agency.organ_id == agency_code)).one()
        fonds = session.scalars(select(Fonds).where(Fonds.agency_id == agency.id)).first()
        assert fonds is not None
        folder = None
        if dossier is not None:
            folder = session.scalars(select(Dossier).where(Dossier.file_code == dossier)).first() or Dossier(
                fonds=fonds, file_code=dossier, title=f"Hồ sơ {dossier}", mode=Mode.RESTRICTED)
        document = Document(fonds=fonds, dossier=folder, doc_ordinal=ordinal, mode=mode, code_number=number,
                            code_notation="QĐ-UBND", type_name=TypeName("02"), issued_date=date(2020, 1, 5),
                            subject=subject, number_of_page=len(pages), organ_name=agency.name)
        original = _store(archive, pdf_bytes, pdf.name, BitstreamRole.MASTER, "application/pdf")
        preserved = _store(archive, pdf_bytes, PRESERVATION_NAME, BitstreamRole.DERIVATIVE, "application/pdf")
        text = _store(archive, words, WORDS_NAME, BitstreamRole.OCR_TEXT, "application/json")
        document.representations.append(Representation(type=RepresentationType.ORIGINAL, bitstreams=[original]))
        document.representations.append(Representation(type=RepresentationType.PRESERVATION,
                                                        bitstreams=[preserved, text]))
        for column, confidence in (("code_number", 0.95), ("subject", 0.5 if review else 0.95),
                                   ("type_name", 0.6 if review else 0.95)):
            document.set_provenance(column, ProvenanceSource.EXTRACTED, confidence)
        session.add(document)
        session.flush()
        session.add(ObjectCopy(bitstream_id=original.id, location="primary", state="ok"))
        batch = IngestBatch(name=f"lô {number}", fonds=fonds, status=BatchStatus.COMPLETED, total_items=1)
        flags = [{"code": "needs-review", "vi": "Cần kiểm tra lại", "en": "Review"}] if review else []
        session.add(BatchItem(batch=batch, ordinal=1, original_name=pdf.name, state=BatchItemState.ARCHIVED,
                              document_id=document.id, flags=flags, master_bitstream_id=original.id))
        document_id = document.id
    with archive.sessions() as session:
        loaded = session.get(Document, document_id)
        assert loaded is not None
        SearchService(archive).index(loaded)
    return document_id
