"""Each record's AIP: built from the catalog, stored as an OCFL object, one new version per change.

``seal`` is the one way a package version is made (the pipeline's package step, a duplicate's
submission, an archivist's correction). It runs inside the catalog transaction that records the
change's PREMIS events, and it is safe to kill at any moment:

* The package is a pure function of the catalog state plus two facts fixed by the version being
  written: the events' identifiers (derived from the object, the event type and the version number)
  and their time (the version's ``created``). So re-running after a kill rebuilds the same bytes.
* The catalog records the head version in the same transaction as the events. If storage holds a
  newer version than the catalog knows, a killed run committed it: when the rebuilt package equals
  it, it is adopted (with that version's time); otherwise the change becomes the next version and
  the stray one stays in the history.
* Nothing under ``ocfl/`` is a catalog bitstream: every key there is accounted for by the OCFL
  inventories themselves (a stray or half-written file is an OCFL validation error, named by
  ``validate_storage_root``), as the integrity checks and the replication treat the OCFL tree.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.catalog import ArchivalPackage, Bitstream, Document, PreservationEvent, Representation
from archive.catalog.codes import BitstreamRole, ConfidenceLevel, Mode, TypeName
from archive.config import Settings
from archive.records import RECORD_NAME, dump_record, record_bytes
from ingest.package import (
    Agent,
    AgentLink,
    Documentation,
    DocumentDescription,
    Event,
    FileDescription,
    LooseFileDescription,
    ObjectLink,
    OcflError,
    OcflStorage,
    Package,
    PackageFile,
    PackageSpec,
    SchemaSet,
    build_package,
    tt05_date,
)
from ingest.package import (
    Representation as PackageRepresentation,
)
from ingest.package.mets import read_mets
from ingest.package.ocfl import CONTENT_DIRECTORY
from ingest.package.streams import ChunkReader, read_all
from ingest.package.xmlutil import derived_uuid, parse_timestamp
from storage import ObjectStore

PACKAGE_NAMESPACE = uuid.UUID("0b5c3f4e-6d1a-5e2b-9c8d-7a6f5e4d3c2b")
"""Namespace of the AIP identifiers: ``uuid5(namespace, "document:<id>:<master sha256>")``."""
_PUID = re.compile(r"(x-)?fmt/\d+")


class PackagingUnavailable(Exception):
    """No schema directory is configured, so no package can be validated and none is written."""


@functools.cache
def software() -> Agent:
    """luutru as the packages' software agent; its version is read once per process (~0.5 ms a read)."""
    return Agent(identifier="luutru", name="luutru", type="software", version=package_version("luutru"))


@functools.lru_cache(maxsize=4)
def _schemas(directory: str) -> SchemaSet:
    return SchemaSet(Path(directory))


def schema_set(settings: Settings) -> SchemaSet:
    if not settings.schema_dir:
        raise PackagingUnavailable(
            "No XSD folder is configured (LUUTRU_SCHEMA_DIR), so packages cannot be validated and none is written.")
    return _schemas(settings.schema_dir)


def now_ms() -> datetime:
    """TT 05 and PREMIS times carry milliseconds; finer times would not survive a round trip."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def object_uuid(document: Document) -> uuid.UUID:
    """Fixed by the record, so a resumed step finds the object a killed one began."""
    master = next((b for r in document.representations for b in r.bitstreams if b.role == BitstreamRole.MASTER), None)
    return uuid.uuid5(PACKAGE_NAMESPACE, f"document:{document.id}:{master.sha256 if master else ''}")


def package_identity(session: Session, document: Document) -> str:
    """The OBJID of the record's AIP (``urn:uuid:…``), existing or to be."""
    row = session.scalars(select(ArchivalPackage).where(ArchivalPackage.document_id == document.id)).one_or_none()
    return row.object_id if row else f"urn:uuid:{object_uuid(document)}"


@dataclass(frozen=True)
class Sealed:
    """A version made (or adopted after a kill) for a record."""

    object_id: str
    version: int
    adopted: bool


