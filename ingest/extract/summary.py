"""The trích yếu: "Về việc …" under the type line, or "V/v …" under the số of a công văn (box 5a/5b).

The hard part is where it ends. With boxes, a continuation line of the abstract is centred under
the type line, while body text starts at the margin or runs to the right margin. Without boxes we
fall back on typography: a continuation starts in lower case and follows a line that does not end
a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.extract.layout import Seg
from ingest.extract.stamps import match_stamp
from ingest.extract.textnorm import is_upper_text, key, nfc

_VV = re.compile(r"^\W*[VW]\s*[/|lI1\\]\s*[vVyY](?:\s*[:.,]|\s|$)")
_VE_VIEC = re.compile(r"^\W*v[eê]\s+vi[eê]c\b")
#: Lines that open the body (or the legal basis of a decision), never part of an abstract.
_BODY_OPENERS = ("can cu", "kinh gui", "thuc hien", "xet de nghi", "theo de nghi", "noi nhan")
MAX_LINES = 4


def is_vv(text: str) -> bool:
    return bool(_VV.match(text))


def is_ve_viec(text: str) -> bool:
    return key(text).startswith("ve viec")


def canonical_lead(text: str) -> tuple[str, bool]:
    """Restore the fixed lead "V/v" or "Về việc" from OCR variants; (text, whether a lead was found)."""
    text = nfc(text)
    vv = _VV.match(text)
    if vv:
        return "V/v " + text[vv.end():].lstrip(" :.,"), True
    if is_ve_viec(text):
        words = text.split()
        return " ".join(["Về", "việc", *words[2:]]), True
    return text, False


def _stop(seg: Seg) -> bool:
    k = seg.key
    return (
        not k
        or any(k.startswith(opener) for opener in _BODY_OPENERS)
        or is_upper_text(seg.text, 0.9)
        or match_stamp(seg.text) is not None
        or _alnum_ratio(seg.text) < 0.6
    )


def _alnum_ratio(text: str) -> float:
    chars = [c for c in text if not c.isspace()]
    return sum(c.isalnum() for c in chars) / len(chars) if chars else 0.0


def cong_van_summary(left_below: Sequence[Seg]) -> tuple[str | None, list[Seg]]:
    """The "V/v …" abstract in the left column under the số, with its wrapped lines."""
    start = next((i for i, s in enumerate(left_below) if is_vv(s.text)), None)
    if start is None:
        return None, []
    lines = [left_below[start]]
    for seg in left_below[start + 1:]:
        if len(lines) >= MAX_LINES or _stop(seg) or is_vv(seg.text):
            break
        prev = lines[-1]
        if seg.boxed and seg.y0 - prev.y1 > 1.5 * prev.height:
            break
        lines.append(seg)
    text, _ = canonical_lead(" ".join(s.text for s in lines))
    return text, lines


def typed_summary(rest: Sequence[Seg], type_seg: Seg | None, width: float) -> tuple[str | None, list[Seg], bool]:
    """The abstract under the type line: (text, its segments, whether it opened with "Về việc")."""
    if not rest or _stop(rest[0]):
        return None, [], False
    first = rest[0]
    lead = is_ve_viec(first.text) or is_vv(first.text)
    if not lead and not _plausible_unled(first, type_seg, width):
        return None, [], False
    lines = [first]
    margins = _body_margins(rest, width) if first.boxed and width else None
    for seg in rest[1:]:
        if len(lines) >= MAX_LINES or _stop(seg):
            break
        if margins is not None:
            if not _centred_continuation(seg, lines[-1], type_seg or first, margins, width):
                break
        elif not _plain_continuation(seg, lines[-1], first):
            break
        lines.append(seg)
    text, _ = canonical_lead(" ".join(s.text for s in lines))
    return text, lines, lead


def _plausible_unled(first: Seg, type_seg: Seg | None, width: float) -> bool:
    """An abstract without "Về việc" ("Ban hành Quy chế …") is short and centred, not body prose."""
    text = first.text.rstrip()
    if text.endswith((":", ".", ";")) or len(text) > 120:
        return False
    if first.boxed and type_seg is not None and width:
        return abs(first.cx - type_seg.cx) < 0.05 * width
    return True


def _body_margins(rest: Sequence[Seg], width: float) -> tuple[float, float]:
    """Left and right edges of the body text block, from the wide lines below the abstract."""
    wide = [s for s in rest if s.x1 - s.x0 > 0.5 * width] or list(rest)
    xs0 = sorted(s.x0 for s in wide)
    xs1 = sorted(s.x1 for s in wide)
    return xs0[len(xs0) // 10], xs1[-1 - len(xs1) // 10]


def _centred_continuation(seg: Seg, prev: Seg, ref: Seg, margins: tuple[float, float], width: float) -> bool:
    left, right = margins
    span = max(right - left, 1.0)
    return (
        seg.y0 - prev.y1 < 1.2 * prev.height
        and abs(seg.cx - ref.cx) < 0.04 * width
        and seg.x0 - left > 0.08 * span
        and right - seg.x1 > 0.08 * span
    )


def _plain_continuation(seg: Seg, prev: Seg, first: Seg) -> bool:
    """Without boxes: a wrapped abstract line does not end a sentence, is no wider than the first
    line, and starts in lower case, or is a short remainder ("Chính phủ") when it starts with a
    capital; a body paragraph's first line fails one of these."""
    text = seg.text.rstrip()
    if not text or prev.text.rstrip().endswith((".", ";", ":")) or text.endswith((".", ";", ":")):
        return False
    if text[0].islower() or text[0].isdigit():
        return len(text) <= len(first.text) + 5
    return len(text) <= 0.6 * len(first.text)
