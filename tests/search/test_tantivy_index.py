"""What only the tantivy backend has to prove: one writer per index shared between processes, searches
answered from the old generation while a rebuild fills the new one, and its mapping version.

The behaviour every backend shares is in ``test_index_contract.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from search.base import MAPPING_VERSION, IndexedDocument, SearchError, SearchRequest, Visibility
from search.tantivy_index import POINTER, TantivyIndex, date_key, one_edit_pattern, tie_key
from tests.search.corpus import DOCUMENTS

ROOT = Path(__file__).resolve().parents[2]
EVERYONE = Visibility.everything()


def _writer_script(path: Path, prefix: str, count: int, busy_timeout: float) -> str:
    """A separate Python process putting ``count`` records one by one, as a pipeline worker does."""
    return textwrap.dedent(f"""
        import json, sys
        from search.base import IndexedDocument, SearchError
        from search.tantivy_index import TantivyIndex
        index = TantivyIndex({str(path)!r}, busy_timeout={busy_timeout}, idle_seconds=0.05)
        index.ensure()
        try:
            for i in range({count}):
                index.put(IndexedDocument(f"{prefix}{{i:03d}}", ["Biên bản họp số hóa tài liệu"], {{"summary": "{prefix}"}},
                                          {{"mode": ["01"]}}))
        except SearchError as exc:
            print(json.dumps({{"error": str(exc)}}))
            sys.exit(3)
        index.close()
        print(json.dumps({{"ids": sorted(index.doc_ids())}}))
    """)


def _run(script: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_two_processes_write_the_same_index(tmp_path: Path) -> None:
    """Two processes put records at the same time: each waits for the other's writer lock, none is lost."""
    path = tmp_path / "search.tantivy"
    TantivyIndex(path).ensure()
    workers = [_run(_writer_script(path, prefix, 15, busy_timeout=60)) for prefix in ("a", "b")]
    outputs = [w.communicate(timeout=180) for w in workers]
    for worker, (out, err) in zip(workers, outputs):
        assert worker.returncode == 0, (out, err)
    expected = sorted(f"{p}{i:03d}" for p in "ab" for i in range(15))
    reader = TantivyIndex(path)
    reader.refresh()
    assert sorted(reader.doc_ids()) == expected
    assert reader.search(SearchRequest("so hoa tai lieu", size=50), EVERYONE).total == 30


def test_a_busy_writer_makes_the_other_process_wait_then_fail_clearly(tmp_path: Path) -> None:
    """While this process holds the writer, another gives up after its busy timeout with a vi/en
    message saying what to do; once the writer is released it writes."""
    path = tmp_path / "search.tantivy"
    holder = TantivyIndex(path, idle_seconds=3600)
    holder.ensure()
    holder.put(DOCUMENTS[0])   # takes the writer and, with no idle release, keeps it
    blocked = _run(_writer_script(path, "c", 1, busy_timeout=0.5))
    out, err = blocked.communicate(timeout=120)
    assert blocked.returncode == 3, (out, err)
    message = json.loads(out)["error"]
    assert "tiến trình khác" in message and "another process" in message and "luutru reindex" in message
    holder.close()
    after = _run(_writer_script(path, "c", 1, busy_timeout=30))
    out, err = after.communicate(timeout=120)
    assert after.returncode == 0, (out, err)
    assert json.loads(out)["ids"] == sorted([DOCUMENTS[0].doc_id, "c000"])


def test_threads_share_one_writer(tmp_path: Path) -> None:
    index = TantivyIndex(tmp_path / "search.tantivy")
    index.ensure()
    errors: list[BaseException] = []

    def put_some(prefix: str) -> None:
        try:
            for i in range(10):
                index.put(IndexedDocument(f"{prefix}{i}", ["Công văn"], {}, {"mode": ["01"]}))
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=put_some, args=(p,)) for p in "xyz"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert index.search(SearchRequest("cong van"), EVERYONE).total == 30
    index.close()


