"""Snippets: the per-word search finds exactly what the one alternation of accent classes finds.

``page_highlights`` searches a query's ASCII words one pattern each (compiled once per word) and merges
the spans; the alternation over all words (``_pattern``) is the definition it must agree with, on any
text: Vietnamese with and without marks, capitals, digits, ``_``, letters that fold to no ASCII letter,
combining marks, a dotted capital I.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from search.analysis import parse_query
from search.highlight import LEAD, WINDOW, _finder, _pattern, _snippet, _word_starts, page_highlights

LETTERS = "aàáảãạăắâấbcdđĐeéêềghiíklmnoóôồơớpqrstuưứvxyýAÀĂÂEÊOÔƠUƯǎßİ0123456789_"
OTHERS = " ,.;:-/“”…\u0301\u00a0"
TEXT = st.text(alphabet=LETTERS + OTHERS * 3, max_size=120)
WORD = st.text(alphabet="abcdeghiklmnopqrstuvxy0123456789", min_size=1, max_size=4)


@settings(max_examples=400, deadline=None)
@given(TEXT, st.lists(st.tuples(WORD, st.booleans()), min_size=1, max_size=4))
def test_per_word_spans_equal_the_alternation(text: str, words: list[tuple[str, bool]]) -> None:
    find = _finder(words)
    assert find is not None
    reference = _pattern(tuple(sorted(set(words))))
    assert reference is not None
    assert find(text) == _word_starts(text, reference)


def test_words_not_ascii_keep_the_alternation() -> None:
    find = _finder([("ß", False), ("so", True)])
    assert find is not None
    assert find("Sổ ß sơn xß") == [(0, 2), (3, 4), (5, 8)]


def _window_reference(starts: list[int]) -> int:
    """The match followed by the most others starting within reach, the first on a tie."""
    counts = [sum(1 for s in starts[i:] if s < start + WINDOW - LEAD) for i, start in enumerate(starts)]
    return counts.index(max(counts))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2000), min_size=1, max_size=40, unique=True))
def test_snippet_window_is_the_densest_run(positions: list[int]) -> None:
    positions.sort()
    marked = set(positions)
    text = "".join(chr(0x4E00 + i) if i in marked else " " for i in range(max(positions) + 1))
    snippet = _snippet(text, [(p, p + 1) for p in positions])
    best = positions[_window_reference(positions)]
    assert f"<mark>{text[best]}</mark>" in snippet
    shown = [ord(part[0]) - 0x4E00 for part in snippet.split("<mark>")[1:]]
    low = max(0, best - LEAD)
    assert all(low <= p <= low + WINDOW for p in shown)


def test_page_highlights_rank_pages_and_escape() -> None:
    pages = ["Không có gì ở đây.", "Quyết định <số> 12 về số hóa; số hóa tài liệu.", "quyet dinh so"]
    found = page_highlights(pages, parse_query("quyet dinh so hoa"))
    assert [h.page for h in found] == [2, 3]
    assert found[0].text == ("<mark>Quyết</mark> <mark>định</mark> &lt;<mark>số</mark>&gt; 12 về <mark>số</mark> "
                             "<mark>hóa</mark>; <mark>số</mark> <mark>hóa</mark> tài liệu.")
    assert found[1].text == "<mark>quyet</mark> <mark>dinh</mark> <mark>so</mark>"
