"""What only the S3 backend has: server-side checksums, object lock, conditional writes, settings.

All against the real MinIO; the raw ``minio`` client looks at what actually reached the server.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from minio import Minio
from minio.error import S3Error

from storage.base import DeletionGrant, KeyExists, StorageError
from storage.s3 import S3ObjectStore
from tests.conftest import S3_ACCESS_KEY, S3_SECRET_KEY
from tests.storage.support import TEST_PART_SIZE, MiB

GRANT = DeletionGrant(decision_id="QD-2024-017", approved_by="Trưởng phòng", reason="Hết thời hạn bảo quản")
KEY = "masters/2024/hồ-sơ.pdf"
MULTIPART_SIZE = 12 * MiB + 3


@pytest.fixture()
def raw(minio_endpoint: str) -> Minio:
    return Minio(minio_endpoint, access_key=S3_ACCESS_KEY, secret_key=S3_SECRET_KEY, secure=False)


@pytest.fixture()
def make(minio_endpoint: str, s3_bucket: str) -> Any:
    def build(**options: Any) -> S3ObjectStore:
        return S3ObjectStore(minio_endpoint, s3_bucket, S3_ACCESS_KEY, S3_SECRET_KEY,
                             **{"part_size": TEST_PART_SIZE, **options})
    return build


def server_checksum(raw: Minio, bucket: str, key: str) -> tuple[str, str]:
    """The SHA-256 checksum the server stored after verifying it, and its type."""
    response = raw._execute("HEAD", bucket, key, headers={"x-amz-checksum-mode": "ENABLED"})
    return response.headers["x-amz-checksum-sha256"], response.headers["x-amz-checksum-type"]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_single_put_carries_the_whole_object_checksum(make: Any, raw: Minio, s3_bucket: str) -> None:
    data = os.urandom(1000)
    make().put(KEY, io.BytesIO(data))
    checksum, kind = server_checksum(raw, s3_bucket, KEY)
    assert (checksum, kind) == (base64.b64encode(hashlib.sha256(data).digest()).decode(), "FULL_OBJECT")


@pytest.mark.parametrize("with_digest", [True, False], ids=["expected-digest", "digest-computed"])
def test_multipart_put_is_checksummed_per_part_and_head_reports_our_digest(
        make: Any, raw: Minio, s3_bucket: str, with_digest: bool) -> None:
    data = os.urandom(MULTIPART_SIZE)
    store = make()
    store.put(KEY, io.BytesIO(data), expected_sha256=sha(data) if with_digest else None)
    parts = [data[offset:offset + TEST_PART_SIZE] for offset in range(0, len(data), TEST_PART_SIZE)]
    composite = hashlib.sha256(b"".join(hashlib.sha256(part).digest() for part in parts)).digest()
    assert server_checksum(raw, s3_bucket, KEY) == (f"{base64.b64encode(composite).decode()}-3", "COMPOSITE")
    etag = raw.stat_object(s3_bucket, KEY).etag or ""
    assert etag.endswith("-3")
    info = store.head(KEY)
    assert info.sha256 == sha(data) != etag


@pytest.mark.parametrize("length", [1000, MULTIPART_SIZE], ids=["single", "multipart"])
def test_governance_retention_is_set_at_write_time(make: Any, raw: Minio, s3_bucket: str, length: int) -> None:
    store = make(lock_mode="GOVERNANCE", lock_days=1)
    store.put(KEY, io.BytesIO(os.urandom(length)), retain=True)
    retention = raw.get_object_retention(s3_bucket, KEY)
    assert retention is not None and retention.mode == "GOVERNANCE"
    expected_until = datetime.now(timezone.utc) + timedelta(days=1)
    assert abs(retention.retain_until_date - expected_until) < timedelta(minutes=5)
    assert store.head(KEY).retain_until == retention.retain_until_date
    version = raw.stat_object(s3_bucket, KEY).version_id
    with pytest.raises(S3Error) as refused:
        raw.remove_object(s3_bucket, KEY, version_id=version)
    assert refused.value.code in ("AccessDenied", "InvalidRequest")  # MinIO: "Object is WORM protected"
    assert store.exists(KEY)
    store.delete(KEY, GRANT)
    assert not store.exists(KEY)
    assert list(raw.list_objects(s3_bucket, recursive=True, include_version=True)) == []


def test_no_retention_unless_asked_and_configured(make: Any, raw: Minio, s3_bucket: str) -> None:
    make(lock_mode="GOVERNANCE", lock_days=1).put("not-retained", io.BytesIO(b"x"))
    make().put("no-lock-configured", io.BytesIO(b"x"), retain=True)
    assert raw.get_object_retention(s3_bucket, "not-retained") is None
    assert raw.get_object_retention(s3_bucket, "no-lock-configured") is None


def test_compliance_retention_refuses_deletion_even_with_a_grant(make: Any, s3_bucket: str) -> None:
    """Leaves a one-day COMPLIANCE object behind: the bucket fixture then keeps its (tiny) bucket."""
    store = make(lock_mode="COMPLIANCE", lock_days=1)
    store.put(KEY, io.BytesIO(b"kept by law"), retain=True)
    with pytest.raises(StorageError, match="under COMPLIANCE retention until .* Nothing was deleted"):
        store.delete(KEY, GRANT)
    assert b"".join(store.get(KEY)) == b"kept by law"


class ChangingStream(io.BytesIO):
    """A seekable source that changes once read, like a file still being written.

    The store reads a large stream of unknown digest once to hash it, then rewinds it; the first
    ``seek`` is that rewind, so the change lands between the two readings.
    """

    def __init__(self, data: bytes, change: str) -> None:
        super().__init__(data)
        self.change = change
        self.changed = False

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if not self.changed:
            self.changed = True
            if self.change == "flip":
                with self.getbuffer() as view:
                    view[len(view) // 2] ^= 0xFF
            else:
                self.truncate(2 * TEST_PART_SIZE)
        return super().seek(offset, whence)


@pytest.mark.parametrize(("change", "message"), [("flip", "do not match their SHA-256"),
                                                 ("truncate", "changed while it was being uploaded")])
def test_source_changing_between_readings_stores_nothing(make: Any, raw: Minio, s3_bucket: str, change: str,
                                                         message: str) -> None:
    stream = ChangingStream(os.urandom(3 * TEST_PART_SIZE), change)
    store = make()
    with pytest.raises(StorageError, match=message):
        store.put(KEY, stream)
    assert stream.changed
    assert not store.exists(KEY)
    assert list(raw.list_objects(s3_bucket, recursive=True, include_version=True)) == []
    assert raw._list_multipart_uploads(s3_bucket).uploads == []


def test_own_retried_write_is_not_mistaken_for_a_rival(make: Any, raw: Minio, s3_bucket: str) -> None:
    """A PUT retried by the HTTP layer after a lost answer meets its own object: that is success."""
    store = make()
    store.put(KEY, io.BytesIO(b"ours"))
    token = (raw.stat_object(s3_bucket, KEY).metadata or {})["x-amz-meta-upload-token"]

    def conditional_put() -> None:
        raw._execute("PUT", s3_bucket, KEY, body=b"again", headers={"If-None-Match": "*"})

    store._conditionally(KEY, token, conditional_put)
    with pytest.raises(KeyExists):
        store._conditionally(KEY, "another writer's token", conditional_put)
    assert b"".join(store.get(KEY)) == b"ours"


@pytest.fixture()
def unlocked_bucket(raw: Minio) -> Iterator[str]:
    name = f"test-{uuid.uuid4().hex[:16]}"
    raw.make_bucket(name)
    yield name
    raw.remove_bucket(name)


def test_health(make: Any, minio_endpoint: str, s3_bucket: str, unlocked_bucket: str) -> None:
    assert make(lock_mode="GOVERNANCE", lock_days=3650).health() == (
        f"S3 bucket {s3_bucket} at http://{minio_endpoint}, GOVERNANCE retention for 3650 days")
    with pytest.raises(StorageError, match="created without Object Lock"):
        S3ObjectStore(minio_endpoint, unlocked_bucket, S3_ACCESS_KEY, S3_SECRET_KEY, lock_mode="GOVERNANCE",
                      lock_days=1).health()
    with pytest.raises(StorageError, match="does not exist"):
        S3ObjectStore(minio_endpoint, "no-such-bucket-here", S3_ACCESS_KEY, S3_SECRET_KEY).health()
    with pytest.raises(StorageError, match="access key or secret key"):
        S3ObjectStore(minio_endpoint, s3_bucket, S3_ACCESS_KEY, "wrong-secret").put("k", io.BytesIO(b"x"))


def test_unreachable_server_fails_with_advice() -> None:
    store = S3ObjectStore("127.0.0.1:1", "bucket", S3_ACCESS_KEY, S3_SECRET_KEY)
    with pytest.raises(StorageError, match="did not answer properly.*running and reachable"):
        store.health()


@pytest.mark.parametrize(("options", "message"), [
    ({"lock_mode": "STRICT"}, "unknown"),
    ({"lock_mode": "GOVERNANCE", "lock_days": 0}, "positive number of retention days"),
    ({"part_size": MiB}, "part size"),
    ({"upload_threads": 0}, "upload_threads"),
])
def test_bad_settings_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(StorageError, match=message):
        S3ObjectStore("127.0.0.1:59000", "bucket", S3_ACCESS_KEY, S3_SECRET_KEY, **options)


def test_bucket_without_object_lock_works_without_retention(minio_endpoint: str, unlocked_bucket: str) -> None:
    store = S3ObjectStore(minio_endpoint, unlocked_bucket, S3_ACCESS_KEY, S3_SECRET_KEY, part_size=TEST_PART_SIZE)
    data = os.urandom(MULTIPART_SIZE)
    store.put(KEY, io.BytesIO(data), retain=True)
    assert store.head(KEY).retain_until is None
    assert store.verify(KEY, sha(data)).ok
    store.delete(KEY, GRANT)
    assert list(store.list()) == []


def test_ensure_creates_a_locked_bucket_once(minio_endpoint: str, raw: Minio) -> None:
    name = f"test-ensure-{uuid.uuid4().hex[:12]}"
    store = S3ObjectStore(minio_endpoint, name, S3_ACCESS_KEY, S3_SECRET_KEY, lock_mode="GOVERNANCE", lock_days=1)
    with pytest.raises(StorageError, match="does not exist"):
        store.health()
    store.ensure()
    store.ensure()  # repeatable
    assert "GOVERNANCE" in store.health()
    assert raw.get_object_lock_config(name) is not None
    raw.remove_bucket(name)
