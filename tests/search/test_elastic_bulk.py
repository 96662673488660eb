"""Elasticsearch bulk loads of several requests: every record arrives once, and a refused one is reported."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from search.base import IndexedDocument, SearchError, SearchRequest, Visibility
from search.elastic import BULK_CHUNK, ElasticsearchIndex


@pytest.fixture
def index(es_url: str) -> Iterator[ElasticsearchIndex]:
    index = ElasticsearchIndex(es_url, prefix=f"test-{uuid.uuid4().hex[:12]}")
    index.ensure()
    yield index
    index.drop()


def _records(count: int) -> Iterator[IndexedDocument]:
    for i in range(count):
        yield IndexedDocument(f"r{i}", [f"Hồ sơ số {i} về lưu trữ"], {"summary": f"Bản {i}"},
                              {"mode": ["01"], "year": [str(2000 + i % 3)]})


def test_rebuild_of_several_requests_indexes_every_record_once(index: ElasticsearchIndex) -> None:
    count = 2 * BULK_CHUNK + 7  # three requests, the last one short
    assert index.rebuild(_records(count)) == count
    result = index.search(SearchRequest("luu tru", facets=("year",)), Visibility.everything())
    assert result.total == count
    assert sum(n for _, n in result.facets["year"]) == count
    assert sorted(index.doc_ids()) == sorted(f"r{i}" for i in range(count))
    # the load's own settings (no refresh, async translog, wide merges) are gone from the live index
    (settings,) = index.client.indices.get_settings(index=index.index_name).values()
    assert not {"refresh_interval", "translog", "merge"} & set(settings["settings"]["index"])


def test_a_refused_record_is_reported(index: ElasticsearchIndex) -> None:
    # A filter term longer than Lucene's 32,766-byte limit makes Elasticsearch refuse that one record.
    bad = IndexedDocument("bad", ["Trang"], {"summary": "x"}, {"mode": ["01"], "signer": ["đ" * 20_000]})
    with pytest.raises(SearchError, match="refused 1 document"):
        index.put_many([*_records(3), bad])
    index.refresh()
    assert sorted(index.doc_ids()) == ["r0", "r1", "r2"]
