"""Normalisation and OCR of one file: the archive's two-layer PDF/A derivative (TT 05 Điều 8).

`normalise` turns a scan or a born-digital PDF into a PDF/A-2b with an invisible text layer, plus the
text of every page, Tesseract's word boxes and per-page confidence, so that metadata extraction can
read the two header columns and uncertain pages can be sent to a person. The master is never touched:
everything happens on copies in the caller's work directory.

How the confidences are had without OCRing twice: OCRmyPDF calls its OCR engine through a plugin
hook, and its Tesseract engine already asks Tesseract for hOCR (word boxes with ``x_wconf``), parses
it and renders the text layer from it, then deletes it with its temporary folder. This module is also
an OCRmyPDF plugin whose engine is OCRmyPDF's own Tesseract engine, run through the ``generate_ocr``
entry point, which receives the page number: it writes each page's hOCR and text into our work
directory and hands OCRmyPDF the same parsed tree it would have built itself. The one Tesseract run
per page thus feeds both the PDF and our per-page results.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import img2pdf
import ocrmypdf
import pikepdf
from pikepdf.pdfa import PdfaError, validate_written
from pikepdf.pdfa import save as pdfa_save
from ocrmypdf import hookimpl
from ocrmypdf._exec import _probe, tesseract
from ocrmypdf.builtin_plugins import ghostscript as gs_plugin
from ocrmypdf.builtin_plugins import pypdfium as pdfium_plugin
from ocrmypdf.builtin_plugins.tesseract_ocr import TesseractOcrEngine
from ocrmypdf.exceptions import (
    BadArgsError,
    ColorConversionNeededError,
    DpiError,
    EncryptedPdfError,
    ExitCode,
    InputFileError,
    MissingDependencyError,
    NonEmbeddedFontsError,
    PdfaConversionFailedError,
    SubprocessOutputError,
    TesseractConfigError,
    UnsupportedImageFormatError,
)
from ocrmypdf.hocrtransform import BoundingBox, HocrParser, OcrClass, OcrElement
from ocrmypdf.pdfinfo import Ink, PageInfo
from ocrmypdf.pluginspec import GhostscriptRasterDevice
from PIL import Image

from ingest import page_probe, pdfium
from ingest.normalise import NormalisationError, OcrWarning, image_to_pdf, page_ranges

_probe_version = _probe.get_version


@functools.cache
def _version_of(program: str, version_arg: str, regex: str, env: tuple[tuple[str, str], ...] | None) -> str:
    return _probe_version(program, version_arg=version_arg, regex=regex, env=dict(env) if env is not None else None)


def _version_once(program: str, *, version_arg: str = "--version", regex: str = r"(\d+(\.\d+)*)",
                  env: Any = None) -> str:
    """OCRmyPDF asks Tesseract, Ghostscript, qpdf … for their version on every run (six processes,
    ~70 ms — a third of a born-digital file's whole normalisation). A worker's tools do not change
    while it runs, so each is asked once per process."""
    return _version_of(program, version_arg, regex, tuple(sorted(env.items())) if env is not None else None)


_probe.get_version = _version_once

__all__ = [
    "NormalisationError",
    "NormalisationResult",
    "OcrPage",
    "OcrSettings",
    "OcrWarning",
    "OcrWord",
    "normalise",
    "tool_versions",
]

#: The OCRmyPDF option (an extra keyword of `ocrmypdf.ocr`) that turns our engine on for one job and
#: tells it where to keep the hOCR. Without it the plugin stands aside, so other OCRmyPDF users in
#: the same process get plain OCRmyPDF.
_HOCR_DIR_OPTION = "luutru_hocr_dir"
#: Ghostscript 10.0.0–10.02.0 corrupt PDFs that already carry text (OCRmyPDF refuses them with
#: --skip-text); Debian bookworm, our base image, ships 10.0.0.
_GS_BROKEN = ((10, 0, 0), (10, 2, 1))
#: OCRmyPDF warnings that are expected consequences of our settings, not news for an archivist:
#: deskewing re-encodes page images, so the derivative is often larger than the input; for a signed
#: PDF only text is asked for, so no signature is actually invalidated (the ``pdf-signed`` warning
#: says what happened).
_EXPECTED_WARNINGS = ("The output file size is", "All digital signatures will be invalidated")
DERIVATIVE_NAME = "derivative.pdf"
SIDECAR_NAME = "text.txt"


@dataclass(frozen=True, slots=True)
class OcrSettings:
    """How OCR runs. The defaults are TT 05's profile and Paperless-ngx's proven OCRmyPDF settings."""

    #: Tesseract languages joined by ``+``. Tesseract's ``vie`` model reads the whole Latin alphabet,
    #: so English names and terms in Vietnamese documents are read without ``eng``; adding ``eng``
    #: cost 0.5 % of bag-of-words recall on the shared corpus (its dictionary "corrects" Vietnamese
    #: syllables into English-looking words). Use ``vie+eng`` for collections mostly in English.
    language: str = "vie"
    #: Pages OCR'd in parallel; None means every core this process may use. A worker pool running
    #: several files at once should divide the cores between them (workers × jobs ≤ cores).
    jobs: int | None = None
    #: Straighten a document's OCR'd pages when one leans by ``deskew_min_degrees`` or more.
    #: OCRmyPDF then re-renders those pages' images (JPEG pages are re-encoded), so the derivative no
    #: longer carries the scanner's bytes, and it costs ~1 CPU s per page.
    deskew: bool = True
    #: Below this lean Tesseract follows the lines unaided (the corpus leans up to 1.1°: recall
    #: 0.9936 without deskew, 0.9928 with) and the tilt is hard to see; above it a page is crooked.
    deskew_min_degrees: float = 2.0
    #: Turn pages that read poorly and that Tesseract's orientation detection then finds sideways or
    #: upside down (/Rotate); see `ingest.page_probe`.
    rotate_pages: bool = True
    #: OSD confidence needed to turn a page (Paperless-ngx's default; OCRmyPDF's is 14).
    rotate_pages_threshold: float = 12.0
    #: OCRmyPDF's lossless optimisation; higher levels recompress images lossily.
    optimize: int = 1
    #: PDF/A part (1, 2 or 3), always conformance level B. TT 05's sample package is PDF/A-2b.
    pdfa_part: int = 2
    #: ``auto``: pikepdf's own PDF/A writer, and Ghostscript when that fails unless the installed
    #: Ghostscript is one that corrupts existing text; ``internal``: pikepdf only; ``ghostscript``.
    pdfa_backend: str = "auto"
    #: Resolution assumed for images that do not record one.
    image_dpi: float = 300.0
    #: Pages whose mean word confidence (0–1) is below this are listed for review.
    low_confidence_threshold: float = 0.6


@dataclass(frozen=True, slots=True)
class OcrWord:
    """One word as Tesseract read it.

    Coordinates are pixels of the page image Tesseract saw (after rotation and deskew), origin at
    the top left; `OcrPage.width`/`height` give the frame. ``block`` is Tesseract's paragraph and
    ``line`` its line, both numbered from 0 within the page in Tesseract's reading order. Tesseract
    often joins the header's two columns (agency | national motto) into one line, so it is the
    boxes, with the gutter between them, that tell the columns apart.
    """

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    conf: float
    line: int
    block: int


@dataclass(frozen=True, slots=True)
class OcrPage:
    """One page. A page that already had text is not OCR'd: its text comes from its text layer."""

    number: int
    text: str
    ocr: bool
    #: Mean word confidence 0–1 for OCR'd pages (0 when nothing was read); None when not OCR'd.
    confidence: float | None = None
    words: tuple[OcrWord, ...] = ()
    width: float = 0.0
    height: float = 0.0
    dpi: float | None = None


@dataclass(slots=True)
class NormalisationResult:
    """Everything the pipeline stores and records (PREMIS ``nor`` event) for one file."""

    #: The PDF/A derivative, or None when none could be made honestly (see `warnings`).
    derivative: Path | None
    #: Text of every page, pages separated by a form feed (``\\f``).
    sidecar: Path
    pages: list[OcrPage]
    low_confidence_pages: list[int]
    #: The XMP claim of the derivative as verified, e.g. ``PDF/A-2B``; None without a derivative.
    pdfa: str | None
    #: PDF/A writer asked of OCRmyPDF: ``internal`` (pikepdf), ``auto`` or ``ghostscript``; for a PDF that
    #: needed no OCR, ``internal`` (pikepdf without OCRmyPDF) or ``as-received`` (see `_pdfa_without_ocr`).
    pdfa_backend: str
    #: Versions of the tools that made the derivative, for the PREMIS agents.
    tool_versions: dict[str, str]
    duration_s: float
    warnings: list[OcrWarning] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def agent(self) -> tuple[str, str | None]:
        """The tool that made the derivative: OCRmyPDF, or pikepdf alone for a PDF that needed no OCR."""
        name = "ocrmypdf" if "ocrmypdf" in self.tool_versions else "pikepdf"
        return name, self.tool_versions.get(name)

    @property
    def pages_text(self) -> list[str]:
        return [page.text for page in self.pages]

    @property
    def page_confidence(self) -> list[float | None]:
        return [page.confidence for page in self.pages]

    @property
    def words(self) -> list[tuple[OcrWord, ...]]:
        return [page.words for page in self.pages]

    @property
    def pages_ocred(self) -> list[int]:
        return [page.number for page in self.pages if page.ocr]

    @property
    def pages_skipped(self) -> list[int]:
        return [page.number for page in self.pages if not page.ocr]


def normalise(source: Path, mime_type: str, workdir: Path, settings: OcrSettings | None = None) -> NormalisationResult:
    """Make the PDF/A derivative and the per-page OCR results of *source* inside *workdir*.

    *mime_type* is the identified type (PDF or any image type Pillow reads), not the file name's
    guess. Pages that already have text are not OCR'd. Raises `NormalisationError`; conditions that
    still leave usable text (PDF/A conversion refused, signed PDF) are warnings instead.
    """
    settings = settings or OcrSettings()
    started = time.monotonic()
    source, workdir = Path(source), Path(workdir)
    work = workdir / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    hocr_dir = work / "hocr"
    derivative, sidecar = workdir / DERIVATIVE_NAME, workdir / SIDECAR_NAME
    # A retried task reuses its work directory: no output of an earlier attempt may survive.
    derivative.unlink(missing_ok=True)
    sidecar.unlink(missing_ok=True)
    input_pdf = work / "input.pdf"
    warnings: list[OcrWarning] = []
    try:
        if mime_type == "application/pdf":
            signed, page_count = _prepare_pdf(source, input_pdf, warnings)
        elif mime_type.startswith("image/"):
            converted = image_to_pdf(source, input_pdf, work / "image", settings.image_dpi)
            warnings.extend(converted.warnings)
            signed, page_count = False, converted.page_count
        else:
            raise NormalisationError(
                "unsupported-type",
                f"Định dạng {mime_type} không được số hóa thành PDF/A; chỉ nhận PDF và ảnh.",
                f"Files of type {mime_type} are not normalised to PDF/A; only PDFs and images are.",
                permanent=True)
        backend = _pdfa_backend(settings.pdfa_backend)
        output = None if signed else derivative
        untexted = pdfium.untexted_pages(input_pdf)
        direct = None
        if mime_type == "application/pdf" and output is not None and not untexted and backend != "ghostscript":
            direct = _pdfa_without_ocr(source, input_pdf, derivative, settings.pdfa_part)
        if direct is not None:
            backend = direct
            pdfa, pages = _results(True, input_pdf, derivative, hocr_dir, page_count, settings.pdfa_part, warnings)
        else:
            deskew = settings.deskew and bool(untexted) and (
                page_probe.most_skew(input_pdf, untexted) >= settings.deskew_min_degrees)
            attempt: list[OcrWarning] = []
            pdfa, pages = _ocr_pass(input_pdf, output, hocr_dir, page_count, settings, backend, attempt,
                                    deskew=deskew, rotate=False)
            if settings.rotate_pages and _turned(input_pdf, pages, work, settings):
                attempt = []
                pdfa, pages = _ocr_pass(input_pdf, output, hocr_dir, page_count, settings, backend, attempt,
                                        deskew=deskew, rotate=True)
            warnings.extend(attempt)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    sidecar.write_text("\f".join(page.text for page in pages), encoding="utf-8")
    low = [p.number for p in pages if p.ocr and (p.confidence or 0.0) < settings.low_confidence_threshold]
    if low:
        warnings.append(OcrWarning(
            "low-confidence",
            f"Trang {page_ranges(low)} nhận dạng chữ kém tin cậy (dưới {settings.low_confidence_threshold:.0%}); "
            "cần người kiểm tra.",
            f"Page(s) {page_ranges(low)} were recognised with low confidence (below "
            f"{settings.low_confidence_threshold:.0%}); they need review."))
    return NormalisationResult(
        derivative=derivative if pdfa else None,
        sidecar=sidecar,
        pages=pages,
        low_confidence_pages=low,
        pdfa=pdfa,
        pdfa_backend=backend,
        tool_versions=_agents(backend, image=mime_type.startswith("image/"), ocr=direct is None),
        duration_s=time.monotonic() - started,
        warnings=warnings,
    )


@functools.cache
def tool_versions() -> dict[str, str]:
    """Versions of every tool `normalise` may use, read once per process."""
    versions = {
        "ocrmypdf": ocrmypdf.__version__,
        "pikepdf": pikepdf.__version__,
        "img2pdf": img2pdf.__version__,
    }
    for name, command in (("tesseract", ["tesseract", "--version"]), ("ghostscript", ["gs", "--version"])):
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=30, check=True).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        words = out.split()
        versions[name] = words[1] if name == "tesseract" and len(words) > 1 else out.strip()
    return versions


