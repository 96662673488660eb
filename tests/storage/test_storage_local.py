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


def test_deferred_sync_makes_every_new_file_and_folder_durable_when_the_block_ends(
        store: LocalObjectStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside the block nothing is fsynced; at its end every object, sidecar and changed folder is."""
    synced: list[Path] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        synced.append(Path(os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    keys = ["ocfl/a/v1/content/METS.xml", "ocfl/a/v1/content/representations/rep1/data/văn-bản.pdf"]
    with store.deferred_sync():
        for key in keys:
            store.put(key, io.BytesIO(key.encode()))
        assert synced == [], "nothing is fsynced inside the block"
    objects = {store.root / key for key in keys}
    sidecars = {store._sidecar_path(key) for key in keys}
    folders = {store.root / "ocfl", store.root / "ocfl/a", store.root / "ocfl/a/v1/content/representations/rep1/data",
               store.root / ".meta", *(path.parent for path in sidecars)}
    assert objects | sidecars | folders <= set(synced)
    assert len(synced) == len(set(synced)), "each path once"
    synced.clear()
    store.put(KEY, io.BytesIO(b"content"))
    assert store.root / KEY not in synced and (store.root / KEY).parent in synced, "outside the block: as before"


def test_a_failed_put_inside_deferred_sync_fails_with_its_own_error(store: LocalObjectStore) -> None:
    """The folders a refused put made and removed again are not an error when the block ends."""
    with pytest.raises(StorageError, match="SHA-256"), store.deferred_sync():
        store.put("ocfl/new/v1/content/METS.xml", io.BytesIO(b"content"), expected_sha256="0" * 64)
    assert not (store.root / "ocfl").exists()
