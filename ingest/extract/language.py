"""Which language a document is in, for the ``Language`` field (ND 30 PL VI, TT 05 code list).

Administrative documents are Vietnamese almost always; what matters is not to call an English or
French attachment Vietnamese. Vietnamese is recognised by its letters (ă â đ ê ô ơ ư and the tone
marks), which no other language of the TT 05 list uses in quantity.
"""

from __future__ import annotations

import re
import unicodedata

_VI_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ")
_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_WORD = re.compile(r"[^\W\d_]+")
_STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "for", "on", "with", "that", "by", "this"},
    "fr": {"le", "la", "les", "des", "et", "est", "du", "une", "pour", "dans", "par", "que"},
}


def detect_language(text: str) -> tuple[str | None, float]:
    """(ISO 639-1 code, confidence), or (None, 0) when the text is too short or unclear."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 20:
        return None, 0.0
    decomposed = unicodedata.normalize("NFD", text)
    marked = sum(1 for c in decomposed if c in _TONE_MARKS) + sum(1 for c in text if c in _VI_LETTERS)
    ratio = marked / len(letters)
    if ratio >= 0.05:
        return "vi", min(0.99, 0.8 + ratio)
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return None, 0.0
    best, share = None, 0.0
    for lang, stops in _STOPWORDS.items():
        s = sum(1 for w in words if w in stops) / len(words)
        if s > share:
            best, share = lang, s
    if best and share >= 0.05:
        return best, min(0.95, 0.6 + 2 * share)
    return None, 0.0