def _agents(backend: str, *, image: bool, ocr: bool = True) -> dict[str, str]:
    """The tools that acted on this file: Ghostscript only if it may have written the PDF/A; pikepdf
    alone when OCRmyPDF was not needed (``_pdfa_without_ocr``)."""
    if not ocr:
        return {"pikepdf": tool_versions()["pikepdf"]}
    wanted = {"ocrmypdf", "tesseract", "pikepdf"}
    if backend != "internal":
        wanted.add("ghostscript")
    if image:
        wanted.add("img2pdf")
    return {name: version for name, version in tool_versions().items() if name in wanted}


def _pdfa_backend(requested: str) -> str:
    """The PDF/A writer to ask for: never a Ghostscript that is missing or known to corrupt text."""
    if requested != "auto":
        return requested
    gs = tool_versions().get("ghostscript")
    if gs is None:
        return "internal"
    try:
        version = tuple(int(part) for part in gs.split("."))
    except ValueError:
        return "internal"
    return "internal" if _GS_BROKEN[0] <= version < _GS_BROKEN[1] else "auto"


def _prepare_pdf(source: Path, target: Path, warnings: list[OcrWarning]) -> tuple[bool, int]:
    """Copy *source* to *target* for OCRmyPDF; return (digitally signed?, page count).

    An ``/OpenAction`` that only names the page to open at is dropped from the copy: it carries no
    content, and pikepdf's PDF/A writer cannot vouch for it, which would cost the whole derivative.
    """
    try:
        with pikepdf.open(source) as pdf:
            page_count = len(pdf.pages)
            acroform = pdf.Root.get("/AcroForm")
            signed = isinstance(acroform, pikepdf.Dictionary) and bool(int(acroform.get("/SigFlags", 0)) & 1)
            action = pdf.Root.get("/OpenAction")
            is_destination = isinstance(action, pikepdf.Array) or (
                isinstance(action, pikepdf.Dictionary) and action.get("/S") == pikepdf.Name.GoTo)
            if is_destination and not signed:
                del pdf.Root["/OpenAction"]
                pdf.save(target)
            else:
                shutil.copyfile(source, target)
    except pikepdf.PasswordError as exc:
        raise NormalisationError(
            "pdf-encrypted", "Tệp PDF được đặt mật khẩu nên không thể xử lý; hãy nộp bản không mật khẩu.",
            "The PDF is password-protected and cannot be processed; submit an unprotected copy.",
            permanent=True) from exc
    except pikepdf.PdfError as exc:
        raise _corrupt_pdf(exc) from exc
    if page_count == 0:
        raise NormalisationError(
            "pdf-empty", "Tệp PDF không có trang nào.", "The PDF has no pages.", permanent=True)
    if signed:
        warnings.append(OcrWarning(
            "pdf-signed",
            "Tệp PDF có chữ ký số: không tạo bản PDF/A vì ghi lại tệp sẽ làm mất hiệu lực chữ ký; "
            "bản gốc (có chữ ký) là bản lưu trữ, văn bản vẫn được nhận dạng để tìm kiếm.",
            "The PDF is digitally signed: no PDF/A derivative was made because rewriting it would "
            "invalidate the signature; the signed master is the archival copy, and its text was still "
            "recognised for search."))
    return signed, page_count


