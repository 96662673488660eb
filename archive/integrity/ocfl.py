"""The OCFL storage root in each location: validated with the OCFL validator (inventories, sidecars, content
digests against the inventories), and a location with errors repaired key by key from a clean location."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from archive.audit import append
from archive.integrity.replication import _retained
from ingest.package.validate import validate_storage_root
from storage import ObjectStore, StorageError
from storage.hashing import ChunkStream

if TYPE_CHECKING:
    from archive.factory import Archive

ROOT = "ocfl"


def check_ocfl(archive: Archive, *, repair: bool, actor: str) -> dict[str, list[str]]:
    """Problems per location, each a sentence (empty when every OCFL root is valid). A finding that was
    repaired is still reported ("… repaired from primary"), like a repaired bitstream copy."""
    stores = {name: store for name, store in archive.locations().items()
              if next(iter(store.list(ROOT + "/")), None) is not None}
    errors = {name: [f for f in validate_storage_root(store, ROOT) if f.code.startswith("E")]
              for name, store in stores.items()}
    clean = next((name for name, found in errors.items() if not found), None)
    report: dict[str, list[str]] = {}
    for name, found in errors.items():
        if not found:
            continue
        messages = [f"{f.code} {f.key}: {f.message}" for f in found]
        if repair and clean is not None and _restore(archive, stores[clean], stores[name], {f.key for f in found},
                                                     name, actor):
            left = [f for f in validate_storage_root(stores[name], ROOT) if f.code.startswith("E")]
            messages = ([f"{m} — repaired from {clean}" for m in messages] if not left else
                        messages + [f"still damaged after repair: {f.code} {f.key}" for f in left])
        report[name] = messages
    return report


def _restore(archive: Archive, good: ObjectStore, bad: ObjectStore, keys: set[str], location: str,
             actor: str) -> bool:
    repaired = []
    for key in sorted(keys):
        try:
            if not good.exists(key):
                continue
            digest = hashlib.sha256()
            for chunk in good.get(key):
                digest.update(chunk)
            expected = digest.hexdigest()
            if bad.exists(key):
                bad.restore(key, ChunkStream(good.get(key)), expected_sha256=expected, retain=_retained(key))
            else:
                bad.put(key, ChunkStream(good.get(key)), expected_sha256=expected, retain=_retained(key))
            repaired.append(key)
        except StorageError:
            continue
    if repaired:
        with archive.work_sessions.begin() as session:
            for key in repaired:
                append(session, "fixity.repair", actor=actor, object=f"ocfl:{key}", details={"location": location})
    return bool(repaired)
