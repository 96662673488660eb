"""Search as the archive offers it: what a record puts in the index, who may find it, and the
result list the CLI prints and the web app will show.

The index (``search/``) knows nothing of the catalog; this module turns a catalog ``Document`` into
an ``IndexedDocument`` (every ND 30 / TT 05 field, the text page by page, filter and access terms)
and a caller into a ``Visibility`` (``archive.access``), so every rule lives here and in access.py.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.access import (
    DOSSIER_TERM,
    MODE_TERM,
    OWNER_TERM,
    RECORD_TERM,
    Caller,
    caller_for,
    owner_agency_id,
    record_mode,
    visibility,
)
from archive.catalog import Document, SavedQuery, User
from archive.catalog.codes import BitstreamRole, Maintenance, Mode, RepresentationType
from archive.factory import Archive
from archive.pipeline.steps.normalise import TEXT_NAME, WORDS_NAME
from search.analysis import reference_key, tokens
from search.base import FACETS, IndexedDocument, SearchRequest, SearchResult
from search.folding import fold

FILTERS = ("type", "agency", "year", "fonds", "dossier", "mode", "signer")
"""Fielded filters a person can give (``--filter type=Quyết định``); each is an exact index term."""
DATE_FILTERS = ("from", "to")
SORTS = ("relevance", "date", "date_asc")
MAX_LIMIT = 1000
EXPORT_LIMIT = 100_000
EXPORT_COLUMNS = ("id", "reference", "document_type", "summary", "issued_date", "issuing_agency", "signer",
                  "fonds", "file_code", "access_level", "original_filename", "score", "pages")


class SearchInputError(ValueError):
    """A request the person can correct: an unknown filter, a bad date, an unknown user."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        self.message_vi, self.message_en = message_vi, message_en
        super().__init__(f"{message_en} / {message_vi}")

    def message(self, lang: str) -> str:
        return self.message_vi if lang == "vi" else self.message_en


# --- what a record puts in the index -----------------------------------------------------------------


def document_pages(archive: Archive, document: Document) -> list[str]:
    """The text page by page, from the stored OCR result (``words.json``) or the plain sidecar."""
    derivatives = {b.original_filename: b for r in document.representations for b in r.bitstreams
                   if b.role != BitstreamRole.MASTER}
    if WORDS_NAME in derivatives:
        data = json.loads(b"".join(archive.store.get(derivatives[WORDS_NAME].storage_key)))
        return [str(page.get("text") or "") for page in data.get("pages", [])]
    if TEXT_NAME in derivatives:
        text = b"".join(archive.store.get(derivatives[TEXT_NAME].storage_key)).decode("utf-8", "replace")
        return text.split("\f")
    return []


def original_filename(document: Document) -> str | None:
    return next((b.original_filename for r in document.representations if r.type == RepresentationType.ORIGINAL
                 for b in r.bitstreams if b.role == BitstreamRole.MASTER), None)


def indexed_document(document: Document, pages: Sequence[str], *, index_secret_text: bool = False,
                     filename: str | None = None) -> IndexedDocument:
    """Every catalog field of the record (searchable and shown), its pages, and its filter/access terms.

    A secret record (mode 03) is indexed by its catalog fields only, unless configured otherwise,
    so its text cannot surface through any query, snippet or suggestion.
    """
    mode = record_mode(document)
    dossier, fonds = document.dossier, document.fonds
    issuing = document.agency.name if document.agency is not None else document.organ_name
    owner = fonds.agency if fonds is not None else None
    stamps = " ".join(c.vi for c in (document.confidentiality, document.urgency) if c is not None)
    type_label = document.type_label or (document.type_name.vi if document.type_name is not None else None)
    fields = {k: str(v) for k, v in {
        "reference": document.number_and_notation, "number": document.code_number, "symbol": document.code_notation,
        "document_type": type_label, "summary": document.subject,
        "issued_date": document.issued_date.isoformat() if document.issued_date else None,
        "issuing_agency": issuing,
        "parent_agency": document.agency.parent.name if document.agency is not None and document.agency.parent else None,
        "signer": document.signer_full_name, "signer_position": document.signer_position,
        "signer_authority": document.signer_authority.value if document.signer_authority else None,
        "stamps": stamps or None, "doc_code": document.doc_code,
        "file_code": dossier.file_code if dossier is not None else None,
        "dossier_title": dossier.title if dossier is not None else None,
        "fonds": f"{fonds.code} {fonds.name}" if fonds is not None else None,
        "keyword": document.keyword, "description": document.description,
        "retention": Maintenance(document.maintenance).vi if document.maintenance else None,
        "access_level": mode.vi, "owner_agency": owner.name if owner is not None else None,
        "original_filename": filename or original_filename(document),
    }.items() if v}
    terms = {
        "type": [type_label] if type_label else [],
        "agency": [issuing] if issuing else [],
        "year": [str(document.issued_date.year)] if document.issued_date else [],
        "fonds": [fonds.code] if fonds is not None else [],
        "dossier": [dossier.file_code] if dossier is not None else [],
        "signer": [document.signer_full_name] if document.signer_full_name else [],
        MODE_TERM: [mode.value],
        OWNER_TERM: [str(owner_agency_id(document))] if owner_agency_id(document) is not None else [],
        RECORD_TERM: [str(document.id)],
        DOSSIER_TERM: [str(document.dossier_id)] if document.dossier_id is not None else [],
    }
    text = list(pages) if mode is not Mode.SECRET or index_secret_text else []
    return IndexedDocument(str(document.id), text, fields, {k: v for k, v in terms.items() if v},
                           reference=document.number_and_notation,
                           date=document.issued_date.isoformat() if document.issued_date else None)


