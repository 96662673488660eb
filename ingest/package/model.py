"""Plain inputs of the packaging library: files, representations, PREMIS events and agents, packages.

They carry no catalog identity: the caller (ingest, export, rebuild) maps its own records onto
them. Everything a package says is in these values, so building a package is a pure function of
them; that is what makes a rebuilt package byte-identical and an interrupted write resumable.
"""

from __future__ import annotations

import io
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Literal

from ingest.package import vocab
from ingest.package.description import AccessRequest, DocumentDescription, FileDescription, LooseFileDescription
from ingest.package.errors import MetadataError

ContentSource = Path | bytes | Callable[[], BinaryIO]
PackageType = Literal["SIP", "AIP", "DIP"]
Kind = Literal["hoso", "tailieu"]
_SHA256 = re.compile(r"[0-9a-f]{64}")
_PUID = re.compile(r"(x-)?fmt/\d+")


def open_source(source: ContentSource) -> BinaryIO:
    """A fresh binary stream over a content source; the caller closes it."""
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, Path):
        return open(source, "rb")
    return source()


def check_relative_path(path: str, what: str) -> str:
    """Refuse paths that could escape a package folder or differ only by Unicode form.

    The same rules as storage keys (NFC, '/' only, no '.'/'..'/empty segments), because package
    paths become object-store keys and ZIP member names.
    """
    if not path or path.startswith("/") or "\\" in path or unicodedata.normalize("NFC", path) != path:
        raise MetadataError(what, f"path {path!r} must be a relative NFC name with '/' separators")
    if any(part in ("", ".", "..") or part.startswith(".") for part in path.split("/")):
        raise MetadataError(what, f"path {path!r} has an empty, '.', '..' or hidden segment")
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in path):
        raise MetadataError(what, f"path {path!r} contains a control or invisible character")
    return path


def check_datetime(value: datetime, what: str) -> datetime:
    """Insist on a time zone and millisecond precision, which is what TT 05 timestamps carry.

    Rejecting finer precision (instead of truncating) keeps ``build → read`` an exact round trip.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise MetadataError(what, f"{value.isoformat()} has no time zone; give an aware datetime (+07:00)")
    if value.microsecond % 1000:
        raise MetadataError(what, f"{value.isoformat()} is finer than milliseconds; round it first")
    return value


@dataclass(frozen=True)
class CreatingApplication:
    """The software that made a file (PREMIS creatingApplication), e.g. OCRmyPDF 16.10.4."""

    name: str
    version: str | None = None
    created: datetime | None = None

    def __post_init__(self) -> None:
        if self.created is not None:
            check_datetime(self.created, "dateCreatedByApplication")


@dataclass(frozen=True, kw_only=True)
class PackageFile:
    """One content file of a representation; ``path`` is relative to the representation's ``data/``.

    ``document`` is the 1-based position, in the representation's documents, of the EAD_doc that
    describes this file, so a dossier's files stay attached to their descriptions.
    """

    path: str
    size: int
    sha256: str
    mime: str
    format_name: str
    source: ContentSource = field(compare=False, repr=False)
    puid: str | None = None
    format_version: str | None = None
    creating_application: CreatingApplication | None = None
    original_name: str | None = None
    document: int | None = None

    def __post_init__(self) -> None:
        check_relative_path(self.path, "file")
        if not _SHA256.fullmatch(self.sha256):
            raise MetadataError("CHECKSUM", f"{self.path}: {self.sha256!r} is not a lower-case SHA-256 hex digest")
        if self.size < 0:
            raise MetadataError("SIZE", f"{self.path}: size {self.size} is negative")
        if self.puid is not None and not _PUID.fullmatch(self.puid):
            raise MetadataError("formatRegistryKey", f"{self.path}: {self.puid!r} is not a PRONOM PUID (fmt/NNN)")
        if "/" not in self.mime:
            raise MetadataError("MIMETYPE", f"{self.path}: {self.mime!r} is not a MIME type")


@dataclass(frozen=True)
class Agent:
    """A PREMIS agent: a person, an organisation or a program (with its version)."""

    identifier: str
    name: str
    type: str
    version: str | None = None
    identifier_type: str = "local"
    note: str | None = None

    def __post_init__(self) -> None:
        if self.type not in vocab.AGENT_TYPES:
            raise MetadataError("agentType", f"{self.type!r} is not one of {', '.join(vocab.AGENT_TYPES)}")
        if not self.identifier.strip() or not self.name.strip():
            raise MetadataError("agentIdentifier", "an agent needs an identifier and a name (TT 05)")


@dataclass(frozen=True)
class AgentLink:
    """An agent's part in an event; roles come from the four TT 05 allows."""

    agent: str
    roles: tuple[str, ...]

    def __post_init__(self) -> None:
        for role in self.roles:
            if role not in vocab.AGENT_ROLES:
                raise MetadataError("linkingAgentRole", f"{role!r} is not one of {', '.join(vocab.AGENT_ROLES)}")