def package_for(session: Session, store: ObjectStore, document: Document, *, object_id: uuid.UUID,
                created: datetime, modified: datetime | None, schemas: SchemaSet, organization: str) -> Package:
    """The validated AIP of ``document`` as the catalog describes it now (pending changes flushed first)."""
    session.flush()
    session.refresh(document)
    record = dump_record(session, document)
    spec = _spec(document, record, store, object_id, created, modified, organization)
    return build_package(spec, "AIP", schemas)


def seal(session: Session, store: ObjectStore, settings: Settings, document: Document, *events: PreservationEvent,
         message: str, user_name: str, user_address: str | None = None,
         prepare: Callable[[int, datetime], None] | None = None) -> Sealed:
    """Write the record's next AIP version carrying ``events`` (already added to ``session``, at most one of
    each type: their identifiers are derived from the type and the version); see the module doc.

    ``prepare(number, at)`` lets the caller stamp rows of the same change with the version number
    and time before the package (which records them) is built.
    """
    schemas = schema_set(settings)
    ocfl = OcflStorage(store)
    # One sealer per record at a time (PostgreSQL row lock; SQLite serialises writers anyway), so
    # files left under an uncommitted version can only come from a writer that died.
    session.execute(select(Document.id).where(Document.id == document.id).with_for_update())
    row = session.scalars(select(ArchivalPackage).where(ArchivalPackage.document_id == document.id)).one_or_none()
    identity = uuid.UUID(row.object_id.removeprefix("urn:uuid:")) if row else object_uuid(document)
    objid = f"urn:uuid:{identity}"
    known = row.head_version if row else 0
    stored = ocfl.head_or_none(objid)
    in_store = int(stored["head"][1:]) if stored else 0
    if in_store < known:
        raise OcflError(f"{objid}: the catalog knows version v{known} but the store's newest is v{in_store}; the "
                        "object store was restored from an older backup. Restore the missing versions first.")

    def build(number: int, at: datetime) -> Package:
        for event in events:
            event.event_identifier = derived_uuid(identity, f"event:{event.event_type.value}:v{number}")
            event.event_datetime = at
        if prepare is not None:
            prepare(number, at)
        created = row.created_at if row else at
        return package_for(session, store, document, object_id=identity, created=created,
                           modified=at if number > 1 else None, schemas=schemas, organization=settings.organization)

    adopted = False
    if in_store > known:
        at = parse_timestamp(stored["versions"][stored["head"]]["created"]).astimezone(UTC)
        package = build(in_store, at)
        adopted = _same_state(stored, package)
    if adopted:
        number, inventory = in_store, stored
        ocfl.repair(objid)   # the killed run may have died before republishing the root inventory
    else:
        number = in_store + 1
        at = interrupted_time(store, ocfl, objid, number) or now_ms()
        package = build(number, at)
        written = ocfl.write_version(objid, package.entries, created=at, message=message, user_name=user_name,
                                     user_address=user_address, rewrite_leftovers=True)
        inventory = written.inventory
    digest = hashlib.sha512(read_all(store.get(f"{ocfl.object_root(objid)}/v{number}/inventory.json"))).hexdigest()
    if row is None:
        session.add(ArchivalPackage(document_id=document.id, object_id=objid, head_version=number,
                                    inventory_sha512=digest, created_at=at, updated_at=at))
    else:
        row.head_version, row.inventory_sha512, row.updated_at = number, digest, at
    assert inventory["head"] == f"v{number}"
    return Sealed(objid, number, adopted)


def interrupted_time(store: ObjectStore, ocfl: OcflStorage, objid: str, number: int) -> datetime | None:
    """The time of a killed run that began writing version ``number`` but never committed it.

    Its METS.xml is the first file a version writes (entries are in path order) and carries the
    version's time as LASTMODDATE; building again with that time gives the same bytes, so the
    write adopts what the killed run left instead of refusing it as a different version.
    """
    key = f"{ocfl.object_root(objid)}/v{number}/{CONTENT_DIRECTORY}/METS.xml"
    if not store.exists(key):
        return None
    try:
        modified = read_mets(read_all(store.get(key))).modified
    except (etree.XMLSyntaxError, ValueError):
        return None
    return modified.astimezone(UTC) if modified else None