def _ocr_pass(input_pdf: Path, output: Path | None, hocr_dir: Path, page_count: int, settings: OcrSettings,
              backend: str, warnings: list[OcrWarning], *, deskew: bool,
              rotate: bool) -> tuple[str | None, list[OcrPage]]:
    """One OCRmyPDF run from a clean slate: (the verified PDF/A claim or None, the pages read)."""
    shutil.rmtree(hocr_dir, ignore_errors=True)
    hocr_dir.mkdir()
    made = _run_ocrmypdf(input_pdf, output, hocr_dir, settings, backend, warnings, deskew=deskew, rotate=rotate)
    return _results(made, input_pdf, output, hocr_dir, page_count, settings.pdfa_part, warnings)


def _results(made: bool, input_pdf: Path, output: Path | None, hocr_dir: Path, page_count: int, part: int,
             warnings: list[OcrWarning]) -> tuple[str | None, list[OcrPage]]:
    """(the verified PDF/A claim or None, the pages read); a derivative that fails the check is removed."""
    pdfa = _verified_pdfa(output, part, warnings) if made and output is not None else None
    if output is not None and pdfa is None:
        output.unlink(missing_ok=True)
    return pdfa, _read_pages(page_count, hocr_dir, output if pdfa and output is not None else input_pdf)


