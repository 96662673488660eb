"""What only the local backend has: files, modes, sidecars and folders on disk."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
from pathlib import Path

import pytest

from storage.base import DeletionGrant, StorageError
from storage.local import LocalObjectStore
from tests.storage.support import FailingStream

GRANT = DeletionGrant(decision_id="QD-1", approved_by="Trưởng phòng", reason="Hết hạn")
KEY = "masters/2024/văn-bản.pdf"


@pytest.fixture()
def store(tmp_path: Path) -> LocalObjectStore:
    return LocalObjectStore(tmp_path / "objects")


def test_objects_are_read_only_files_at_their_key(store: LocalObjectStore) -> None:
    store.put(KEY, io.BytesIO(b"content"))
    path = store.root / KEY
    assert path.read_bytes() == b"content"
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert [p.name for p in path.parent.iterdir()] == ["văn-bản.pdf"], "no temp file may remain"


def test_sidecar_records_digest_size_and_type(store: LocalObjectStore) -> None:
    store.put(KEY, io.BytesIO(b"content"), content_type="application/pdf")
    sidecars = list((store.root / ".meta").rglob("*.json"))
    assert len(sidecars) == 1
    record = json.loads(sidecars[0].read_text(encoding="utf-8"))
    assert record["key"] == KEY
    assert (record["size"], record["sha256"], record["algorithm"]) == (7, hashlib.sha256(b"content").hexdigest(),
                                                                       "SHA-256")
    assert record["content_type"] == "application/pdf"


def test_missing_sidecar_leaves_head_without_digest_but_verify_works(store: LocalObjectStore) -> None:
    """A crash between creating the object and writing its sidecar must not make the object unreadable."""
    store.put(KEY, io.BytesIO(b"content"))
    for sidecar in (store.root / ".meta").rglob("*.json"):
        sidecar.unlink()
    info = store.head(KEY)
    assert (info.size, info.sha256) == (7, None)
    assert store.verify(KEY, hashlib.sha256(b"content").hexdigest()).ok


def test_verify_explains_a_changed_size(store: LocalObjectStore) -> None:
    store.put(KEY, io.BytesIO(b"content"))
    path = store.root / KEY
    os.chmod(path, 0o644)
    path.write_bytes(b"content, then more")
    result = store.verify(KEY, hashlib.sha256(b"content").hexdigest())
    assert not result.ok
    assert "is 18 bytes long but was stored with 7 bytes" in result.message


def test_failed_put_leaves_no_folders_behind(store: LocalObjectStore) -> None:
    with pytest.raises(StorageError):
        store.put("a/b/c/d.pdf", FailingStream(1000))
    assert list(store.root.iterdir()) == []
    store.put("a", io.BytesIO(b"the name is free again"))


def test_delete_removes_sidecar_and_empty_folders(store: LocalObjectStore) -> None:
    store.put(KEY, io.BytesIO(b"content"))
    store.put("masters/other", io.BytesIO(b"stays"))
    store.delete(KEY, GRANT)
    assert not (store.root / "masters/2024").exists()
    assert (store.root / "masters/other").exists()
    assert len(list((store.root / ".meta").rglob("*.json"))) == 1


def test_list_ignores_foreign_entries(store: LocalObjectStore) -> None:
    store.put("a/b", io.BytesIO(b"x"))
    (store.root / "a" / ".DS_Store").write_bytes(b"finder")
    os.symlink(store.root / "a" / "b", store.root / "a" / "link")
    (store.root / "a" / "cache").mkdir()
    with open(os.path.join(os.fsencode(store.root / "a"), b"latin1-\xe9"), "wb") as fh:
        fh.write(b"not a UTF-8 name")
    assert list(store.list()) == ["a/b"]


def test_health_names_the_folder(store: LocalObjectStore) -> None:
    assert str(store.root.resolve()) in store.health()
    store.root.rmdir()
    with pytest.raises(StorageError, match="does not exist"):
        store.health()


def test_root_that_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(StorageError, match="Cannot create the object folder"):
        LocalObjectStore(tmp_path / "file" / "objects")
