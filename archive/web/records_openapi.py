"""The OpenAPI paths of the search, record and review endpoints (archive.web.records), kept beside
openapi.py so each area documents its own routes."""

from __future__ import annotations

from typing import Any

from archive.search_service import FILTERS, SORTS


def record_paths(op: Any, ok: Any, id_param: Any) -> dict[str, Any]:
    """Paths for ``openapi_document``; ``op``/``ok``/``id_param`` are its builders, so errors, security
    and ids read the same as everywhere else."""
    document_id = id_param("document_id")
    search_params = [
        {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 500},
         "description": "words, reference or phrase; diacritics optional"},
        *({"name": name, "in": "query", "schema": {"type": "array", "items": {"type": "string"}}, "style": "form",
           "explode": True, "description": f"filter on {name} (repeat for OR)"} for name in FILTERS),
        {"name": "from", "in": "query", "schema": {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}},
        {"name": "to", "in": "query", "schema": {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}},
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(SORTS)}},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
        {"name": "after", "in": "query", "schema": {"type": "string"},
         "description": "the `next` cursor of the previous page (search_after)"},
    ]
    hit = {"type": "object", "properties": {
        "id": {"type": "integer"}, "reference": {"type": ["string", "null"]}, "summary": {"type": ["string", "null"]},
        "score": {"type": "number"}, "highlights": {"type": "array", "items": {
            "type": "object", "properties": {"page": {"type": "integer"}, "text": {"type": "string"}}}}}}
    event = {"type": "object", "properties": {
        "identifier": {"type": "string"}, "type": {"type": "string"}, "label": {"type": "string"},
        "at": {"type": "string"}, "outcome": {"type": "string"}, "detail": {"type": ["string", "null"]},
        "outcome_detail": {"type": ["string", "null"]}}}
    correction = {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "properties": {
            "changes": {"type": "object", "additionalProperties": {"type": "string"},
                        "description": "TT 05 field name → new value as text ('' clears)"},
            "confirm": {"type": "array", "items": {"type": "string"},
                        "description": "fields checked and kept as they are (provenance becomes archivist)"}}}}}}
    return {
        "/api/v1/search": {"get": op(
            "Search the records the caller may read (access filtered inside the query): hits with page "
            "snippets, facets, next-page cursor",
            ok({"type": "object", "properties": {"total": {"type": "integer"}, "hits": {"type": "array", "items": hit},
                                                 "facets": {"type": "object"}, "next": {"type": ["string", "null"]}}}),
            params=search_params, errors=(400, 401, 403))},
        "/api/v1/records/{document_id}": {
            "get": op("A record's metadata, provenance, fixity and signature status; 404 also when the caller "
                      "may not read it", ok({"type": "object"}), params=[document_id], errors=(401, 403, 404)),
            "patch": op("Correct or confirm fields (archivists of the holding agency): a new package version "
                        "and a PREMIS event", ok({"type": "object"}), params=[document_id], body=correction,
                        errors=(400, 401, 403, 404, 422))},
        "/api/v1/records/{document_id}/events": {"get": op(
            "The record's PREMIS events, oldest first",
            ok({"type": "object", "properties": {"items": {"type": "array", "items": event}}}),
            params=[document_id], errors=(401, 403, 404))},
        "/api/v1/review": {"get": op(
            "The review queue of the archivist's agency: records with uncertain extracted fields",
            ok({"type": "object", "properties": {"total": {"type": "integer"},
                                                 "items": {"type": "array", "items": {"type": "object"}}}}),
            errors=(401, 403))},
    }
