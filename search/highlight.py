"""Snippets with page numbers, cut from the stored page text of the hits being returned.

Both backends call this one function on the same stored text, so their snippets are identical and
can only come from records already admitted by the access filter. The query's folded words become
a pattern of accent classes run on the text as written, so the snippet shows the accents as
written and no page has to be folded.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from collections.abc import Callable, Sequence

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


def _word(word: str, prefix: bool) -> str:
    return "".join(_VARIANTS.get(ch, re.escape(ch)) for ch in word) + (r"[^\W_]*" if prefix else "")


@functools.lru_cache(maxsize=256)
def _pattern(words: tuple[tuple[str, bool], ...]) -> re.Pattern[str] | None:
    """One regex over the page as written: each folded query letter matches all its accented forms,
    so no page has to be folded to find where the words are."""
    parts = sorted({_word(w, prefix) for w, prefix in words if w}, key=len, reverse=True)
    if not parts:
        return None
    # No look-behind in front: a pattern that starts with the letter classes lets the regex engine
    # skip ahead to candidate letters; the word start is checked on the (few) matches instead.
    return re.compile(r"(?:" + "|".join(parts) + r")(?![^\W_])")


@functools.lru_cache(maxsize=4096)
def _word_pattern(word: str, prefix: bool) -> re.Pattern[str]:
    """One query word's pattern, matching only where a word begins: compiled once per word, not per
    query (a language has few syllables, and compiling the letter classes is what costs, ~0.1 ms each).
    The word start is checked by a look-behind after the first letter, so the engine still skips ahead
    to candidate first letters and drops the matches inside words itself."""
    first = _VARIANTS.get(word[0], re.escape(word[0]))
    return re.compile(first + r"(?<![^\W_].)" + _word(word[1:], prefix) + r"(?![^\W_])")


def _word_starts(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    r"""Spans of the matches of ``pattern`` that begin a word (what a leading ``(?<![^\W_])`` would keep)."""
    found = []
    for m in pattern.finditer(text):
        start = m.start()
        if start and text[start - 1].isalnum():
            continue
        found.append((start, m.end()))
    return found


def _finder(words: Sequence[tuple[str, bool]]) -> Callable[[str], list[tuple[int, int]]] | None:
    """Where the query's words begin in a page, as sorted spans.

    A word of ASCII letters and digits is searched for on its own: its letter classes hold only letters
    and digits, so each match runs from its start to the end of that word, and the matches of the
    alternation are the union of each word's matches (two words found at one start give the same span).
    One word at a time lets the engine skip to its first letter, several times faster than trying an
    alternation at every character. Other words keep the one alternation.
    """
    distinct = sorted({(w, prefix) for w, prefix in words if w})
    if not distinct:
        return None
    if not all(w.isascii() and w.isalnum() for w, _ in distinct):
        pattern = _pattern(tuple(distinct))
        assert pattern is not None
        return lambda text: _word_starts(text, pattern)
    patterns = [_word_pattern(w, prefix) for w, prefix in distinct]
    if len(patterns) == 1:
        return lambda text: [m.span() for m in patterns[0].finditer(text)]
    return lambda text: sorted(set().union(*([m.span() for m in p.finditer(text)] for p in patterns)))


def page_highlights(pages: Sequence[str], query: ParsedQuery, limit: int = MAX_PAGES) -> list[PageHighlight]:
    """Up to ``limit`` pages where the query's words occur, best first, each with one marked snippet.

    ``pages`` are as the backends store them (``analysis.display_page``).
    """
    find = _finder(query.highlight_words)
    if find is None:
        return []
    scored = []
    for number, text in enumerate(pages, start=1):
        spans = find(text)
        if spans:
            distinct = len({fold(word) for word in {text[s:e] for s, e in spans}})
            scored.append((-distinct, -len(spans), number, text, spans))
    scored.sort(key=lambda s: s[:3])
    return [PageHighlight(number, _snippet(text, spans)) for _, _, number, text, spans in scored[:limit]]


def _snippet(text: str, spans: list[tuple[int, int]]) -> str:
    """A window around the densest run of matches, matches wrapped in <mark>, the rest HTML-escaped."""
    starts = [s for s, _ in spans]
    reach = WINDOW - LEAD
    # the match followed by the most others starting within reach (the first such, on a tie)
    counts = [bisect.bisect_left(starts, s + reach, i) - i for i, s in enumerate(starts)]
    best = counts.index(max(counts))
    first_start, first_end = spans[best]
    start = max(0, first_start - LEAD)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first_start else start
    end = min(len(text), start + WINDOW)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > first_end else end
    window = text[start:end]
    escape = (lambda part: part) if not any(c in window for c in "&<>") else (
        lambda part: html.escape(part, quote=False))  # most windows have nothing to escape
    out, cursor = [], start
    for s, e in spans[bisect.bisect_left(starts, start):]:
        if e > end:
            break
        out.append(escape(text[cursor:s]))
        out.append("<mark>" + escape(text[s:e]) + "</mark>")
        cursor = e
    out.append(escape(text[cursor:end]))
    return ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")
