"""PREMIS 3.0 documents as TT 05 uses them: ``PREMIS.xml`` for the package, ``PREMIS_repN.xml`` per representation.

The package document describes the intellectual entity and its representations, the package's
events and all agents; each representation document describes its files (SHA-256 fixity, size,
PRONOM format, creating application) and the events that touched them. Objects are identified by
UUIDs derived from the package id and the object's path, and carry that path as their storage
location, so events can link objects across the two documents and a reader can map them back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lxml import etree

from ingest.package import vocab
from ingest.package.errors import MetadataError
from ingest.package.model import Agent, AgentLink, CreatingApplication, Event, ObjectLink, PackageSpec, Representation
from ingest.package.xmlutil import (
    PREMIS,
    XSI,
    derived_uuid,
    parse_timestamp,
    qname,
    safe_parser,
    serialize,
    text_of,
    timestamp,
    xml_id,
)

_P = f"{{{PREMIS}}}"
LOCATION_TYPE = "package path"


def object_identifier(object_id: uuid.UUID, path: str) -> str:
    """``urn:uuid:`` of the package for "", of a UUID derived from the path for anything inside it."""
    return f"urn:uuid:{object_id if path == '' else derived_uuid(object_id, path)}"


def package_premis(spec: PackageSpec, schema_location: str) -> bytes:
    """PREMIS.xml: the intellectual entity, its representations, package events, every agent."""
    root = _root(schema_location)
    ie = _object(root, spec.object_id, "", "intellectualEntity")
    etree.SubElement(ie, f"{_P}originalName").text = _title(spec)
    for rep in spec.representations:
        node = _object(root, spec.object_id, rep.folder, "representation")
        _storage(node, rep.folder)
    _events(root, spec.object_id, spec.events)
    _agents(root, spec.agents)
    return serialize(root)


def representation_premis(spec: PackageSpec, rep: Representation, schema_location: str) -> bytes:
    """PREMIS_repN.xml: the representation, each file's characteristics, its events and their agents."""
    root = _root(schema_location)
    _storage(_object(root, spec.object_id, rep.folder, "representation"), rep.folder)
    for item in rep.files:
        path = rep.data_path(item)
        node = _object(root, spec.object_id, path, "file", characteristics=True)
        chars = node.find(f"{_P}objectCharacteristics")
        etree.SubElement(chars, f"{_P}compositionLevel").text = "0"
        fixity = etree.SubElement(chars, f"{_P}fixity")
        etree.SubElement(fixity, f"{_P}messageDigestAlgorithm").text = "SHA-256"
        etree.SubElement(fixity, f"{_P}messageDigest").text = item.sha256.upper()
        etree.SubElement(chars, f"{_P}size").text = str(item.size)
        fmt = etree.SubElement(chars, f"{_P}format")
        designation = etree.SubElement(fmt, f"{_P}formatDesignation")
        etree.SubElement(designation, f"{_P}formatName").text = item.format_name
        if item.format_version:
            etree.SubElement(designation, f"{_P}formatVersion").text = item.format_version
        if item.puid:
            registry = etree.SubElement(fmt, f"{_P}formatRegistry")
            etree.SubElement(registry, f"{_P}formatRegistryName").text = "PRONOM"
            etree.SubElement(registry, f"{_P}formatRegistryKey").text = item.puid
            etree.SubElement(registry, f"{_P}formatRegistryRole").text = "specification"
        if item.creating_application:
            _creating_application(chars, item.creating_application)
        if item.original_name:
            etree.SubElement(node, f"{_P}originalName").text = item.original_name
        _storage(node, path)
    _events(root, spec.object_id, rep.events)
    used = {link.agent for event in rep.events for link in event.agents}
    _agents(root, [agent for agent in spec.agents if agent.identifier in used])
    return serialize(root)


def _title(spec: PackageSpec) -> str:
    return getattr(spec.description, "title", None) or getattr(spec.description, "request_id", "") or ""


def _root(schema_location: str) -> etree._Element:
    root = etree.Element(f"{_P}premis", nsmap={None: PREMIS, "xsi": XSI}, version="3.0")
    root.set(qname(XSI, "schemaLocation"), schema_location)
    return root


def _object(root: etree._Element, object_id: uuid.UUID, path: str, category: str,
            characteristics: bool = False) -> etree._Element:
    node = etree.SubElement(root, f"{_P}object", xmlID=xml_id(object_id, f"premis:{path}"))
    node.set(qname(XSI, "type"), category)
    ident = etree.SubElement(node, f"{_P}objectIdentifier")
    etree.SubElement(ident, f"{_P}objectIdentifierType").text = "URN" if path == "" else "UUID"
    etree.SubElement(ident, f"{_P}objectIdentifierValue").text = object_identifier(object_id, path)
    if characteristics:
        etree.SubElement(node, f"{_P}objectCharacteristics")
    return node


