"""Throughput of the storage backends against the plain tools they replace.

    .venv/bin/python bench/storage.py [--total-mb 1024] [--files 16] [--rounds 3] [--json out.json]

Generates ``--files`` random files totalling ``--total-mb`` MB in a temporary folder, then measures,
in MB/s (10^6 bytes per second):

* local backend put / get / verify against ``cp`` + ``sha256sum``, ``cat > /dev/null`` and
  ``sha256sum`` run as subprocesses over the same files;
* S3 backend put / get / verify against the raw minio SDK: ``fput_object`` with its defaults (no
  checksum, no digest, no overwrite protection), ``get_object`` streamed to /dev/null, and
  ``get_object`` + hashlib.

Each measurement runs file by file, ours and plain in turn with alternating order, ``--rounds``
times over the whole set; the rates are total bytes over total time of each side, so background
work on a shared machine (page-cache flushes, MinIO's own housekeeping) penalises neither side
systematically. The S3 side uses the MinIO of ``scripts/services.sh`` (``LUUTRU_TEST_S3_*``
variables or the same defaults as the tests) and creates and removes its own bucket.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

# This script is bench/storage.py: Python puts bench/ first on sys.path, where ``import storage``
# would find this file instead of the package. Put the repository root there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from minio import Minio  # noqa: E402
from minio.deleteobjects import DeleteObject  # noqa: E402

from storage.base import DeletionGrant  # noqa: E402
from storage.local import LocalObjectStore  # noqa: E402
from storage.s3 import S3ObjectStore  # noqa: E402

MB = 1_000_000
READ_CHUNK = 1024 * 1024
GRANT = DeletionGrant(decision_id="bench", approved_by="bench", reason="benchmark clean-up")


@dataclass
class Row:
    """One line of the result table."""

    operation: str
    ours_mb_s: float
    plain_mb_s: float
    plain: str
    target: float | None

    @property
    def ratio(self) -> float:
        return self.ours_mb_s / self.plain_mb_s

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "ok" if self.ratio >= self.target else "BELOW TARGET"


def make_files(folder: Path, total_mb: int, count: int) -> list[tuple[Path, str]]:
    """Random (incompressible) files and their SHA-256, written once and reused by every measurement."""
    size = total_mb * MB // count
    files = []
    for index in range(count):
        path = folder / f"file-{index:03d}.bin"
        digest = hashlib.sha256()
        with open(path, "wb") as fh:
            remaining = size
            while remaining:
                block = os.urandom(min(remaining, 8 * READ_CHUNK))
                fh.write(block)
                digest.update(block)
                remaining -= len(block)
        files.append((path, digest.hexdigest()))
    return files


def compare(rounds: int, count: int, ours: Callable[[int, int], None],
            plain: Callable[[int, int], None]) -> tuple[float, float]:
    """Total seconds of each side, file by file, alternating which side goes first.

    Interleaving per file (instead of one whole set after the other) spreads the noise of a
    shared machine (page-cache flushes, MinIO's background work) evenly over both sides.
    """
    totals = {"ours": 0.0, "plain": 0.0}
    for round_number in range(rounds):
        for index in range(count):
            order = [("ours", ours), ("plain", plain)]
            if (round_number + index) % 2:
                order.reverse()
            for side, action in order:
                start = time.perf_counter()
                action(round_number, index)
                totals[side] += time.perf_counter() - start
    return totals["ours"], totals["plain"]


def run(command: list[str]) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def bench_local(files: list[tuple[Path, str]], work: Path, rounds: int, total: float) -> list[Row]:
    """Local backend against cp + sha256sum, cat and sha256sum over the same files."""
    store = LocalObjectStore(work / "store")
    copies = work / "copies"
    count = len(files)
    volume = total * rounds

    def put_ours(round_number: int, index: int) -> None:
        path, _ = files[index]
        with open(path, "rb") as fh:
            store.put(f"r{round_number}/{path.name}", fh)

    def put_plain(round_number: int, index: int) -> None:
        path, _ = files[index]
        target = copies / f"r{round_number}"
        target.mkdir(parents=True, exist_ok=True)
        run(["cp", str(path), str(target)])
        run(["sha256sum", str(path)])

    def get_ours(round_number: int, index: int) -> None:
        with open(os.devnull, "wb") as sink:
            for chunk in store.get(f"r0/{files[index][0].name}"):
                sink.write(chunk)

    def get_plain(round_number: int, index: int) -> None:
        run(["cat", str(store.root / f"r0/{files[index][0].name}")])

    def verify_ours(round_number: int, index: int) -> None:
        path, digest = files[index]
        if not store.verify(f"r0/{path.name}", digest).ok:
            raise SystemExit(f"verify failed for {path.name}")

    def verify_plain(round_number: int, index: int) -> None:
        run(["sha256sum", str(store.root / f"r0/{files[index][0].name}")])

    try:
        put = compare(rounds, count, put_ours, put_plain)
        get = compare(rounds, count, get_ours, get_plain)
        verify = compare(rounds, count, verify_ours, verify_plain)
    finally:
        shutil.rmtree(store.root, ignore_errors=True)
        shutil.rmtree(copies, ignore_errors=True)
    return [Row("local put", volume / put[0], volume / put[1], "cp + sha256sum (cp does not fsync)", None),
            Row("local get", volume / get[0], volume / get[1], "cat > /dev/null", None),
            Row("local verify", volume / verify[0], volume / verify[1], "sha256sum", 0.8)]


def bench_s3(files: list[tuple[Path, str]], rounds: int, total: float, endpoint: str, access_key: str,
             secret_key: str, part_size: int, threads: int) -> list[Row]:
    """S3 backend against the raw minio SDK, in a bucket of its own (Object Lock on, as in production)."""
    raw = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=False)
    bucket = f"bench-{uuid.uuid4().hex[:12]}"
    raw.make_bucket(bucket, object_lock=True)
    store = S3ObjectStore(endpoint, bucket, access_key, secret_key, part_size=part_size, upload_threads=threads)
    count = len(files)
    volume = total * rounds

    def put_ours(with_digest: bool) -> Callable[[int, int], None]:
        def action(round_number: int, index: int) -> None:
            path, digest = files[index]
            with open(path, "rb") as fh:
                store.put(f"ours-{with_digest}/{round_number}/{path.name}", fh,
                          expected_sha256=digest if with_digest else None)
        return action

    def put_plain(round_number: int, index: int) -> None:
        path, _ = files[index]
        raw.fput_object(bucket, f"raw/{round_number}/{path.name}", str(path))

    def get_ours(round_number: int, index: int) -> None:
        with open(os.devnull, "wb") as sink:
            for chunk in store.get(f"ours-True/0/{files[index][0].name}"):
                sink.write(chunk)

    def raw_read(hashed: bool) -> Callable[[int, int], None]:
        def action(round_number: int, index: int) -> None:
            with open(os.devnull, "wb") as sink:
                consume = hashlib.sha256().update if hashed else sink.write
                response = raw.get_object(bucket, f"raw/0/{files[index][0].name}")
                try:
                    for chunk in response.stream(READ_CHUNK):
                        consume(chunk)
                finally:
                    response.close()
                    response.release_conn()
        return action

    def verify_ours(round_number: int, index: int) -> None:
        path, digest = files[index]
        if not store.verify(f"ours-True/0/{path.name}", digest).ok:
            raise SystemExit(f"verify failed for {path.name}")

    try:
        put_given = compare(rounds, count, put_ours(True), put_plain)
        put_computed = compare(rounds, count, put_ours(False), lambda r, i: put_plain(r + rounds, i))
        get = compare(rounds, count, get_ours, raw_read(hashed=False))
        verify = compare(rounds, count, verify_ours, raw_read(hashed=True))
    finally:
        versions = [DeleteObject(o.object_name, o.version_id)
                    for o in raw.list_objects(bucket, recursive=True, include_version=True)]
        errors = list(raw.remove_objects(bucket, versions, bypass_governance_mode=True))
        if not errors:
            raw.remove_bucket(bucket)
    return [Row("s3 put (digest given)", volume / put_given[0], volume / put_given[1], "minio fput_object", 0.8),
            Row("s3 put (digest computed)", volume / put_computed[0], volume / put_computed[1],
                "minio fput_object", None),
            Row("s3 get", volume / get[0], volume / get[1], "minio get_object > /dev/null", 0.8),
            Row("s3 verify", volume / verify[0], volume / verify[1], "minio get_object + hashlib", None)]


def print_table(rows: list[Row]) -> None:
    print(f"{'operation':<26}{'ours MB/s':>11}{'plain MB/s':>12}{'ours/plain':>12}{'target':>8}  plain is")
    for row in rows:
        target = f"≥{row.target:.1f}" if row.target is not None else "-"
        print(f"{row.operation:<26}{row.ours_mb_s:>11.0f}{row.plain_mb_s:>12.0f}{row.ratio:>12.2f}{target:>8}  "
              f"{row.plain} {row.verdict}".rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--total-mb", type=int, default=1024, help="total size of the generated files (MB)")
    parser.add_argument("--files", type=int, default=16, help="number of files")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the file set per measurement")
    parser.add_argument("--part-size-mb", type=int, default=16, help="S3 part size of our backend (MiB)")
    parser.add_argument("--upload-threads", type=int, default=2, help="parallel part uploads of our backend")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    endpoint = os.environ.get("LUUTRU_TEST_S3_ENDPOINT", "127.0.0.1:59000")
    access_key = os.environ.get("LUUTRU_TEST_S3_ACCESS_KEY", "luutru-test")
    secret_key = os.environ.get("LUUTRU_TEST_S3_SECRET_KEY", "luutru-test-secret")

    with tempfile.TemporaryDirectory(prefix="luutru-bench-") as tmp:
        work = Path(tmp)
        (work / "source").mkdir()
        files = make_files(work / "source", args.total_mb, args.files)
        total = sum(path.stat().st_size for path, _ in files) / MB
        print(f"{len(files)} files, {total:.0f} MB in total, {args.rounds} rounds; S3 at {endpoint}, "
              f"part size {args.part_size_mb} MiB, {args.upload_threads} upload threads")
        rows = bench_local(files, work, args.rounds, total)
        rows += bench_s3(files, args.rounds, total, endpoint, access_key, secret_key,
                         args.part_size_mb * 1024 * 1024, args.upload_threads)
    print_table(rows)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "total_mb": total, "files": args.files, "rounds": args.rounds, "part_size_mb": args.part_size_mb,
            "upload_threads": args.upload_threads, "endpoint": endpoint,
            "results": [{**asdict(row), "ratio": row.ratio, "verdict": row.verdict} for row in rows]}, indent=2))
    return 1 if any(row.verdict == "BELOW TARGET" for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
