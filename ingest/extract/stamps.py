"""Độ mật and độ khẩn stamps (ND 30 PL I III.2): six closed values, printed as a boxed word.

A stamp is a stand-alone element, so only a segment that *is* a stamp counts; "bảo mật" inside a
sentence must not make a document secret. Box borders come out of OCR as |, [, ] and are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz

from ingest.extract.textnorm import is_upper_text, key
from ingest.extract.vocab import CONFIDENTIALITY, URGENCY

_EDGES = re.compile(r"^[^A-Za-zÀ-ỹĐđ]+|[^A-Za-zÀ-ỹĐđ]+$")
_STAMPS: tuple[tuple[str, str, str], ...] = tuple(
    (value, kind, key(value)) for kind, values in (("confidentiality", CONFIDENTIALITY), ("urgency", URGENCY))
    for value in values
)


def match_stamp(text: str) -> tuple[str, str, float] | None:
    """(canonical value, "confidentiality"|"urgency", score) when the whole text is one stamp."""
    core = _EDGES.sub("", text)
    k = key(core)
    boxed = core != text.strip()
    printed_as_stamp = is_upper_text(core, 0.75) or boxed or all(w[:1].isupper() for w in core.split())
    if not k or len(k) > 14 or not printed_as_stamp:
        return None
    best: tuple[str, str, float] | None = None
    for value, kind, vk in _STAMPS:
        if k == vk:
            return value, kind, 1.0
        # Short stamps ("mat", "khan") must match exactly: one wrong letter is another word.
        if len(vk) < 5:
            continue
        score = fuzz.ratio(k, vk) / 100
        if score >= 0.85 and (best is None or score > best[2]):
            best = (value, kind, score)
    return best


def find_stamps(segs: Iterable[str]) -> dict[str, tuple[str, float]]:
    """The stamps among stand-alone header segments: {"confidentiality": (value, score), …}."""
    found: dict[str, tuple[str, float]] = {}
    for text in segs:
        whole = match_stamp(text)
        hits = [whole] if whole else [match_stamp(p) for p in _halves(text)]
        for hit in hits:
            if hit and (hit[1] not in found or hit[2] > found[hit[1]][1]):
                found[hit[1]] = (hit[0], hit[2])
    return found


def _halves(text: str) -> list[str]:
    """Both sides of every word boundary of a short segment: "MẬT KHẨN" holds two stamps.

    Only tried when the whole segment is not a stamp, so a damaged "TỐl MẬT" is not read as "MẬT".
    """
    words = text.split()
    if not 2 <= len(words) <= 4:
        return []
    return [" ".join(words[:i]) for i in range(1, len(words))] + [" ".join(words[i:]) for i in range(1, len(words))]
