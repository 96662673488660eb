"""BagIt export: every bag must pass the LoC bagit library and ``bagit.py --validate``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import bagit
import pytest

from ingest.package import (
    OcflStorage,
    PackageError,
    PackageSpec,
    SchemaSet,
    build_package,
    export_bag,
    read_package,
    validate_storage_root,
)
from storage.local import LocalObjectStore
from tests.package.conftest import CREATED

BAGIT = str(Path(sys.executable).parent / "bagit.py")


def validate_cli(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BAGIT, "--validate", str(path)], capture_output=True, text=True)


def test_exported_bag_is_valid_and_carries_the_required_tags(aip_spec: Callable[..., PackageSpec],
                                                            schemas: SchemaSet, tmp_path: Path) -> None:
    package = build_package(aip_spec(), "AIP", schemas)
    bag = export_bag(package, tmp_path / "bag", source_organization="Trung tâm Lưu trữ quốc gia III",
                     bagging_date=date(2025, 7, 2))
    result = validate_cli(tmp_path / "bag")
    assert result.returncode == 0, result.stderr
    info = bagit.Bag(str(tmp_path / "bag")).info
    octets = sum(entry.size for entry in package.entries)
    assert info["Source-Organization"] == "Trung tâm Lưu trữ quốc gia III"
    assert info["Bagging-Date"] == "2025-07-02"
    assert info["External-Identifier"] == package.objid
    assert info["Payload-Oxum"] == f"{octets}.{len(package.entries)}"
    assert set(bag.algorithms) == {"sha256", "sha512"}
    assert (tmp_path / "bag" / "manifest-sha256.txt").is_file() and (tmp_path / "bag" / "manifest-sha512.txt").is_file()
    assert (tmp_path / "bag" / "data" / package.folder / "METS.xml").is_file()


def test_bag_from_a_stored_aip(aip_spec: Callable[..., PackageSpec], schemas: SchemaSet, tmp_path: Path,
                               store: LocalObjectStore) -> None:
    """Export reads the package back from OCFL storage, as `luutru export --format bag` will."""
    package = build_package(aip_spec(), "AIP", schemas)
    ocfl = OcflStorage(store)
    ocfl.write_version(package.objid, package.entries, created=CREATED, message="v1", user_name="a",
                       user_address="mailto:a@luutru.gov.vn")
    assert validate_storage_root(store) == []
    stored = read_package(ocfl.openers(package.objid), schemas, source="ocfl", expected_type="AIP")
    rebuilt = build_package(stored.spec, "AIP", schemas)
    assert [(e.path, e.sha256) for e in rebuilt.entries] == [(e.path, e.sha256) for e in package.entries]
    export_bag(rebuilt, tmp_path / "bag", source_organization="TTLTQG III")
    assert validate_cli(tmp_path / "bag").returncode == 0


def test_a_damaged_bag_fails_bagit_validation(aip_spec: Callable[..., PackageSpec], schemas: SchemaSet,
                                              tmp_path: Path) -> None:
    package = build_package(aip_spec(with_access=False), "AIP", schemas)
    export_bag(package, tmp_path / "bag", source_organization="TTLTQG III")
    target = tmp_path / "bag" / "data" / package.folder / "metadata" / "descriptive" / "EAD.xml"
    target.write_bytes(target.read_bytes().replace(b"01", b"02", 1))
    result = validate_cli(tmp_path / "bag")
    assert result.returncode != 0 and "EAD.xml" in result.stderr


def test_export_never_reuses_a_folder(aip_spec: Callable[..., PackageSpec], schemas: SchemaSet,
                                      tmp_path: Path) -> None:
    (tmp_path / "bag").mkdir()
    with pytest.raises(PackageError, match="already exists"):
        export_bag(build_package(aip_spec(with_access=False), "AIP", schemas), tmp_path / "bag",
                   source_organization="x")
