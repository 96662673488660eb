"""The search contract both backends honour.

Access control is a filter applied inside the query itself, so totals and hits can never include a
record the caller may not see; callers pass the allowed values, the index never decides policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Mapping, Protocol, Sequence, runtime_checkable


class SearchError(Exception):
    """The index could not answer; the message says what happened and what to do."""


@dataclass(frozen=True)
class IndexedDocument:
    """What the index holds for one record: its id, display fields, full text and filter terms."""

    doc_id: str
    text: str
    fields: Mapping[str, str] = field(default_factory=dict)
    terms: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    doc_id: str
    score: float
    fields: Mapping[str, str]


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[Hit]


@runtime_checkable
class SearchIndex(Protocol):
    """Full-text index over documents; diacritic-insensitive; filters restrict totals and hits alike."""

    name: str

    def ensure(self) -> None: ...

    def put(self, document: IndexedDocument) -> None: ...

    def delete(self, doc_id: str) -> None: ...

    def refresh(self) -> None: ...

    def search(self, query: str, allowed: Mapping[str, Sequence[str]], *, size: int = 20,
               offset: int = 0) -> SearchResult: ...

    def health(self) -> str: ...

    def doc_ids(self) -> Iterator[str]:
        """Every indexed document id, for reconciling the index with the catalog."""
        ...
