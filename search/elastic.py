"""Elasticsearch 9 backend: the services profile, scaling to a cluster.

Every text field holds words already cut, lower-cased and folded by ``search.analysis`` and is
analysed with the built-in ``whitespace`` analyzer, so the same queries work on a minimal
distribution without the analysis-common module (no asciifolding, ICU or shingle filters to
configure: the syllable pairs come from ``index_phrases``, which is core) and give the same tokens
as the embedded index.

Searches and writes go through the alias ``<prefix>-documents``; ``rebuild`` fills a new
versioned index and moves the alias in one atomic step, so searching never stops.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import orjson
from elasticsearch import ApiError, Elasticsearch, NotFoundError, OrjsonSerializer, TransportError, helpers

from search.analysis import ParsedQuery, analyse, display_page, parse_query, reference_key
from search.base import (
    BIGRAM_BOOST,
    EXACT_BOOST,
    FACET_SIZE,
    MAPPING_VERSION,
    MAX_EXPANSIONS,
    REFERENCE_BOOST,
    Hit,
    IndexedDocument,
    SearchError,
    SearchRequest,
    SearchResult,
    Visibility,
)
from search.highlight import page_highlights

_FOLDED = {"type": "text", "analyzer": "whitespace", "index_phrases": True}
"""Folded words with positions; ``index_phrases`` also indexes each pair of adjacent words as one term
(Lucene's shingles, built into Elasticsearch's core), so a phrase of n words is the phrase of its n-1
pairs, whose terms are far rarer than single syllables: far fewer documents need their positions
checked, and a two-word phrase (or a bigram bonus) is a single term lookup. Elasticsearch builds the
pairs itself, so they are neither analysed in Python, sent, nor kept in ``_source``."""
MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {"mapping_version": MAPPING_VERSION},
    # The analysed copies stay in _source: excluding them makes Elasticsearch store the whole document a
    # second time as _recovery_source, dropped only by a merge after the shard's retention lease has moved
    # past it: bulk 5–18 % slower (100k, interleaved), and a rebuild of 2k–20k records left larger, not
    # smaller; only a 100k load outlasted the lease and came out half the size. Searches read only
    # ``fields`` and ``pages`` from it.
    "properties": {
        "doc_id": {"type": "keyword"},
        "ref_key": {"type": "keyword"},
        "date": {"type": "keyword"},
        "meta_folded": _FOLDED, "body_folded": _FOLDED,
        # The distinct accented words as typed, catalog fields and pages together: only tested for presence.
        "exact": {"type": "text", "analyzer": "whitespace", "index_options": "docs", "norms": False},
        "fields": {"type": "object", "enabled": False},
        "pages": {"type": "text", "index": False},
        "terms": {"type": "object", "dynamic": True},
    },
    # Filter terms (type, agency, mode, owner …) are named by the caller; each becomes an exact keyword.
    "dynamic_templates": [{"terms_as_keywords": {"path_match": "terms.*", "mapping": {"type": "keyword"}}}],
}
_SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0}
_SORTS = {"relevance": [{"_score": "desc"}, {"doc_id": "asc"}],
          "date": [{"date": "desc"}, {"doc_id": "asc"}],
          "date_asc": [{"date": "asc"}, {"doc_id": "asc"}]}


def _source(document: IndexedDocument) -> dict[str, Any]:
    text = analyse(list(document.fields.values()), document.pages)
    return {"doc_id": document.doc_id, "ref_key": reference_key(document.reference) if document.reference else None,
            "date": document.date or "", "meta_folded": text.meta_folded, "body_folded": text.body_folded,
            "exact": " ".join(text.accented_words()),
            "fields": dict(document.fields), "pages": [display_page(p) for p in document.pages],
            "terms": {k: list(v) for k, v in document.terms.items()}}


BULK_CHUNK = 500
"""Documents per bulk request (~10 MB of JSON)."""


def _ndjson(index: str, documents: Iterable[IndexedDocument]) -> bytes:
    """The body of one bulk request, serialised once: an action line and the analysed source of each
    document (the client's per-action serialisation and its parse of the full per-item answer are skipped)."""
    lines = []
    for document in documents:
        lines.append(orjson.dumps({"index": {"_index": index, "_id": document.doc_id}}))
        lines.append(orjson.dumps(_source(document)))
    lines.append(b"")
    return b"\n".join(lines)


def _bodies(index: str, documents: Iterable[IndexedDocument]) -> Iterator[bytes]:
    iterator = iter(documents)
    while chunk := list(itertools.islice(iterator, BULK_CHUNK)):
        yield _ndjson(index, chunk)


def _either(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def text_query(parsed: ParsedQuery) -> dict[str, Any] | None:
    """The same matching and ranking as the FTS5 expression of ``search.sqlite_fts``."""
    must: list[dict[str, Any]] = []
    for term in parsed.terms:
        if term.prefix:
            must.append(_either([{"prefix": {"meta_folded": {"value": term.folded, "boost": 2}}},
                                 {"prefix": {"body_folded": {"value": term.folded}}}]))
            continue
        options: list[dict[str, Any]] = [{"term": {"meta_folded": {"value": term.folded, "boost": 2}}},
                                         {"term": {"body_folded": {"value": term.folded}}}]
        if term.fuzzy:
            options += [{"fuzzy": {field: {"value": term.folded, "fuzziness": 1, "prefix_length": 1,
                                           "transpositions": True, "max_expansions": MAX_EXPANSIONS,
                                           "boost": 0.5}}} for field in ("meta_folded", "body_folded")]
        must.append(_either(options))
    for phrase in parsed.phrases:
        if len(phrase) == 1:
            must.append(_either([{"term": {"meta_folded": {"value": phrase[0], "boost": 2}}},
                                 {"term": {"body_folded": {"value": phrase[0]}}}]))
            continue
        words = " ".join(phrase)
        must.append(_either([{"match_phrase": {"meta_folded": {"query": words, "boost": 2}}},
                             {"match_phrase": {"body_folded": {"query": words}}}]))
    if not must:
        return None
    should: list[dict[str, Any]] = [
        {"constant_score": {"filter": {"term": {"exact": t.exact}}, "boost": EXACT_BOOST}}
        for t in parsed.terms if not t.prefix and t.exact != t.folded]
    should += [{"constant_score": {"filter": _either([{"match_phrase": {"meta_folded": " ".join(pair)}},
                                                      {"match_phrase": {"body_folded": " ".join(pair)}}]),
                                   "boost": BIGRAM_BOOST}}
               for pair in parsed.bigrams]
    return {"bool": {"must": must, "should": should}}


def _any_of(name: str, values: Sequence[str]) -> dict[str, Any]:
    """One value is a plain term query, cheaper than a one-element ``terms`` set."""
    values = list(values)
    return {"term": {f"terms.{name}": values[0]}} if len(values) == 1 else {"terms": {f"terms.{name}": values}}


def _filters(request: SearchRequest, visibility: Visibility) -> list[dict[str, Any]] | None:
    filters: list[dict[str, Any]] = []
    for name, values in request.filters.items():
        if not values:
            return None
        filters.append(_any_of(name, values))
    if request.date_from or request.date_to:
        bounds = {k: v for k, v in (("gte", request.date_from), ("lte", request.date_to)) if v}
        filters.append({"range": {"date": bounds}})
    if visibility.clauses is not None:
        clauses = [{"bool": {"filter": [_any_of(n, v) for n, v in clause.items()]}}
                   for clause in visibility.clauses if all(clause.values())]
        if not clauses:
            return None
        filters.append(_either(clauses))
    return filters


class ElasticsearchIndex:
    """Reads and writes through the alias ``<prefix>-documents``."""

    name = "elasticsearch"

    def __init__(self, url: str, prefix: str = "luutru", client: Elasticsearch | None = None) -> None:
        self.client = client or Elasticsearch(url, request_timeout=30, retry_on_timeout=True, max_retries=3,
                                              serializer=OrjsonSerializer())
        self.index_name = f"{prefix}-documents"
        self.url = url

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (ApiError, TransportError) as exc:
            raise SearchError(f"Elasticsearch at {self.url} failed to {what} ({exc}); "
                              "check that the cluster is running and healthy.") from exc

    def _create(self, name: str, alias: bool, **settings: Any) -> None:
        try:
            self.client.indices.create(index=name, mappings=MAPPINGS, settings={**_SETTINGS, **settings},
                                       aliases={self.index_name: {}} if alias else None)
        except ApiError as exc:
            if "resource_already_exists_exception" not in str(exc):
                raise SearchError(f"Elasticsearch at {self.url} refused to create index {name} ({exc}).") from exc
        except TransportError as exc:
            raise SearchError(f"Elasticsearch at {self.url} cannot be reached to create {name} ({exc}).") from exc

    def ensure(self) -> None:
        """Create ``<alias>-v<version>`` with the alias on first use; creation is atomic, so racing
        workers cannot end with the alias on two indices."""
        if self._call("check the index", self.client.indices.exists, index=self.index_name):
            return
        self._create(f"{self.index_name}-v{MAPPING_VERSION}", alias=True)

    def put(self, document: IndexedDocument) -> None:
        self._call("index a document", self.client.index, index=self.index_name, id=document.doc_id,
                   document=_source(document))

    def _send(self, body: bytes) -> tuple[int, list[Any]]:
        """One bulk request of pre-serialised actions; the answer carries only ids and errors."""
        response = self._call("index documents in bulk", self.client.bulk, operations=body,
                              filter_path="errors,items.*._id,items.*.error")
        items = response.get("items", [])
        errors = [item for item in items if any("error" in action for action in item.values())]
        return len(items) - len(errors), errors

    def _bulk(self, index: str, documents: Iterable[IndexedDocument]) -> int:
        """Two requests in flight (a third waiting), so Elasticsearch indexes while the next chunk is analysed."""
        count, errors = 0, []
        in_flight: deque[Future[tuple[int, list[Any]]]] = deque()
        with ThreadPoolExecutor(2, thread_name_prefix="es-bulk") as senders:
            for body in _bodies(index, documents):
                in_flight.append(senders.submit(self._send, body))
                if len(in_flight) > 2:
                    sent, failed = in_flight.popleft().result()
                    count, errors = count + sent, errors + failed
            for future in in_flight:
                sent, failed = future.result()
                count, errors = count + sent, errors + failed
        if errors:
            raise SearchError(f"Elasticsearch refused {len(errors)} document(s), first: {errors[0]}.")
        return count

    def put_many(self, documents: Iterable[IndexedDocument]) -> int:
        return self._bulk(self.index_name, documents)

    def delete(self, doc_id: str) -> None:
        try:
            self.client.delete(index=self.index_name, id=doc_id)
        except NotFoundError:
            return
        except (ApiError, TransportError) as exc:
            raise SearchError(f"Elasticsearch at {self.url} failed to delete {doc_id} ({exc}).") from exc

    def refresh(self) -> None:
        self._call("refresh the index", self.client.indices.refresh, index=self.index_name)

    def rebuild(self, documents: Iterable[IndexedDocument]) -> int:
        """Fill a new versioned index, then move the alias to it atomically and drop the old ones."""
        new = f"{self.index_name}-v{MAPPING_VERSION}-{int(time.time() * 1000)}"
        # Nobody reads the new index until the alias moves and a failed rebuild is simply run again, so
        # it is filled without refreshes or a translog sync per bulk request, without a flush (a Lucene
        # commit and new small segments) every 512 MB of translog, and merging segments only 50 at a time
        # (the force merge below makes one of them anyway): Elasticsearch's CPU for a 100k load -6 %, its
        # final merge -20–40 %. The translog of the load (~20 KB per record) stays on disk until the merge.
        self._create(new, alias=False, refresh_interval="-1",
                     translog={"durability": "async", "flush_threshold_size": "4gb"},
                     merge={"policy": {"segments_per_tier": 50, "max_merge_at_once": 50}})
        count = self._bulk(new, documents)
        self._call("refresh the new index", self.client.indices.refresh, index=new)
        # One segment before the first search: every term, prefix and fuzzy lookup then visits one term
        # dictionary instead of one per segment the bulk load left behind (×2 faster queries at 100k).
        self._call("merge the new index", self.client.options(request_timeout=3600).indices.forcemerge, index=new,
                   max_num_segments=1)
        self._call("finish the new index", self.client.indices.put_settings, index=new, settings={"index": {
            "refresh_interval": None, "translog.durability": None, "translog.flush_threshold_size": None,
            "merge.policy.segments_per_tier": None, "merge.policy.max_merge_at_once": None}})
        old = self._indices_of_alias()
        actions: list[dict[str, Any]] = [{"add": {"index": new, "alias": self.index_name}}]
        if not old and self._call("check the index", self.client.indices.exists, index=self.index_name):
            # A concrete index under the alias's name (made before indices were versioned) goes in the same step.
            actions.append({"remove_index": {"index": self.index_name}})
        actions += [{"remove": {"index": name, "alias": self.index_name}} for name in old]
        self._call("switch the alias", self.client.indices.update_aliases, actions=actions)
        for name in old:
            self._call("delete the old index", self.client.indices.delete, index=name)
        return count

    def _indices_of_alias(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.index_name).keys())
        except NotFoundError:
            return []
        except (ApiError, TransportError) as exc:
            raise SearchError(f"Elasticsearch at {self.url} failed to read alias {self.index_name} ({exc}).") from exc

    def drop(self) -> None:
        """Delete every index behind the alias (tests and benchmarks clean up with it)."""
        for name in self._indices_of_alias():
            self._call("delete an index", self.client.indices.delete, index=name)

    def search(self, request: SearchRequest, visibility: Visibility) -> SearchResult:
        parsed = parse_query(request.text)
        filters = _filters(request, visibility)
        if filters is None:
            return SearchResult(total=0, hits=[], facets={name: [] for name in request.facets})
        should: list[dict[str, Any]] = []
        text = text_query(parsed)
        if text is not None:
            should.append(text)
        if parsed.references:
            should.append({"constant_score": {"filter": {"terms": {"ref_key": parsed.references}},
                                              "boost": REFERENCE_BOOST}})
        query: dict[str, Any] = {"bool": {"filter": filters}}
        if should:
            query["bool"].update(should=should, minimum_should_match=1)
        aggs = {name: {"terms": {"field": f"terms.{name}", "size": FACET_SIZE,
                                 "order": [{"_count": "desc"}, {"_key": "asc"}]}} for name in request.facets}
        response = self._call(
            "search", self.client.search, index=self.index_name, query=query, size=request.size,
            sort=_SORTS[request.sort], search_after=list(request.after) if request.after else None,
            track_total_hits=True, aggs=aggs or None,
            source_includes=["fields", "pages"] if request.highlights else ["fields"])
        hits = [Hit(h["_id"], float(h.get("_score") or 0.0), h["_source"].get("fields", {}),
                    page_highlights(h["_source"].get("pages", []), parsed) if request.highlights else [],
                    list(h["sort"]))
                for h in response["hits"]["hits"]]
        facets = {name: [(b["key"], b["doc_count"]) for b in response.get("aggregations", {})[name]["buckets"]]
                  for name in request.facets}
        return SearchResult(total=response["hits"]["total"]["value"], hits=hits, facets=facets)

    def doc_ids(self) -> Iterator[str]:
        """Every indexed document id, scrolled without sources (for reconciliation with the catalog)."""
        if not self._call("check the index", self.client.indices.exists, index=self.index_name):
            return iter(())
        hits = self._call("list documents", lambda: list(helpers.scan(
            self.client, index=self.index_name, _source=False, query={"query": {"match_all": {}}})))
        return iter(hit["_id"] for hit in hits)

    def health(self) -> str:
        health = self._call("report its health", self.client.cluster.health)
        detail = f"Elasticsearch cluster {health['cluster_name']} {health['status']}, {health['number_of_nodes']} node(s)"
        if self._call("check the index", self.client.indices.exists, index=self.index_name):
            mapping = self._call("read the mapping", self.client.indices.get_mapping, index=self.index_name)
            versions = {m["mappings"].get("_meta", {}).get("mapping_version") for m in mapping.values()}
            if versions != {MAPPING_VERSION}:
                raise SearchError(f"The index {self.index_name} has mapping version {versions}, this program needs "
                                  f"{MAPPING_VERSION}; run `luutru reindex`.")
            detail += f", index {sorted(mapping)[0]} (mapping v{MAPPING_VERSION})"
        return detail
