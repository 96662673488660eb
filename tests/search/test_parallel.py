"""Large batches are analysed in worker processes; what they produce must be what one process would."""

from __future__ import annotations

from search.base import IndexedDocument
from search.parallel import WINDOW, prepared
from search.sqlite_fts import _row


def _documents(count: int) -> list[IndexedDocument]:
    return [IndexedDocument(str(i), [f"Quyết định số {i}/QĐ-UBND về việc số hóa tài liệu lưu trữ, trang {i % 7}"],
                            {"summary": f"Kế hoạch {i}"}, {"mode": ["01"]}, reference=f"{i}/QĐ-UBND")
            for i in range(count)]


def test_large_batch_in_workers_matches_in_process_and_keeps_order() -> None:
    documents = _documents(WINDOW * 2 + 17)  # three windows, the last partial
    assert list(prepared(documents, _row)) == [_row(d) for d in documents]


def test_small_batch_stays_in_process() -> None:
    documents = _documents(3)
    assert list(prepared(iter(documents), _row)) == [_row(d) for d in documents]
