"""The agency block (ND 30 box 2): the issuing agency and, above it, its parent body.

Both are upper-case names that wrap over lines. A line starting with an agency head word (BỘ,
SỞ, CỤC, ỦY BAN …) opens a new body unless the line above cannot end a name ("… VÀ", "… TỈNH");
any other line continues the name above. The last body is the issuer, the one above it the parent.

OCR damage is repaired only with evidence: a name that folds to a known agency takes the known
spelling; a name with an unreadable part is completed from the known agencies only when a single
candidate fits *and* agrees with the ký hiệu's issuer abbreviation; single words are restored
only when the known vocabulary has exactly one word with that folded form.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.extract.layout import Seg
from ingest.extract.textnorm import (
    abbr_agrees,
    alpha_ratio,
    edit_distance,
    initials,
    is_upper_text,
    key,
    misspelt,
    nfc,
    plausible_syllable,
)
from ingest.extract.vocab import (
    AGENCY_HEADS,
    AGENCY_OPEN_ENDINGS,
    AGENCY_PHRASES,
    COLLECTIVE_BODIES,
    PROVINCES,
    SIGNER_TITLES,
    builtin_agencies,
)
from ingest.extract.wordfix import PhraseVocab

_EDGE = re.compile(r"^[^0-9A-Za-zÀ-ỹĐđ]+|[^0-9A-Za-zÀ-ỹĐđ]+$")
_HEAD_KEYS = tuple(sorted({key(h) for h in AGENCY_HEADS}, key=len, reverse=True))


@dataclass(frozen=True, slots=True)
class AgencyIndex:
    """Known agency names (built-in plus the archive's own list) and the word pairs they are made of."""

    names: tuple[str, ...]
    by_key: dict[str, str]
    vocab: PhraseVocab
    name_initials: dict[str, str]


@functools.lru_cache(maxsize=8)
def agency_index(extra: tuple[str, ...] = ()) -> AgencyIndex:
    names = tuple(dict.fromkeys(nfc(n).upper() for n in (*builtin_agencies(), *extra) if n.strip()))
    phrases = (
        *names, *AGENCY_HEADS, *AGENCY_PHRASES, *SIGNER_TITLES, *COLLECTIVE_BODIES,
        *(f"{unit} {p.upper()}" for p in PROVINCES for unit in ("TỈNH", "THÀNH PHỐ")),
    )
    return AgencyIndex(names, {key(n): n for n in names}, PhraseVocab.build(phrases),
                       {n: initials(n) for n in names})


@dataclass(slots=True)
class Body:
    text: str
    conf: float
    damaged: bool = False


@dataclass(slots=True)
class AgencyResult:
    agency: str | None = None
    parent: str | None = None
    agency_score: float = 0.0
    parent_score: float = 0.0
    warnings: list[str] = field(default_factory=list)


def read_agencies(lines: Sequence[Seg], index: AgencyIndex, issuer_abbr: str | None) -> AgencyResult:
    """Issuer and parent from the agency-block segments (top to bottom)."""
    bodies = group_bodies(lines, index)
    result = AgencyResult()
    if not bodies:
        return result
    if len(bodies) > 2:
        result.warnings.append(f"{len(bodies)} bodies in the agency block; the top ones are joined as parent")
        bodies = [Body(" ".join(b.text for b in bodies[:-1] if b.text), min(b.conf for b in bodies[:-1]),
                       any(b.damaged for b in bodies[:-1])), bodies[-1]]
    issuer = bodies[-1]
    result.agency, result.agency_score = canonical_agency(issuer, index, issuer_abbr)
    if len(bodies) == 2:
        result.parent, result.parent_score = canonical_agency(bodies[0], index, None)
    else:
        # No body above the issuer: as sure as we are of the block itself.
        result.parent_score = 0.9 if result.agency_score >= 0.8 else 0.7
    return result


def group_bodies(lines: Sequence[Seg], index: AgencyIndex) -> list[Body]:
    """Cut the block's lines into bodies by head words and open endings; unreadable lines mark damage.

    An unreadable line below a complete known name is a body of its own that OCR lost (usually
    the issuer, whose bold, underlined name scans worst); below an unknown name it is the rest of
    that name.
    """
    bodies: list[Body] = []
    lost_first = trailing_garbage = False
    for seg in lines:
        text = _EDGE.sub("", nfc(seg.text))
        if not text or alpha_ratio(text) == 0:
            continue
        if _is_garbage(text, seg.conf, index):
            if bodies:
                trailing_garbage = True
            else:
                lost_first = True
            continue
        if trailing_garbage:
            bodies[-1].damaged = True
            trailing_garbage = False
        text = text.upper()
        k = key(text)
        opens = any(k.startswith(h + " ") for h in _HEAD_KEYS)
        prev_complete = bool(bodies) and key(bodies[-1].text) in index.by_key
        if bodies and bodies[-1].text and (not opens or (not prev_complete and (
                _ends_open(bodies[-1].text) or _known_prefix(f"{bodies[-1].text} {text}", index)))):
            prev = bodies[-1]
            prev.text = f"{prev.text} {text}"
            prev.conf = min(prev.conf, seg.conf)
        else:
            bodies.append(Body(text, seg.conf, lost_first))
            lost_first = False
    if trailing_garbage:
        if key(bodies[-1].text) in index.by_key:
            bodies.append(Body("", 0.0, True))
        else:
            bodies[-1].damaged = True
    elif lost_first and not bodies:
        bodies.append(Body("", 0.0, True))
    return bodies


def _is_garbage(text: str, conf: float, index: AgencyIndex) -> bool:
    letters = sum(c.isalpha() for c in text)
    if letters < 2 or alpha_ratio(text) < 0.6 or not is_upper_text(text, 0.7) or conf < 0.45:
        return True
    words = [w for w in text.split() if key(w)]
    readable = sum(1 for w in words if key(w) in index.vocab.words or plausible_syllable(w, strict_tones=False))
    salad = sum(1 for w in words if not plausible_syllable(w, strict_tones=False) and key(w) not in index.vocab.words
                and len(w) >= 3 and any(c in "aeiouy" for c in key(w)))
    return readable * 2 < len(words) or (salad > 0 and readable <= salad)


def _words_fit(read: list[str], known: list[str], truncated: bool) -> bool:
    """Same words up to one or two wrong letters each; a truncated reading may stop early."""
    if len(read) > len(known) or (len(read) < len(known) and (not truncated or len(read) < 2)):
        return False
    return all(edit_distance(a, b) <= _letters_allowed(max(len(a), len(b))) for a, b in zip(read, known, strict=False))


def _letters_allowed(length: int) -> int:
    """Misread letters a word of this length may carry: none for "BỘ"/"SỞ", which differ by one."""
    return 0 if length <= 3 else 1 if length <= 5 else 2


def _known_prefix(text: str, index: AgencyIndex) -> bool:
    """True when the text is a known name or the start of one: the line break was inside a name."""
    k = key(text)
    return k in index.by_key or any(n.startswith(k + " ") for n in index.by_key)


def _ends_open(text: str) -> bool:
    """On the printed spelling: folded, "HÀ TĨNH" would end like the open word "TỈNH"."""
    words = text.rstrip().upper()
    return words.endswith(("-", ",")) or any(words == e or words.endswith(" " + e) for e in AGENCY_OPEN_ENDINGS)


def canonical_agency(body: Body, index: AgencyIndex, abbr: str | None) -> tuple[str | None, float]:
    """The body's name, repaired where the evidence allows; (None, 0) when nothing readable is left."""
    k = key(body.text)
    if k in index.by_key:
        name = index.by_key[k]
        return name, min(1.0, 0.9 + 0.1 * body.conf) if not body.damaged else 0.85
    unknown = [w for w in body.text.split() if key(w) and not index.vocab.knows(w)]
    if body.damaged or unknown:
        repaired = _from_known(body, index, abbr)
        if repaired is not None:
            return repaired
    if not k:
        return None, 0.0
    fixed, _ = index.vocab.fix(body.text)
    suspect = unknown or any(misspelt(w) for w in fixed.split())
    score = body.conf * (0.9 if not suspect else 0.7) * (0.8 if body.damaged else 1.0)
    return fixed, score


def _from_known(body: Body, index: AgencyIndex, abbr: str | None) -> tuple[str, float] | None:
    """A known name the damaged reading is a letter-level misreading (or a truncation) of.

    Word by word, each word within OCR distance of the known one: a different proper noun
    ("BẢO LỘC" for "HÀ NỘI") never fits, however similar the rest of the name is.
    """
    k = key(body.text)
    words = k.split()
    fitting = [n for n in index.names if words and _words_fit(words, key(n).split(), body.damaged)]
    if abbr and (not k or body.damaged):
        fitting += [n for n in index.names if index.name_initials[n] == abbr and n not in fitting]
    if abbr:
        agreeing = [n for n in fitting if abbr_agrees(abbr, index.name_initials[n])]
        if len(agreeing) == 1:
            return agreeing[0], 0.75
        if agreeing:
            fitting = agreeing
        elif body.damaged:
            return None
    if len(fitting) == 1 and k:
        return fitting[0], 0.7 if not body.damaged else 0.6
    return None
