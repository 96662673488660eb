"""Read a TT 05 / E-ARK package back into a PackageSpec, verifying it against its own METS.

Used for received SIPs, for AIPs read back from OCFL storage (rebuild, DIP generation) and for
DIPs. Every file a METS lists must be present with the declared size and checksum, every file
present must be listed somewhere, and every METS and PREMIS document must be schema-valid. All
problems are collected and reported together, each naming the path at fault, because a producer
fixing a refused transfer wants the whole list at once, not one round trip per mistake.
"""

from __future__ import annotations

import hashlib
import posixpath
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import BinaryIO

from lxml import etree

from ingest.package.build import DOCUMENTATION_FOLDER, description_block
from ingest.package.description import DocumentDescription
from ingest.package.errors import MetadataError, PackageRejected, SchemaInvalid
from ingest.package.mets import ListedFile, MetsDocument, read_mets
from ingest.package.model import (
    Agent,
    Description,
    Documentation,
    ForeignDescription,
    PackageFile,
    PackageSpec,
    Representation,
)
from ingest.package.premis import PremisDocument, object_identifier, read_premis
from ingest.package.schemas import SchemaSet
from ingest.package.xmlutil import safe_parser, text_of

Opener = Callable[[], BinaryIO]
_ALGORITHMS = {"SHA-256": "sha256", "SHA-512": "sha512", "SHA-1": "sha1", "MD5": "md5"}
_KINDS = {"Mixed": "hoso", "Collection": "tailieu"}
_EAD_NAMESPACES = {"urn:isbn:1-931666-22-9": "EAD 2002", "http://ead3.archivists.org/schema/": "EAD3"}
MAX_METADATA_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ReceivedPackage:
    """A verified package: its spec plus what its METS says about its type and profile."""

    spec: PackageSpec
    package_type: str
    objid: str
    profile: str | None

    @property
    def is_tt05(self) -> bool:
        """True when the descriptive metadata is the TT 05 simpledc block (not a foreign EAD)."""
        return not isinstance(self.spec.description, ForeignDescription)


class _Reader:
    def __init__(self, files: Mapping[str, Opener], schemas: SchemaSet, source: str) -> None:
        self.files, self.schemas, self.source = files, schemas, source
        self.problems: list[str] = []
        self.listed: set[str] = set()

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def resolve(self, base: str, href: str) -> str | None:
        """The package path an href points at, or None (with a problem) when it leaves the package."""
        if "://" in href or href.startswith("/") or "\\" in href:
            self.problem(f"{base or '.'}: reference {href!r} is not a relative path inside the package")
            return None
        path = posixpath.normpath(posixpath.join(base, href))
        if path.startswith("../") or path == "..":
            self.problem(f"{base or '.'}: reference {href!r} points outside the package")
            return None
        return path

    def fetch(self, path: str, claim: ListedFile | None, keep: bool) -> tuple[bytes | None, str | None, int | None]:
        """Stream a file once: check it against the METS claim, return (bytes if kept, sha256, size)."""
        self.listed.add(path)
        if path not in self.files:
            self.problem(f"{path}: listed in METS but missing from the package")
            return None, None, None
        sha256 = hashlib.sha256()
        declared = None
        if claim is not None and claim.checksum_type and claim.checksum_type != "SHA-256":
            if claim.checksum_type not in _ALGORITHMS:
                self.problem(f"{path}: checksum type {claim.checksum_type!r} is not one of {', '.join(_ALGORITHMS)}")
            else:
                declared = hashlib.new(_ALGORITHMS[claim.checksum_type])
        kept = bytearray() if keep else None
        size = 0
        with self.files[path]() as stream:
            while chunk := stream.read(_CHUNK):
                sha256.update(chunk)
                if declared is not None:
                    declared.update(chunk)
                size += len(chunk)
                if kept is not None:
                    if size > MAX_METADATA_BYTES:
                        self.problem(f"{path}: metadata file larger than {MAX_METADATA_BYTES} bytes")
                        return None, None, None
                    kept.extend(chunk)
        digest = sha256.hexdigest()
        if claim is not None:
            if claim.size is not None and claim.size != size:
                self.problem(f"{path}: size is {size} bytes, METS says {claim.size}")
            algorithm = claim.checksum_type or "SHA-256"
            actual = digest if algorithm == "SHA-256" else (declared.hexdigest() if declared else None)
            if claim.checksum is None:
                self.problem(f"{path}: METS gives no CHECKSUM for it")
            elif actual is not None and claim.checksum.lower() != actual:
                self.problem(f"{path}: {algorithm} is {actual}, METS says {claim.checksum.lower()}")
        return (bytes(kept) if kept is not None else None), digest, size

    def validated(self, kind: str, path: str, claim: ListedFile | None) -> bytes | None:
        """The bytes of a METS or PREMIS file if they are present, as listed, and schema-valid."""
        data, _, _ = self.fetch(path, claim, keep=True)
        if data is None:
            return None
        try:
            self.schemas.validate(kind, data, path)
        except SchemaInvalid as exc:
            self.problem(str(exc))
            return None
        except etree.XMLSyntaxError as exc:
            self.problem(f"{path}: not well-formed XML ({exc})")
            return None
        return data

    def mets(self, path: str, claim: ListedFile | None) -> MetsDocument | None:
        data = self.validated("mets", path, claim)
        return read_mets(data) if data is not None else None


