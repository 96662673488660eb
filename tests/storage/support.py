"""Helpers shared by the storage tests: the Backend wrapper and streams generated on the fly.

The contract tests see only ``ObjectStore``; ``Backend`` adds what the store itself must not offer:
damaging an object behind its back and listing every byte left on disk or in the bucket, which is
how "a failed put leaves nothing" is checked instead of trusted.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minio import Minio

from storage.base import ObjectStore

MiB = 1024 * 1024
# Small parts keep the multipart tests quick; 5 MiB is the S3 minimum.
TEST_PART_SIZE = 5 * MiB


@dataclass
class Backend:
    """A store under test plus raw access to its storage."""

    kind: str
    make: Callable[..., ObjectStore]
    store: ObjectStore
    root: Path | None = None
    bucket: str | None = None
    raw: Minio | None = None

    def residue(self) -> list[str]:
        """Everything physically stored: files (local) or object versions and unfinished uploads (S3)."""
        if self.root is not None:
            return sorted(str(path.relative_to(self.root)) for path in self.root.rglob("*") if path.is_file())
        assert self.raw is not None and self.bucket is not None
        versions = [f"{o.object_name}@{o.version_id}{' (delete marker)' if o.is_delete_marker else ''}"
                    for o in self.raw.list_objects(self.bucket, recursive=True, include_version=True)]
        uploads = [f"incomplete upload of {u.object_name}"
                   for u in self.raw._list_multipart_uploads(self.bucket).uploads]
        return sorted(versions + uploads)

    def objects_residue(self) -> list[str]:
        """Like ``residue`` but without the local store's metadata sidecars: the stored objects only."""
        return [entry for entry in self.residue() if not entry.startswith(".meta/")]

    def corrupt(self, key: str) -> None:
        """Flip one byte of the stored content, keeping size and the recorded digest as they were."""
        if self.root is not None:
            path = self.root / key
            os.chmod(path, 0o644)
            with open(path, "r+b") as fh:
                fh.seek(os.path.getsize(path) // 2)
                byte = fh.read(1)
                fh.seek(-1, io.SEEK_CUR)
                fh.write(bytes([byte[0] ^ 0xFF]))
            os.chmod(path, 0o444)
            return
        assert self.raw is not None and self.bucket is not None
        stat = self.raw.stat_object(self.bucket, key)
        response = self.raw.get_object(self.bucket, key)
        try:
            data = bytearray(response.read())
        finally:
            response.close()
            response.release_conn()
        data[len(data) // 2] ^= 0xFF
        # A new version with the old digest in its metadata: what silent damage would look like.
        self.raw.put_object(self.bucket, key, io.BytesIO(bytes(data)), len(data),
                            metadata={"sha256": (stat.metadata or {})["x-amz-meta-sha256"]})


class GeneratedStream(io.RawIOBase):
    """A non-seekable stream of ``size`` pseudo-random bytes made on the fly, never held in memory.

    Each 1 MiB block is a fixed random block with its index written over the first bytes, so the
    content is not periodic and a misplaced or repeated part changes the digest.
    """

    _BLOCK = MiB
    _BASE = hashlib.sha256(b"luutru").digest() * (MiB // 32)

    def __init__(self, size: int, on_read: Callable[[int], None] | None = None) -> None:
        self.size = size
        self.position = 0
        self.on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        count = min(len(view), self.size - self.position, self._BLOCK - self.position % self._BLOCK)
        if count <= 0:
            return 0
        block_index, offset = divmod(self.position, self._BLOCK)
        block = self.block(block_index)
        view[:count] = block[offset:offset + count]
        self.position += count
        if self.on_read is not None:
            self.on_read(self.position)
        return count

    @classmethod
    def block(cls, index: int) -> bytes:
        return index.to_bytes(8, "big") + cls._BASE[8:]

    @classmethod
    def sha256(cls, size: int) -> str:
        """Digest of the stream's content, computed the same way without keeping it."""
        digest = hashlib.sha256()
        full, rest = divmod(size, cls._BLOCK)
        for index in range(full):
            digest.update(cls.block(index))
        digest.update(cls.block(full)[:rest])
        return digest.hexdigest()


class FailingStream(io.RawIOBase):
    """Delivers ``good`` bytes, then fails like a broken network connection or disk."""

    def __init__(self, good: int) -> None:
        self.inner = GeneratedStream(good)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        got = self.inner.readinto(buffer)
        if not got:
            raise ConnectionResetError("the uploading client went away")
        return got


class Unseekable(io.RawIOBase):
    """Bytes behind a stream that cannot be rewound, like a pipe or an HTTP request body."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._inner.readinto(buffer)
