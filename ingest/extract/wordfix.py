"""Restore diacritics of upper-case names word by word, only where the known names leave no doubt.

Folding makes many words collide ("VIEN" is VIỆN or VIÊN, "CHI" is CHI or CHÍ), so a word is
never restored from its own folded form. It is restored when a neighbouring word confirms it: the
pair (previous word, word) or (word, next word) occurs in a known name with one spelling only.
"HỒ CHI MINH" becomes "HỒ CHÍ MINH" because of "HỒ CHÍ"; "VIEN CHỨC" stays as read because no
known name has a pair for it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ingest.extract.textnorm import key

_SPLIT = re.compile(r"[\s,]+")


def _tokens(name: str) -> list[str]:
    return [w for w in _SPLIT.split(name) if w and w != "-"]


@dataclass(frozen=True, slots=True)
class PhraseVocab:
    """Pairs of consecutive words of known names, by folded key, with their spellings."""

    pairs: dict[tuple[str, str], frozenset[tuple[str, str]]]
    words: frozenset[str]

    @classmethod
    def build(cls, names: Iterable[str]) -> PhraseVocab:
        pairs: dict[tuple[str, str], set[tuple[str, str]]] = {}
        words: set[str] = set()
        for name in names:
            toks = _tokens(name.upper())
            words.update(key(t) for t in toks)
            for a, b in itertools.pairwise(toks):
                pairs.setdefault((key(a), key(b)), set()).add((a, b))
        return cls({k: frozenset(v) for k, v in pairs.items()}, frozenset(words))

    def knows(self, word: str) -> bool:
        return key(word) in self.words

    def fix(self, text: str) -> tuple[str, int]:
        """(text with confirmed spellings restored, number of words changed)."""
        parts = re.split(r"(\s+)", text)
        idx = [i for i, p in enumerate(parts) if p.strip() and p.strip(",") not in ("", "-")]
        changed = 0
        for n, i in enumerate(idx):
            word = parts[i]
            core = word.strip(",")
            forms: set[str] = set()
            if n > 0:
                prev = parts[idx[n - 1]].strip(",")
                forms |= {b for a, b in self.pairs.get((key(prev), key(core)), ())}
            if n + 1 < len(idx):
                nxt = parts[idx[n + 1]].strip(",")
                forms |= {a for a, b in self.pairs.get((key(core), key(nxt)), ())}
            if len(forms) == 1:
                form = forms.pop()
                if form != core:
                    parts[i] = word.replace(core, form)
                    changed += 1
        return "".join(parts), changed
