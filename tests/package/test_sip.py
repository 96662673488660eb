"""SIPs in and DIPs out: the SIP → AIP → DIP round trip, and refusal of malformed SIPs with a precise report."""

from __future__ import annotations

import dataclasses
import hashlib
import stat
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree

from ingest.package import (
    AccessRequest,
    ForeignDescription,
    LooseFileDescription,
    MetadataError,
    OcflStorage,
    PackageRejected,
    PackageSpec,
    SchemaSet,
    aip_from_sip,
    build_package,
    dip_from_aip,
    read_package,
    read_zip_package,
    validate_storage_root,
    write_zip,
)
from ingest.package.model import open_source
from ingest.package.xmlutil import VIETNAM
from storage.local import LocalObjectStore
from tests.package.conftest import ARCHIVIST, OCR, SOFTWARE, assert_schema_valid, document, ocfl_py_validates

ACCEPTED = datetime(2025, 7, 15, 14, 0, 0, tzinfo=VIETNAM)


def sip_spec(aip_spec: Callable[..., PackageSpec]) -> PackageSpec:
    """What a producing agency sends: the master only, SIP forms of the metadata, no PREMIS."""
    aip = aip_spec(with_access=False)
    rep = aip.representations[0]
    files = tuple(dataclasses.replace(item, creating_application=None, original_name=None) for item in rep.files)
    sip_doc = document(doc_id="H49.64.33.2024.160.1", maintenance="01", arc_file_code=None, doc_ordinal=None)
    return dataclasses.replace(aip, representations=(dataclasses.replace(rep, files=files, documents=(sip_doc,),
                                                                         events=()),),
                               events=(), agents=(), organization="Sở Thông tin và Truyền thông Quảng Bình")


@pytest.fixture()
def sip_zip(aip_spec: Callable[..., PackageSpec], schemas: SchemaSet, tmp_path: Path) -> Path:
    path = tmp_path / "1uuid-sip.zip"
    write_zip(build_package(sip_spec(aip_spec), "SIP", schemas), path)
    return path


def test_sip_to_aip_to_dip_round_trip(aip_spec: Callable[..., PackageSpec], schemas: SchemaSet, tmp_path: Path,
                                      xsd: dict[str, etree.XMLSchema], store: LocalObjectStore) -> None:
    sent = sip_spec(aip_spec)
    sip = build_package(sent, "SIP", schemas)
    assert sip.objid == f"uuid-{sent.object_id}" and assert_schema_valid(sip, xsd) == 2
    assert not any("PREMIS" in entry.path for entry in sip.entries)
    write_zip(sip, tmp_path / "sip.zip")
    received = read_zip_package(tmp_path / "sip.zip", schemas, expected_type="SIP")
    assert received.spec == sent and received.is_tt05

    aip_spec_ = aip_from_sip(received, archive_code="TTLTQG3", created=ACCEPTED, software=SOFTWARE,
                             organization="Trung tâm Lưu trữ quốc gia III", authorizer=ARCHIVIST, agents=(OCR,))
    access = aip_spec().representations[1]
    aip_spec_ = dataclasses.replace(aip_spec_, representations=aip_spec_.representations + (
        dataclasses.replace(access, documents=aip_spec_.representations[0].documents),))
    assert aip_spec_.description.file_code == f"TTLTQG3.{sent.description.file_code}"  # type: ignore[union-attr]
    assert [event.type for event in aip_spec_.events] == ["ipc"]
    aip = build_package(aip_spec_, "AIP", schemas)
    assert assert_schema_valid(aip, xsd) == 6
    ocfl = OcflStorage(store)
    ocfl.write_version(aip.objid, aip.entries, created=ACCEPTED, message="Tiếp nhận SIP", user_name=ARCHIVIST.name,
                       user_address="mailto:an@luutru.gov.vn")
    assert validate_storage_root(store) == [] and ocfl_py_validates(store.root / "ocfl")
    stored = read_package(ocfl.openers(aip.objid), schemas, source="ocfl", expected_type="AIP")
    assert stored.spec == aip_spec_

    request = AccessRequest(request_id="YC-2025-0042", request_date="16/07/2025", purpose="01",
                            fee_object_type="01", research_topic="Chuyển đổi số cấp tỉnh")
    dip_spec = dip_from_aip(stored.spec, request, representations=("rep2",), created=ACCEPTED, software=SOFTWARE,
                            organization="Trung tâm Lưu trữ quốc gia III", disseminator=ARCHIVIST)
    dip = build_package(dip_spec, "DIP", schemas)
    assert assert_schema_valid(dip, xsd) == 4
    write_zip(dip, tmp_path / "dip.zip")
    delivered = read_zip_package(tmp_path / "dip.zip", schemas, expected_type="DIP")
    assert delivered.spec == dip_spec
    assert delivered.spec.description == request
    sent_access = {item.path: item.sha256 for item in access.files}
    assert {item.path: item.sha256 for item in delivered.spec.representations[0].files} == sent_access
    assert delivered.spec.representations[0].documents[0].arc_doc_code == (
        f"TTLTQG3.{sent.description.file_code}.0000001")  # type: ignore[union-attr]


