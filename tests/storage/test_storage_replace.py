"""Compare-and-swap ``replace``: the one way an object changes, identical on the local backend and MinIO.

Used for the OCFL object-root inventory, which must follow the head version: the swap happens only
from the digest the writer read, two writers cannot both win, and a writer killed mid-write leaves
the previous bytes whole and readable.
"""

from __future__ import annotations

import hashlib
import io
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from storage.base import KeyExists, ObjectMissing, StaleObject
from tests.conftest import S3_ACCESS_KEY, S3_SECRET_KEY
from tests.storage.support import Backend, MiB

KEY = "ocfl/abc/đối-tượng/inventory.json"
OLD = b'{"head": "v1"}\n'
NEW = b'{"head": "v2"}\n'


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content(backend: Backend) -> bytes:
    return b"".join(backend.store.get(KEY))


def test_replace_swaps_only_from_the_expected_digest(backend: Backend) -> None:
    store = backend.store
    created = store.replace(KEY, OLD, expected_sha256=None, content_type="application/json")
    assert (created.size, created.sha256) == (len(OLD), sha(OLD))
    with pytest.raises(KeyExists):
        store.replace(KEY, NEW, expected_sha256=None)
    with pytest.raises(StaleObject):
        store.replace(KEY, NEW, expected_sha256=sha(b"something else"))
    assert content(backend) == OLD
    swapped = store.replace(KEY, NEW, expected_sha256=sha(OLD), content_type="application/json")
    assert (swapped.key, swapped.size, swapped.sha256) == (KEY, len(NEW), sha(NEW))
    assert content(backend) == NEW
    assert store.head(KEY).sha256 == sha(NEW)
    assert store.verify(KEY, sha(NEW)).ok
    with pytest.raises(StaleObject):
        store.replace(KEY, OLD, expected_sha256=sha(OLD))   # the digest that was read is no longer current
    assert list(store.list()) == [KEY]


def test_replace_of_a_missing_object_is_refused(backend: Backend) -> None:
    with pytest.raises((StaleObject, ObjectMissing)):
        backend.store.replace(KEY, NEW, expected_sha256=sha(OLD))
    assert not backend.store.exists(KEY)


def test_two_writers_from_the_same_read_exactly_one_wins(backend: Backend) -> None:
    backend.store.put(KEY, io.BytesIO(OLD))
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def writer(number: int) -> None:
        store = backend.make()
        barrier.wait()
        try:
            store.replace(KEY, b'{"writer": %d}\n' % number, expected_sha256=sha(OLD))
            outcomes.append(f"won {number}")
        except StaleObject:
            outcomes.append("stale")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [o for o in outcomes if o.startswith("won")]
    assert len(winners) == 1 and outcomes.count("stale") == 3, outcomes
    assert content(backend) == b'{"writer": %s}\n' % winners[0].split()[1].encode()


def test_writer_killed_mid_replace_leaves_the_previous_version_readable(backend: Backend) -> None:
    """SIGKILL a process while it sends a large replacement: the old bytes stay, whole, under the key."""
    backend.store.put(KEY, io.BytesIO(OLD))
    if backend.kind == "local":
        make = f"LocalObjectStore({str(backend.root)!r})"
        imports = "from storage.local import LocalObjectStore"
    else:
        store = backend.store
        make = (f"S3ObjectStore({store.endpoint!r}, {store.bucket!r}, {S3_ACCESS_KEY!r}, "  # type: ignore[attr-defined]
                f"{S3_SECRET_KEY!r})")
        imports = "from storage.s3 import S3ObjectStore"
    script = textwrap.dedent(f"""
        import sys
        {imports}
        store = {make}
        data = b"x" * ({256 * MiB})
        sys.stdout.write("writing\\n"); sys.stdout.flush()
        store.replace({KEY!r}, data, expected_sha256={sha(OLD)!r})
        sys.stdout.write("done\\n"); sys.stdout.flush()
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, start_new_session=True)
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"writing\n"
    time.sleep(0.4)   # hashing and writing 256 MiB takes well over this
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert content(backend) == OLD
    assert backend.store.verify(KEY, sha(OLD)).ok
    assert list(backend.store.list()) == [KEY]
    # And the next writer, starting from what it reads, succeeds.
    backend.store.replace(KEY, NEW, expected_sha256=sha(OLD))
    assert content(backend) == NEW