def read_package(files: Mapping[str, Opener], schemas: SchemaSet, *, source: str,
                 expected_type: str | None = None) -> ReceivedPackage:
    """Verify and parse a package whose files (paths relative to its root folder) are given by openers.

    Raises PackageRejected listing every problem found; returns only a fully verified package.
    """
    reader = _Reader(files, schemas, source)
    if "METS.xml" not in files:
        raise PackageRejected(source, ["METS.xml: missing at the package root (E-ARK CSIPSTR4, TT 05)"])
    root = reader.mets("METS.xml", None)
    if root is None:
        raise PackageRejected(source, reader.problems)
    package_type = root.package_type or ""
    if expected_type and package_type != expected_type:
        reader.problem(f"METS.xml: csip:OAISPACKAGETYPE is {package_type!r}, expected {expected_type!r}")
    object_id = _object_id(root.objid)
    kind = _KINDS.get(root.type or "")
    description = _description(reader, root, kind or "hoso", package_type)
    if kind is None and isinstance(description, ForeignDescription) and description.schema != "none":
        kind = "tailieu"   # an E-ARK SIP: any CSIP content category, its records are taken as loose documents
    elif kind is None:
        reader.problem(f"METS.xml: TYPE {root.type!r} is not Mixed (hồ sơ) or Collection (tài liệu) as TT 05 uses")
    premis_data = [reader.validated("premis", path, ref) for ref in root.preservation
                   if (path := reader.resolve("", ref.href))]
    if package_type == "AIP" and not root.preservation:
        reader.problem("METS.xml: an AIP must reference metadata/preservation/PREMIS.xml (TT 05)")
    documentation = []
    for claim in root.files:
        if claim.group and claim.group.startswith("Representations/"):
            continue
        if path := reader.resolve("", claim.href):
            keep = claim.group == "Documentation" and path.startswith(f"{DOCUMENTATION_FOLDER}/")
            data = reader.fetch(path, claim, keep=keep)[0]
            if keep and data is not None:
                documentation.append(Documentation(path.removeprefix(f"{DOCUMENTATION_FOLDER}/"), data,
                                                   claim.mime or "application/octet-stream"))
    representations = []
    rep_premis: list[tuple[str, bytes | None]] = []
    for claim in root.files:
        if not (claim.group or "").startswith("Representations/"):
            continue
        path = reader.resolve("", claim.href)
        if path is None:
            continue
        rep = _representation(reader, path, claim, package_type, rep_premis)
        if rep is not None:
            representations.append(rep)
    for path in sorted(set(files) - reader.listed):
        reader.problem(f"{path}: present in the package but listed in no METS file")
    if reader.problems:
        raise PackageRejected(source, reader.problems)

    paths = {""} | {rep.folder for rep in representations} | {
        rep.data_path(item) for rep in representations for item in rep.files}
    by_identifier = {object_identifier(object_id, path): path for path in paths}
    try:
        package_doc = _merge([read_premis(data, by_identifier) for data in premis_data if data])
        rep_docs = {folder: read_premis(data, by_identifier) for folder, data in rep_premis if data}
        representations = [_with_facts(reader, rep, rep_docs.get(rep.folder)) for rep in representations]
        agents = _unique_agents(package_doc.agents + tuple(a for doc in rep_docs.values() for a in doc.agents))
        software = _software(root, agents)
        if root.created is None:
            raise MetadataError("metsHdr/@CREATEDATE", "missing (E-ARK CSIP7)")
        spec = PackageSpec(object_id=object_id, kind=kind or "hoso", description=description,
                           representations=tuple(representations), organization=root.organization or "",
                           software=software, created=root.created, modified=root.modified,
                           events=package_doc.events, agents=agents, documentation=tuple(documentation))
    except (MetadataError, ValueError) as exc:
        reader.problem(f"metadata: {exc}")
    if reader.problems:
        raise PackageRejected(source, reader.problems)
    return ReceivedPackage(spec, package_type, root.objid, root.profile)


