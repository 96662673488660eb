"""Benchmark of the registry-field extractor (issue 4): per-field accuracy and parse time.

    .venv/bin/python bench/extract.py [--corpus DIR] [--generated N] [--ocr-cache DIR] [--render K]

Scans are OCR'd with Tesseract (vie, TSV word boxes) once and cached by the file's sha256, so
reruns only measure the parser. Born-digital PDFs are read through their text layer. The
generated set (archive/sample_documents.py) checks the parser on documents it was not tuned on: text-level
noise for all of them, and optionally K of them rendered to images and OCR'd like the scans.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.sample_documents import GeneratedDoc, generate, render_pages
from ingest.extract import extract_fields, words_from_pdf_text_layer
from ingest.extract.model import Extraction, PageText
from ingest.extract.ocr import (
    RENDER_DPI,
    SINGLE_BLOCK,
    SPARSE_TEXT,
    ocr_page_tsvs,
    page_from_tsvs,
    page_images,
)
from ingest.extract.sources import pdf_document_info

DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "luutru" / "extract-ocr"
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "vn-admin"
SUMMARY_SIMILARITY = 0.90

#: The 12 scored fields: (name in our output, key in truth.jsonl).
FIELDS: tuple[tuple[str, str], ...] = (
    ("document_type", "doc_type"),
    ("reference", "so_ky_hieu"),
    ("issued_date", "issued_date"),
    ("issued_place", "place"),
    ("issuing_agency", "agency"),
    ("parent_agency", "parent_agency"),
    ("summary", "summary"),
    ("signer_name", "signer_name"),
    ("signer_title", "signer_title"),
    ("signer_authority", "signer_authority"),
    ("confidentiality", "confidentiality"),
    ("urgency", "urgency"),
)


#: Changes whenever the OCR recipe does, so stale cache entries are ignored.
OCR_ENGINE = f"tesseract-vie-psm{SPARSE_TEXT}+header-psm{SINGLE_BLOCK}-{RENDER_DPI}dpi-tsv"


def cached_ocr(path: Path, cache_dir: Path) -> list[PageText]:
    """A scan's pages OCR'd (`ocr_page_tsvs`), from the cache when this file was OCR'd before."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return _cached(cache_dir / f"{digest}.json", lambda: page_images(path), path.name)


def _cached(entry: Path, images: Callable[[], Iterable[Any]], label: str) -> list[PageText]:
    if entry.exists():
        cached = json.loads(entry.read_text(encoding="utf-8"))
        if cached.get("engine") == OCR_ENGINE:
            return [page_from_tsvs(*tsvs) for tsvs in cached["pages"]]
    tsvs = [ocr_page_tsvs(image) for image in images()]
    _write_cache(entry, {"engine": OCR_ENGINE, "file": label, "pages": tsvs})
    return [page_from_tsvs(*t) for t in tsvs]


def _write_cache(entry: Path, payload: dict) -> None:
    entry.parent.mkdir(parents=True, exist_ok=True)
    tmp = entry.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload), encoding="utf-8")
    tmp.replace(entry)


def norm(value: object) -> str | None:
    """NFC, collapsed whitespace, case-folded: the benchmark's notion of "the same value"."""
    if value is None:
        return None
    return " ".join(unicodedata.normalize("NFC", str(value)).split()).casefold()


def field_correct(name: str, got: object, want: object) -> bool:
    a, b = norm(got), norm(want)
    if name == "summary" and a is not None and b is not None:
        return difflib.SequenceMatcher(None, a, b).ratio() >= SUMMARY_SIMILARITY
    return a == b


@dataclass
class Tally:
    """Per-field hit counts and parse times of one document set."""

    label: str
    hits: dict[str, int] = field(default_factory=lambda: {f: 0 for f, _ in FIELDS})
    docs: int = 0
    times: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    #: Wrong fields the extractor was confident about (not sent to review): the costly errors.
    silent: int = 0
    reviewed_docs: int = 0

    def add(self, doc_id: str, ex: Extraction, truth: dict, seconds: float) -> None:
        self.docs += 1
        self.times.append(seconds)
        self.reviewed_docs += bool(set(ex.needs_review) & {f for f, _ in FIELDS})
        for ours, theirs in FIELDS:
            got, want = getattr(ex, ours), truth.get(theirs)
            if field_correct(ours, got, want):
                self.hits[ours] += 1
            else:
                self.silent += ours not in ex.needs_review
                flag = "" if ours in ex.needs_review else " [not flagged]"
                self.misses.append(f"{doc_id} {ours}: got {got!r} want {want!r}{flag}")

    def accuracy(self, name: str) -> float:
        return self.hits[name] / self.docs if self.docs else 0.0

    @property
    def mean(self) -> float:
        return statistics.fmean(self.accuracy(f) for f, _ in FIELDS) if self.docs else 0.0