def test_loose_document_sip_round_trip(aip_spec: Callable[..., PackageSpec], schemas: SchemaSet,
                                       tmp_path: Path) -> None:
    spec = dataclasses.replace(sip_spec(aip_spec), kind="tailieu", description=LooseFileDescription(
        file_code="H49.2024.VBDI", title="Văn bản đi năm 2024", source="0", total_doc=1))
    write_zip(build_package(spec, "SIP", schemas), tmp_path / "tailieu.zip")
    assert read_zip_package(tmp_path / "tailieu.zip", schemas, expected_type="SIP").spec == spec


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(files: dict[str, bytes], path: Path, symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name)
            if name == symlink:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, data)
    return path


def root_of(files: dict[str, bytes]) -> str:
    return next(iter(files)).split("/")[0]


def refused(path: Path, schemas: SchemaSet, expected: str = "SIP") -> list[str]:
    with pytest.raises(PackageRejected) as caught:
        read_zip_package(path, schemas, expected_type=expected)
    return caught.value.problems


def replace_listed(files: dict[str, bytes], root: str, path: str, data: bytes) -> None:
    """Swap a file and fix its size and checksum in the root METS, so only the swap itself is judged."""
    old = files[f"{root}/{path}"]
    files[f"{root}/{path}"] = data
    mets = files[f"{root}/METS.xml"]
    mets = mets.replace(hashlib.sha256(old).hexdigest().upper().encode(),
                        hashlib.sha256(data).hexdigest().upper().encode())
    files[f"{root}/METS.xml"] = mets.replace(f'SIZE="{len(old)}"'.encode(), f'SIZE="{len(data)}"'.encode(), 1)


def test_missing_mets_is_refused(sip_zip: Path, schemas: SchemaSet, tmp_path: Path) -> None:
    files = members(sip_zip)
    del files[f"{root_of(files)}/METS.xml"]
    assert refused(rezip(files, tmp_path / "bad.zip"), schemas) == [
        "METS.xml: missing at the package root (E-ARK CSIPSTR4, TT 05)"]


def test_wrong_checksum_is_refused(sip_zip: Path, schemas: SchemaSet, tmp_path: Path) -> None:
    files = members(sip_zip)
    name = f"{root_of(files)}/representations/rep1/data/vn002.pdf"
    data = bytearray(files[name])
    data[1000] ^= 0xFF
    files[name] = bytes(data)
    problems = refused(rezip(files, tmp_path / "bad.zip"), schemas)
    assert len(problems) == 1
    actual, listed = hashlib.sha256(files[name]).hexdigest(), hashlib.sha256(members(sip_zip)[name]).hexdigest()
    assert problems[0] == f"representations/rep1/data/vn002.pdf: SHA-256 is {actual}, METS says {listed}"


@pytest.mark.parametrize(("name", "words"), [
    ("{root}/../../etc/cron.d/evil", "'..' path traversal"),
    ("/etc/passwd", "absolute path"),
    ("{root}\\..\\evil.txt", "backslash"),
])
def test_unsafe_member_names_are_refused(sip_zip: Path, schemas: SchemaSet, tmp_path: Path, name: str,
                                         words: str) -> None:
    files = members(sip_zip)
    member = name.format(root=root_of(files))
    files[member] = b"x"
    problems = refused(rezip(files, tmp_path / "bad.zip"), schemas)
    assert len(problems) == 1 and problems[0].startswith(f"{member!r}: ") and words in problems[0]


def test_symlink_is_refused(sip_zip: Path, schemas: SchemaSet, tmp_path: Path) -> None:
    files = members(sip_zip)
    link = f"{root_of(files)}/representations/rep1/data/link.pdf"
    files[link] = b"/etc/shadow"
    assert refused(rezip(files, tmp_path / "bad.zip", symlink=link), schemas) == [f"{link!r}: symbolic link"]


def test_two_root_folders_are_refused(sip_zip: Path, schemas: SchemaSet, tmp_path: Path) -> None:
    files = members(sip_zip)
    files["other/METS.xml"] = b"<x/>"
    problems = refused(rezip(files, tmp_path / "bad.zip"), schemas)
    assert problems == [f"the ZIP has 2 top-level folders (other, {root_of(files)}); a package must unpack to "
                        "exactly one (E-ARK CSIPSTR1)"]


