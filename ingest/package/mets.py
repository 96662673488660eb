"""METS documents in the E-ARK CSIP shape TT 05 prescribes, for the package root and each representation.

One builder serves both levels because CSIP gives them the same skeleton: a header naming the
creating software and the organisation, ``dmdSec``/``amdSec`` pointing at the metadata files with
size and SHA-256, a ``fileSec`` with size and SHA-256 for every file, and a ``structMap`` labelled
``CSIP`` whose divisions (Metadata, Schemas, Data, Representations/…) tell a reader what is where
without knowing TT 05.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from ingest.package.model import Agent
from ingest.package.xmlutil import (
    CSIP,
    METS,
    SIP,
    XLINK,
    XSI,
    parse_timestamp,
    qname,
    safe_parser,
    serialize,
    text_of,
    timestamp,
    xml_id,
)

PROFILES = {
    # TT 05 cites CSIP 2.0.4; the E-ARK SIP and DIP profiles specialise it for those package types.
    "SIP": "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml",
    "AIP": "https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml",
    "DIP": "https://earkdip.dilcis.eu/profile/E-ARK-DIP.xml",
}
CONTENT_CATEGORY = {"hoso": "Mixed", "tailieu": "Collection"}
CONTENT_INFORMATION_TYPE = "TT05/2025/TT-BNV"
# CSIP reserves ROLE="CREATOR" for the software agent; the organisation's role follows the package's purpose.
ORGANIZATION_ROLE = {"SIP": "ARCHIVIST", "AIP": "PRESERVATION", "DIP": "DISSEMINATOR"}
_M = f"{{{METS}}}"
_HREF = qname(XLINK, "href")
_XTYPE = qname(XLINK, "type")


@dataclass(frozen=True)
class MetaRef:
    """A metadata file the METS points at from a dmdSec (EAD) or a digiprovMD (PREMIS)."""

    href: str
    mdtype: str
    size: int
    sha256: str


@dataclass(frozen=True)
class FileRef:
    """A file listed in the fileSec; ``format`` holds the E-ARK SIP extension attributes."""

    href: str
    mime: str
    size: int
    sha256: str
    created: datetime
    dmd: str | None = None
    format_name: str | None = None
    format_version: str | None = None
    puid: str | None = None


@dataclass(frozen=True)
class Group:
    """A fileGrp; ``USE`` is Schemas, Data or Representations/<name> (a pointer to that METS)."""

    use: str
    files: tuple[FileRef, ...]


@dataclass(frozen=True)
class Header:
    """The facts every METS of a package repeats: identity, type, dates and agents."""

    object_id: uuid.UUID
    objid: str
    label: str
    kind: str
    package_type: str
    created: datetime
    modified: datetime | None
    organization: str
    software: Agent
    schema_location: str


def build_mets(header: Header, path: str, descriptive: Sequence[MetaRef], preservation: Sequence[MetaRef],
               groups: Sequence[Group]) -> bytes:
    """A CSIP METS document; ``path`` (the METS file's own package path) seeds its stable IDs."""

    def ident(name: str, prefix: str = "uuid-") -> str:
        return xml_id(header.object_id, f"{path}#{name}", prefix)

    root = etree.Element(f"{_M}mets", nsmap={"mets": METS, "xlink": XLINK, "csip": CSIP, "sip": SIP, "xsi": XSI})
    root.set("OBJID", header.objid)
    root.set("LABEL", header.label)
    root.set("TYPE", CONTENT_CATEGORY[header.kind])
    root.set(qname(CSIP, "CONTENTINFORMATIONTYPE"), "OTHER")
    root.set(qname(CSIP, "OTHERCONTENTINFORMATIONTYPE"), CONTENT_INFORMATION_TYPE)
    root.set("PROFILE", PROFILES[header.package_type])
    root.set(qname(XSI, "schemaLocation"), header.schema_location)

    hdr = etree.SubElement(root, f"{_M}metsHdr", CREATEDATE=timestamp(header.created),
                           LASTMODDATE=timestamp(header.modified or header.created),
                           RECORDSTATUS="NEW" if header.modified is None else "VERSION")
    hdr.set(qname(CSIP, "OAISPACKAGETYPE"), header.package_type)
    software = etree.SubElement(hdr, f"{_M}agent", ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    etree.SubElement(software, f"{_M}name").text = header.software.name
    note = etree.SubElement(software, f"{_M}note")
    note.set(qname(CSIP, "NOTETYPE"), "SOFTWARE VERSION")
    note.text = header.software.version
    organization = etree.SubElement(hdr, f"{_M}agent", ROLE=ORGANIZATION_ROLE[header.package_type],
                                    TYPE="ORGANIZATION")
    etree.SubElement(organization, f"{_M}name").text = header.organization

    created = timestamp(header.created)
    dmd_ids = []
    for ref in descriptive:
        dmd_ids.append(ident(f"dmd:{ref.href}"))
        section = etree.SubElement(root, f"{_M}dmdSec", ID=dmd_ids[-1], CREATED=created, STATUS="CURRENT")
        _md_ref(section, ref, created, ident(f"mdref:{ref.href}"))
    amd_id = None
    if preservation:
        amd_id = ident("amd")
        amd = etree.SubElement(root, f"{_M}amdSec", ID=amd_id)
        for ref in preservation:
            digiprov = etree.SubElement(amd, f"{_M}digiprovMD", ID=ident(f"digiprov:{ref.href}"), STATUS="CURRENT")
            _md_ref(digiprov, ref, created, ident(f"mdref:{ref.href}"))

    file_sec = etree.SubElement(root, f"{_M}fileSec", ID=ident("filesec"))
    file_ids: dict[str, list[str]] = {}
    for group in groups:
        grp = etree.SubElement(file_sec, f"{_M}fileGrp", ID=ident(f"grp:{group.use}"), USE=group.use)
        if group.use.startswith("Representations/") or group.use == "Data":
            grp.set(qname(CSIP, "CONTENTINFORMATIONTYPE"), "OTHER")
            grp.set(qname(CSIP, "OTHERCONTENTINFORMATIONTYPE"), CONTENT_INFORMATION_TYPE)
        for ref in group.files:
            file_id = ident(f"file:{ref.href}", "ID-")
            file_ids.setdefault(group.use, []).append(file_id)
            node = etree.SubElement(grp, f"{_M}file", ID=file_id, MIMETYPE=ref.mime, SIZE=str(ref.size),
                                    CREATED=timestamp(ref.created), CHECKSUM=ref.sha256.upper(),
                                    CHECKSUMTYPE="SHA-256")
            if ref.dmd is not None:
                node.set("DMDID", dmd_ids[[d.href for d in descriptive].index(ref.dmd)])
            for attribute, value in (("FILEFORMATNAME", ref.format_name), ("FILEFORMATVERSION", ref.format_version),
                                     ("FORMATREGISTRY", "PRONOM" if ref.puid else None),
                                     ("FORMATREGISTRYKEY", ref.puid)):
                if value:
                    node.set(qname(SIP, attribute), value)
            etree.SubElement(node, f"{_M}FLocat", {"LOCTYPE": "URL", _XTYPE: "simple", _HREF: ref.href})

    struct = etree.SubElement(root, f"{_M}structMap", ID=ident("structmap"), TYPE="PHYSICAL", LABEL="CSIP")
    top = etree.SubElement(struct, f"{_M}div", ID=ident("div:root"), LABEL=header.objid)
    metadata = etree.SubElement(top, f"{_M}div", ID=ident("div:metadata"), LABEL="Metadata")
    if dmd_ids:
        metadata.set("DMDID", " ".join(dmd_ids))
    if amd_id:
        metadata.set("ADMID", amd_id)
    for group in groups:
        div = etree.SubElement(top, f"{_M}div", ID=ident(f"div:{group.use}"), LABEL=group.use)
        if group.use.startswith("Representations/"):
            ref, = group.files
            etree.SubElement(div, f"{_M}mptr", {"LOCTYPE": "URL", _XTYPE: "simple", _HREF: ref.href,
                                                 qname(XLINK, "title"): file_ids[group.use][0]})
        else:
            for file_id in file_ids[group.use]:
                etree.SubElement(div, f"{_M}fptr", FILEID=file_id)
    return serialize(root)


def _md_ref(parent: etree._Element, ref: MetaRef, created: str, ident: str) -> None:
    etree.SubElement(parent, f"{_M}mdRef", {
        "LOCTYPE": "URL", _XTYPE: "simple", _HREF: ref.href, "MDTYPE": ref.mdtype, "MIMETYPE": "text/xml",
        "SIZE": str(ref.size), "CREATED": created, "CHECKSUM": ref.sha256.upper(), "CHECKSUMTYPE": "SHA-256",
        "ID": ident})


@dataclass(frozen=True)
class ListedFile:
    """A file or metadata reference read from a METS, with what the METS claims about it."""

    href: str
    size: int | None
    checksum: str | None
    checksum_type: str | None
    mime: str | None = None
    group: str | None = None
    dmd_href: str | None = None
    format_name: str | None = None
    format_version: str | None = None
    puid: str | None = None


@dataclass(frozen=True)
class MetsDocument:
    """The parts of a METS document a package reader needs."""

    objid: str
    type: str | None
    profile: str | None
    package_type: str | None
    created: datetime | None
    modified: datetime | None
    software: Agent | None
    organization: str | None
    descriptive: tuple[ListedFile, ...]
    preservation: tuple[ListedFile, ...]
    files: tuple[ListedFile, ...] = field(default=())
    pointers: tuple[str, ...] = field(default=())


def read_mets(data: bytes) -> MetsDocument:
    """Parse a (schema-valid) METS document; hrefs stay relative to the METS file's folder."""
    root = etree.fromstring(data, safe_parser())
    hdr = root.find(f"{_M}metsHdr")
    software = organization = None
    created = modified = None
    package_type = None
    if hdr is not None:
        package_type = hdr.get(qname(CSIP, "OAISPACKAGETYPE"))
        created = parse_timestamp(hdr.get("CREATEDATE")) if hdr.get("CREATEDATE") else None
        if hdr.get("LASTMODDATE") and hdr.get("RECORDSTATUS") == "VERSION":
            modified = parse_timestamp(hdr.get("LASTMODDATE"))
        for agent in hdr.iterfind(f"{_M}agent"):
            name = text_of(agent.find(f"{_M}name")) or ""
            if agent.get("OTHERTYPE") == "SOFTWARE" and software is None:
                version = next((text_of(n) for n in agent.iterfind(f"{_M}note")
                                if n.get(qname(CSIP, "NOTETYPE")) == "SOFTWARE VERSION"), None)
                software = Agent(identifier=name, name=name, type="software", version=version)
            elif agent.get("TYPE") == "ORGANIZATION" and organization is None:
                organization = name
    dmd_hrefs = {}
    descriptive = []
    for section in root.iterfind(f"{_M}dmdSec"):
        for ref in section.iterfind(f"{_M}mdRef"):
            listed = _listed(ref)
            descriptive.append(listed)
            dmd_hrefs[section.get("ID")] = listed.href
    preservation = [_listed(ref) for ref in root.iterfind(f"{_M}amdSec/*/{_M}mdRef")]
    files = []
    for group in root.iterfind(f"{_M}fileSec/{_M}fileGrp"):
        for node in group.iter(f"{_M}file"):
            locat = node.find(f"{_M}FLocat")
            size = node.get("SIZE")
            files.append(ListedFile(
                href=locat.get(_HREF, "") if locat is not None else "",
                size=int(size) if size and size.isdigit() else None, checksum=node.get("CHECKSUM"),
                checksum_type=node.get("CHECKSUMTYPE"), mime=node.get("MIMETYPE"), group=group.get("USE"),
                dmd_href=dmd_hrefs.get((node.get("DMDID") or "").split(" ")[0]),
                format_name=node.get(qname(SIP, "FILEFORMATNAME")),
                format_version=node.get(qname(SIP, "FILEFORMATVERSION")),
                puid=node.get(qname(SIP, "FORMATREGISTRYKEY"))))
    pointers = tuple(node.get(_HREF, "") for node in root.iter(f"{_M}mptr"))
    return MetsDocument(objid=root.get("OBJID", ""), type=root.get("TYPE"), profile=root.get("PROFILE"),
                        package_type=package_type, created=created, modified=modified, software=software,
                        organization=organization, descriptive=tuple(descriptive),
                        preservation=tuple(preservation), files=tuple(files), pointers=pointers)


def _listed(ref: etree._Element) -> ListedFile:
    size = ref.get("SIZE")
    return ListedFile(href=ref.get(_HREF, ""), size=int(size) if size and size.isdigit() else None,
                      checksum=ref.get("CHECKSUM"), checksum_type=ref.get("CHECKSUMTYPE"),
                      mime=ref.get("MIMETYPE"), group=ref.get("MDTYPE"))
