"""A strict OCFL 1.1 validator that reads through the ObjectStore, so it checks S3 and local alike.

Each finding names the exact stored key and the OCFL 1.1 validation code it breaks (the codes of
the spec's validation-codes table, E001…E111 for errors, W001…W016 for warnings), so an operator
can go from a report line to the spec clause and to the damaged file without interpretation.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ingest.package.ocfl import (
    INVENTORY_TYPE,
    LAYOUT_CONFIG,
    LAYOUT_EXTENSION,
    OBJECT_DECLARATION,
    ROOT_DECLARATION,
    object_path,
)
from ingest.package.streams import read_all
from storage.base import ObjectStore, StorageError

_DIGEST_FORMS = {"sha512": 128, "sha256": 64, "sha1": 40, "md5": 32, "blake2b-512": 128}
_VERSION = re.compile(r"v(\d+)")


@dataclass(frozen=True)
class Finding:
    """One rule broken: the OCFL code, the stored key it concerns, and what is wrong."""

    code: str
    key: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.code.startswith("E")

    def __str__(self) -> str:
        return f"[{self.code}] {self.key}: {self.message}"


class _Check:
    """Collects findings for one object; ``base`` is its object root key."""

    def __init__(self, store: ObjectStore, base: str) -> None:
        self.store, self.base = store, base
        self.findings: list[Finding] = []

    def add(self, code: str, relative: str, message: str) -> None:
        self.findings.append(Finding(code, f"{self.base}/{relative}" if relative else self.base, message))

    def read(self, relative: str) -> bytes:
        return read_all(self.store.get(f"{self.base}/{relative}"))


def validate_object(store: ObjectStore, base: str, *, check_digests: bool = True) -> list[Finding]:
    """Validate the OCFL object whose root is the key prefix ``base``; [] means valid."""
    check = _Check(store, base)
    names = [key[len(base) + 1:] for key in store.list(base + "/")]
    if not names:
        check.add("E003", "", "no OCFL object here (no files under this prefix)")
        return check.findings
    declarations = [name for name in names if "/" not in name and name.startswith("0=")]
    if OBJECT_DECLARATION not in declarations:
        check.add("E003", OBJECT_DECLARATION, "the object declaration file is missing")
    elif check.read(OBJECT_DECLARATION) != b"ocfl_object_1.1\n":
        check.add("E007", OBJECT_DECLARATION, "content must be 'ocfl_object_1.1' and a newline")
    for extra in declarations:
        if extra != OBJECT_DECLARATION:
            check.add("E003", extra, "more than one object declaration, or one for another specification version")
    versions_present = set()
    for name in names:
        top = name.split("/")[0]
        if "/" not in name:
            if name not in (OBJECT_DECLARATION, "inventory.json", "inventory.json.sha512") and name not in declarations:
                check.add("E001", name, "file not allowed in the object root")
        elif _VERSION.fullmatch(top):
            versions_present.add(top)
        elif top == "extensions":
            if name.count("/") == 1:
                check.add("E067", name, "the extensions directory may contain only directories")
        elif top != "logs":
            check.add("E001", top, "directory not allowed in the object root")

    root_inventory = _load_inventory(check, "", "E063")
    newest = max(versions_present, key=lambda v: int(v[1:]), default=None)
    inventory = root_inventory
    if inventory is None and newest is not None and f"{newest}/inventory.json" in names:
        inventory = _load_inventory(check, newest, "W010")
    if inventory is None:
        return check.findings
    _check_inventory(check, inventory, "inventory.json" if root_inventory else f"{newest}/inventory.json")
    declared = [v for v in inventory.get("versions", {}) if isinstance(inventory.get("versions"), dict)]
    for version in sorted(versions_present - set(declared), key=lambda v: int(v[1:])):
        check.add("E046", version, "version directory not in the inventory (left by an interrupted write, or "
                                   "added outside OCFL)")
    for version in declared:
        if version not in versions_present:
            check.add("E046", version, "the inventory describes this version but its directory is missing")
            continue
        _check_version_directory(check, names, version, inventory, root_inventory is not None and version == newest)
    _check_content(check, names, inventory, check_digests)
    return check.findings


def _load_inventory(check: _Check, folder: str, missing_code: str) -> dict[str, Any] | None:
    """Parse ``folder``/inventory.json and verify its sidecar; None if it is absent or not JSON."""
    prefix = f"{folder}/" if folder else ""
    try:
        data = check.read(prefix + "inventory.json")
    except StorageError:
        check.add(missing_code, prefix + "inventory.json", "inventory missing")
        return None
    try:
        sidecar = check.read(prefix + "inventory.json.sha512").decode("utf-8", "replace")
    except StorageError:
        check.add("E058", prefix + "inventory.json.sha512", "inventory sidecar missing")
    else:
        parts = sidecar.split()
        if len(parts) != 2 or parts[1] != "inventory.json" or not re.fullmatch(r"[0-9a-fA-F]{128}", parts[0]):
            check.add("E061", prefix + "inventory.json.sha512", "sidecar must be 'DIGEST inventory.json'")
        elif parts[0].lower() != hashlib.sha512(data).hexdigest():
            check.add("E060", prefix + "inventory.json",
                      f"SHA-512 is {hashlib.sha512(data).hexdigest()}, the sidecar records {parts[0].lower()}")
    try:
        inventory = json.loads(data)
    except ValueError as exc:
        check.add("E033", prefix + "inventory.json", f"not valid JSON ({exc})")
        return None
    if not isinstance(inventory, dict):
        check.add("E033", prefix + "inventory.json", "not a JSON object")
        return None
    return inventory


def _paths_conflict(paths: Iterable[str]) -> Iterator[str]:
    """Paths used both as a file and as a directory ('a' and 'a/b')."""
    known = set(paths)
    for path in known:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            if "/".join(parts[:depth]) in known:
                yield path


def _bad_path(path: str) -> str | None:
    if path.startswith("/") or path.endswith("/"):
        return "must not begin or end with '/'"
    if any(part in ("", ".", "..") for part in path.split("/")):
        return "contains an empty, '.' or '..' segment"
    return None


def _check_inventory(check: _Check, inv: dict[str, Any], where: str) -> None:
    for key, code in (("id", "E036"), ("type", "E036"), ("digestAlgorithm", "E036"), ("head", "E036"),
                      ("manifest", "E041"), ("versions", "E041")):
        if key not in inv:
            check.add(code, where, f"required key '{key}' missing")
    if not isinstance(inv.get("id"), str) or not inv.get("id"):
        check.add("E037", where, "'id' must be a non-empty string")
    elif ":" not in inv["id"]:
        check.add("W005", where, f"id {inv['id']!r} should be a URI")
    if inv.get("type") != INVENTORY_TYPE:
        check.add("E038", where, f"'type' must be {INVENTORY_TYPE}, not {inv.get('type')!r}")
    algorithm = inv.get("digestAlgorithm")
    if algorithm not in ("sha512", "sha256"):
        check.add("E025", where, f"digestAlgorithm must be sha512 or sha256, not {algorithm!r}")
        algorithm = "sha512"
    elif algorithm == "sha256":
        check.add("W004", where, "digestAlgorithm should be sha512")
    content_dir = inv.get("contentDirectory", "content")
    if not isinstance(content_dir, str) or "/" in content_dir:
        check.add("E017", where, "contentDirectory must be a string without '/'")
    elif content_dir in (".", ".."):
        check.add("E018", where, "contentDirectory must not be '.' or '..'")
    manifest = inv.get("manifest")
    if not isinstance(manifest, dict):
        check.add("E041", where, "'manifest' must be a JSON object")
        manifest = {}
    content_paths = []
    for digest, paths in manifest.items():
        if not re.fullmatch(rf"[0-9a-fA-F]{{{_DIGEST_FORMS[algorithm]}}}", digest):
            check.add("E025", where, f"manifest digest {digest!r} is not a {algorithm} digest")
        if not isinstance(paths, list):
            check.add("E091", where, f"manifest entry for {digest[:16]}… must be an array")
            continue
        for path in paths:
            content_paths.append(path)
            if problem := _bad_path(path):
                check.add("E099" if "segment" in problem else "E100", where, f"content path {path!r} {problem}")
            elif not re.fullmatch(rf"v\d+/{re.escape(str(content_dir))}/.+", path):
                check.add("E042", where, f"content path {path!r} is not inside a version's {content_dir}/ directory")
    lowered = [d.lower() for d in manifest]
    if len(set(lowered)) != len(lowered):
        check.add("E096", where, "a digest appears more than once in the manifest")
    for path in sorted({p for p in content_paths if content_paths.count(p) > 1}):
        check.add("E101", where, f"content path {path!r} is listed more than once")
    for path in sorted(set(_paths_conflict(content_paths))):
        check.add("E101", where, f"content path {path!r} is used as both a file and a directory")
    _check_versions(check, inv, where, manifest)
    _check_fixity(check, inv, where, set(content_paths))


def _check_versions(check: _Check, inv: dict[str, Any], where: str, manifest: dict[str, Any]) -> None:
    versions = inv.get("versions")
    if not isinstance(versions, dict):
        check.add("E044", where, "'versions' must be a JSON object")
        return
    if not versions:
        check.add("E008", where, "an object must have at least one version")
        return
    numbers = []
    for name in versions:
        match = _VERSION.fullmatch(name)
        if not match or (name.startswith("v0") and name != "v0"):
            check.add("E010" if match else "E046", where, f"version name {name!r} is not v1, v2, … (unpadded)")
        if match:
            numbers.append(int(match.group(1)))
    if sorted(numbers) != list(range(1, len(numbers) + 1)):
        check.add("E010" if 1 in numbers else "E009", where, f"versions {sorted(numbers)} are not the sequence 1…n")
    if numbers and inv.get("head") != f"v{max(numbers)}":
        check.add("E040", where, f"head is {inv.get('head')!r}, the highest version is v{max(numbers)}")
    used = set()
    for name, block in versions.items():
        if not isinstance(block, dict):
            check.add("E048", where, f"version {name} must be a JSON object")
            continue
        created = block.get("created")
        if not isinstance(created, str):
            check.add("E048", where, f"version {name} has no 'created' string")
        else:
            try:
                if datetime.fromisoformat(created.replace("Z", "+00:00")).tzinfo is None:
                    check.add("E049", where, f"version {name} created {created!r} has no time zone")
            except ValueError:
                check.add("E049", where, f"version {name} created {created!r} is not RFC 3339")
        state = block.get("state")
        if not isinstance(state, dict):
            check.add("E048", where, f"version {name} has no 'state' object")
            state = {}
        logical = []
        for digest, paths in state.items():
            used.add(digest)
            if digest not in manifest:
                check.add("E050", where, f"version {name} state digest {digest[:16]}… is not in the manifest")
            if not isinstance(paths, list):
                check.add("E050", where, f"version {name} state entry for {digest[:16]}… must be an array")
                continue
            for path in paths:
                logical.append(path)
                if problem := _bad_path(path):
                    check.add("E052" if "'/'" in problem else "E053", where,
                              f"version {name} logical path {path!r} {problem}")
        for path in sorted({p for p in logical if logical.count(p) > 1}):
            check.add("E095", where, f"version {name} logical path {path!r} is used more than once")
        for path in sorted(set(_paths_conflict(logical))):
            check.add("E095", where, f"version {name} logical path {path!r} is both a file and a directory")
        if "message" in block and not isinstance(block["message"], str):
            check.add("E094", where, f"version {name} message must be a string")
        elif "message" not in block:
            check.add("W007", where, f"version {name} should have a message")
        user = block.get("user")
        if user is None:
            check.add("W007", where, f"version {name} should have a user")
        elif not isinstance(user, dict) or not isinstance(user.get("name"), str):
            check.add("E054", where, f"version {name} user must be an object with a string 'name'")
        elif "address" not in user:
            check.add("W008", where, f"version {name} user should have an address")
    for digest in manifest:
        if digest not in used:
            check.add("E107", where, f"manifest digest {digest[:16]}… is used by no version state")


def _check_fixity(check: _Check, inv: dict[str, Any], where: str, content_paths: set[str]) -> None:
    fixity = inv.get("fixity")
    if fixity is None:
        return
    if not isinstance(fixity, dict):
        check.add("E111", where, "'fixity' must be a JSON object")
        return
    for algorithm, block in fixity.items():
        if algorithm not in _DIGEST_FORMS:
            check.add("E056", where, f"fixity algorithm {algorithm!r} is not a known digest algorithm")
            continue
        if not isinstance(block, dict):
            check.add("E057", where, f"fixity block {algorithm} must be a JSON object")
            continue
        for digest, paths in block.items():
            if not re.fullmatch(rf"[0-9a-fA-F]{{{_DIGEST_FORMS[algorithm]}}}", digest):
                check.add("E057", where, f"fixity {algorithm} digest {digest!r} has the wrong form")
            for path in paths if isinstance(paths, list) else []:
                if path not in content_paths:
                    check.add("E057", where, f"fixity {algorithm} names {path!r}, which is not in the manifest")


def _check_version_directory(check: _Check, names: list[str], version: str, root: dict[str, Any],
                             is_head: bool) -> None:
    content_dir = root.get("contentDirectory", "content")
    for name in names:
        if not name.startswith(version + "/"):
            continue
        rest = name[len(version) + 1:]
        if "/" not in rest and rest not in ("inventory.json", "inventory.json.sha512"):
            check.add("E015", name, "file not allowed in a version directory")
        elif "/" in rest and rest.split("/")[0] != content_dir:
            check.add("W002", name, f"version directories should hold only inventory files and {content_dir}/")
    if f"{version}/inventory.json" not in names:
        check.add("W010", f"{version}/inventory.json", "every version should keep a copy of its inventory")
        return
    copy = _load_inventory(check, version, "W010")
    if copy is None:
        return
    if copy.get("head") != version:
        check.add("E040", f"{version}/inventory.json", f"head is {copy.get('head')!r}, expected {version}")
    if copy.get("id") != root.get("id"):
        check.add("E037", f"{version}/inventory.json", f"id {copy.get('id')!r} differs from {root.get('id')!r}")
    if is_head and copy != root:
        check.add("E064", f"{version}/inventory.json", "the root inventory and the last version's copy differ")
    for name, block in (copy.get("versions") or {}).items():
        if isinstance(root.get("versions"), dict) and root["versions"].get(name, {}).get("state") != block.get("state"):
            check.add("E066", f"{version}/inventory.json", f"version {name} state differs from the root inventory's")


def _check_content(check: _Check, names: list[str], inv: dict[str, Any], check_digests: bool) -> None:
    manifest = inv.get("manifest") if isinstance(inv.get("manifest"), dict) else {}
    algorithm = inv.get("digestAlgorithm") if inv.get("digestAlgorithm") in ("sha512", "sha256") else "sha512"
    content_dir = inv.get("contentDirectory", "content")
    by_path = {path: digest for digest, paths in manifest.items() if isinstance(paths, list) for path in paths}
    fixity: dict[str, dict[str, str]] = {}
    for name, block in (inv.get("fixity") or {}).items():
        if name in _DIGEST_FORMS and isinstance(block, dict):
            for digest, paths in block.items():
                for path in paths if isinstance(paths, list) else []:
                    fixity.setdefault(path, {})[name] = digest.lower()
    declared = inv.get("versions") if isinstance(inv.get("versions"), dict) else {}
    present = {name for name in names if re.fullmatch(rf"v\d+/{re.escape(str(content_dir))}/.+", name)
               and name.split("/")[0] in declared}
    for name in sorted(present - set(by_path)):
        check.add("E023", name, "file in a content directory but not in the manifest")
    for path, digest in sorted(by_path.items()):
        if path not in present:
            check.add("E092", path, "listed in the manifest but not stored")
            continue
        if not check_digests:
            continue
        hashes = {algorithm: hashlib.new(algorithm), **{alg: hashlib.new(alg) for alg in fixity.get(path, {})
                                                          if alg in hashlib.algorithms_available}}
        for chunk in check.store.get(f"{check.base}/{path}"):
            for hasher in hashes.values():
                hasher.update(chunk)
        if hashes[algorithm].hexdigest() != digest.lower():
            check.add("E092", path, f"{algorithm} is {hashes[algorithm].hexdigest()[:32]}…, the manifest records "
                                    f"{digest.lower()[:32]}…")
        for alg, expected in fixity.get(path, {}).items():
            if alg in hashes and hashes[alg].hexdigest() != expected:
                check.add("E093", path, f"fixity {alg} is {hashes[alg].hexdigest()}, the inventory records {expected}")


def validate_storage_root(store: ObjectStore, root: str = "ocfl", *, check_digests: bool = True) -> list[Finding]:
    """Validate the storage root declaration, its layout, the hierarchy and every object in it."""
    root = root.strip("/")
    findings: list[Finding] = []
    keys = list(store.list(root + "/"))
    relative = [key[len(root) + 1:] for key in keys]
    if ROOT_DECLARATION not in relative:
        findings.append(Finding("E069", f"{root}/{ROOT_DECLARATION}", "storage root declaration missing"))
    elif read_all(store.get(f"{root}/{ROOT_DECLARATION}")) != b"ocfl_1.1\n":
        findings.append(Finding("E069", f"{root}/{ROOT_DECLARATION}", "content must be 'ocfl_1.1' and a newline"))
    layout_ok = False
    if "ocfl_layout.json" in relative:
        try:
            layout = json.loads(read_all(store.get(f"{root}/ocfl_layout.json")))
            layout_ok = layout.get("extension") == LAYOUT_EXTENSION and isinstance(layout.get("description"), str)
        except ValueError:
            layout = None
        if not layout_ok:
            findings.append(Finding("E070", f"{root}/ocfl_layout.json",
                                    f"must be a JSON object naming extension {LAYOUT_EXTENSION} with a description"))
    config_key = f"extensions/{LAYOUT_EXTENSION}/config.json"
    if layout_ok and (config_key not in relative or json.loads(read_all(store.get(f"{root}/{config_key}"))) !=
                      LAYOUT_CONFIG):
        findings.append(Finding("E070", f"{root}/{config_key}", f"layout configuration must be {LAYOUT_CONFIG}"))
    object_roots = sorted(name[: -len(OBJECT_DECLARATION) - 1] for name in relative
                          if name.endswith("/" + OBJECT_DECLARATION))
    for name in relative:
        if name in (ROOT_DECLARATION, "ocfl_layout.json") or name.startswith("extensions/"):
            continue
        if not any(name.startswith(obj + "/") for obj in object_roots):
            findings.append(Finding("E072", f"{root}/{name}", "file in the storage hierarchy outside any object"))
    for obj in object_roots:
        base = f"{root}/{obj}"
        object_findings = validate_object(store, base, check_digests=check_digests)
        findings.extend(object_findings)
        try:
            inventory = json.loads(read_all(store.get(f"{base}/inventory.json")))
            identifier = inventory.get("id")
        except (StorageError, ValueError, AttributeError):
            continue
        if isinstance(identifier, str) and object_path(identifier) != obj:
            findings.append(Finding("E070", base, f"object {identifier} belongs at {root}/{object_path(identifier)} "
                                                  f"under layout {LAYOUT_EXTENSION}"))
    return findings
