"""Benchmark of the normalisation/OCR step (issue 3, step 6) against plain OCRmyPDF.

    .venv/bin/python bench/ocr.py [--corpus DIR] [--limit N] [--rounds R] [--workers W] [--jobs J]
                                  [--language L] [--no-deskew] [--no-rotate]

Both tools run in the same invocation on the same files and the same cores:

* plain: ``ocrmypdf -l vie --skip-text IN OUT``, one file at a time, as a user would run it
  (OCRmyPDF then spreads each file's pages over all cores);
* ours: `ingest.ocr.normalise` with its defaults (``vie``; deskew of a document with a page leaning ≥ 2°;
  orientation asked of pages that read poorly; PDF/A-2b; per-page hOCR),
  W files at a time with J pages each (W × J = cores), as the ingest workers run it.

The files are split into R groups run in turns, plain then ours, then ours then plain, so that other
users of a shared machine weigh on both tools alike. Reported: pages per minute (wall clock) and
their ratio; CPU seconds per page (the tools' own processes, less sensitive to a busy machine); and
the bag-of-words recall of each tool's text against ``truth.jsonl`` ``page_text``. The plain tool's
text is its output PDF's text layer; ours is `NormalisationResult.pages_text`, what the pipeline
indexes. ``--limit N`` takes N files spread over the corpus's kinds for a quick run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain, zip_longest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.ocr import OcrSettings, normalise  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "vn-admin"
MIME = {".pdf": "application/pdf", ".tif": "image/tiff", ".tiff": "image/tiff",
        ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
PLAIN = "ocrmypdf -l vie --skip-text"
#: The same OCRmyPDF our code imports, whether or not the venv's bin is on PATH.
PLAIN_COMMAND = [sys.executable, "-m", "ocrmypdf", "-l", "vie", "--skip-text"]


def words(text: str) -> Counter[str]:
    """Lower-cased NFC word tokens: diacritics count, so ``hội`` read as ``hồi`` is a miss."""
    return Counter(re.findall(r"\w+", unicodedata.normalize("NFC", text).lower()))


def bag_of_words_recall(truth: str, text: str) -> tuple[int, int]:
    """(truth words found in *text*, truth words), each word counted as often as it occurs."""
    expected, got = words(truth), words(text)
    return sum(min(n, got[w]) for w, n in expected.items()), sum(expected.values())


def pdf_text(path: Path) -> str:
    """All text of a PDF's text layer, as a plain OCRmyPDF user would extract it."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path)
    try:
        return "\f".join(pdf[i].get_textpage().get_text_bounded() for i in range(len(pdf)))
    finally:
        pdf.close()


@dataclass
class Run:
    """One tool's passes over the files."""

    label: str
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    pages: int = 0
    found: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def add(self, kind: str, truth: str, text: str, pages: int) -> None:
        found, total = bag_of_words_recall(truth, text)
        self.pages += pages
        for key in (kind, "all"):
            self.found[key] += found
            self.total[key] += total

    def recall(self, kind: str = "all") -> float:
        return self.found[kind] / self.total[kind] if self.total[kind] else 0.0

    @property
    def pages_per_min(self) -> float:
        return self.pages / self.seconds * 60 if self.seconds else 0.0

    def timed(self, step: Callable[[], dict[str, str]]) -> dict[str, str]:
        """Run *step*, adding its wall time and its child processes' CPU time to this run.

        Child CPU time counts once the children are reaped: plain's CLI processes as they exit,
        ours' pool workers when the pool shuts down at the end of the step.
        """
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        texts = step()
        self.seconds += time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu_seconds += (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return texts


def pick(rows: list[dict], limit: int | None) -> list[dict]:
    """The first *limit* files taking the corpus's kinds in turn, so a short run still mixes them."""
    if not limit:
        return rows
    by_kind: dict[str, list[dict]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], []).append(row)
    mixed = [row for row in chain.from_iterable(zip_longest(*by_kind.values())) if row is not None]
    return sorted(mixed[:limit], key=lambda row: row["id"])


