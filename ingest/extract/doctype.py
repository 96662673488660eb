"""Recognise the type line ("QUYẾT ĐỊNH", "TỜ TRÌNH" …) and the type abbreviation of a ký hiệu."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from ingest.extract.textnorm import is_upper_text, key
from ingest.extract.vocab import DOC_TYPES, DocType
from search.folding import fold

_EDGE_NOISE = re.compile(r"^[^0-9A-Za-zÀ-ỹĐđ]+|[^0-9A-Za-zÀ-ỹĐđ]+$")

#: Types that are never printed as a type line: a công văn is recognised by its "V/v" abstract.
_PRINTED_TYPES = tuple(t for t in DOC_TYPES if t.name != "Công văn")
_TYPE_KEYS = tuple((t, key(t.name)) for t in _PRINTED_TYPES)


@dataclass(frozen=True, slots=True)
class TypeMatch:
    doc_type: DocType
    score: float
    #: Score of the best other type; close to ``score`` means "THÔNG BÁO" vs "THÔNG CÁO" ambiguity.
    runner_up: float


def match_type_line(text: str, min_score: float = 0.85) -> TypeMatch | None:
    """The document type a stand-alone upper-case line names, or None when it names none well."""
    core = _EDGE_NOISE.sub("", text)
    k = key(core)
    if not k or len(k) > 24 or not is_upper_text(core, 0.6):
        return None
    scored = sorted(((fuzz.ratio(k, tk) / 100, t) for t, tk in _TYPE_KEYS), key=lambda p: -p[0])
    (score, best), (second, _) = scored[0], scored[1]
    if score < min_score:
        return None
    return TypeMatch(best, score, second)


def abbr_key(abbr: str) -> str:
    """Comparison form of a type abbreviation: case and Đ/D folded (OCR and typists vary both)."""
    return fold(abbr).upper()


def types_for_abbr(group: str) -> list[DocType]:
    """Types whose abbreviation matches a ký hiệu group, exact spelling first.

    Folding makes "HD" (Hướng dẫn) and "HĐ" (Hợp đồng), "DA" (Dự án) and "ĐA" (Đề án) collide, so
    an exact match is preferred and the caller breaks the remaining ties with the type line.
    """
    exact = [t for t in DOC_TYPES if t.abbr == group]
    folded = [t for t in DOC_TYPES if t.abbr and abbr_key(t.abbr) == abbr_key(group) and t not in exact]
    return exact + folded
