"""Validation of object keys, shared by every backend so that both accept exactly the same names.

A key is a relative, '/'-separated name such as ``masters/2024/hồ-sơ-17/văn-bản.pdf``. The rules
exist for three reasons:

* Safety. The local backend maps keys onto the file system, so anything that could escape the
  store's root (``..``, an absolute path, a backslash that Windows tools treat as a separator, NUL)
  is refused, for S3 too, so that objects can always move between the two backends.
* Unambiguity. Vietnamese text can be written precomposed (NFC, ``ệ`` as one code point) or
  decomposed (NFD, ``e`` + two combining marks); both look identical, so two keys could name two
  different objects while looking the same. We *refuse* non-NFC keys instead of normalising them
  silently: a silently normalised key would be listed back in a different form than the caller
  stored it under, and the caller's own records would no longer match the store's. Invisible
  formatting characters (zero-width joiners, direction overrides) are refused for the same reason.
* Room for bookkeeping. Segments that start with '.' are reserved for the store's own temporary
  and metadata files (``.tmp-…``, ``.meta``), which is what keeps them out of ``list()``.
"""

from __future__ import annotations

import unicodedata

from storage.base import InvalidKey, KeyExists, ObjectMissing

MAX_KEY_BYTES = 1024
MAX_SEGMENT_BYTES = 255
_REFUSED_CATEGORIES = {"Cc": "a control character", "Cf": "an invisible formatting character",
                       "Cs": "a lone surrogate (not valid Unicode text)"}
_EXAMPLE = "a relative name such as 'masters/2024/van-ban.pdf'"


def validate_key(key: str) -> str:
    """Return ``key`` unchanged if it is a safe object name, else raise ``InvalidKey`` saying why.

    The message names the offending part and what to do instead, because keys are often built from
    user-supplied file names and the message may reach an archivist, not a programmer.
    """
    if not isinstance(key, str):
        raise InvalidKey(f"An object key must be text, not {type(key).__name__}; give {_EXAMPLE}.")
    if not key:
        raise InvalidKey(f"The object key is empty; give {_EXAMPLE}.")
    for position, char in enumerate(key):
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES:
            raise InvalidKey(
                f"The key {key!r} contains {_REFUSED_CATEGORIES[category]} (U+{ord(char):04X}) at position "
                f"{position}; remove it and use only visible characters.")
    if "\\" in key:
        raise InvalidKey(f"The key {key!r} contains a backslash; separate folders with '/' only.")
    if key.startswith("/"):
        raise InvalidKey(f"The key {key!r} is an absolute path; drop the leading '/' and give {_EXAMPLE}.")
    normalised = unicodedata.normalize("NFC", key)
    if normalised != key:
        raise InvalidKey(
            f"The key {key!r} is not in Unicode NFC form, so it could look identical to a different key; "
            f"use the NFC form {normalised!r} (unicodedata.normalize('NFC', key)).")
    size = len(key.encode("utf-8"))
    if size > MAX_KEY_BYTES:
        raise InvalidKey(
            f"The key {key[:60]!r}… is {size} bytes long in UTF-8; the limit is {MAX_KEY_BYTES}. Use shorter folder "
            "or file names.")
    for segment in key.split("/"):
        _validate_segment(key, segment)
    return key


def validate_prefix(prefix: str) -> str:
    """Return a listing prefix unchanged if it could only match valid keys, else raise ``InvalidKey``.

    A prefix may stop in the middle of a name (``masters/20``) or right after a '/' (``masters/``);
    everything before that must already follow the key rules, so a prefix can never reach outside
    the store or into its bookkeeping files.
    """
    if not isinstance(prefix, str):
        raise InvalidKey(f"A listing prefix must be text, not {type(prefix).__name__}.")
    if prefix:
        validate_key(prefix[:-1] if prefix.endswith("/") else prefix)
    return prefix


def is_reserved(key: str) -> bool:
    """True for names the store keeps for itself (a segment starting with '.'), hidden from listings."""
    return any(segment.startswith(".") for segment in key.split("/"))


def _validate_segment(key: str, segment: str) -> None:
    if segment == "":
        raise InvalidKey(
            f"The key {key!r} has an empty folder name ('//' or a trailing '/'); remove the extra '/'.")
    if segment in (".", ".."):
        raise InvalidKey(
            f"The key {key!r} contains the segment {segment!r}, which would point outside its folder; "
            "give the full path without '.' or '..'.")
    if segment.startswith("."):
        raise InvalidKey(
            f"The segment {segment!r} of the key {key!r} starts with '.', which is reserved for the store's "
            "temporary and metadata files; rename it without the leading dot.")
    size = len(segment.encode("utf-8"))
    if size > MAX_SEGMENT_BYTES:
        raise InvalidKey(
            f"The name {segment[:40]!r}… in the key {key!r} is {size} bytes long in UTF-8; each folder or file name "
            f"may have at most {MAX_SEGMENT_BYTES} bytes. Shorten it.")


def key_exists(key: str) -> KeyExists:
    """The refusal of a second put, worded the same by every backend."""
    return KeyExists(f"An object is already stored under {key}, and stored objects are never replaced. Store the "
                     "new content under a new key (for example with a new version number).")


def object_missing(key: str) -> ObjectMissing:
    """The error for a key with no object, worded the same by every backend."""
    return ObjectMissing(f"No object is stored under {key}.")


def folder_clash(key: str, clash: str) -> InvalidKey:
    """Refuse a key that would make one name both an object and a folder.

    A file system cannot have a file ``a`` and a file ``a/b``; S3 could, but then such objects
    could never be moved to the local backend, so both backends refuse it.
    """
    if clash == key:
        return InvalidKey(f"The key {key} is already used as a folder of other objects, so it cannot also name an "
                          "object; choose another key.")
    return InvalidKey(f"The key {key} would put an object inside {clash}, which is itself an object and cannot also "
                      "be a folder; choose a key that does not extend an existing object's key.")
