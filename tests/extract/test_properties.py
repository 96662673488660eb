"""The parser never crashes or hangs, whatever text it is given (up to 1 MB)."""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Iterator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.extract import (
    Extraction,
    Line,
    PageText,
    Word,
    extract_fields,
    to_dublin_core,
    to_nd30_input,
    to_tt05_ead_doc,
)
from ingest.extract.model import FIELDS

#: Generous bound for one call: the benchmark's mean is a few milliseconds per document.
TIME_LIMIT = 10.0
VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
ALPHABET = VIETNAMESE + VIETNAMESE.upper() + "0123456789 .,:;/-–|()[]\n\t\f\u0300\u0301\u0303\u0309\u0323"
FRAGMENTS = ["Số:", "Số: 12/QĐ-UBND", "V/v", "Về việc", "ngày", "tháng", "năm", "Hà Nội, ngày 5 tháng 1 năm 2020",
             "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "QUYẾT ĐỊNH", "KT.", "TM.",
             "Nơi nhận:", "MẬT", "HỎA TỐC", "BỘ NỘI VỤ", "SỞ", "UBND", "- Lưu: VT.", "Nguyễn Văn An", "\n", " "]


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail instead of hanging: SIGALRM interrupts a runaway call."""
    def on_alarm(signum: int, frame: object) -> None:
        raise TimeoutError(f"extract_fields took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check(ex: Extraction) -> None:
    for name in FIELDS:
        value = getattr(ex, name)
        assert value is None or isinstance(value, (str, int)), name
    assert all(0.0 <= c <= 1.0 for c in ex.confidence.values())
    assert set(ex.needs_review) <= set(ex.confidence)
    for mapped in (to_tt05_ead_doc(ex), to_nd30_input(ex), to_dublin_core(ex)):
        assert isinstance(mapped.fields, dict)


def run(pages: list[PageText]) -> Extraction:
    with time_limit(TIME_LIMIT):
        ex = extract_fields(pages)
    check(ex)
    return ex


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=ALPHABET, max_size=3000))
def test_arbitrary_text(text: str) -> None:
    run([PageText.from_text(chunk) for chunk in text.split("\f")])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(alphabet=ALPHABET, max_size=40), max_size=300))
def test_shuffled_document_fragments(parts: list[str]) -> None:
    run([PageText.from_text(" ".join(parts)), PageText.from_text("\n".join(parts))])


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(chunk=st.text(alphabet=ALPHABET, min_size=1, max_size=2000), size=st.integers(100_000, 1_000_000),
       one_line=st.booleans())
def test_up_to_one_megabyte(chunk: str, size: int, one_line: bool) -> None:
    text = (chunk * (size // len(chunk) + 1))[:size]
    if one_line:
        text = text.replace("\n", " ")
    start = time.perf_counter()
    run([PageText.from_text(text)])
    assert time.perf_counter() - start < TIME_LIMIT


def test_one_megabyte_of_header_like_lines() -> None:
    text = "\n".join(FRAGMENTS * (1_000_000 // sum(len(f) + 1 for f in FRAGMENTS)))
    run([PageText.from_text(text)] * 3)


WORD = st.builds(
    lambda text, x, y, w, h, conf: Word(text, x, y, x + w, y + h, conf),
    st.text(alphabet=ALPHABET.replace("\n", "").replace("\f", ""), min_size=1, max_size=15),
    st.floats(-100, 3000, allow_nan=False), st.floats(-100, 4000, allow_nan=False),
    st.floats(0, 500, allow_nan=False), st.floats(0, 100, allow_nan=False), st.floats(0, 1),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(WORD, min_size=1, max_size=12), max_size=60), st.floats(0, 3000, allow_nan=False))
def test_arbitrary_word_boxes(lines: list[list[Word]], width: float) -> None:
    run([PageText(tuple(Line.from_words(ws) for ws in lines), width, 3508.0)])
