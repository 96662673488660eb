"""Object store on a local file system: one read-only file per object, for the embedded profile.

Layout under ``root``::

    <key>                         the object's bytes, mode 0444, exactly at its key's path
    <dir>/.tmp-<random>           an upload in progress, next to its final name
    .meta/<h[:2]>/<h>.json        size, SHA-256, content type, time stored (h = SHA-256 of the key)

Objects sit at their key's own path so an operator can read, copy or back them up with ordinary
tools. Names starting with '.' are refused as keys (see ``storage.keys``), which is what keeps the
temporary and metadata files out of ``list()``. Sidecars are named by a hash of the key rather
than ``<key>.json`` because a key segment may already use all 255 bytes a file name can have.

Durability: the bytes are fsynced before the object gets its name, the name is created with
``os.link`` (which, unlike ``rename``, never replaces an existing file, so two writers racing for
one key cannot overwrite each other), and every directory whose entries changed is fsynced.
``deferred_sync`` lets a writer that verifies its objects before committing to them (an OCFL
version) have them all made durable at once instead (see its docstring).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from io import FileIO
from pathlib import Path
from typing import BinaryIO

from storage.base import (
    CHUNK_SIZE,
    DIGEST_ALGORITHM,
    DeletionGrant,
    DigestMismatch,
    ObjectInfo,
    ObjectMissing,
    StaleObject,
    StorageError,
    StoredObject,
    VerifyResult,
)
from storage.hashing import check_grant, check_size_argument, fill, normalise_sha256, size_mismatch
from storage.keys import folder_clash, key_exists, object_missing, validate_key, validate_prefix

TEMP_PREFIX = ".tmp-"
META_DIR = ".meta"
LOCK_DIR = "locks"
# A concurrent delete may remove an empty directory between our mkdir and our open; retrying a few
# times covers that race without holding a lock across processes.
_CREATE_ATTEMPTS = 5
_SYNC_THREADS = 16
"""fsyncs issued at once by ``deferred_sync``: enough for one journal commit to carry a whole OCFL version."""


class _Unsynced:
    """Files and folders written inside a ``deferred_sync`` block, to be fsynced when it ends."""

    def __init__(self) -> None:
        self.paths: set[Path] = set()

    def sync(self) -> None:
        """fsync everything at once: the file system's journal commits concurrent fsyncs together, so
        this costs about one commit instead of one per path (measured: 30 files 100 ms → 9 ms)."""
        if not self.paths:
            return
        pool = _sync_pool()
        for future in [pool.submit(_fsync_path, path) for path in self.paths]:
            future.result()
        self.paths.clear()


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _sync_pool() -> ThreadPoolExecutor:
    """One fsync pool per process: starting 16 threads per block cost ~7 ms of CPU per OCFL version."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(_SYNC_THREADS, thread_name_prefix="luutru-fsync")
        return _pool


def _forget_pool_after_fork() -> None:
    """Threads do not survive a fork: a forked worker must not wait on the parent's pool."""
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_pool_after_fork)


