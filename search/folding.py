"""Vietnamese diacritic folding, so "quyet dinh" finds "Quyết định".

Done in Python for both backends: SQLite's unicode61 tokenizer does not fold "đ" (it has no
Unicode decomposition), and the Elasticsearch distribution we test against ships without the
analysis-common module that holds ``asciifolding``. One function means both backends agree.

Folding every page of every record is on the indexing hot path, so the per-character rule
(``_fold_char``: decompose, drop combining marks, map đ) is precomputed into a ``str.translate``
table over the alphabetic blocks, which runs at C speed.
"""

from __future__ import annotations

import unicodedata

_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def _fold_char(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


def _table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in range(0x80, 0x3000):
        ch = chr(code)
        folded = _fold_char(ch)
        if folded != ch:
            table[code] = folded or None
    return table


_TABLE = _table()


def fold(text: str) -> str:
    """Lower-case, strip every combining mark and map đ to d; keeps word boundaries unchanged."""
    return unicodedata.normalize("NFC", text).lower().translate(_TABLE)