def _turned(input_pdf: Path, pages: list[OcrPage], work: Path, settings: OcrSettings) -> bool:
    """Whether a page that read poorly is sideways or upside down (see `ingest.page_probe`).

    Only pages where Tesseract found words at low confidence are asked: a turned page reads as noise,
    a blank page reads as nothing, and asking every page costs ~0.7 CPU s each.
    """
    doubtful = [page.number for page in pages
                if page.ocr and page.words and (page.confidence or 0.0) < settings.low_confidence_threshold]
    return bool(doubtful) and bool(page_probe.turned_pages(input_pdf, doubtful, work,
                                                           threshold=settings.rotate_pages_threshold))


AS_RECEIVED = "as-received"
"""``pdfa_backend`` of a derivative that is the received file itself, already a valid PDF/A of the wanted part."""


def _pdfa_without_ocr(source: Path, input_pdf: Path, derivative: Path, part: int) -> str | None:
    """The PDF/A derivative of a PDF with text on every page, without OCRmyPDF; None leaves it to OCRmyPDF.

    A born-digital PDF with text on every page is not OCR'd (OCRmyPDF's ``--skip-text`` would skip
    every page), so OCRmyPDF would only convert it to PDF/A with pikepdf's writer, then rewrite its
    metadata, optimise it and validate it a second time: ~60–95 ms for a 2-page letter. Here:

    * a file that already claims PDF/A-``part``B and passes pikepdf's validator is its own
      derivative, byte for byte (``AS_RECEIVED``);
    * otherwise ``pikepdf.pdfa.save`` converts it and validates the bytes it wrote (the same writer
      and validator OCRmyPDF's speculative conversion uses; only a ``pass`` is kept), ``internal``.

    What OCRmyPDF would have added is not needed for a page it skips: no text layer, deskew or
    rotation; its metadata rewrite only names itself as producer; its lossless optimisation does not
    apply to a born-digital page's few images. Anything not approved (a page without text, a
    construct the validator cannot vouch for) goes to OCRmyPDF as before, with its Ghostscript
    fallback and its warnings.
    """
    flavour = f"{part}b"
    try:
        if _pdfa_claim(source) == (str(part), "B") and validate_written(source, flavour).passed:
            shutil.copyfile(source, derivative)
            return AS_RECEIVED
        with pikepdf.open(input_pdf) as pdf:
            pdfa_save(pdf, derivative, flavour)
    except (PdfaError, pikepdf.PdfError, OSError, ValueError):
        derivative.unlink(missing_ok=True)
        return None
    return "internal"


