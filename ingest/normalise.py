"""Scanned images to PDF, keeping the scanner's image data wherever a PDF can hold it as it is.

OCRmyPDF works on PDFs, and the archive's derivative is a PDF/A, so every image becomes a PDF
first. img2pdf embeds JPEG, PNG and single-strip CCITT G4 data byte for byte, so that step loses
nothing. Only what img2pdf refuses (e.g. 32-bit integer or float samples) is converted with Pillow,
and every frame of a multi-page TIFF is re-saved by Pillow losslessly (G4 for bilevel, PNG otherwise)
because img2pdf cannot take one frame of a file.

Memory: img2pdf builds its whole document in memory, so a 300-page TIFF is converted in chunks of
`CHUNK_PAGES` frames, and the chunk PDFs are joined with pikepdf, which copies their image streams
from disk while saving. Peak memory is one chunk, whatever the page count.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import img2pdf
import pikepdf
from PIL import Image, UnidentifiedImageError

#: Frames per img2pdf call; bounds memory to this many compressed pages.
CHUNK_PAGES = 16
#: Resolution tags below this are placeholders written by some software (0, 1×1), not a scan's dpi.
MIN_CREDIBLE_DPI = 10.0
#: TT 05/2025 Điều 8: administrative papers are digitised at 200 dpi at least.
TT05_MIN_DPI = 200.0
#: Errors of the disk or the machine rather than of the file: retrying later may succeed.
_TRANSIENT_ERRNOS = frozenset({errno.ENOSPC, errno.ENOMEM, errno.EIO, errno.EDQUOT, errno.EAGAIN})
#: Exceptions img2pdf raises for image data it will not embed as it is.
_IMG2PDF_REFUSALS: tuple[type[Exception], ...] = (
    img2pdf.ImageOpenError, img2pdf.UnsupportedColorspaceError, img2pdf.JpegColorspaceError,
    img2pdf.AlphaChannelError, ValueError,
)


@dataclass(frozen=True, slots=True)
class OcrWarning:
    """Something the archivist should know about the derivative; the item is still archived.

    The messages are sentences for people; ``detail`` is the tool's own wording, for the PREMIS
    event and for whoever debugs it.
    """

    code: str
    message_vi: str
    message_en: str
    detail: str = ""


class NormalisationError(Exception):
    """The file could not be normalised.

    ``permanent`` tells the queue whether a retry can help: a corrupt or unsupported file fails the
    same way every time (quarantine it), while lack of memory, disk or time may pass.
    """

    def __init__(self, code: str, message_vi: str, message_en: str, *, permanent: bool,
                 detail: str = "") -> None:
        super().__init__(f"{message_en} ({detail})" if detail else message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.permanent = permanent
        self.detail = detail


@dataclass(slots=True)
class ImageConversion:
    """What `image_to_pdf` made: the page count and anything worth telling the archivist."""

    page_count: int
    warnings: list[OcrWarning] = field(default_factory=list)


def image_to_pdf(source: Path, output: Path, scratch: Path, default_dpi: float = 300.0) -> ImageConversion:
    """Write every frame of the image *source* as one page of the PDF *output*.

    A frame's page size comes from its own resolution tag, or from *default_dpi* when it has none,
    so that OCR and the printed size agree with the paper. *scratch* receives temporary files.
    Raises `NormalisationError` (permanent) when the image cannot be decoded.
    """
    scratch.mkdir(parents=True, exist_ok=True)
    result = ImageConversion(page_count=0)
    low_dpi: list[int] = []
    chunks: list[Path] = []
    try:
        with Image.open(source) as img:
            frames = getattr(img, "n_frames", 1)
            for batch, dpi in _batches(img, frames, source, scratch, default_dpi):
                chunk = scratch / f"chunk-{len(chunks):05d}.pdf"
                _convert(batch, dpi, chunk, scratch)
                chunks.append(chunk)
                first = result.page_count + 1
                result.page_count += len(batch)
                if min(dpi) < TT05_MIN_DPI:
                    low_dpi.extend(range(first, result.page_count + 1))
                for path in batch:
                    if path != source:
                        path.unlink()
    except img2pdf.PdfTooLargeError as exc:
        raise NormalisationError(
            "image-too-large",
            "Ảnh quá lớn để đặt vào một trang PDF; kiểm tra độ phân giải ghi trong tệp.",
            "The image is too large for a PDF page; check the resolution stored in the file.",
            permanent=True, detail=str(exc)) from exc
    except (UnidentifiedImageError, Image.DecompressionBombError, EOFError) as exc:
        raise _corrupt_image(exc) from exc
    except OSError as exc:
        if exc.errno in _TRANSIENT_ERRNOS:
            raise NormalisationError(
                "io-error", "Lỗi đọc/ghi đĩa khi chuyển ảnh sang PDF; sẽ thử lại.",
                "Disk error while converting the image to PDF; it will be retried.",
                permanent=False, detail=str(exc)) from exc
        raise _corrupt_image(exc) from exc
    _join(chunks, output)
    if low_dpi:
        pages = page_ranges(low_dpi)
        result.warnings.append(OcrWarning(
            "low-dpi",
            f"Trang {pages} có độ phân giải dưới {TT05_MIN_DPI:.0f} dpi, thấp hơn yêu cầu số hóa của "
            "Thông tư 05 (Điều 8); chất lượng OCR có thể kém.",
            f"Page(s) {pages} are below {TT05_MIN_DPI:.0f} dpi, under the TT 05 (Article 8) "
            "digitisation minimum; OCR quality may suffer."))
    return result


def _batches(img: Image.Image, frames: int, source: Path, scratch: Path,
             default_dpi: float) -> Iterator[tuple[list[Path], tuple[float, float]]]:
    """Yield runs of at most `CHUNK_PAGES` page files that share one resolution.

    A single-frame image is yielded as the source file itself, so img2pdf can embed its bytes; it is
    decoded once here because img2pdf would embed a truncated JPEG or G4 stream without noticing.
    """
    batch: list[Path] = []
    batch_dpi: tuple[float, float] | None = None
    for index in range(frames):
        img.seek(index)
        dpi = _resolution(img, default_dpi)
        if batch and (len(batch) == CHUNK_PAGES or dpi != batch_dpi):
            yield batch, batch_dpi  # type: ignore[misc]
            batch = []
        batch_dpi = dpi
        if frames == 1:
            img.load()
            batch.append(source)
        else:
            batch.append(_save_frame(img, scratch / f"frame-{index:05d}"))
    if batch:
        yield batch, batch_dpi  # type: ignore[misc]


def _resolution(img: Image.Image, default_dpi: float) -> tuple[float, float]:
    """The frame's dpi from its tags, or *default_dpi* when it has none worth believing."""
    dpi = img.info.get("dpi")
    try:
        x, y = float(dpi[0]), float(dpi[1])  # type: ignore[index]
    except (TypeError, ValueError, IndexError):
        return (default_dpi, default_dpi)
    if x < MIN_CREDIBLE_DPI or y < MIN_CREDIBLE_DPI:
        return (default_dpi, default_dpi)
    return (x, y)


