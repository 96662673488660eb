"""Validation of one file by its identified format: can we open it, and is it safe to process?

Findings are split in two: *problems* make the file unprocessable (it is kept, quarantined, and an
archivist is told why), *warnings* are archived with the record (e.g. a PDF carrying JavaScript).
Every message is a full sentence in Vietnamese and English.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pikepdf
from PIL import Image

IMAGE_MAX_PIXELS = 300_000_000          # ~ an A0 sheet at 600 dpi; larger is a decompression bomb
ARCHIVE_MAX_TOTAL = 20 * 1024**3        # uncompressed bytes
ARCHIVE_MAX_RATIO = 200                 # uncompressed / compressed, per member and overall
ARCHIVE_MAX_MEMBERS = 100_000


@dataclass(frozen=True)
class Finding:
    code: str
    vi: str
    en: str


@dataclass
class ValidationReport:
    kind: str                           # "pdf", "image", "archive", "other"
    problems: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    page_count: int | None = None
    has_text: bool | None = None        # a PDF with a text layer on at least one page

    @property
    def ok(self) -> bool:
        return not self.problems


def _without_path(exc: BaseException, path: Path) -> str:
    """The library's reason, without the scratch copy's path it starts with: people see this message,
    and the path of a worker's temporary copy means nothing to them."""
    return str(exc).replace(f"{path}: ", "").replace(str(path), path.name)


def _pdf(path: Path, report: ValidationReport) -> None:
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        report.problems.append(Finding(
            "pdf-encrypted", "Tệp PDF được đặt mật khẩu nên không thể đọc; hãy nộp bản không mật khẩu.",
            "The PDF is password-protected and cannot be read; submit an unprotected copy."))
        return
    except pikepdf.PdfError as exc:
        reason = _without_path(exc, path)
        report.problems.append(Finding(
            "pdf-corrupt", f"Tệp PDF bị hỏng, không mở được ({reason}); hãy quét hoặc xuất lại tệp.",
            f"The PDF is damaged and cannot be opened ({reason}); scan or export it again."))
        return
    with pdf:
        report.page_count = len(pdf.pages)
        if report.page_count == 0:
            report.problems.append(Finding(
                "pdf-no-pages", "Tệp PDF không có trang nào; hãy kiểm tra lại tệp gốc.",
                "The PDF has no pages; check the original file."))
            return
        if pdf.is_encrypted:
            report.warnings.append(Finding(
                "pdf-restricted", "Tệp PDF có hạn chế quyền (mã hóa không mật khẩu mở).",
                "The PDF carries permission restrictions (encrypted without an open password)."))
        root = pdf.Root
        names = root.get("/Names", {})
        if "/JavaScript" in names or "/OpenAction" in root and "/JS" in str(root.get("/OpenAction")):
            report.warnings.append(Finding(
                "pdf-javascript", "Tệp PDF chứa JavaScript; đã lưu trữ và đánh dấu để kiểm tra.",
                "The PDF contains JavaScript; it is archived and flagged for review."))
        if "/EmbeddedFiles" in names or any("/EmbeddedFile" in str(a.get("/FS", "")) for p in pdf.pages
                                            for a in p.get("/Annots", [])):
            report.warnings.append(Finding(
                "pdf-embedded-files", "Tệp PDF có tệp đính kèm bên trong; đã đánh dấu để kiểm tra.",
                "The PDF has embedded files; it is flagged for review."))
        report.has_text = any(_page_has_text(page) for page in pdf.pages)


def _page_has_text(page: pikepdf.Page) -> bool:
    """A page has a text layer if its content stream shows text with a font resource present."""
    fonts = page.get("/Resources", {}).get("/Font")
    if not fonts:
        return False
    try:
        return any(op in (pikepdf.Operator("Tj"), pikepdf.Operator("TJ"), pikepdf.Operator("'"))
                   for _, op in pikepdf.parse_content_stream(page))
    except pikepdf.PdfError:
        return False