def _run_ocrmypdf(input_pdf: Path, output: Path | None, hocr_dir: Path, settings: OcrSettings,
                  backend: str, warnings: list[OcrWarning], *, deskew: bool, rotate: bool) -> bool:
    """Run OCRmyPDF once; return whether *output* holds a PDF/A it vouched for.

    With *output* None (a signed PDF) only the text is wanted. A PDF/A conversion that fails after
    OCR is a warning, since the text and word boxes are already in *hocr_dir*.
    """
    options: dict[str, Any] = {
        "language": settings.language.split("+"),
        "mode": "skip",
        "deskew": deskew,
        "rotate_pages": rotate,
        "optimize": settings.optimize,
        "jobs": settings.jobs or len(os.sched_getaffinity(0)),
        "use_threads": True,
        "progress_bar": False,
        "plugins": [__name__],
        _HOCR_DIR_OPTION: str(hocr_dir),
    }
    if rotate:
        # OCRmyPDF rejects a threshold without --rotate-pages.
        options["rotate_pages_threshold"] = settings.rotate_pages_threshold
    if output is None:
        options.update(output_type="none", invalidate_digital_signatures=True)
    else:
        options.update(output_type=f"pdfa-{settings.pdfa_part}", pdfa_backend=backend)
    failure: str | None = None
    with _ocrmypdf_run() as logged:
        try:
            exit_code = ocrmypdf.ocr(input_pdf, output or os.devnull, **options)
            if exit_code != ExitCode.ok:
                failure = f"OCRmyPDF exit code {exit_code.name}"
        except (PdfaConversionFailedError, NonEmbeddedFontsError, ColorConversionNeededError) as exc:
            failure = str(exc)
        except EncryptedPdfError as exc:
            raise NormalisationError(
                "pdf-encrypted", "Tệp PDF được mã hóa nên không thể xử lý; hãy nộp bản không mã hóa.",
                "The PDF is encrypted and cannot be processed; submit an unencrypted copy.",
                permanent=True) from exc
        except (InputFileError, UnsupportedImageFormatError, DpiError, pikepdf.PdfError) as exc:
            raise _corrupt_pdf(exc) from exc
        except (MissingDependencyError, TesseractConfigError, BadArgsError) as exc:
            raise NormalisationError(
                "ocr-setup", "Công cụ OCR chưa được cài đặt hoặc cấu hình đúng; cần quản trị viên xử lý.",
                "The OCR tools are missing or misconfigured; an administrator must fix this.",
                permanent=False, detail=str(exc)) from exc
        except MemoryError as exc:
            raise NormalisationError(
                "out-of-memory", "Không đủ bộ nhớ để nhận dạng chữ; sẽ thử lại.",
                "Not enough memory to run OCR; it will be retried.", permanent=False) from exc
        except (SubprocessOutputError, subprocess.TimeoutExpired) as exc:
            raise NormalisationError(
                "ocr-tool-failed", "Tesseract hoặc Ghostscript dừng bất thường; sẽ thử lại.",
                "Tesseract or Ghostscript stopped abnormally; it will be retried.",
                permanent=False, detail=str(exc)) from exc
    warnings.extend(OcrWarning("ocrmypdf", "Công cụ OCR (OCRmyPDF) đưa ra cảnh báo; xem chi tiết kỹ thuật.",
                               "The OCR tool (OCRmyPDF) issued a warning; see the technical detail.", m)
                    for m in dict.fromkeys(logged) if not m.startswith(_EXPECTED_WARNINGS))
    if failure is not None:
        warnings.append(_pdfa_failed(failure))
        return False
    return output is not None


