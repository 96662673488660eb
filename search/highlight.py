"""Snippets with page numbers, cut from the stored page text of the hits being returned.

Both backends call this one function on the same stored text, so their snippets are identical and
can only come from records already admitted by the access filter. Matching is on folded text
aligned character by character with the original, so the snippet shows the accents as written.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence

from search.analysis import ParsedQuery
from search.base import PageHighlight
from search.folding import fold

MAX_PAGES = 3
WINDOW = 220
LEAD = 70


def _aligned_fold(text: str) -> str:
    """``fold`` one character at a time, so index i of the result is character i of ``text``."""
    out = []
    for ch in text:
        f = fold(ch)
        out.append(f if len(f) == 1 else (f[:1] or " "))
    return "".join(out)


def _pattern(words: Sequence[tuple[str, bool]]) -> re.Pattern[str] | None:
    parts = sorted({re.escape(w) + (r"[^\W_]*" if prefix else "") for w, prefix in words if w}, key=len, reverse=True)
    if not parts:
        return None
    return re.compile(r"(?<![^\W_])(?:" + "|".join(parts) + r")(?![^\W_])")


def page_highlights(pages: Sequence[str], query: ParsedQuery, limit: int = MAX_PAGES) -> list[PageHighlight]:
    """Up to ``limit`` pages where the query's words occur, best first, each with one marked snippet."""
    pattern = _pattern(query.highlight_words)
    if pattern is None:
        return []
    scored = []
    for number, raw in enumerate(pages, start=1):
        text = " ".join(unicodedata.normalize("NFC", raw).split())
        matches = list(pattern.finditer(_aligned_fold(text)))
        if matches:
            distinct = len({m.group(0) for m in matches})
            scored.append((-distinct, -len(matches), number, text, matches))
    scored.sort(key=lambda s: s[:3])
    return [PageHighlight(number, _snippet(text, matches)) for _, _, number, text, matches in scored[:limit]]


def _snippet(text: str, matches: list[re.Match[str]]) -> str:
    """A window around the densest run of matches, matches wrapped in <mark>, the rest HTML-escaped."""
    best = max(range(len(matches)),
               key=lambda i: (sum(1 for m in matches[i:] if m.start() < matches[i].start() + WINDOW - LEAD), -i))
    start = max(0, matches[best].start() - LEAD)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < matches[best].start() else start
    end = min(len(text), start + WINDOW)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > matches[best].end() else end
    out, cursor = [], start
    for m in matches:
        if m.start() < start or m.end() > end:
            continue
        out.append(html.escape(text[cursor:m.start()], quote=False))
        out.append("<mark>" + html.escape(text[m.start():m.end()], quote=False) + "</mark>")
        cursor = m.end()
    out.append(html.escape(text[cursor:end], quote=False))
    return ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")
