"""The same OCFL objects on the S3 backend (MinIO with object lock): versions, root republishing, validation."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable

import pytest

from ingest.package import OcflStorage, PackageSpec, SchemaSet, build_package, read_package, validate_storage_root
from storage.s3 import S3ObjectStore
from tests.conftest import S3_ACCESS_KEY, S3_SECRET_KEY
from tests.package.conftest import CREATED, file_description

pytestmark = pytest.mark.services


def test_versions_on_locked_s3(aip_spec: Callable[..., PackageSpec], schemas: SchemaSet, minio_endpoint: str,
                               s3_bucket: str) -> None:
    store = S3ObjectStore(minio_endpoint, s3_bucket, S3_ACCESS_KEY, S3_SECRET_KEY, lock_mode="GOVERNANCE",
                          lock_days=1)
    ocfl = OcflStorage(store)
    spec = aip_spec()
    first = build_package(spec, "AIP", schemas)
    ocfl.write_version(first.objid, first.entries, created=CREATED, message="v1", user_name="An",
                       user_address="mailto:an@luutru.gov.vn")
    corrected = dataclasses.replace(spec, description=file_description(title="Tiêu đề đã hiệu đính"), modified=CREATED)
    second = build_package(corrected, "AIP", schemas)
    ocfl.write_version(second.objid, second.entries, created=CREATED, message="v2", user_name="An",
                       user_address="mailto:an@luutru.gov.vn")
    assert validate_storage_root(store) == []
    assert read_package(ocfl.openers(first.objid, "v1"), schemas, source="s3 v1").spec == spec
    assert read_package(ocfl.openers(first.objid), schemas, source="s3 v2").spec == corrected
    content = ocfl.files(first.objid)["representations/rep1/data/vn002.pdf"].key
    assert store.head(content).retain_until is not None, "preserved content must be under retention"


def test_leftovers_swapped_on_locked_s3(aip_spec: Callable[..., PackageSpec], schemas: SchemaSet,
                                        minio_endpoint: str, s3_bucket: str) -> None:
    """A dead writer's uncommitted, retained files are swapped by conditional PUTs; the result validates."""
    store = S3ObjectStore(minio_endpoint, s3_bucket, S3_ACCESS_KEY, S3_SECRET_KEY, lock_mode="GOVERNANCE",
                          lock_days=1)
    ocfl = OcflStorage(store)
    spec = aip_spec()
    first = build_package(spec, "AIP", schemas)
    ocfl.write_version(first.objid, first.entries, created=CREATED, message="v1", user_name="An",
                       user_address="mailto:an@luutru.gov.vn")
    killed = build_package(dataclasses.replace(spec, description=file_description(keyword="a")), "AIP", schemas)
    base = ocfl.object_root(first.objid)
    stored_before = {entry.sha256 for entry in first.entries}
    for entry in killed.entries:   # what a writer killed before its commit marker leaves behind: its new files
        if entry.sha256 not in stored_before:
            store.put(f"{base}/v2/content/{entry.path}", io.BytesIO(entry.source), retain=True)  # type: ignore[arg-type]
    retried = build_package(dataclasses.replace(spec, description=file_description(keyword="b")), "AIP", schemas)
    ocfl.write_version(retried.objid, retried.entries, created=CREATED, message="v2", user_name="An",
                       user_address="mailto:an@luutru.gov.vn", rewrite_leftovers=True)
    assert validate_storage_root(store) == []
    assert read_package(ocfl.openers(first.objid), schemas, source="s3 v2").spec.description.keyword == "b"  # type: ignore[union-attr]
    ead = ocfl.files(first.objid)["metadata/descriptive/EAD.xml"].key
    assert store.head(ead).retain_until is not None, "a swapped file keeps its retention"
