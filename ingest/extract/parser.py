"""`extract_fields`: the registry fields of one document from its pages' text.

A pure function: pages in, `Extraction` out, no I/O. Each field is read from the layout element
ND 30 assigns to it, then the fields are checked against each other (the ký hiệu's type
abbreviation against the type line, its issuer abbreviation against the agency name, a legal
form's year against the date), because agreement between independently read fields is the best
evidence an OCR reading is right, and disagreement is what a reviewer must look at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ingest.extract.agency import AgencyResult, agency_index, read_agencies
from ingest.extract.dates import DateParse, find_date
from ingest.extract.doctype import abbr_key, types_for_abbr
from ingest.extract.header import Header, analyse_header, is_so_seg
from ingest.extract.language import detect_language
from ingest.extract.layout import Seg, page_segments
from ingest.extract.model import Extraction, ExtractSettings, Line, PageText, Word
from ingest.extract.reference import RefParse, parse_reference, strip_so_label
from ingest.extract.signer import find_signature
from ingest.extract.stamps import find_stamps
from ingest.extract.summary import cong_van_summary, typed_summary
from ingest.extract.textnorm import (
    blend,
    close_by_confusion,
    edit_distance,
    initials,
    key,
    misspelt,
    nfc,
)
from ingest.extract.vocab import CONG_VAN, DocType

#: Only this many lines of a page are laid out: the header and the signature block are short,
#: and a bound keeps arbitrary input (a 1 MB text dump) fast.
_MAX_LINES = 400
_MAX_LINE_CHARS = 1000
#: Lines of page 1 searched for header anchors that OCR ran together with other text.
_HEADER_LINES = 60
#: Agencies whose ký hiệu abbreviation is, by long practice, every initial of their name.
_FULL_INITIALS_HEADS = frozenset({"BỘ", "SỞ"})
#: Confidence that an absent optional element (stamp, parent body) is really absent.
_ABSENT_SCAN = 0.9
_ABSENT_DIGITAL = 0.97


@dataclass(slots=True)
class _TypeDecision:
    doc_type: DocType | None
    score: float


def extract_fields(
    pages: Sequence[PageText],
    *,
    page_count: int | None = None,
    born_digital: bool = False,
    settings: ExtractSettings | None = None,
    metadata: Mapping[str, str] | None = None,
) -> Extraction:
    """Read the ND 30 registry fields from a document's pages.

    ``pages`` come from `words_from_hocr`, `words_from_tsv`, `words_from_pdf_text_layer` or
    `PageText.from_text`. ``metadata`` may hold a born-digital file's document info ("title",
    "author"), used to fill a gap or to corroborate. Fields that cannot be read are None and get
    confidence 0; every field below ``settings.review_threshold`` is listed in ``needs_review``.
    """
    settings = settings or ExtractSettings()
    out = Extraction(page_count=page_count if page_count is not None else len(pages), born_digital=born_digital)
    conf: dict[str, float] = {"page_count": 1.0 if out.page_count else 0.0}
    if not pages:
        return _finish(out, conf, settings)
    first = _bounded(pages[0], head=True)
    segs1 = page_segments(first, 0, anchor_lines=_HEADER_LINES)
    header = analyse_header(segs1, first.width, settings.vocab_min_score)

    ref, ref_conf = _read_reference(header)
    date, date_conf = _read_date(header)
    decision, summary, summary_conf = _read_type_and_summary(header, ref, out.warnings)
    issuer_abbr = _issuer_group(ref, decision.doc_type)
    agencies = read_agencies(header.agency, agency_index(tuple(settings.known_agencies)), issuer_abbr)
    out.warnings.extend(agencies.warnings)
    _apply_metadata(agencies, metadata)

    if ref is not None:
        ref_conf *= _reconcile_reference(ref, decision, agencies, out.warnings)
        out.reference, out.number, out.symbol = ref.reference, ref.number, ref.symbol
        for name in ("reference", "number", "symbol"):
            conf[name] = ref_conf
    if date is not None and date.iso is not None:
        out.issued_date = date.iso
        if ref is not None and ref.year and ref.year != date.iso[:4]:
            out.warnings.append(f"year {ref.year} in the số/ký hiệu differs from the date {date.iso}")
            date_conf *= 0.8
        conf["issued_date"] = date_conf
    if date is not None:
        out.warnings.extend(date.warnings)
        if date.place:
            out.issued_place = date.place
            evidence = 1.0 if date.place_canonical or born_digital else 0.9
            if any(misspelt(w) for w in date.place.split()):
                evidence = 0.7
            conf["issued_place"] = blend(_seg_conf(header.date), evidence)

    if decision.doc_type is not None:
        out.document_type = decision.doc_type.name
        conf["document_type"] = decision.score
    if summary is not None:
        out.summary = summary
        conf["summary"] = summary_conf
    elif metadata and metadata.get("title"):
        out.summary = nfc(metadata["title"])
        conf["summary"] = 0.7

    out.issuing_agency, out.parent_agency = agencies.agency, agencies.parent
    if agencies.agency:
        conf["issuing_agency"] = agencies.agency_score
    conf["parent_agency"] = agencies.parent_score

    absent = _ABSENT_DIGITAL if born_digital else _ABSENT_SCAN
    stamps = find_stamps(s.text for s in header.zone)
    for name in ("confidentiality", "urgency"):
        if name in stamps:
            value, score = stamps[name]
            setattr(out, name, value)
            conf[name] = blend(1.0 if born_digital else 0.95, score)
        else:
            conf[name] = absent

    _read_signature(pages, out, conf)
    out.language, conf["language"] = detect_language(_sample_text(pages))
    return _finish(out, conf, settings)


def _bounded(page: PageText, head: bool) -> PageText:
    """The lines the parser looks at: the first (or last) `_MAX_LINES`, each cut to a sane length,
    in NFC with look-alike letters (Ð for Đ) mapped, so every later comparison sees one spelling."""
    lines = page.lines[:_MAX_LINES] if head else page.lines[-_MAX_LINES:]
    out = []
    for line in lines:
        if line.words:
            words = tuple(Word(nfc(w.text), w.x0, w.y0, w.x1, w.y1, w.conf) for w in line.words[:200])
            out.append(Line(" ".join(w.text for w in words), tuple(w for w in words if w.text)))
        else:
            out.append(Line(nfc(line.text[:_MAX_LINE_CHARS])))
    return PageText(tuple(out), page.width, page.height)


def _seg_conf(seg: Seg | None) -> float:
    return seg.conf if seg is not None else 0.0


def _read_reference(header: Header) -> tuple[RefParse | None, float]:
    candidates = [header.so] if header.so else [s for s in header.zone if is_so_seg(s)]
    for seg in candidates:
        if seg is None:
            continue
        rest = strip_so_label(seg.text)
        ref = parse_reference(rest) if rest else None
        if ref is not None:
            ref_words = list(seg.words[1:]) or list(seg.words)
            ocr = sum(w.conf for w in ref_words) / len(ref_words)
            return ref, blend(ocr, 0.95 if ref.fixes else 1.0)
    return None, 0.0


def _read_date(header: Header) -> tuple[DateParse | None, float]:
    segs = [header.date] if header.date else []
    segs += [s for s in header.zone if s is not header.date]
    for seg in segs:
        parsed = find_date(seg.text)
        if parsed is not None:
            evidence = 1.0 if parsed.iso and not parsed.fixes else 0.85
            return parsed, blend(seg.conf, evidence) if parsed.iso else 0.0
    return None, 0.0


def _read_type_and_summary(
    header: Header, ref: RefParse | None, warnings: list[str]
) -> tuple[_TypeDecision, str | None, float]:
    """Type from the type line (or "V/v" → công văn), checked against the ký hiệu's type group."""
    first_group = ref.groups[0] if ref is not None and not ref.party_form else ""
    abbr_types = types_for_abbr(first_group) if first_group else []
    if header.type_match is not None:
        match = header.type_match
        doc_type = match.doc_type
        score = blend(_seg_conf(header.type_seg), match.score - max(0.0, match.runner_up - 0.75) * 0.5)
        if abbr_types:
            if doc_type in abbr_types:
                score = min(1.0, score + 0.05)
            elif match.score < 0.95 and len(abbr_types) == 1:
                warnings.append(f"type line read as {doc_type.name}, ký hiệu says {abbr_types[0].name}; kept the ký hiệu")
                doc_type, score = abbr_types[0], 0.75
            else:
                warnings.append(f"type line says {doc_type.name} but the ký hiệu starts with {first_group}")
                score *= 0.75
        elif ref is not None and doc_type.abbr and not _abbr_readable_as(ref, doc_type):
            warnings.append(f"ký hiệu {ref.symbol} has no type abbreviation for {doc_type.name}")
            score *= 0.85
        text, lines, led = typed_summary(header.rest, header.type_seg, header.page_width)
        summary_conf = blend(_mean_conf(lines), 1.0 if led else 0.75) if text else 0.0
        return _TypeDecision(doc_type, score), text, summary_conf
    text, lines = cong_van_summary(header.left_below)
    if text is None:
        text, lines = _vv_anywhere(header)
    if text is not None:
        score = 0.95
        if abbr_types and not _issuer_like(ref):
            warnings.append(f"abstract starts with V/v but the ký hiệu starts with {first_group}")
            score = 0.7
        return _TypeDecision(CONG_VAN, score), text, blend(_mean_conf(lines), 1.0)
    if len(abbr_types) == 1:
        return _TypeDecision(abbr_types[0], 0.7), None, 0.0
    return _TypeDecision(None, 0.0), None, 0.0


