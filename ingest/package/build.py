"""Assemble a TT 05 package (SIP, AIP or DIP) from a PackageSpec, validating every document first.

The result is a ``Package``: an ordered list of entries (path, size, SHA-256, source) that the
OCFL writer, the ZIP writer and the BagIt exporter all consume. Metadata documents are built in
memory; content files stay where their sources are until a writer streams them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ingest.package.description import (
    AccessRequest,
    DocumentDescription,
    FileDescription,
    LooseFileDescription,
    SimpleDC,
)
from ingest.package.errors import MetadataError
from ingest.package.mets import FileRef, Group, Header, MetaRef, build_mets
from ingest.package.model import ContentSource, Kind, PackageSpec, PackageType, Representation
from ingest.package.premis import package_premis, representation_premis
from ingest.package.schemas import SchemaSet, validate_simpledc
from ingest.package.xmlutil import sha256_hex

EAD_PATH = "metadata/descriptive/EAD.xml"
PREMIS_PATH = "metadata/preservation/PREMIS.xml"
DOCUMENTATION_FOLDER = "documentation"


@dataclass(frozen=True)
class PackageEntry:
    """One file of a package: where it goes, what it must hash to, and where its bytes come from."""

    path: str
    size: int
    sha256: str
    source: ContentSource = field(compare=False, repr=False)


@dataclass(frozen=True)
class Package:
    """A built package, ready to be written as an OCFL version, a ZIP or a bag."""

    spec: PackageSpec
    package_type: PackageType
    objid: str
    entries: tuple[PackageEntry, ...]

    @property
    def folder(self) -> str:
        """The root folder name TT 05 gives the package when it is zipped (':' is not portable)."""
        return self.objid.replace(":", "_")

    def entry(self, path: str) -> PackageEntry:
        for item in self.entries:
            if item.path == path:
                return item
        raise KeyError(path)


def objid_for(spec: PackageSpec, package_type: PackageType) -> str:
    """``uuid-{UUID}`` for a SIP, ``urn:uuid:{UUID}`` for an AIP or DIP (TT 05 conventions)."""
    return f"uuid-{spec.object_id}" if package_type == "SIP" else f"urn:uuid:{spec.object_id}"


def description_block(kind: Kind, package_type: str) -> type[SimpleDC]:
    """Which simpledc block the package-level EAD.xml must be for this package type and kind."""
    if package_type == "DIP":
        return AccessRequest
    return FileDescription if kind == "hoso" else LooseFileDescription


def check_spec(spec: PackageSpec, package_type: PackageType) -> None:
    """Every rule that spans more than one value; raises MetadataError naming the element at fault."""
    block = description_block(spec.kind, package_type)
    if not isinstance(spec.description, block):
        raise MetadataError("EAD", f"a {package_type} of kind {spec.kind} needs a {block.__name__}, "
                                   f"not {type(spec.description).__name__}")
    spec.description.check(package_type)
    if not spec.representations:
        raise MetadataError("representations", "a package needs at least one representation (CSIPSTR9)")
    names = Counter(rep.name for rep in spec.representations)
    if duplicated := [name for name, count in names.items() if count > 1]:
        raise MetadataError("representations", f"duplicate representation names: {', '.join(duplicated)}")
    for rep in spec.representations:
        _check_representation(rep, package_type)
    if package_type == "SIP" and any(True for _ in spec.all_events()):
        raise MetadataError("PREMIS", "a TT 05 SIP carries no PREMIS; record the events when the AIP is made")
    agents = {agent.identifier for agent in spec.agents}
    paths = spec.object_paths()
    identifiers = Counter(event.identifier for event in spec.all_events())
    if repeated := [str(key) for key, count in identifiers.items() if count > 1]:
        raise MetadataError("eventIdentifier", f"used by more than one event: {', '.join(repeated)}")
    for event in spec.all_events():
        for link in event.agents:
            if link.agent not in agents:
                raise MetadataError("linkingAgentIdentifier", f"event {event.identifier} names agent {link.agent!r}, "
                                                              "which is not among the package's agents")
        for obj in event.objects:
            if obj.path not in paths:
                raise MetadataError("linkingObjectIdentifier", f"event {event.identifier} names {obj.path!r}, "
                                                               "which is not in the package")


def _check_representation(rep: Representation, package_type: PackageType) -> None:
    if not rep.files:
        raise MetadataError(rep.folder, "a representation needs at least one content file in data/")
    if not rep.documents:
        raise MetadataError(rep.folder, "TT 05 needs at least one EAD_doc description per representation")
    for document in rep.documents:
        document.check(package_type)
    paths = Counter(item.path for item in rep.files)
    if repeated := [path for path, count in paths.items() if count > 1]:
        raise MetadataError(rep.folder, f"duplicate file paths: {', '.join(repeated)}")
    for item in rep.files:
        if item.document is not None and not 1 <= item.document <= len(rep.documents):
            raise MetadataError(rep.folder, f"{item.path} points at document {item.document}, but the "
                                            f"representation has {len(rep.documents)}")


def build_package(spec: PackageSpec, package_type: PackageType, schemas: SchemaSet) -> Package:
    """Build and validate every document of the package; nothing is written anywhere.

    Raises MetadataError for a rule violation and SchemaInvalid for an XSD violation, so a caller
    that stores only what this returns can never store an invalid package.
    """
    check_spec(spec, package_type)
    objid = objid_for(spec, package_type)
    with_premis = package_type != "SIP"
    entries: list[PackageEntry] = []

    def add(path: str, data: bytes) -> MetaRef:
        entries.append(PackageEntry(path, len(data), sha256_hex(data), data))
        return MetaRef(path, "", len(data), entries[-1].sha256)

    def header(label: str, schema_prefix: str, this_objid: str) -> Header:
        return Header(spec.object_id, this_objid, label, spec.kind, package_type, spec.created, spec.modified,
                      spec.organization, spec.software, schemas.schema_locations("mets", schema_prefix))

    rep_groups = []
    for rep in spec.representations:
        base = f"{rep.folder}/"
        documents = []
        for number, document in enumerate(rep.documents, start=1):
            path = f"{base}metadata/descriptive/EAD_doc_{number}.xml"
            data = document.to_xml(package_type, "../../../../schemas/EAD_doc.xsd")
            validate_simpledc(DocumentDescription, package_type, data, path)
            documents.append(_relative(add(path, data), base, "EAD"))
        preservation = []
        if with_premis:
            path = f"{base}metadata/preservation/PREMIS_{rep.name}.xml"
            data = representation_premis(spec, rep, schemas.schema_locations("premis", "../../../../schemas/"))
            schemas.validate("premis", data, path)
            preservation.append(_relative(add(path, data), base, "PREMIS"))
        data_files = tuple(
            FileRef(f"data/{item.path}", item.mime, item.size, item.sha256,
                    item.creating_application.created if item.creating_application and
                    item.creating_application.created else spec.created,
                    documents[item.document - 1].href if item.document else None,
                    item.format_name, item.format_version, item.puid)
            for item in rep.files)
        rep_objid = f"{objid}/{rep.folder}"
        mets_path = f"{base}METS.xml"
        mets = build_mets(header(rep.name, "../../schemas/", rep_objid), mets_path, documents, preservation,
                          [Group("Data", data_files)])
        schemas.validate("mets", mets, mets_path)
        ref = add(mets_path, mets)
        rep_groups.append(Group(f"Representations/{rep.name}",
                                (FileRef(mets_path, "text/xml", ref.size, ref.sha256, spec.created),)))
        entries.extend(PackageEntry(rep.data_path(item), item.size, item.sha256, item.source) for item in rep.files)

    block = description_block(spec.kind, package_type)
    ead = spec.description.to_xml(package_type, "../../schemas/EAD.xsd")  # type: ignore[union-attr]
    validate_simpledc(block, package_type, ead, EAD_PATH)
    descriptive = [_typed(add(EAD_PATH, ead), "EAD")]
    preservation = []
    if with_premis:
        premis = package_premis(spec, schemas.schema_locations("premis", "../../schemas/"))
        schemas.validate("premis", premis, PREMIS_PATH)
        preservation.append(_typed(add(PREMIS_PATH, premis), "PREMIS"))
    schema_files = [FileRef(ref.href, "application/xml", ref.size, ref.sha256, spec.created) for ref in (
        add(f"schemas/{name}", data) for kind in (("mets", "premis") if with_premis else ("mets",))
        for name, data in schemas.files(kind))]
    for name, schema in (("EAD.xsd", block.xsd(package_type)), ("EAD_doc.xsd", DocumentDescription.xsd(package_type))):
        ref = add(f"schemas/{name}", schema)
        schema_files.append(FileRef(ref.href, "application/xml", ref.size, ref.sha256, spec.created))
    documentation = tuple(FileRef(ref.href, item.mime, ref.size, ref.sha256, spec.created) for item, ref in (
        (item, add(f"{DOCUMENTATION_FOLDER}/{item.path}", item.data)) for item in spec.documentation))
    label = getattr(spec.description, "title", None) or getattr(spec.description, "request_id", "")
    root = build_mets(header(label, "schemas/", objid), "METS.xml", descriptive, preservation,
                      [*([Group("Documentation", documentation)] if documentation else []),
                       Group("Schemas", tuple(schema_files)), *rep_groups])
    schemas.validate("mets", root, "METS.xml")
    add("METS.xml", root)
    return Package(spec, package_type, objid, tuple(sorted(entries, key=lambda item: item.path)))


def _relative(ref: MetaRef, base: str, mdtype: str) -> MetaRef:
    return MetaRef(ref.href.removeprefix(base), mdtype, ref.size, ref.sha256)


def _typed(ref: MetaRef, mdtype: str) -> MetaRef:
    return MetaRef(ref.href, mdtype, ref.size, ref.sha256)
