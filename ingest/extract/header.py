"""Find the layout elements of page 1 (ND 30 PL I boxes 1–5) among its segments.

Two inputs need two strategies. With word boxes the header columns are separated by x: the
quốc hiệu starts the right column, everything left of it above the type line is the agency block.
Without boxes (plain text, a born-digital PDF whose text layer has no usable layout) the fixed
anchors (quốc hiệu, tiêu ngữ, "Địa danh, ngày", "Số:") and their order do the separating.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from ingest.extract.doctype import TypeMatch, match_type_line
from ingest.extract.layout import Seg, is_motto, is_slogan
from ingest.extract.reference import strip_so_label
from ingest.extract.stamps import match_stamp
from ingest.extract.summary import is_vv
from ingest.extract.textnorm import is_upper_text, key
from search.folding import fold

_PLACE_COMMA_DATE = re.compile(r"\w,\s*ng[a-z]?[yv]\W{0,3}[0-9oilsbzq|]")
_DATE_KEY = re.compile(r"\bng[a-z]?[yv] ?[0-9oilsbzq|]{1,2} ?t[hb][a-z]?ng\b")
#: The header never runs further down page 1 than this many segments in reading order.
_HEADER_SEGMENTS = 40


@dataclass(slots=True)
class Header:
    """Page 1 split into its elements; lists are top to bottom."""

    agency: list[Seg] = field(default_factory=list)
    so: Seg | None = None
    #: Left column below "Số:" (the "V/v" abstract of a công văn, stamps).
    left_below: list[Seg] = field(default_factory=list)
    right: list[Seg] = field(default_factory=list)
    date: Seg | None = None
    type_seg: Seg | None = None
    type_match: TypeMatch | None = None
    #: Everything after the type line (or after the header for a công văn) on page 1.
    rest: list[Seg] = field(default_factory=list)
    #: Every header segment, for the stamp search.
    zone: list[Seg] = field(default_factory=list)
    split_x: float = 0.0
    page_width: float = 0.0


def is_date_seg(seg: Seg) -> bool:
    return bool(_DATE_KEY.search(seg.key))


def is_so_seg(seg: Seg) -> bool:
    return strip_so_label(seg.text) is not None and any(c.isdigit() for c in seg.text)


def analyse_header(segs: list[Seg], page_width: float, vocab_min: float) -> Header:
    """Split page 1 into agency block, số, date, stamps, type line and the rest."""
    if segs and segs[0].boxed and page_width > 0:
        return _boxed(segs, page_width, vocab_min)
    return _plain(segs, vocab_min)


def _find_type(segs: list[Seg], after: int, vocab_min: float, centre: float | None, width: float) -> int | None:
    for i in range(after, min(len(segs), _HEADER_SEGMENTS)):
        seg = segs[i]
        if centre is not None and abs(seg.cx - centre) > 0.15 * width:
            continue
        if not match_stamp(seg.text) and match_type_line(seg.text, vocab_min):
            return i
    return None


def _boxed(segs: list[Seg], width: float, vocab_min: float) -> Header:
    head = segs[:_HEADER_SEGMENTS]
    motto = next((s for s in head if is_motto(s)), None)
    slogan = next((s for s in head if is_slogan(s)), None)
    anchor = motto or slogan
    split = anchor.x0 - 0.01 * width if anchor else 0.45 * width
    so_i = next((i for i, s in enumerate(head) if s.cx < split and is_so_seg(s)), None)
    date_i = next((i for i, s in enumerate(head) if s.cx >= split and is_date_seg(s)), None)
    after = max(i for i in (so_i, date_i, -1) if i is not None) + 1
    if after == 0:
        after = next((i + 1 for i, s in enumerate(head) if s is anchor), 0)
    type_i = _find_type(segs, after, vocab_min, width / 2, width)
    bottom = segs[type_i].y0 if type_i is not None else _first_wide_below(segs, after, split, width)
    zone = [s for s in segs if s.cy < bottom]
    h = Header(split_x=split, page_width=width, zone=zone)
    h.so = head[so_i] if so_i is not None else None
    h.date = head[date_i] if date_i is not None else None
    left = [s for s in zone if s.cx < split]
    h.right = [s for s in zone if s.cx >= split]
    if h.so is not None:
        gap = 0.3 * h.so.height
        h.agency = [s for s in left if s.cy < h.so.cy - gap]
        h.left_below = [s for s in left if s.cy > h.so.cy + gap]
    else:
        h.agency = list(itertools.takewhile(lambda s: not match_stamp(s.text) and not is_vv(s.text), left))
    if type_i is not None:
        h.type_seg = segs[type_i]
        h.type_match = match_type_line(h.type_seg.text, vocab_min)
        h.rest = segs[type_i + 1:]
    else:
        h.rest = [s for s in segs if s.cy >= bottom]
    return h


def _first_wide_below(segs: list[Seg], after: int, split: float, width: float) -> float:
    """Top of the first segment that crosses the column split: the body (or "Kính gửi") has begun."""
    margin = 0.04 * width
    for seg in segs[after:]:
        if seg.x0 < split - margin and seg.x1 > split + margin and not (is_motto(seg) or is_slogan(seg)):
            return seg.y0
    return float("inf")


def _plain(segs: list[Seg], vocab_min: float) -> Header:
    head = segs[:_HEADER_SEGMENTS]
    motto_i = next((i for i, s in enumerate(head) if is_motto(s)), None)
    slogan_i = next((i for i, s in enumerate(head) if is_slogan(s)), None)
    so_i = next((i for i, s in enumerate(head) if is_so_seg(s)), None)
    date_i = next((i for i, s in enumerate(head) if is_date_seg(s) and _date_in_header(head, i, so_i)), None)
    anchors = [i for i in (motto_i, slogan_i, so_i, date_i) if i is not None]
    after = max(anchors) + 1 if anchors else 0
    type_i = _find_type(segs, after, vocab_min, None, 0.0)
    end = type_i if type_i is not None else _plain_body_start(segs, after)
    h = Header(zone=segs[:end])
    anchor_set = {i for i in (motto_i, slogan_i, date_i) if i is not None}
    h.so = head[so_i] if so_i is not None else None
    h.date = head[date_i] if date_i is not None else None
    h.right = [segs[i] for i in sorted(anchor_set)]
    if so_i is not None:
        h.agency = [s for i, s in enumerate(segs[:so_i]) if i not in anchor_set and not match_stamp(s.text)]
        below_end = min([i for i in anchor_set if i > so_i] + [end])
        h.left_below = segs[so_i + 1:below_end]
    else:
        # No "Số:" line read: the agency block is the upper-case run at the top, before any anchor.
        h.agency = list(itertools.takewhile(
            lambda s: s not in h.right and is_upper_text(s.text, 0.8) and not match_stamp(s.text), segs[:end]))
    if type_i is not None:
        h.type_seg = segs[type_i]
        h.type_match = match_type_line(h.type_seg.text, vocab_min)
        h.rest = segs[type_i + 1:]
    else:
        h.rest = segs[end:]
    return h


def _date_in_header(head: list[Seg], i: int, so_i: int | None) -> bool:
    """The header's date reads "Địa danh, ngày …" or sits next to "Số:"; body prose cites dates too."""
    return bool(_PLACE_COMMA_DATE.search(fold(head[i].text))) or (so_i is not None and abs(i - so_i) <= 6)


def _plain_body_start(segs: list[Seg], after: int) -> int:
    """Index of the first body line after the header of a công văn: "Kính gửi" or a long line."""
    for i in range(after, len(segs)):
        text = segs[i].text
        k = key(text)
        if k.startswith("kinh gui") or (len(text) > 60 and not match_stamp(text)):
            return i
    return len(segs)
