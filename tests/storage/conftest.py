"""Fixtures for the storage tests: every contract test runs once per backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from minio import Minio

from storage.base import ObjectStore
from storage.local import LocalObjectStore
from storage.s3 import S3ObjectStore
from tests.conftest import S3_ACCESS_KEY, S3_SECRET_KEY
from tests.storage.support import TEST_PART_SIZE, Backend


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Each contract test runs once per backend: local files in tmp_path, and the real MinIO."""
    if request.param == "local":
        root = tmp_path / "objects"

        def make_local(**_: Any) -> ObjectStore:
            return LocalObjectStore(root)

        yield Backend("local", make_local, make_local(), root=root)
        return
    endpoint = request.getfixturevalue("minio_endpoint")
    bucket = request.getfixturevalue("s3_bucket")

    def make_s3(**overrides: Any) -> ObjectStore:
        options: dict[str, Any] = {"part_size": TEST_PART_SIZE, **overrides}
        return S3ObjectStore(endpoint, bucket, S3_ACCESS_KEY, S3_SECRET_KEY, **options)

    raw = Minio(endpoint, access_key=S3_ACCESS_KEY, secret_key=S3_SECRET_KEY, secure=False)
    yield Backend("s3", make_s3, make_s3(), bucket=bucket, raw=raw)