def _image(path: Path, report: ValidationReport) -> None:
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = IMAGE_MAX_PIXELS
    try:
        with Image.open(path) as img:
            width, height = img.size
            frames = getattr(img, "n_frames", 1)
            if width * height > IMAGE_MAX_PIXELS:
                raise Image.DecompressionBombError(f"{width}x{height}")
            for i in range(frames):
                img.seek(i)
                img.verify() if frames == 1 else img.load()
            report.page_count = frames
    except Image.DecompressionBombError as exc:
        report.problems.append(Finding(
            "image-bomb", f"Ảnh quá lớn để xử lý an toàn ({exc}); có thể là tệp độc hại (bom giải nén).",
            f"The image is too large to process safely ({exc}); it may be a decompression bomb."))
    except (OSError, SyntaxError, ValueError) as exc:
        reason = _without_path(exc, path)
        report.problems.append(Finding(
            "image-corrupt", f"Ảnh bị hỏng, không đọc được ({reason}); hãy quét lại.",
            f"The image is damaged and cannot be read ({reason}); scan it again."))
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def check_zip(path: Path) -> list[Finding]:
    """Refuse traversal, absolute paths, symlinks, and zip bombs before anything is extracted."""
    problems: list[Finding] = []
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        reason = _without_path(exc, path)
        return [Finding("zip-corrupt", f"Tệp nén ZIP bị hỏng ({reason}); hãy nén lại hoặc nộp các tệp riêng lẻ.",
                        f"The ZIP archive is damaged ({reason}); zip it again or submit the files one by one.")]
    if len(members) > ARCHIVE_MAX_MEMBERS:
        problems.append(Finding("zip-too-many", f"Tệp nén có {len(members)} mục, vượt giới hạn {ARCHIVE_MAX_MEMBERS}.",
                                f"The archive has {len(members)} entries, over the limit of {ARCHIVE_MAX_MEMBERS}."))
    total = compressed = 0
    for m in members:
        name = m.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts:
            problems.append(Finding("zip-traversal", f"Mục '{name}' trong tệp nén trỏ ra ngoài thư mục giải nén; tệp bị từ chối.",
                                    f"Entry '{name}' points outside the extraction folder; the archive is refused."))
        if stat.S_ISLNK(m.external_attr >> 16):
            problems.append(Finding("zip-symlink", f"Mục '{name}' là liên kết tượng trưng; không được phép.",
                                    f"Entry '{name}' is a symbolic link, which is not allowed."))
        total += m.file_size
        compressed += m.compress_size
        if m.compress_size and m.file_size / m.compress_size > ARCHIVE_MAX_RATIO and m.file_size > 10 * 1024**2:
            problems.append(Finding("zip-bomb", f"Mục '{name}' nở ra {m.file_size} byte từ {m.compress_size} byte: nghi là bom nén.",
                                    f"Entry '{name}' expands to {m.file_size} bytes from {m.compress_size}: a suspected zip bomb."))
    if total > ARCHIVE_MAX_TOTAL:
        problems.append(Finding("zip-too-large", f"Tệp nén giải nén ra {total} byte, vượt giới hạn {ARCHIVE_MAX_TOTAL}.",
                                f"The archive expands to {total} bytes, over the limit of {ARCHIVE_MAX_TOTAL}."))
    return problems


def validate(path: Path, mime_type: str) -> ValidationReport:
    """Validate by identified MIME type (never by extension)."""
    if mime_type == "application/pdf":
        report = ValidationReport("pdf")
        _pdf(path, report)
    elif mime_type.startswith("image/"):
        report = ValidationReport("image")
        _image(path, report)
    elif mime_type in ("application/zip", "application/x-zip-compressed"):
        report = ValidationReport("archive")
        report.problems.extend(check_zip(path))
    else:
        report = ValidationReport("other")
    return report
