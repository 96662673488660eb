"""Object store on any S3-compatible server (MinIO, Ceph RGW, AWS S3), through the ``minio`` SDK.

How the guarantees of ``storage.base`` are kept with nothing but the plain S3 API:

Digest checked by the server. Every byte we send carries its SHA-256 in the S3 additional
checksum header ``x-amz-checksum-sha256``; the server recomputes it and refuses the request when
it differs, so corruption between our hash and the server's disk cannot be stored. A small object
(at most one part) goes in a single PUT whose checksum *is* the whole-object digest. A larger one
is a multipart upload created with ``x-amz-checksum-algorithm: SHA256``: each part carries its own
checksum and CompleteMultipartUpload lists them all, so the server verifies every part and the
composite.

Our digest in metadata. S3 keeps no whole-object SHA-256 for multipart objects (its composite is a
hash of part hashes, and the ETag is not a content digest at all), so ``x-amz-meta-sha256`` holds
ours and ``head()`` reports that. Metadata must be given when the upload is *created*, i.e. before
the bytes are read, so the digest has to be known up front:

* the caller's ``expected_sha256`` is used when given (the ingest path: digests are taken at receipt);
* otherwise a seekable stream is hashed in a first pass and rewound;
* otherwise (a pipe, a request body) the stream is spooled to a local temporary file while hashed.

With ``expected_sha256`` the upload pass hashes the bytes as they are sent and compares before
completing; a mismatch aborts the multipart upload, so nothing ever becomes visible under the key.
After a first reading, each part is sent with the checksum recorded in that reading, so the server
itself refuses a part that changed in between, and the part count and length are compared before
completing. Staging the upload under a temporary key and copying it was rejected: a bucket with a
default retention rule would lock the staging object too, and the copy would rewrite every byte on
the server.

No overwrite. A HEAD fails fast, and the final PUT or CompleteMultipartUpload is conditional
(``If-None-Match: *``), so a writer that lost a race gets KeyExists instead of replacing the
winner's object. Each write carries a random token in its metadata, so that a PUT the HTTP layer
retried after a lost response recognises its own object instead of reporting KeyExists.

Retention. With a lock mode configured and ``retain=True``, the object-lock headers are sent with
the PUT or CreateMultipartUpload, so the object is never visible without its retention.

Deletion. A grant removes every version of the key (in a versioned bucket a plain DELETE would
only hide the bytes behind a delete marker) and sends the governance-bypass header: the grant is
the authority to bypass GOVERNANCE retention. COMPLIANCE retention cannot be bypassed by anyone,
so such a deletion is refused before anything is removed.

Memory stays bounded by about ``upload_threads`` parts, in buffers recycled within a put: one
being read (and hashed) by the caller's thread while the others are sent by worker threads
(hashlib releases the GIL for large buffers, so hashing overlaps on separate cores).
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
import tempfile
import uuid
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, BinaryIO, cast

import certifi
import urllib3
from minio import Minio
from minio.deleteobjects import DeleteObject
from minio.error import MinioException, S3Error
from minio.helpers import DictType
from minio.time import from_iso8601utc, to_iso8601utc
from urllib3.util import Retry, Timeout

from storage.base import (
    CHUNK_SIZE,
    DeletionGrant,
    DigestMismatch,
    ObjectInfo,
    StaleObject,
    StorageError,
    StoredObject,
    VerifyResult,
)
from storage.hashing import check_grant, check_size_argument, fill, normalise_sha256, read_up_to, size_mismatch
from storage.keys import folder_clash, is_reserved, key_exists, object_missing, validate_key, validate_prefix

MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PART_SIZE = 5 * 1024 * 1024 * 1024
MAX_PARTS = 10_000
LOCK_MODES = ("GOVERNANCE", "COMPLIANCE")
SHA256_META = "x-amz-meta-sha256"
TOKEN_META = "x-amz-meta-upload-token"
_log = logging.getLogger(__name__)
_S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
# Marker header (removed before sending) for requests whose body is covered by x-amz-checksum-sha256.
_CHECKSUMMED_BODY = "X-Checksummed-Body"


class _ChecksumClient(Minio):
    """A Minio client that does not hash a body a second time when it carries x-amz-checksum-sha256.

    Over plain HTTP the SDK signs every body with its SHA-256 (``x-amz-content-sha256``), and the
    server then hashes it again to check that signature. For our uploads that is redundant: the
    signed ``x-amz-checksum-sha256`` header already makes the server verify the body. Sending
    ``UNSIGNED-PAYLOAD`` instead saves one full hashing pass on each side (about 15% of the upload
    time against MinIO on two cores). ``_build_headers`` is an internal of minio 7.2; the
    contract tests exercise this path on every run, so an SDK change that breaks it fails loudly.
    """

    def _build_headers(self, host: str, headers: dict[str, Any] | None = None, body: Any = None,
                       creds: Any = None) -> tuple[dict[str, Any], datetime]:
        if headers is None or not headers.pop(_CHECKSUMMED_BODY, None):
            return super()._build_headers(host, headers, body, creds)
        headers["Content-Length"] = str(len(body) if body is not None else 0)
        built, date = super()._build_headers(host, headers, None, creds)
        if creds:
            built["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
        return built, date


@dataclass(frozen=True)
class _Plan:
    """What the first reading of a large stream established, so that the upload pass hashes nothing."""

    digest: str
    length: int
    checksums: list[str]


class _Buffers:
    """Part buffers recycled within one put.

    A fresh buffer of many megabytes is zeroed and page-faulted in on every use, which costs more
    than copying the part out of the page cache; recycling the few buffers in flight avoids that.
    Only the put's own thread takes and returns buffers, so no lock is needed.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._free: list[bytearray] = []

    def take(self) -> bytearray:
        return self._free.pop() if self._free else bytearray(self.size)

    def give(self, buffer: bytearray | None) -> None:
        if buffer is not None:
            self._free.append(buffer)


