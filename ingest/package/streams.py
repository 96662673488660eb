"""Stream adapters: hashing while copying, and a readable stream over an object store's chunk iterator."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import BinaryIO


class HashingReader(io.RawIOBase):
    """Wrap a stream and compute SHA-256 and SHA-512 of exactly the bytes read through it.

    OCFL wants SHA-512 and TT 05 SHA-256 of the same content; hashing during the single upload
    avoids a second pass over multi-hundred-megabyte masters.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.sha256 = hashlib.sha256()
        self.sha512 = hashlib.sha512()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._stream.read(len(buffer))
        if not data:
            return 0
        buffer[:len(data)] = data
        self.sha256.update(data)
        self.sha512.update(data)
        self.size += len(data)
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()


class ChunkReader(io.RawIOBase):
    """A read-only stream over ``ObjectStore.get`` chunks, so stored objects feed zip/bag/XML readers."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()
        super().close()


def read_all(chunks: Iterator[bytes]) -> bytes:
    return b"".join(chunks)