def _save_frame(img: Image.Image, stem: Path) -> Path:
    """Save the current frame losslessly as a file img2pdf can embed: G4 TIFF if bilevel, else PNG."""
    if img.mode == "1":
        path = stem.with_suffix(".tif")
        # One strip, so img2pdf can pass the G4 data through instead of re-compressing it.
        img.save(path, format="TIFF", compression="group4", tiffinfo={278: img.height})
        return path
    path = stem.with_suffix(".png")
    _embeddable(img).save(path, format="PNG")
    return path


def _embeddable(img: Image.Image) -> Image.Image:
    """The frame in a mode PNG and img2pdf both take, keeping colour and alpha where they can."""
    if img.mode in ("L", "LA", "P", "RGB", "RGBA", "I;16"):
        return img
    if img.mode in ("I", "F"):
        # 32-bit samples: scale the usual 16-bit range of scanners into 8 bits.
        return img.point(lambda v: v / 256).convert("L")
    return img.convert("RGB")


def _convert(pages: list[Path], dpi: tuple[float, float], output: Path, scratch: Path) -> None:
    """img2pdf *pages* into *output*; what it refuses is converted with Pillow and tried again."""
    layout = img2pdf.get_fixed_dpi_layout_fun(dpi)
    try:
        with output.open("wb") as stream:
            img2pdf.convert([str(p) for p in pages], layout_fun=layout,
                            rotation=img2pdf.Rotation.ifvalid, outputstream=stream)
        return
    except _IMG2PDF_REFUSALS:
        pass
    converted = []
    for page in pages:
        with Image.open(page) as img:
            target = scratch / f"{page.stem}-converted.png"
            _embeddable(img).save(target, format="PNG")
            converted.append(target)
    with output.open("wb") as stream:
        img2pdf.convert([str(p) for p in converted], layout_fun=layout, outputstream=stream)
    for path in converted:
        path.unlink()


def _join(chunks: list[Path], output: Path) -> None:
    """Concatenate the chunk PDFs into *output*, then delete them.

    pikepdf copies each chunk's image streams while saving, reading them from the open chunk files,
    so the joined document is never held in memory.
    """
    if len(chunks) == 1:
        chunks[0].replace(output)
        return
    with ExitStack() as stack, pikepdf.new() as joined:
        for chunk in chunks:
            joined.pages.extend(stack.enter_context(pikepdf.open(chunk)).pages)
        joined.save(output)
    for chunk in chunks:
        chunk.unlink()


def _corrupt_image(exc: BaseException) -> NormalisationError:
    return NormalisationError(
        "image-corrupt",
        "Không đọc được tệp ảnh: tệp bị hỏng hoặc không phải ảnh hợp lệ. Hãy quét hoặc xuất lại tệp.",
        "The image file cannot be read: it is damaged or not a valid image. Scan or export it again.",
        permanent=True, detail=str(exc))


def page_ranges(pages: list[int]) -> str:
    """``1-3, 7`` for [1, 2, 3, 7]: short enough for a message about a 300-page scan."""
    ranges: list[str] = []
    start = prev = pages[0]
    for page in [*pages[1:], None]:
        if page is not None and page == prev + 1:
            prev = page
            continue
        ranges.append(f"{start}-{prev}" if prev != start else f"{start}")
        if page is not None:
            start = prev = page
    return ", ".join(ranges)
