"""A 300-page scan completes within the worker memory bound (issue 3: peak RSS ≤ 1 GB).

The pages are small (1000 × 400 px) so the test runs in a few minutes on two cores; what it checks
is that nothing holds all pages at once, which page count, not page size, would reveal.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.ocr.helpers import text_page

PAGES = 300
LIMIT_KB = 1024 * 1024
REPO = Path(__file__).resolve().parents[2]

#: Runs in a fresh interpreter so its peak RSS is the worker's alone, not pytest's.
WORKER = """
import json, resource, sys
from pathlib import Path
from ingest.ocr import normalise
result = normalise(Path(sys.argv[1]), "image/tiff", Path(sys.argv[2]))
print(json.dumps({
    "pages": result.page_count, "ocred": len(result.pages_ocred), "pdfa": result.pdfa,
    "first": result.pages_text[0], "last": result.pages_text[-1],
    "self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "tools_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
}))
"""


def _frames() -> Iterator[Image.Image]:
    for number in range(1, PAGES + 1):
        yield text_page((1000, 400), "1", lines=[f"Trang {number}", "Lưu trữ hồ sơ"], background=1, ink=0)


@pytest.mark.slow
def test_300_page_tiff_stays_under_1_gb(tmp_path: Path) -> None:
    source = tmp_path / "scan300.tif"
    frames = _frames()
    next(frames).save(source, save_all=True, append_images=frames, compression="group4", dpi=(200, 200))

    done = subprocess.run([sys.executable, "-c", WORKER, str(source), str(tmp_path / "work")],
                          cwd=REPO, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\n300-page scan: worker peak RSS {report['self_kb'] / 1024:.0f} MiB, "
          f"largest tool process {report['tools_kb'] / 1024:.0f} MiB")

    assert report["pages"] == report["ocred"] == PAGES and report["pdfa"] == "PDF/A-2B"
    # Both ends were read (a lone "1" may come back with a stray mark before it, e.g. "†1").
    assert re.search(r"Trang\W*1\b", report["first"]) and re.search(rf"Trang\W*{PAGES}\b", report["last"])
    assert "Lưu trữ hồ sơ" in report["first"] and "Lưu trữ hồ sơ" in report["last"]
    assert report["self_kb"] <= LIMIT_KB, "the worker process itself"
    assert report["tools_kb"] <= LIMIT_KB, "Tesseract, Ghostscript and other tools it ran"
    # Seen from here: the largest of the worker and everything it ran (an upper bound, since it also
    # covers earlier children of this pytest process).
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss <= LIMIT_KB
