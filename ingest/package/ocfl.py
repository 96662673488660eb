"""OCFL 1.1 objects on the write-once ObjectStore: one object per AIP, one version per change.

Key layout (``root`` defaults to ``ocfl``)::

    ocfl/0=ocfl_1.1                           storage root declaration
    ocfl/ocfl_layout.json                     names the layout extension below
    ocfl/extensions/0003-hash-and-id-n-tuple-storage-layout/config.json
    ocfl/<h[0:3]>/<h[3:6]>/<h[6:9]>/<encoded id>/     object root (h = sha256 of the id)
        0=ocfl_object_1.1
        inventory.json, inventory.json.sha512  copy of the head version's inventory
        vN/inventory.json, vN/inventory.json.sha512
        vN/content/<package path>

How versions are made on storage that never overwrites:

* Everything of version N is written under new keys ``vN/…``, content first, then
  ``vN/inventory.json``, then ``vN/inventory.json.sha512``. That last put is the commit: the
  store refuses a second put to the same key, so two writers can never both commit vN. Content
  and ``inventory.json`` are written in one ``ObjectStore.deferred_sync`` block, so they are made
  durable together, once, before the commit (not file by file).
* OCFL also wants the object root's ``inventory.json`` to equal the head version's. That pair is
  the one thing that changes between versions. It is a pure copy of ``vN/inventory.json``, so it
  is republished after the commit with the store's compare-and-swap ``replace`` (an atomic
  rename locally, a PUT conditional on the ETag of the verified read on S3): a crash leaves the
  previous copy whole, and the previous version's own inventory stays untouched in ``vN-1/``. The
  root pair is stored without retention so that this stays possible under S3 object lock; every
  other key is retained.
* Readers take the head from the highest committed version directory, not from the root copy,
  so a crash at any point leaves the previous version readable; ``repair`` republishes the root
  copy, and the next write does so first.
* A crash before the commit leaves files under ``vN/`` that no inventory mentions. Rerunning the
  same write reuses them (same key, same digest); anything else is refused with
  UncommittedVersion until ``discard_uncommitted`` removes them under a real deletion grant, unless
  the caller knows the writer that left them is dead and asks to swap them (``rewrite_leftovers``).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

import orjson

from ingest.package.build import PackageEntry
from ingest.package.errors import ConcurrentUpdate, OcflError, UncommittedVersion
from ingest.package.model import check_datetime, open_source
from ingest.package.streams import ChunkReader, HashingReader, read_all
from ingest.package.xmlutil import timestamp
from storage.base import DeletionGrant, KeyExists, ObjectStore, StaleObject

INVENTORY_TYPE = "https://ocfl.io/1.1/spec/#inventory"
OBJECT_DECLARATION = "0=ocfl_object_1.1"
ROOT_DECLARATION = "0=ocfl_1.1"
LAYOUT_EXTENSION = "0003-hash-and-id-n-tuple-storage-layout"
LAYOUT_CONFIG = {"extensionName": LAYOUT_EXTENSION, "digestAlgorithm": "sha256", "tupleSize": 3, "numberOfTuples": 3}
CONTENT_DIRECTORY = "content"
_SIDECAR = re.compile(r"v(\d+)/inventory\.json\.sha512")
_PUBLISH_ATTEMPTS = 5
MAX_REWRITE = 64 * 1024 * 1024
"""Largest leftover swapped in memory by ``write_version(rewrite_leftovers=True)``; metadata is far smaller."""


def object_path(object_id: str) -> str:
    """The object root below the storage root, by OCFL extension 0003 with its default parameters.

    Chosen over a flat layout so that millions of objects do not share one folder, and over
    pure hashing (0004) so that an operator browsing the store sees which object a folder holds.
    """
    digest = hashlib.sha256(object_id.encode("utf-8")).hexdigest()
    encoded = "".join(char if re.fullmatch(r"[A-Za-z0-9_-]", char) else
                      "".join(f"%{byte:02x}" for byte in char.encode("utf-8")) for char in object_id)
    if len(encoded) > 100:
        encoded = f"{encoded[:100]}-{digest}"
    return f"{digest[0:3]}/{digest[3:6]}/{digest[6:9]}/{encoded}"


def inventory_bytes(inventory: dict[str, Any]) -> bytes:
    """Indented UTF-8 JSON; orjson writes the same bytes as ``json.dumps(indent=2, ensure_ascii=False)`` for
    an inventory (strings and integers only) at a twentieth of the cost of the stdlib's indenting encoder."""
    return orjson.dumps(inventory, option=orjson.OPT_INDENT_2) + b"\n"


