"""The values the extractor reads and returns.

Inputs are deliberately source-neutral: an OCR engine, a PDF text layer and a plain text file all
become pages of lines of words, with boxes when the source has them. The parser then never needs to
know where its text came from, and tests can hand-write pages without any OCR at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: The order of the contract's JSON object (`luutru extract FILE --json`).
FIELDS: tuple[str, ...] = (
    "document_type",
    "reference",
    "number",
    "symbol",
    "issued_date",
    "issued_place",
    "issuing_agency",
    "parent_agency",
    "summary",
    "signer_name",
    "signer_title",
    "signer_authority",
    "confidentiality",
    "urgency",
    "page_count",
    "language",
)


@dataclass(frozen=True, slots=True)
class Word:
    """One word with its box in page pixels (or PDF points); ``conf`` is the engine's 0–1 certainty."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    conf: float = 1.0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


class WordRun:
    """The box around a run of words: what lines and layout segments both need to be placed."""

    __slots__ = ()
    words: tuple[Word, ...]

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass(frozen=True, slots=True)
class Line(WordRun):
    """A visual line. ``words`` is empty when the source had no coordinates (plain text)."""

    text: str
    words: tuple[Word, ...] = ()

    @property
    def has_box(self) -> bool:
        return bool(self.words)

    @property
    def conf(self) -> float:
        """Mean word confidence; 1.0 for text without an engine's opinion (born-digital, plain)."""
        if not self.words:
            return 1.0
        return sum(w.conf for w in self.words) / len(self.words)

    @classmethod
    def from_words(cls, words: list[Word] | tuple[Word, ...]) -> Line:
        ordered = tuple(sorted(words, key=lambda w: w.x0))
        return cls(" ".join(w.text for w in ordered), ordered)


@dataclass(frozen=True, slots=True)
class PageText:
    """One page: its lines in the source's order, and its size when the lines carry boxes."""

    lines: tuple[Line, ...]
    width: float = 0.0
    height: float = 0.0

    @property
    def has_boxes(self) -> bool:
        return self.width > 0 and any(line.has_box for line in self.lines)

    @classmethod
    def from_text(cls, text: str) -> PageText:
        """A page from plain text, one line per text line: the fallback when nothing has coordinates."""
        return cls(tuple(Line(raw.strip()) for raw in text.splitlines() if raw.strip()))


@dataclass(frozen=True, slots=True)
class ExtractSettings:
    """Knobs the archive may configure. ``review_threshold`` sends uncertain documents to a person."""

    review_threshold: float = 0.8
    #: The vocabulary match a type line needs to count (0–1, on folded text).
    vocab_min_score: float = 0.85
    #: Agency names the archive already knows (its fonds, its depositors), in upper case as printed;
    #: they join the built-in list used to repair OCR damage in the agency block.
    known_agencies: tuple[str, ...] = ()


@dataclass(slots=True)
class Extraction:
    """The registry fields of one document. ``None`` means "not found", never a guess."""

    document_type: str | None = None
    reference: str | None = None
    number: str | None = None
    symbol: str | None = None
    issued_date: str | None = None
    issued_place: str | None = None
    issuing_agency: str | None = None
    parent_agency: str | None = None
    summary: str | None = None
    signer_name: str | None = None
    signer_title: str | None = None
    signer_authority: str | None = None
    confidentiality: str | None = None
    urgency: str | None = None
    page_count: int | None = None
    language: str | None = None
    born_digital: bool = False
    confidence: dict[str, float] = field(default_factory=dict)
    needs_review: list[str] = field(default_factory=list)
    #: Problems found while validating (e.g. the ký hiệu's type disagrees with the type line).
    warnings: list[str] = field(default_factory=list)

    def to_dict(self, include_review: bool = False) -> dict[str, Any]:
        """The contract's JSON object (`luutru extract FILE --json`); with ``include_review``,
        also the fields to review and the validation warnings, after the contract's keys."""
        out: dict[str, Any] = {name: getattr(self, name) for name in FIELDS}
        out["confidence"] = {name: round(self.confidence[name], 2) for name in FIELDS if name in self.confidence}
        if include_review:
            out["needs_review"] = list(self.needs_review)
            out["warnings"] = list(self.warnings)
        return out