@dataclass(frozen=True)
class ObjectLink:
    """An object an event used (``source``) or produced (``outcome``), named by its package path.

    ``""`` is the package itself (the intellectual entity), ``representations/rep1`` a
    representation and ``representations/rep1/data/x.pdf`` a file.
    """

    path: str
    role: str

    def __post_init__(self) -> None:
        if self.role not in vocab.OBJECT_ROLES:
            raise MetadataError("linkingObjectRole", f"{self.role!r} must be 'source' or 'outcome'")


@dataclass(frozen=True, kw_only=True)
class Event:
    """One PREMIS event; TT 05 wants every preservation or backup action as its own event."""

    identifier: uuid.UUID
    type: str
    at: datetime
    outcome: str | None = None
    detail: str | None = None
    outcome_detail: str | None = None
    agents: tuple[AgentLink, ...] = ()
    objects: tuple[ObjectLink, ...] = ()

    def __post_init__(self) -> None:
        if self.type not in vocab.EVENT_TYPES:
            raise MetadataError("eventType", f"{self.type!r} is not a code of {vocab.EVENT_TYPE_AUTHORITY} "
                                             "(e.g. 'ing' ingestion, 'ipc' information package creation)")
        check_datetime(self.at, "eventDateTime")


@dataclass(frozen=True, kw_only=True)
class Representation:
    """A representation folder: rep1 the untouched master, rep2 the PDF/A with its OCR text, …"""

    name: str
    files: tuple[PackageFile, ...]
    documents: tuple[DocumentDescription, ...] = ()
    events: tuple[Event, ...] = ()

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_-]+", self.name):
            raise MetadataError("representation", f"name {self.name!r} must be a simple folder name like rep1")

    @property
    def folder(self) -> str:
        return f"representations/{self.name}"

    def data_path(self, item: PackageFile) -> str:
        return f"{self.folder}/data/{item.path}"


@dataclass(frozen=True)
class ForeignDescription:
    """What a received E-ARK SIP's EAD 2002/EAD3 says, when it does not carry the TT 05 simpledc block.

    An archivist completes the TT 05 fields before the AIP is made; nothing is guessed.
    """

    schema: str
    title: str | None
    identifier: str | None
    dates: str | None
    document: bytes = field(repr=False)


Description = FileDescription | LooseFileDescription | AccessRequest | ForeignDescription


@dataclass(frozen=True)
class Documentation:
    """A file of the package's ``documentation/`` folder (E-ARK CSIP), listed in the METS fileGrp Documentation.

    luutru puts its full catalog record there, so that the catalog can be rebuilt from the
    packages alone, including what the TT 05 blocks have no element for.
    """

    path: str
    data: bytes = field(repr=False)
    mime: str = "application/json"

    def __post_init__(self) -> None:
        check_relative_path(self.path, "documentation")


@dataclass(frozen=True, kw_only=True)
class PackageSpec:
    """Everything one TT 05 package holds; ``object_id`` becomes ``urn:uuid:…`` (AIP/DIP) or ``uuid-…`` (SIP)."""

    object_id: uuid.UUID
    kind: Kind
    description: Description
    representations: tuple[Representation, ...]
    organization: str
    software: Agent
    created: datetime
    modified: datetime | None = None
    events: tuple[Event, ...] = ()
    agents: tuple[Agent, ...] = ()
    documentation: tuple[Documentation, ...] = ()

    def __post_init__(self) -> None:
        check_datetime(self.created, "CREATEDATE")
        if self.modified is not None:
            check_datetime(self.modified, "LASTMODDATE")
        if self.software.type != "software" or not self.software.version:
            raise MetadataError("metsHdr/agent", "the creating software agent needs type 'software' and a version "
                                                 "(E-ARK CSIP requires the software version note)")

    def all_events(self) -> Iterator[Event]:
        yield from self.events
        for rep in self.representations:
            yield from rep.events

    def object_paths(self) -> set[str]:
        """Every path an ObjectLink may name: the package, its representations and their files."""
        paths = {""}
        for rep in self.representations:
            paths.add(rep.folder)
            paths.update(rep.data_path(item) for item in rep.files)
        return paths