def plain_texts(rows: list[dict], corpus: Path, out: Path, run: Run) -> dict[str, str]:
    texts: dict[str, str] = {}
    for row in rows:
        target = out / f"{row['id']}.pdf"
        done = subprocess.run([*PLAIN_COMMAND, str(corpus / row["file"]), str(target)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            run.failures.append(f"{row['id']}: exit {done.returncode}")
            continue
        texts[row["id"]] = pdf_text(target)
    return texts


def _ours_one(source: str, workdir: str, settings: OcrSettings) -> tuple[str, list[str]]:
    path = Path(source)
    result = normalise(path, MIME[path.suffix.lower()], Path(workdir), settings)
    return "\n".join(result.pages_text), [w.code for w in result.warnings]


def ours_texts(rows: list[dict], corpus: Path, out: Path, run: Run, workers: int,
               settings: OcrSettings) -> dict[str, str]:
    texts: dict[str, str] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {row["id"]: pool.submit(_ours_one, str(corpus / row["file"]), str(out / row["id"]), settings)
                   for row in rows}
        for doc_id, future in futures.items():
            try:
                texts[doc_id], codes = future.result()
            except Exception as exc:  # noqa: BLE001 - a benchmark reports failures and goes on
                run.failures.append(f"{doc_id}: {exc}")
                continue
            if codes:
                print(f"  {doc_id}: warnings {sorted(set(codes))}", file=sys.stderr)
    return texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="files to use, spread over the kinds")
    parser.add_argument("--rounds", type=int, default=2, help="groups of files run in alternating order")
    cores = len(os.sched_getaffinity(0))
    parser.add_argument("--workers", type=int, default=cores, help=f"files at a time for ours (default {cores})")
    parser.add_argument("--jobs", type=int, default=None, help="pages at a time per file for ours (cores / workers)")
    defaults = OcrSettings()
    parser.add_argument("--language", default=defaults.language, help="Tesseract languages for ours")
    parser.add_argument("--no-deskew", dest="deskew", action="store_false", help="ours without deskew")
    parser.add_argument("--no-rotate", dest="rotate_pages", action="store_false", help="ours without page rotation")
    args = parser.parse_args(argv)
    settings = OcrSettings(jobs=args.jobs or max(1, cores // args.workers), language=args.language,
                           deskew=args.deskew, rotate_pages=args.rotate_pages)

    with (args.corpus / "truth.jsonl").open(encoding="utf-8") as stream:
        rows = pick([json.loads(line) for line in stream], args.limit)
    features = ", ".join(name for name, on in (("deskew", settings.deskew), ("rotate", settings.rotate_pages)) if on)
    plain = Run(f"plain `{PLAIN}` (1 file at a time, all cores)")
    ours = Run(f"ours `normalise()` {settings.language}, {features or 'no deskew/rotate'}, PDF/A-2b "
               f"({args.workers} files at a time × {settings.jobs} page(s))")
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        for index in range(args.rounds):
            group = rows[index::args.rounds]
            out = Path(tmp, str(index))
            (out / "plain").mkdir(parents=True)
            (out / "ours").mkdir()
            steps = [
                (plain, lambda g=group, o=out: plain_texts(g, args.corpus, o / "plain", plain)),
                (ours, lambda g=group, o=out: ours_texts(g, args.corpus, o / "ours", ours, args.workers, settings)),
            ]
            for run, step in steps if index % 2 == 0 else reversed(steps):
                texts = run.timed(step)
                for row in group:
                    if row["id"] in texts:
                        run.add(row["kind"], "\n".join(row["page_text"]), texts[row["id"]], row["pages"])
    load_after = os.getloadavg()[0]

    kinds = sorted({row["kind"] for row in rows})
    print(f"{len(rows)} files ({', '.join(kinds)}) in {args.rounds} alternating rounds, {cores} cores, "
          f"load average {load_before:.1f} before / {load_after:.1f} after\n")
    print("| tool | pages | wall s | pages/min | CPU s/page | BoW recall | failures |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for run in (plain, ours):
        print(f"| {run.label} | {run.pages} | {run.seconds:.1f} | {run.pages_per_min:.1f} | "
              f"{run.cpu_seconds / max(run.pages, 1):.2f} | {run.recall():.4f} | {'; '.join(run.failures) or '-'} |")
    ratio = ours.pages_per_min / plain.pages_per_min if plain.pages_per_min else float("inf")
    print(f"\nthroughput ratio ours/plain: {ratio:.2f} (target ≥ 1.0); "
          f"recall ours − plain: {ours.recall() - plain.recall():+.4f} (target ≥ 0)\n")
    print("| kind | plain recall | ours recall |")
    print("|---|---:|---:|")
    for kind in kinds:
        print(f"| {kind} | {plain.recall(kind):.4f} | {ours.recall(kind):.4f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
