"""Fixtures for the packaging tests: real corpus files, a real PDF/A made by OCRmyPDF, the local object store."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree

from ingest.package import (
    Agent,
    AgentLink,
    CreatingApplication,
    DocumentDescription,
    Event,
    FileDescription,
    ObjectLink,
    OcflStorage,
    Package,
    PackageFile,
    PackageSpec,
    Representation,
    SchemaSet,
)
from ingest.package.xmlutil import VIETNAM
from storage.local import LocalObjectStore
from tests.conftest import REPO_ROOT

SHARED = REPO_ROOT.parent / "shared"
SCHEMA_DIR = SHARED / "schemas"
CORPUS = SHARED / "corpus" / "vn-admin" / "files"
MASTER = CORPUS / "vn002.pdf"
CREATED = datetime(2025, 7, 1, 9, 30, 0, 125000, tzinfo=VIETNAM)
SOFTWARE = Agent(identifier="luutru", name="luutru", type="software", version="0.1.0")
ARCHIVIST = Agent(identifier="nv-an", name="Nguyễn Văn An", type="person")
OCR = Agent(identifier="ocrmypdf", name="OCRmyPDF", type="software", version="16")


@pytest.fixture(scope="session")
def schemas() -> SchemaSet:
    return SchemaSet(SCHEMA_DIR)


@pytest.fixture(scope="session")
def xsd() -> dict[str, etree.XMLSchema]:
    """The METS and PREMIS schemas compiled straight from the shared folder, independent of SchemaSet."""
    parser = etree.XMLParser(no_network=True)
    return {"mets": etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "mets-1.12.xsd"), parser)),
            "premis": etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "premis-v3-0.xsd"), parser))}


@pytest.fixture(scope="session")
def access_copy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A real PDF/A-2b with its OCR text, made from the master by OCRmyPDF (Tesseract, Vietnamese)."""
    folder = tmp_path_factory.mktemp("pdfa")
    pdf, text = folder / "vn002.pdf", folder / "vn002.txt"
    subprocess.run([str(Path(sys.executable).parent / "ocrmypdf"), "-q", "-l", "vie", "--output-type", "pdfa-2",
                    "--sidecar", str(text), str(MASTER), str(pdf)], check=True)
    return pdf, text


@pytest.fixture()
def store(tmp_path: Path) -> LocalObjectStore:
    return LocalObjectStore(tmp_path / "store")


@pytest.fixture()
def ocfl(store: LocalObjectStore) -> OcflStorage:
    return OcflStorage(store)


def package_file(path: str, source: Path, mime: str, format_name: str, puid: str | None,
                 app: CreatingApplication | None = None, document: int | None = 1) -> PackageFile:
    data = source.read_bytes()
    return PackageFile(path=path, size=len(data), sha256=hashlib.sha256(data).hexdigest(), mime=mime,
                       format_name=format_name, puid=puid, source=source, creating_application=app,
                       original_name=source.name, document=document)


def file_description(**changes: object) -> FileDescription:
    values: dict[str, object] = dict(
        file_code="H49.64.33.2024.160", title="Hồ sơ ban hành Quy chế quản lý cơ sở dữ liệu", maintenance="01",
        mode="01", language=("01",), confidence_level="02", paper_file_code="H49.K01.G02.H03.160",
        start_date="27/05/2024", end_date="27/05/2024", total_doc=1, number_of_page=2, physical_state="01",
        description="Hồ sơ số hóa từ bản giấy")
    values.update(changes)
    return FileDescription(**values)  # type: ignore[arg-type]


def document(**changes: object) -> DocumentDescription:
    values: dict[str, object] = dict(
        arc_file_code="H49.64.33.2024.160", doc_code="H49.64.33.2024.160.0000001", doc_ordinal=1, type_name="22",
        code_number="1089", code_notation="STTTT-VP", issued_date="27/05/2024",
        organ_name="SỞ THÔNG TIN VÀ TRUYỀN THÔNG", subject="V/v triển khai chuyển đổi số", mode="01",
        language=("01",), confidence_level="02", number_of_page=2, physical_state="01", process=False)
    values.update(changes)
    return DocumentDescription(**values)  # type: ignore[arg-type]


