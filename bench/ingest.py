"""Benchmark of the whole ingest pipeline (issue 3) against plain OCRmyPDF, in one run.

    .venv/bin/python bench/ingest.py [--corpus DIR] [--workers N] [--born-digital-copies K] [--born-digital-only]
                                     [--json OUT]

* ours: every corpus file submitted as one batch on the embedded profile and worked to the end by
  N worker processes (virus check when LUUTRU_CLAMD is set, identification, validation,
  OCR to PDF/A-2b, metadata extraction, thumbnail, search index), as `luutru ingest --wait` does
  (with LUUTRU_DATABASE_URL set, an empty PostgreSQL database is the catalog instead of SQLite);
* plain: ``ocrmypdf -l vie --skip-text IN OUT`` on the same files, one after another, as a person
  would run it (OCRmyPDF spreads each file's pages over all cores).

Reported: pages per minute of each (wall clock, OCR'd pages only) and their ratio; bag-of-words
recall against ``truth.jsonl`` page_text of our stored text and of the plain tool's text layer
(``pdftotext``); born-digital documents per second through the whole pipeline (K distinct copies of
the corpus's born-digital PDFs, made distinct by a trailing comment so deduplication does not
skip them), with the whole machine's busy CPU time per document during that run and the rate the
cores could reach at that cost if they were never idle (the ceiling any scheduling can approach).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.batches import BatchService  # noqa: E402
from archive.config import load_settings  # noqa: E402
from archive.factory import create_archive  # noqa: E402
from archive.catalog import upgrade  # noqa: E402
from archive.work import WorkerProcesses  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "vn-admin"
SCHEMAS = Path(__file__).resolve().parent.parent.parent / "shared" / "schemas"


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", unicodedata.normalize("NFC", text).lower()))


def recall(truth: str, text: str) -> tuple[int, int]:
    expected, got = words(truth), words(text)
    return sum(min(n, got[w]) for w, n in expected.items()), sum(expected.values())


def make_archive(data_dir: Path):  # type: ignore[no-untyped-def]
    env = {"LUUTRU_DATA_DIR": str(data_dir),
           # The whole pipeline includes packaging, which needs the official XSDs.
           "LUUTRU_SCHEMA_DIR": os.environ.get("LUUTRU_SCHEMA_DIR", str(SCHEMAS))}
    # LUUTRU_DATABASE_URL: an empty PostgreSQL database as the catalog instead of the embedded SQLite,
    # to see what SQLite's single writer costs the worker processes.
    for name in ("LUUTRU_CLAMD", "LUUTRU_DATABASE_URL"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    archive = create_archive(load_settings(env))
    upgrade(archive.engine)
    archive.store.ensure()
    archive.index.ensure()
    return archive


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent not idle since boot (``/proc/stat``, all cores).

    Counts every process the pipeline uses (worker processes, their fsync threads, clamd, the
    kernel's file work), which per-process CPU times miss; so the machine must be otherwise quiet.
    """
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]    # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def run_ours(files: list[Path], data_dir: Path, workers: int) -> tuple[float, dict[str, str], int, float]:
    """Wall seconds, stored texts, pages OCR'd and the machine's busy CPU seconds of one batch, as
    `luutru ingest --wait` works it."""
    archive = make_archive(data_dir)
    service = BatchService(archive)
    started, busy = time.monotonic(), machine_busy_seconds()
    WorkerProcesses.prepare()   # as `luutru ingest --wait` does
    batch_id = service.submit(files, name="bench")
    WorkerProcesses(archive.settings, workers).run(until_batch_done=batch_id, poll_seconds=0.1)
    elapsed, busy = time.monotonic() - started, machine_busy_seconds() - busy
    report = service.report(batch_id)
    texts: dict[str, str] = {}
    with archive.sessions() as session:
        from archive.catalog import BatchItem

        for item in session.query(BatchItem).filter_by(batch_id=batch_id):
            if item.document is None:
                continue
            for rep in item.document.representations:
                for b in rep.bitstreams:
                    if b.original_filename == "text.txt":
                        texts[item.original_name] = b"".join(archive.store.get(b.storage_key)).decode()
    failed = [i for i in report.items if i["state"] not in ("archived", "duplicate")]
    if failed:
        print(f"warning: {len(failed)} item(s) not archived: {[(i['name'], i['failure_code']) for i in failed]}")
    return elapsed, texts, report.pages_ocred, busy


