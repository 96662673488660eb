"""The search contract both backends honour.

Access control is a filter applied inside the query itself, so totals, facets, hits and snippets
can never include a record the caller may not see. The index never decides policy: callers pass
a ``Visibility`` built from their own rules (the archive's roles, agencies and grants).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

MAPPING_VERSION = 8
"""Bumped whenever what is indexed, or how, changes; a mismatch means ``luutru reindex``."""

FACETS = ("type", "agency", "year", "mode")
"""Facets counted by default: document type, issuing agency, year, access level (TT 05 mode)."""

# The ranking contract both backends implement: a matching reference outranks everything, then fixed
# points per query word found with the accents it was typed with and per pair of query syllables
# found side by side, then the engine's BM25 (catalog fields weigh twice the page text).
REFERENCE_BOOST = 1000.0
EXACT_BOOST = 20.0
"""Points per query word found with its typed accents: "hòa" ranks "hòa" above "hóa"."""
BIGRAM_BOOST = 10.0
"""Points per pair of query syllables found side by side: "số hóa" the word over "số … hóa"."""
MAX_EXPANSIONS = 50
"""Most indexed words a fuzzy query word may expand to (Elasticsearch ``max_expansions``)."""
FACET_SIZE = 50

Sort = Literal["relevance", "date", "date_asc"]


class SearchError(Exception):
    """The index could not answer; the message says what happened and what to do."""


@dataclass(frozen=True)
class IndexedDocument:
    """What the index holds for one record.

    ``pages`` is the full text page by page (page 1 first), so a hit can say which page matched;
    ``fields`` are the catalog fields, all searchable and returned with hits; ``terms`` are exact
    values for filters, facets and access (type, agency, year, mode, fonds, dossier, signer, owner);
    ``reference`` is the số/ký hiệu for exact lookup and ``date`` the ISO issue date for sorting.
    """

    doc_id: str
    pages: Sequence[str] = ()
    fields: Mapping[str, str] = field(default_factory=dict)
    terms: Mapping[str, Sequence[str]] = field(default_factory=dict)
    reference: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Visibility:
    """Which records a caller may see, as "any of these clauses": a clause maps term names to the
    values one of which the record must carry, for every name in the clause.

    ``Visibility.everything()`` is unrestricted; ``Visibility(())`` sees nothing.
    """

    clauses: tuple[Mapping[str, Sequence[str]], ...] | None

    @classmethod
    def everything(cls) -> Visibility:
        return cls(None)

    @property
    def unrestricted(self) -> bool:
        return self.clauses is None

    def allows(self, terms: Mapping[str, Sequence[str]]) -> bool:
        """The same rule evaluated on one document's terms (used by tests and record pages)."""
        if self.clauses is None:
            return True
        return any(all(set(values) & set(terms.get(name, ())) for name, values in clause.items())
                   for clause in self.clauses)


@dataclass(frozen=True)
class SearchRequest:
    """Free text (words, "phrases", prefix*, a reference), exact filters, a date range, sort and page."""

    text: str = ""
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    date_from: str | None = None
    date_to: str | None = None
    sort: Sort = "relevance"
    size: int = 20
    after: Sequence[Any] | None = None
    facets: Sequence[str] = FACETS
    highlights: bool = True


@dataclass(frozen=True)
class PageHighlight:
    page: int
    text: str


@dataclass(frozen=True)
class Hit:
    doc_id: str
    score: float
    fields: Mapping[str, str]
    highlights: list[PageHighlight] = field(default_factory=list)
    sort_key: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def next_after(self) -> list[Any] | None:
        """Pass as ``SearchRequest.after`` for the next page (None when this page is the last)."""
        return list(self.hits[-1].sort_key) if self.hits else None


@runtime_checkable
class SearchIndex(Protocol):
    """Full-text index over documents; diacritic-insensitive; visibility restricts everything returned."""

    name: str

    def ensure(self) -> None:
        """Create the index if missing (idempotent)."""

    def put(self, document: IndexedDocument) -> None: ...

    def put_many(self, documents: Iterable[IndexedDocument]) -> int:
        """Bulk indexing; returns how many were indexed."""

    def delete(self, doc_id: str) -> None: ...

    def refresh(self) -> None:
        """Make everything written so far searchable."""

    def rebuild(self, documents: Iterable[IndexedDocument]) -> int:
        """Replace the whole index with ``documents`` while searches keep being answered."""

    def search(self, request: SearchRequest, visibility: Visibility) -> SearchResult: ...

    def health(self) -> str: ...

    def doc_ids(self) -> Iterator[str]:
        """Every indexed document id, for reconciling the index with the catalog."""
        ...
