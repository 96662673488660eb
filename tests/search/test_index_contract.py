"""The same behaviour from the embedded SQLite FTS5 index and the real Elasticsearch 9."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from search.base import IndexedDocument, SearchIndex
from search.elastic import ElasticsearchIndex
from search.folding import fold
from search.sqlite_fts import SqliteFtsIndex

DOCS = [
    IndexedDocument("d1", "Quyết định về việc ban hành Quy chế công tác văn thư, lưu trữ",
                    {"title": "Quyết định 12/QĐ-UBND"}, {"agency": ["A"], "mode": ["01"]}),
    IndexedDocument("d2", "Công văn V/v đề nghị cung cấp hồ sơ địa chính",
                    {"title": "Công văn 45/UBND-VP"}, {"agency": ["B"], "mode": ["01"]}),
    IndexedDocument("d3", "Quyết định mật về đất đai", {"title": "QĐ mật"}, {"agency": ["A"], "mode": ["03"]}),
]


@pytest.fixture(params=["sqlite", "elasticsearch"])
def index(request: pytest.FixtureRequest, tmp_path) -> Iterator[SearchIndex]:
    if request.param == "sqlite":
        idx: SearchIndex = SqliteFtsIndex(tmp_path / "search.sqlite")
    else:
        url = request.getfixturevalue("es_url")
        idx = ElasticsearchIndex(url, prefix=f"test-{uuid.uuid4().hex[:12]}")
    idx.ensure()
    idx.ensure()  # idempotent
    for doc in DOCS:
        idx.put(doc)
    idx.refresh()
    yield idx
    if isinstance(idx, ElasticsearchIndex):
        idx.client.indices.delete(index=idx.index_name)


def test_fold_strips_vietnamese_marks_and_d_stroke() -> None:
    assert fold("Quyết Định ĐẤT ĐAI Hỏa tốc") == "quyet dinh dat dai hoa toc"


def test_query_matches_with_and_without_diacritics(index: SearchIndex) -> None:
    with_marks = index.search("quyết định", {})
    without = index.search("quyet dinh", {})
    assert {h.doc_id for h in with_marks.hits} == {"d1", "d3"}
    assert {h.doc_id for h in without.hits} == {"d1", "d3"}
    assert with_marks.total == without.total == 2


def test_filters_restrict_totals_and_hits(index: SearchIndex) -> None:
    result = index.search("quyet dinh", {"agency": ["A"], "mode": ["01", "02"]})
    assert result.total == 1
    assert [h.doc_id for h in result.hits] == ["d1"]
    assert result.hits[0].fields["title"] == "Quyết định 12/QĐ-UBND"
    assert index.search("", {"agency": []}).total == 0
    assert index.search("", {"agency": ["B"]}).total == 1


def test_replace_and_delete(index: SearchIndex) -> None:
    index.put(IndexedDocument("d2", "Báo cáo tổng kết", {"title": "BC"}, {"agency": ["B"]}))
    index.refresh()
    assert index.search("dia chinh", {}).total == 0
    assert [h.doc_id for h in index.search("bao cao", {}).hits] == ["d2"]
    index.delete("d2")
    index.delete("d2")  # deleting twice is harmless
    index.refresh()
    assert index.search("", {}).total == 2
    assert index.health()


def test_doc_ids_list_everything_indexed(index: SearchIndex) -> None:
    assert sorted(index.doc_ids()) == ["d1", "d2", "d3"]
    index.delete("d2")
    index.refresh()
    assert sorted(index.doc_ids()) == ["d1", "d3"]