def _vv_anywhere(header: Header) -> tuple[str | None, list[Seg]]:
    """A "V/v" abstract that is not under the số: no "Số:" was read, or it is centred below the header."""
    text, lines = cong_van_summary([s for s in header.zone if s not in header.right])
    if text is None:
        text, lines = cong_van_summary(header.rest[:3])
    return text, lines


def _issuer_like(ref: RefParse | None) -> bool:
    """A công văn's first group may still look like a type abbreviation if it has a unit after it."""
    return ref is not None and len(ref.groups) >= 2 and len(ref.groups[0]) >= 3


def _mean_conf(segs: Sequence[Seg]) -> float:
    words = [w for s in segs for w in s.words]
    return sum(w.conf for w in words) / len(words) if words else 0.0


def _issuer_group(ref: RefParse | None, doc_type: DocType | None) -> str | None:
    """The ký hiệu group naming the issuing body: after the type abbreviation, first for a công văn."""
    if ref is None or ref.party_form:
        return None
    if doc_type is CONG_VAN or doc_type is None or not doc_type.abbr:
        return ref.groups[0]
    if len(ref.groups) >= 2:
        return ref.groups[1]
    split = _split_glued(ref.groups[0], doc_type)
    return split[1] if split else None


def _abbr_readable_as(ref: RefParse, doc_type: DocType) -> bool:
    """True when the first ký hiệu group is the type's abbreviation up to OCR damage we repair."""
    return _lookalike_abbr(ref.groups[0], doc_type) or (
        len(ref.groups) == 1 and _split_glued(ref.groups[0], doc_type) is not None)