# --- results ---------------------------------------------------------------------------------------


def hit_json(hit: Any) -> dict[str, Any]:
    f = hit.fields
    return {"id": int(hit.doc_id) if hit.doc_id.isdigit() else hit.doc_id, "reference": f.get("reference"),
            "document_type": f.get("document_type"), "summary": f.get("summary"),
            "issued_date": f.get("issued_date"), "issuing_agency": f.get("issuing_agency"),
            "original_filename": f.get("original_filename"), "score": round(hit.score, 4),
            "highlights": [{"page": h.page, "text": h.text} for h in hit.highlights]}


def result_json(result: SearchResult) -> dict[str, Any]:
    """The CLI contract: ``{"total", "hits": [...], "facets": {name: {value: count}}}``."""
    return {"total": result.total, "hits": [hit_json(h) for h in result.hits],
            "facets": {name: dict(values) for name, values in result.facets.items()}}


def encode_cursor(after: Sequence[Any] | None) -> str | None:
    return json.dumps(list(after), ensure_ascii=False) if after else None


# --- the service -----------------------------------------------------------------------------------


@dataclass
class SearchService:
    """Search, reindex, export and saved queries; the CLI and the web app call only this."""

    archive: Archive
    facets: Sequence[str] = field(default=FACETS)

    # callers

    def caller(self, username: str | None) -> Caller:
        """The named user with their active grants, or the shell operator when no user is named."""
        if not username:
            return Caller.system()
        with self.archive.sessions() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None or not user.active:
                raise SearchInputError(f"Không có người dùng đang hoạt động tên {username!r}; hãy kiểm tra tên đăng nhập.",
                                       f"There is no active user named {username!r}; check the username.")
            return caller_for(session, user)

    # requests

    def request(self, text: str = "", filters: Mapping[str, Sequence[str]] | Iterable[str] = (), *,
                limit: int = 20, sort: str = "relevance", after: Sequence[Any] | str | None = None,
                highlights: bool = True) -> SearchRequest:
        """Validate what a person typed: ``k=v`` filters (repeatable, OR within a name), ``from``/``to`` dates."""
        pairs = _filter_pairs(filters)
        grouped: dict[str, list[str]] = {}
        dates: dict[str, str] = {}
        for name, value in pairs:
            if name in DATE_FILTERS:
                dates[name] = _iso_date(name, value)
            elif name in FILTERS:
                grouped.setdefault(name, []).append(value)
            else:
                raise SearchInputError(
                    f"Không có bộ lọc {name!r}; dùng một trong: {', '.join(FILTERS + DATE_FILTERS)}.",
                    f"There is no filter {name!r}; use one of: {', '.join(FILTERS + DATE_FILTERS)}.")
        if sort not in SORTS:
            raise SearchInputError(f"Cách sắp xếp {sort!r} không có; dùng {', '.join(SORTS)}.",
                                   f"Unknown sort {sort!r}; use {', '.join(SORTS)}.")
        if not 1 <= limit <= MAX_LIMIT:
            raise SearchInputError(f"Số kết quả phải từ 1 đến {MAX_LIMIT}.", f"The limit must be 1 to {MAX_LIMIT}.")
        if isinstance(after, str):
            try:
                after = json.loads(after)
            except ValueError as exc:
                raise SearchInputError("Con trỏ trang sau không hợp lệ; hãy dùng đúng giá trị đã nhận.",
                                       "The next-page cursor is not valid; pass back the value you received.") from exc
        return SearchRequest(text=text, filters=grouped, date_from=dates.get("from"),
                             date_to=_end_of(dates["to"]) if "to" in dates else None, sort=sort,  # type: ignore[arg-type]
                             size=limit, after=after, facets=tuple(self.facets), highlights=highlights)

    def search(self, caller: Caller, request: SearchRequest) -> SearchResult:
        """The index answers with the caller's access rules inside the query."""
        return self.archive.index.search(request, visibility(caller))

    def iterate(self, caller: Caller, request: SearchRequest, limit: int = EXPORT_LIMIT) -> Iterator[Any]:
        """Every hit, page after page by ``search_after``, at most ``limit``."""
        page = replace(request, size=min(500, limit), facets=(), after=None)
        seen = 0
        while seen < limit:
            result = self.search(caller, page)
            for hit in result.hits:
                yield hit
                seen += 1
                if seen >= limit:
                    return
            if len(result.hits) < page.size:
                return
            page = replace(page, after=result.next_after)

    # suggestions

    def suggest(self, caller: Caller, text: str, limit: int = 8) -> list[str]:
        """Completions of what is being typed, taken only from records the caller may see.

        They come from an ordinary search (the last word as a prefix) under the caller's access
        filter, so a suggestion can never name a word, number or title of a forbidden record.
        """
        words = text.split()
        if not words or len(fold(words[-1])) < 2:
            return []
        request = SearchRequest(text=" ".join(words[:-1] + [words[-1].rstrip("*") + "*"]), size=50, facets=(),
                                highlights=True)
        stem = fold(words[-1].rstrip("*"))
        found: dict[str, None] = {}
        for hit in self.search(caller, request).hits:
            reference = hit.fields.get("reference")
            if reference and reference_key(reference).startswith(reference_key(words[-1])):
                found.setdefault(reference)
            for source in [hit.fields.get("summary") or ""] + [re.sub(r"</?mark>", "", h.text) for h in hit.highlights]:
                for word in tokens(source):
                    if fold(word).startswith(stem) and fold(word) != stem:
                        found.setdefault(" ".join(words[:-1] + [word]))
            if len(found) >= limit:
                break
        return list(found)[:limit]

    # export

    def export(self, caller: Caller, request: SearchRequest, path: Path) -> int:
        """Write the whole result list (not just one page) to ``.csv`` or ``.xlsx``; returns the row count."""
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise SearchInputError("Chỉ xuất được ra tệp .csv hoặc .xlsx.", "Results can be exported to .csv or .xlsx only.")
        rows = (self._export_row(hit) for hit in self.iterate(caller, request))
        if suffix == ".csv":
            count = 0
            with open(path, "w", newline="", encoding="utf-8-sig") as fh:  # the BOM makes Excel read UTF-8
                writer = csv.writer(fh)
                writer.writerow(EXPORT_COLUMNS)
                for row in rows:
                    writer.writerow(row)
                    count += 1
            return count
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Kết quả tìm kiếm")
        sheet.append(list(EXPORT_COLUMNS))
        count = 0
        for row in rows:
            sheet.append(row)
            count += 1
        workbook.save(path)
        return count

    @staticmethod
    def _export_row(hit: Any) -> list[Any]:
        f = hit.fields
        return [int(hit.doc_id) if hit.doc_id.isdigit() else hit.doc_id, f.get("reference"), f.get("document_type"),
                f.get("summary"), f.get("issued_date"), f.get("issuing_agency"), f.get("signer"), f.get("fonds"),
                f.get("file_code"), f.get("access_level"), f.get("original_filename"), round(hit.score, 4),
                ", ".join(str(h.page) for h in hit.highlights)]

    # indexing

    def indexed(self, document: Document) -> IndexedDocument:
        return indexed_document(document, document_pages(self.archive, document),
                                index_secret_text=self.archive.settings.search_secret_text)

    def index(self, document: Document) -> None:
        """Put one record in the index as the catalog describes it now."""
        self.put(self.indexed(document))

    def put(self, indexed: IndexedDocument) -> None:
        """Put one record, already read from the catalog, in the index (the pipeline's index step)."""
        self.archive.index.ensure()
        self.archive.index.put(indexed)

    def _all_documents(self, session: Session, chunk: int = 200) -> Iterator[IndexedDocument]:
        last = 0
        while True:
            documents = session.scalars(
                select(Document).where(Document.id > last).order_by(Document.id).limit(chunk).options(
                    selectinload(Document.representations), selectinload(Document.dossier),
                    selectinload(Document.fonds), selectinload(Document.agency))).all()
            if not documents:
                return
            for document in documents:
                yield self.indexed(document)
            last = documents[-1].id
            session.expunge_all()

    def reindex(self) -> int:
        """Rebuild the whole index from the catalog; searches keep working while it runs."""
        with self.archive.sessions() as session:
            return self.archive.index.rebuild(self._all_documents(session))

    # saved queries

    def save_query(self, caller: Caller, name: str, text: str, filters: Mapping[str, Sequence[str]] | Iterable[str],
                   sort: str = "relevance") -> None:
        if caller.user_id is None:
            raise SearchInputError("Hãy chọn người dùng (--as) để lưu truy vấn.", "Name a user (--as) to save a query.")
        request = self.request(text, filters, sort=sort)  # validates before storing
        stored = {**{k: list(v) for k, v in request.filters.items()},
                  **{k: [v] for k, v in (("from", request.date_from), ("to", request.date_to)) if v}}
        with self.archive.sessions.begin() as session:
            row = session.scalar(select(SavedQuery).where(SavedQuery.user_id == caller.user_id, SavedQuery.name == name))
            if row is None:
                row = SavedQuery(user_id=caller.user_id, name=name)
                session.add(row)
            row.query, row.filters, row.sort = text, stored, sort

    def saved_queries(self, caller: Caller) -> list[dict[str, Any]]:
        with self.archive.sessions() as session:
            return [{"name": q.name, "query": q.query, "filters": q.filters, "sort": q.sort}
                    for q in session.scalars(select(SavedQuery).where(SavedQuery.user_id == caller.user_id)
                                             .order_by(SavedQuery.name))]

    def saved_request(self, caller: Caller, name: str, limit: int = 20) -> SearchRequest:
        for saved in self.saved_queries(caller):
            if saved["name"] == name:
                pairs = [f"{k}={v}" for k, values in saved["filters"].items() for v in values]
                return self.request(saved["query"], pairs, sort=saved["sort"], limit=limit)
        raise SearchInputError(f"Không có truy vấn đã lưu tên {name!r}.", f"There is no saved query named {name!r}.")


