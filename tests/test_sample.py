"""`luutru sample`: the demo batch is of our own making, and the extractor reads it like real documents."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from PIL import Image

from archive.cli import main
from archive.sample_documents import _FALLBACK_SENTENCES, generate
from ingest.extract import extract_file


def test_sample_writes_born_digital_pdfs_and_scans_that_extract_correctly(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sample", str(tmp_path / "mau"), "--count", "4"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    written = [Path(line) for line in result.output.split()]
    assert len(written) == 4 and all(p.is_file() for p in written)
    truths = [d.truth for d in generate(4, seed=2020, noise=0, prose=_FALLBACK_SENTENCES)]
    for path, truth in zip(written, truths, strict=True):
        assert path.stem == truth["so_ky_hieu"].replace("/", "-")
        if path.suffix == ".pdf":
            found = extract_file(path)
            assert (found.reference, found.issued_date) == (truth["so_ky_hieu"], truth["issued_date"]), path
            assert found.issuing_agency == truth["agency"] and found.signer_name == truth["signer_name"], path
        else:
            with Image.open(path) as scan:
                assert scan.size[0] > 1500 and getattr(scan, "n_frames", 1) == min(truth["pages"], 2)
    # The same seed writes the same documents: a demo that can be reproduced.
    again = CliRunner().invoke(main, ["sample", str(tmp_path / "lai"), "--count", "4"], catch_exceptions=False)
    assert [Path(line).name for line in again.output.split()] == [p.name for p in written]