def test_unlisted_file_is_refused(sip_zip: Path, schemas: SchemaSet, tmp_path: Path) -> None:
    files = members(sip_zip)
    files[f"{root_of(files)}/representations/rep1/data/extra.pdf"] = b"%PDF-1.4"
    assert refused(rezip(files, tmp_path / "bad.zip"), schemas) == [
        "representations/rep1/data/extra.pdf: present in the package but listed in no METS file"]


def test_unknown_descriptive_schema_is_refused(sip_zip: Path, schemas: SchemaSet, tmp_path: Path) -> None:
    files = members(sip_zip)
    mods = b'<mods xmlns="http://www.loc.gov/mods/v3"><titleInfo><title>x</title></titleInfo></mods>'
    replace_listed(files, root_of(files), "metadata/descriptive/EAD.xml", mods)
    problems = refused(rezip(files, tmp_path / "bad.zip"), schemas)
    assert problems == ["metadata/descriptive/EAD.xml: unknown descriptive metadata schema "
                        "<{http://www.loc.gov/mods/v3}mods>; accepted are the TT 05 simpledc block and EAD 2002, "
                        "EAD3"]


def test_invalid_mets_is_refused_with_the_schema_error(sip_zip: Path, schemas: SchemaSet, tmp_path: Path) -> None:
    files = members(sip_zip)
    name = f"{root_of(files)}/METS.xml"
    files[name] = files[name].replace(b' csip:OAISPACKAGETYPE="SIP"', b"")
    problems = refused(rezip(files, tmp_path / "bad.zip"), schemas)
    assert len(problems) == 1 and problems[0].startswith("METS.xml is not valid against mets-1.12.xsd: line ")
    assert "OAISPACKAGETYPE" in problems[0]


def test_invalid_tt05_value_names_the_file_and_field(sip_zip: Path, schemas: SchemaSet, tmp_path: Path) -> None:
    files = members(sip_zip)
    root = root_of(files)
    ead = files[f"{root}/metadata/descriptive/EAD.xml"].replace(b"<maintenance>01<", b"<maintenance>99<")
    replace_listed(files, root, "metadata/descriptive/EAD.xml", ead)
    problems = refused(rezip(files, tmp_path / "bad.zip"), schemas)
    assert len(problems) == 1
    assert problems[0].startswith("metadata/descriptive/EAD.xml: maintenance: (Thời hạn lưu trữ) '99' is not in")


def test_an_aip_is_not_accepted_as_a_sip(aip_spec: Callable[..., PackageSpec], schemas: SchemaSet,
                                         tmp_path: Path) -> None:
    write_zip(build_package(aip_spec(with_access=False), "AIP", schemas), tmp_path / "aip.zip")
    problems = refused(tmp_path / "aip.zip", schemas)
    assert problems[0] == "METS.xml: csip:OAISPACKAGETYPE is 'AIP', expected 'SIP'"


def test_eark_sip_with_ead_2002_is_read_but_needs_tt05_fields(sip_zip: Path, schemas: SchemaSet,
                                                              tmp_path: Path) -> None:
    files = members(sip_zip)
    ead = ('<ead xmlns="urn:isbn:1-931666-22-9"><eadheader><eadid>x</eadid></eadheader><archdesc level="file">'
           '<did><unitid>QB-STTTT-2024-160</unitid><unittitle>Hồ sơ chuyển đổi số</unittitle>'
           '<unitdate>2024</unitdate></did></archdesc></ead>').encode()
    replace_listed(files, root_of(files), "metadata/descriptive/EAD.xml", ead)
    received = read_zip_package(rezip(files, tmp_path / "eark.zip"), schemas, expected_type="SIP")
    assert received.spec.description == ForeignDescription("EAD 2002", "Hồ sơ chuyển đổi số", "QB-STTTT-2024-160",
                                                           "2024", ead)
    assert not received.is_tt05
    with pytest.raises(MetadataError, match="complete the TT 05 fields"):
        aip_from_sip(received, archive_code=None, created=ACCEPTED, software=SOFTWARE, organization="x",
                     authorizer=ARCHIVIST)


def test_sip_entries_stream_from_the_zip(sip_zip: Path, schemas: SchemaSet) -> None:
    received = read_zip_package(sip_zip, schemas, expected_type="SIP")
    item = received.spec.representations[0].files[0]
    with open_source(item.source) as stream:
        assert hashlib.sha256(stream.read()).hexdigest() == item.sha256
