"""Elasticsearch 9 backend: the services profile, scaling to a cluster.

Each document carries its original text and a folded copy analysed with the built-in ``standard``
analyzer, so the same queries work on a minimal distribution without the analysis-common module.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Sequence

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError
from elasticsearch.helpers import scan

from search.base import Hit, IndexedDocument, SearchError, SearchResult
from search.folding import fold

_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "doc_id": {"type": "keyword"},
        "text": {"type": "text", "analyzer": "standard"},
        "folded": {"type": "text", "analyzer": "standard"},
        "fields": {"type": "object", "enabled": False},
        "terms": {"type": "object", "dynamic": True},
    },
    # Filter terms (agency, access level, …) are added by callers; each becomes an exact keyword.
    "dynamic_templates": [{"terms_as_keywords": {"path_match": "terms.*", "mapping": {"type": "keyword"}}}],
}


class ElasticsearchIndex:
    """One index per deployment, named ``<prefix>-documents``."""

    name = "elasticsearch"

    def __init__(self, url: str, prefix: str = "luutru", client: Elasticsearch | None = None) -> None:
        self.client = client or Elasticsearch(url, request_timeout=30, retry_on_timeout=True, max_retries=3)
        self.index_name = f"{prefix}-documents"
        self.url = url

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (ApiError, TransportError) as exc:
            raise SearchError(f"Elasticsearch at {self.url} failed to {what} ({exc}); "
                              "check that the cluster is running and healthy.") from exc

    def ensure(self) -> None:
        if self._call("check the index", self.client.indices.exists, index=self.index_name):
            return
        try:
            self.client.indices.create(index=self.index_name, mappings=_MAPPINGS,
                                       settings={"number_of_replicas": 0})
        except ApiError as exc:
            if "resource_already_exists_exception" not in str(exc):
                raise SearchError(f"Elasticsearch at {self.url} refused to create index {self.index_name} ({exc}).") from exc

    def put(self, document: IndexedDocument) -> None:
        body = {"doc_id": document.doc_id, "text": document.text, "folded": fold(document.text),
                "fields": dict(document.fields), "terms": {k: list(v) for k, v in document.terms.items()}}
        self._call("index a document", self.client.index, index=self.index_name, id=document.doc_id, document=body)

    def delete(self, doc_id: str) -> None:
        try:
            self.client.delete(index=self.index_name, id=doc_id)
        except NotFoundError:
            return
        except (ApiError, TransportError) as exc:
            raise SearchError(f"Elasticsearch at {self.url} failed to delete {doc_id} ({exc}).") from exc

    def refresh(self) -> None:
        self._call("refresh the index", self.client.indices.refresh, index=self.index_name)

    def search(self, query: str, allowed: Mapping[str, Sequence[str]], *, size: int = 20,
               offset: int = 0) -> SearchResult:
        filters: list[dict[str, Any]] = []
        for name, values in allowed.items():
            if not values:
                return SearchResult(total=0, hits=[])
            filters.append({"terms": {f"terms.{name}": list(values)}})
        must: list[dict[str, Any]] = []
        if query.strip():
            must.append({"bool": {"should": [
                {"match": {"text": {"query": query, "operator": "and", "boost": 2}}},
                {"match": {"folded": {"query": fold(query), "operator": "and"}}},
            ], "minimum_should_match": 1}})
        response = self._call("search", self.client.search, index=self.index_name,
                              query={"bool": {"must": must or [{"match_all": {}}], "filter": filters}},
                              size=size, from_=offset, track_total_hits=True,
                              source_includes=["fields"], sort=["_score", {"doc_id": "asc"}])
        hits = [Hit(h["_id"], float(h["_score"] or 0.0), h["_source"].get("fields", {}))
                for h in response["hits"]["hits"]]
        return SearchResult(total=response["hits"]["total"]["value"], hits=hits)

    def health(self) -> str:
        health = self._call("report its health", self.client.cluster.health)
        return f"Elasticsearch cluster {health['cluster_name']} {health['status']}, {health['number_of_nodes']} node(s)"

    def doc_ids(self) -> Iterator[str]:
        """Every indexed document id, scrolled without sources (for reconciliation with the catalog)."""
        if not self._call("check the index", self.client.indices.exists, index=self.index_name):
            return iter(())
        hits = self._call("list documents", lambda: list(scan(self.client, index=self.index_name, _source=False,
                                                               query={"query": {"match_all": {}}})))
        return iter(hit["_id"] for hit in hits)