def _pdfa_claim(path: Path) -> tuple[str | None, str]:
    """(part, conformance) as the file's XMP metadata states them, e.g. ("2", "B")."""
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        return meta.get("pdfaid:part"), str(meta.get("pdfaid:conformance", "")).upper()


def _verified_pdfa(path: Path, part: int, warnings: list[OcrWarning]) -> str | None:
    """``PDF/A-<part>B`` if the file's XMP claims exactly that, else None and a warning.

    This checks the claim, not conformance: veraPDF is not part of the stack. OCRmyPDF's pikepdf
    writer validates what it writes; Ghostscript's output is taken on its word.
    """
    try:
        claim = _pdfa_claim(path)
    except (pikepdf.PdfError, OSError) as exc:
        warnings.append(_pdfa_failed(f"cannot read the output's metadata: {exc}"))
        return None
    if claim != (str(part), "B"):
        warnings.append(_pdfa_failed(f"the output's XMP claims part={claim[0]} conformance={claim[1]}"))
        return None
    return f"PDF/A-{part}B"


def _read_pages(page_count: int, hocr_dir: Path, text_layer_pdf: Path) -> list[OcrPage]:
    """Per-page results: OCR'd pages from the kept hOCR and text, the others from a text layer."""
    pages: list[OcrPage] = []
    skipped: list[int] = []
    for number in range(1, page_count + 1):
        hocr = hocr_dir / f"{number:06d}.hocr"
        if not hocr.exists():
            pages.append(OcrPage(number=number, text="", ocr=False))
            skipped.append(number)
        elif hocr.stat().st_size == 0:
            # Tesseract timed out or found nothing; OCRmyPDF leaves an empty file, we an empty page.
            pages.append(OcrPage(number=number, text="", ocr=True, confidence=0.0))
        else:
            pages.append(_page_from_hocr(number, hocr))
    for number, text in zip(skipped, pdfium.page_texts(text_layer_pdf, skipped), strict=True):
        pages[number - 1] = OcrPage(number=number, text=text, ocr=False)
    return pages


