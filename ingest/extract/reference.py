"""Read "Số: 2291/QĐ-UBND" (and legal forms like "02/2019/TT-BNV") out of damaged OCR text.

ND 30 PL I II.3: number in Arabic digits, "/" between number and ký hiệu, "-" between the
abbreviation groups, no spaces. OCR adds spaces, drops or doubles hyphens and reads O for 0 and
l for 1; those are undone here. Which group is the type abbreviation, and whether it agrees with
the type line, is decided by the parser, which also sees the type line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.extract.textnorm import as_digits, as_letters, key

_DASHES = re.compile(r"[‐‑‒–—―_~=]")
_SPACED_JOINERS = re.compile(r"\s*([/\-])\s*")
_SO_TOKEN = re.compile(r"^s[o0ô6ơóòồốõ]?[:;.,]?$")
_DIGITISH = "0-9OoIlSBZ|"
_REF = re.compile(
    rf"^(?P<num>[{_DIGITISH}]{{1,7}})(?:/(?P<year>[{_DIGITISH}]{{4}}))?/(?P<sym>[0-9A-Za-zÀ-ỹĐđ][0-9A-Za-zÀ-ỹĐđ\-.]*)$"
)
#: Party documents ("52-NQ/TW") put the type before the slash; we keep them as printed.
_PARTY_REF = re.compile(r"^(?P<num>\d{1,5})-(?P<sym>[A-Za-zĐđ]+/[0-9A-Za-zĐđ\-]+)$")
#: A slash read as l, I, 1 or | between the number and the first capital of the ký hiệu.
_LOST_SLASH = re.compile(r"^(\d{1,7})[lI|](?=[A-ZĐ])")


@dataclass(slots=True)
class RefParse:
    """The parts of a số/ký hiệu. ``groups`` are the ký hiệu's dash-separated groups."""

    number: str
    year: str | None
    groups: list[str]
    fixes: list[str] = field(default_factory=list)
    party_form: bool = False

    @property
    def symbol(self) -> str:
        return "-".join(self.groups)

    @property
    def reference(self) -> str:
        if self.party_form:
            return f"{self.number}-{self.symbol}"
        year = f"/{self.year}" if self.year else ""
        return f"{self.number}{year}/{self.symbol}"


def strip_so_label(text: str) -> str | None:
    """The text after the "Số:" label, or None when the text is not a "Số: <number>" line."""
    tokens = text.split()
    if not tokens:
        return None
    first = tokens[0]
    rest: str | None = None
    if _SO_TOKEN.match(key(first) + (":" if first.endswith(":") else "")) and first[:1] in "Ss5":
        rest = " ".join(tokens[1:])
    else:
        glued = re.match(r"^[Ss5]\S{0,2}?[:;.,]\s*(?=[0-9OoIl])", text)
        if glued:
            rest = text[glued.end():]
    if rest and re.match(rf"[{_DIGITISH}]", rest):
        return rest
    return None


def parse_reference(text: str) -> RefParse | None:
    """Parse what follows "Số:"; None when no number/ký hiệu can be read from it."""
    cleaned = _DASHES.sub("-", text).replace("\\", "/")
    cleaned = _SPACED_JOINERS.sub(r"\1", cleaned.strip())
    cleaned = re.sub(r"-{2,}", "-", cleaned)
    token = cleaned.split(" ", 1)[0].strip(".,;:'\"`’‘“”")
    fixes: list[str] = []
    slash = _LOST_SLASH.match(token)
    if slash and "/" not in token:
        token = f"{slash.group(1)}/{token[slash.end():]}"
        fixes.append("slash")
    party = _PARTY_REF.match(token)
    if party:
        return RefParse(party.group("num"), None, party.group("sym").split("-"), fixes, party_form=True)
    match = _REF.match(token)
    if not match:
        return None
    number = as_digits(match.group("num"))
    if number != match.group("num"):
        fixes.append("number-lookalike")
    year = match.group("year")
    if year is not None:
        fixed_year = as_digits(year)
        if fixed_year != year:
            fixes.append("year-lookalike")
        year = fixed_year
    if not number.isdigit() or (year is not None and not year.isdigit()):
        return None
    groups = [g for g in match.group("sym").strip("-.").split("-") if g]
    if not groups:
        return None
    fixed_groups = [_fix_group(g) for g in groups]
    if fixed_groups != groups:
        fixes.append("letter-lookalike")
    return RefParse(number, year, fixed_groups, fixes)


def _fix_group(group: str) -> str:
    """Digits inside an all-letter abbreviation are OCR look-alikes (B0NV → BONV); "QH15" keeps its digits."""
    letters = sum(c.isalpha() for c in group)
    if letters == 0 or not any(c.isdigit() for c in group):
        return group
    trailing_digits = re.match(r"^(.*?[A-Za-zĐđ])(\d+)$", group)
    if trailing_digits and not any(c.isdigit() for c in trailing_digits.group(1)):
        return group
    return as_letters(group)
