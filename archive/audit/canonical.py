"""The canonical encoding that audit entries and checkpoints are hashed and signed over.

It is RFC 8785 (JSON Canonicalization Scheme) restricted to what Python's ``json`` writes
byte-identically: objects with keys sorted, no whitespace, UTF-8 text without ``\\u`` escapes for
non-ASCII, integers, strings, booleans and null. Floats are refused (their JCS form is the one
place where encoders differ) and object keys must be ASCII (JCS sorts keys by UTF-16 code units,
Python by code points; they agree on ASCII). With those two rules, any JCS implementation
reproduces our bytes, which is what lets an auditor re-hash an export without our code.

An exported line is ``canonical({"entry": {...}, "prev": "<hex>"})``: "entry" sorts before
"prev", so every line ends with ``,"prev":"<64 hex>"}`` and a shell loop can check the chain.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64
"""The ``prev`` of the first entry."""


class NotCanonical(ValueError):
    """A value that the canonical encoding does not admit (a float, a non-ASCII key, a set …)."""


def _check(value: Any, where: str) -> None:
    if value is None or isinstance(value, (bool, str)):
        return
    if isinstance(value, int):
        if abs(value) > 2**53 - 1:
            raise NotCanonical(f"{where}: the integer {value} is beyond JSON's safe range; give it as text.")
        return
    if isinstance(value, float):
        raise NotCanonical(f"{where}: {value!r} is a float; give numbers as integers or text.")
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check(item, f"{where}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise NotCanonical(f"{where}: the key {key!r} is not ASCII text.")
            _check(item, f"{where}.{key}")
        return
    raise NotCanonical(f"{where}: a {type(value).__name__} cannot be written canonically; convert it to text.")


def canonical(value: Any) -> bytes:
    """The canonical UTF-8 bytes of ``value`` (RFC 8785 for the admitted subset)."""
    _check(value, "value")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