def event(kind: str, *objects: ObjectLink, agent: Agent = SOFTWARE, role: str = "executing program",
          detail: str | None = None) -> Event:
    return Event(identifier=uuid.uuid4(), type=kind, at=CREATED, outcome="success", detail=detail,
                 agents=(AgentLink(agent.identifier, (role,)),), objects=objects)


@pytest.fixture()
def aip_spec(access_copy: tuple[Path, Path]) -> Callable[..., PackageSpec]:
    """Factory of the AIP of one document: rep1 the untouched scan, rep2 its PDF/A-2b and OCR text."""
    pdfa, text = access_copy

    def make(object_id: uuid.UUID | None = None, master: Path = MASTER, with_access: bool = True,
             **changes: object) -> PackageSpec:
        master_path = "representations/rep1/data/" + master.name
        master_file = package_file(master.name, master, "application/pdf", "Acrobat PDF 1.4", "fmt/18",
                                   CreatingApplication("Canon DR-G2140", "1.2", CREATED))
        reps = [Representation(name="rep1", files=(master_file,), documents=(document(),), events=(
            event("mes", ObjectLink(master_path, "source")),
            event("for", ObjectLink(master_path, "source"), detail="Siegfried: fmt/18")))]
        if with_access:
            ocr_app = CreatingApplication("OCRmyPDF", "16.13.0", CREATED)
            reps.append(Representation(name="rep2", files=(
                package_file("vn002.pdf", pdfa, "application/pdf", "Acrobat PDF/A - Portable Document Format",
                             "fmt/476", ocr_app),
                package_file("vn002.txt", text, "text/plain", "Plain Text File", "x-fmt/111", ocr_app)),
                documents=(document(),), events=(
                    event("nor", ObjectLink(master_path, "source"),
                          ObjectLink("representations/rep2/data/vn002.pdf", "outcome"),
                          ObjectLink("representations/rep2/data/vn002.txt", "outcome"), agent=OCR,
                          detail="ocrmypdf -l vie --output-type pdfa-2"),)))
        values: dict[str, object] = dict(
            object_id=object_id or uuid.uuid4(), kind="hoso", description=file_description(),
            representations=tuple(reps), organization="Trung tâm Lưu trữ quốc gia III", software=SOFTWARE,
            created=CREATED, agents=(SOFTWARE, ARCHIVIST, OCR),
            events=(event("ing", ObjectLink("", "outcome")),
                    event("ipc", ObjectLink("", "outcome"), agent=ARCHIVIST, role="authorizer")))
        values.update(changes)
        return PackageSpec(**values)  # type: ignore[arg-type]

    return make


def assert_schema_valid(package: Package, xsd: dict[str, etree.XMLSchema]) -> int:
    """Validate every METS and PREMIS document of a package; returns how many were checked."""
    checked = 0
    for entry in package.entries:
        name = entry.path.rsplit("/", 1)[-1]
        kind = "mets" if name == "METS.xml" else "premis" if name.startswith("PREMIS") else None
        if kind is None:
            continue
        tree = etree.fromstring(entry.source)  # type: ignore[arg-type]
        assert xsd[kind].validate(tree), f"{entry.path}: {xsd[kind].error_log}"
        checked += 1
    return checked


def ocfl_py_validates(root: Path) -> bool:
    """Independent check of a whole storage root with ocfl-py's validator (digests included)."""
    from ocfl.storage_root import StorageRoot

    storage_root = StorageRoot(root=str(root))
    valid = storage_root.validate(validate_objects=True, check_digests=True)
    return bool(valid) and storage_root.num_objects == storage_root.good_objects