def _same_state(inventory: dict[str, Any], package: Package) -> bool:
    """Whether the stored head version holds exactly this package (logical path → SHA-256)."""
    sha256_of = {path: digest for digest, paths in inventory.get("fixity", {}).get("sha256", {}).items()
                 for path in paths}
    content_of = {digest: paths[0] for digest, paths in inventory["manifest"].items()}
    state = {logical: sha256_of.get(content_of[digest]) for digest, logicals in
             inventory["versions"][inventory["head"]]["state"].items() for logical in logicals}
    return state == {entry.path: entry.sha256 for entry in package.entries}


# -- from catalog rows to a PackageSpec ----------------------------------------------------------


def _opener(store: ObjectStore, key: str) -> Callable[[], BinaryIO]:
    return lambda: io.BufferedReader(ChunkReader(store.get(key)), 1024 * 1024)  # type: ignore[arg-type]


def _file_name(bitstream: Bitstream, taken: set[str]) -> str:
    """A package-safe file name: the original name when it is one, else the stored object's name."""
    name = unicodedata.normalize("NFC", bitstream.original_filename or bitstream.storage_key.rsplit("/", 1)[-1])
    name = "".join(char for char in name if unicodedata.category(char) not in ("Cc", "Cf", "Cs"))
    name = name.replace("/", "_").replace("\\", "_").lstrip(".") or "file"
    stem, dot, suffix = name.rpartition(".")
    candidate, counter = name, 1
    while candidate in taken:
        counter += 1
        candidate = f"{stem}-{counter}.{suffix}" if dot else f"{name}-{counter}"
    taken.add(candidate)
    return candidate


def _ms(value: datetime) -> datetime:
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _clip(text: str | None, limit: int) -> str | None:
    return text[:limit].strip() or None if text else None


def _descriptions(document: Document, record: dict[str, Any], title: str
                  ) -> tuple[FileDescription | LooseFileDescription, DocumentDescription, str]:
    """The TT 05 blocks. Required elements the catalog lacks get the code lists' neutral values
    (typeName 32 "Khác", mode 01, language 01, confidenceLevel 01); the record file keeps the truth."""
    dossier = document.dossier
    kind = "hoso" if dossier is not None else "tailieu"
    if dossier is not None:
        file_code = dossier.file_code
        description: FileDescription | LooseFileDescription = FileDescription(
            file_code=file_code, title=dossier.title, maintenance=(dossier.maintenance.value if dossier.maintenance
                                                                   else "01"),
            mode=dossier.mode.value if dossier.mode else "01",
            language=tuple(code.value for code in dossier.languages) or ("01",),
            confidence_level=dossier.confidence_level.value if dossier.confidence_level else "01",
            start_date=str(dossier.start) if dossier.start else None,
            end_date=str(dossier.end) if dossier.end else None,
            keyword=dossier.keyword, total_doc=dossier.total_doc, number_of_paper=dossier.number_of_paper,
            number_of_page=dossier.number_of_page, physical_state=dossier.format.value if dossier.format else None,
            infor_sign=dossier.infor_sign, paper_file_code=dossier.paper_file_code,
            risk_recovery=dossier.risk_recovery,
            risk_recovery_status=dossier.risk_recovery_status.value if dossier.risk_recovery_status else None,
            description=dossier.description)
    else:
        file_code = f"{record['fonds'][0]['code']}.TL.{document.id}"
        description = LooseFileDescription(file_code=file_code, title=_clip(document.subject, 1000) or title,
                                           source=document.direction.value if document.direction else "0")
    ordinal = document.doc_ordinal or 1
    pages = document.number_of_page if document.number_of_page is not None and document.number_of_page < 10**4 else None
    doc = DocumentDescription(
        arc_file_code=file_code, doc_code=document.doc_code or f"{file_code}.{ordinal:07d}", doc_ordinal=ordinal,
        type_name=(document.type_name or TypeName.KHAC).value, subject=_clip(document.subject, 500) or title,
        mode=(document.mode or Mode.PUBLIC).value,
        language=tuple(code.value for code in document.languages) or ("01",),
        confidence_level=(document.confidence_level or ConfidenceLevel.BORN_DIGITAL).value,
        code_number=document.code_number, code_notation=document.code_notation,
        issued_date=tt05_date(document.issued_date) if document.issued_date else None,
        organ_name=document.organ_name, number_of_page=pages, infor_sign=document.infor_sign,
        keyword=document.keyword, autograph=_clip(document.autograph, 2000),
        physical_state=document.format.value if document.format else None, process=document.process,
        description=document.description)
    return description, doc, kind