def _filter_pairs(filters: Mapping[str, Sequence[str]] | Iterable[str]) -> list[tuple[str, str]]:
    if isinstance(filters, Mapping):
        return [(k, str(v)) for k, values in filters.items() for v in values]
    pairs = []
    for item in filters:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise SearchInputError(f"Bộ lọc {item!r} phải có dạng tên=giá_trị, ví dụ year=2023.",
                                   f"The filter {item!r} must look like name=value, e.g. year=2023.")
        pairs.append((name.strip().lower(), value.strip()))
    return pairs


_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _iso_date(name: str, value: str) -> str:
    """YYYY, YYYY-MM or YYYY-MM-DD; the lower bound of that period."""
    if not _DATE.match(value):
        raise SearchInputError(f"Ngày {name}={value!r} phải có dạng YYYY, YYYY-MM hoặc YYYY-MM-DD.",
                               f"The date {name}={value!r} must be YYYY, YYYY-MM or YYYY-MM-DD.")
    parts = [int(p) for p in value.split("-")] + [1, 1]
    try:
        return date(parts[0], parts[1], parts[2]).isoformat()[: len(value)]
    except ValueError as exc:
        raise SearchInputError(f"Ngày {value!r} không tồn tại.", f"The date {value!r} does not exist.") from exc


def _end_of(value: str) -> str:
    """``to=2023`` includes all of 2023: pad a partial date with the last possible suffix."""
    return value + "-12-31"[len(value) - 4:] if len(value) < 10 else value