def test_searches_are_answered_during_a_rebuild(tmp_path: Path) -> None:
    """While a rebuild fills the new generation, this and another process's view keep answering from
    the old one; after the switch both see the new one and the old folder is gone."""
    path = tmp_path / "search.tantivy"
    index = TantivyIndex(path)
    other = TantivyIndex(path)   # what another process sees: its own reader, no shared state
    index.ensure()
    index.put_many(DOCUMENTS[:10])
    old_generation = json.loads((path / POINTER).read_text())["generation"]
    seen_during: list[int] = []

    def replacement():  # type: ignore[no-untyped-def]
        for n, document in enumerate(DOCUMENTS[10:]):
            if n == 5:
                seen_during.append(index.search(SearchRequest(), EVERYONE).total)
                seen_during.append(other.search(SearchRequest(), EVERYONE).total)
                seen_during.append(len(list(other.doc_ids())))
            yield document

    assert index.rebuild(replacement()) == len(DOCUMENTS) - 10
    assert seen_during == [10, 10, 10]
    for view in (index, other):
        result = view.search(SearchRequest(size=50), EVERYONE)
        assert result.total == len(DOCUMENTS) - 10
        assert {h.doc_id for h in result.hits} == {d.doc_id for d in DOCUMENTS[10:]}
    assert not (path / old_generation).exists()
    index.put(DOCUMENTS[0])   # writes go to the new generation
    other.refresh()
    assert other.search(SearchRequest(), EVERYONE).total == len(DOCUMENTS) - 9
    index.close()


class CatalogGone(Exception):
    pass


def test_a_failed_rebuild_leaves_the_live_index_alone(tmp_path: Path) -> None:
    """The caller's error comes out as it is; the half-built generation is removed."""
    path = tmp_path / "search.tantivy"
    index = TantivyIndex(path)
    index.ensure()
    index.put_many(DOCUMENTS[:3])

    def broken():  # type: ignore[no-untyped-def]
        yield DOCUMENTS[3]
        raise CatalogGone("catalog went away")

    with pytest.raises(CatalogGone):
        index.rebuild(broken())
    assert sorted(index.doc_ids()) == sorted(d.doc_id for d in DOCUMENTS[:3])
    assert [p.name for p in path.glob("g*")] == [json.loads((path / POINTER).read_text())["generation"]]


def test_health_says_what_to_run(tmp_path: Path) -> None:
    """A missing index asks for `luutru init`; an index of another mapping version for `luutru reindex`,
    and `ensure` replaces it by an empty one of this version."""
    path = tmp_path / "search.tantivy"
    with pytest.raises(SearchError, match="luutru init"):
        TantivyIndex(path).health()
    with pytest.raises(SearchError, match="luutru init"):
        TantivyIndex(path).search(SearchRequest("x"), EVERYONE)
    index = TantivyIndex(path)
    index.ensure()
    index.put(DOCUMENTS[0])
    assert "1 documents" in index.health() and f"mapping v{MAPPING_VERSION}" in index.health()
    pointer = json.loads((path / POINTER).read_text())
    (path / POINTER).write_text(json.dumps({**pointer, "mapping_version": MAPPING_VERSION - 1}))
    for view in (index, TantivyIndex(path)):
        with pytest.raises(SearchError, match="luutru reindex"):
            view.health()
        with pytest.raises(SearchError, match="luutru reindex"):
            view.search(SearchRequest("x"), EVERYONE)
    fresh = TantivyIndex(path)
    fresh.ensure()
    assert "0 documents" in fresh.health()
    assert fresh.rebuild(DOCUMENTS[:3]) == 3
    assert "3 documents" in index.health() and index.search(SearchRequest(), EVERYONE).total == 3
    index.close()
    fresh.close()


def test_keys_that_order_like_the_values() -> None:
    ids = ["", "1", "10", "9", "a", "ab", "vn001", "vn0010", "x-hoa", "đ", "abcdefgh1", "abcdefgh2"]
    assert all(tie_key(a) <= tie_key(b) for a, b in zip(sorted(ids), sorted(ids)[1:]))
    assert tie_key("abcdefgh1") == tie_key("abcdefgh2")   # told apart by the ids themselves
    dates = ["", "2019-12-31", "2020", "2020-01", "2020-01-01", "2020-01-02", "2021-01-01"]
    assert [date_key(d) for d in dates] == sorted(date_key(d) for d in dates)
    assert date_key(None) == 0 and date_key("2020-01-05") == 20200105


def test_one_edit_pattern_is_bounded_fuzziness() -> None:
    import re

    pattern = re.compile(one_edit_pattern("blockchain"))
    for word in ("blockchain", "blokchain", "blockchian", "blockchainx", "blockchai", "blackchain"):
        assert pattern.fullmatch(word), word
    for word in ("glockchain", "lbockchain", "blkchain", "blockchainxy", "bockchian"):
        assert not pattern.fullmatch(word), word
