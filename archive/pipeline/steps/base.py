"""The shape of a step and the helpers several steps share."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from archive.catalog import Bitstream
from archive.catalog.codes import BatchItemState, BitstreamRole
from archive.catalog.models import Representation
from archive.pipeline.context import ItemContext
from archive.pipeline.errors import transient
from storage import KeyExists, ObjectMissing, StorageError, StoredObject


@dataclass(frozen=True)
class Step:
    """One job. It runs when the item is in ``after`` and, on success, leaves it in ``reaches``."""

    name: str
    after: BatchItemState
    reaches: BatchItemState
    run: Callable[[ItemContext], None]


def store_file(ctx: ItemContext, key: str, path: Path, content_type: str) -> StoredObject:
    """Put a derived file at a key fixed by the master's checksum, adopting an earlier run's object.

    Keys are deterministic so a retry after a crash finds what the crashed attempt stored and
    registers it instead of leaving an orphan; a put is atomic, so an existing key always holds a
    complete object.
    """
    store = ctx.archive.store
    try:
        with open(path, "rb") as fh:
            return store.put(key, fh, content_type=content_type)
    except KeyExists:
        info = store.head(key)
        if info.sha256 is not None:
            return StoredObject(key=key, size=info.size, sha256=info.sha256)
        # A crash between the object getting its name and its digest being recorded (the local
        # store's sidecar) leaves a complete object without a digest: hash what is stored.
        digest, size = hashlib.sha256(), 0
        for chunk in store.get(key):
            digest.update(chunk)
            size += len(chunk)
        return StoredObject(key=key, size=size, sha256=digest.hexdigest())
    except (StorageError, ObjectMissing) as exc:
        raise transient("store-unavailable",
                        f"Không ghi được vào kho lưu trữ ({exc}); hệ thống sẽ tự thử lại.",
                        f"Could not write to object storage ({exc}); it will be retried.") from exc


def store_files(ctx: ItemContext, files: list[tuple[str, Path, str]]) -> list[StoredObject]:
    """``store_file`` for several (key, path, content type) at once, in that order.

    Each put is durable when it returns (four fsyncs on the local store); made concurrently, their
    fsyncs share the file system's journal commits instead of waiting for one another.
    """
    with ThreadPoolExecutor(max(1, len(files)), thread_name_prefix="luutru-store") as pool:
        return list(pool.map(lambda file: store_file(ctx, *file), files))


def json_file(ctx: ItemContext, key: str, data: object) -> Path:
    """``data`` as a JSON file in the work directory, named after ``key``, ready to be stored."""
    path = ctx.workdir / Path(key).name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def register(ctx: ItemContext, representation: Representation, stored: StoredObject, role: BitstreamRole,
             mime_type: str, puid: str | None = None, name: str | None = None) -> Bitstream:
    """The catalog row of a stored object, reusing the row a previous attempt committed."""
    existing = ctx.session.query(Bitstream).filter_by(storage_key=stored.key).one_or_none()
    if existing is not None:
        return existing
    bitstream = Bitstream(storage_key=stored.key, size=stored.size, sha256=stored.sha256, role=role,
                          mime_type=mime_type, puid=puid, original_filename=name, representation=representation)
    ctx.session.add(bitstream)
    return bitstream


def stored_derivative(ctx: ItemContext, name: str) -> Bitstream | None:
    """The item's derivative of that file name (preservation.pdf, text.txt, words.json …), if stored.

    Masters are skipped: a depositor's file may well be called ``text.txt``.
    """
    document = ctx.item.document
    if document is None:
        return None
    return next((b for r in document.representations for b in r.bitstreams
                 if b.original_filename == name and b.role != BitstreamRole.MASTER), None)


def derivative_key(ctx: ItemContext, name: str) -> str:
    """Derivatives live next to their master's checksum: one set per distinct original."""
    return f"derivatives/{ctx.item.sha256}/{name}"