def _object_id(objid: str) -> uuid.UUID:
    """The package UUID from a TT 05 OBJID; other OBJIDs get a UUID derived from the string itself."""
    for prefix in ("urn:uuid:", "uuid-"):
        if objid.startswith(prefix):
            try:
                return uuid.UUID(objid.removeprefix(prefix).split("/")[0])
            except ValueError:
                break
    return uuid.uuid5(uuid.NAMESPACE_URL, objid)


def _description(reader: _Reader, root: MetsDocument, kind: str, package_type: str) -> Description:
    if len(root.descriptive) != 1:
        reader.problem(f"METS.xml: {len(root.descriptive)} descriptive metadata files referenced; TT 05 has exactly "
                       "one, metadata/descriptive/EAD.xml")
    for claim in root.descriptive[:1]:
        path = reader.resolve("", claim.href)
        data = reader.fetch(path, claim, keep=True)[0] if path else None
        if data is None:
            return _placeholder()
        try:
            xml = etree.fromstring(data, safe_parser())
        except etree.XMLSyntaxError as exc:
            reader.problem(f"{path}: not well-formed XML ({exc})")
            return _placeholder()
        name = etree.QName(xml)
        if name.namespace is None and name.localname == "simpledc":
            try:
                return description_block(kind, package_type).from_xml(data, package_type)  # type: ignore[return-value]
            except MetadataError as exc:
                reader.problem(f"{path}: {exc}")
                return _placeholder()
        if name.namespace in _EAD_NAMESPACES:
            return _foreign(xml, _EAD_NAMESPACES[name.namespace], data)
        reader.problem(f"{path}: unknown descriptive metadata schema <{xml.tag}>; accepted are the TT 05 simpledc "
                       f"block and {', '.join(_EAD_NAMESPACES.values())}")
    return _placeholder()


def _placeholder() -> ForeignDescription:
    return ForeignDescription("none", None, None, None, b"")


def _foreign(xml: etree._Element, schema: str, data: bytes) -> ForeignDescription:
    namespace = etree.QName(xml).namespace

    def first(name: str) -> str | None:
        return text_of(next(xml.iter(f"{{{namespace}}}{name}"), None))

    return ForeignDescription(schema, first("unittitle"), first("unitid"), first("unitdate"), data)


