"""Text comparison that tolerates what OCR does to Vietnamese: lost diacritics, confused letters.

Every vocabulary comparison in the parser goes through `key()` (folded, punctuation-free) and
`similarity()`, so "Sô:", "SO:" and "Số:" or "QUYET DINH" and "QUYẾT ĐỊNH" compare equal.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from search.folding import fold

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")

#: Characters OCR reads for a digit, mapped to that digit. Used only where a number must stand.
_DIGIT_LOOKALIKES = str.maketrans({
    "O": "0", "o": "0", "D": "0", "Q": "0", "U": "0", "ơ": "0", "ô": "0", "Ô": "0",
    "l": "1", "I": "1", "i": "1", "|": "1", "!": "1", "L": "1", "J": "1", "]": "1", "[": "1", "í": "1",
    "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "g": "9", "q": "9", "G": "6", "b": "6", "T": "7",
})

#: Letters OCR reads for an upper-case letter of an abbreviation, mapped to that letter.
_LETTER_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G", "|": "I"})

#: Groups of upper-case letters a scanner confuses; used to correct an issuer abbreviation
#: towards the initials of the agency name printed above it.
CONFUSABLE: tuple[frozenset[str], ...] = (
    frozenset("ĐD"), frozenset("OQD0"), frozenset("IT1L"), frozenset("BE8"), frozenset("S5"),
    frozenset("Z2"), frozenset("G6C"), frozenset("UV"), frozenset("HN"), frozenset("MN"),
)


#: Look-alikes OCR engines emit for Vietnamese letters: the Icelandic eth for Đ.
_LOOKALIKE_LETTERS = str.maketrans({"Ð": "Đ", "ð": "đ"})


def nfc(text: str) -> str:
    """NFC with collapsed whitespace and look-alike letters mapped (Ð → Đ): the form we compare and return."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text.translate(_LOOKALIKE_LETTERS))).strip()


@functools.lru_cache(maxsize=1 << 16)
def key(text: str) -> str:
    """Folded, lower-case, with every run of punctuation/space as one space: the comparison form."""
    return _NON_ALNUM.sub(" ", fold(text)).strip()


def similarity(a: str, b: str) -> float:
    """0–1 similarity of the folded forms (normalised Indel ratio)."""
    return fuzz.ratio(key(a), key(b)) / 100


def best_match(text: str, choices: Iterable[str]) -> tuple[str | None, float, float]:
    """The closest choice on folded text, its score and the runner-up's score (to judge ambiguity)."""
    k = key(text)
    best: str | None = None
    best_score = second = 0.0
    for choice in choices:
        score = fuzz.ratio(k, key(choice)) / 100
        if score > best_score:
            best, best_score, second = choice, score, best_score
        elif score > second:
            second = score
    return best, best_score, second


def edit_distance(a: str, b: str) -> int:
    return Levenshtein.distance(a, b)


def as_digits(token: str) -> str:
    """Read a token that must be a number, mapping OCR look-alikes (O→0, l→1, S→5 …) to digits."""
    return token.translate(_DIGIT_LOOKALIKES)


def as_letters(token: str) -> str:
    """Read an upper-case abbreviation group, mapping OCR digit look-alikes back to letters."""
    return token.translate(_LETTER_LOOKALIKES)


def is_upper_text(text: str, min_ratio: float = 0.8) -> bool:
    """True when most letters are capitals: headers, type lines, titles and stamps are printed so."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    return sum(c.isupper() for c in letters) / len(letters) >= min_ratio


def alpha_ratio(text: str) -> float:
    """Share of letters among non-space characters; garbage OCR of seals and lines scores low."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    return sum(c.isalpha() for c in chars) / len(chars)


def initials(name: str) -> str:
    """Upper-case initials of an agency name without "VÀ": BỘ GIÁO DỤC VÀ ĐÀO TẠO → BGDĐT.

    ND 30 builds an issuer's abbreviation this way in nearly every case, which lets a damaged
    ký hiệu be checked against the agency name printed above it.
    """
    words = [w for w in re.split(r"[\s,\-–]+", name.upper()) if w and w != "VÀ" and w[0].isalpha()]
    return "".join(unicodedata.normalize("NFC", unicodedata.normalize("NFD", w)[0]) for w in words)


def confusable(a: str, b: str) -> bool:
    """True when two upper-case letters are a pair a scanner mixes up (or are equal)."""
    if a == b:
        return True
    return any(a in group and b in group for group in CONFUSABLE)


def close_by_confusion(observed: str, expected: str, max_subs: int = 1) -> bool:
    """Same length and differing only by at most ``max_subs`` confusable letters."""
    if len(observed) != len(expected):
        return False
    subs = 0
    for o, e in zip(observed, expected, strict=True):
        if o == e:
            continue
        if not confusable(o, e):
            return False
        subs += 1
    return subs <= max_subs


def abbr_agrees(abbr: str, name_initials: str) -> bool:
    """True when an issuer abbreviation is (up to OCR confusions) a run of a name's initials."""
    if abbr in name_initials:
        return True
    subs = 1 if len(abbr) < 5 else 2
    return any(
        close_by_confusion(abbr, name_initials[i:i + len(abbr)], subs)
        for i in range(len(name_initials) - len(abbr) + 1)
    )


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
#: Onsets include the clusters of ethnic-minority place names (Krông, Chư Prông, Đăk Glei).
_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghkmpst][rl]|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$"
)


def plausible_syllable(word: str, strict_tones: bool = True) -> bool:
    """True when a word could be one Vietnamese syllable: one vowel group (and one tone mark).

    OCR of seals, signatures and underlines produces letter salad ("VyIYVU", "NVIYVO"); this
    tells it from a real but unknown word ("MƯỜNG") without a dictionary. With ``strict_tones``
    off, a syllable carrying two tone marks ("TÈẺ", a damaged "TÈ") still counts as a syllable.
    """
    core = word.strip(".,;:()-")
    if not core or not core.isalpha():
        return False
    if strict_tones and sum(1 for c in unicodedata.normalize("NFD", core) if c in _TONES) > 1:
        return False
    return bool(_SYLLABLE.match(fold(core)))


_MARKS_KEPT = {"\u0302", "\u0306", "\u031b"}
#: Spellings Vietnamese orthography forbids, which OCR produces by dropping a hat or a horn:
#: "ie"/"ye" without ê (LIEU), "uo" + final consonant without ô or ươ (TRUỜNG, ĐƯƠNG is fine).
_MISSPELT = re.compile(r"[iy]e(?!\u0302)|uo(?![\u0302\u031b])[cmnpt]|u(?!\u031b)o\u031b[cmnpt]|u\u031bo(?!\u031b)")


def misspelt(word: str) -> bool:
    """True for a word no correct Vietnamese text contains: a sign of lost diacritics."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    base = "".join(c for c in decomposed if not unicodedata.combining(c) or c in _MARKS_KEPT)
    return bool(_MISSPELT.search(base))


def blend(ocr_conf: float, evidence: float) -> float:
    """Confidence of a reading from the engine's word confidence and how well it passed our checks.

    Tesseract's confidences run 0.6–0.97 on correct words, so the engine only moves a result by
    up to 40 %; agreement with a vocabulary or with another field (``evidence``) weighs more.
    """
    return max(0.0, min(1.0, evidence * (0.6 + 0.4 * ocr_conf)))
