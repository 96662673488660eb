"""The signature block (ND 30 box 7): authority prefix, position, and the signer's name.

It sits at the bottom right of the last page, beside "Nơi nhận:". Lines: an optional authority
line ("KT. BỘ TRƯỞNG", "TM. ỦY BAN NHÂN DÂN", "Q. GIÁM ĐỐC" …), the position ("THỨ TRƯỞNG"), the
signature and seal (OCR garbage), then the name in normal case. When the signer signs in their
own right there is a single position line, which is then both title and authority.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.extract.agency import agency_index
from ingest.extract.layout import Seg
from ingest.extract.stamps import match_stamp
from ingest.extract.textnorm import (
    alpha_ratio,
    best_match,
    blend,
    is_upper_text,
    key,
    nfc,
)
from ingest.extract.vocab import (
    AUTHORITY_PREFIXES,
    COLLECTIVE_BODIES,
    SIGNER_TITLES,
    SURNAMES,
)

_NOI_NHAN = re.compile(r"^n[o0]i nh[a-z]?n\b")
_RECIPIENT = re.compile(r"^\s*[-+•*–]")
_EDGE = re.compile(r"^[^0-9A-Za-zÀ-ỹĐđ]+|[^0-9A-Za-zÀ-ỹĐđ.]+$")
#: Readings of the authority prefixes (folded, upper, without dots) → canonical prefix, including
#: OCR's I/1 for L and O for Q.
_PREFIX_READINGS = {p.rstrip("."): p for p in AUTHORITY_PREFIXES} | {"TI": "TL.", "T1": "TL.", "TUO": "TUQ."}
_SURNAME_BY_KEY = {key(s): s for s in SURNAMES}
_POSITION_VOCAB = tuple(dict.fromkeys((*SIGNER_TITLES, *COLLECTIVE_BODIES)))


@dataclass(slots=True)
class Signature:
    authority: str | None = None
    title: str | None = None
    name: str | None = None
    authority_score: float = 0.0
    title_score: float = 0.0
    name_score: float = 0.0
    segs: list[Seg] = field(default_factory=list)


def is_noi_nhan(text: str) -> bool:
    return bool(_NOI_NHAN.match(key(text)))


def find_signature(pages: Sequence[list[Seg]], widths: Sequence[float]) -> Signature:
    """Search the pages from the last one for the signature block."""
    for page_segs, width in zip(reversed(pages), reversed(widths), strict=True):
        candidates = _candidates(page_segs, width)
        if candidates:
            sig = parse_block(candidates)
            if sig.title or sig.authority:
                return sig
    return Signature()


def _candidates(segs: list[Seg], width: float) -> list[Seg]:
    """Segments that may belong to the signature block on this page, top to bottom."""
    anchor = next((i for i in range(len(segs) - 1, -1, -1) if is_noi_nhan(segs[i].text)), None)
    boxed = bool(segs) and segs[0].boxed and width > 0
    if boxed:
        if anchor is not None:
            # A skewed scan lifts the right-hand signature above "Nơi nhận" by a line or two.
            top = segs[anchor].y0 - 3 * segs[anchor].height
        else:
            wide = [s for s in segs if s.x1 - s.x0 > 0.6 * width]
            top = max((s.y1 for s in wide), default=0.0)
        return [s for s in segs if s.y0 >= top and s.cx > 0.5 * width]
    if anchor is None:
        return _split_recipients(segs[-12:])
    after = _split_recipients(segs[anchor:])
    if any(_prefix_of(s.text) or _position_score(s.text)[1] >= 0.9 for s in after):
        return after
    return _split_recipients(segs[max(0, anchor - 8):anchor]) + after


def _split_recipients(segs: Sequence[Seg]) -> list[Seg]:
    """Drop "Nơi nhận" list items; keep what follows them on the same line (box-less interleaving)."""
    out: list[Seg] = []
    for seg in segs:
        words = list(seg.words)
        text = seg.text
        if is_noi_nhan(text) or _RECIPIENT.match(text):
            cut = _signature_tail(words)
            if cut is None:
                continue
            words = words[cut:]
        out.append(Seg(tuple(words), seg.page, seg.order, seg.boxed))
    return out


def _signature_tail(words: list) -> int | None:
    """Index where a signature line starts after a recipient item on the same line.

    Only after the punctuation that ends an item ("- Như trên;"), and never inside "- Lưu: VT, …",
    whose tail is a list of unit abbreviations, not a position.
    """
    for i in range(1, len(words)):
        before = words[i - 1].text
        if not before.endswith((";", ":", ".")):
            continue
        head = key(" ".join(w.text for w in words[:i]))
        tail = " ".join(w.text for w in words[i:])
        if _prefix_of(tail) or _name(tail):
            return i
        if head.endswith(("luu", "luu vt")) or words[i].text.endswith(","):
            continue
        if is_upper_text(tail, 0.9) and len(tail.split()) >= 2 and alpha_ratio(tail) > 0.8:
            return i
    return None


def _prefix_of(text: str) -> tuple[str, str] | None:
    """(canonical prefix, rest of line) when the line starts with an authority prefix."""
    text = _EDGE.sub("", nfc(text))
    m = re.match(r"^([A-Za-zĐđ1]{1,3}(?:\.?[A-Za-z]){0,2})\s*([.,:]?)\s+(.*)$", text) or re.match(
        r"^([A-Za-zĐđ1]{1,3}(?:\.?[A-Za-z]){0,2})\s*([.,:])\s*(.*)$", text)
    if not m or not m.group(3):
        return None
    prefix = _PREFIX_READINGS.get(key(m.group(1)).replace(" ", "").upper())
    rest = m.group(3)
    if prefix is None or not is_upper_text(rest, 0.8):
        return None
    # Without its dot, "Q"/"TL" could begin an ordinary line: require a known position after it.
    if not m.group(2) and _position_score(rest)[1] < 0.85:
        return None
    return prefix, rest


def _position_score(text: str) -> tuple[str, float]:
    """The canonical spelling of a position/body line and how sure we are; OCR text if unsure."""
    cleaned = _EDGE.sub("", nfc(text)).upper()
    best, score, second = best_match(cleaned, _POSITION_VOCAB)
    if best is not None and (score == 1.0 or (score >= 0.85 and score - second >= 0.04)):
        return best, score
    fixed, _ = agency_index().vocab.fix(cleaned)
    return fixed, min(score, 0.7)


def parse_block(segs: Sequence[Seg]) -> Signature:
    """Read authority lines, position lines and the name, in that order."""
    sig = Signature()
    authority: list[str] = []
    titles: list[str] = []
    scores: list[float] = []
    for seg in segs:
        text = _EDGE.sub("", nfc(seg.text))
        if not text or match_stamp(text):
            continue
        prefixed = _prefix_of(text)
        if prefixed and not titles:
            body, score = _position_score(prefixed[1])
            authority.append(f"{prefixed[0]} {body}")
            scores.append(blend(seg.conf, score))
            sig.segs.append(seg)
            continue
        if is_upper_text(text, 0.85) and alpha_ratio(text) > 0.7 and len(text) >= 3:
            if len(titles) < 2 and (not titles or _continues(titles[-1], text)):
                titles.append(text)
                sig.segs.append(seg)
            continue
        name = _name(text)
        if name and (authority or titles):
            sig.name, sig.name_score = name[0], blend(seg.conf, name[1])
            sig.segs.append(seg)
            break
    if titles:
        title, score = _position_score(" ".join(titles))
        title_conf = min(s.conf for s in sig.segs if s.text in titles or _EDGE.sub("", nfc(s.text)) in titles)
        sig.title, sig.title_score = title, blend(title_conf, score)
    if authority:
        sig.authority = " ".join(authority)
        sig.authority_score = min(scores)
        if sig.title is None:
            sig.title, sig.title_score = authority[-1], sig.authority_score
    elif sig.title:
        sig.authority, sig.authority_score = sig.title, sig.title_score
    return sig


def _continues(prev: str, text: str) -> bool:
    """A second upper-case line continues the position only if the first alone is no known position."""
    _, alone = _position_score(prev)
    _, joined = _position_score(f"{prev} {text}")
    return joined == 1.0 or (alone < 0.85 and joined > alone)


def _name(text: str) -> tuple[str, float] | None:
    """A personal name: 2–6 capitalised words without digits; (name with surname restored, score)."""
    words = text.replace(".", " ").split()
    if not 2 <= len(words) <= 6 or any(any(c.isdigit() for c in w) for w in words):
        return None
    if not all(w[0].isupper() and w[1:].islower() and w.isalpha() for w in words if len(w) > 1):
        return None
    if not all(w.isalpha() for w in words):
        return None
    surname = _SURNAME_BY_KEY.get(key(words[0]))
    if surname is None:
        return " ".join(words), 0.75
    return " ".join([surname, *words[1:]]), 1.0
