"""The OpenAPI 3.1 document of /api/v1, written by hand next to the routes it describes.

A test compares the paths here with the routes Flask has, so an endpoint cannot be added without
being documented; schemathesis checks the server against this document.
"""

from __future__ import annotations

from typing import Any

from archive.web.records_openapi import record_paths

ID_MAX = 10**15 - 1

ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _errors(*codes: int) -> dict[str, Any]:
    text = {400: "Invalid request", 401: "Not signed in or bad token", 403: "Role or agency may not do this",
            404: "No such item", 409: "Conflict with the current state", 429: "Locked out after repeated failures",
            413: "Upload too large", 422: "Refused: the values break a rule"}
    return {str(c): {"description": text[c], "content": _json(ERROR)} for c in codes}


def _ok(schema: dict[str, Any], code: int = 200, description: str = "OK") -> dict[str, Any]:
    return {str(code): {"description": description, "content": _json(schema)}}


def _paged(item: str) -> dict[str, Any]:
    return {"type": "object", "required": ["items", "page", "per_page", "total"],
            "properties": {"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
                           "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}}}


def _id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 0, "maximum": ID_MAX}}


PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
]
AUTH = [{"bearer": []}, {"session": []}]


def _op(summary: str, responses: dict[str, Any], *, params: list[dict[str, Any]] | None = None,
        body: dict[str, Any] | None = None, public: bool = False, errors: tuple[int, ...] = (401, 403)) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {**responses, **_errors(*(() if public else errors), 429)}}
    if params:
        op["parameters"] = params
    if body:
        op["requestBody"] = body
    op["security"] = [] if public else AUTH
    return op


def _json_body(schema: str, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": _json({"$ref": f"#/components/schemas/{schema}"})}


STRING_OR_NULL = {"type": ["string", "null"]}

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["status", "code", "message", "message_vi", "message_en"],
        "properties": {"status": {"type": "integer"}, "code": {"type": "string"},
                       "message": {"type": "string", "description": "in the caller's language"},
                       "message_vi": {"type": "string"}, "message_en": {"type": "string"}}}}},
    "Status": {"type": "object", "properties": {"ok": {"type": "boolean"}, "profile": {"type": "string"},
                                                "components": {"type": "array", "items": {"type": "object"}}}},
    "Account": {"type": "object", "required": ["id", "username", "role", "active"], "properties": {
        "id": {"type": "integer"}, "username": {"type": "string"}, "full_name": {"type": "string"},
        "email": STRING_OR_NULL, "role": {"type": "string", "enum": ["archivist", "official", "auditor", "admin"]},
        "agency": STRING_OR_NULL, "active": {"type": "boolean"}, "language": {"type": "string", "enum": ["vi", "en"]},
        "initial_password": {"type": "string", "description": "only when the server chose the password"}}},
    "NewUser": {"type": "object", "required": ["username", "role"], "properties": {
        "username": {"type": "string"}, "role": {"type": "string"}, "agency": {"type": "string"},
        "full_name": {"type": "string"}, "email": {"type": "string"}, "password": {"type": "string"},
        "language": {"type": "string"}}},
    "UserChange": {"type": "object", "properties": {
        "role": {"type": "string"}, "agency": {"type": "string"}, "active": {"type": "boolean"},
        "full_name": {"type": "string"}, "language": {"type": "string"}, "password": {"type": "string"}}},
    "MyChange": {"type": "object", "required": ["language"],
                 "properties": {"language": {"type": "string", "enum": ["vi", "en"]}}},
    "Agency": {"type": "object", "required": ["id", "organ_id", "name"], "properties": {
        "id": {"type": "integer"}, "organ_id": {"type": "string", "minLength": 13, "maxLength": 13},
        "name": {"type": "string"}, "abbreviation": STRING_OR_NULL, "parent": STRING_OR_NULL}},
    "NewAgency": {"type": "object", "required": ["organ_id", "name"], "properties": {
        "organ_id": {"type": "string", "description": "13 characters, e.g. 000.00.00.G09"},
        "name": {"type": "string"}, "abbreviation": {"type": "string"}, "parent": {"type": "string"}}},
    "AgencyChange": {"type": "object", "properties": {"name": {"type": "string"}, "abbreviation": {"type": "string"}}},
    "Token": {"type": "object", "required": ["id", "username", "prefix"], "properties": {
        "id": {"type": "integer"}, "username": {"type": "string"}, "name": {"type": "string"},
        "prefix": {"type": "string"}, "created_at": {"type": "string"}, "last_used_at": STRING_OR_NULL,
        "revoked": {"type": "boolean"}, "token": {"type": "string", "description": "only in the creation answer"}}},
    "NewToken": {"type": "object", "required": ["username"], "properties": {
        "username": {"type": "string"}, "name": {"type": "string"}}},
    "Batch": {"type": "object", "required": ["id", "name", "status", "total"], "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "status": {"type": "string"},
        "total": {"type": "integer"}, "done": {"type": "integer"}, "archived": {"type": "integer"},
        "duplicates": {"type": "integer"}, "failed": {"type": "integer"}, "pages_ocred": {"type": "integer"},
        "created_at": {"type": "string"}, "finished_at": STRING_OR_NULL}},
    "BatchItem": {"type": "object", "required": ["ordinal", "name", "state"], "properties": {
        "ordinal": {"type": "integer"}, "name": {"type": "string"}, "state": {"type": "string"},
        "state_vi": {"type": "string"}, "state_en": {"type": "string"}, "message_vi": STRING_OR_NULL, "message_en": STRING_OR_NULL,
        "failed_step": STRING_OR_NULL, "sha256": STRING_OR_NULL, "pages": {"type": ["integer", "null"]},
        "downloadable": {"type": "boolean"}, "flags": {"type": "array", "items": {"type": "object"}}}},
    "Retry": {"type": "object", "properties": {"item": {"type": ["integer", "null"], "minimum": 1}}},
}


