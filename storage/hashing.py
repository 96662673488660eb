"""Stream, digest and argument checks shared by the backends, so both refuse the same things the same way."""

from __future__ import annotations

import string
from collections.abc import Iterator
from typing import BinaryIO

from storage.base import DeletionGrant, StorageError

_HEX = frozenset(string.hexdigits)


def normalise_sha256(value: str | None, what: str = "expected_sha256") -> str | None:
    """Lower-case hex SHA-256, or None; refuse anything else before a single byte is stored.

    Catching a malformed digest up front matters because a typo would otherwise surface as a
    DigestMismatch after a long upload, which sends the operator looking for a corrupt file.
    """
    if value is None:
        return None
    if not isinstance(value, str) or len(value) != 64 or not set(value) <= _HEX:
        raise StorageError(f"{what}={value!r} is not a SHA-256 digest; give the 64 hexadecimal characters "
                           "printed by sha256sum.")
    return value.lower()


def check_size_argument(size: int | None) -> None:
    """Refuse a negative or non-integer declared size before reading the stream."""
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise StorageError(f"size={size!r} is not a byte count; give the length of the content or leave it out.")


def size_mismatch(key: str, declared: int, actual: int) -> StorageError:
    """The error for a stream that delivered a different number of bytes than the caller declared."""
    return StorageError(
        f"The content for {key} is {actual} bytes long, not the declared size of {declared} bytes; nothing was "
        "stored. The source was probably truncated or changed: check it and send it again.")


def check_grant(grant: object) -> DeletionGrant:
    """Insist on a real ``DeletionGrant``: deleting a preserved object must never happen by accident.

    A TypeError (not a StorageError) because passing anything else is a programming mistake that no
    operator action can fix; it must fail loudly in tests rather than be shown as a storage problem.
    """
    if not isinstance(grant, DeletionGrant):
        raise TypeError(f"Deleting an object needs a storage.base.DeletionGrant from the disposal workflow, "
                        f"not {type(grant).__name__}; nothing was deleted.")
    return grant


def _source_failed(exc: OSError) -> StorageError:
    return StorageError(f"Reading the content to store failed ({exc}); nothing was stored. Check the source and send "
                        "it again.")


def read_up_to(stream: BinaryIO, limit: int, step: int) -> bytes:
    """Up to ``limit`` bytes (fewer only when the stream ends), read ``step`` bytes at a time.

    Reading in steps keeps a small object's cost proportional to its size: asking a stream for
    ``limit`` bytes at once makes many of them allocate (and zero) a buffer of that size first.
    """
    chunks: list[bytes] = []
    total = 0
    try:
        while total < limit:
            data = stream.read(min(step, limit - total))
            if not data:
                break
            chunks.append(data)
            total += len(data)
    except OSError as exc:
        raise _source_failed(exc) from exc
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def fill(stream: BinaryIO, view: memoryview) -> int:
    """Read from ``stream`` until ``view`` is full or the stream ends; return the number of bytes read.

    Uses ``readinto`` where the stream has it, so a multi-megabyte part is read straight into its
    buffer instead of being assembled from copies; streams may return short reads at any time.
    A failing source becomes a StorageError that blames the source, so it is not mistaken for a
    fault of the store's disk or server.
    """
    readinto = getattr(stream, "readinto", None)
    filled = 0
    total = len(view)
    try:
        while filled < total:
            if readinto is not None:
                got = readinto(view[filled:])
                if not got:
                    break
            else:
                data = stream.read(total - filled)
                if not data:
                    break
                got = len(data)
                view[filled:filled + got] = data
            filled += got
    except OSError as exc:
        raise _source_failed(exc) from exc
    return filled


class ChunkStream:
    """A read-only stream over an iterator of chunks (``store.get``), so one store's object can be put
    into another store without ever being written whole to a local disk."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, view: memoryview) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        count = min(len(view), len(self._pending))
        view[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            rest = bytes(self._pending) + b"".join(self._chunks)
            self._pending = memoryview(b"")
            return rest
        buffer = bytearray(size)
        got = self.readinto(memoryview(buffer))
        return bytes(buffer[:got])