def _spec(document: Document, record: dict[str, Any], store: ObjectStore, object_id: uuid.UUID, created: datetime,
          modified: datetime | None, organization: str) -> PackageSpec:
    representations: list[Representation] = sorted(document.representations, key=lambda r: r.id)
    master = next((b for r in representations for b in r.bitstreams if b.role == BitstreamRole.MASTER), None)
    title = (master.original_filename if master and master.original_filename else f"#{document.id}")[:500]
    description, doc, kind = _descriptions(document, record, title)
    paths: dict[tuple[str, int], str] = {("document", document.id): ""}
    if document.dossier_id is not None:
        paths[("dossier", document.dossier_id)] = ""
    package_reps = []
    for number, rep in enumerate(representations, start=1):
        name = f"rep{number}"
        paths[("representation", rep.id)] = f"representations/{name}"
        taken: set[str] = set()
        files = []
        for bitstream in sorted(rep.bitstreams, key=lambda b: b.id):
            path = _file_name(bitstream, taken)
            paths[("bitstream", bitstream.id)] = f"representations/{name}/data/{path}"
            files.append(PackageFile(
                path=path, size=bitstream.size, sha256=bitstream.sha256,
                mime=bitstream.mime_type if bitstream.mime_type and "/" in bitstream.mime_type
                else "application/octet-stream",
                format_name=bitstream.mime_type or "unknown",
                puid=bitstream.puid if bitstream.puid and _PUID.fullmatch(bitstream.puid) else None,
                source=_opener(store, bitstream.storage_key), original_name=bitstream.original_filename,
                document=1))
        if files:
            package_reps.append(PackageRepresentation(name=name, files=tuple(files), documents=(doc,)))
    events, agents = _events(record, paths)
    luutru = software()
    return PackageSpec(object_id=object_id, kind=kind, description=description,  # type: ignore[arg-type]
                       representations=tuple(package_reps), organization=organization, software=luutru,
                       created=_ms(created), modified=_ms(modified) if modified else None, events=events,
                       agents=(luutru, *agents),
                       documentation=(Documentation(RECORD_NAME, record_bytes(record)),))


def _events(record: dict[str, Any], paths: dict[tuple[str, int], str]) -> tuple[tuple[Event, ...], tuple[Agent, ...]]:
    agents: dict[str, Agent] = {}
    events = []
    for row in record["events"]:
        links = []
        for link in row["agents"]:
            agent = link["agent"]
            agents.setdefault(agent["identifier"], Agent(identifier=agent["identifier"], name=agent["name"],
                                                         type=agent["type"], version=agent["version"]))
            links.append(AgentLink(agent["identifier"], (link["role"].replace("_", " "),)))
        objects = dict.fromkeys(ObjectLink(paths[(link["kind"], link["id"])], link["role"])
                                for link in row["objects"] if (link["kind"], link["id"]) in paths)
        events.append(Event(identifier=uuid.UUID(row["event_identifier"]), type=row["event_type"],
                            at=_ms(datetime.fromisoformat(row["event_datetime"])), outcome=row["outcome"],
                            detail=row["event_detail"], outcome_detail=row["outcome_detail"], agents=tuple(links),
                            objects=tuple(objects)))
    return tuple(events), tuple(agents.values())
