"""Building AIPs: TT 05 / CSIP layout, schema validity of every METS and PREMIS, checksums, refusal of bad input."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable

import pytest
from lxml import etree

from ingest.package import (
    AgentLink,
    Event,
    MetadataError,
    ObjectLink,
    PackageSpec,
    SchemaInvalid,
    SchemaSet,
    build_package,
    read_package,
)
from ingest.package.model import open_source
from tests.package.conftest import CREATED, assert_schema_valid

M = "{http://www.loc.gov/METS/}"
P = "{http://www.loc.gov/premis/v3}"
XLINK = "{http://www.w3.org/1999/xlink}href"


def test_aip_layout_follows_tt05(aip_spec: Callable[..., PackageSpec], schemas: SchemaSet,
                                 xsd: dict[str, etree.XMLSchema]) -> None:
    package = build_package(aip_spec(), "AIP", schemas)
    paths = {entry.path for entry in package.entries}
    assert {"METS.xml", "metadata/descriptive/EAD.xml", "metadata/preservation/PREMIS.xml",
            "representations/rep1/METS.xml", "representations/rep1/data/vn002.pdf",
            "representations/rep1/metadata/descriptive/EAD_doc_1.xml",
            "representations/rep1/metadata/preservation/PREMIS_rep1.xml",
            "representations/rep2/METS.xml", "representations/rep2/data/vn002.pdf",
            "representations/rep2/data/vn002.txt",
            "representations/rep2/metadata/preservation/PREMIS_rep2.xml",
            "schemas/mets-1.12.xsd", "schemas/premis-v3-0.xsd", "schemas/xlink.xsd",
            "schemas/EAD.xsd", "schemas/EAD_doc.xsd"} <= paths
    assert package.objid.startswith("urn:uuid:") and package.folder == package.objid.replace(":", "_")
    assert assert_schema_valid(package, xsd) == 6


def test_every_entry_digest_is_true_and_the_mets_says_so(aip_spec: Callable[..., PackageSpec],
                                                        schemas: SchemaSet) -> None:
    package = build_package(aip_spec(), "AIP", schemas)
    for entry in package.entries:
        with open_source(entry.source) as stream:
            data = stream.read()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry.size, entry.sha256), entry.path
    root = etree.fromstring(package.entry("METS.xml").source)  # type: ignore[arg-type]
    assert root.get("TYPE") == "Mixed" and root.get("PROFILE", "").endswith("E-ARK-CSIP.xml")
    header = root.find(f"{M}metsHdr")
    assert header.get("{https://DILCIS.eu/XML/METS/CSIPExtensionMETS}OAISPACKAGETYPE") == "AIP"
    assert header.get("CREATEDATE") == "2025-07-01T09:30:00.125+07:00"
    for ref in root.iter(f"{M}mdRef"):
        entry = package.entry(ref.get(XLINK))
        assert (ref.get("CHECKSUMTYPE"), ref.get("CHECKSUM"), ref.get("SIZE")) == (
            "SHA-256", entry.sha256.upper(), str(entry.size))
    rep = etree.fromstring(package.entry("representations/rep1/METS.xml").source)  # type: ignore[arg-type]
    master = rep.find(f"{M}fileSec/{M}fileGrp/{M}file")
    entry = package.entry("representations/rep1/data/vn002.pdf")
    assert master.get("CHECKSUM") == entry.sha256.upper() and master.get("SIZE") == str(entry.size)
    assert master.get("{https://DILCIS.eu/XML/METS/SIPExtensionMETS}FORMATREGISTRYKEY") == "fmt/18"
    labels = [div.get("LABEL") for div in root.find(f"{M}structMap").iter(f"{M}div")]
    assert labels == [package.objid, "Metadata", "Schemas", "Representations/rep1", "Representations/rep2"]


def test_premis_records_fixity_format_application_and_lineage(aip_spec: Callable[..., PackageSpec],
                                                              schemas: SchemaSet) -> None:
    package = build_package(aip_spec(), "AIP", schemas)
    doc = etree.fromstring(package.entry(  # type: ignore[arg-type]
        "representations/rep2/metadata/preservation/PREMIS_rep2.xml").source)
    pdfa = next(obj for obj in doc.iterfind(f"{P}object")
                if obj.findtext(f"{P}storage/{P}contentLocation/{P}contentLocationValue", "").endswith(".pdf"))
    assert pdfa.findtext(f".//{P}messageDigestAlgorithm") == "SHA-256"
    assert pdfa.findtext(f".//{P}formatRegistryKey") == "fmt/476"
    assert pdfa.findtext(f".//{P}creatingApplicationName") == "OCRmyPDF"
    normalization = doc.find(f"{P}event")
    assert normalization.find(f"{P}eventType").get("valueURI") == (
        "http://id.loc.gov/vocabulary/preservation/eventType/nor")
    assert [role.text for role in normalization.iter(f"{P}linkingObjectRole")] == ["source", "outcome", "outcome"]


def test_building_is_deterministic(aip_spec: Callable[..., PackageSpec], schemas: SchemaSet) -> None:
    spec = aip_spec()
    first, second = build_package(spec, "AIP", schemas), build_package(spec, "AIP", schemas)
    assert [(e.path, e.sha256) for e in first.entries] == [(e.path, e.sha256) for e in second.entries]


def test_read_back_equals_the_spec(aip_spec: Callable[..., PackageSpec], schemas: SchemaSet) -> None:
    spec = aip_spec()
    package = build_package(spec, "AIP", schemas)
    openers = {entry.path: (lambda e=entry: open_source(e.source)) for entry in package.entries}
    assert read_package(openers, schemas, source="memory", expected_type="AIP").spec == spec


@pytest.mark.parametrize(("change", "field"), [
    (lambda spec: {"events": spec.events + (Event(identifier=uuid.uuid4(), type="ing", at=CREATED,
                                                  agents=(AgentLink("nobody", ("implementer",)),)),)},
     "linkingAgentIdentifier"),
    (lambda spec: {"events": spec.events + (Event(identifier=uuid.uuid4(), type="ing", at=CREATED,
                                                  objects=(ObjectLink("representations/rep9", "source"),)),)},
     "linkingObjectIdentifier"),
    (lambda spec: {"events": spec.events + (spec.events[0],)}, "eventIdentifier"),
    (lambda spec: {"representations": (spec.representations[0], spec.representations[0])}, "representations"),
])
def test_inconsistent_specs_are_refused(aip_spec: Callable[..., PackageSpec], schemas: SchemaSet,
                                        change: Callable[[PackageSpec], dict[str, object]], field: str) -> None:
    spec = aip_spec()
    with pytest.raises(MetadataError) as caught:
        build_package(PackageSpec(**{**spec.__dict__, **change(spec)}), "AIP", schemas)
    assert caught.value.field == field


def test_unknown_event_type_is_refused() -> None:
    with pytest.raises(MetadataError, match="eventType"):
        Event(identifier=uuid.uuid4(), type="ingest", at=CREATED)


def test_schema_violations_are_reported_with_lines(aip_spec: Callable[..., PackageSpec], schemas: SchemaSet) -> None:
    mets = build_package(aip_spec(), "AIP", schemas).entry("METS.xml").source
    broken = mets.replace(b' csip:OAISPACKAGETYPE="AIP"', b"")  # type: ignore[union-attr]
    with pytest.raises(SchemaInvalid) as caught:
        schemas.validate("mets", broken, "METS.xml")
    assert "OAISPACKAGETYPE" in str(caught.value) and caught.value.errors[0].startswith("line ")