class LocalObjectStore:
    """Write-once objects as files under ``root``; see the module docstring for the layout."""

    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._deferred = threading.local()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"Cannot create the object folder {self.root} ({exc.strerror}); create it or give "
                               "a writable path.") from exc

    # -- writing ---------------------------------------------------------------------------------

    @contextmanager
    def deferred_sync(self) -> Iterator[None]:
        """Puts of this thread inside the block are made durable together when it ends.

        Each put normally fsyncs its file, its folder, its sidecar and the sidecar's folder one after
        another (~4 ms each on a virtual disk): an OCFL version of 15 files cost ~60 sequential
        fsyncs. Inside the block they are all issued at once when it ends, costing about one.

        What is given up, and why it is safe where it is used: until the block ends, a power cut
        (not a killed process: the page cache survives that) may leave a named object (or a
        ``replace``d one) shorter than what was written. Use it only for objects that nothing relies
        on until a later, ordinary put commits to them, or that are copies re-made from committed
        ones: in ``OcflStorage.write_version`` the content and ``inventory.json`` of a version are
        committed by its ``inventory.json.sha512``, put after the block, and a resumed write hashes
        every file an interrupted one left before adopting it; the object-root inventory pair is a
        copy of the committed one, which ``repair`` republishes whenever it differs. ``restore`` and
        ``delete`` stay synchronous, and so do puts made by other threads meanwhile.
        """
        if getattr(self._deferred, "unsynced", None) is not None:
            yield   # nested: the outer block syncs
            return
        unsynced = self._deferred.unsynced = _Unsynced()
        try:
            yield
        finally:
            self._deferred.unsynced = None
            try:
                unsynced.sync()
            except OSError as exc:
                raise _io_error("make objects durable", self.root, exc) from exc

    def put(self, key: str, stream: BinaryIO, *, expected_sha256: str | None = None,
            size: int | None = None, content_type: str = "application/octet-stream",
            retain: bool = False) -> StoredObject:
        """Store the stream under a new key; nothing becomes visible unless size and digest check out.

        ``retain`` is accepted for interface parity with S3: a local object is always read-only,
        and a file system has no retention clock to set.
        """
        key = validate_key(key)
        expected = normalise_sha256(expected_sha256)
        check_size_argument(size)
        target = self.root / key
        self._refuse_taken(key, target)
        unsynced: _Unsynced | None = getattr(self._deferred, "unsynced", None)
        try:
            fd, temp = self._create_temp(key, target.parent, unsynced)
            try:
                try:
                    digest, length = self._write_stream(fd, stream)
                    if size is not None and length != size:
                        raise size_mismatch(key, size, length)
                    if expected is not None and digest != expected:
                        raise DigestMismatch(key, expected, digest)
                    os.fchmod(fd, 0o444)
                    if unsynced is None:
                        os.fsync(fd)
                finally:
                    os.close(fd)
                self._link_no_replace(key, temp, target)
            except BaseException:
                temp.unlink(missing_ok=True)
                _remove_empty_dirs(self.root, target.parent)
                raise
            temp.unlink()
            if unsynced is None:
                _fsync_dir(target.parent)
            else:
                unsynced.paths.update((target, target.parent))
            self._write_sidecar(key, length, digest, content_type, unsynced)
        except OSError as exc:
            raise _io_error(f"store {key}", self.root, exc) from exc
        return StoredObject(key=key, size=length, sha256=digest)

    def replace(self, key: str, data: bytes, *, expected_sha256: str | None,
                content_type: str = "application/octet-stream", retain: bool = False) -> StoredObject:
        """Compare-and-swap (see ``ObjectStore.replace``): rename over the old file under a per-key lock.

        ``rename`` is atomic, so a crash leaves the old or the new file whole. The lock (``flock``
        on a file under ``.meta/locks``) makes read-compare-rename one step for every process on
        this machine. The sidecar is removed before the rename and rewritten after it, so after a
        crash ``head`` reports no digest (callers then hash the bytes) rather than a wrong one.
        ``retain`` is accepted for parity with S3, as in ``put``.
        """
        key = validate_key(key)
        expected = normalise_sha256(expected_sha256)
        if expected is None:
            return self.put(key, io.BytesIO(data), expected_sha256=hashlib.sha256(data).hexdigest(),
                            size=len(data), content_type=content_type, retain=retain)
        target = self.root / key
        digest = hashlib.sha256(data).hexdigest()
        unsynced: _Unsynced | None = getattr(self._deferred, "unsynced", None)
        try:
            with self._key_lock(key):
                current = self._digest_of(key)
                if current != expected:
                    raise StaleObject(f"{key} has SHA-256 {current}, not {expected} as expected: another writer "
                                      "changed it since it was read. Nothing was written; read it again and retry.")
                fd, temp = _create_temp_in(self.root, target.parent, unsynced)
                try:
                    try:
                        view = memoryview(data)
                        while view:
                            view = view[os.write(fd, view):]
                        os.fchmod(fd, 0o444)
                        if unsynced is None:
                            os.fsync(fd)
                    finally:
                        os.close(fd)
                    self._sidecar_path(key).unlink(missing_ok=True)
                    os.replace(temp, target)
                except BaseException:
                    temp.unlink(missing_ok=True)
                    raise
                if unsynced is None:
                    _fsync_dir(target.parent)
                else:
                    unsynced.paths.update((target, target.parent))
                self._write_sidecar(key, len(data), digest, content_type, unsynced)
        except OSError as exc:
            raise _io_error(f"replace {key}", self.root, exc) from exc
        return StoredObject(key=key, size=len(data), sha256=digest)

    def _key_lock(self, key: str) -> _FileLock:
        name = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return _FileLock(self.root, self.root / META_DIR / LOCK_DIR / f"{name}.lock")

    def _digest_of(self, key: str) -> str:
        """SHA-256 of the bytes on disk now (never the sidecar: a compare-and-swap must see the truth)."""
        digest = hashlib.sha256()
        for chunk in self.get(key):
            digest.update(chunk)
        return digest.hexdigest()

    def _refuse_taken(self, key: str, target: Path) -> None:
        """Fail fast, before reading the stream, when the key is taken or clashes with a folder."""
        if target.is_file():
            raise key_exists(key)
        if target.is_dir():
            raise folder_clash(key, key)
        ancestor = _first_file_ancestor(self.root, key)
        if ancestor is not None:
            raise folder_clash(key, ancestor)

    def _create_temp(self, key: str, directory: Path, unsynced: _Unsynced | None = None) -> tuple[int, Path]:
        """Create the parent folders durably and an exclusive temp file in the target's own folder.

        The same folder guarantees the final ``link`` stays on one file system (so it is atomic).
        """
        try:
            return _create_temp_in(self.root, directory, unsynced)
        except (FileExistsError, NotADirectoryError) as exc:
            raise folder_clash(key, _first_file_ancestor(self.root, key) or key) from exc

    @staticmethod
    def _write_stream(fd: int, stream: BinaryIO) -> tuple[str, int]:
        """Copy the stream into ``fd`` in CHUNK_SIZE pieces, hashing exactly the bytes written."""
        digest = hashlib.sha256()
        buffer = bytearray(CHUNK_SIZE)
        view = memoryview(buffer)
        length = 0
        while True:
            got = fill(stream, view)
            if not got:
                break
            chunk = view[:got]
            digest.update(chunk)
            while chunk:
                chunk = chunk[os.write(fd, chunk):]
            length += got
            if got < CHUNK_SIZE:
                break
        return digest.hexdigest(), length

    def _link_no_replace(self, key: str, temp: Path, target: Path) -> None:
        """Give the temp file its final name, refusing (never replacing) a name that already exists."""
        try:
            os.link(temp, target)
        except FileExistsError:
            if target.is_dir():
                raise folder_clash(key, key) from None
            raise key_exists(key) from None
        except OSError as exc:
            if exc.errno in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                raise StorageError(f"The file system under {self.root} does not support hard links, which the local "
                                   "store needs to create objects without overwriting; use a local ext4/xfs/btrfs "
                                   "folder.") from exc
            raise

    def _sidecar_path(self, key: str) -> Path:
        name = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.root / META_DIR / name[:2] / f"{name}.json"

    def _write_sidecar(self, key: str, size: int, digest: str, content_type: str,
                       unsynced: _Unsynced | None = None) -> None:
        """Record size and digest; the object is already ours, so replacing a stale sidecar is safe."""
        path = self._sidecar_path(key)
        record = {"key": key, "size": size, "sha256": digest, "algorithm": DIGEST_ALGORITHM,
                  "content_type": content_type, "stored": datetime.now(timezone.utc).isoformat()}
        fd, temp = _create_temp_in(self.root, path.parent, unsynced)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(record, fh, ensure_ascii=False)
                fh.flush()
                if unsynced is None:
                    os.fsync(fh.fileno())
            os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)
        if unsynced is None:
            _fsync_dir(path.parent)
        else:
            unsynced.paths.update((path, path.parent))

    def _read_sidecar(self, key: str) -> dict[str, object]:
        """The recorded metadata, or {} when a crash came between creating the object and its sidecar."""
        try:
            return json.loads(self._sidecar_path(key).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise StorageError(f"The metadata file of {key} ({self._sidecar_path(key)}) cannot be read ({exc}); "
                               "restore it from backup or run verify with the digest from the catalog.") from exc

    # -- reading ---------------------------------------------------------------------------------

    def _open(self, key: str) -> FileIO:
        path = self.root / validate_key(key)
        try:
            if not path.is_file():
                raise object_missing(key)
            return open(path, "rb", buffering=0)
        except FileNotFoundError:
            raise object_missing(key) from None
        except OSError as exc:
            raise _io_error(f"read {key}", self.root, exc) from exc

    def get(self, key: str) -> Iterator[bytes]:
        """Chunks of the object; opening happens now, so a missing key fails here, not at first ``next``."""
        return self._chunks(key, self._open(key))

    @staticmethod
    def _chunks(key: str, fh: FileIO) -> Iterator[bytes]:
        with fh:
            while True:
                try:
                    chunk = fh.read(CHUNK_SIZE)
                except OSError as exc:
                    raise StorageError(f"Reading {key} failed ({exc.strerror}); the disk may be failing. Check the "
                                       "system log and verify the object.") from exc
                if not chunk:
                    return
                yield chunk

    def head(self, key: str) -> ObjectInfo:
        """Size from the file itself, digest and content type from the sidecar."""
        with self._open(key) as fh:
            stat = os.fstat(fh.fileno())
        record = self._read_sidecar(key)
        return ObjectInfo(
            key=key, size=stat.st_size, sha256=record.get("sha256"),  # type: ignore[arg-type]
            modified=datetime.fromtimestamp(stat.st_mtime, timezone.utc),
            extra={"content_type": str(record.get("content_type", "application/octet-stream"))})

    def exists(self, key: str) -> bool:
        return (self.root / validate_key(key)).is_file()

    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys starting with ``prefix``, in the same (code point = UTF-8 byte) order S3 lists them."""
        validate_prefix(prefix)
        folder, _, name_start = prefix.rpartition("/")
        start = self.root / folder if folder else self.root
        base = f"{folder}/" if folder else ""
        if start.is_dir():
            yield from self._walk(start, base, name_start)

    def _walk(self, directory: Path, base: str, name_start: str) -> Iterator[str]:
        """Depth-first, streaming: siblings sorted as ``name/`` for folders and ``name`` for files.

        That sibling order makes a depth-first walk emit keys in global sorted order ('a-b' before
        'a/c' because '-' < '/'), so a listing of millions of keys never has to be held in memory.
        """
        try:
            with os.scandir(directory) as entries:
                found = [(entry.name + "/" if entry.is_dir(follow_symlinks=False) else entry.name, entry)
                         for entry in entries
                         if entry.name.startswith(name_start) and not entry.name.startswith(".")]
        except FileNotFoundError:
            return
        for sort_name, entry in sorted(found, key=lambda item: item[0]):
            if sort_name.endswith("/"):
                yield from self._walk(Path(entry.path), base + sort_name, "")
            elif entry.is_file(follow_symlinks=False) and _is_utf8(entry.name):
                yield base + entry.name

    def verify(self, key: str, expected_sha256: str) -> VerifyResult:
        """Re-read and re-hash the bytes on disk; the sidecar is only consulted to explain a size change."""
        expected = normalise_sha256(expected_sha256, "expected_sha256") or ""
        try:
            fh = self._open(key)
        except ObjectMissing:
            return VerifyResult(key, False, expected, None, None,
                                f"{object_missing(key)} Restore it from a replica or backup.")
        digest = hashlib.sha256()
        buffer = bytearray(CHUNK_SIZE)
        view = memoryview(buffer)
        length = 0
        with fh:
            try:
                while got := fh.readinto(view):
                    digest.update(view[:got])
                    length += got
            except OSError as exc:
                raise StorageError(f"Reading {key} for verification failed ({exc.strerror}); the disk may be failing. "
                                   "Check the system log, then restore the object from a replica.") from exc
        actual = digest.hexdigest()
        if actual == expected:
            return VerifyResult(key, True, expected, actual, length, f"{key}: {length} bytes, SHA-256 matches.")
        recorded = self._read_sidecar(key).get("size")
        size_note = (f" It is {length} bytes long but was stored with {recorded} bytes."
                     if isinstance(recorded, int) and recorded != length else "")
        return VerifyResult(key, False, expected, actual, length,
                            f"{key} has SHA-256 {actual}, not the expected {expected}: the stored copy is damaged."
                            f"{size_note} Restore it from a replica or backup and record the incident.")

    def restore(self, key: str, stream: BinaryIO, *, expected_sha256: str, size: int | None = None,
                content_type: str = "application/octet-stream", retain: bool = False) -> StoredObject:
        """Replace a missing or damaged file by a new one with the expected digest (see ``ObjectStore``).

        The new file is written and checked beside the old one, then renamed over it: at every
        moment the key holds either the damaged file or the complete repaired one.
        """
        key = validate_key(key)
        expected = normalise_sha256(expected_sha256) or ""
        check_size_argument(size)
        if self.verify(key, expected).ok:
            raise StorageError(f"{key} is intact (its SHA-256 matches); a sound object is never replaced.")
        target = self.root / key
        try:
            fd, temp = _create_temp_in(self.root, target.parent)
            try:
                try:
                    digest, length = self._write_stream(fd, stream)
                    if size is not None and length != size:
                        raise size_mismatch(key, size, length)
                    if digest != expected:
                        raise DigestMismatch(key, expected, digest)
                    os.fchmod(fd, 0o444)
                    os.fsync(fd)
                finally:
                    os.close(fd)
                if target.is_dir():
                    raise folder_clash(key, key)
                os.replace(temp, target)
            finally:
                temp.unlink(missing_ok=True)
            _fsync_dir(target.parent)
            self._write_sidecar(key, length, digest, content_type)
        except OSError as exc:
            raise _io_error(f"restore {key}", self.root, exc) from exc
        return StoredObject(key=key, size=length, sha256=digest)

    # -- deleting and health ---------------------------------------------------------------------

    def delete(self, key: str, grant: DeletionGrant) -> None:
        """Remove object and sidecar, then the folders that became empty (S3 has no empty folders)."""
        check_grant(grant)
        target = self.root / validate_key(key)
        try:
            if not target.is_file():
                raise object_missing(key)
            target.unlink()
            _fsync_dir(target.parent)
            sidecar = self._sidecar_path(key)
            sidecar.unlink(missing_ok=True)
            _remove_empty_dirs(self.root, target.parent)
            _remove_empty_dirs(self.root, sidecar.parent)
        except FileNotFoundError:
            raise object_missing(key) from None
        except OSError as exc:
            raise _io_error(f"delete {key} (disposal decision {grant.decision_id})", self.root, exc) from exc

    def ensure(self) -> None:
        """The folder is created when the store is opened; nothing else to prepare."""

    def sweep_abandoned_uploads(self, older_than_seconds: float) -> int:
        """Remove upload temp files left by writers that died mid-put; returns how many.

        A temp file is never an object (``list`` skips it) and no put stays open for long, so one
        older than the cut-off belongs to a dead writer. S3 does the same with a lifecycle rule that
        aborts incomplete multipart uploads.
        """
        cutoff, removed = time.time() - older_than_seconds, 0
        for temp in self.root.rglob(f"{TEMP_PREFIX}*"):
            try:
                if temp.is_file() and temp.stat().st_mtime < cutoff:
                    temp.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    def health(self) -> str:
        """One line on where objects live and how much room is left; raises when the folder is unusable."""
        if not self.root.is_dir():
            raise StorageError(f"The object folder {self.root} does not exist; create it or fix the data directory "
                               "setting.")
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageError(f"The object folder {self.root} is not writable by this user; fix its permissions.")
        free = shutil.disk_usage(self.root).free
        return f"local files in {self.root.resolve()}, {free / 2**30:.1f} GiB free"


class _FileLock:
    """An exclusive ``flock`` held for a ``with`` block; released by the kernel if the process dies."""

    def __init__(self, root: Path, path: Path) -> None:
        self.root, self.path, self._fd = root, path, -1

    def __enter__(self) -> _FileLock:
        _make_dirs_durably(self.root, self.path.parent)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)


def _first_file_ancestor(root: Path, key: str) -> str | None:
    """The shortest proper prefix of ``key`` that is stored as an object, if any."""
    parts = key.split("/")
    for depth in range(1, len(parts)):
        if (root / "/".join(parts[:depth])).is_file():
            return "/".join(parts[:depth])
    return None


def _is_utf8(name: str) -> bool:
    """False for file names that were not valid UTF-8 on disk (Python decodes them with surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _fsync_dir(directory: Path) -> None:
    """Make a directory's entries (a new name, a removed name) survive a power cut."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_path(path: Path) -> None:
    """fsync a file or a folder by name (the read-only objects are opened read-only, which Linux allows).

    A path gone since it was noted (a failed put removes its temp file and the folders it made) has
    nothing left to make durable.
    """
    try:
        fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0))
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _create_temp_in(root: Path, directory: Path, unsynced: _Unsynced | None = None) -> tuple[int, Path]:
    """An exclusive, private temp file in ``directory``, creating the folders below ``root`` first."""
    for _ in range(_CREATE_ATTEMPTS):
        temp = directory / f"{TEMP_PREFIX}{uuid.uuid4().hex}"
        try:
            _make_dirs_durably(root, directory, unsynced)
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600), temp
        except FileNotFoundError:
            continue
    raise StorageError(f"Could not create a temporary file in {directory}: the folder kept disappearing "
                       "(concurrent deletions). Try again.")


def _make_dirs_durably(root: Path, directory: Path, unsynced: _Unsynced | None = None) -> None:
    """``mkdir -p`` below ``root`` that fsyncs each parent whose entries it changed (or has ``unsynced`` do so)."""
    missing: list[Path] = []
    current = directory
    while current != root and not current.is_dir():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:
            if not path.is_dir():
                raise
            continue
        if unsynced is None:
            _fsync_dir(path.parent)
        else:
            unsynced.paths.add(path.parent)


def _remove_empty_dirs(root: Path, directory: Path) -> None:
    """Remove now-empty folders up to ``root``, so a deleted key's folder can become an object again."""
    current = directory
    while current != root:
        try:
            current.rmdir()
        except OSError:
            return
        _fsync_dir(current.parent)
        current = current.parent


def _io_error(action: str, root: Path, exc: OSError) -> StorageError:
    """Turn an unexpected OS error into a sentence an operator can act on."""
    hints = {errno.ENOSPC: "the disk is full; free space or move the data directory",
             errno.EDQUOT: "the disk quota is exhausted; raise it or free space",
             errno.EACCES: "permission denied; fix the ownership or mode of the object folder",
             errno.EROFS: "the file system is read-only; remount it read-write",
             errno.EIO: "an input/output error occurred; the disk may be failing, check the system log"}
    hint = hints.get(exc.errno or 0, "check the object folder and the system log")
    return StorageError(f"Could not {action} under {root}: {exc.strerror or exc}; {hint}.")
