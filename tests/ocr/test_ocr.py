"""normalise() end to end with the real Tesseract and OCRmyPDF: PDF/A two-layer output, text, boxes."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import img2pdf
import pikepdf
import pypdfium2
import pytest
from pikepdf.pdfa import validate_written
from PIL import Image

from bench.ocr import bag_of_words_recall
from ingest import page_probe
from ingest.ocr import (
    NormalisationError,
    NormalisationResult,
    OcrSettings,
    normalise,
    tool_versions,
)
from tests.ocr.helpers import LINES, corpus_file, sha256, text_page


def _pdf_pages_text(path: Path) -> list[str]:
    pdf = pypdfium2.PdfDocument(path)
    try:
        return [pdf[i].get_textpage().get_text_bounded() for i in range(len(pdf))]
    finally:
        pdf.close()


def _run(source: Path, mime: str, workdir: Path, settings: OcrSettings | None = None) -> NormalisationResult:
    """normalise(), checking on the way that the master's bytes did not change.

    It also checks that the process's stderr is still the one it had: pikepdf, under OCRmyPDF,
    leaves a StringIO in its place unless normalise() restores it.
    """
    before, stderr = sha256(source), sys.stderr
    try:
        result = normalise(source, mime, workdir, settings)
    finally:
        assert sys.stderr is stderr, "normalise() left sys.stderr replaced"
    assert sha256(source) == before, "the master file was modified"
    return result


def _assert_pdfa_2b(result: NormalisationResult) -> None:
    assert result.derivative is not None and result.derivative.exists()
    assert result.pdfa == "PDF/A-2B"
    with pikepdf.open(result.derivative) as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
        assert len(pdf.pages) == result.page_count


@pytest.fixture(scope="module")
def tiff(tmp_path_factory: pytest.TempPathFactory) -> NormalisationResult:
    """vn001: a two-page CCITT G4 TIFF scan at 300 dpi."""
    return _run(corpus_file("vn001.tif"), "image/tiff", tmp_path_factory.mktemp("vn001"))


@pytest.fixture(scope="module")
def jpeg(tmp_path_factory: pytest.TempPathFactory) -> NormalisationResult:
    """vn014: a one-page greyscale JPEG at 200 dpi."""
    return _run(corpus_file("vn014.jpg"), "image/jpeg", tmp_path_factory.mktemp("vn014"))


@pytest.fixture(scope="module")
def born_digital(tmp_path_factory: pytest.TempPathFactory) -> NormalisationResult:
    """vn003: a two-page PDF exported by an office system, with a text layer."""
    return _run(corpus_file("vn003.pdf"), "application/pdf", tmp_path_factory.mktemp("vn003"))


def test_g4_tiff_becomes_two_layer_pdfa(tiff: NormalisationResult) -> None:
    _assert_pdfa_2b(tiff)
    assert tiff.page_count == 2 and tiff.pages_ocred == [1, 2] and tiff.pages_skipped == []
    layer = _pdf_pages_text(tiff.derivative)  # type: ignore[arg-type]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in layer[0], "the invisible text layer is searchable"
    assert tiff.sidecar.read_text(encoding="utf-8").split("\f") == tiff.pages_text
    assert {"ocrmypdf", "tesseract", "pikepdf", "img2pdf"} <= tiff.tool_versions.keys()
    assert tiff.duration_s > 0
    assert not (tiff.sidecar.parent / "work").exists(), "intermediate files are removed"
    with pikepdf.open(tiff.derivative) as pdf:  # type: ignore[arg-type]
        bits = [int(img.BitsPerComponent) for page in pdf.pages for img in page.get_images().values()]
    assert bits == [1, 1], "deskewed bilevel pages stay bilevel, as small as the scan"


def test_scan_text_recall_against_ground_truth(tiff: NormalisationResult, truth: dict[str, dict]) -> None:
    found, total = bag_of_words_recall("\n".join(truth["vn001"]["page_text"]), "\n".join(tiff.pages_text))
    assert found / total >= 0.9, f"bag-of-words recall {found}/{total}"
    for expected, page in zip(truth["vn001"]["page_text"], tiff.pages_text, strict=True):
        found, total = bag_of_words_recall(expected, page)
        assert found / total >= 0.9, "each page's text belongs to that page"


def test_confidence_and_word_boxes_are_plausible(tiff: NormalisationResult) -> None:
    for page in tiff.pages:
        assert page.confidence is not None and 0.8 <= page.confidence <= 1.0
        assert page.width == 2481 and page.height == 3507 and page.dpi == 300
        assert len(page.words) > 100
        for word in page.words:
            assert 0 <= word.x0 < word.x1 <= page.width and 0 <= word.y0 < word.y1 <= page.height
            assert 0.0 <= word.conf <= 1.0 and word.text.strip()
        assert page.confidence == pytest.approx(sum(w.conf for w in page.words) / len(page.words))
        lines = [w.line for w in page.words]
        assert lines == sorted(lines) and len(set(lines)) > 10
        assert len({w.block for w in page.words}) > 1
    assert tiff.low_confidence_pages == []
    # The header's two columns share Tesseract's first line; the boxes show the gutter between the
    # agency (left) and the national motto (right), which is what the extractor splits on.
    first = tiff.pages[0]
    agency = next(w for w in first.words if w.text == "UBND")
    motto = next(w for w in first.words if w.text == "CỘNG")
    left_column = [w for w in first.words if w.line == motto.line and w.x1 <= motto.x0]
    assert agency in left_column and agency.x0 < first.width / 4
    assert motto.x0 - max(w.x1 for w in left_column) > 150, "a gutter of more than half an inch at 300 dpi"


def test_jpeg(jpeg: NormalisationResult, truth: dict[str, dict]) -> None:
    _assert_pdfa_2b(jpeg)
    assert jpeg.pages_ocred == [1] and jpeg.pages[0].confidence and jpeg.pages[0].confidence > 0.8
    found, total = bag_of_words_recall(truth["vn014"]["page_text"][0], jpeg.pages_text[0])
    assert found / total >= 0.9


def test_png_with_alpha(tmp_path: Path) -> None:
    source = tmp_path / "alpha.png"
    text_page((1400, 400), "RGBA", background=(255, 255, 255, 0), ink=(20, 20, 20, 255)).save(
        source, dpi=(200, 200))
    result = _run(source, "image/png", tmp_path / "work")
    _assert_pdfa_2b(result)
    found, total = bag_of_words_recall("\n".join(LINES), result.pages_text[0])
    assert found == total, result.pages_text[0]


def test_upside_down_page_is_turned(tmp_path: Path) -> None:
    lines = [f"Điều {n}. Cơ quan, tổ chức có trách nhiệm lập hồ sơ và nộp lưu tài liệu" for n in range(1, 13)]
    source = tmp_path / "upside-down.png"
    text_page((1700, 1400), "L", lines=lines, font_size=40).rotate(180).save(source, dpi=(200, 200))
    result = _run(source, "image/png", tmp_path / "work")
    assert "Cơ quan, tổ chức có trách nhiệm" in result.pages_text[0]
    first_word = result.pages[0].words[0]
    assert first_word.text == "Điều" and first_word.y0 < 100, "Tesseract read the page upright"
    with pikepdf.open(result.derivative) as pdf:  # type: ignore[arg-type]
        (image,) = pdf.pages[0].get_images().values()
        pixels = pikepdf.PdfImage(image).as_pil_image().convert("L")
        rotate = int(pdf.pages[0].get("/Rotate", 0))
    upright = pixels.rotate(-rotate, expand=True)
    top, bottom = upright.crop((0, 0, upright.width, 100)), upright.crop((0, upright.height - 100, upright.width, upright.height))
    assert top.getextrema()[0] < 128 < bottom.getextrema()[0], "the derivative shows the page upright"


def test_without_deskew_the_scanner_bytes_are_kept(tmp_path: Path) -> None:
    # Deskewing re-renders a page; without it (and rotation, which only sets /Rotate) the derivative
    # holds the original JPEG byte for byte under its text layer.
    source = corpus_file("vn015.jpg")
    result = _run(source, "image/jpeg", tmp_path / "work", OcrSettings(deskew=False, rotate_pages=False))
    _assert_pdfa_2b(result)
    with pikepdf.open(result.derivative) as pdf:  # type: ignore[arg-type]
        (image,) = pdf.pages[0].get_images().values()
        raw = image.read_raw_bytes()
        filters = [str(f) for f in image.Filter.wrap_in_array()]
    # OCRmyPDF's lossless optimiser wraps the JPEG in Flate; under it are the scanner's bytes.
    assert filters in (["/DCTDecode"], ["/FlateDecode", "/DCTDecode"])
    assert (zlib.decompress(raw) if filters[0] == "/FlateDecode" else raw) == source.read_bytes()
    assert result.pages[0].confidence and result.pages[0].confidence > 0.8


def test_born_digital_pdf_is_not_reocrd_but_gets_pdfa(born_digital: NormalisationResult) -> None:
    _assert_pdfa_2b(born_digital)
    assert born_digital.pages_ocred == [] and born_digital.pages_skipped == [1, 2]
    assert all(page.confidence is None and page.words == () for page in born_digital.pages)
    master = [t.replace("\r\n", "\n") for t in _pdf_pages_text(corpus_file("vn003.pdf"))]
    assert born_digital.pages_text == master, "the existing text is reported unchanged"
    assert _pdf_pages_text(born_digital.derivative) == _pdf_pages_text(corpus_file("vn003.pdf")), (  # type: ignore[arg-type]
        "the derivative keeps the original text layer")
    assert born_digital.low_confidence_pages == []


def test_born_digital_pdfa_is_made_by_pikepdf_alone_and_validates(born_digital: NormalisationResult) -> None:
    """Every page has text, so OCRmyPDF is not needed: pikepdf converts and validates; a fresh validation agrees."""
    assert born_digital.tool_versions.keys() == {"pikepdf"} and born_digital.agent[0] == "pikepdf"
    assert born_digital.pdfa_backend == "internal"
    assert validate_written(born_digital.derivative, "2b").passed  # type: ignore[arg-type]


def test_a_pdfa_2b_master_is_its_own_derivative(born_digital: NormalisationResult, tmp_path: Path) -> None:
    source = tmp_path / "already-pdfa.pdf"
    shutil.copyfile(born_digital.derivative, source)  # type: ignore[arg-type]
    result = _run(source, "application/pdf", tmp_path / "work")
    _assert_pdfa_2b(result)
    assert result.pdfa_backend == "as-received" and result.tool_versions.keys() == {"pikepdf"}
    assert sha256(result.derivative) == sha256(source), "kept byte for byte"  # type: ignore[arg-type]
    assert result.pages_text == born_digital.pages_text


def test_a_pdfa_claim_that_fails_validation_is_converted_not_kept(tmp_path: Path) -> None:
    source = tmp_path / "false-claim.pdf"
    with pikepdf.open(corpus_file("vn008.pdf")) as pdf:
        del pdf.Root["/OpenAction"]
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdfaid:part"], meta["pdfaid:conformance"] = "2", "B"
        pdf.save(source)
    assert not validate_written(source, "2b").passed, "no output intent, fonts as exported: not PDF/A"
    result = _run(source, "application/pdf", tmp_path / "work")
    _assert_pdfa_2b(result)
    assert result.pdfa_backend == "internal" and sha256(result.derivative) != sha256(source)  # type: ignore[arg-type]


def test_a_pdf_with_a_page_without_text_still_goes_through_ocrmypdf(tmp_path: Path) -> None:
    """A born-digital letter with a scanned page appended: that page needs OCR, so OCRmyPDF runs as before."""
    source, scan = tmp_path / "mixed.pdf", tmp_path / "scan.pdf"
    image = tmp_path / "scan.png"
    text_page((1400, 400), "L").save(image, dpi=(200, 200))
    scan.write_bytes(img2pdf.convert(str(image)))
    with pikepdf.open(corpus_file("vn008.pdf")) as pdf, pikepdf.open(scan) as scanned:
        pdf.pages.extend(scanned.pages)
        pdf.save(source)
    result = _run(source, "application/pdf", tmp_path / "work")
    _assert_pdfa_2b(result)
    assert "ocrmypdf" in result.tool_versions and result.agent[0] == "ocrmypdf"
    assert result.pages_skipped == [1, 2] and result.pages_ocred == [3]


def test_pdfa_refusal_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    # A document-level JavaScript action: pikepdf's PDF/A writer cannot vouch for it.
    source = tmp_path / "scripted.pdf"
    with pikepdf.open(corpus_file("vn008.pdf")) as pdf:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        pdf.save(source)
    result = _run(source, "application/pdf", tmp_path / "work", OcrSettings(pdfa_backend="internal"))
    assert result.derivative is None and result.pdfa is None
    assert not (tmp_path / "work" / "derivative.pdf").exists()
    (warning,) = [w for w in result.warnings if w.code == "pdfa-failed"]
    assert "PDF/A" in warning.message_vi and "Không chuyển được" in warning.message_vi
    assert "no derivative was made" in warning.message_en and "/OpenAction" in warning.detail
    assert result.pages_skipped == [1, 2] and "CỘNG HÒA" in result.pages_text[0]


def test_signed_pdf_keeps_its_signature_and_gets_no_derivative(tmp_path: Path) -> None:
    source = tmp_path / "signed.pdf"
    with pikepdf.open(corpus_file("vn010.pdf")) as pdf:
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), SigFlags=3)
        pdf.save(source)
    result = _run(source, "application/pdf", tmp_path / "work")
    assert result.derivative is None
    assert [w.code for w in result.warnings] == ["pdf-signed"]
    assert result.page_count == 3 and all(result.pages_text)


def test_low_confidence_pages_are_flagged(tmp_path: Path) -> None:
    source = tmp_path / "page.png"
    text_page((1400, 400), "L").save(source, dpi=(200, 200))
    result = _run(source, "image/png", tmp_path / "work", OcrSettings(low_confidence_threshold=0.999))
    assert result.low_confidence_pages == [1]
    (warning,) = [w for w in result.warnings if w.code == "low-confidence"]
    assert "Trang 1" in warning.message_vi and "Page(s) 1" in warning.message_en


@pytest.mark.parametrize(("name", "content", "mime", "code"), [
    ("corrupt.pdf", b"%PDF-1.7\n" + b"\x00garbage\x00" * 200, "application/pdf", "pdf-corrupt"),
    ("corrupt.tif", b"II*\x00" + b"\xff" * 300, "image/tiff", "image-corrupt"),
    ("program.exe", b"MZ\x90\x00" * 16, "application/x-dosexec", "unsupported-type"),
])
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
def test_bad_input_is_a_permanent_error_with_a_readable_message(
        tmp_path: Path, name: str, content: bytes, mime: str, code: str) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    with pytest.raises(NormalisationError) as caught:
        _run(source, mime, tmp_path / "work")
    error = caught.value
    assert error.permanent and error.code == code
    assert error.message_vi and error.message_en and error.message_vi != error.message_en
    assert error.message_en.endswith(".") and str(error).startswith(error.message_en)
    assert source.read_bytes() == content


def test_encrypted_pdf_is_permanent(tmp_path: Path) -> None:
    source = tmp_path / "locked.pdf"
    with pikepdf.open(corpus_file("vn003.pdf")) as pdf:
        pdf.save(source, encryption=pikepdf.Encryption(owner="o", user="secret"))
    with pytest.raises(NormalisationError) as caught:
        normalise(source, "application/pdf", tmp_path / "work")
    assert caught.value.permanent and caught.value.code == "pdf-encrypted"
    assert "mật khẩu" in caught.value.message_vi


def test_rerun_in_the_same_workdir_replaces_the_outputs(tmp_path: Path) -> None:
    # A retried task lands in the same work directory; stale outputs must not survive.
    source = tmp_path / "page.png"
    text_page((1400, 400), "L").save(source, dpi=(200, 200))
    first = normalise(source, "image/png", tmp_path / "work")
    second = normalise(source, "image/png", tmp_path / "work")
    assert first.pages_text == second.pages_text and second.derivative and second.derivative.exists()


def test_tool_versions_name_the_agents() -> None:
    versions = tool_versions()
    assert versions["tesseract"][0].isdigit() and versions["ocrmypdf"][0].isdigit()
    assert shutil.which("gs") is None or versions["ghostscript"][0].isdigit()


def _skew_degrees(image_path: Path) -> float:
    """Tesseract's own measure of a page image's skew, as an auditor would take it."""
    run = subprocess.run(["tesseract", str(image_path), "stdout", "--psm", "2", "-l", "osd"],
                         capture_output=True, text=True, timeout=120, check=True)
    radians = next(float(line.split(":")[1]) for line in (run.stdout + run.stderr).splitlines()
                   if line.startswith("Deskew angle"))
    return math.degrees(radians)


def test_full_page_scan_turned_sideways_is_read_upright(tmp_path: Path, truth: dict[str, dict]) -> None:
    # A 300 dpi A4 scan: orientation is found on the reduced probe image, not the full page.
    source = tmp_path / "sideways.png"
    with Image.open(corpus_file("vn022.jpg")) as img:
        assert max(img.size) > page_probe.PROBE_MAX_SIDE
        img.convert("L").rotate(90, expand=True).save(source, dpi=(300, 300))
    result = _run(source, "image/png", tmp_path / "work")
    found, total = bag_of_words_recall(truth["vn022"]["page_text"][0], result.pages_text[0])
    assert found / total >= 0.9


def test_skewed_scan_is_straightened(tmp_path: Path, truth: dict[str, dict]) -> None:
    source = tmp_path / "skewed.png"
    with Image.open(corpus_file("vn022.jpg")) as img:
        img.convert("L").rotate(3, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC).save(
            source, dpi=(300, 300))
    assert abs(_skew_degrees(source)) > 2
    result = _run(source, "image/png", tmp_path / "work")
    found, total = bag_of_words_recall(truth["vn022"]["page_text"][0], result.pages_text[0])
    assert found / total >= 0.9
    pdf = pypdfium2.PdfDocument(result.derivative)
    try:
        pdf[0].render(scale=300 / 72).to_pil().convert("L").save(tmp_path / "derivative-page.png")
    finally:
        pdf.close()
    assert abs(_skew_degrees(tmp_path / "derivative-page.png")) < 0.5, "the derivative's page is straight"


def test_page_leaning_less_than_the_threshold_keeps_the_scanner_bytes(tmp_path: Path) -> None:
    # Default settings: deskew and rotation on, but a page leaning well under 2° and reading well is
    # neither re-rendered nor sent to orientation detection.
    source = corpus_file("vn015.jpg")
    assert abs(_skew_degrees(source)) < 1
    result = _run(source, "image/jpeg", tmp_path / "work")
    assert result.derivative is not None, [(w.code, w.detail) for w in result.warnings]
    with pikepdf.open(result.derivative) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        raw = image.read_raw_bytes()
        filters = [str(f) for f in image.Filter.wrap_in_array()]
        assert "/Rotate" not in pdf.pages[0] or int(pdf.pages[0].Rotate) == 0
    assert (zlib.decompress(raw) if filters[0] == "/FlateDecode" else raw) == source.read_bytes()


@pytest.mark.parametrize("degrees", [-3.0, -1.0, 0.0, 1.5, 4.0])
def test_skew_estimate_agrees_with_tesseract(tmp_path: Path, degrees: float) -> None:
    source = tmp_path / "page.png"
    with Image.open(corpus_file("vn022.jpg")) as img:
        img.convert("L").rotate(degrees, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC).save(
            source, dpi=(300, 300))
    with Image.open(source) as img:
        ours = page_probe.skew_degrees(img)
    assert abs(abs(ours) - abs(_skew_degrees(source))) <= 0.3, (ours, _skew_degrees(source))