def sidecar_bytes(inventory: bytes) -> bytes:
    """``DIGEST  inventory.json``: the sha512sum format, so ``sha512sum -c`` checks it too."""
    return f"{hashlib.sha512(inventory).hexdigest()}  inventory.json\n".encode("ascii")


@dataclass(frozen=True)
class VersionWritten:
    """What one write produced: the version name, the keys written and the bytes they added."""

    object_id: str
    version: str
    keys_written: tuple[str, ...]
    bytes_written: int
    inventory: dict[str, Any]


@dataclass(frozen=True)
class StoredFile:
    """A logical file of an object version and where its bytes are stored."""

    logical_path: str
    key: str
    sha512: str
    sha256: str | None


class OcflStorage:
    """An OCFL storage root inside an ObjectStore."""

    def __init__(self, store: ObjectStore, root: str = "ocfl") -> None:
        self.store = store
        self.root = root.strip("/")

    # -- layout ----------------------------------------------------------------------------------

    def key(self, *parts: str) -> str:
        return "/".join((self.root, *parts))

    def object_root(self, object_id: str) -> str:
        return self.key(object_path(object_id))

    @staticmethod
    def root_files() -> dict[str, bytes]:
        """The storage root's own files (declaration, layout), relative to the root."""
        return {
            ROOT_DECLARATION: b"ocfl_1.1\n",
            "ocfl_layout.json": _json({"extension": LAYOUT_EXTENSION,
                                       "description": "OCFL object identifiers hashed with SHA-256 into three "
                                                      "3-character tuples, then the percent-encoded identifier"}),
            f"extensions/{LAYOUT_EXTENSION}/config.json": _json(LAYOUT_CONFIG),
        }

    def initialise(self) -> None:
        """Create the storage root declaration and layout files once; later calls only check them."""
        for name, data in self.root_files().items():
            self._put_once(self.key(name), data, retain=True)

    def object_ids(self) -> Iterator[str]:
        """Every object with a committed version, found from the storage alone (for rebuilds)."""
        for inventory in self.heads():
            yield inventory["id"]

    def heads(self) -> Iterator[dict[str, Any]]:
        """The head inventory of every object with a committed version (sidecars checked)."""
        suffix = "/" + OBJECT_DECLARATION
        for key in self.store.list(self.root + "/"):
            if key.endswith(suffix):
                inventory = self._committed_head(key[: -len(suffix)])
                if inventory is not None:
                    yield inventory

    # -- reading ---------------------------------------------------------------------------------

    def inventory(self, object_id: str) -> dict[str, Any]:
        """The head inventory, taken from the highest committed version directory."""
        inventory = self._committed_head(self.object_root(object_id))
        if inventory is None:
            raise OcflError(f"{object_id} has no committed version in {self.root}/{object_path(object_id)}")
        return inventory

    def head_or_none(self, object_id: str) -> dict[str, Any] | None:
        """The head inventory, or None when the object has no committed version yet."""
        return self._committed_head(self.object_root(object_id))

    def files(self, object_id: str, version: str | None = None,
              inventory: dict[str, Any] | None = None) -> dict[str, StoredFile]:
        """Logical path → stored file, for the head or a given version (``v1``, ``v2`` …).

        ``inventory``: the head inventory when the caller has just read it (saves reading it again).
        """
        inventory = inventory or self.inventory(object_id)
        version = version or inventory["head"]
        if version not in inventory["versions"]:
            raise OcflError(f"{object_id} has no version {version}; it has {', '.join(inventory['versions'])}")
        sha256_of = {path: digest for digest, paths in inventory.get("fixity", {}).get("sha256", {}).items()
                     for path in paths}
        base = self.object_root(object_id)
        result = {}
        for digest, logical_paths in inventory["versions"][version]["state"].items():
            content = inventory["manifest"][digest][0]
            for logical in logical_paths:
                result[logical] = StoredFile(logical, f"{base}/{content}", digest, sha256_of.get(content))
        return result

    def openers(self, object_id: str, version: str | None = None) -> dict[str, Callable[[], BinaryIO]]:
        """Logical path → function opening a stream over the stored bytes (input of ``read_package``)."""
        def opener(key: str) -> Callable[[], BinaryIO]:
            return lambda: io.BufferedReader(ChunkReader(self.store.get(key)), 1024 * 1024)  # type: ignore[arg-type]
        return {path: opener(item.key) for path, item in self.files(object_id, version).items()}

    def _committed_head(self, base: str) -> dict[str, Any] | None:
        """The newest committed version's inventory (a version is committed by its inventory sidecar).

        Versions are numbered without gaps, so the head is found by asking for v1, v2, … in turn: a
        listing walked every file of every version (on the local store, ~100 directory reads per
        seal). Only when v1 is not there is the object listed, so a damaged object whose first
        version is missing still shows its newest version instead of looking new.
        """
        number = 0
        while self.store.exists(f"{base}/v{number + 1}/inventory.json.sha512"):
            number += 1
        if number == 0:
            number = max((int(match.group(1)) for key in self.store.list(base + "/v")
                          if (match := _SIDECAR.fullmatch(key[len(base) + 1:]))), default=0)
        if number == 0:
            return None
        name = f"v{number}"
        data = read_all(self.store.get(f"{base}/{name}/inventory.json"))
        sidecar = read_all(self.store.get(f"{base}/{name}/inventory.json.sha512")).decode("ascii", "replace")
        if sidecar.split()[:1] != [hashlib.sha512(data).hexdigest()]:
            raise OcflError(f"{base}/{name}/inventory.json does not match its sidecar: the head inventory is damaged; "
                            "restore it from a replica and run the validator")
        return json.loads(data)

    # -- writing ---------------------------------------------------------------------------------

    def write_version(self, object_id: str, entries: Sequence[PackageEntry], *, created: datetime, message: str,
                      user_name: str, user_address: str | None = None,
                      rewrite_leftovers: bool = False) -> VersionWritten:
        """Store ``entries`` (a whole package) as the next version of ``object_id``.

        Unchanged files are not stored again: the new version's state points at the content an
        earlier version already holds (matched by the SHA-256 kept in the fixity block).

        ``rewrite_leftovers``: files a dead writer left under this uncommitted version that differ
        from this package (metadata written with a catalog state that has changed since) are
        swapped for ours with ``replace`` instead of refusing the write. Only a caller that holds
        the record's lock (so any other writer of this version is dead, not slow) may ask for it.
        """
        check_datetime(created, "created")
        self.initialise()
        base = self.object_root(object_id)
        previous = self._committed_head(base)
        if previous is not None:
            if previous["id"] != object_id:
                raise OcflError(f"{base} holds object {previous['id']}, not {object_id} (identifier hash clash)")
            self.repair(object_id)
        number = 1 if previous is None else int(previous["head"][1:]) + 1
        version = f"v{number}"
        manifest: dict[str, list[str]] = {k: list(v) for k, v in (previous or {}).get("manifest", {}).items()}
        fixity: dict[str, list[str]] = {k: list(v) for k, v in
                                        (previous or {}).get("fixity", {}).get("sha256", {}).items()}
        sha512_of_content = {path: digest for digest, paths in manifest.items() for path in paths}
        state: dict[str, list[str]] = {}
        written: list[str] = []
        added = 0
        leftovers = set(self.store.list(f"{base}/{version}/"))
        new_content: dict[str, PackageEntry] = {}
        planned = set(fixity)
        for entry in entries:
            if entry.sha256 not in planned:
                planned.add(entry.sha256)
                new_content[f"{version}/{CONTENT_DIRECTORY}/{entry.path}"] = entry
        adopted, rewrite = self._adopt_leftovers(object_id, version, base, leftovers, new_content, rewrite_leftovers)
        # The declaration (of a new object), content and inventory.json are made durable all at once when
        # the block ends, before the sidecar commits to them: a resumed write hashes every file an
        # interrupted one left (``_adopt_leftovers``) and re-makes a damaged declaration (``_declare``).
        with self.store.deferred_sync():
            if previous is None:
                added += self._declare(base)
            for content_path, entry in new_content.items():
                key = f"{base}/{content_path}"
                if content_path in adopted:
                    digest = adopted[content_path]
                elif content_path in rewrite:
                    with open_source(entry.source) as source:
                        payload = source.read()
                    if hashlib.sha256(payload).hexdigest() != entry.sha256:
                        raise OcflError(f"{key}: the package's source changed while it was written; write it again")
                    self.store.replace(key, payload, expected_sha256=rewrite[content_path], retain=True)
                    digest = hashlib.sha512(payload).hexdigest()
                    added += len(payload)
                else:
                    with open_source(entry.source) as source:
                        reader = HashingReader(source)
                        self.store.put(key, reader, expected_sha256=entry.sha256,  # type: ignore[arg-type]
                                       size=entry.size, retain=True)
                    digest = reader.sha512.hexdigest()
                    added += reader.size
                written.append(key)
                manifest[digest] = [content_path]
                fixity[entry.sha256] = [content_path]
                sha512_of_content[content_path] = digest
            for entry in entries:
                state.setdefault(sha512_of_content[fixity[entry.sha256][0]], []).append(entry.path)
            inventory = {
                "id": object_id, "type": INVENTORY_TYPE, "digestAlgorithm": "sha512", "head": version,
                "contentDirectory": CONTENT_DIRECTORY, "manifest": manifest,
                "versions": {**(previous or {}).get("versions", {}), version: {
                    "created": timestamp(created), "message": message, "state": state,
                    "user": {"name": user_name, **({"address": user_address} if user_address else {})}}},
                "fixity": {"sha256": fixity},
            }
            data = inventory_bytes(inventory)
            key = f"{base}/{version}/inventory.json"
            if rewrite_leftovers and key in leftovers:
                self._swap(key, data, retain=True)   # a dead writer's inventory, never committed
            else:
                added += self._put_once(key, data, retain=True,
                                        conflict=self._conflict(object_id, version, key, leftovers))
            written.append(key)
        sidecar = sidecar_bytes(data)
        key = f"{base}/{version}/inventory.json.sha512"   # the commit
        added += self._put_once(key, sidecar, retain=True, conflict=self._conflict(object_id, version, key, leftovers))
        written.append(key)
        with self.store.deferred_sync():   # a copy of the committed inventory; ``repair`` re-makes it
            self._publish_root(base, version, data, sidecar)
        return VersionWritten(object_id, version, tuple(written), added + len(data) + len(sidecar), inventory)

    def _declare(self, base: str) -> int:
        """Write a new object's declaration; one a power cut left damaged before any version was committed
        (nothing relies on it yet) is replaced."""
        key, declaration = f"{base}/{OBJECT_DECLARATION}", b"ocfl_object_1.1\n"
        try:
            return self._put_once(key, declaration, retain=True)
        except OcflError:
            current = read_all(self.store.get(key))
            self.store.replace(key, declaration, expected_sha256=hashlib.sha256(current).hexdigest(), retain=True)
            return len(declaration)

    @staticmethod
    def _conflict(object_id: str, version: str, key: str, leftovers: set[str]) -> Exception:
        """Why an inventory key of the version being written is already taken."""
        if key in leftovers:
            return UncommittedVersion(object_id, version, [key])
        return ConcurrentUpdate(f"{object_id}: {key} was written by another writer meanwhile; reload the object and "
                                "try again")

    def _adopt_leftovers(self, object_id: str, version: str, base: str, leftovers: set[str],
                         new_content: dict[str, PackageEntry], rewrite_leftovers: bool
                         ) -> tuple[dict[str, str], dict[str, str]]:
        """Check what an interrupted write left under ``version`` before anything new is written.

        Files identical to what this write would store are adopted (content path → sha512). With
        ``rewrite_leftovers``, differing files this write also stores (up to MAX_REWRITE bytes) are
        marked for a swap (content path → their current sha256). Any other leftover makes the whole
        write refuse, naming every such key, with nothing written.
        """
        adopted: dict[str, str] = {}
        rewrite: dict[str, str] = {}
        conflicts = []
        inventory_keys = {f"{base}/{version}/inventory.json", f"{base}/{version}/inventory.json.sha512"}
        for key in sorted(leftovers - inventory_keys):
            entry = new_content.get(key[len(base) + 1:])
            sha256, sha512 = hashlib.sha256(), hashlib.sha512()
            if entry is not None:
                for chunk in self.store.get(key):
                    sha256.update(chunk)
                    sha512.update(chunk)
            if entry is not None and sha256.hexdigest() == entry.sha256:
                adopted[key[len(base) + 1:]] = sha512.hexdigest()
            elif entry is not None and rewrite_leftovers and entry.size <= MAX_REWRITE:
                rewrite[key[len(base) + 1:]] = sha256.hexdigest()
            else:
                conflicts.append(key)
        if conflicts:
            raise UncommittedVersion(object_id, version, conflicts)
        return adopted, rewrite

    def _put_once(self, key: str, data: bytes, *, retain: bool, conflict: Exception | None = None) -> int:
        """Put small bytes; an identical object already there is success (idempotent reruns)."""
        try:
            self.store.put(key, io.BytesIO(data), expected_sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                           retain=retain)
            return len(data)
        except KeyExists:
            if read_all(self.store.get(key)) != data:
                raise conflict or OcflError(f"{key} already exists with different content") from None
            return 0

    def _publish_root(self, base: str, version: str, data: bytes, sidecar: bytes) -> None:
        """Make the object-root inventory pair a copy of the committed ``version``'s (see module docstring).

        Each file is swapped with a compare-and-swap from the bytes just read, so a concurrent
        publisher makes ours fail instead of being overwritten blindly. Publishing an older version
        over a newer one is then undone at once: whoever finds a later committed head publishes it.
        """
        for _ in range(_PUBLISH_ATTEMPTS):
            head = self._committed_head(base)
            if head is not None and head["head"] != version:
                version = head["head"]
                data = read_all(self.store.get(f"{base}/{version}/inventory.json"))
                sidecar = read_all(self.store.get(f"{base}/{version}/inventory.json.sha512"))
            try:
                for name, payload in (("inventory.json", data), ("inventory.json.sha512", sidecar)):
                    self._swap(f"{base}/{name}", payload)
            except (StaleObject, KeyExists):
                continue   # another publisher was faster: look again at what is committed
            latest = self._committed_head(base)
            if latest is None or latest["head"] == version:
                return
        raise ConcurrentUpdate(f"{base}: the object-root inventory kept changing under concurrent writers; run "
                               "repair once they have finished")

    def _swap(self, key: str, payload: bytes, retain: bool = False) -> None:
        current = read_all(self.store.get(key)) if self.store.exists(key) else None
        if current != payload:
            self.store.replace(key, payload, content_type="application/json" if key.endswith(".json") else
                               "text/plain", expected_sha256=None if current is None else
                               hashlib.sha256(current).hexdigest(), retain=retain)

    def repair(self, object_id: str) -> bool:
        """Republish the object-root inventory from the head version if a crash left it stale; True if it did."""
        base = self.object_root(object_id)
        inventory = self._committed_head(base)
        if inventory is None:
            return False
        version = inventory["head"]
        data = read_all(self.store.get(f"{base}/{version}/inventory.json"))
        sidecar = read_all(self.store.get(f"{base}/{version}/inventory.json.sha512"))
        inventory_key = f"{base}/inventory.json"
        if (self.store.exists(inventory_key) and read_all(self.store.get(inventory_key)) == data
                and self.store.exists(inventory_key + ".sha512")
                and read_all(self.store.get(inventory_key + ".sha512")) == sidecar):
            return False
        self._publish_root(base, version, data, sidecar)
        return True

    def uncommitted(self, object_id: str) -> list[str]:
        """Keys left under the next version's directory by an interrupted write."""
        base = self.object_root(object_id)
        inventory = self._committed_head(base)
        number = 1 if inventory is None else int(inventory["head"][1:]) + 1
        return list(self.store.list(f"{base}/v{number}/"))

    def discard_uncommitted(self, object_id: str, grant: DeletionGrant) -> list[str]:
        """Delete what an interrupted write left, under a disposal grant; committed versions are untouched."""
        keys = self.uncommitted(object_id)
        for key in keys:
            self.store.delete(key, grant)
        return keys


def _json(value: dict[str, Any]) -> bytes:
    return (json.dumps(value, indent=2) + "\n").encode("utf-8")
