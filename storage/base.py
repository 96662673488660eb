"""The object-store contract every backend honours identically.

Digests are SHA-256, computed by us while streaming; ETags are never used as checksums because
S3 multipart ETags are not content digests at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from contextlib import AbstractContextManager
from typing import BinaryIO, Iterator, Protocol, runtime_checkable

DIGEST_ALGORITHM = "SHA-256"
CHUNK_SIZE = 1024 * 1024


class StorageError(Exception):
    """Base of every storage failure; the message says what happened and what to do."""


class InvalidKey(StorageError):
    """The key cannot name an object: it is not a safe relative name, or it clashes with stored keys.

    Unsafe: traversal, absolute, NUL or control characters, too long, an empty segment, not NFC.
    A clash: the key would make one name both an object and a folder of objects (``storage.keys``).
    """


class KeyExists(StorageError):
    """Stored objects are immutable: a second put to the same key is refused."""


class ObjectMissing(StorageError):
    """No object is stored under the key."""


class StaleObject(StorageError):
    """A compare-and-swap replace was refused: the object is not (or no longer) the one the caller read.

    Nothing was written; the caller re-reads the object and decides again.
    """


class DigestMismatch(StorageError):
    """The bytes received do not have the digest the caller expected; nothing was stored."""

    def __init__(self, key: str, expected: str, actual: str) -> None:
        self.key, self.expected, self.actual = key, expected, actual
        super().__init__(
            f"The content for {key} has SHA-256 {actual}, not the expected {expected}; nothing was stored. "
            "Check the source file and send it again."
        )


@dataclass(frozen=True)
class DeletionGrant:
    """Proof, issued by the disposal workflow, that an object may be destroyed.

    Storage cannot judge a disposal decision; it only insists that one exists and names it, so that
    no ordinary code path can delete a preserved object by accident.
    """

    decision_id: str
    approved_by: str
    reason: str

    def __post_init__(self) -> None:
        if not (self.decision_id.strip() and self.approved_by.strip() and self.reason.strip()):
            raise StorageError("A deletion needs a disposal decision id, its approver and a reason.")


@dataclass(frozen=True)
class StoredObject:
    """What a put returns: the key and the size and SHA-256 of the bytes actually stored."""

    key: str
    size: int
    sha256: str
    algorithm: str = DIGEST_ALGORITHM


@dataclass(frozen=True)
class ObjectInfo:
    """Metadata of a stored object without reading its content."""

    key: str
    size: int
    sha256: str | None
    modified: datetime | None = None
    retain_until: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of re-reading an object and re-hashing it."""

    key: str
    ok: bool
    expected: str
    actual: str | None
    size: int | None
    message: str


@runtime_checkable
class ObjectStore(Protocol):
    """Write-once object storage keyed by safe relative names."""

    name: str

    def put(self, key: str, stream: BinaryIO, *, expected_sha256: str | None = None,
            size: int | None = None, content_type: str = "application/octet-stream",
            retain: bool = False) -> StoredObject: ...

    def replace(self, key: str, data: bytes, *, expected_sha256: str | None,
                content_type: str = "application/octet-stream", retain: bool = False) -> StoredObject:
        """Compare-and-swap for the few small objects that must change (an OCFL object-root inventory).

        The write happens only if the object currently stored under ``key`` has SHA-256
        ``expected_sha256`` (``None``: only if no object is stored there yet); otherwise
        ``StaleObject`` and nothing changes. The swap is atomic: a crash leaves either the previous
        bytes or the new ones, complete and readable, never a mixture or nothing. ``retain`` as for
        ``put``: on S3 the new bytes become a new version with its own retention (retention protects
        versions from deletion, not a key from a new version), so keep it off for keys replaced often.
        """
        ...

    def deferred_sync(self) -> AbstractContextManager[None]:
        """A block whose puts (by this thread) may be made durable only when it ends, all at once.

        For writers that commit to a group of objects with a later put and verify them on resume
        (an OCFL version's content, committed by its inventory). Stores whose every put is durable
        when it returns at no extra cost (S3) make it a plain block.
        """
        ...

    def get(self, key: str) -> Iterator[bytes]: ...

    def head(self, key: str) -> ObjectInfo: ...

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str = "") -> Iterator[str]: ...

    def verify(self, key: str, expected_sha256: str) -> VerifyResult: ...

    def delete(self, key: str, grant: DeletionGrant) -> None: ...

    def restore(self, key: str, stream: BinaryIO, *, expected_sha256: str, size: int | None = None,
                content_type: str = "application/octet-stream", retain: bool = False) -> StoredObject:
        """Put back a missing or damaged object from a sound copy (repair); never replaces a sound object.

        The one exception to write-once: the bytes must hash to ``expected_sha256`` (the digest the
        catalog recorded when the object was first stored) and the object now stored under the key
        must be missing or fail that digest, so nothing that is intact can ever be overwritten.
        """
        ...

    def ensure(self) -> None:
        """Prepare the store at installation (create the bucket); safe to repeat."""
        ...

    def health(self) -> str: ...