def _lookalike_abbr(group: str, doc_type: DocType) -> bool:
    abbr = doc_type.abbr or ""
    return close_by_confusion(group.upper(), abbr.upper()) or (
        len(group) >= 3 and edit_distance(abbr_key(group), abbr_key(abbr)) == 1)


def _split_glued(group: str, doc_type: DocType) -> tuple[str, str] | None:
    """"TTVTLTNN" → ("TT", "VTLTNN") when OCR lost the hyphen after the type abbreviation."""
    abbr = doc_type.abbr or ""
    if len(group) > len(abbr) + 1 and abbr_key(group[: len(abbr)]) == abbr_key(abbr):
        return abbr, group[len(abbr):]
    return None


def _reconcile_reference(ref: RefParse, decision: _TypeDecision, agencies: AgencyResult, warnings: list[str]) -> float:
    """Make the ký hiệu agree with the type line and agency where OCR broke it; returns a factor."""
    factor = 1.0
    doc_type = decision.doc_type
    if ref.party_form:
        return 0.9
    if doc_type is not None and doc_type.abbr:
        group = ref.groups[0]
        if abbr_key(group) == abbr_key(doc_type.abbr):
            if group != doc_type.abbr:
                ref.fixes.append("type-abbreviation-spelling")
            ref.groups[0] = doc_type.abbr
        elif len(ref.groups) == 1 and (split := _split_glued(group, doc_type)):
            ref.groups[:1] = [doc_type.abbr, split[1]]
            ref.fixes.append("missing-hyphen")
            factor *= 0.95
        elif _lookalike_abbr(group, doc_type):
            ref.groups[0] = doc_type.abbr
            ref.fixes.append("type-abbreviation-lookalike")
            factor *= 0.9
        else:
            factor *= 0.75
    index = 0 if doc_type is None or doc_type is CONG_VAN or not doc_type.abbr else 1
    if index == 0 and len(ref.groups) == 1:
        factor *= _split_cong_van_symbol(ref, agencies)
    if index < len(ref.groups):
        factor *= _check_issuer(ref, index, agencies, warnings)
    return factor