def _page_from_hocr(number: int, hocr: Path) -> OcrPage:
    tree = HocrParser(hocr).parse()
    words: list[OcrWord] = []
    line_id = 0
    for block_id, paragraph in enumerate(tree.paragraphs):
        for line in paragraph.lines:
            for word in line.words:
                if word.bbox is not None:
                    words.append(OcrWord(
                        word.text, word.bbox.left, word.bbox.top, word.bbox.right, word.bbox.bottom,
                        word.confidence if word.confidence is not None else 0.0, line_id, block_id))
            line_id += 1
    text = hocr.with_suffix(".txt").read_text(encoding="utf-8").rstrip("\f")
    size = tree.bbox or BoundingBox(0, 0, 0, 0)
    return OcrPage(
        number=number,
        text=text,
        ocr=True,
        confidence=sum(w.conf for w in words) / len(words) if words else 0.0,
        words=tuple(words),
        width=size.width,
        height=size.height,
        dpi=tree.dpi,
    )


def _pdfa_failed(reason: str) -> OcrWarning:
    return OcrWarning(
        "pdfa-failed",
        "Không chuyển được tệp sang PDF/A nên không tạo bản dẫn xuất; bản gốc vẫn được lưu trữ "
        "và văn bản vẫn được trích xuất.",
        "The file could not be converted to PDF/A, so no derivative was made; the master is kept "
        "and its text was still extracted.",
        reason)


def _corrupt_pdf(exc: BaseException) -> NormalisationError:
    return NormalisationError(
        "pdf-corrupt",
        "Tệp PDF bị hỏng, không đọc được; hãy quét hoặc xuất lại tệp.",
        "The PDF is damaged and cannot be read; scan or export it again.",
        permanent=True, detail=str(exc))


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().strip())


@contextmanager
def _ocrmypdf_run() -> Iterator[list[str]]:
    """Collect OCRmyPDF's warnings during one run, and undo its one leak into the process.

    OCRmyPDF reports problems such as a page that timed out only through logging; another OCRmyPDF
    job running in the same process at the same time would add its warnings too (workers run one
    file per process). pikepdf's ``check_linearization``, which OCRmyPDF calls on its output, swaps
    a StringIO in as ``sys.stderr`` and does not put the real one back when it raises (it does for
    every file that is not linearized): without the restore, every later message of the process
    would vanish.
    """
    collector = _Collector()
    logger = logging.getLogger("ocrmypdf")
    logger.addHandler(collector)
    stderr = sys.stderr
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)
        sys.stderr = stderr


