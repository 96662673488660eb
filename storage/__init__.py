"""Object storage for masters, derivatives and packages: one interface, a local and an S3 backend.

Knows nothing of the catalog, ingest or search; callers hand it streams and keys.
"""

from storage.base import (
    DeletionGrant,
    DigestMismatch,
    InvalidKey,
    KeyExists,
    ObjectInfo,
    ObjectMissing,
    ObjectStore,
    StaleObject,
    StorageError,
    StoredObject,
    VerifyResult,
)

__all__ = [
    "DeletionGrant",
    "DigestMismatch",
    "InvalidKey",
    "KeyExists",
    "ObjectInfo",
    "ObjectMissing",
    "ObjectStore",
    "StaleObject",
    "StorageError",
    "StoredObject",
    "VerifyResult",
]