def _split_cong_van_symbol(ref: RefParse, agencies: AgencyResult) -> float:
    """"BGTVTVP" → "BGTVT-VP": a công văn's ký hiệu is issuer-unit, and OCR lost the hyphen.

    The issuer part is recognised as the longest run of the agency's initials the group starts with.
    """
    group = ref.groups[0]
    expected = [initials(n) for n in (agencies.agency, agencies.parent) if n]
    for cut in range(len(group) - 2, 1, -1):
        if any(group[:cut] in e for e in expected):
            ref.groups[:1] = [group[:cut], group[cut:]]
            ref.fixes.append("missing-hyphen")
            return 0.9
    return 1.0


def _check_issuer(ref: RefParse, index: int, agencies: AgencyResult, warnings: list[str]) -> float:
    """Compare the issuer group with the agency's initials; repair a single confusable letter."""
    names = [n for n in (agencies.agency, agencies.parent) if n]
    if not names:
        return 0.95
    group = ref.groups[index]
    expected = [initials(n) for n in names]
    full = _full_initials_abbr(agencies.agency)
    if full and group != full and len(full) >= 4 and edit_distance(group, full) == 1:
        warnings.append(f"issuer abbreviation {group} read as {full}, the initials of {agencies.agency}")
        ref.groups[index] = full
        ref.fixes.append("issuer-initials")
        return 0.92
    if any(group in e for e in expected):
        return 1.0
    candidates = {
        e[i:i + len(group)]
        for e in expected
        for i in range(len(e) - len(group) + 1)
        if close_by_confusion(group, e[i:i + len(group)], 1 if len(group) < 5 else 2)
    }
    if len(candidates) == 1:
        fixed = candidates.pop()
        warnings.append(f"issuer abbreviation {group} read as {fixed} to agree with the agency name")
        ref.groups[index] = fixed
        ref.fixes.append("issuer-lookalike")
        return 0.92
    return 0.9


def _full_initials_abbr(agency: str | None) -> str | None:
    """Ministries and provincial departments abbreviate by all their initials (BGTVT, STTTT)."""
    if agency and agency.split(" ", 1)[0] in _FULL_INITIALS_HEADS:
        return initials(agency)
    return None


def _apply_metadata(agencies: AgencyResult, metadata: Mapping[str, str] | None) -> None:
    """A born-digital file's "author" names the issuer: fill a gap or raise confidence on agreement."""
    author = nfc(metadata.get("author", "")).upper() if metadata else ""
    if not author:
        return
    if agencies.agency is None:
        agencies.agency, agencies.agency_score = author, 0.7
    elif key(agencies.agency) == key(author):
        agencies.agency_score = max(agencies.agency_score, 0.97)


def _read_signature(pages: Sequence[PageText], out: Extraction, conf: dict[str, float]) -> None:
    tail = [_bounded(p, head=False) for p in pages[-2:]]
    segs = [page_segments(p, i) for i, p in enumerate(tail)]
    sig = find_signature(segs, [p.width for p in tail])
    out.signer_authority, out.signer_title, out.signer_name = sig.authority, sig.title, sig.name
    for name, value, score in (
        ("signer_authority", sig.authority, sig.authority_score),
        ("signer_title", sig.title, sig.title_score),
        ("signer_name", sig.name, sig.name_score),
    ):
        conf[name] = score if value else 0.0


def _sample_text(pages: Sequence[PageText], limit: int = 20000) -> str:
    parts: list[str] = []
    size = 0
    for page in pages:
        for line in page.lines:
            parts.append(line.text)
            size += len(line.text)
            if size >= limit:
                return "\n".join(parts)[:limit]
    return "\n".join(parts)


def _finish(out: Extraction, conf: dict[str, float], settings: ExtractSettings) -> Extraction:
    for name in ("document_type", "reference", "number", "symbol", "issued_date", "issued_place",
                 "issuing_agency", "summary", "signer_name", "signer_title", "signer_authority", "language"):
        conf.setdefault(name, 0.0)
    out.confidence = {k: round(v, 3) for k, v in conf.items()}
    out.needs_review = [k for k, v in out.confidence.items() if v < settings.review_threshold]
    return out