def openapi_document() -> dict[str, Any]:
    batch_id, ordinal, user_id, agency_id, token_id = (_id("batch_id"), _id("ordinal"), _id("user_id"),
                                                       _id("agency_id"), _id("token_id"))
    upload = {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["files"], "properties": {
            "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                      "description": "files; a name may carry a folder path (a/b.pdf); ZIPs are expanded"},
            "catalogue": {"type": "string", "format": "binary", "description": "CSV or XLSX with TT 05 columns"},
            "name": {"type": "string"}, "fonds": {"type": "string"}}}}}}
    paths: dict[str, Any] = {
        "/api/v1/openapi.json": {"get": _op("This document", {"200": {"description": "OpenAPI 3.1"}}, public=True)},
        "/api/v1/status": {"get": _op("Health of every backend (public)", {
            **_ok({"$ref": "#/components/schemas/Status"}),
            "503": {"description": "a backend is failing", "content": _json({"$ref": "#/components/schemas/Status"})}},
            public=True)},
        "/api/v1/cataloguing": {"get": _op("Cataloguing status per agency and fonds (public)",
                                           _ok({"type": "object"}), public=True)},
        "/api/v1/me": {
            "get": _op("The signed-in account", _ok({"$ref": "#/components/schemas/Account"}), errors=(401,)),
            "patch": _op("Change one's own page language", _ok({"$ref": "#/components/schemas/Account"}),
                         body=_json_body("MyChange"), errors=(400, 401))},
        "/api/v1/dashboard": {"get": _op("Dashboard figures", _ok({"type": "object"}))},
        "/api/v1/batches": {
            "get": _op("Batches, newest first (an archivist sees their agency's)", _ok(_paged("Batch")),
                       params=PAGING, errors=(400, 401, 403)),
            "post": _op("Submit a batch: originals are stored before the answer", _ok(
                {"type": "object", "properties": {"id": {"type": "integer"}, "url": {"type": "string"}}}, 201, "Created"),
                body=upload, errors=(400, 401, 403, 404, 413))},
        "/api/v1/batches/{batch_id}": {"get": _op("One batch's progress", _ok({"$ref": "#/components/schemas/Batch"}),
                                                  params=[batch_id], errors=(401, 403, 404))},
        "/api/v1/batches/{batch_id}/items": {"get": _op(
            "The items of a batch with state and messages (vi/en)", _ok(_paged("BatchItem")),
            params=[batch_id, *PAGING], errors=(400, 401, 403, 404))},
        "/api/v1/batches/{batch_id}/retry": {"post": _op(
            "Send failed and quarantined items (or one of them) through the pipeline again",
            _ok({"type": "object", "properties": {"resumed": {"type": "integer"}}}), params=[batch_id],
            body=_json_body("Retry", required=False), errors=(400, 401, 403, 404))},
        "/api/v1/batches/{batch_id}/items/{ordinal}/original": {"get": _op(
            "Download a failed or quarantined item's original (archivists of the batch's agency)",
            {"200": {"description": "the original bytes",
                     "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
            params=[batch_id, ordinal], errors=(401, 403, 404, 409))},
        "/api/v1/users": {
            "get": _op("Users", _ok(_paged("Account")), params=PAGING, errors=(400, 401, 403)),
            "post": _op("Create a user", _ok({"$ref": "#/components/schemas/Account"}, 201, "Created"),
                        body=_json_body("NewUser"), errors=(400, 401, 403, 404, 409))},
        "/api/v1/users/{user_id}": {"patch": _op(
            "Change a user's role, agency, activity, name, language or password",
            _ok({"$ref": "#/components/schemas/Account"}), params=[user_id], body=_json_body("UserChange"),
            errors=(400, 401, 403, 404))},
        "/api/v1/agencies": {
            "get": _op("Agencies", _ok(_paged("Agency")), params=PAGING, errors=(400, 401)),
            "post": _op("Create an agency", _ok({"$ref": "#/components/schemas/Agency"}, 201, "Created"),
                        body=_json_body("NewAgency"), errors=(400, 401, 403, 404, 409))},
        "/api/v1/agencies/{agency_id}": {"patch": _op(
            "Rename an agency", _ok({"$ref": "#/components/schemas/Agency"}), params=[agency_id],
            body=_json_body("AgencyChange"), errors=(400, 401, 403, 404))},
        "/api/v1/tokens": {
            "get": _op("API tokens (prefixes only)", _ok(_paged("Token")), params=PAGING, errors=(400, 401, 403)),
            "post": _op("Create a token; the answer is the only time it is shown",
                        _ok({"$ref": "#/components/schemas/Token"}, 201, "Created"), body=_json_body("NewToken"),
                        errors=(400, 401, 403, 404))},
        "/api/v1/tokens/{token_id}": {"delete": _op("Revoke a token", _ok({"$ref": "#/components/schemas/Token"}),
                                                    params=[token_id], errors=(401, 403, 404))},
    }
    paths.update(record_paths(_op, _ok, _id))
    from archive.web.sharing_api import openapi_paths as sharing_paths

    paths.update(sharing_paths())
    return {
        "openapi": "3.1.0",
        "info": {"title": "Lưu trữ số API", "version": "1",
                 "description": "Errors are {error: {status, code, message, message_vi, message_en}}. Lists are "
                                "paginated with page and per_page. Failed authentication counts towards a lockout "
                                "of the account and the client address (HTTP 429)."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "a token from `luutru token create`"},
            "session": {"type": "apiKey", "in": "cookie", "name": "session",
                        "description": "browser session; send the CSRF token in X-CSRF-Token on changes"}}},
    }
