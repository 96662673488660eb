"""Images to PDF (ingest/normalise.py): lossless where the PDF can hold the image, bounded memory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from ingest import normalise as normalise_module
from ingest.normalise import NormalisationError, image_to_pdf, page_ranges
from tests.ocr.helpers import corpus_file, text_page


@dataclass(frozen=True)
class Embedded:
    """An image as the PDF stores it: its filter, its raw bytes and its decoded pixels."""

    filter: str
    raw: bytes
    pixels: Image.Image


def _images(pdf_path: Path) -> list[Embedded]:
    with pikepdf.open(pdf_path) as pdf:
        return [Embedded(" ".join(map(str, pikepdf.Array(img.Filter.wrap_in_array()))), img.read_raw_bytes(),
                         pikepdf.PdfImage(img).as_pil_image())
                for page in pdf.pages for img in page.get_images().values()]


def _page_size_in(pdf_path: Path) -> list[tuple[float, float]]:
    with pikepdf.open(pdf_path) as pdf:
        return [(float(p.mediabox[2]) / 72, float(p.mediabox[3]) / 72) for p in pdf.pages]


def test_multipage_g4_tiff_keeps_the_ccitt_data(tmp_path: Path) -> None:
    source = corpus_file("vn001.tif")
    result = image_to_pdf(source, tmp_path / "out.pdf", tmp_path / "scratch")
    assert result.page_count == 2
    assert [image.filter for image in _images(tmp_path / "out.pdf")] == ["/CCITTFaxDecode"] * 2
    # 2481 × 3507 px at 300 dpi is an A4 sheet.
    for width, height in _page_size_in(tmp_path / "out.pdf"):
        assert width == pytest.approx(8.27, abs=0.01) and height == pytest.approx(11.69, abs=0.01)
    assert not list((tmp_path / "scratch").iterdir()), "frame and chunk files are cleaned up"


def test_jpeg_is_embedded_byte_for_byte(tmp_path: Path) -> None:
    source = corpus_file("vn014.jpg")
    image_to_pdf(source, tmp_path / "out.pdf", tmp_path / "scratch")
    (image,) = _images(tmp_path / "out.pdf")
    assert image.filter == "/DCTDecode" and image.raw == source.read_bytes()


def test_missing_resolution_defaults_to_300_dpi_and_low_dpi_is_reported(tmp_path: Path) -> None:
    no_dpi = tmp_path / "no-dpi.png"
    text_page((1500, 600), "L").save(no_dpi)
    assert image_to_pdf(no_dpi, tmp_path / "a.pdf", tmp_path / "s").warnings == []
    assert _page_size_in(tmp_path / "a.pdf") == [(pytest.approx(5.0, abs=0.01), pytest.approx(2.0, abs=0.01))]

    low = tmp_path / "low.png"
    text_page((1500, 600), "L").save(low, dpi=(150, 150))
    (warning,) = image_to_pdf(low, tmp_path / "b.pdf", tmp_path / "s").warnings
    assert warning.code == "low-dpi" and "200 dpi" in warning.message_en and "Thông tư 05" in warning.message_vi
    assert _page_size_in(tmp_path / "b.pdf") == [(pytest.approx(10.0, abs=0.01), pytest.approx(4.0, abs=0.01))]


def test_mode_img2pdf_refuses_is_converted_with_pillow(tmp_path: Path) -> None:
    # 32-bit integer samples: img2pdf raises ValueError, Pillow scales them to 8-bit grey.
    source = tmp_path / "deep.tif"
    text_page((800, 300), "I", background=65535, ink=0).save(source, dpi=(300, 300))
    assert image_to_pdf(source, tmp_path / "out.pdf", tmp_path / "s").page_count == 1
    (image,) = _images(tmp_path / "out.pdf")
    assert image.pixels.mode == "L" and image.pixels.getextrema() == (0, 255)


def test_many_frames_are_converted_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Small chunks so a short file exercises the join; colour frames take the PNG path.
    monkeypatch.setattr(normalise_module, "CHUNK_PAGES", 3)
    frames = [text_page((400, 200), "RGB", lines=[f"Trang {i}"], background=(250, 245, 230)) for i in range(7)]
    source = tmp_path / "multi.tif"
    frames[0].save(source, save_all=True, append_images=frames[1:], compression="tiff_lzw", dpi=(200, 200))
    result = image_to_pdf(source, tmp_path / "out.pdf", tmp_path / "scratch")
    assert result.page_count == 7
    with pikepdf.open(tmp_path / "out.pdf") as pdf:
        assert len(pdf.pages) == 7
    for index, image in enumerate(_images(tmp_path / "out.pdf")):
        assert image.pixels.tobytes() == frames[index].tobytes(), f"frame {index} changed"
    assert not list((tmp_path / "scratch").iterdir())


@pytest.mark.parametrize("content", [b"", b"not an image at all", b"\xff\xd8\xff\xe0" + b"\0" * 64])
def test_unreadable_image_is_a_permanent_error(tmp_path: Path, content: bytes) -> None:
    source = tmp_path / "bad.jpg"
    source.write_bytes(content)
    with pytest.raises(NormalisationError) as caught:
        image_to_pdf(source, tmp_path / "out.pdf", tmp_path / "s")
    assert caught.value.permanent and caught.value.code == "image-corrupt"
    assert "bị hỏng" in caught.value.message_vi and "damaged" in caught.value.message_en


def test_truncated_jpeg_is_caught_before_embedding(tmp_path: Path) -> None:
    data = corpus_file("vn015.jpg").read_bytes()
    source = tmp_path / "truncated.jpg"
    source.write_bytes(data[: len(data) // 2])
    with pytest.raises(NormalisationError) as caught:
        image_to_pdf(source, tmp_path / "out.pdf", tmp_path / "s")
    assert caught.value.permanent


def test_page_ranges() -> None:
    assert page_ranges([1, 2, 3, 7, 9, 10]) == "1-3, 7, 9-10"
    assert page_ranges([4]) == "4"


def test_bilevel_frames_are_saved_as_single_strip_g4(tmp_path: Path) -> None:
    frames = [text_page((600, 200), "1", background=1, ink=0) for _ in range(2)]
    source = tmp_path / "g4.tif"
    frames[0].save(source, save_all=True, append_images=frames[1:], compression="group4", dpi=(300, 300))
    image_to_pdf(source, tmp_path / "out.pdf", tmp_path / "s")
    images = _images(tmp_path / "out.pdf")
    assert [image.filter for image in images] == ["/CCITTFaxDecode"] * 2
    with Image.open(source) as original:
        for index, image in enumerate(images):
            original.seek(index)
            assert image.pixels.tobytes() == original.tobytes()
