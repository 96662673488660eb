"""Key validation: what a key may be, and that every refusal tells the reader what to do."""

from __future__ import annotations

import unicodedata

import pytest

from storage.base import InvalidKey
from storage.keys import is_reserved, validate_key, validate_prefix

VALID = [
    "a",
    "masters/2024/hồ-sơ-17/văn-bản.pdf",
    "Quyết định số 12 QĐ-UBND.pdf",
    "a..b/c.",
    "x" * 255,
    "ệ" * 85,  # 85 three-byte characters: exactly 255 bytes
    "/".join(["d" * 200] * 5),  # 1004 bytes
    "a/b/c/d/e/f/g/h/i/j",
]

INVALID = {
    "": "empty",
    "/etc/passwd": "absolute path",
    "../outside": "'..'",
    "a/../../b": "'..'",
    "a/./b": "'.'",
    "a//b": "empty folder name",
    "a/": "empty folder name",
    "a\\b": "backslash",
    "C:\\Windows": "backslash",
    "a\x00b": "control character (U+0000)",
    "a\nb": "control character (U+000A)",
    "a\x7fb": "control character (U+007F)",
    "a\u200bb": "invisible formatting character (U+200B)",
    "a\u202eb": "invisible formatting character (U+202E)",
    ".tmp-upload": "reserved",
    "a/.meta/x": "reserved",
    "k" * 1025: "1025 bytes",
    "ệ" * 342: "1026 bytes",
    "a/" + "s" * 256: "256 bytes",
    unicodedata.normalize("NFD", "Việt Nam.pdf"): "NFC",
}


@pytest.mark.parametrize("key", VALID)
def test_valid_keys_are_returned_unchanged(key: str) -> None:
    assert validate_key(key) == key
    assert not is_reserved(key)


@pytest.mark.parametrize(("key", "reason"), INVALID.items(), ids=[repr(k[:20]) for k in INVALID])
def test_invalid_keys_say_why(key: str, reason: str) -> None:
    with pytest.raises(InvalidKey, match=None) as caught:
        validate_key(key)
    assert reason in str(caught.value)


def test_non_nfc_key_names_the_form_to_use() -> None:
    decomposed = unicodedata.normalize("NFD", "hồ-sơ")
    with pytest.raises(InvalidKey) as caught:
        validate_key(decomposed)
    assert repr("hồ-sơ") in str(caught.value)


@pytest.mark.parametrize("not_text", [b"bytes", None, 17])
def test_keys_must_be_text(not_text: object) -> None:
    with pytest.raises(InvalidKey, match="must be text"):
        validate_key(not_text)  # type: ignore[arg-type]


@pytest.mark.parametrize("prefix", ["", "a", "a/", "masters/20", "hồ-sơ/"])
def test_valid_prefixes(prefix: str) -> None:
    assert validate_prefix(prefix) == prefix


@pytest.mark.parametrize("prefix", ["/", "../", "a//", "/a", ".meta/", "a/.tmp-"])
def test_invalid_prefixes(prefix: str) -> None:
    with pytest.raises(InvalidKey):
        validate_prefix(prefix)


def test_reserved_names() -> None:
    assert is_reserved(".meta/ab/cd.json")
    assert is_reserved("a/.tmp-123")
    assert not is_reserved("a.b/c")
