"""Cut pages into segments: runs of words that belong to one layout element.

OCR engines put the left header block (agency, số) and the right one (quốc hiệu, date) on one line
when they sit at the same height, and the "Nơi nhận" list beside the signature. A segment is a
piece of a line that belongs to one block: cut where the gap between two words is much wider
than a space (when we have boxes), and before the fixed anchors of ND 30 (quốc hiệu, tiêu ngữ,
"Địa danh, ngày", "Số:") in any case, so box-less text is de-interleaved as well.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from ingest.extract.dates import place_start
from ingest.extract.model import PageText, Word, WordRun
from ingest.extract.textnorm import key, similarity
from ingest.extract.vocab import NATIONAL_MOTTO, NATIONAL_SLOGAN

_MOTTO_KEY = key(NATIONAL_MOTTO)
_SLOGAN_KEY = key(NATIONAL_SLOGAN)
_NGAY = re.compile(r"^ng[aàáảãạăâ]?[yv]$")
_SO = re.compile(r"^s[o0ô6ơóòồố]?$")


@dataclass(frozen=True, slots=True)
class Seg(WordRun):
    """A run of words from one line that belongs to one layout element."""

    words: tuple[Word, ...]
    page: int
    order: int
    boxed: bool

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def key(self) -> str:
        return key(self.text)

    @property
    def height(self) -> float:
        return statistics.median(w.y1 - w.y0 for w in self.words)

    @property
    def conf(self) -> float:
        return sum(w.conf for w in self.words) / len(self.words)


def page_segments(page: PageText, page_no: int, anchor_lines: int = 0) -> list[Seg]:
    """All segments of a page, in reading order (top to bottom, then left to right when boxed).

    The first ``anchor_lines`` lines are also cut before header anchors; only page 1's header
    needs that, and skipping it elsewhere keeps long pages cheap.
    """
    boxed = page.has_boxes and not is_flowed(page)
    pieces: list[tuple[Word, ...]] = []
    for n, line in enumerate(page.lines):
        split = _split_on_anchors if n < anchor_lines else _no_split
        if line.has_box and boxed:
            words = tuple(sorted(line.words, key=lambda w: w.x0))
            for run in _split_on_gaps(words):
                pieces.extend(split(run))
        else:
            tokens = tuple(Word(tok, 0, 0, 0, 0, line.conf) for tok in line.text.split())
            if tokens:
                pieces.extend(split(tokens))
    segs = [Seg(words, page_no, i, boxed) for i, words in enumerate(pieces) if words]
    if boxed:
        segs.sort(key=lambda s: (s.cy, s.x0))
        segs = [Seg(s.words, s.page, i, True) for i, s in enumerate(segs)]
    return segs


def is_flowed(page: PageText) -> bool:
    """True when a text layer has boxes but no layout: every line starts at the left margin.

    Some producers write a born-digital PDF's text as one flowed column, header blocks included;
    its coordinates say nothing about columns, so such a page is read like plain text.
    """
    boxed = [line for line in page.lines[:60] if line.has_box]
    if not boxed or page.width <= 0:
        return False
    left = min(line.x0 for line in boxed)
    motto = next((line for line in boxed[:30] if similarity(line.text, NATIONAL_MOTTO) >= 0.75), None)
    if motto is not None:
        return motto.x0 - left < 0.05 * page.width
    return all(line.x0 - left < 0.02 * page.width for line in boxed[:20])


def _split_on_gaps(words: tuple[Word, ...]) -> list[tuple[Word, ...]]:
    """Cut a boxed line where two words are further apart than two text heights (a column gap)."""
    if len(words) < 2:
        return [words]
    height = statistics.median(w.y1 - w.y0 for w in words) or 1.0
    runs: list[list[Word]] = [[words[0]]]
    for prev, cur in itertools.pairwise(words):
        if cur.x0 - prev.x1 > 2.0 * height:
            runs.append([cur])
        else:
            runs[-1].append(cur)
    return [tuple(r) for r in runs]


def _no_split(words: tuple[Word, ...]) -> list[tuple[Word, ...]]:
    return [words]


def _split_on_anchors(words: tuple[Word, ...]) -> list[tuple[Word, ...]]:
    """Cut before quốc hiệu, tiêu ngữ, "Place, ngày" and "Số:" when they start mid-segment."""
    keys = [key(w.text) for w in words]
    cut = _anchor_start(words, keys)
    if cut is None or cut == 0:
        return [words]
    return [words[:cut], *_split_on_anchors(words[cut:])]


def _anchor_start(words: Sequence[Word], keys: Sequence[str]) -> int | None:
    """Index (> 0) of the first anchor that starts inside the run, if any."""
    n = len(words)
    for i in range(1, n):
        k = keys[i]
        if k in ("cong", "c0ng") and _window_like(keys, i, _MOTTO_KEY, 0.75):
            return i
        if k[:1] == "d" and len(k) <= 4 and _window_like(keys, i, _SLOGAN_KEY, 0.7):
            return i
        if _SO.match(k) and words[i].text[:1] == "S" and i + 1 < n and any(c.isdigit() for c in words[i + 1].text):
            return i
        if _NGAY.match(k) and i + 1 < n and words[i - 1].text.endswith(","):
            start = place_start([w.text for w in words], i)
            if start > 0:
                return start
    return None


def _window_like(keys: Sequence[str], i: int, target: str, threshold: float) -> bool:
    width = len(target.split())
    window = " ".join(k for k in keys[i:i + width + 1] if k)
    return fuzz.ratio(window[: len(target) + 2], target) / 100 >= threshold


def is_motto(seg: Seg) -> bool:
    return similarity(seg.text, NATIONAL_MOTTO) >= 0.75


def is_slogan(seg: Seg) -> bool:
    return similarity(seg.text, NATIONAL_SLOGAN) >= 0.7
