"""Makes the awkward files archivists really receive, each for one failure the pipeline must name."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pikepdf
from PIL import Image

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "vn-admin" / "files"
EICAR = bytes.fromhex("58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956"
                      "495255532d544553542d46494c452124482b482a")
BORN_DIGITAL = CORPUS / "vn003.pdf"
SCAN_JPEG = CORPUS / "vn014.jpg"


def corrupt_pdf(path: Path) -> Path:
    data = BORN_DIGITAL.read_bytes()
    path.write_bytes(data[:200] + b"\x00garbage\x00" * 50)
    return path


def encrypted_pdf(path: Path) -> Path:
    with pikepdf.open(BORN_DIGITAL) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user="mat-khau", owner="chu-so-huu"))
    return path


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def pdf_without_pages(path: Path) -> Path:
    pikepdf.new().save(path)
    return path


def jpeg_named_pdf(path: Path) -> Path:
    shutil.copyfile(SCAN_JPEG, path)
    return path


def text_named_pdf(path: Path) -> Path:
    path.write_text("Đây là ghi chú, không phải tệp PDF.\n", encoding="utf-8")
    return path


def bomb_png(path: Path) -> Path:
    """400 million pixels in a few hundred kilobytes: opening it naively would take gigabytes."""
    Image.new("1", (20000, 20000)).save(path, optimize=True)
    return path


def traversal_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ho-so/van-ban.txt", "nội dung")
        archive.writestr("../../etc/cron.d/evil", "* * * * * root true")
    return path


def zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("zeros.bin", "w") as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(64):
                member.write(block)
    return path


def eicar(path: Path) -> Path:
    path.write_bytes(EICAR)
    return path


def executable(path: Path) -> Path:
    shutil.copyfile("/bin/true", path)
    return path


def pdf_with_javascript(path: Path) -> Path:
    with pikepdf.open(BORN_DIGITAL) as pdf:
        js = pdf.make_stream(b"app.alert('xin chao');")
        action = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=js)
        pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(Names=pikepdf.Array(["chao", action])))
        pdf.save(path)
    return path


# file name → (maker, expected final state, expected failure code or flag)
CASES = {
    "hong.pdf": (corrupt_pdf, "quarantined", "pdf-corrupt"),
    "mat-khau.pdf": (encrypted_pdf, "quarantined", "pdf-encrypted"),
    "rong.pdf": (empty_file, "quarantined", "empty"),
    "khong-trang.pdf": (pdf_without_pages, "quarantined", "pdf-no-pages"),
    "anh-quet.pdf": (jpeg_named_pdf, "archived", None),
    "ghi-chu.pdf": (text_named_pdf, "quarantined", "pdf-corrupt"),
    "bom.png": (bomb_png, "quarantined", "image-bomb"),
    "duong-dan.zip": (traversal_zip, "quarantined", "zip-traversal"),
    "bom-nen.zip": (zip_bomb, "quarantined", "zip-bomb"),
    "eicar.com": (eicar, "quarantined", "infected"),
    "cai-dat.exe": (executable, "quarantined", "unsupported-type"),
    "javascript.pdf": (pdf_with_javascript, "archived", "pdf-javascript"),
}


def make_all(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (maker, _, _) in CASES.items():
        maker(folder / name)
    return folder
