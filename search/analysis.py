"""Vietnamese text analysis done once in Python, so both backends index and query the same tokens.

The Elasticsearch we run (and any without the analysis-common module or ICU) has no folding,
shingle or n-gram filters, and SQLite's ``unicode61`` does not fold "đ". So tokens are cut here
and handed to the backends as space-separated words that their plainest analyzers (ES
``whitespace``, FTS5 ``unicode61``) only have to split on spaces. Each field exists twice:

* *exact*: lower-cased with its accents, so a query typed with the right diacritics ranks exact
  matches first;
* *folded*: accents and "đ" removed, so "quyet dinh so hoa" finds "Quyết định … số hóa".

Vietnamese words are one to four syllables separated by spaces; each adjacent pair of query
syllables (a syllable bigram, "số hóa") is also matched as a two-word phrase, which rewards
documents where the syllables stand together as one word. Elasticsearch (``index_phrases``) and
tantivy (a ``pairs`` field) index each adjacent pair as one term, so phrases and the pair bonus need
few position checks; SQLite FTS5 matches the pairs as phrases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from search.folding import fold

_TOKEN = re.compile(r"[^\W_]+")
_PHRASE = re.compile(r'"([^"]*)"')
_REFERENCE_PREFIX = re.compile(r"^\s*(số|so|sô)\s*[:.]?\s*", re.IGNORECASE)
_REFERENCE_IN_TEXT = re.compile(r"\d+[^\W_]*\s*/\s*[^\s,;]+(?:\s*-\s*[^\s,;]+)*")

FUZZY_MIN_LENGTH = 6
"""Words this long (folded) also match one edit away (OCR damage); shorter Vietnamese syllables
differ by one letter too often ("thanh"/"thinh") for fuzziness to be safe."""

FUZZY_MAX_LENGTH = 32
"""Longer words (a typing accident, a pasted hash) are matched exactly: no Vietnamese or English word
is that long, and a one-edit automaton grows with the square of the word's length (tantivy refuses
the regex of a 400-letter word)."""

FUZZY_PREFIX = 1
"""The first letter of a fuzzy match must be right, as Elasticsearch's ``prefix_length``."""


_FOLDED: dict[str, str] = {}
_FOLDED_MAX = 1_000_000


def _fold_token(token: str) -> str:
    folded = _FOLDED.get(token)
    if folded is None:
        folded = fold(token)
        if len(_FOLDED) < _FOLDED_MAX:
            _FOLDED[token] = folded
    return folded


def tokens(text: str) -> list[str]:
    """Lower-cased words with their accents (NFC), letters and digits only."""
    return _TOKEN.findall(unicodedata.normalize("NFC", text).lower())


def folded_tokens(text: str) -> list[str]:
    """The words of ``text`` folded one by one: a language has few distinct syllables, so folding goes
    through a cache instead of over every character of every page (the indexing hot path)."""
    cache = _FOLDED
    return [cache[t] if t in cache else _fold_token(t) for t in tokens(text)]


def exact_text(text: str) -> str:
    return " ".join(tokens(text))


def folded_text(text: str) -> str:
    return " ".join(folded_tokens(text))


def bigrams(words: list[str]) -> list[list[str]]:
    """Adjacent syllable pairs: matched as two-word phrases, they reward words kept together."""
    return [[a, b] for a, b in zip(words, words[1:])]


def display_page(text: str) -> str:
    """A page as stored for snippets: NFC, runs of white space (line breaks) as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True)
class AnalysedDocument:
    """The texts both backends index, each word cut and folded exactly once; what only one backend
    needs (the accented words for Elasticsearch, syllable pairs for tantivy, the exact texts for the
    embedded backends, the fuzzy word list for SQLite) is derived by that backend from the word lists,
    so the other backends' bulk loads do not pay for it."""

    meta_folded: str
    body_folded: str
    meta_tokens: list[str] = field(repr=False)
    body_tokens: list[str] = field(repr=False)
    meta_words: list[str] = field(repr=False)
    body_words: list[str] = field(repr=False)

    @property
    def meta_exact(self) -> str:
        return " ".join(self.meta_tokens)

    @property
    def body_exact(self) -> str:
        return " ".join(self.body_tokens)

    def accented_words(self) -> list[str]:
        """Each distinct word with a mark, once, catalog fields and pages together: only an accented
        query word looks for its exact form (an ASCII word is its own folding)."""
        return [w for w in {*self.meta_tokens, *self.body_tokens} if not w.isascii()]

    def fuzzy_words(self) -> frozenset[str]:
        """Words long enough for fuzzy matching, tested once per distinct word, not per occurrence."""
        return frozenset(w for w in {*self.meta_words, *self.body_words}
                         if len(w) >= FUZZY_MIN_LENGTH - 1 and w.isalpha())


