"""Snippets with page numbers, cut from the stored page text of the hits being returned.

Both backends call this one function on the same stored text, so their snippets are identical and
can only come from records already admitted by the access filter. The query's folded words become
a pattern of accent classes run on the text as written, so the snippet shows the accents as
written and no page has to be folded.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence

from search.analysis import ParsedQuery
from search.base import PageHighlight
from search.folding import fold

MAX_PAGES = 3
WINDOW = 220
LEAD = 70


def _variants() -> dict[str, str]:
    """For each folded letter, a regex class of every character that folds to it ("a" → [aAàÀáÁ…ặẶ])."""
    groups: dict[str, set[str]] = {}
    for code in range(0x20, 0x3000):
        ch = chr(code)
        folded = fold(ch)
        if len(folded) == 1 and folded != ch:
            groups.setdefault(folded, {folded}).add(ch)
    for letter in "abcdefghijklmnopqrstuvwxyz":
        groups.setdefault(letter, {letter}).add(letter.upper())
    return {k: "[" + "".join(re.escape(c) for c in sorted(v)) + "]" for k, v in groups.items()}


_VARIANTS = _variants()


@functools.lru_cache(maxsize=256)
def _pattern(words: tuple[tuple[str, bool], ...]) -> re.Pattern[str] | None:
    """One regex over the page as written: each folded query letter matches all its accented forms,
    so no page has to be folded to find where the words are."""
    parts = sorted({"".join(_VARIANTS.get(ch, re.escape(ch)) for ch in w) + (r"[^\W_]*" if prefix else "")
                    for w, prefix in words if w}, key=len, reverse=True)
    if not parts:
        return None
    # No look-behind in front: a pattern that starts with the letter classes lets the regex engine
    # skip ahead to candidate letters; the word start is checked on the (few) matches instead.
    return re.compile(r"(?:" + "|".join(parts) + r")(?![^\W_])")


def _word_starts(text: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """Matches of ``pattern`` that begin a word (what a leading ``(?<![^\W_])`` would keep)."""
    found = []
    for m in pattern.finditer(text):
        start = m.start()
        if start and text[start - 1].isalnum():
            continue
        found.append(m)
    return found


def page_highlights(pages: Sequence[str], query: ParsedQuery, limit: int = MAX_PAGES) -> list[PageHighlight]:
    """Up to ``limit`` pages where the query's words occur, best first, each with one marked snippet.

    ``pages`` are as the backends store them (``analysis.display_page``).
    """
    pattern = _pattern(tuple(query.highlight_words))
    if pattern is None:
        return []
    scored = []
    for number, text in enumerate(pages, start=1):
        matches = _word_starts(text, pattern)
        if matches:
            distinct = len({fold(word) for word in {m.group(0) for m in matches}})
            scored.append((-distinct, -len(matches), number, text, matches))
    scored.sort(key=lambda s: s[:3])
    return [PageHighlight(number, _snippet(text, matches)) for _, _, number, text, matches in scored[:limit]]


def _snippet(text: str, matches: list[re.Match[str]]) -> str:
    """A window around the densest run of matches, matches wrapped in <mark>, the rest HTML-escaped."""
    best, best_count, j = 0, 0, 0
    for i, m in enumerate(matches):  # sliding window: the match followed by the most others within reach
        j = max(j, i)
        while j + 1 < len(matches) and matches[j + 1].start() < m.start() + WINDOW - LEAD:
            j += 1
        if j - i + 1 > best_count:
            best, best_count = i, j - i + 1
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