def _representation(reader: _Reader, mets_path: str, claim: ListedFile, package_type: str,
                    rep_premis: list[tuple[str, bytes | None]]) -> Representation | None:
    folder = posixpath.dirname(mets_path)
    name = posixpath.basename(folder)
    if not folder.startswith("representations/") or folder.count("/") != 1:
        reader.problem(f"{mets_path}: representation METS must sit at representations/<name>/METS.xml (CSIPSTR9)")
        return None
    mets = reader.mets(mets_path, claim)
    if mets is None:
        return None
    base = folder + "/"
    documents = []
    doc_index: dict[str, int] = {}
    for ref in mets.descriptive:
        path = reader.resolve(base, ref.href)
        data = reader.fetch(path, ref, keep=True)[0] if path else None
        if data is None:
            continue
        try:
            documents.append(DocumentDescription.from_xml(data, package_type))
            doc_index[ref.href] = len(documents)
        except MetadataError as exc:
            reader.problem(f"{path}: {exc}")
    for ref in mets.preservation:
        if path := reader.resolve(base, ref.href):
            rep_premis.append((folder, reader.validated("premis", path, ref)))
    items = []
    for ref in mets.files:
        path = reader.resolve(base, ref.href)
        if path is None:
            continue
        if not path.startswith(f"{base}data/"):
            reader.problem(f"{path}: content file outside {base}data/ (CSIPSTR12)")
            continue
        _, sha256, size = reader.fetch(path, ref, keep=False)
        if sha256 is None or size is None:
            continue
        try:
            items.append(PackageFile(
                path=path.removeprefix(f"{base}data/"), size=size, sha256=sha256,
                mime=ref.mime or "application/octet-stream", format_name=ref.format_name or ref.mime or "unknown",
                format_version=ref.format_version, puid=ref.puid, source=reader.files[path],
                document=doc_index.get(ref.dmd_href or "")))
        except MetadataError as exc:
            reader.problem(f"{path}: {exc}")
    return Representation(name=name, files=tuple(items), documents=tuple(documents))


def _with_facts(reader: _Reader, rep: Representation, doc: PremisDocument | None) -> Representation:
    """Fold what the representation's PREMIS says about each file into its PackageFile."""
    if doc is None:
        return rep
    items = []
    for item in rep.files:
        facts = doc.files.get(rep.data_path(item))
        if facts is None:
            reader.problem(f"{rep.data_path(item)}: no PREMIS object describes it in {rep.folder}'s PREMIS")
            items.append(item)
            continue
        if facts.sha256 and facts.sha256 != item.sha256:
            reader.problem(f"{rep.data_path(item)}: PREMIS fixity {facts.sha256} differs from the file's {item.sha256}")
        items.append(replace(item, format_name=facts.format_name or item.format_name,
                             format_version=facts.format_version or item.format_version,
                             puid=facts.puid or item.puid, creating_application=facts.creating_application,
                             original_name=facts.original_name))
    return replace(rep, files=tuple(items), events=doc.events)


def _merge(documents: list[PremisDocument]) -> PremisDocument:
    return PremisDocument({k: v for d in documents for k, v in d.files.items()},
                          tuple(e for d in documents for e in d.events), tuple(a for d in documents for a in d.agents))


def _unique_agents(agents: tuple[Agent, ...]) -> tuple[Agent, ...]:
    seen: dict[str, Agent] = {}
    for agent in agents:
        seen.setdefault(agent.identifier, agent)
    return tuple(seen.values())


def _software(root: MetsDocument, agents: tuple[Agent, ...]) -> Agent:
    if root.software is None or not root.software.version:
        raise MetadataError("metsHdr/agent", "no creating software agent with a SOFTWARE VERSION note (E-ARK CSIP10)")
    for agent in agents:
        if agent.type == "software" and agent.name == root.software.name and agent.version == root.software.version:
            return agent
    return root.software