class _Prefixed:
    """A stream with some already-read bytes put back in front (the byte read beyond part one)."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._prefix = memoryview(prefix)
        self._stream = stream

    def readinto(self, view: memoryview) -> int:
        if self._prefix:
            count = min(len(view), len(self._prefix))
            view[:count] = self._prefix[:count]
            self._prefix = self._prefix[count:]
            return count
        return fill(self._stream, view)


class S3ObjectStore:
    """Write-once objects in one S3 bucket; see the module docstring for how each guarantee is kept."""

    name = "s3"

    def __init__(self, endpoint: str, bucket: str, access_key: str, secret_key: str, secure: bool = False,
                 region: str | None = None, lock_mode: str | None = None, lock_days: int = 0,
                 part_size: int = 16 * 1024 * 1024, upload_threads: int = 2) -> None:
        lock_mode = (lock_mode or "").upper() or None
        if lock_mode is not None and lock_mode not in LOCK_MODES:
            raise StorageError(f"The object-lock mode {lock_mode!r} is unknown; use GOVERNANCE or COMPLIANCE, or none.")
        if lock_mode is not None and lock_days <= 0:
            raise StorageError("An object-lock mode needs a positive number of retention days (e.g. 3650).")
        if not MIN_PART_SIZE <= part_size <= MAX_PART_SIZE:
            raise StorageError(f"The part size {part_size} is outside what S3 accepts; use between {MIN_PART_SIZE} "
                               f"(5 MiB) and {MAX_PART_SIZE} (5 GiB) bytes.")
        if upload_threads < 1:
            raise StorageError("upload_threads must be at least 1.")
        self.endpoint, self.bucket = endpoint, bucket
        self.lock_mode, self.lock_days = lock_mode, lock_days
        self.part_size, self.upload_threads = part_size, upload_threads
        self._url = ("https://" if secure else "http://") + endpoint
        # The SDK's own pool waits five minutes to connect and retries reads; a short connect
        # timeout makes health() and a stopped server fail within seconds.
        http = urllib3.PoolManager(
            timeout=Timeout(connect=10, read=300), maxsize=upload_threads + 2,
            cert_reqs="CERT_REQUIRED", ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
            retries=Retry(total=3, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]))
        try:
            self._client = _ChecksumClient(endpoint, access_key=access_key, secret_key=secret_key, secure=secure,
                                           region=region, http_client=http)
        except ValueError as exc:
            raise StorageError(f"The S3 endpoint {endpoint!r} is not usable ({exc}); give host:port without a "
                               "scheme.") from exc

    # -- writing ---------------------------------------------------------------------------------

    def put(self, key: str, stream: BinaryIO, *, expected_sha256: str | None = None,
            size: int | None = None, content_type: str = "application/octet-stream",
            retain: bool = False) -> StoredObject:
        """Store the stream under a new key; nothing becomes visible unless size and digest check out."""
        key = validate_key(key)
        expected = normalise_sha256(expected_sha256)
        check_size_argument(size)
        with self._errors("store", key):
            self._refuse_taken(key)
            headers = self._object_headers(content_type, retain)
            start = _position(stream)
            probe = read_up_to(stream, self.part_size + 1, CHUNK_SIZE)
            if len(probe) <= self.part_size:
                return self._put_single(key, probe, expected, size, headers)
            # The parts generator gets the only reference to part one, so that it is freed as soon
            # as it has been sent: memory stays at the parts actually in flight.
            buffers = _Buffers(self.part_size)
            parts = self._parts(_Prefixed(probe[self.part_size:], stream), [memoryview(probe)[:self.part_size]],
                                buffers)
            del probe
            if expected is not None:
                return self._put_multipart(key, parts, buffers, headers, size, expected)
            if start is not None:
                plan = self._plan(parts, buffers, sink=None)
                stream.seek(start)
                return self._put_multipart(key, self._parts(stream, [], buffers), buffers, headers, size,
                                           plan.digest, plan)
            with tempfile.TemporaryFile(prefix="s3-upload-") as spool:
                plan = self._plan(parts, buffers, sink=spool)
                spool.seek(0)
                return self._put_multipart(key, self._parts(spool, [], buffers), buffers, headers, size,
                                           plan.digest, plan)

    def deferred_sync(self) -> AbstractContextManager[None]:
        """A plain block: an acknowledged PUT is already durable on the server, so there is nothing to defer."""
        return nullcontext()

    def replace(self, key: str, data: bytes, *, expected_sha256: str | None,
                content_type: str = "application/octet-stream", retain: bool = False) -> StoredObject:
        """Compare-and-swap (see ``ObjectStore.replace``) with a conditional PUT.

        The current object is downloaded and hashed; only if it has ``expected_sha256`` is the new
        body sent, with ``If-Match`` on the ETag of exactly that download, so a writer that slipped
        in between makes the server answer 412 and nothing is written. A PUT is atomic on S3, so a
        crash leaves the previous object readable; in a versioned bucket it stays as a version.
        """
        key = validate_key(key)
        expected = normalise_sha256(expected_sha256)
        if expected is None:
            return self.put(key, io.BytesIO(data), expected_sha256=hashlib.sha256(data).hexdigest(),
                            size=len(data), content_type=content_type, retain=retain)
        raw = hashlib.sha256(data).digest()
        with self._errors("replace", key):
            response = self._client.get_object(self.bucket, key)
            try:
                current = hashlib.sha256(response.data).hexdigest()
                etag = response.headers.get("etag", "")
            finally:
                response.close()
                response.release_conn()
            if current != expected or not etag:
                raise StaleObject(f"{key} has SHA-256 {current}, not {expected} as expected: another writer changed "
                                  "it since it was read. Nothing was written; read it again and retry.")
            request: DictType = {**self._object_headers(content_type, retain), SHA256_META: raw.hex(),
                                 "x-amz-checksum-sha256": base64.b64encode(raw).decode(), "If-Match": etag,
                                 _CHECKSUMMED_BODY: "1"}
            try:
                self._client._execute("PUT", self.bucket, key, body=data, headers=request)
            except S3Error as exc:
                if exc.code not in ("PreconditionFailed", "ConditionalRequestConflict"):
                    raise
                raise StaleObject(f"{key} was changed by another writer while it was being replaced; nothing was "
                                  "written. Read it again and retry.") from exc
        return StoredObject(key=key, size=len(data), sha256=raw.hex())

    def _refuse_taken(self, key: str) -> None:
        """Fail fast, before reading the stream: key taken, or clashing with the folder structure."""
        if self._exists(key):
            raise key_exists(key)
        segments = key.split("/")
        for depth in range(1, len(segments)):
            ancestor = "/".join(segments[:depth])
            if self._exists(ancestor):
                raise folder_clash(key, ancestor)
        if next(self._client.list_objects(self.bucket, prefix=key + "/", recursive=True), None) is not None:
            raise folder_clash(key, key)

    def _object_headers(self, content_type: str, retain: bool) -> dict[str, str]:
        """Headers of the object itself; retention goes here so no moment exists without it."""
        headers = {"Content-Type": content_type or "application/octet-stream", TOKEN_META: uuid.uuid4().hex}
        if retain and self.lock_mode:
            until = datetime.now(timezone.utc) + timedelta(days=self.lock_days)
            headers["x-amz-object-lock-mode"] = self.lock_mode
            headers["x-amz-object-lock-retain-until-date"] = to_iso8601utc(until) or ""
        return headers

    def _put_single(self, key: str, body: bytes, expected: str | None, size: int | None,
                    headers: dict[str, str]) -> StoredObject:
        """One PUT whose server-checked checksum is the whole-object SHA-256."""
        raw = hashlib.sha256(body).digest()
        digest = raw.hex()
        if size is not None and len(body) != size:
            raise size_mismatch(key, size, len(body))
        if expected is not None and digest != expected:
            raise DigestMismatch(key, expected, digest)
        request: DictType = {**headers, SHA256_META: digest, "x-amz-checksum-sha256": base64.b64encode(raw).decode(),
                   "If-None-Match": "*", _CHECKSUMMED_BODY: "1"}
        self._conditionally(key, headers[TOKEN_META],
                            lambda: self._client._execute("PUT", self.bucket, key, body=body, headers=request))
        return StoredObject(key=key, size=len(body), sha256=digest)

    def _plan(self, parts: Iterator[tuple[bytearray | None, memoryview]], buffers: _Buffers,
              sink: BinaryIO | None) -> _Plan:
        """First reading of a large stream of unknown digest: whole digest and each part's checksum.

        The two hashes of a part run on two cores (a worker thread and this one). Because the
        upload pass then sends the recorded part checksums, the server itself proves that every
        part it accepts is the part hashed here, and the upload pass hashes nothing at all.
        """
        whole = hashlib.sha256()
        checksums: list[str] = []
        length = 0
        with ThreadPoolExecutor(1, thread_name_prefix="s3-hash") as pool:
            for buffer, part in parts:
                checksum = pool.submit(_checksum, part)
                whole.update(part)
                if sink is not None:
                    sink.write(part)
                checksums.append(checksum.result())
                length += len(part)
                buffers.give(buffer)
        return _Plan(whole.hexdigest(), length, checksums)

    def _put_multipart(self, key: str, parts: Iterator[tuple[bytearray | None, memoryview]], buffers: _Buffers,
                       headers: dict[str, str], size: int | None, digest: str,
                       plan: _Plan | None = None, conditional: bool = True) -> StoredObject:
        """Multipart upload created with ``digest`` as metadata, completed only if the bytes match it.

        Without a plan the bytes are hashed as they are sent and compared before completing; with
        a ``plan`` each part is sent with the checksum of the first reading, so the server refuses
        any part that differs, and the part count and length are compared here.
        """
        if plan is not None and size is not None and plan.length != size:
            raise size_mismatch(key, size, plan.length)
        create: DictType = {**headers, SHA256_META: digest, "x-amz-checksum-algorithm": "SHA256"}
        upload_id = self._client._create_multipart_upload(self.bucket, key, create)
        try:
            whole = hashlib.sha256()
            length = 0
            sent: list[tuple[int, str, str]] = []
            with ThreadPoolExecutor(self.upload_threads, thread_name_prefix="s3-part") as pool:
                pending: deque[tuple[Future[tuple[int, str, str]], bytearray | None]] = deque()
                for number, (buffer, part) in enumerate(parts, start=1):
                    if plan is None:
                        whole.update(part)
                        checksum = None
                    elif number <= len(plan.checksums):
                        checksum = plan.checksums[number - 1]
                    else:
                        raise _source_changed(key)
                    length += len(part)
                    pending.append((pool.submit(self._upload_part, key, upload_id, number, part, checksum), buffer))
                    del part
                    while len(pending) >= self.upload_threads:
                        future, finished = pending.popleft()
                        sent.append(future.result())
                        buffers.give(finished)
                for future, _ in pending:
                    sent.append(future.result())
            if plan is not None and length != plan.length:
                raise _source_changed(key)
            actual = digest if plan is not None else whole.hexdigest()
            if size is not None and length != size:
                raise size_mismatch(key, size, length)
            if actual != digest:
                raise DigestMismatch(key, digest, actual)
            self._conditionally(key, headers[TOKEN_META], lambda: self._complete(key, upload_id, sent, conditional))
        except BaseException:
            self._abort(key, upload_id)
            raise
        return StoredObject(key=key, size=length, sha256=actual)

    def _parts(self, source: Any, first: list[memoryview],
               buffers: _Buffers) -> Iterator[tuple[bytearray | None, memoryview]]:
        """The object's parts in order, each with the recycled buffer it lives in (None for part one).

        ``first`` holds part one when it was already read; it is taken out of the list so that only
        the upload still references it. The consumer gives each buffer back once its part is done.
        """
        count = 0
        if first:
            count += 1
            yield None, first.pop()
        while True:
            buffer = buffers.take()
            got = fill(source, memoryview(buffer))
            if not got:
                buffers.give(buffer)
                return
            count += 1
            if count > MAX_PARTS:
                raise StorageError(f"The object is larger than {MAX_PARTS} parts of {self.part_size} bytes, the most "
                                   "S3 accepts in one upload; configure a larger part size.")
            yield buffer, memoryview(buffer)[:got]
            if got < self.part_size:
                return

    def _upload_part(self, key: str, upload_id: str, number: int, body: memoryview,
                     checksum: str | None) -> tuple[int, str, str]:
        """Send one part with its SHA-256, which the server checks before accepting it."""
        checksum = checksum or _checksum(body)
        # The SDK's annotation says bytes; urllib3 sends any bytes-like body, and a view avoids a copy.
        response = self._client._execute(
            "PUT", self.bucket, key, body=cast(bytes, body),
            headers={"x-amz-checksum-sha256": checksum, _CHECKSUMMED_BODY: "1"},
            query_params={"partNumber": str(number), "uploadId": upload_id})
        return number, response.headers.get("etag", "").strip('"'), checksum

    def _complete(self, key: str, upload_id: str, parts: list[tuple[int, str, str]], conditional: bool = True) -> None:
        """CompleteMultipartUpload listing each part's checksum, conditional on the key being free."""
        root = ET.Element("CompleteMultipartUpload", xmlns=_S3_NS)
        for number, etag, checksum in sorted(parts):
            element = ET.SubElement(root, "Part")
            ET.SubElement(element, "PartNumber").text = str(number)
            ET.SubElement(element, "ETag").text = f'"{etag}"'
            ET.SubElement(element, "ChecksumSHA256").text = checksum
        response = self._client._execute(
            "POST", self.bucket, key, body=ET.tostring(root),
            headers={"Content-Type": "application/xml", **({"If-None-Match": "*"} if conditional else {})},
            query_params={"uploadId": upload_id})
        # S3 may answer 200 and still report a failure in the body when completion fails late.
        if response.data and ET.fromstring(response.data).tag.rpartition("}")[2] == "Error":
            raise S3Error.fromxml(response)

    def _conditionally(self, key: str, token: str, write: Any) -> None:
        """Run a conditional write; a failed precondition means another writer holds the key.

        Unless the object found there carries our own token: then the HTTP layer had retried a
        request whose first attempt did succeed, and the object is ours.
        """
        try:
            write()
        except S3Error as exc:
            if exc.code != "PreconditionFailed":
                raise
            try:
                stored = self._client.stat_object(self.bucket, key).metadata or {}
            except S3Error:
                stored = {}
            if stored.get(TOKEN_META) != token:
                raise key_exists(key) from exc

    def _abort(self, key: str, upload_id: str) -> None:
        """Abort a failed multipart upload so its parts neither linger nor become visible."""
        try:
            self._client._abort_multipart_upload(self.bucket, key, upload_id)
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            if not (isinstance(exc, S3Error) and exc.code == "NoSuchUpload"):
                _log.warning("Could not abort the incomplete upload %s of %s (%s); a bucket lifecycle rule "
                             "AbortIncompleteMultipartUpload removes such leftovers.", upload_id, key, exc)

    # -- reading ---------------------------------------------------------------------------------

    def _exists(self, key: str) -> bool:
        try:
            self._client.stat_object(self.bucket, key)
        except S3Error as exc:
            if exc.code not in ("NoSuchKey", "NoSuchVersion"):
                raise
            # minio's S3Error is in a reference cycle with the SDK frame that raised it, and its
            # traceback reaches our caller's frame: dropping it lets a put's part buffers be freed
            # when the put returns instead of at some later garbage collection.
            exc.__traceback__ = None
            return False
        return True

    def exists(self, key: str) -> bool:
        key = validate_key(key)
        with self._errors("look up", key):
            return self._exists(key)

    def head(self, key: str) -> ObjectInfo:
        """Size from the server, SHA-256 from our metadata (never the ETag), retention if any."""
        key = validate_key(key)
        with self._errors("look up", key):
            stat = self._client.stat_object(self.bucket, key)
        metadata = stat.metadata or {}
        retain_until = metadata.get("x-amz-object-lock-retain-until-date")
        return ObjectInfo(key=key, size=stat.size or 0, sha256=metadata.get(SHA256_META),
                          modified=stat.last_modified,
                          retain_until=from_iso8601utc(retain_until) if retain_until else None,
                          extra={"content_type": stat.content_type or "application/octet-stream"})

    def get(self, key: str) -> Iterator[bytes]:
        """Chunks of the object; the request is made now, so a missing key fails here."""
        key = validate_key(key)
        with self._errors("read", key):
            response = self._client.get_object(self.bucket, key)
        return self._chunks(key, response, CHUNK_SIZE)

    def _chunks(self, key: str, response: Any, chunk_size: int) -> Iterator[bytes]:
        """Stream the body and always hand the connection back, even if the reader stops early."""
        try:
            with self._errors("read", key):
                yield from response.stream(chunk_size, decode_content=False)
        finally:
            response.close()
            response.release_conn()

    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys starting with ``prefix`` in S3's (UTF-8 byte) order, without reserved names."""
        validate_prefix(prefix)
        with self._errors("list objects"):
            for entry in self._client.list_objects(self.bucket, prefix=prefix or None, recursive=True):
                if not is_reserved(entry.object_name):
                    yield entry.object_name

    def verify(self, key: str, expected_sha256: str) -> VerifyResult:
        """Download the object and hash it; the stored metadata digest is never trusted for this."""
        key = validate_key(key)
        expected = normalise_sha256(expected_sha256) or ""
        with self._errors("verify", key):
            try:
                response = self._client.get_object(self.bucket, key)
            except S3Error as exc:
                if exc.code not in ("NoSuchKey", "NoSuchVersion"):
                    raise
                return VerifyResult(key, False, expected, None, None,
                                    f"{object_missing(key)} Restore it from a replica or backup.")
        digest = hashlib.sha256()
        length = 0
        for chunk in self._chunks(key, response, CHUNK_SIZE):
            digest.update(chunk)
            length += len(chunk)
        actual = digest.hexdigest()
        if actual == expected:
            return VerifyResult(key, True, expected, actual, length, f"{key}: {length} bytes, SHA-256 matches.")
        return VerifyResult(key, False, expected, actual, length,
                            f"{key} has SHA-256 {actual}, not the expected {expected}: the stored copy is damaged. "
                            "Restore it from a replica or backup and record the incident.")

    def restore(self, key: str, stream: BinaryIO, *, expected_sha256: str, size: int | None = None,
                content_type: str = "application/octet-stream", retain: bool = False) -> StoredObject:
        """Put a repaired copy as the newest version of a missing or damaged object (see ``ObjectStore``).

        In a versioned (Object Lock) bucket the damaged version stays underneath, retained as the
        evidence of the incident; readers get the repaired version. The upload carries the expected
        digest, so the server refuses any part that does not match, and the repaired object is read
        back and hashed before this returns.
        """
        key = validate_key(key)
        expected = normalise_sha256(expected_sha256) or ""
        check_size_argument(size)
        if self.verify(key, expected).ok:
            raise StorageError(f"{key} is intact (its SHA-256 matches); a sound object is never replaced.")
        with self._errors("restore", key):
            headers = self._object_headers(content_type, retain)
            probe = read_up_to(stream, self.part_size + 1, CHUNK_SIZE)
            if len(probe) <= self.part_size:
                digest = hashlib.sha256(probe).hexdigest()
                if size is not None and len(probe) != size:
                    raise size_mismatch(key, size, len(probe))
                if digest != expected:
                    raise DigestMismatch(key, expected, digest)
                request: DictType = {**headers, SHA256_META: digest, _CHECKSUMMED_BODY: "1",
                                     "x-amz-checksum-sha256": base64.b64encode(bytes.fromhex(digest)).decode()}
                self._client._execute("PUT", self.bucket, key, body=probe, headers=request)
            else:
                buffers = _Buffers(self.part_size)
                parts = self._parts(_Prefixed(probe[self.part_size:], stream),
                                    [memoryview(probe)[:self.part_size]], buffers)
                del probe
                self._put_multipart(key, parts, buffers, headers, size, expected, conditional=False)
        result = self.verify(key, expected)
        if not result.ok:
            raise StorageError(f"The repaired copy of {key} does not read back correctly ({result.message}); "
                               "check the S3 server, then run the repair again.")
        return StoredObject(key=key, size=result.size or 0, sha256=expected)

    # -- deleting and health ---------------------------------------------------------------------

    def delete(self, key: str, grant: DeletionGrant) -> None:
        """Destroy every version of the object, bypassing GOVERNANCE retention on the grant's authority.

        In a versioned (Object Lock) bucket a plain DELETE only hides the object behind a delete
        marker; a disposal must remove the bytes, so each version is deleted. COMPLIANCE retention
        cannot be bypassed by anyone, so it is checked first and nothing is deleted while it runs.
        """
        check_grant(grant)
        key = validate_key(key)
        with self._errors(f"delete (disposal decision {grant.decision_id})", key):
            if not self._exists(key):
                raise object_missing(key)
            versions = [entry for entry in self._client.list_objects(self.bucket, prefix=key, recursive=True,
                                                                     include_version=True)
                        if entry.object_name == key]
            now = datetime.now(timezone.utc)
            for version in versions:
                if version.is_delete_marker:
                    continue
                retention = self._retention(key, version.version_id)
                if retention and retention.mode == "COMPLIANCE" and retention.retain_until_date > now:
                    raise StorageError(
                        f"{key} is under COMPLIANCE retention until {retention.retain_until_date:%Y-%m-%d %H:%M} UTC; "
                        "nobody can delete it before then. Nothing was deleted: keep the disposal decision "
                        f"{grant.decision_id} pending and carry it out after that date.")
            errors = list(self._client.remove_objects(
                self.bucket, [DeleteObject(key, version.version_id) for version in versions],
                bypass_governance_mode=True))
            if errors:
                raise StorageError(f"S3 refused to delete {key} ({errors[0].code}: {errors[0].message}). It may be "
                                   "under a legal hold, or the access key may lack s3:BypassGovernanceRetention; "
                                   "check both, then run the disposal again.")

    def _retention(self, key: str, version_id: str | None) -> Any:
        """The version's retention, or None when the bucket or object has none."""
        try:
            return self._client.get_object_retention(self.bucket, key, version_id=version_id)
        except S3Error as exc:
            if exc.code in ("InvalidRequest", "ObjectLockConfigurationNotFoundError"):
                return None
            raise

    def ensure(self) -> None:
        """Create the bucket if it is missing, with Object Lock when retention is configured.

        Object Lock can only be chosen when a bucket is created, so an installation that wants
        retention must let us (or its operator) create the bucket that way from the start.
        """
        with self._errors("create the bucket"):
            if not self._client.bucket_exists(self.bucket):
                self._client.make_bucket(self.bucket, object_lock=bool(self.lock_mode))

    def health(self) -> str:
        """One line naming bucket and retention; raises when the bucket cannot be used as configured."""
        with self._errors("reach the bucket"):
            if not self._client.bucket_exists(self.bucket):
                raise StorageError(f"The bucket {self.bucket} does not exist on {self._url}; create it with Object "
                                   "Lock enabled, or fix the bucket name.")
            if self.lock_mode:
                try:
                    self._client.get_object_lock_config(self.bucket)
                except S3Error as exc:
                    if exc.code != "ObjectLockConfigurationNotFoundError":
                        raise
                    raise StorageError(f"The bucket {self.bucket} was created without Object Lock, so {self.lock_mode} "
                                       "retention cannot be applied; create a bucket with Object Lock enabled or "
                                       "turn retention off.") from exc
        retention = (f"{self.lock_mode} retention for {self.lock_days} days" if self.lock_mode
                     else "no retention")
        return f"S3 bucket {self.bucket} at {self._url}, {retention}"

    # -- errors ----------------------------------------------------------------------------------

    @contextmanager
    def _errors(self, action: str, key: str | None = None) -> Iterator[None]:
        """Translate SDK and network failures into StorageErrors that say what to do."""
        try:
            yield
        except StorageError:
            raise
        except S3Error as exc:
            raise self._s3_error(action, key, exc) from exc
        except (MinioException, urllib3.exceptions.HTTPError, ConnectionError) as exc:
            target = f" {key}" if key else ""
            raise StorageError(f"Could not {action}{target}: the S3 server at {self._url} did not answer properly "
                               f"({exc}). Check that it is running and reachable, then try again.") from exc

    def _s3_error(self, action: str, key: str | None, exc: S3Error) -> StorageError:
        target = f" {key}" if key else ""
        code = exc.code or ""
        if code in ("NoSuchKey", "NoSuchVersion") and key:
            return object_missing(key)
        if code == "NoSuchBucket":
            return StorageError(f"The bucket {self.bucket} does not exist on {self._url}; create it with Object Lock "
                                "enabled, or fix the bucket name.")
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch"):
            return StorageError(f"The S3 server at {self._url} does not accept the access key or secret key; fix the "
                                "credentials.")
        if code == "AccessDenied":
            return StorageError(f"The S3 server refused to {action}{target}: access denied. Give the access key the "
                                f"needed permissions on bucket {self.bucket}.")
        if code in ("XAmzContentChecksumMismatch", "BadDigest", "InvalidDigest"):
            return StorageError(f"The S3 server received bytes for{target} that do not match their SHA-256 and refused "
                                "them; nothing was stored. Either the source changed while it was read or the bytes "
                                "were damaged on the way: make sure nobody is writing to the source and try again.")
        if code == "ConditionalRequestConflict":
            return StorageError(f"Another upload to{target} was finishing at the same moment; nothing was stored by "
                                "this one. Try again.")
        if code == "RequestTimeTooSkewed":
            return StorageError("This machine's clock differs too much from the S3 server's; synchronise it (NTP).")
        return StorageError(f"The S3 server refused to {action}{target}: {code}: {exc.message}.")


def _position(stream: Any) -> int | None:
    """Where a rewindable stream (file, BytesIO) stands now; None for pipes, sockets and the like."""
    try:
        return stream.tell() if stream.seekable() else None
    except (AttributeError, OSError, ValueError):
        return None


def _checksum(data: memoryview) -> str:
    """The value of an ``x-amz-checksum-sha256`` header: base64 of the raw SHA-256 digest."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def _source_changed(key: str) -> StorageError:
    return StorageError(f"The content for {key} changed while it was being uploaded (it no longer matches its first "
                        "reading); nothing was stored. Make sure the source is complete and nobody is writing to it, "
                        "then send it again.")
