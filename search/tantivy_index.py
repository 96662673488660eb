"""Embedded search on tantivy: a folder of the data directory, no server, answers in milliseconds.

SQLite FTS5 computes ``bm25()`` for every row that matches before it can sort, so at 100,000 records a
common word costs seconds; tantivy's collectors score in Rust over compressed posting lists. The
matching and ranking are those of the other backends, built from the same tokens:

* text reaches tantivy already cut and folded by ``search.analysis`` and is split on spaces only
  (tantivy's ``whitespace`` tokenizer), so all backends index and query identical words;
* every query word must match a folded field (catalog fields boosted ×2 over the page text, BM25);
  long words also match one edit away with the first letter kept (a regex automaton over the term
  dictionary, as Elasticsearch's ``fuzzy`` with ``prefix_length`` 1); ``word*`` is a prefix; a quoted
  phrase is a run of syllable-pair tokens side by side in the ``pairs`` field; fixed points are added per
  word found with its typed accents, per syllable pair found (a ``pairs`` term) and for a matching reference;
* filters, the date range and the caller's ``Visibility`` are clauses of the same query, so totals,
  facet counts (tantivy's terms aggregation over the ``terms`` JSON fast field) and snippets come
  from admitted records only.

Ordering is (score or date, then ``doc_id`` ascending), as on the other backends, with search-after
cursors. Tantivy sorts by one value, so ties are settled here: ``tb`` is a number that orders like the
first 8 bytes of ``doc_id`` (ids longer than that are compared in full when their ``tb`` is equal).

Writing: tantivy allows one ``IndexWriter`` per index across all processes (a lock file). Threads of
one process share one writer behind a lock; it is released when a write ends (or ``idle_seconds`` after
the last one, when set) so the worker processes, the web app or ``luutru reindex`` can take it in turn:
taking it costs about a millisecond, holding it for a second starved a second worker process. A process
that finds it busy retries with backoff up to ``busy_timeout`` and then raises ``SearchError``. Each ``put`` commits
(the pipeline indexes one record per transaction); searchers reload after our own commits at once
and after other processes' commits within about a second (tantivy watches ``meta.json``).

Layout: ``<path>/CURRENT`` names the live generation (a tantivy index in ``<path>/g<version>-…``) and
its mapping version. ``rebuild`` fills a new generation while searches go on in the old one, then
replaces ``CURRENT`` atomically; every process notices on its next call. As with the Elasticsearch
alias switch, a record written by another process to the old generation during a rebuild is not
carried over (run ``luutru reindex`` again, or reconcile with ``doc_ids``).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import tantivy

from search.analysis import ParsedQuery, analyse, bigrams, display_page, parse_query, reference_key
from search.base import (
    BIGRAM_BOOST,
    EXACT_BOOST,
    FACET_SIZE,
    MAPPING_VERSION,
    REFERENCE_BOOST,
    Hit,
    IndexedDocument,
    SearchError,
    SearchRequest,
    SearchResult,
    Visibility,
)
from search.highlight import page_highlights

POINTER = "CURRENT"
FIELD_GAP = "|"
"""Between the catalog fields' pairs and the pages' in ``pairs``: never a query pair, so no phrase spans them."""
FACET_BUCKETS = 10_000
"""Buckets asked of the terms aggregation: above any facet's number of values, so counts are exact."""

