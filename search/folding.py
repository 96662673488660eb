"""Vietnamese diacritic folding, so "quyet dinh" finds "Quyết định".

Done in Python for both backends: SQLite's unicode61 tokenizer does not fold "đ" (it has no
Unicode decomposition), and the Elasticsearch distribution we test against ships without the
analysis-common module that holds ``asciifolding``. One function means both backends agree.
"""

from __future__ import annotations

import unicodedata

_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def fold(text: str) -> str:
    """Lower-case, strip every combining mark and map đ to d; keeps word boundaries unchanged."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()
