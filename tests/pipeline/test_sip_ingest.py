"""`luutru ingest` of TT 05 SIP ZIPs: verified as packages, metadata from EAD.xml, malformed ones refused whole."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from archive.catalog import Document, Dossier
from archive.cli import main
from archive.factory import Archive
from archive.packaging import schema_set
from ingest.package import (
    FileDescription,
    LooseFileDescription,
    PackageSpec,
    Representation,
    build_package,
    write_zip,
)
from ingest.package.xmlutil import VIETNAM
from tests.package.conftest import SOFTWARE, document, file_description, package_file
from tests.package.test_sip import members, replace_listed, rezip, root_of
from tests.pipeline.badfiles import CORPUS
from tests.pipeline.conftest import RunBatch, by_name

MASTER = CORPUS / "vn003.pdf"


def sip(tmp_path: Path, archive: Archive, description: FileDescription | LooseFileDescription) -> Path:
    """A SIP as a producing agency sends it: one born-digital document, SIP forms of EAD and EAD_doc."""
    from datetime import datetime

    kind = "hoso" if isinstance(description, FileDescription) else "tailieu"
    spec = PackageSpec(
        object_id=uuid.uuid4(), kind=kind, description=description, organization="Sở Nội vụ tỉnh Quảng Bình",
        software=SOFTWARE, created=datetime(2025, 7, 1, 9, 30, tzinfo=VIETNAM),
        representations=(Representation(name="rep1", files=(
            package_file(MASTER.name, MASTER, "application/pdf", "Acrobat PDF 1.4", "fmt/18"),),
            documents=(document(doc_id="H49.64.33.2024.160.1", maintenance="01", arc_file_code=None,
                                doc_ordinal=None, confidence_level="01"),)),))
    path = tmp_path / f"sip-{kind}.zip"
    write_zip(build_package(spec, "SIP", schema_set(archive.settings)), path)
    return path


def test_sip_hoso_is_taken_with_its_ead_metadata(run_batch: RunBatch, archive: Archive, tmp_path: Path) -> None:
    path = sip(tmp_path, archive, dataclasses.replace(file_description(confidence_level="01", paper_file_code=None)))
    report = run_batch(path)
    [item] = by_name(report).values()
    assert item["state"] == "archived", report.items
    assert str(item["name"]).endswith("/representations/rep1/data/vn003.pdf")
    with archive.sessions() as session:
        doc = session.get(Document, item["document_id"])
        assert doc is not None
        assert (doc.code_number, doc.code_notation, doc.subject, doc.type_name.value, doc.issued_date.isoformat(),
                doc.organ_name) == ("1089", "STTTT-VP", "V/v triển khai chuyển đổi số", "22", "2024-05-27",
                                    "SỞ THÔNG TIN VÀ TRUYỀN THÔNG")
        assert doc.field_provenance["code_number"]["source"] == "catalogue"
        dossier = session.scalars(select(Dossier).where(Dossier.file_code == "H49.64.33.2024.160")).one()
        assert doc.dossier_id == dossier.id and dossier.title == "Hồ sơ ban hành Quy chế quản lý cơ sở dữ liệu"


def test_sip_tailieu_is_taken(run_batch: RunBatch, archive: Archive, tmp_path: Path) -> None:
    path = sip(tmp_path, archive, LooseFileDescription(file_code="QB.SNV.2025.TL", title="Tài liệu rời", source="1"))
    [item] = by_name(run_batch(path)).values()
    assert item["state"] == "archived"
    with archive.sessions() as session:
        doc = session.get(Document, item["document_id"])
        assert doc is not None and doc.dossier_id is None and doc.code_notation == "STTTT-VP"


@pytest.mark.parametrize("damage", ["missing METS", "wrong checksum", "traversal", "unknown schema"])
def test_malformed_sip_is_refused_with_a_precise_report(archive: Archive, embedded_env: dict[str, str],
                                                        tmp_path: Path, damage: str) -> None:
    files = members(sip(tmp_path, archive, file_description(confidence_level="01", paper_file_code=None)))
    root = root_of(files)
    if damage == "missing METS":
        del files[f"{root}/METS.xml"]
        expected = "METS.xml: missing at the package root"
    elif damage == "wrong checksum":
        data = files[f"{root}/representations/rep1/data/vn003.pdf"]
        files[f"{root}/representations/rep1/data/vn003.pdf"] = data[:-1] + bytes([data[-1] ^ 1])
        expected = (f"representations/rep1/data/vn003.pdf: SHA-256 is "
                    f"{hashlib.sha256(files[f'{root}/representations/rep1/data/vn003.pdf']).hexdigest()}")
    elif damage == "traversal":
        files[f"{root}/../../etc/cron.d/evil"] = b"x"
        expected = "'..' path traversal"
    else:
        replace_listed(files, root, "metadata/descriptive/EAD.xml",
                       b'<mods xmlns="http://www.loc.gov/mods/v3"><titleInfo><title>x</title></titleInfo></mods>')
        expected = "metadata/descriptive/EAD.xml: unknown descriptive metadata schema"
    bad = rezip(files, tmp_path / "bad.zip")
    result = CliRunner().invoke(main, ["--lang", "en", "ingest", str(bad)], env=embedded_env)
    assert result.exit_code == 2, result.output
    assert "The SIP bad.zip is malformed; none of its files were taken" in result.output
    assert expected in result.output, result.output
    assert list(archive.store.list()) == []


def test_eark_sip_with_ead_2002_is_taken(run_batch: RunBatch, archive: Archive, tmp_path: Path) -> None:
    """An E-ARK SIP: any CSIP content category, EAD 2002 at package level; its records come in as loose documents."""
    files = members(sip(tmp_path, archive, file_description(confidence_level="01", paper_file_code=None)))
    root = root_of(files)
    ead = ('<ead xmlns="urn:isbn:1-931666-22-9"><eadheader><eadid>x</eadid></eadheader><archdesc level="file">'
           '<did><unitid>QB-SNV-2024-7</unitid><unittitle>Hồ sơ cải cách hành chính</unittitle>'
           '<unitdate>2024</unitdate></did></archdesc></ead>').encode()
    replace_listed(files, root, "metadata/descriptive/EAD.xml", ead)
    files[f"{root}/METS.xml"] = files[f"{root}/METS.xml"].replace(b'TYPE="Mixed"', 'TYPE="Textual works – Digital"'
                                                                  .encode(), 1)
    [item] = by_name(run_batch(rezip(files, tmp_path / "eark.zip"))).values()
    assert item["state"] == "archived", item
    with archive.sessions() as session:
        doc = session.get(Document, item["document_id"])
        assert doc is not None and doc.dossier_id is None
        assert (doc.code_notation, doc.subject) == ("STTTT-VP", "V/v triển khai chuyển đổi số")