def _probe_image(input_file: Path, purpose: str) -> Path:
    """A grey copy of the page at most ``page_probe.PROBE_MAX_SIDE`` px long, for the layout-only questions.

    Skew and orientation come from the page's layout (lines, blocks), which survives halving the
    resolution; asked at full resolution, each question is a whole extra Tesseract pass over the
    page, together about half the CPU of OCR itself.
    """
    with Image.open(input_file) as img:
        factor = -(-max(img.size) // page_probe.PROBE_MAX_SIDE)
        if factor <= 1:
            return input_file
        probe = input_file.with_name(f"{input_file.stem}-{purpose}-probe.png")
        img.convert("L").reduce(factor).save(probe)
    return probe


@functools.cache
def _installed_languages() -> set[str]:
    return tesseract.get_languages()


class _HocrKeepingTesseract(TesseractOcrEngine):
    """OCRmyPDF's Tesseract engine, keeping each page's hOCR and text in our work directory, and
    finding skew and orientation on a reduced copy of the page."""

    @staticmethod
    def languages(options: Any) -> set[str]:
        """Tesseract's installed languages, listed once per process instead of on every run."""
        return _installed_languages()

    @staticmethod
    def get_deskew(input_file: Path, options: Any) -> float:
        # Layout analysis only (--psm 2): the small `osd` model is enough, vie+eng need not load.
        return tesseract.get_deskew(_probe_image(input_file, "deskew"), languages=["osd"],
                                    engine_mode=options.tesseract.oem,
                                    timeout=options.tesseract.non_ocr_timeout,
                                    omp_thread_limit=options.tesseract.omp_thread_limit)

    @staticmethod
    def get_orientation(input_file: Path, options: Any) -> Any:
        return TesseractOcrEngine.get_orientation(_probe_image(input_file, "orientation"), options)

    @staticmethod
    def supports_generate_ocr() -> bool:
        return True

    @staticmethod
    def generate_ocr(input_file: Path, options: Any, page_number: int = 0) -> tuple[OcrElement, str]:
        hocr = Path(options.extra_attrs[_HOCR_DIR_OPTION]) / f"{page_number + 1:06d}.hocr"
        text = hocr.with_suffix(".txt")
        TesseractOcrEngine.generate_hocr(input_file, hocr, text, options)
        if hocr.stat().st_size == 0:
            with Image.open(input_file) as img:
                width, height = img.size
            return OcrElement(ocr_class=OcrClass.PAGE, bbox=BoundingBox(0, 0, width, height)), ""
        return HocrParser(hocr).parse(), text.read_text(encoding="utf-8")


def _ours(options: Any) -> bool:
    return options is not None and _HOCR_DIR_OPTION in options.extra_attrs


@hookimpl
def get_ocr_engine(options: Any) -> TesseractOcrEngine | None:
    """OCRmyPDF hook: our engine for our jobs; None lets OCRmyPDF's own Tesseract take the rest."""
    return _HocrKeepingTesseract() if _ours(options) else None


@hookimpl(trylast=True)
def validate(pdfinfo: Any, options: Any) -> None:
    """OCRmyPDF hook: one Tesseract thread per page, since pages already run in parallel.

    OCRmyPDF gives a short document's pages several Tesseract threads each; with several documents
    per machine that oversubscribes the cores. Running after the Tesseract plugin's own `validate`
    (trylast) overrides its choice for our jobs only, without touching the process environment.
    """
    if _ours(options):
        options.tesseract.omp_thread_limit = 1


@hookimpl
def rasterize_pdf_page(input_file: Path, output_file: Path, raster_device: GhostscriptRasterDevice,
                       raster_dpi: Any, pageno: int, page_dpi: Any, rotation: int | None,
                       filter_vector: bool, stop_on_soft_error: bool, options: Any,
                       use_cropbox: bool) -> Path | None:
    """OCRmyPDF hook: a bilevel page that will be deskewed is rasterized in grey.

    Pillow rotates 1-bit images with nearest-neighbour sampling only; the stair-stepped strokes cost
    Tesseract about one word in a hundred on the corpus's G4 scans (more at 200 dpi), more than
    deskewing gains. A grey raster is rotated bicubically, and `filter_page_image` turns the visible
    copy back into 1 bit so the derivative stays as small as the scan.
    """
    if not (_ours(options) and options.deskew and raster_device == GhostscriptRasterDevice.PNGMONOD):
        return None
    grey = dict(input_file=input_file, output_file=output_file, raster_device=GhostscriptRasterDevice.PNGGRAY,
                raster_dpi=raster_dpi, pageno=pageno, page_dpi=page_dpi, rotation=rotation,
                filter_vector=filter_vector, stop_on_soft_error=stop_on_soft_error, options=options,
                use_cropbox=use_cropbox)
    return pdfium_plugin.rasterize_pdf_page(**grey) or gs_plugin.rasterize_pdf_page(**grey)


@hookimpl
def filter_page_image(page: Any, image_filename: Path) -> Path | None:
    """OCRmyPDF hook: the deskewed visible image of a bilevel page goes back to 1 bit (see above)."""
    if not (_ours(page.options) and page.options.deskew and _bilevel(page.pageinfo)):
        return None
    with Image.open(image_filename) as image:
        if image.mode != "L":
            return None
        target = image_filename.with_name(f"{image_filename.stem}-bilevel.png")
        image.point(lambda v: 255 if v >= 128 else 0, mode="1").save(target, dpi=image.info.get("dpi"))
    return target


def _bilevel(pageinfo: PageInfo) -> bool:
    """Whether OCRmyPDF would rasterize the page in 1 bit: only 1-bit images, painted black."""
    return bool(pageinfo.images) and not pageinfo.has_vector and all(
        image.bpc == 1 and image.ink in (None, Ink.mono) for image in pageinfo.images)
