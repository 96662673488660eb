"""SQLite FTS5 or tantivy for the embedded index, the engines alone: the same records, the same folded words.

    .venv/bin/python bench/embedded_choice.py [--count 20000] [--queries 500]

Both engines get the records of ``bench/search.py`` as one folded text field (folding done by
``search.analysis``, as in the product) and answer the same AND queries of 1–3 folded words for
the top 20, from one thread. Measured: bulk docs/s, index size, p50/p95 latency, and the cost of
the exact total (tantivy ``count``; FTS5 ``count(*)``) that the search page shows.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import tantivy  # noqa: E402

from search.analysis import folded_text  # noqa: E402


def _corpus(count: int):  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_search", _HERE / "search.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["bench_search"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.Corpus(count)


def _pct(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50_ms": round(ordered[len(ordered) // 2] * 1000, 2),
            "p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000, 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args()
    corpus = _corpus(args.count)
    texts = [folded_text("\n".join([*d.fields.values(), *d.pages])) for d in corpus.records()]
    rng = random.Random(3)
    queries = []
    for _ in range(args.queries):
        words = rng.choice(texts).split()
        start = rng.randrange(max(1, len(words) - 3))
        queries.append(words[start:start + rng.randint(1, 3)])
    out: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        # SQLite FTS5
        path = Path(tmp) / "fts.sqlite"
        conn = sqlite3.connect(path)
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='unicode61 remove_diacritics 0')")
        start = time.perf_counter()
        for i in range(0, len(texts), 500):
            conn.executemany("INSERT INTO t (rowid, body) VALUES (?, ?)",
                             [(i + j, text) for j, text in enumerate(texts[i:i + 500])])
            conn.commit()
        fts_rate = len(texts) / (time.perf_counter() - start)
        lat, lat_total = [], []
        for words in queries:
            expression = " ".join(f'"{w}"' for w in words)
            t0 = time.perf_counter()
            conn.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY rank LIMIT 20", (expression,)).fetchall()
            t1 = time.perf_counter()
            conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expression,)).fetchone()
            lat.append(t1 - t0)
            lat_total.append(time.perf_counter() - t0)
        start = time.perf_counter()
        for j, text in enumerate(texts[:200]):  # the pipeline indexes one record per transaction
            conn.execute("INSERT INTO t (rowid, body) VALUES (?, ?)", (len(texts) + j, text))
            conn.commit()
        fts_single = (time.perf_counter() - start) / 200
        out["sqlite-fts5"] = {"bulk_docs_per_s": round(fts_rate), "index_mb": round(path.stat().st_size / 1e6, 1),
                              "top20": _pct(lat), "top20_and_total": _pct(lat_total),
                              "one_doc_commit_ms": round(fts_single * 1000, 2)}
        conn.close()
        # tantivy
        schema = tantivy.SchemaBuilder().add_integer_field("id", stored=True).add_text_field(
            "body", stored=False, tokenizer_name="default").build()
        directory = Path(tmp) / "tantivy"
        directory.mkdir()
        index = tantivy.Index(schema, path=str(directory))
        writer = index.writer(heap_size=128_000_000, num_threads=1)
        start = time.perf_counter()
        for i, text in enumerate(texts):
            writer.add_document(tantivy.Document(id=i, body=text))
        writer.commit()
        writer.wait_merging_threads()
        tantivy_rate = len(texts) / (time.perf_counter() - start)
        index.reload()
        searcher = index.searcher()
        lat, lat_total = [], []
        for words in queries:
            query = index.parse_query(" AND ".join(words), ["body"])
            t0 = time.perf_counter()
            searcher.search(query, 20)
            t1 = time.perf_counter()
            searcher.search(query, 20, count=True).count  # noqa: B018
            lat.append(t1 - t0)
            lat_total.append(time.perf_counter() - t0)
        size = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())
        writer = index.writer(heap_size=128_000_000, num_threads=1)
        start = time.perf_counter()
        for j, text in enumerate(texts[:200]):
            writer.add_document(tantivy.Document(id=len(texts) + j, body=text))
            writer.commit()
        tantivy_single = (time.perf_counter() - start) / 200
        segments = len(list(directory.glob("*.idx")))
        try:  # a second writer, as a CLI process beside a running worker would open
            index.writer(heap_size=50_000_000, num_threads=1)
            second_writer = "allowed"
        except Exception as exc:  # noqa: BLE001 — the point is to report what tantivy says
            second_writer = f"refused: {type(exc).__name__}: {str(exc)[:80]}"
        out["tantivy"] = {"bulk_docs_per_s": round(tantivy_rate), "index_mb": round(size / 1e6, 1),
                          "top20": _pct(lat), "top20_and_total": _pct(lat_total),
                          "one_doc_commit_ms": round(tantivy_single * 1000, 2), "segments_after": segments,
                          "second_writer": second_writer}
        writer.wait_merging_threads()
    print(json.dumps({"records": args.count, **out}, indent=2))


if __name__ == "__main__":
    main()
