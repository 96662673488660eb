"""The package conversions of TT 05: SIP → AIP on accession (Điều 25.3.a), AIP → DIP for access (Điều 42).

Both are pure functions on PackageSpec: the caller builds, validates and stores the result with
``build_package``. The conversions only do what the circular prescribes: archive codes in the
AIP, the DIP's document form and access request, and the PREMIS event that records the step.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ingest.package.description import AccessRequest, DocumentDescription, FileDescription, LooseFileDescription
from ingest.package.errors import MetadataError
from ingest.package.model import Agent, AgentLink, Event, ObjectLink, PackageSpec
from ingest.package.read import ReceivedPackage
from ingest.package.xmlutil import derived_uuid


def aip_from_sip(received: ReceivedPackage, *, archive_code: str | None, created: datetime, software: Agent,
                 organization: str, authorizer: Agent, events: tuple[Event, ...] = (),
                 agents: tuple[Agent, ...] = ()) -> PackageSpec:
    """The AIP spec for an accepted SIP, keeping its UUID, with an ``information package creation`` event.

    ``archive_code`` prefixes the SIP's fileCode to form arcFileCode (TT 05: the AIP code carries
    the archive's code); documents get arcFileCode and their ordinal.
    """
    sip = received.spec
    description = sip.description
    if not isinstance(description, FileDescription | LooseFileDescription):
        raise MetadataError("EAD", "the SIP's descriptive metadata is not the TT 05 simpledc block; an archivist "
                                   "must complete the TT 05 fields before the AIP is made")
    arc_code = f"{archive_code}.{description.file_code}" if archive_code else description.file_code
    representations = tuple(
        replace(rep, documents=tuple(replace(doc, arc_file_code=arc_code, doc_ordinal=number).only("AIP")
                                     for number, doc in enumerate(rep.documents, start=1)))
        for rep in sip.representations)
    creation = Event(identifier=derived_uuid(sip.object_id, "event:ipc"), type="ipc", at=created, outcome="success",
                     detail=f"AIP made from SIP {received.objid} (TT 05/2025 Điều 25.3.a)",
                     agents=(AgentLink(authorizer.identifier, ("authorizer",)),
                             AgentLink(software.identifier, ("executing program",))),
                     objects=(ObjectLink("", "outcome"),))
    known = {software.identifier: software, authorizer.identifier: authorizer,
             **{agent.identifier: agent for agent in (*sip.agents, *agents)}}
    return replace(sip, description=replace(description, file_code=arc_code).only("AIP"),
                   representations=representations,
                   created=created, modified=None, software=software, organization=organization,
                   events=(*sip.events, *events, creation), agents=tuple(known.values()))


def dip_from_aip(aip: PackageSpec, request: AccessRequest, *, representations: tuple[str, ...], created: datetime,
                 software: Agent, organization: str, disseminator: Agent) -> PackageSpec:
    """The DIP spec answering ``request`` with the chosen representations of an AIP (usually rep2, the access copy).

    The DIP gets its own UUID (derived from the AIP and the request, so a re-issued DIP is the
    same package), the DIP form of each document and a ``dissemination`` event.
    """
    if not isinstance(aip.description, FileDescription | LooseFileDescription):
        raise MetadataError("EAD", "a DIP is made from an AIP spec with TT 05 descriptive metadata")
    chosen = [rep for rep in aip.representations if rep.name in representations]
    if missing := set(representations) - {rep.name for rep in chosen}:
        raise MetadataError("representations", f"the AIP has no representation {', '.join(sorted(missing))}")
    maintenance = getattr(aip.description, "maintenance", None)
    kept = {""} | {path for rep in chosen for path in (rep.folder, *(rep.data_path(f) for f in rep.files))}
    # Links to objects the DIP does not carry (the master a PDF/A was made from) are dropped: the
    # DIP is a copy for a reader; the AIP keeps the full lineage.
    dip_reps = tuple(replace(rep, documents=tuple(_dip_document(doc, maintenance) for doc in rep.documents),
                             events=tuple(replace(event, objects=tuple(o for o in event.objects if o.path in kept))
                                          for event in rep.events))
                     for rep in chosen)
    dip_id = derived_uuid(aip.object_id, f"dip:{request.request_id}")
    dissemination = Event(
        identifier=derived_uuid(dip_id, "event:dis"), type="dis", at=created, outcome="success",
        detail=f"DIP for request {request.request_id} from AIP urn:uuid:{aip.object_id}",
        agents=(AgentLink(disseminator.identifier, ("authorizer",)),
                AgentLink(software.identifier, ("executing program",))),
        objects=tuple(ObjectLink(rep.folder, "source") for rep in chosen))
    used = {link.agent for rep in dip_reps for event in rep.events for link in event.agents}
    agents = {agent.identifier: agent for agent in aip.agents if agent.identifier in used}
    agents.update({software.identifier: software, disseminator.identifier: disseminator})
    return PackageSpec(object_id=dip_id, kind=aip.kind, description=request, representations=dip_reps,
                       organization=organization, software=software, created=created,
                       events=(dissemination,), agents=tuple(agents.values()))


def _dip_document(doc: DocumentDescription, maintenance: str | None) -> DocumentDescription:
    """TT 05's DIP form: arcDocCode (archive code + 7-digit ordinal) instead of docCode, no organName."""
    arc_doc_code = doc.arc_doc_code
    if arc_doc_code is None and doc.arc_file_code and doc.doc_ordinal is not None:
        arc_doc_code = f"{doc.arc_file_code}.{doc.doc_ordinal:07d}"
    return replace(doc, arc_doc_code=arc_doc_code or doc.doc_code,
                   maintenance=doc.maintenance or maintenance).only("DIP")

