"""Search throughput and latency of the backends, against the plain engine used naively.

    .venv/bin/python bench/search.py [--count 100000] [--clients 4] [--queries 2000] \
        [--backends tantivy,sqlite,elasticsearch] [--puts 200] [--no-plain] [--json out.json]

Generates ``--count`` realistic records: ND 30 metadata (type and its abbreviation, number/symbol,
date, issuing agency and its parent, signer, access level, owning agency) and 1–5 pages of
Vietnamese administrative prose recombined from the sentences of ``../shared/seeds/``. Then, per
backend:

* bulk indexing in docs/s through ``SearchIndex.put_many`` (SQLite) or ``rebuild`` (Elasticsearch and
  tantivy: a fresh index filled and switched to, as ``luutru reindex`` does), our Python analysis included;
* with ``--puts N``, then N more records through ``put`` one at a time, as the pipeline's index step
  writes (each a commit; on tantivy the writer is kept between puts of one process);
* query latency p50/p95/p99 over ``--queries`` queries from ``--clients`` concurrent threads, as
  the web app asks them: 20 hits, four facets, page snippets, and for half of them an official's
  access filter. The mix: reference lookups (typed as printed, or lower-case with spaces), 1–3
  words with and without diacritics, quoted phrases, and a word plus type/year filters;
* for Elasticsearch, first a warm-up until its CPU per query stops falling (``warm_up``: a freshly
  started JVM is 2–2.5× slower until its JIT has compiled the query paths), and then also its own
  ``took`` per query (``es_took``), which a busy machine disturbs less;
* CPU milliseconds per query of the client process and of the Elasticsearch node, and the mean latency
  they imply when the cores are the bottleneck (``clients`` × CPU per query ÷ cores): on a machine where
  the engine and the clients share the cores, a latency target below that needs less CPU per query.

"Plain" is the same engine without our layer: an FTS5 table over the raw text (``unicode61
remove_diacritics 2``), an Elasticsearch index with the ``standard`` analyzer or a tantivy index with
its ``default`` tokenizer, one ``MATCH`` / ``match`` / parsed AND query, 20 hits, no facets, snippets,
folding of "đ" or access filter. The ratio says
what the features cost. Elasticsearch is the node of ``scripts/services.sh``
(``LUUTRU_TEST_ES_URL``); the benchmark creates and deletes its own indices.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from elasticsearch import Elasticsearch, helpers  # noqa: E402

from archive.catalog.codes import TypeName  # noqa: E402
from search.base import IndexedDocument, SearchIndex, SearchRequest, Visibility  # noqa: E402
from search.elastic import ElasticsearchIndex  # noqa: E402
from search.folding import fold  # noqa: E402
from search.sqlite_fts import SqliteFtsIndex  # noqa: E402
from search.tantivy_index import TantivyIndex  # noqa: E402

SEEDS = _HERE.parent.parent / "shared" / "seeds"
ES_URL = os.environ.get("LUUTRU_TEST_ES_URL", "http://127.0.0.1:59200")

PROVINCES = ["Hà Nội", "Thừa Thiên Huế", "Quảng Bình", "Đà Nẵng", "Cần Thơ", "Nghệ An", "Lào Cai", "Bắc Ninh",
             "Đồng Tháp", "Khánh Hòa", "Lâm Đồng", "Hải Phòng"]
DEPARTMENTS = [("SỞ NỘI VỤ", "SNV"), ("SỞ TÀI CHÍNH", "STC"), ("SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "STTTT"),
               ("SỞ GIÁO DỤC VÀ ĐÀO TẠO", "SGDĐT"), ("SỞ Y TẾ", "SYT"), ("SỞ TƯ PHÁP", "STP")]
MINISTRIES = [("BỘ NỘI VỤ", "BNV"), ("BỘ TÀI CHÍNH", "BTC"), ("BỘ GIÁO DỤC VÀ ĐÀO TẠO", "BGDĐT"),
              ("BỘ GIAO THÔNG VẬN TẢI", "BGTVT"), ("VĂN PHÒNG CHÍNH PHỦ", "VPCP"),
              ("CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC", "VTLTNN")]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLES = ["Văn", "Thị", "Hữu", "Đức", "Ngọc", "Quang", "Minh", "Thanh", "Xuân"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hùng", "Lan", "Long", "Mai", "Nam", "Phương", "Quân", "Sơn",
         "Trung", "Yến", "Hạnh", "Tuấn", "Thảo", "Khoa"]
TYPES = [t for t in TypeName if t.mark]


def _sentences() -> list[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    parts = re.split(r"(?<=[.;:!?])\s+|\n+", text)
    return [" ".join(p.split()) for p in parts if len(p.split()) >= 5]


@dataclass
class Corpus:
    """Records generated deterministically; kept compact (sentence indices) and materialised on demand."""

    count: int
    seed: int = 7
    sentences: list[str] = field(default_factory=_sentences)
    agencies: list[tuple[str, str, str | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.agencies = [(f"{d} TỈNH {p.upper()}", d_abbr, f"UBND TỈNH {p.upper()}")
                         for p in PROVINCES for d, d_abbr in DEPARTMENTS] + [(m, a, None) for m, a in MINISTRIES]

    def record(self, i: int) -> IndexedDocument:
        rng = random.Random(self.seed * 1_000_003 + i)
        kind = rng.choice(TYPES)
        agency, abbr, parent = rng.choice(self.agencies)
        number = rng.randint(1, 3999)
        reference = f"{number}/{kind.mark}-{abbr}"
        year = rng.randint(2005, 2025)
        issued = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        signer = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"
        pages = [" ".join(rng.choice(self.sentences) for _ in range(rng.randint(10, 22)))
                 for _ in range(rng.randint(1, 5))]
        summary = "Về việc " + " ".join(rng.choice(self.sentences).split()[:rng.randint(6, 14)]).lower()
        pages[0] = f"{parent or ''}\n{agency}\nSố: {reference}\n{kind.vi.upper()}\n{summary}\n" + pages[0]
        mode = rng.choices(["01", "02", "03"], weights=[70, 22, 8])[0]
        owner = str(self.agencies.index((agency, abbr, parent)))
        fields = {"reference": reference, "document_type": kind.vi, "summary": summary, "issued_date": issued,
                  "issuing_agency": agency, "signer": signer, "signer_position": "GIÁM ĐỐC", "access_level": mode,
                  "original_filename": f"doc{i:06d}.pdf", **({"parent_agency": parent} if parent else {})}
        terms = {"type": [kind.vi], "agency": [agency], "year": [str(year)], "mode": [mode], "owner": [owner],
                 "record": [str(i)], "signer": [signer]}
        return IndexedDocument(str(i), pages if mode != "03" else [], fields, terms, reference=reference, date=issued)

    def records(self) -> Iterator[IndexedDocument]:
        return (self.record(i) for i in range(self.count))


def _query_mix(corpus: Corpus, n: int, seed: int = 11) -> list[tuple[str, SearchRequest, Visibility]]:
    rng = random.Random(seed)
    queries = []
    for _ in range(n):
        doc = corpus.record(rng.randrange(corpus.count))
        words = " ".join(doc.pages).split() if doc.pages else doc.fields["summary"].split()
        words = [w.strip(".,;:()") for w in words if w.strip(".,;:()").isalpha()] or ["lưu", "trữ"]
        kind = rng.choices(["reference", "words", "folded", "phrase", "filtered"], weights=[25, 20, 20, 15, 20])[0]
        if kind == "reference":
            ref = doc.reference or ""
            text = ref if rng.random() < 0.5 else ref.lower().replace("/", " / ")
            request = SearchRequest(text)
        elif kind in ("words", "folded"):
            start = rng.randrange(max(1, len(words) - 3))
            text = " ".join(words[start:start + rng.randint(1, 3)])
            request = SearchRequest(fold(text) if kind == "folded" else text)
        elif kind == "phrase":
            start = rng.randrange(max(1, len(words) - 4))
            request = SearchRequest('"' + fold(" ".join(words[start:start + 4])) + '"')
        else:
            request = SearchRequest(rng.choice(words), filters={"type": doc.terms["type"]},
                                    date_from=f"{rng.randint(2005, 2020)}-01-01")
        visibility = Visibility.everything() if rng.random() < 0.5 else Visibility(
            ({"mode": ["01"]}, {"mode": ["02"], "owner": [str(rng.randrange(len(corpus.agencies)))]}))
        queries.append((kind, request, visibility))
    return queries


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return {"p50_ms": round(pick(0.50), 1), "p95_ms": round(pick(0.95), 1), "p99_ms": round(pick(0.99), 1),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 1)}


def _warm_ups(queries: int, clients: int) -> int:
    """How many of the queries are first run once, unmeasured, to warm caches and connections."""
    return max(clients, queries // 20)


WARM_UP_WINDOW = 1000
WARM_UP_WINDOWS = 20
WARM_UP_GAIN = 0.05
WARM_UP_PATIENCE = 2


def _warm_up(index: SearchIndex, corpus: Corpus, clients: int) -> dict[str, object]:
    """Bring a freshly started node to its steady state before anything is measured: windows of another
    query mix (another seed, so no measured query has run before) from the same clients, until two windows
    in a row cost no more than 5 % less CPU per query than the best before them (one is not enough: the
    host's own speed wanders by ±10 % from window to window).

    A Java node needs thousands of queries before its JIT compiler has compiled the query paths: after a
    restart, four successive runs of this benchmark measured Elasticsearch at 16.3, 14.6, 9.9 and 8.1 ms of
    CPU per query (6.5 once warm), with p95 68 → 49 ms. Without this the figure would depend on how long
    the node had been up, not on the search."""
    costs: list[float] = []
    best, stale = float("inf"), 0
    for window in range(WARM_UP_WINDOWS):
        mix = _query_mix(corpus, WARM_UP_WINDOW, seed=1000 + window)
        before = _cpu_seconds(index)
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(lambda q: index.search(q[1], q[2]), mix))
        after = _cpu_seconds(index)
        cost = sum(after[n] - before[n] for n in before) * 1000 / WARM_UP_WINDOW
        costs.append(cost)
        stale = 0 if cost < (1 - WARM_UP_GAIN) * best else stale + 1
        best = min(best, cost)
        if stale == WARM_UP_PATIENCE:
            break
    return {"queries": len(costs) * WARM_UP_WINDOW, "cpu_ms_per_query": [round(c, 2) for c in costs]}


def _run_queries(call: Callable[[object], object], queries: list, clients: int) -> tuple[list[float], dict]:
    """Latency of each query from ``clients`` threads, each taking the next query from a shared list."""
    latencies: list[tuple[str, float]] = []
    lock = threading.Lock()

    def one(item: tuple) -> None:  # type: ignore[type-arg]
        start = time.perf_counter()
        call(item)
        elapsed = time.perf_counter() - start
        with lock:
            latencies.append((item[0], elapsed))

    for item in queries[:_warm_ups(len(queries), clients)]:  # warm caches and connections
        call(item)
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, queries))
    by_kind: dict[str, list[float]] = {}
    for kind, value in latencies:
        by_kind.setdefault(kind, []).append(value)
    return [v for _, v in latencies], {k: _percentiles(v) for k, v in sorted(by_kind.items())}


# --- the plain engines --------------------------------------------------------------------------------


class PlainSqlite:
    def __init__(self, path: Path) -> None:
        self.path = path
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='unicode61 remove_diacritics 2')")
        conn.close()
        self.local = threading.local()

    def load(self, docs: Iterator[IndexedDocument]) -> None:
        conn = sqlite3.connect(self.path)
        batch = []
        for d in docs:
            batch.append((int(d.doc_id), "\n".join([*d.fields.values(), *d.pages])))
            if len(batch) >= 500:
                conn.executemany("INSERT INTO t (rowid, body) VALUES (?, ?)", batch)
                conn.commit()
                batch = []
        conn.executemany("INSERT INTO t (rowid, body) VALUES (?, ?)", batch)
        conn.commit()
        conn.close()

    def query(self, text: str) -> list[int]:
        conn = getattr(self.local, "conn", None) or sqlite3.connect(self.path, check_same_thread=False)
        self.local.conn = conn
        words = re.findall(r"[^\W_]+", text)
        expression = ('"' + " ".join(words) + '"') if text.startswith('"') else " ".join(f'"{w}"' for w in words)
        return [r[0] for r in conn.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY rank LIMIT 20",
                                           (expression,))] if words else []


class PlainTantivy:
    def __init__(self, path: Path) -> None:
        import tantivy

        self.tantivy = tantivy
        path.mkdir()
        schema = tantivy.SchemaBuilder().add_text_field("id", stored=True, tokenizer_name="raw").add_text_field(
            "body", tokenizer_name="default").build()
        self.index = tantivy.Index(schema, path=str(path))

    def load(self, docs: Iterator[IndexedDocument]) -> None:
        writer = self.index.writer(heap_size=256_000_000, num_threads=1)
        for d in docs:
            writer.add_document(self.tantivy.Document(id=d.doc_id, body="\n".join([*d.fields.values(), *d.pages])))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def query(self, text: str) -> list[str]:
        words = re.findall(r"[^\W_]+", text.lower())
        if not words:
            return []
        expression = ('"' + " ".join(words) + '"') if text.startswith('"') else " AND ".join(words)
        searcher = self.index.searcher()
        hits = searcher.search(self.index.parse_query(expression, ["body"]), 20).hits
        return [searcher.doc(address)["id"][0] for _, address in hits]


class PlainElastic:
    def __init__(self, client: Elasticsearch) -> None:
        self.client = client
        self.name = f"bench-plain-{uuid.uuid4().hex[:8]}"
        client.indices.create(index=self.name, settings={"number_of_shards": 1, "number_of_replicas": 0},
                              mappings={"properties": {"body": {"type": "text"}}})

    def load(self, docs: Iterator[IndexedDocument]) -> None:
        helpers.bulk(self.client, ({"_index": self.name, "_id": d.doc_id,
                                    "_source": {"body": "\n".join([*d.fields.values(), *d.pages])}} for d in docs),
                     chunk_size=500)
        self.client.indices.refresh(index=self.name)

    def query(self, text: str) -> list[str]:
        q = ({"match_phrase": {"body": text.strip('"')}} if text.startswith('"')
             else {"match": {"body": {"query": text, "operator": "and"}}})
        return [h["_id"] for h in self.client.search(index=self.name, query=q, size=20)["hits"]["hits"]]

    def drop(self) -> None:
        self.client.indices.delete(index=self.name)


# --- driver --------------------------------------------------------------------------------------------


def _cpu_seconds(index: SearchIndex) -> dict[str, float]:
    """CPU seconds used so far by this process (the clients, and the embedded engines inside it) and by
    the Elasticsearch node (its own count, so its JVM's threads are all included)."""
    seconds = {"client": time.process_time()}
    if isinstance(index, ElasticsearchIndex):
        stats = index.client.nodes.stats(metric="process")
        seconds["elasticsearch"] = sum(node["process"]["cpu"]["total_in_millis"]
                                       for node in stats["nodes"].values()) / 1000
    return seconds


def _cpu_per_query(before: dict[str, float], after: dict[str, float], queries: int, clients: int) -> dict[str, float]:
    """CPU milliseconds per query on each side, and the mean latency they imply when the cores are the
    bottleneck: ``clients`` queries always in flight share the cores, so each waits for the others' CPU.
    The warm-up queries of ``_run_queries`` are counted too."""
    count = queries + _warm_ups(queries, clients)
    used = {name: (after[name] - before[name]) * 1000 / count for name in before}
    cores = len(os.sched_getaffinity(0))
    return {**{name: round(ms, 2) for name, ms in used.items()},
            "cpu_bound_mean_latency_ms": round(clients * sum(used.values()) / cores, 1)}


def _recording_took(search: Callable[..., dict], took: list[float]) -> Callable[..., dict]:
    def recorded(**kwargs: object) -> dict:
        response = search(**kwargs)
        took.append(response["took"] / 1000)
        return response
    return recorded


def _puts(index: SearchIndex, corpus: Corpus, count: int) -> dict[str, float]:
    """``count`` records beyond the corpus, one ``put`` (one commit) each, as the pipeline writes them."""
    extra = Corpus(corpus.count + count, seed=corpus.seed)
    latencies = []
    for i in range(corpus.count, corpus.count + count):
        document = extra.record(i)
        start = time.perf_counter()
        index.put(document)
        latencies.append(time.perf_counter() - start)
    return _percentiles(latencies)


def bench_backend(name: str, corpus: Corpus, queries: list, clients: int, plain: bool, workdir: Path,
                  puts: int = 0) -> dict:
    result: dict[str, object] = {"backend": name, "records": corpus.count, "clients": clients}
    index: SearchIndex
    if name == "sqlite":
        index = SqliteFtsIndex(workdir / "search.sqlite")
    elif name == "tantivy":
        index = TantivyIndex(workdir / "search.tantivy")
    else:
        index = ElasticsearchIndex(ES_URL, prefix=f"bench-{uuid.uuid4().hex[:8]}")
    try:
        index.ensure()
        start = time.perf_counter()
        if isinstance(index, (ElasticsearchIndex, TantivyIndex)):
            index.rebuild(corpus.records())   # bulk into a fresh index (ES: refresh off), then the switch
        else:
            index.put_many(corpus.records())
        index.refresh()
        elapsed = time.perf_counter() - start
        result["bulk_docs_per_s"] = round(corpus.count / elapsed, 1)
        if name == "sqlite":
            result["index_mb"] = round(sum(p.stat().st_size for p in workdir.glob("search.sqlite*")) / 1e6, 1)
        elif name == "tantivy":
            files = (workdir / "search.tantivy").rglob("*")
            result["index_mb"] = round(sum(p.stat().st_size for p in files if p.is_file()) / 1e6, 1)
        took: list[float] = []
        if isinstance(index, ElasticsearchIndex):  # a JVM: measured at its steady state, and by its own clock too
            result["warm_up"] = _warm_up(index, corpus, clients)
            index.client.search = _recording_took(index.client.search, took)  # type: ignore[method-assign]
        cpu_before = _cpu_seconds(index)
        all_latencies, by_kind = _run_queries(lambda q: index.search(q[1], q[2]), queries, clients)
        result["query"] = _percentiles(all_latencies)
        result["cpu_ms_per_query"] = _cpu_per_query(cpu_before, _cpu_seconds(index), len(queries), clients)
        result["query_by_kind"] = by_kind
        if took:
            result["es_took"] = _percentiles(took[-len(queries):])
        if puts:
            result["put_ms"] = _puts(index, corpus, puts)
        if plain:
            engine = (PlainSqlite(workdir / "plain.sqlite") if name == "sqlite"
                      else PlainTantivy(workdir / "plain.tantivy") if name == "tantivy"
                      else PlainElastic(Elasticsearch(ES_URL, request_timeout=60)))
            start = time.perf_counter()
            engine.load(corpus.records())
            result["plain_bulk_docs_per_s"] = round(corpus.count / (time.perf_counter() - start), 1)
            plain_latencies, _ = _run_queries(lambda q: engine.query(q[1].text), queries, clients)
            result["plain_query"] = _percentiles(plain_latencies)
            if isinstance(engine, PlainElastic):
                engine.drop()
    finally:
        if isinstance(index, ElasticsearchIndex):
            index.drop()
        if isinstance(index, TantivyIndex):
            index.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--backends", default="tantivy,sqlite,elasticsearch")
    parser.add_argument("--puts", type=int, default=0, help="then time this many single-record puts")
    parser.add_argument("--no-plain", action="store_true", help="skip the plain-engine comparison")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    corpus = Corpus(args.count)
    queries = _query_mix(corpus, args.queries)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        for name in args.backends.split(","):
            row = bench_backend(name, corpus, queries, args.clients, not args.no_plain, Path(tmp), args.puts)
            print(json.dumps(row, ensure_ascii=False), flush=True)
            results.append(row)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