def _storage(node: etree._Element, path: str) -> None:
    location = etree.SubElement(etree.SubElement(node, f"{_P}storage"), f"{_P}contentLocation")
    etree.SubElement(location, f"{_P}contentLocationType").text = LOCATION_TYPE
    etree.SubElement(location, f"{_P}contentLocationValue").text = path


def _creating_application(chars: etree._Element, app: CreatingApplication) -> None:
    node = etree.SubElement(chars, f"{_P}creatingApplication")
    etree.SubElement(node, f"{_P}creatingApplicationName").text = app.name
    if app.version:
        etree.SubElement(node, f"{_P}creatingApplicationVersion").text = app.version
    if app.created:
        etree.SubElement(node, f"{_P}dateCreatedByApplication").text = timestamp(app.created)


def _vocabulary_term(parent: etree._Element, tag: str, label: str, authority: str, code: str) -> None:
    node = etree.SubElement(parent, f"{_P}{tag}", authority=authority.rsplit("/", 1)[1],
                            authorityURI=authority, valueURI=f"{authority}/{code}")
    node.text = label


def _events(root: etree._Element, object_id: uuid.UUID, events: Iterable[Event]) -> None:
    for event in events:
        node = etree.SubElement(root, f"{_P}event")
        ident = etree.SubElement(node, f"{_P}eventIdentifier")
        etree.SubElement(ident, f"{_P}eventIdentifierType").text = "UUID"
        etree.SubElement(ident, f"{_P}eventIdentifierValue").text = str(event.identifier)
        _vocabulary_term(node, "eventType", vocab.EVENT_TYPES[event.type], vocab.EVENT_TYPE_AUTHORITY, event.type)
        etree.SubElement(node, f"{_P}eventDateTime").text = timestamp(event.at)
        if event.detail:
            detail = etree.SubElement(node, f"{_P}eventDetailInformation")
            etree.SubElement(detail, f"{_P}eventDetail").text = event.detail
        if event.outcome or event.outcome_detail:
            outcome = etree.SubElement(node, f"{_P}eventOutcomeInformation")
            if event.outcome:
                etree.SubElement(outcome, f"{_P}eventOutcome").text = event.outcome
            if event.outcome_detail:
                note = etree.SubElement(outcome, f"{_P}eventOutcomeDetail")
                etree.SubElement(note, f"{_P}eventOutcomeDetailNote").text = event.outcome_detail
        for link in event.agents:
            agent = etree.SubElement(node, f"{_P}linkingAgentIdentifier")
            etree.SubElement(agent, f"{_P}linkingAgentIdentifierType").text = "local"
            etree.SubElement(agent, f"{_P}linkingAgentIdentifierValue").text = link.agent
            for role in link.roles:
                _vocabulary_term(agent, "linkingAgentRole", role, vocab.AGENT_ROLE_AUTHORITY, vocab.AGENT_ROLES[role])
        for obj in event.objects:
            linked = etree.SubElement(node, f"{_P}linkingObjectIdentifier")
            etree.SubElement(linked, f"{_P}linkingObjectIdentifierType").text = "URN" if obj.path == "" else "UUID"
            etree.SubElement(linked, f"{_P}linkingObjectIdentifierValue").text = object_identifier(object_id, obj.path)
            _vocabulary_term(linked, "linkingObjectRole", obj.role, vocab.OBJECT_ROLE_AUTHORITY,
                             vocab.OBJECT_ROLES[obj.role])


def _agents(root: etree._Element, agents: Iterable[Agent]) -> None:
    for agent in agents:
        node = etree.SubElement(root, f"{_P}agent")
        ident = etree.SubElement(node, f"{_P}agentIdentifier")
        etree.SubElement(ident, f"{_P}agentIdentifierType").text = agent.identifier_type
        etree.SubElement(ident, f"{_P}agentIdentifierValue").text = agent.identifier
        etree.SubElement(node, f"{_P}agentName").text = agent.name
        etree.SubElement(node, f"{_P}agentType").text = agent.type
        if agent.version:
            etree.SubElement(node, f"{_P}agentVersion").text = agent.version
        if agent.note:
            etree.SubElement(node, f"{_P}agentNote").text = agent.note


@dataclass(frozen=True)
class FileFacts:
    """What a representation PREMIS says about one file, keyed by its package path."""

    sha256: str | None
    size: int | None
    format_name: str | None
    format_version: str | None
    puid: str | None
    creating_application: CreatingApplication | None
    original_name: str | None


@dataclass(frozen=True)
class PremisDocument:
    """A parsed PREMIS document: file facts by package path, events, agents."""

    files: Mapping[str, FileFacts]
    events: tuple[Event, ...]
    agents: tuple[Agent, ...]