def timed_extract(
    pages: list[PageText], page_count: int, born_digital: bool = False, metadata: dict[str, str] | None = None
) -> tuple[Extraction, float]:
    """`extract_fields` and the seconds it took: the parse time the target (≤ 50 ms/doc) is about."""
    start = time.perf_counter()
    result = extract_fields(pages, page_count=page_count, born_digital=born_digital, metadata=metadata)
    return result, time.perf_counter() - start


def run_corpus(corpus: Path, cache_dir: Path) -> list[Tally]:
    """Score the corpus: all documents, and scans and born-digital files separately."""
    every, scans, digital = Tally("corpus (all)"), Tally("corpus scans"), Tally("corpus born-digital")
    for raw in (corpus / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        truth = json.loads(raw)
        path = corpus / truth["file"]
        if truth["kind"] == "born-digital-pdf":
            pages = words_from_pdf_text_layer(path)
            ex, secs = timed_extract(pages, len(pages), born_digital=True, metadata=pdf_document_info(path))
            digital.add(truth["id"], ex, truth, secs)
        else:
            pages = cached_ocr(path, cache_dir)
            ex, secs = timed_extract(pages, len(pages))
            scans.add(truth["id"], ex, truth, secs)
        every.add(truth["id"], ex, truth, secs)
    return [every, scans, digital]


def run_generated(count: int, rendered: int, cache_dir: Path, seed: int) -> list[Tally]:
    """Score generated documents: text with OCR-like noise, and ``rendered`` of them OCR'd from images."""
    noisy = Tally(f"generated text+noise (n={count})")
    ocred = Tally(f"generated rendered+OCR (n={rendered})")
    for i, doc in enumerate(generate(count, seed=seed)):
        pages = [PageText.from_text(t) for t in doc.noisy_pages]
        ex, secs = timed_extract(pages, doc.page_count)
        noisy.add(doc.id, ex, doc.truth, secs)
        if i < rendered:
            ocr_pages = cached_render_ocr(doc, cache_dir)
            ex, secs = timed_extract(ocr_pages, doc.page_count)
            ocred.add(doc.id, ex, doc.truth, secs)
    return [noisy, ocred] if rendered else [noisy]


def cached_render_ocr(doc: GeneratedDoc, cache_dir: Path) -> list[PageText]:
    """OCR of a generated document's rendered first and last pages, cached by its render spec."""
    spec = json.dumps(doc.render_spec, ensure_ascii=False, sort_keys=True).encode()
    entry = cache_dir / f"gen-{hashlib.sha256(spec).hexdigest()}.json"
    return _cached(entry, lambda: render_pages(doc), doc.id)


def table(tallies: Iterable[Tally]) -> str:
    tallies = [t for t in tallies if t.docs]
    head = "| field | " + " | ".join(f"{t.label}" for t in tallies) + " |"
    rule = "|---|" + "---:|" * len(tallies)
    rows = [head, rule]
    for name, _ in FIELDS:
        rows.append(f"| {name} | " + " | ".join(f"{t.accuracy(name):.3f}" for t in tallies) + " |")
    rows.append("| **mean of 12** | " + " | ".join(f"**{t.mean:.3f}**" for t in tallies) + " |")
    rows.append("| docs | " + " | ".join(str(t.docs) for t in tallies) + " |")
    rows.append("| wrong fields not flagged for review | " + " | ".join(
        f"{t.silent} of {sum(t.docs - h for h in t.hits.values())}" for t in tallies) + " |")
    rows.append("| docs sent to review | " + " | ".join(f"{t.reviewed_docs}" for t in tallies) + " |")
    rows.append("| ms/doc (parse, mean) | " + " | ".join(f"{1000 * statistics.fmean(t.times):.1f}" for t in tallies) + " |")
    rows.append("| ms/doc (parse, max) | " + " | ".join(f"{1000 * max(t.times):.1f}" for t in tallies) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder with truth.jsonl and files/")
    parser.add_argument("--no-corpus", action="store_true", help="score only the generated set")
    parser.add_argument("--generated", type=int, default=0, metavar="N", help="also score N generated documents")
    parser.add_argument("--render", type=int, default=0, metavar="K",
                        help="render and OCR the first K generated documents (slow the first time)")
    parser.add_argument("--seed", type=int, default=20240530, help="seed of the generated set")
    parser.add_argument("--ocr-cache", type=Path, default=DEFAULT_CACHE,
                        help="Tesseract output cached by file sha256 (default: %(default)s)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every wrong field")
    args = parser.parse_args(argv)
    tallies = [] if args.no_corpus else run_corpus(args.corpus, args.ocr_cache)
    if args.generated:
        tallies += run_generated(args.generated, min(args.render, args.generated), args.ocr_cache, args.seed)
    print(table(tallies))
    if args.verbose:
        for t in tallies:
            for miss in t.misses:
                print(f"[{t.label}] {miss}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