_MUST, _SHOULD = tantivy.Occur.Must, tantivy.Occur.Should
_TANTIVY_ERRORS = (ValueError, OSError, RuntimeError)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("doc_id", fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("tb", indexed=True, fast=True)
    builder.add_unsigned_field("date", indexed=True, fast=True)
    builder.add_text_field("ref_key", tokenizer_name="raw", index_option="basic")
    for name in ("meta_exact", "body_exact"):            # looked up for fixed points only
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="basic")
    for name in ("meta_folded", "body_folded"):          # BM25
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    # Adjacent folded syllables as one token each ("so_hoa"), catalog fields then pages: a term lookup for the
    # syllable-pair points, and with positions, quoted phrases (see ``text_query``).
    builder.add_text_field("pairs", tokenizer_name="whitespace", index_option="position")
    builder.add_json_field("terms", fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("payload", stored=True)       # doc_id, date, fields and pages, as JSON
    return builder.build()


SCHEMA = _schema()


def tie_key(doc_id: str) -> int:
    """A number ordered like ``doc_id`` (byte order, as Elasticsearch keywords and SQLite sort):
    its first 8 bytes; equal keys of longer ids are told apart by the ids themselves."""
    return int.from_bytes(doc_id.encode()[:8].ljust(8, b"\0"), "big")


def date_key(date: str | None) -> int:
    """``2020-01-05`` → 20200105, a partial ``2020-01`` → 20200100, none → 0 (sorts first, like "")."""
    digits = "".join(c for c in date or "" if c.isdigit())
    return int(digits[:8].ljust(8, "0")) if digits else 0


def one_edit_pattern(word: str) -> str:
    """A regex for every word one insertion, deletion, substitution or swap of neighbours away from
    ``word`` (or equal to it), keeping its first letter: Elasticsearch's ``fuzzy`` with fuzziness 1,
    ``prefix_length`` 1 and transpositions. ``word`` is letters only, so nothing needs escaping."""
    head, tail = word[0], word[1:]
    variants = {tail}
    for i in range(len(tail) + 1):
        variants.add(tail[:i] + "." + tail[i:])
    for i in range(len(tail)):
        variants.add(tail[:i] + tail[i + 1:])
        variants.add(tail[:i] + "." + tail[i + 1:])
    for i in range(len(tail) - 1):
        variants.add(tail[:i] + tail[i + 1] + tail[i] + tail[i + 2:])
    return head + "(?:" + "|".join(sorted(variants)) + ")"


def _either(queries: list[tantivy.Query]) -> tantivy.Query:
    return queries[0] if len(queries) == 1 else tantivy.Query.boolean_query([(_SHOULD, q) for q in queries])


def _all(queries: list[tantivy.Query]) -> tantivy.Query:
    return queries[0] if len(queries) == 1 else tantivy.Query.boolean_query([(_MUST, q) for q in queries])


def text_query(parsed: ParsedQuery) -> tantivy.Query | None:
    """The same matching and ranking as ``search.elastic.text_query`` and the FTS5 expression."""
    term, boost = tantivy.Query.term_query, tantivy.Query.boost_query
    regex = tantivy.Query.regex_query
    must: list[tantivy.Query] = []
    for t in parsed.terms:
        if t.prefix:
            must.append(_either([boost(regex(SCHEMA, "meta_folded", t.folded + ".*"), 2.0),
                                 regex(SCHEMA, "body_folded", t.folded + ".*")]))
            continue
        options = [boost(term(SCHEMA, "meta_folded", t.folded, index_option="freq"), 2.0),
                   term(SCHEMA, "body_folded", t.folded, index_option="freq")]
        if t.fuzzy:
            pattern = one_edit_pattern(t.folded)
            options += [boost(regex(SCHEMA, field, pattern), 0.5) for field in ("meta_folded", "body_folded")]
        must.append(_either(options))
    should: list[tantivy.Query] = []
    for phrase in parsed.phrases:
        words = [_either([boost(term(SCHEMA, "meta_folded", w, index_option="freq"), 2.0),
                          term(SCHEMA, "body_folded", w, index_option="freq")]) for w in dict.fromkeys(phrase)]
        if len(phrase) == 1:
            must += words
            continue
        # Matching: "a b c" is the pair tokens a_b, b_c side by side in ``pairs``; pairs are far rarer than
        # words, so their positions are few to check. Ranking: BM25 of the phrase's words, catalog fields ×2
        # (the other backends score the phrase itself; the order agrees in practice).
        tokens = ["_".join(pair) for pair in bigrams(phrase)]
        exact = (term(SCHEMA, "pairs", tokens[0], index_option="basic") if len(tokens) == 1
                 else tantivy.Query.phrase_query(SCHEMA, "pairs", tokens))
        must.append(tantivy.Query.const_score_query(exact, 0.0))
        should += words
    if not must:
        return None
    should += [tantivy.Query.const_score_query(
        _either([term(SCHEMA, "meta_exact", t.exact, index_option="basic"),
                 term(SCHEMA, "body_exact", t.exact, index_option="basic")]), EXACT_BOOST)
        for t in parsed.terms if not t.prefix and t.exact != t.folded]
    should += [tantivy.Query.const_score_query(term(SCHEMA, "pairs", "_".join(pair), index_option="basic"),
                                               BIGRAM_BOOST) for pair in parsed.bigrams]
    return tantivy.Query.boolean_query([(_MUST, q) for q in must] + [(_SHOULD, q) for q in should])


def filter_queries(request: SearchRequest, visibility: Visibility) -> list[tantivy.Query] | None:
    """Exact filters, the date range and the caller's visibility; None when nothing can match."""
    filters = []
    for name, values in request.filters.items():
        if not values:
            return None
        filters.append(tantivy.Query.term_set_query(SCHEMA, f"terms.{name}", list(values)))
    if request.date_from or request.date_to:
        filters.append(tantivy.Query.range_query(
            SCHEMA, "date", tantivy.FieldType.Unsigned,
            lower_bound=date_key(request.date_from) if request.date_from else None,
            upper_bound=date_key(request.date_to) if request.date_to else None))
    if visibility.clauses is not None:
        clauses = [_all([tantivy.Query.term_set_query(SCHEMA, f"terms.{n}", list(v)) for n, v in clause.items()])
                   for clause in visibility.clauses if clause and all(clause.values())]
        clauses += [tantivy.Query.all_query() for clause in visibility.clauses if not clause]
        if not clauses:
            return None
        filters.append(_either(clauses))
    return filters


def _document(document: IndexedDocument) -> tantivy.Document:
    text = analyse(list(document.fields.values()), document.pages)
    doc = tantivy.Document()
    doc.add_text("doc_id", document.doc_id)
    doc.add_unsigned("tb", tie_key(document.doc_id))
    doc.add_unsigned("date", date_key(document.date))
    key = reference_key(document.reference) if document.reference else ""
    if key:
        doc.add_text("ref_key", key)
    doc.add_text("meta_exact", text.meta_exact)
    doc.add_text("meta_folded", text.meta_folded)
    doc.add_text("body_exact", text.body_exact)
    doc.add_text("body_folded", text.body_folded)
    meta, body = text.meta_words, text.body_words
    doc.add_text("pairs", " ".join(map("_".join, zip(meta, meta[1:]))) + f" {FIELD_GAP} "
                 + " ".join(map("_".join, zip(body, body[1:]))))
    doc.add_json("terms", {name: sorted(set(values)) for name, values in document.terms.items() if values})
    doc.add_bytes("payload", orjson.dumps(
        {"id": document.doc_id, "date": document.date or "", "fields": dict(document.fields),
         "pages": [display_page(p) for p in document.pages]}))
    return doc


@dataclass
class _Generation:
    """One opened tantivy index and the ``CURRENT`` file (inode, mtime) that named it."""

    name: str
    index: tantivy.Index
    stamp: tuple[int, int]


class _Docs:
    """Stored payloads of one search's hits, each read from the doc store once."""

    def __init__(self, searcher: tantivy.Searcher) -> None:
        self.searcher = searcher
        self.cache: dict[tuple[int, int], dict[str, Any]] = {}

    def __call__(self, address: tantivy.DocAddress) -> dict[str, Any]:
        key = (address.segment_ord, address.doc)
        payload = self.cache.get(key)
        if payload is None:
            payload = self.cache[key] = orjson.loads(self.searcher.doc(address).get_first("payload"))
        return payload

    def id(self, address: tantivy.DocAddress) -> str:
        return str(self(address)["id"])


def _ordered(rows: list[tuple[Any, int, tantivy.DocAddress]], docs: _Docs,
             key: Callable[[Any], Any]) -> list[tuple[Any, int, tantivy.DocAddress]]:
    """Rows (primary, tie key, address) sorted by primary, then doc_id; the doc store is read only
    for rows whose primary and tie key are both equal."""
    rows = sorted(rows, key=lambda r: (key(r[0]), r[1]))
    out, i = [], 0
    while i < len(rows):
        j = i + 1
        while j < len(rows) and rows[j][0] == rows[i][0] and rows[j][1] == rows[i][1]:
            j += 1
        out += rows[i:j] if j == i + 1 else sorted(rows[i:j], key=lambda r: docs.id(r[2]))
        i = j
    return out


class TantivyIndex:
    """A folder of generations, the live one named by ``CURRENT``; see the module docstring."""

    name = "tantivy"

    def __init__(self, path: Path, *, busy_timeout: float = 30.0, idle_seconds: float = 0.0,
                 heap_size: int = 64_000_000, bulk_heap_size: int = 256_000_000) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.idle_seconds = idle_seconds
        self.heap_size = heap_size
        self.bulk_heap_size = bulk_heap_size
        self._lock = threading.RLock()        # the shared writer and the opened generation
        self._generation: _Generation | None = None
        self._writer: tantivy.IndexWriter | None = None
        self._writer_of: str | None = None
        self._last_write = 0.0
        self._timer: threading.Timer | None = None

    # --- messages --------------------------------------------------------------------------------

    def _error(self, exc: BaseException, vi: str, en: str) -> SearchError:
        return SearchError(f"Chỉ mục tìm kiếm {self.path} không {vi} được ({exc}); hãy kiểm tra quyền đọc ghi thư "
                           f"mục và dung lượng đĩa. / The search index {self.path} could not {en} ({exc}); check "
                           "that the folder is readable and writable and the disk is not full.")

    def _missing(self) -> SearchError:
        return SearchError(f"Chỉ mục tìm kiếm {self.path} chưa được tạo; hãy chạy `luutru init`. / "
                           f"The search index {self.path} does not exist yet; run `luutru init`.")

    def _outdated(self, version: object) -> SearchError:
        return SearchError(f"Chỉ mục tìm kiếm {self.path} theo cấu trúc phiên bản {version}, chương trình cần "
                           f"{MAPPING_VERSION}; hãy chạy `luutru reindex`. / The search index {self.path} has "
                           f"mapping version {version}, this program needs {MAPPING_VERSION}; run `luutru reindex`.")

    # --- generations -------------------------------------------------------------------------------

    def _read_pointer(self) -> tuple[tuple[int, int], dict[str, Any]] | None:
        pointer = self.path / POINTER
        try:
            stat = pointer.stat()
            data = json.loads(pointer.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise self._error(exc, "đọc", "be read") from exc
        return (stat.st_ino, stat.st_mtime_ns), data

    def _current(self) -> _Generation:
        """The live generation, reopened when ``CURRENT`` changed (a rebuild, here or in another process)."""
        try:
            stat = (self.path / POINTER).stat()
            stamp = (stat.st_ino, stat.st_mtime_ns)
        except FileNotFoundError:
            raise self._missing() from None
        generation = self._generation
        if generation is not None and generation.stamp == stamp:
            return generation
        with self._lock:
            pointer = self._read_pointer()
            if pointer is None:
                raise self._missing()
            stamp, data = pointer
            if data.get("mapping_version") != MAPPING_VERSION:
                raise self._outdated(data.get("mapping_version"))
            if self._generation is None or self._generation.name != data["generation"]:
                try:
                    index = tantivy.Index.open(str(self.path / data["generation"]))
                except _TANTIVY_ERRORS as exc:
                    raise self._error(exc, "mở", "be opened") from exc
                self._generation = _Generation(data["generation"], index, stamp)
            else:
                self._generation.stamp = stamp
            return self._generation

    @contextmanager
    def _switching(self) -> Iterator[None]:
        """Serialises creating, switching and removing generations across processes."""
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / ".switch.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _new_generation(self) -> str:
        name = f"g{MAPPING_VERSION}-{time.time_ns()}-{os.getpid()}"
        (self.path / name).mkdir()
        tantivy.Index(SCHEMA, path=str(self.path / name), reuse=False)
        return name

    def _point_to(self, name: str) -> None:
        """Replace ``CURRENT`` atomically (write, fsync, rename, fsync the folder)."""
        temporary = self.path / f".{POINTER}.{os.getpid()}.{threading.get_ident()}"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump({"generation": name, "mapping_version": MAPPING_VERSION}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path / POINTER)
        folder = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)

    def _remove_stale(self, live: str) -> None:
        """Delete generations other than ``live`` that no process is writing (call while switching)."""
        for folder in self.path.glob("g*"):
            if folder.name == live or not folder.is_dir():
                continue
            try:
                writer = tantivy.Index.open(str(folder)).writer(heap_size=15_000_000, num_threads=1)
            except _TANTIVY_ERRORS as exc:
                if "LockBusy" in str(exc):
                    continue   # still written by someone; removed on a later switch
            else:
                writer.wait_merging_threads()
            shutil.rmtree(folder, ignore_errors=True)

    def ensure(self) -> None:
        """Create the index if missing; an index of another mapping version is replaced by an empty one
        (run ``luutru reindex``). Cheap when the index is there: the pipeline calls it before each put."""
        pointer = self._read_pointer()
        if pointer is not None and pointer[1].get("mapping_version") == MAPPING_VERSION \
                and (self.path / pointer[1]["generation"]).is_dir():
            return
        with self._lock, self._switching():
            pointer = self._read_pointer()
            if pointer is not None and pointer[1].get("mapping_version") == MAPPING_VERSION \
                    and (self.path / pointer[1]["generation"]).is_dir():
                return
            try:
                name = self._new_generation()
                self._point_to(name)
                self._release()
                self._remove_stale(name)
            except _TANTIVY_ERRORS as exc:
                raise self._error(exc, "tạo", "be created") from exc

    # --- the shared writer ---------------------------------------------------------------------------

    def _acquire(self, index: tantivy.Index, heap_size: int) -> tantivy.IndexWriter:
        """Take the index's writer lock, retrying with backoff while another process holds it."""
        deadline, delay = time.monotonic() + self.busy_timeout, 0.01
        while True:
            try:
                return index.writer(heap_size=heap_size, num_threads=1)
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise self._error(exc, "ghi", "be written") from exc
                if time.monotonic() >= deadline:
                    raise SearchError(
                        f"Chỉ mục tìm kiếm {self.path} đang được một tiến trình khác ghi (đã chờ "
                        f"{self.busy_timeout:g} giây); hãy thử lại khi tiến trình đó (ví dụ `luutru reindex` hoặc "
                        f"`luutru ingest --wait`) kết thúc. / The search index {self.path} is being written by "
                        f"another process (waited {self.busy_timeout:g} s); try again when that process (e.g. "
                        "`luutru reindex` or `luutru ingest --wait`) has finished.") from exc
                time.sleep(delay)
                delay = min(delay * 2, 0.25)

    @contextmanager
    def _writing(self) -> Iterator[tantivy.IndexWriter]:
        """The process's one writer, under the lock; what the block adds and commits is searchable here
        at once. A failed block is rolled back and the writer dropped; tantivy's own errors are turned
        into ``SearchError`` by ``_write`` calls inside the block, the caller's (a failing iterator)
        pass through unchanged."""
        with self._lock:
            generation = self._current()
            if self._writer is not None and self._writer_of != generation.name:
                self._release()
            if self._writer is None:
                self._writer = self._acquire(generation.index, self.heap_size)
                self._writer_of = generation.name
            try:
                yield self._writer
            except BaseException:
                try:
                    self._writer.rollback()
                except _TANTIVY_ERRORS:
                    pass   # the writer is dropped anyway: what it had not committed is gone
                self._release()
                raise
            finally:
                self._last_write = time.monotonic()
                if self.idle_seconds > 0:
                    self._schedule_release(self.idle_seconds)
                else:
                    self._release()
            try:
                generation.index.reload()
            except _TANTIVY_ERRORS as exc:
                raise self._error(exc, "nạp lại", "be reloaded") from exc

    def _schedule_release(self, delay: float) -> None:
        if self._timer is None and self._writer is not None:
            self._timer = threading.Timer(delay, self._release_when_idle)
            self._timer.daemon = True
            self._timer.start()

    def _release_when_idle(self) -> None:
        with self._lock:
            self._timer = None
            left = self._last_write + self.idle_seconds - time.monotonic()
            if left > 0:
                self._schedule_release(left)
            else:
                self._release()

    def _release(self) -> None:
        """Let merges finish, then drop the writer, which frees the lock for other processes."""
        writer, self._writer, self._writer_of = self._writer, None, None
        if writer is not None:
            try:
                writer.wait_merging_threads()
            except _TANTIVY_ERRORS:
                pass   # a merge that failed leaves committed segments as they were

    def close(self) -> None:
        """Release the writer now (tests, and commands about to exit)."""
        with self._lock:
            self._release()

    # --- writing -----------------------------------------------------------------------------------

    def _write(self, call: Callable[..., Any], *args: Any) -> Any:
        try:
            return call(*args)
        except _TANTIVY_ERRORS as exc:
            raise self._error(exc, "ghi", "be written") from exc

    def _replace(self, writer: tantivy.IndexWriter, document: IndexedDocument) -> None:
        doc = _document(document)
        self._write(writer.delete_documents_by_term, "doc_id", document.doc_id)
        self._write(writer.add_document, doc)

    def put(self, document: IndexedDocument) -> None:
        with self._writing() as writer:
            self._replace(writer, document)
            self._write(writer.commit)

    def put_many(self, documents: Iterable[IndexedDocument]) -> int:
        count = 0
        with self._writing() as writer:
            for document in documents:
                self._replace(writer, document)
                count += 1
            self._write(writer.commit)
        return count

    def delete(self, doc_id: str) -> None:
        with self._writing() as writer:
            self._write(writer.delete_documents_by_term, "doc_id", doc_id)
            self._write(writer.commit)

    def refresh(self) -> None:
        """Searchers reload after every commit; this also picks up other processes' commits now."""
        try:
            self._current().index.reload()
        except _TANTIVY_ERRORS as exc:
            raise self._error(exc, "nạp lại", "be reloaded") from exc

    def rebuild(self, documents: Iterable[IndexedDocument]) -> int:
        """Fill a new generation while searches use the live one, then switch ``CURRENT`` to it."""
        with self._switching():
            try:
                name = self._new_generation()
                writer = tantivy.Index.open(str(self.path / name)).writer(heap_size=self.bulk_heap_size,
                                                                          num_threads=1)
            except _TANTIVY_ERRORS as exc:
                raise self._error(exc, "tạo", "be created") from exc
        count = 0
        try:
            for document in documents:
                self._write(writer.add_document, _document(document))
                count += 1
            self._write(writer.commit)
            self._write(writer.wait_merging_threads)
        except BaseException:
            del writer   # frees the new generation's lock; the live one was never touched
            shutil.rmtree(self.path / name, ignore_errors=True)
            raise
        with self._lock, self._switching():
            self._point_to(name)
            self._release()
            self._remove_stale(name)
        return count

    # --- searching ------------------------------------------------------------------------------------

    def search(self, request: SearchRequest, visibility: Visibility) -> SearchResult:
        parsed = parse_query(request.text)
        if request.after is not None and not self._cursor_ok(request):
            raise SearchError("Con trỏ trang sau không hợp lệ; hãy dùng đúng giá trị đã nhận. / The next-page cursor "
                              "is not valid; pass back the value you received.")
        generation = self._current()
        try:
            return self._search(generation.index.searcher(), request, visibility, parsed)
        except _TANTIVY_ERRORS as exc:
            raise self._error(exc, "trả lời", "answer") from exc

    @staticmethod
    def _cursor_ok(request: SearchRequest) -> bool:
        after = list(request.after or ())
        if len(after) != 2 or not isinstance(after[1], str):
            return False
        if request.sort == "relevance":
            return isinstance(after[0], (int, float))
        return isinstance(after[0], str)

    def _search(self, searcher: tantivy.Searcher, request: SearchRequest, visibility: Visibility,
                parsed: ParsedQuery) -> SearchResult:
        filters = filter_queries(request, visibility)
        if filters is None:
            return SearchResult(total=0, hits=[], facets={name: [] for name in request.facets})
        text = text_query(parsed) if not parsed.empty else None
        if parsed.references:
            reference = tantivy.Query.const_score_query(
                tantivy.Query.term_set_query(SCHEMA, "ref_key", parsed.references), REFERENCE_BOOST)
            text = reference if text is None else _either([text, reference])
        clauses = [(_MUST, text)] if text is not None else []
        if filters:
            clauses.append((_MUST, tantivy.Query.const_score_query(_all(filters), 0.0)))
        query = tantivy.Query.boolean_query(clauses) if clauses else tantivy.Query.all_query()
        aggregations: dict[str, Any] = {"@total": {"value_count": {"field": "date"}}}
        aggregations.update({name: {"terms": {"field": f"terms.{name}", "size": FACET_BUCKETS}}
                             for name in request.facets})
        counted = searcher.aggregate(query, aggregations)
        total = int(counted["@total"]["value"])
        facets = {}
        for name in request.facets:
            buckets = sorted(((b["key"], b["doc_count"]) for b in counted[name]["buckets"]),
                             key=lambda b: (-b[1], b[0]))
            facets[name] = [(str(key), count) for key, count in buckets[:FACET_SIZE]]
        docs = _Docs(searcher)
        size = max(1, request.size)
        if total == 0:
            rows: list[tuple[Any, tantivy.DocAddress]] = []
        elif request.sort == "relevance" and text is not None:
            rows = self._by_score(searcher, query, size, request.after, docs)
        else:
            rows = self._by_key(searcher, query, size, request.after, docs,
                                None if request.sort == "relevance" else request.sort)
        hits = []
        ranked = request.sort == "relevance" and text is not None
        for primary, address in rows[:request.size]:
            payload = docs(address)
            score = float(primary) if ranked else 0.0
            key = [score if request.sort == "relevance" else payload["date"], payload["id"]]
            hits.append(Hit(payload["id"], score, payload["fields"],
                            page_highlights(payload["pages"], parsed) if request.highlights else [], key))
        return SearchResult(total=total, hits=hits, facets=facets)

    @staticmethod
    def _by_score(searcher: tantivy.Searcher, query: tantivy.Query, size: int, after: Sequence[Any] | None,
                  docs: _Docs) -> list[tuple[Any, tantivy.DocAddress]]:
        """Best first, then doc_id; after ``after`` = (score, doc_id). Tantivy keeps the top ``n`` by score
        with ties in no useful order, so only rows scoring above the n-th are certain; ``n`` grows
        until they fill the page or the matches run out."""
        if after is not None:
            a_score, a_id = float(after[0]), str(after[1])
            a_tb = tie_key(a_id)
        n = max(2 * size, 32)
        while True:
            hits = searcher.search(query, limit=n, count=False).hits
            exhausted = len(hits) < n
            floor = None if exhausted else hits[-1][0]
            keys = searcher.fast_field_values("tb", [address for _, address in hits])
            rows: list[tuple[Any, int, tantivy.DocAddress]] = []
            for (score, address), tb in zip(hits, keys):
                if floor is not None and score <= floor:
                    break
                if after is not None and (score > a_score or score == a_score and (
                        tb < a_tb or tb == a_tb and docs.id(address) <= a_id)):
                    continue
                rows.append((score, int(tb or 0), address))  # type: ignore[arg-type]
            if len(rows) >= size or exhausted:
                break
            n *= 4
        # Sort only what can reach the page: rows up to the end of the tie group at position ``size``.
        end = min(size, len(rows))
        while 0 < end < len(rows) and rows[end][0] == rows[end - 1][0]:
            end += 1
        return [(r[0], r[2]) for r in _ordered(rows[:end], docs, lambda s: -s)][:size]

    def _by_key(self, searcher: tantivy.Searcher, query: tantivy.Query, size: int, after: Sequence[Any] | None,
                docs: _Docs, sort: str | None) -> list[tuple[Any, tantivy.DocAddress]]:
        """By date (``sort`` "date"/"date_asc"), then doc_id; or by doc_id alone (``sort`` None: no words
        to rank by). After ``after`` = (date or score, doc_id)."""
        out: list[tuple[Any, tantivy.DocAddress]] = []
        rest = query
        if sort is None:
            return self._by_id(searcher, query, size, str(after[1]) if after is not None else None)
        descending = sort == "date"
        if after is not None:
            a_key = date_key(str(after[0]))
            out += self._by_id(searcher, _all([query, tantivy.Query.term_query(SCHEMA, "date", a_key)]), size,
                               str(after[1]))
            bound = {"upper_bound": a_key, "include_upper": False} if descending else \
                {"lower_bound": a_key, "include_lower": False}
            beyond = tantivy.Query.range_query(SCHEMA, "date", tantivy.FieldType.Unsigned, **bound)
            rest = _all([query, beyond])
        need = size - len(out)
        if need <= 0:
            return out
        hits = searcher.search(rest, limit=need, count=False, order_by_field="date",
                               order=tantivy.Order.Desc if descending else tantivy.Order.Asc).hits
        if not hits:
            return out
        last = hits[-1][0]
        # Every date before the last one on this page is complete; the last may go on past it.
        done = [(key, 0, address) for key, address in hits if len(hits) < need or key != last]
        out += [(r[0], r[2]) for r in _ordered(done, docs, (lambda k: -k) if descending else (lambda k: k))]
        if len(hits) == need:
            group = _all([rest, tantivy.Query.term_query(SCHEMA, "date", last)])
            out += self._by_id(searcher, group, size - len(out), None)
        return out

    @staticmethod
    def _by_id(searcher: tantivy.Searcher, query: tantivy.Query, limit: int,
               after_id: str | None) -> list[tuple[Any, tantivy.DocAddress]]:
        """Matches in doc_id order (a fast field, no stored document read), those after ``after_id``."""
        if limit <= 0:
            return []
        if after_id is not None:
            query = _all([query, tantivy.Query.range_query(SCHEMA, "tb", tantivy.FieldType.Unsigned,
                                                           lower_bound=tie_key(after_id))])
        n = limit if after_id is None else limit + 8
        while True:
            hits = searcher.search(query, limit=n, count=False, order_by_field="doc_id",
                                   order=tantivy.Order.Asc).hits
            rows = [(doc_id, address) for doc_id, address in hits if after_id is None or doc_id > after_id]
            if len(rows) >= limit or len(hits) < n:
                return rows[:limit]
            n *= 4

    def doc_ids(self) -> Iterator[str]:
        """Every indexed document id in order (for reconciliation with the catalog), from the fast field."""
        try:
            searcher = self._current().index.searcher()
            if not searcher.num_docs:
                return iter(())
            hits = searcher.search(tantivy.Query.all_query(), limit=searcher.num_docs, count=False,
                                   order_by_field="doc_id", order=tantivy.Order.Asc).hits
        except _TANTIVY_ERRORS as exc:
            raise self._error(exc, "đọc", "be read") from exc
        return iter([str(doc_id) for doc_id, _ in hits])

    def health(self) -> str:
        pointer = self._read_pointer()
        if pointer is None:
            raise self._missing()
        if pointer[1].get("mapping_version") != MAPPING_VERSION:
            raise self._outdated(pointer[1].get("mapping_version"))
        generation = self._current()
        try:
            searcher = generation.index.searcher()
        except _TANTIVY_ERRORS as exc:
            raise self._error(exc, "mở", "be opened") from exc
        return (f"tantivy {tantivy.__version__}, {searcher.num_docs} documents in {self.path} "
                f"({generation.name}, mapping v{MAPPING_VERSION}, {searcher.num_segments} segments)")