def read_premis(data: bytes, paths_by_identifier: Mapping[str, str]) -> PremisDocument:
    """Parse a PREMIS document written by this module (or one of the same shape) back into values.

    ``paths_by_identifier`` maps object identifiers to package paths, so event links come back as
    the ObjectLinks they were built from; an unknown identifier is an error, not a silent drop.
    """
    root = etree.fromstring(data, safe_parser())
    files: dict[str, FileFacts] = {}
    for node in root.iterfind(f"{_P}object"):
        if node.get(qname(XSI, "type"), "").split(":")[-1] != "file":
            continue
        path = text_of(node.find(f"{_P}storage/{_P}contentLocation/{_P}contentLocationValue"))
        if path is None:
            raise MetadataError("contentLocation", "a PREMIS file object has no package path")
        files[path] = _file_facts(node)
    events = tuple(_event(node, paths_by_identifier) for node in root.iterfind(f"{_P}event"))
    agents = tuple(_agent(node) for node in root.iterfind(f"{_P}agent"))
    return PremisDocument(files, events, agents)


def _file_facts(node: etree._Element) -> FileFacts:
    chars = node.find(f"{_P}objectCharacteristics")
    digest = None
    for fixity in chars.iterfind(f"{_P}fixity"):
        if text_of(fixity.find(f"{_P}messageDigestAlgorithm")) == "SHA-256":
            digest = (text_of(fixity.find(f"{_P}messageDigest")) or "").lower()
    size = text_of(chars.find(f"{_P}size"))
    app_node = chars.find(f"{_P}creatingApplication")
    app = None
    if app_node is not None:
        created = text_of(app_node.find(f"{_P}dateCreatedByApplication"))
        app = CreatingApplication(text_of(app_node.find(f"{_P}creatingApplicationName")) or "",
                                  text_of(app_node.find(f"{_P}creatingApplicationVersion")),
                                  parse_timestamp(created) if created else None)
    return FileFacts(
        sha256=digest, size=int(size) if size else None,
        format_name=text_of(chars.find(f"{_P}format/{_P}formatDesignation/{_P}formatName")),
        format_version=text_of(chars.find(f"{_P}format/{_P}formatDesignation/{_P}formatVersion")),
        puid=text_of(chars.find(f"{_P}format/{_P}formatRegistry/{_P}formatRegistryKey")),
        creating_application=app, original_name=text_of(node.find(f"{_P}originalName")))


def _event(node: etree._Element, paths: Mapping[str, str]) -> Event:
    type_node = node.find(f"{_P}eventType")
    code = (type_node.get("valueURI") or "").rsplit("/", 1)[-1] if type_node is not None else ""
    code = vocab.event_type_code(code) or vocab.event_type_code(text_of(type_node) or "") or (text_of(type_node) or "")
    agents = tuple(
        AgentLink(text_of(link.find(f"{_P}linkingAgentIdentifierValue")) or "",
                  tuple(text_of(role) or "" for role in link.iterfind(f"{_P}linkingAgentRole")))
        for link in node.iterfind(f"{_P}linkingAgentIdentifier"))
    objects = []
    for link in node.iterfind(f"{_P}linkingObjectIdentifier"):
        value = text_of(link.find(f"{_P}linkingObjectIdentifierValue")) or ""
        if value not in paths:
            raise MetadataError("linkingObjectIdentifierValue", f"{value} names no object of this package")
        for role in link.iterfind(f"{_P}linkingObjectRole"):
            objects.append(ObjectLink(paths[value], text_of(role) or ""))
    return Event(
        identifier=uuid.UUID(text_of(node.find(f"{_P}eventIdentifier/{_P}eventIdentifierValue")) or ""),
        type=code, at=parse_timestamp(text_of(node.find(f"{_P}eventDateTime")) or ""),
        outcome=text_of(node.find(f"{_P}eventOutcomeInformation/{_P}eventOutcome")),
        detail=text_of(node.find(f"{_P}eventDetailInformation/{_P}eventDetail")),
        outcome_detail=text_of(node.find(
            f"{_P}eventOutcomeInformation/{_P}eventOutcomeDetail/{_P}eventOutcomeDetailNote")),
        agents=agents, objects=tuple(objects))


def _agent(node: etree._Element) -> Agent:
    return Agent(identifier=text_of(node.find(f"{_P}agentIdentifier/{_P}agentIdentifierValue")) or "",
                 name=text_of(node.find(f"{_P}agentName")) or "",
                 type=text_of(node.find(f"{_P}agentType")) or "",
                 version=text_of(node.find(f"{_P}agentVersion")),
                 identifier_type=text_of(node.find(f"{_P}agentIdentifier/{_P}agentIdentifierType")) or "local",
                 note=text_of(node.find(f"{_P}agentNote")))