def run_plain(files: list[Path], out_dir: Path) -> tuple[float, dict[str, str]]:
    out_dir.mkdir(parents=True, exist_ok=True)
    texts: dict[str, str] = {}
    started = time.monotonic()
    for f in files:
        out = out_dir / (f.stem + ".pdf")
        subprocess.run([sys.executable, "-m", "ocrmypdf", "-q", "-l", "vie", "--skip-text", str(f), str(out)],
                       check=False, capture_output=True)
    elapsed = time.monotonic() - started
    for f in files:
        out = out_dir / (f.stem + ".pdf")
        if out.exists():
            texts[f.name] = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                                           text=True).stdout
    return elapsed, texts


def scan_results(scans: list[Path], truth: dict[str, dict], work: Path, workers: int) -> dict[str, object]:
    """The scans through plain OCRmyPDF and through our pipeline: seconds, pages/min, recall."""
    scan_pages = sum(truth[f.name]["pages"] for f in scans)
    plain_s, plain_text = run_plain(scans, work / "plain")
    ours_s, ours_text, ocred, _ = run_ours(scans, work / "ours", workers)
    results: dict[str, object] = {}
    for name, texts in (("plain", plain_text), ("ours", ours_text)):
        hit = total = 0
        for f in scans:
            h, t = recall("\n".join(truth[f.name]["page_text"]), texts.get(f.name, ""))
            hit, total = hit + h, total + t
        results[f"{name}_recall"] = round(hit / total, 4)
    results.update(plain_seconds=round(plain_s, 1), ours_seconds=round(ours_s, 1), ours_pages_ocred=ocred,
                   plain_pages_per_min=round(scan_pages / plain_s * 60, 1),
                   ours_pages_per_min=round(scan_pages / ours_s * 60, 1),
                   ratio=round(plain_s / ours_s, 2))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--born-digital-copies", type=int, default=60)
    parser.add_argument("--born-digital-only", action="store_true",
                        help="skip the scans and plain OCRmyPDF; measure born-digital docs/s only")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    truth = {json.loads(line)["file"].split("/")[-1]: json.loads(line)
             for line in (args.corpus / "truth.jsonl").read_text(encoding="utf-8").splitlines()}
    scans = sorted(args.corpus / "files" / name for name, row in truth.items() if row["kind"].startswith("scan"))
    scan_pages = sum(truth[f.name]["pages"] for f in scans)
    cores = len(os.sched_getaffinity(0))
    results: dict[str, object] = {"files": len(scans), "pages": scan_pages, "cores": cores}
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        work = Path(tmp)
        if not args.born_digital_only:
            results.update(scan_results(scans, truth, work, args.workers))

        born = sorted(args.corpus / "files" / name for name, row in truth.items() if row["kind"] == "born-digital-pdf")
        copies = []
        for i in range(args.born_digital_copies):
            source = born[i % len(born)]
            copy = work / "born" / f"{source.stem}-{i:04d}.pdf"
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(source.read_bytes() + f"\n% copy {i}\n".encode())
            copies.append(copy)
        bd_s, _, _, bd_busy = run_ours(copies, work / "born-data", args.workers)
        cpu_ms = bd_busy * 1000 / len(copies)
        # What the cores could do at most if the pipeline kept them all busy all the time.
        results.update(born_digital_docs=len(copies), born_digital_seconds=round(bd_s, 1),
                       born_digital_docs_per_s=round(len(copies) / bd_s, 2),
                       born_digital_cpu_ms_per_doc=round(cpu_ms), born_digital_busy=round(bd_busy / bd_s / cores, 2),
                       born_digital_ceiling_docs_per_s=round(cores * 1000 / cpu_ms, 1))

    if not args.born_digital_only:
        print(f"{'':28}{'plain ocrmypdf':>16}{'luutru pipeline':>18}")
        print(f"{'scans, pages':28}{results['files']:>10} files, {scan_pages} pages")
        print(f"{'wall seconds':28}{results['plain_seconds']:>16}{results['ours_seconds']:>18}")
        print(f"{'pages/min':28}{results['plain_pages_per_min']:>16}{results['ours_pages_per_min']:>18}")
        print(f"{'bag-of-words recall':28}{results['plain_recall']:>16}{results['ours_recall']:>18}")
        print(f"ratio ours/plain pages per minute: {results['ratio']} (target ≥ 1.0)")
    print(f"born-digital: {results['born_digital_docs']} docs in {results['born_digital_seconds']} s = "
          f"{results['born_digital_docs_per_s']} docs/s (target ≥ 20); the machine's CPU per document "
          f"{results['born_digital_cpu_ms_per_doc']} ms ({cores} cores {results['born_digital_busy']:.0%} busy), "
          f"so at most {results['born_digital_ceiling_docs_per_s']} docs/s with every core busy")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
