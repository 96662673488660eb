"""AIPs as OCFL 1.1 objects on the local backend: versions, tampering, interrupted writes.

Every object written is checked by our strict validator and, independently, by ocfl-py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest

from ingest.package import (
    Finding,
    OcflStorage,
    PackageSpec,
    SchemaSet,
    UncommittedVersion,
    build_package,
    object_path,
    read_package,
    validate_storage_root,
)
from ingest.package.build import Package, PackageEntry
from storage.base import DeletionGrant, StorageError, StoredObject
from storage.local import LocalObjectStore
from tests.package.conftest import CREATED, file_description, ocfl_py_validates

USER = "Nguyễn Văn An"


def write(ocfl: OcflStorage, package: Package, message: str = "Nhập AIP") -> None:
    ocfl.write_version(package.objid, package.entries, created=CREATED, message=message, user_name=USER,
                       user_address="mailto:an@luutru.gov.vn")


def assert_valid(store: LocalObjectStore) -> None:
    assert validate_storage_root(store) == []
    assert ocfl_py_validates(store.root / "ocfl")


def codes(findings: list[Finding]) -> set[tuple[str, str]]:
    return {(finding.code, finding.key) for finding in findings}


def test_first_version_is_a_valid_ocfl_object(aip_spec: Callable[..., PackageSpec], schemas: SchemaSet,
                                              ocfl: OcflStorage, store: LocalObjectStore) -> None:
    package = build_package(aip_spec(), "AIP", schemas)
    write(ocfl, package)
    assert_valid(store)
    inventory = ocfl.inventory(package.objid)
    assert inventory["head"] == "v1" and inventory["digestAlgorithm"] == "sha512"
    assert inventory["versions"]["v1"]["user"] == {"name": USER, "address": "mailto:an@luutru.gov.vn"}
    master = package.entry("representations/rep1/data/vn002.pdf")
    assert inventory["fixity"]["sha256"][master.sha256] == ["v1/content/representations/rep1/data/vn002.pdf"]
    root = store.root / "ocfl" / object_path(package.objid)
    assert (root / "0=ocfl_object_1.1").read_text() == "ocfl_object_1.1\n"
    assert (root / "inventory.json").read_bytes() == (root / "v1" / "inventory.json").read_bytes()
    assert list(ocfl.object_ids()) == [package.objid]


def test_a_metadata_correction_is_version_2_and_leaves_version_1_intact(
        aip_spec: Callable[..., PackageSpec], schemas: SchemaSet, ocfl: OcflStorage, store: LocalObjectStore) -> None:
    spec = aip_spec()
    first = build_package(spec, "AIP", schemas)
    write(ocfl, first)
    base = store.root / "ocfl" / object_path(first.objid)
    before = {path: path.read_bytes() for path in base.rglob("*") if path.is_file() and "v1" in path.parts}
    corrected = dataclasses.replace(spec, description=file_description(title="Hồ sơ Quy chế (đã hiệu đính)"),
                                    modified=CREATED)
    second = build_package(corrected, "AIP", schemas)
    result = ocfl.write_version(second.objid, second.entries, created=CREATED, message="Hiệu đính tiêu đề",
                                user_name=USER, user_address="mailto:an@luutru.gov.vn")
    assert result.version == "v2"
    assert not any("/data/" in key for key in result.keys_written), "unchanged content must not be stored again"
    assert {path: path.read_bytes() for path in before} == before
    assert_valid(store)
    for version, expected in (("v1", spec), ("v2", corrected)):
        read = read_package(ocfl.openers(first.objid, version), schemas, source=version, expected_type="AIP")
        assert read.spec == expected


class Unreadable(io.RawIOBase):
    """A source that fails after some bytes, as when a staging disk dies during ingest."""

    def __init__(self, data: bytes) -> None:
        self._data, self._sent = data, False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._sent:
            raise OSError("staging disk failed")
        size = min(len(buffer), len(self._data) // 2)
        buffer[:size] = self._data[:size]
        self._sent = True
        return size


def test_crash_between_content_writes_keeps_the_previous_version(
        aip_spec: Callable[..., PackageSpec], schemas: SchemaSet, ocfl: OcflStorage, store: LocalObjectStore) -> None:
    spec = aip_spec()
    first = build_package(spec, "AIP", schemas)
    write(ocfl, first)
    corrected = build_package(dataclasses.replace(spec, description=file_description(title="Tiêu đề mới")),
                              "AIP", schemas)
    entries = list(corrected.entries)
    # A new title changes METS.xml, EAD.xml and PREMIS.xml, written in that order; PREMIS.xml fails mid-stream.
    failing = next(i for i, e in enumerate(entries) if e.path == "metadata/preservation/PREMIS.xml")
    data = entries[failing].source
    entries[failing] = PackageEntry(entries[failing].path, entries[failing].size, entries[failing].sha256,
                                    lambda: Unreadable(data))  # type: ignore[arg-type]
    with pytest.raises(StorageError, match="staging disk failed"):
        ocfl.write_version(corrected.objid, entries, created=CREATED, message="v2", user_name=USER)
    assert ocfl.inventory(first.objid)["head"] == "v1"
    assert read_package(ocfl.openers(first.objid), schemas, source="v1").spec == spec
    findings = validate_storage_root(store)
    base = f"ocfl/{object_path(first.objid)}"
    assert codes(findings) == {("E046", f"{base}/v2")}, findings
    assert ocfl.uncommitted(first.objid) == [f"{base}/v2/content/METS.xml",
                                             f"{base}/v2/content/metadata/descriptive/EAD.xml"]
    write(ocfl, corrected, "v2 resumed")
    assert ocfl.inventory(first.objid)["head"] == "v2"
    assert_valid(store)


class CrashingStore:
    """The real local store, with a crash injected when a chosen key is about to be written."""

    def __init__(self, inner: LocalObjectStore, crash_at: Callable[[str], bool]) -> None:
        self.inner, self.crash_at = inner, crash_at
        self.name = inner.name

    def put(self, key: str, stream: BinaryIO, **kwargs: object) -> StoredObject:
        if self.crash_at(key):
            raise RuntimeError(f"power lost before {key}")
        return self.inner.put(key, stream, **kwargs)  # type: ignore[arg-type]

    def replace(self, key: str, data: bytes, **kwargs: object) -> StoredObject:
        if self.crash_at(key):
            raise RuntimeError(f"power lost before {key}")
        return self.inner.replace(key, data, **kwargs)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_crash_before_the_commit_marker(aip_spec: Callable[..., PackageSpec], schemas: SchemaSet,
                                        store: LocalObjectStore) -> None:
    spec = aip_spec()
    first = build_package(spec, "AIP", schemas)
    write(OcflStorage(store), first)
    second = build_package(dataclasses.replace(spec, description=file_description(keyword="quy chế")), "AIP", schemas)
    crashing = OcflStorage(CrashingStore(store, lambda key: key.endswith("v2/inventory.json.sha512")))  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="power lost"):
        write(crashing, second)
    ocfl = OcflStorage(store)
    assert ocfl.inventory(first.objid)["head"] == "v1"
    assert {finding.code for finding in validate_storage_root(store)} == {"E046"}
    write(ocfl, second)
    assert_valid(store)


def test_crash_after_the_commit_before_the_root_inventory(aip_spec: Callable[..., PackageSpec], schemas: SchemaSet,
                                                          store: LocalObjectStore) -> None:
    spec = aip_spec()
    first = build_package(spec, "AIP", schemas)
    write(OcflStorage(store), first)
    second = build_package(dataclasses.replace(spec, description=file_description(keyword="quy chế")), "AIP", schemas)
    root_key = f"ocfl/{object_path(first.objid)}/inventory.json"
    crashing = OcflStorage(CrashingStore(store, lambda key: key == root_key))  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="power lost"):
        write(crashing, second)
    ocfl = OcflStorage(store)
    assert ocfl.inventory(first.objid)["head"] == "v2", "the committed version is what readers see"
    # The root copy was never removed: it still describes v1, whole, and only v2 is not yet in it.
    assert json.loads(b"".join(store.get(root_key)))["head"] == "v1"
    assert codes(validate_storage_root(store)) == {("E046", f"ocfl/{object_path(first.objid)}/v2")}
    assert ocfl.repair(first.objid) is True
    assert_valid(store)


def test_different_content_over_an_interrupted_version_needs_a_grant(
        aip_spec: Callable[..., PackageSpec], schemas: SchemaSet, store: LocalObjectStore) -> None:
    spec = aip_spec()
    first = build_package(spec, "AIP", schemas)
    write(OcflStorage(store), first)
    attempt = build_package(dataclasses.replace(spec, description=file_description(keyword="lần 1")), "AIP", schemas)
    crashing = OcflStorage(CrashingStore(store, lambda key: key.endswith("v2/inventory.json")))  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        write(crashing, attempt)
    other = build_package(dataclasses.replace(spec, description=file_description(keyword="lần 2")), "AIP", schemas)
    ocfl = OcflStorage(store)
    with pytest.raises(UncommittedVersion) as caught:
        write(ocfl, other)
    base = f"ocfl/{object_path(first.objid)}/v2"
    assert caught.value.version == "v2"
    assert set(caught.value.keys) == {f"{base}/content/METS.xml", f"{base}/content/metadata/descriptive/EAD.xml"}
    removed = ocfl.discard_uncommitted(first.objid, DeletionGrant("QĐ-12/2025", "Trần Thị Bình",
                                                                  "bản ghi dở dang sau sự cố mất điện"))
    assert removed and all("/v2/" in key for key in removed)
    write(ocfl, other)
    assert_valid(store)


def _stored(store: LocalObjectStore, objid: str, relative: str) -> Path:
    path = store.root / "ocfl" / object_path(objid) / relative
    os.chmod(path, 0o644)
    return path


@pytest.fixture()
def stored_aip(aip_spec: Callable[..., PackageSpec], schemas: SchemaSet, ocfl: OcflStorage) -> Package:
    package = build_package(aip_spec(with_access=False), "AIP", schemas)
    write(ocfl, package)
    return package


def test_one_changed_byte_in_content_is_named(stored_aip: Package, store: LocalObjectStore) -> None:
    relative = "v1/content/representations/rep1/data/vn002.pdf"
    path = _stored(store, stored_aip.objid, relative)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    key = f"ocfl/{object_path(stored_aip.objid)}/{relative}"
    assert codes(validate_storage_root(store)) == {("E092", key), ("E093", key)}
    assert not ocfl_py_validates(store.root / "ocfl")


def test_one_changed_byte_in_the_inventory_is_named(stored_aip: Package, store: LocalObjectStore) -> None:
    path = _stored(store, stored_aip.objid, "inventory.json")
    inventory = json.loads(path.read_bytes())
    inventory["versions"]["v1"]["message"] = "Nhập AIQ"
    path.write_bytes(json.dumps(inventory, indent=2, ensure_ascii=False).encode() + b"\n")
    base = f"ocfl/{object_path(stored_aip.objid)}"
    assert codes(validate_storage_root(store)) == {("E060", f"{base}/inventory.json"),
                                                    ("E064", f"{base}/v1/inventory.json")}


def test_a_removed_file_is_named(stored_aip: Package, store: LocalObjectStore) -> None:
    relative = "v1/content/metadata/descriptive/EAD.xml"
    _stored(store, stored_aip.objid, relative).unlink()
    assert codes(validate_storage_root(store)) == {("E092", f"ocfl/{object_path(stored_aip.objid)}/{relative}")}


def test_an_extra_file_is_named(stored_aip: Package, store: LocalObjectStore) -> None:
    extra = f"ocfl/{object_path(stored_aip.objid)}/v1/content/representations/rep1/data/extra.pdf"
    store.put(extra, io.BytesIO(b"%PDF-1.4 not part of the package"))
    assert codes(validate_storage_root(store)) == {("E023", extra)}


def test_storage_root_declaration_and_layout_are_checked(stored_aip: Package, store: LocalObjectStore) -> None:
    os.chmod(store.root / "ocfl" / "0=ocfl_1.1", 0o644)
    (store.root / "ocfl" / "0=ocfl_1.1").unlink()
    store.put("ocfl/abc/stray.txt", io.BytesIO(b"not an object"))
    assert codes(validate_storage_root(store)) == {("E069", "ocfl/0=ocfl_1.1"), ("E072", "ocfl/abc/stray.txt")}


def test_layout_matches_extension_0003() -> None:
    digest = hashlib.sha256(b"urn:uuid:0b0e3e8a-7c6d-4f5e-9a1b-2c3d4e5f6a7b").hexdigest()
    assert object_path("urn:uuid:0b0e3e8a-7c6d-4f5e-9a1b-2c3d4e5f6a7b") == (
        f"{digest[:3]}/{digest[3:6]}/{digest[6:9]}/urn%3auuid%3a0b0e3e8a-7c6d-4f5e-9a1b-2c3d4e5f6a7b")
    long_id = "x" * 150
    assert object_path(long_id).endswith("/" + "x" * 100 + "-" + hashlib.sha256(long_id.encode()).hexdigest())


def test_a_dead_writers_differing_leftovers_are_swapped_when_asked(
        aip_spec: Callable[..., PackageSpec], schemas: SchemaSet, store: LocalObjectStore) -> None:
    """The package changed between the killed write and the retry (new events): the retry completes v2."""
    spec = aip_spec()
    first = build_package(spec, "AIP", schemas)
    write(OcflStorage(store), first)
    killed = build_package(dataclasses.replace(spec, description=file_description(keyword="quy chế")), "AIP", schemas)
    crashing = OcflStorage(CrashingStore(store, lambda key: key.endswith("v2/inventory.json.sha512")))  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="power lost"):
        write(crashing, killed)
    retried = build_package(dataclasses.replace(spec, description=file_description(keyword="quy chế, CSDL")), "AIP",
                            schemas)
    ocfl = OcflStorage(store)
    with pytest.raises(UncommittedVersion):
        write(ocfl, retried)
    ocfl.write_version(retried.objid, retried.entries, created=CREATED, message="retry", user_name=USER,
                       user_address="mailto:an@luutru.gov.vn", rewrite_leftovers=True)
    assert_valid(store)
    stored = read_package(ocfl.openers(retried.objid), schemas, source="v2")
    assert stored.spec.description.keyword == "quy chế, CSDL"  # type: ignore[union-attr]


def test_a_damaged_declaration_of_an_uncommitted_object_is_remade(
        aip_spec: Callable[..., PackageSpec], schemas: SchemaSet, store: LocalObjectStore) -> None:
    """What a power cut can leave of a declaration written before the first commit (made durable with it)."""
    package = build_package(aip_spec(), "AIP", schemas)
    ocfl = OcflStorage(store)
    store.put(f"{ocfl.object_root(package.objid)}/0=ocfl_object_1.1", io.BytesIO(b"ocfl_obj"))
    write(ocfl, package)
    assert ocfl.inventory(package.objid)["head"] == "v1"
    assert_valid(store)
