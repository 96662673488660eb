"""Fixity throughput: `luutru verify` against sha256sum, raw minio reads and bagit-python.

    .venv/bin/python bench/fixity.py [--total-mb 2048] [--object-mb 64] [--rounds 2] [--skip-s3]

Stores ``--total-mb`` MB of random objects (``--object-mb`` each) as cataloged masters, then times,
in MB/s (10^6 bytes per second):

* local backend: our fixity pass (``verify_selection``: stream, SHA-256, compare, a PREMIS event
  and the copy's state per object) against one ``sha256sum`` process over the same files;
* S3 backend (MinIO of ``scripts/services.sh``): our fixity pass against the raw minio SDK
  streaming every object (``get_object`` + ``stream``, no hashing: the network read alone);
* ``bagit.py --validate`` on a bag holding the same files (hard links) with the manifests our exported
  bags carry (SHA-256 and SHA-512), and on a SHA-256-only bag, against our local pass.

Both sides of each comparison run in the same process run, alternating, ``--rounds`` times; the
best round of each side counts. Objects stay in the page cache (24 GB of memory), so local figures
measure the hashing path, not the disk.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from minio import Minio  # noqa: E402
from minio.deleteobjects import DeleteObject  # noqa: E402

from archive.catalog import Bitstream, upgrade  # noqa: E402
from archive.catalog.codes import BitstreamRole  # noqa: E402
from archive.config import load_settings  # noqa: E402
from archive.factory import Archive, create_archive  # noqa: E402
from ingest.package.bag import BAG_CHECKSUMS  # noqa: E402
from archive.integrity.fixity import verify_selection  # noqa: E402
from storage.hashing import ChunkStream  # noqa: E402

MB = 1_000_000
S3_ENDPOINT = os.environ.get("LUUTRU_TEST_S3_ENDPOINT", "127.0.0.1:59000")
S3_ACCESS = os.environ.get("LUUTRU_TEST_S3_ACCESS_KEY", "luutru-test")
S3_SECRET = os.environ.get("LUUTRU_TEST_S3_SECRET_KEY", "luutru-test-secret")


def _random_chunks(size: int, chunk: int = 4 * 1024 * 1024):  # type: ignore[no-untyped-def]
    left = size
    while left:
        part = os.urandom(min(chunk, left))
        left -= len(part)
        yield part


def _fill(archive: Archive, count: int, size: int) -> list[int]:
    ids = []
    for _ in range(count):
        stored = archive.store.put(f"masters/bench/{uuid.uuid4().hex}", ChunkStream(_random_chunks(size)))
        with archive.work_sessions.begin() as session:
            row = Bitstream(storage_key=stored.key, size=stored.size, sha256=stored.sha256, role=BitstreamRole.MASTER)
            session.add(row)
            session.flush()
            ids.append(row.id)
    return ids


JOBS = os.cpu_count() or 1


def _ours(archive: Archive, ids: list[int]) -> float:
    started = time.perf_counter()
    results = list(verify_selection(archive, ids, repair=False, jobs=JOBS))
    elapsed = time.perf_counter() - started
    assert all(r.status == "ok" for r in results), [r.as_dict() for r in results if r.status != "ok"]
    return elapsed


def _timed(command: list[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=cwd)
    return time.perf_counter() - started


def _raw_reads(client: Minio, bucket: str, keys: list[str]) -> float:
    started = time.perf_counter()
    for key in keys:
        response = client.get_object(bucket, key)
        try:
            for _ in response.stream(1024 * 1024, decode_content=False):
                pass
        finally:
            response.close()
            response.release_conn()
    return time.perf_counter() - started


def _archive(root: Path, extra: dict[str, str]) -> Archive:
    env = {"LUUTRU_DATA_DIR": str(root), **extra}
    archive = create_archive(load_settings(env))
    upgrade(archive.engine)
    archive.store.ensure()
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--total-mb", type=int, default=2048)
    parser.add_argument("--object-mb", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip-s3", action="store_true")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="objects verified at once")
    args = parser.parse_args(argv)
    global JOBS
    JOBS = args.jobs
    size = args.object_mb * 1024 * 1024
    count = max(1, args.total_mb // args.object_mb)
    total = count * size
    rows: list[tuple[str, float, float, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-fixity-") as tmp:
        root = Path(tmp)
        local = _archive(root / "local", {})
        ids = _fill(local, count, size)
        with local.sessions() as session:
            files = [str(local.settings.objects_dir / b.storage_key) for b in
                     session.query(Bitstream).filter(Bitstream.id.in_(ids))]
        ours, plain = [], []
        for _ in range(args.rounds):
            ours.append(_ours(local, ids))
            plain.append(_timed(["sha256sum", *files]))
        rows.append(("local: verify vs sha256sum", total / min(ours) / MB, total / min(plain) / MB,
                     min(plain) / min(ours), "≥ 0.8"))

        # The baseline is bagit.py on the bags we export, which carry SHA-256 and SHA-512
        # manifests (BAG_CHECKSUMS), so bagit hashes every byte twice; a SHA-256-only bag is timed too,
        # as the stricter comparison (one hash each side).
        import bagit

        for label, checksums in (("exported-bag manifests " + "+".join(BAG_CHECKSUMS), BAG_CHECKSUMS),
                                 ("sha256-only bag", ("sha256",))):
            bag = root / f"bag-{len(checksums)}"
            (bag / "data").mkdir(parents=True)
            for n, file in enumerate(files):
                os.link(file, bag / "data" / f"object-{n:04d}")
            bagit.make_bag(str(bag), checksums=list(checksums))
            ours_now, bagit_times = [], []
            for _ in range(args.rounds):
                ours_now.append(_ours(local, ids))
                bagit_times.append(_timed([str(Path(sys.executable).parent / "bagit.py"), "--validate", str(bag)]))
            rows.append((f"local: verify vs bagit.py --validate ({label})", total / min(ours_now) / MB,
                         total / min(bagit_times) / MB, min(bagit_times) / min(ours_now), "≥ 2"))
        local.engine.dispose()

        if not args.skip_s3:
            bucket = f"bench-{uuid.uuid4().hex[:12]}"
            s3 = _archive(root / "s3", {"LUUTRU_S3_ENDPOINT": S3_ENDPOINT, "LUUTRU_S3_BUCKET": bucket,
                                        "LUUTRU_S3_ACCESS_KEY": S3_ACCESS, "LUUTRU_S3_SECRET_KEY": S3_SECRET})
            client = Minio(S3_ENDPOINT, access_key=S3_ACCESS, secret_key=S3_SECRET, secure=False)
            try:
                s3_ids = _fill(s3, count, size)
                with s3.sessions() as session:
                    keys = [b.storage_key for b in session.query(Bitstream).filter(Bitstream.id.in_(s3_ids))]
                ours_s3, raw = [], []
                for _ in range(args.rounds):
                    raw.append(_raw_reads(client, bucket, keys))
                    ours_s3.append(_ours(s3, s3_ids))
                rows.append(("S3: verify vs raw minio streaming reads", total / min(ours_s3) / MB,
                             total / min(raw) / MB, min(raw) / min(ours_s3), "≥ 0.8"))
            finally:
                s3.engine.dispose()
                objects = [DeleteObject(o.object_name, o.version_id)
                           for o in client.list_objects(bucket, recursive=True, include_version=True)]
                list(client.remove_objects(bucket, objects))
                client.remove_bucket(bucket)

    print(f"{count} objects × {args.object_mb} MiB = {total / MB:.0f} MB, best of {args.rounds} rounds, "
          f"{JOBS} objects at once, load average {os.getloadavg()[0]:.1f}")
    print("| comparison | ours MB/s | plain MB/s | ratio | target |")
    print("|---|---:|---:|---:|---|")
    for name, mine, theirs, ratio, target in rows:
        print(f"| {name} | {mine:.0f} | {theirs:.0f} | {ratio:.2f} | {target} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
