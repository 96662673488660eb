"""Read "Địa danh, ngày … tháng … năm …" (ND 30 box 4): the place and an ISO date that exists."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.extract.textnorm import as_digits, best_match, key, nfc
from ingest.extract.vocab import PLACES
from search.folding import fold

_D = "0-9oilsbzq|"
#: On folded, lower-cased text; the optional letter and [yv] absorb OCR damage to "ngày".
_DATE = re.compile(
    rf"ng[a-z]?[yv]\W{{0,3}}(?P<d>[{_D}]{{1,2}})\W{{0,3}}t[hb][a-z]?ng\W{{0,3}}(?P<m>[{_D}]{{1,2}})"
    rf"\W{{0,3}}n[a-z]?m\W{{0,3}}(?P<y>[{_D}]{{4}})(?![0-9])"
)
_NUMERIC_DATE = re.compile(r"ng[a-z]?[yv]\W{0,3}(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})(?![0-9])")
#: Lower-case words that may sit inside a place name ("Thành phố Hồ Chí Minh", "thị xã Sơn Tây").
PLACE_GLUE = frozenset({"phố", "pho", "xã", "xa", "thị", "thi", "trấn", "tran", "huyện", "huyen", "quận", "quan", "tỉnh", "-"})
EARLIEST_YEAR = 1945
#: OCR splits numbers ("năm 201 1"): a single space between two digits is removed.
_SPLIT_DIGITS = re.compile(r"(?<=\d) (?=\d)")
#: Abbreviated unit words that may open a place name ("TP. Hồ Chí Minh", "TX. Sơn Tây").
_PLACE_PREFIXES = frozenset({"TP.", "Tp.", "TX.", "Tx.", "TT.", "Q.", "H."})
#: A ký hiệu group pair ("QyĐ-KTVB") is never part of a place name.
_ABBREVIATION = re.compile(r"^[A-ZĐ][A-Za-zĐđ]*-[A-ZĐ]")


@dataclass(slots=True)
class DateParse:
    iso: str | None
    place: str | None
    #: True when the place was restored from the gazetteer (diacritics, spelling).
    place_canonical: bool = False
    fixes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _fold_same_length(text: str) -> str:
    """Fold character by character so positions in the folded text map back to the original."""
    out = []
    for ch in text:
        f = fold(ch)
        out.append(f if len(f) == 1 else ch.lower())
    return "".join(out)


def find_date(text: str, today: dt.date | None = None) -> DateParse | None:
    """The first "ngày … tháng … năm …" in ``text``; None when there is no such phrase."""
    text = _SPLIT_DIGITS.sub("", text)
    folded = _fold_same_length(text)
    match = _DATE.search(folded) or _NUMERIC_DATE.search(folded)
    if not match:
        return None
    fixes: list[str] = []
    warnings: list[str] = []
    parts = []
    for name in ("d", "m", "y"):
        raw = match.group(name)
        digits = as_digits(raw)
        if digits != raw:
            fixes.append(f"date-{name}-lookalike")
        parts.append(digits)
    iso = None
    if all(p.isdigit() for p in parts):
        iso = _valid_iso(int(parts[2]), int(parts[1]), int(parts[0]), today or dt.date.today())
        if iso is None:
            warnings.append(f"date {parts[0]}/{parts[1]}/{parts[2]} does not exist")
    place, canonical = place_before(text[: match.start()])
    return DateParse(iso, place, canonical, fixes, warnings)


def _valid_iso(year: int, month: int, day: int, today: dt.date) -> str | None:
    if not EARLIEST_YEAR <= year <= today.year + 1:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def place_start(tokens: Sequence[str], end: int) -> int:
    """Index where "Địa danh" starts among ``tokens[:end]``: capitalised words back to a stop word.

    Stops at an all-caps word (the agency beside it), a word with digits or "/" (the số), or an
    ordinary lower-case word, except the glue inside place names ("Thành phố", "thị xã").
    """
    start = end
    for j in range(end - 1, max(-1, end - 7), -1):
        text = tokens[j].strip(",")
        if not text:
            break
        letters = [c for c in text if c.isalpha()]
        all_caps = len(letters) >= 2 and all(c.isupper() for c in letters)
        if tokens[j] in _PLACE_PREFIXES and start == j + 1:
            start = j
            continue
        if any(c.isdigit() for c in text) or "/" in text or all_caps or _ABBREVIATION.match(text):
            break
        if text[0].isupper() or (text.lower() in PLACE_GLUE and j > 0 and tokens[j - 1][:1].isupper()):
            start = j
            continue
        break
    return start


def place_before(prefix: str) -> tuple[str | None, bool]:
    """The place name at the end of ``prefix`` (the text before "ngày"), restored from the gazetteer."""
    tokens = prefix.replace(",", " , ").split()
    while tokens and tokens[-1] in {",", ".", ";", "-"}:
        tokens.pop()
    if not tokens:
        return None, False
    start = place_start(tokens, len(tokens))
    raw = nfc(" ".join(t for t in tokens[start:] if t != ","))
    if not raw:
        return None, False
    return canonical_place(raw)


def canonical_place(raw: str) -> tuple[str, bool]:
    """The gazetteer spelling when the OCR text folds to it (or nearly, when damaged); else as read."""
    k = key(raw)
    for place in PLACES:
        if key(place) == k:
            return place, place != raw
    best, score, second = best_match(raw, PLACES)
    if best is not None and score >= 0.9 and score - second >= 0.05:
        return best, True
    return raw, False

