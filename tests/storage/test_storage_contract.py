"""The ObjectStore contract, run unchanged against the local backend and the real MinIO.

Every test here must pass for both backends: callers are promised identical behaviour, so that the
embedded profile and the services profile can replace each other and objects can move between them.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
import tracemalloc
from typing import Any

import pytest

from storage.base import (
    CHUNK_SIZE,
    DeletionGrant,
    DigestMismatch,
    InvalidKey,
    KeyExists,
    ObjectMissing,
    ObjectStore,
    StorageError,
)
from tests.storage.support import TEST_PART_SIZE, Backend, FailingStream, GeneratedStream, MiB, Unseekable

GRANT = DeletionGrant(decision_id="QD-2024-017", approved_by="Trưởng phòng lưu trữ", reason="Hết thời hạn bảo quản")
KEY = "masters/2024/hồ-sơ-17/văn-bản.pdf"
# Larger than two test parts (5 MiB), with a ragged last part: three parts on S3.
MULTIPART_SIZE = 12 * MiB + 3
LARGE_SIZE = 200 * 1000 * 1000
MEMORY_LIMIT = 64 * MiB


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content(store: ObjectStore, key: str) -> bytes:
    return b"".join(store.get(key))


def test_backend_honours_the_protocol(backend: Backend) -> None:
    assert isinstance(backend.store, ObjectStore)
    assert backend.store.health()


@pytest.mark.parametrize("data", [b"", b"Quyet dinh so 12/QD-UBND\n", os.urandom(CHUNK_SIZE + 7)],
                         ids=["empty", "small", "over-one-chunk"])
def test_round_trip(backend: Backend, data: bytes) -> None:
    store = backend.store
    stored = store.put(KEY, io.BytesIO(data), expected_sha256=sha(data), size=len(data), content_type="application/pdf")
    assert (stored.key, stored.size, stored.sha256, stored.algorithm) == (KEY, len(data), sha(data), "SHA-256")
    assert store.exists(KEY)
    info = store.head(KEY)
    assert (info.key, info.size, info.sha256) == (KEY, len(data), sha(data))
    assert info.extra == {"content_type": "application/pdf"}
    assert info.modified is not None
    chunks = list(store.get(KEY))
    assert all(len(chunk) <= CHUNK_SIZE for chunk in chunks)
    assert b"".join(chunks) == data
    result = store.verify(KEY, sha(data))
    assert result.ok and result.actual == sha(data) and result.size == len(data)
    assert list(store.list()) == [KEY]


def test_puts_in_a_deferred_sync_block_behave_as_puts(backend: Backend) -> None:
    store, other = backend.store, "ocfl/abc/v1/content/METS.xml"
    with store.deferred_sync():
        stored = store.put(KEY, io.BytesIO(b"one"), expected_sha256=sha(b"one"), size=3)
        with pytest.raises(KeyExists):
            store.put(KEY, io.BytesIO(b"two"))
        with store.deferred_sync():   # nested blocks are one block
            store.put(other, io.BytesIO(b"two"))
        assert content(store, KEY) == b"one" and store.head(other).sha256 == sha(b"two")
    assert (stored.size, stored.sha256) == (3, sha(b"one"))
    assert sorted(store.list()) == sorted([KEY, other])
    assert store.verify(other, sha(b"two")).ok


@pytest.mark.parametrize("source", ["expected-digest", "seekable", "non-seekable"])
def test_multipart_round_trip(backend: Backend, source: str) -> None:
    """All three ways a large put learns its digest before the upload (see storage.s3) store the same thing."""
    data = os.urandom(MULTIPART_SIZE)
    if source == "expected-digest":
        stored = backend.store.put(KEY, io.BytesIO(data), expected_sha256=sha(data))
    elif source == "seekable":
        stream = io.BytesIO(b"header to skip" + data)
        stream.seek(len(b"header to skip"))
        stored = backend.store.put(KEY, stream)
    else:
        stored = backend.store.put(KEY, Unseekable(data))
    assert (stored.size, stored.sha256) == (len(data), sha(data))
    assert backend.store.head(KEY).sha256 == sha(data)
    assert content(backend.store, KEY) == data
    assert backend.store.verify(KEY, sha(data)).ok


@pytest.mark.slow
@pytest.mark.parametrize("with_digest", [True, False], ids=["expected-digest", "digest-computed"])
def test_large_object_streams_in_bounded_memory(backend: Backend, with_digest: bool) -> None:
    """200 MB made on the fly goes in and out while Python never holds more than a few parts."""
    store = backend.make(part_size=16 * MiB)
    digest = GeneratedStream.sha256(LARGE_SIZE)
    tracemalloc.start()
    try:
        stored = store.put(KEY, GeneratedStream(LARGE_SIZE), expected_sha256=digest if with_digest else None,
                           size=LARGE_SIZE)
        _, put_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        received = hashlib.sha256()
        length = 0
        for chunk in store.get(KEY):
            received.update(chunk)
            length += len(chunk)
        _, get_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = store.verify(KEY, digest)
        _, verify_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (stored.size, stored.sha256) == (LARGE_SIZE, digest)
    assert (length, received.hexdigest()) == (LARGE_SIZE, digest)
    assert result.ok, result.message
    assert store.head(KEY).sha256 == digest
    assert max(put_peak, get_peak, verify_peak) < MEMORY_LIMIT, (put_peak, get_peak, verify_peak)


@pytest.mark.parametrize("length", [100, MULTIPART_SIZE], ids=["single", "multipart"])
def test_digest_mismatch_leaves_nothing(backend: Backend, length: int) -> None:
    data = os.urandom(length)
    wrong = sha(data + b"!")
    with pytest.raises(DigestMismatch) as caught:
        backend.store.put(KEY, io.BytesIO(data), expected_sha256=wrong)
    assert (caught.value.expected, caught.value.actual) == (wrong, sha(data))
    assert "nothing was stored" in str(caught.value)
    assert not backend.store.exists(KEY)
    assert list(backend.store.list()) == []
    assert backend.residue() == []


@pytest.mark.parametrize("length", [100, MULTIPART_SIZE], ids=["single", "multipart"])
@pytest.mark.parametrize("declared", [-1, +1], ids=["shorter", "longer"])
def test_size_mismatch_leaves_nothing(backend: Backend, length: int, declared: int) -> None:
    data = os.urandom(length)
    with pytest.raises(StorageError, match=f"is {length} bytes long, not the declared size of {length + declared}"):
        backend.store.put(KEY, io.BytesIO(data), size=length + declared)
    assert not backend.store.exists(KEY)
    assert backend.residue() == []


@pytest.mark.parametrize("length", [100, MULTIPART_SIZE], ids=["single", "multipart"])
def test_failing_source_leaves_nothing(backend: Backend, length: int) -> None:
    with pytest.raises(StorageError, match="Reading the content to store failed"):
        backend.store.put(KEY, FailingStream(length))
    assert not backend.store.exists(KEY)
    assert backend.residue() == []


def test_malformed_expected_digest_is_refused_before_reading(backend: Backend) -> None:
    stream = io.BytesIO(b"data")
    with pytest.raises(StorageError, match="not a SHA-256 digest"):
        backend.store.put(KEY, stream, expected_sha256="md5:abc")
    assert stream.tell() == 0
    assert backend.residue() == []


@pytest.mark.parametrize("length", [100, MULTIPART_SIZE], ids=["single", "multipart"])
def test_no_overwrite(backend: Backend, length: int) -> None:
    original = os.urandom(length)
    backend.store.put(KEY, io.BytesIO(original))
    stream = io.BytesIO(b"replacement")
    with pytest.raises(KeyExists, match="never replaced"):
        backend.store.put(KEY, stream)
    assert stream.tell() == 0, "an existing key must be refused before the stream is read"
    assert content(backend.store, KEY) == original
    assert backend.store.head(KEY).sha256 == sha(original)
    assert len(backend.objects_residue()) == 1


@pytest.mark.parametrize("length", [100, MULTIPART_SIZE], ids=["single", "multipart"])
def test_writer_that_loses_a_race_does_not_overwrite(backend: Backend, length: int) -> None:
    """Another writer takes the key while our upload is in flight: the final step must refuse it."""
    winner = b"the first writer's content"
    other_store = backend.make()
    seen_mid_upload: dict[str, Any] = {}

    def race(position: int) -> None:
        if not seen_mid_upload:
            seen_mid_upload["listed"] = list(backend.store.list())
            seen_mid_upload["exists"] = backend.store.exists(KEY)
            other_store.put(KEY, io.BytesIO(winner))

    with pytest.raises(KeyExists):
        backend.store.put(KEY, GeneratedStream(length, on_read=race), expected_sha256=GeneratedStream.sha256(length))
    assert seen_mid_upload == {"listed": [], "exists": False}, "an upload in progress must not be visible"
    assert content(backend.store, KEY) == winner
    assert len(backend.objects_residue()) == 1


def test_concurrent_puts_store_exactly_one(backend: Backend) -> None:
    """Writers in threads of one process share a store; those of other processes have their own."""
    results: list[object] = []
    barrier = threading.Barrier(4)

    def writer(index: int) -> None:
        store = backend.store if index % 2 else backend.make()
        barrier.wait()
        try:
            results.append(store.put(KEY, io.BytesIO(f"writer {index}".encode())))
        except KeyExists as exc:
            results.append(exc)

    threads = [threading.Thread(target=writer, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = [result for result in results if not isinstance(result, KeyExists)]
    assert len(stored) == 1 and len(results) == 4
    assert content(backend.store, KEY).startswith(b"writer ")
    assert len(backend.objects_residue()) == 1


@pytest.mark.parametrize("bad_key", ["", "/etc/passwd", "../outside", "a/../../b", "a/./b", "a//b", "a/",
                                     "a\\b", "a\x00b", "a\nb", ".tmp-upload", "a/.meta/x", "k" * 1025,
                                     "a/" + "s" * 256, "Vie\u0302\u0323t-nam.pdf"])
def test_invalid_keys_are_refused_everywhere(backend: Backend, bad_key: str) -> None:
    store = backend.store
    with pytest.raises(InvalidKey):
        store.put(bad_key, io.BytesIO(b"x"))
    for operation in (store.get, store.head, store.exists, lambda key: store.verify(key, sha(b"x")),
                      lambda key: store.delete(key, GRANT)):
        with pytest.raises(InvalidKey):
            operation(bad_key)
    assert backend.residue() == []


def test_an_object_cannot_also_be_a_folder(backend: Backend) -> None:
    store = backend.store
    store.put("hồ-sơ/17", io.BytesIO(b"object"))
    with pytest.raises(InvalidKey, match="itself an object"):
        store.put("hồ-sơ/17/phụ-lục.pdf", io.BytesIO(b"x"))
    with pytest.raises(InvalidKey, match="already used as a folder"):
        store.put("hồ-sơ", io.BytesIO(b"x"))
    assert list(store.list()) == ["hồ-sơ/17"]
    store.delete("hồ-sơ/17", GRANT)
    store.put("hồ-sơ", io.BytesIO(b"now a plain object"))
    assert list(store.list()) == ["hồ-sơ"]


@pytest.mark.parametrize("length", [1000, MULTIPART_SIZE], ids=["single", "multipart"])
def test_verify_detects_a_flipped_byte(backend: Backend, length: int) -> None:
    data = os.urandom(length)
    backend.store.put(KEY, io.BytesIO(data))
    backend.corrupt(KEY)
    assert backend.store.head(KEY).sha256 == sha(data), "the recorded digest is untouched"
    result = backend.store.verify(KEY, sha(data))
    assert not result.ok
    assert result.actual is not None and result.actual != sha(data)
    assert result.size == length
    assert "damaged" in result.message


def test_verify_reports_a_missing_object(backend: Backend) -> None:
    result = backend.store.verify(KEY, sha(b"x"))
    assert (result.ok, result.actual, result.size) == (False, None, None)
    assert "No object is stored" in result.message


def test_verify_with_another_digest_fails(backend: Backend) -> None:
    backend.store.put(KEY, io.BytesIO(b"abc"))
    result = backend.store.verify(KEY, sha(b"abd").upper())
    assert not result.ok and result.expected == sha(b"abd")


def test_missing_objects(backend: Backend) -> None:
    store = backend.store
    assert not store.exists(KEY)
    with pytest.raises(ObjectMissing):
        store.head(KEY)
    with pytest.raises(ObjectMissing):
        store.get(KEY)  # fails on the call itself, not at the first chunk
    with pytest.raises(ObjectMissing):
        store.delete(KEY, GRANT)


@pytest.mark.parametrize("not_a_grant", [None, "approved", {"decision_id": "QD-1"}, True])
def test_delete_requires_a_deletion_grant(backend: Backend, not_a_grant: object) -> None:
    backend.store.put(KEY, io.BytesIO(b"keep me"))
    with pytest.raises(TypeError, match="DeletionGrant"):
        backend.store.delete(KEY, not_a_grant)  # type: ignore[arg-type]
    assert content(backend.store, KEY) == b"keep me"


def test_a_grant_must_name_decision_approver_and_reason() -> None:
    with pytest.raises(StorageError):
        DeletionGrant(decision_id="QD-1", approved_by=" ", reason="expired")


def test_delete_with_grant_removes_every_trace(backend: Backend) -> None:
    backend.store.put(KEY, io.BytesIO(b"to be destroyed"))
    backend.store.put("other", io.BytesIO(b"stays"))
    backend.store.delete(KEY, GRANT)
    assert not backend.store.exists(KEY)
    assert list(backend.store.list()) == ["other"]
    assert [entry for entry in backend.objects_residue() if "other" not in entry] == []
    backend.store.put(KEY, io.BytesIO(b"a disposed key can be used again"))
    assert content(backend.store, KEY) == b"a disposed key can be used again"


def test_list_order_prefixes_and_hidden_entries(backend: Backend) -> None:
    keys = ["b", "a/c", "a-b", "a/b/d", "ă", "Z", "a/b2", "a/b/e/f", "đơn/1"]
    for key in keys:
        backend.store.put(key, io.BytesIO(key.encode()))
    assert list(backend.store.list()) == sorted(keys) == ["Z", "a-b", "a/b/d", "a/b/e/f", "a/b2", "a/c", "b", "ă",
                                                          "đơn/1"]
    assert list(backend.store.list("a/")) == ["a/b/d", "a/b/e/f", "a/b2", "a/c"]
    assert list(backend.store.list("a")) == ["a-b", "a/b/d", "a/b/e/f", "a/b2", "a/c"]
    assert list(backend.store.list("a/b")) == ["a/b/d", "a/b/e/f", "a/b2"]
    assert list(backend.store.list("a/b/")) == ["a/b/d", "a/b/e/f"]
    assert list(backend.store.list("đ")) == ["đơn/1"]
    assert list(backend.store.list("nothing/")) == []
    with pytest.raises(InvalidKey):
        list(backend.store.list("../"))


@pytest.mark.parametrize("length", [1000, 2 * TEST_PART_SIZE + 3], ids=["single-part", "multipart"])
def test_restore_repairs_a_damaged_object_and_never_a_sound_one(backend: Backend, length: int) -> None:
    from storage.hashing import ChunkStream

    store = backend.make(part_size=TEST_PART_SIZE)
    data = os.urandom(length)
    store.put(KEY, io.BytesIO(data), expected_sha256=sha(data))
    with pytest.raises(StorageError, match="intact"):
        store.restore(KEY, io.BytesIO(data), expected_sha256=sha(data))
    backend.corrupt(KEY)
    assert not store.verify(KEY, sha(data)).ok
    with pytest.raises(DigestMismatch):
        store.restore(KEY, io.BytesIO(data[:-1] + b"x"), expected_sha256=sha(data))
    assert not store.verify(KEY, sha(data)).ok  # a refused repair leaves the damaged copy as it was
    restored = store.restore(KEY, ChunkStream(iter([data[:777], data[777:]])), expected_sha256=sha(data),
                             size=length)
    assert restored.sha256 == sha(data) and restored.size == length
    assert store.verify(KEY, sha(data)).ok and content(store, KEY) == data
    assert store.head(KEY).sha256 == sha(data)