def analyse(fields: Sequence[str], pages: Sequence[str]) -> AnalysedDocument:
    meta, body = tokens("\n".join(fields)), tokens("\n".join(pages))
    cache = _FOLDED
    meta_folded = [cache[t] if t in cache else _fold_token(t) for t in meta]
    body_folded = [cache[t] if t in cache else _fold_token(t) for t in body]
    return AnalysedDocument(" ".join(meta_folded), " ".join(body_folded), meta, body, meta_folded, body_folded)


def reference_key(reference: str) -> str:
    """Số/ký hiệu reduced to folded letters and digits: "15/QĐ-BNV", "15 / qd - bnv" and "15 QD BNV" agree."""
    return "".join(folded_tokens(reference))


def reference_candidates(query: str) -> list[str]:
    """Keys the query could be a reference lookup for: the whole query (minus "Số:") or a ``N/…`` part."""
    candidates = []
    whole = reference_key(_REFERENCE_PREFIX.sub("", query))
    if any(c.isdigit() for c in whole) and any(c.isalpha() for c in whole):
        candidates.append(whole)
    for found in _REFERENCE_IN_TEXT.findall(query):
        key = reference_key(found)
        if key not in candidates and any(c.isalpha() for c in key):
            candidates.append(key)
    return candidates


@dataclass(frozen=True)
class Term:
    """One query word: folded form (what must match), exact form (ranks first), prefix or not."""

    folded: str
    exact: str
    prefix: bool = False

    @property
    def fuzzy(self) -> bool:
        return (not self.prefix and FUZZY_MIN_LENGTH <= len(self.folded) <= FUZZY_MAX_LENGTH
                and self.folded.isalpha())


@dataclass(frozen=True)
class ParsedQuery:
    """Free text split into required words, quoted phrases and reference candidates.

    Every word and phrase must match (in any catalog field or page); bigrams, exact accents and a
    matching reference only change the order.
    """

    terms: list[Term] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    accented: bool = False

    @property
    def empty(self) -> bool:
        return not self.terms and not self.phrases and not self.references

    @property
    def bigrams(self) -> list[list[str]]:
        return bigrams([t.folded for t in self.terms if not t.prefix])

    @property
    def highlight_words(self) -> list[tuple[str, bool]]:
        """Folded words to mark in snippets, with whether they are prefixes."""
        words = [(t.folded, t.prefix) for t in self.terms]
        words += [(w, False) for p in self.phrases for w in p]
        return words


def parse_query(query: str) -> ParsedQuery:
    """Quoted parts are phrases; a word ending in ``*`` is a prefix; the rest are required words."""
    phrases = [folded_tokens(p) for p in _PHRASE.findall(query)]
    rest = _PHRASE.sub(" ", query)
    terms: list[Term] = []
    seen: set[tuple[str, bool]] = set()
    for raw in rest.split():
        prefix = raw.endswith("*")
        for exact in tokens(raw):
            folded = fold(exact)
            key = (folded, prefix)
            if key not in seen:
                seen.add(key)
                terms.append(Term(folded, exact, prefix))
    # A word cut by the tokenizer ("12/QĐ-UBND" → 12, qđ, ubnd) keeps the prefix only on its last part.
    terms = [Term(t.folded, t.exact, t.prefix and any(raw.endswith(t.exact + "*") or
                                                       fold(raw).endswith(t.folded + "*") for raw in rest.split()))
             for t in terms]
    return ParsedQuery(terms=terms, phrases=[p for p in phrases if p], references=reference_candidates(query),
                       accented=any(t.exact != t.folded for t in terms))
