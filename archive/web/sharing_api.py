"""Controlled sharing through /api/v1: the same ``SharingService`` calls as the pages, JSON in and out."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from enum import Enum
from typing import Any

from flask import Blueprint, Response, jsonify, request

from archive.accounts import Account
from archive.sharing import SharingError, SharingService
from archive.web.pages import _attachment
from archive.web.security import WebError, archive_of, client_ip, current, language, require

sharing_api = Blueprint("sharing_api", __name__, url_prefix="/api/v1/sharing")


def _service() -> SharingService:
    return SharingService(archive_of(), ip=client_ip())


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


@sharing_api.errorhandler(SharingError)
def refused(error: SharingError) -> Any:
    message = error.en if language() == "en" else error.vi
    return jsonify({"error": {"status": error.status, "code": error.code, "message": message,
                              "message_vi": error.vi, "message_en": error.en}}), error.status


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise WebError(400, "bad_body", "Nội dung yêu cầu phải là một đối tượng JSON.", "The request body must be a JSON object.")
    return body


def _field(body: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = body.get(key)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool) and kind is int):
        raise WebError(400, "bad_field", f"Trường '{key}' có kiểu không đúng.", f"Field '{key}' has the wrong type.")
    if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value < 10**15:
        raise WebError(400, "bad_field", f"Trường '{key}' ngoài khoảng cho phép.", f"Field '{key}' is out of range.")
    return value


def _account() -> Account:
    account = current()
    assert account is not None
    return account


@sharing_api.get("")
@require("sharing.view")
def overview() -> Any:
    return jsonify(_plain(asdict(_service().overview(_account()))))


@sharing_api.post("/requests")
@require("sharing.request")
def make_request() -> Any:
    body = _body()
    request_id = _service().request_access(
        _account(), document_id=_field(body, "document_id", int), dossier_id=_field(body, "dossier_id", int),
        purpose=_field(body, "purpose", str) or "", reason=_field(body, "reason", str) or "")
    return jsonify({"id": request_id}), 201


@sharing_api.post("/requests/<int:request_id>/decision")
@require("sharing.decide")
def decide(request_id: int) -> Any:
    body = _body()
    decision = _service().decide(_account(), request_id, decision=_field(body, "decision", str) or "",
                                 reason=_field(body, "reason", str) or "", days=_field(body, "days", int),
                                 allow_download=bool(_field(body, "allow_download", bool)))
    return jsonify(_plain(asdict(decision)))


@sharing_api.post("/grants/<int:grant_id>/revoke")
@require("sharing.decide")
def revoke(grant_id: int) -> Any:
    _service().revoke(_account(), grant_id, _field(_body(), "reason", str) or "")
    return jsonify({"id": grant_id, "revoked": True})


@sharing_api.get("/grants/<int:grant_id>")
@require("sharing.view")
def shared(grant_id: int) -> Any:
    return jsonify(_plain(asdict(_service().shared(_account(), grant_id))))


@sharing_api.get("/grants/<int:grant_id>/documents/<int:document_id>/download")
@require("sharing.view")
def download(grant_id: int, document_id: int) -> Response:
    name, data = _service().download(_account(), grant_id, document_id)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = _attachment(name)
    return response


def openapi_paths() -> dict[str, Any]:
    """This blueprint's part of the OpenAPI document (``archive.web.openapi`` merges it)."""
    from archive.web.openapi import _id, _json, _ok, _op

    def body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
        return {"required": bool(required), "content": _json({"type": "object", "properties": properties,
                                                              **({"required": required} if required else {})})}

    ident = {"type": "integer", "minimum": 0, "maximum": 10**15 - 1}
    grant_id, request_id, document_id = _id("grant_id"), _id("request_id"), _id("document_id")
    obj = {"type": "object"}
    return {
        "/api/v1/sharing": {"get": _op("Requests made and received, grants and statistics", _ok(obj))},
        "/api/v1/sharing/requests": {"post": _op(
            "Request a record or dossier of another agency (TT 05 purpose 01/02/03 and a reason)",
            _ok({"type": "object", "properties": {"id": {"type": "integer"}}}, 201, "Created"),
            body=body({"document_id": ident, "dossier_id": ident, "purpose": {"type": "string", "enum": ["01", "02", "03"]},
                       "reason": {"type": "string", "maxLength": 500}}, ["purpose", "reason"]),
            errors=(400, 401, 403, 404, 409))},
        "/api/v1/sharing/requests/{request_id}/decision": {"post": _op(
            "Approve (a grant and a link token shown once) or refuse (with a reason) a request",
            _ok(obj), params=[request_id],
            body=body({"decision": {"type": "string", "enum": ["approve", "refuse"]},
                       "reason": {"type": "string", "maxLength": 500},
                       "days": {"type": "integer", "minimum": 1, "maximum": 365},
                       "allow_download": {"type": "boolean"}}, ["decision"]),
            errors=(400, 401, 403, 404, 409))},
        "/api/v1/sharing/grants/{grant_id}": {"get": _op(
            "The record a grant opens (410 once expired or revoked)", {**_ok(obj), "410": {
                "description": "expired or revoked", "content": _json({"$ref": "#/components/schemas/Error"})}},
            params=[grant_id], errors=(401, 403, 404))},
        "/api/v1/sharing/grants/{grant_id}/revoke": {"post": _op(
            "Revoke a grant at once", _ok(obj), params=[grant_id],
            body=body({"reason": {"type": "string", "maxLength": 500}}, []), errors=(400, 401, 403, 404))},
        "/api/v1/sharing/grants/{grant_id}/documents/{document_id}/download": {"get": _op(
            "A copy stamped with the recipient, agency and time, BẢN SAO on page 1",
            {"200": {"description": "the stamped PDF",
                     "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
             "410": {"description": "expired or revoked", "content": _json({"$ref": "#/components/schemas/Error"})}},
            params=[grant_id, document_id], errors=(401, 403, 404))},
    }
