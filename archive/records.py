"""A document's complete catalog record as JSON, written into its AIP and read back by a rebuild.

TT 05's EAD and PREMIS carry most of what the catalog knows, but not all of it (the ND 30
signer, stamps and arrival fields, per-field provenance, the catalog's own codes and identifiers),
and they carry it in forms that lose detail (dates to the day, events to the millisecond). So the
AIP also holds this lossless record in ``documentation/luutru-record.json``: every column of every
row that describes the document, dumped generically from the tables, so a column added later is
carried without touching this module.

Rows keep their catalog ids, except events and agents, which are named by their PREMIS UUIDs:
an event is added in the very transaction that writes the package, before its id is final on
every database, and the UUID is what PREMIS itself uses. Ingest batches and their items are the
intake queue, not the record, and are left out (so are event links to them).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum as PyEnum
from typing import Any

import orjson
from sqlalchemy import Date, Enum, Table, Uuid, insert, or_, select
from sqlalchemy.orm import Session, selectinload

from archive.catalog import (
    Agency,
    Bitstream,
    Document,
    DocumentLanguage,
    Dossier,
    DossierLanguage,
    EventAgent,
    EventObject,
    Fonds,
    FondsLanguage,
    MetadataChange,
    PreservationAgent,
    PreservationEvent,
    Representation,
)
from archive.catalog.models import UtcDateTime

RECORD_NAME = "luutru-record.json"
RECORD_FORMAT = "luutru-catalog-record/1"
_LINK_KINDS = ("bitstream", "representation", "document", "dossier")
"""Event links restored with a record (batch items are not part of it)."""


def _encode(value: Any) -> Any:
    if isinstance(value, PyEnum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """JSON values back to what each column's type binds (dates, UUIDs, code-list members)."""
    values = {}
    for name, value in row.items():
        column = table.c[name]
        kind = column.type
        if value is not None:
            if isinstance(kind, UtcDateTime):
                value = datetime.fromisoformat(value)
            elif isinstance(kind, Date):
                value = date.fromisoformat(value)
            elif isinstance(kind, Uuid):
                value = uuid.UUID(value)
            elif isinstance(kind, Enum) and kind.enum_class is not None:
                value = kind.enum_class(value)
        values[name] = value
    return values


def _rows(session: Session, table: Table, condition: Any, drop: Iterable[str] = ()) -> list[dict[str, Any]]:
    dropped = set(drop)
    order = [table.c[name] for name in table.primary_key.columns.keys()]
    return [{k: _encode(v) for k, v in row.items() if k not in dropped}
            for row in session.execute(select(table).where(condition).order_by(*order)).mappings()]


def _agencies(session: Session, ids: set[int]) -> list[dict[str, Any]]:
    """The agencies named, with their parents, parents first (the order they can be inserted in)."""
    table = Agency.__table__
    found: dict[int, dict[str, Any]] = {}
    pending = {i for i in ids if i is not None}
    while pending:
        rows = _rows(session, table, table.c.id.in_(pending))
        found.update({row["id"]: row for row in rows})
        pending = {row["parent_id"] for row in rows if row["parent_id"] is not None} - set(found)
    ordered: list[dict[str, Any]] = []

    def visit(row: dict[str, Any]) -> None:
        if row in ordered:
            return
        if row["parent_id"] in found:
            visit(found[row["parent_id"]])
        ordered.append(row)

    for row in sorted(found.values(), key=lambda r: r["id"]):
        visit(row)
    return ordered


def dump_record(session: Session, document: Document) -> dict[str, Any]:
    """Everything the catalog holds about ``document`` (flush pending changes first)."""
    doc_table = Document.__table__
    doc_row = _rows(session, doc_table, doc_table.c.id == document.id)[0]
    fonds_table, dossier_table = Fonds.__table__, Dossier.__table__
    fonds = _rows(session, fonds_table, fonds_table.c.id == doc_row["fonds_id"])
    dossier = (_rows(session, dossier_table, dossier_table.c.id == doc_row["dossier_id"])
               if doc_row["dossier_id"] is not None else [])
    rep_table, bit_table = Representation.__table__, Bitstream.__table__
    representations = _rows(session, rep_table, rep_table.c.document_id == document.id)
    rep_ids = [row["id"] for row in representations]
    bitstreams = _rows(session, bit_table, bit_table.c.representation_id.in_(rep_ids))
    bit_ids = [row["id"] for row in bitstreams]
    link_table = EventObject.__table__
    event_ids = set(session.scalars(select(link_table.c.event_id).where(or_(
        link_table.c.document_id == document.id, link_table.c.representation_id.in_(rep_ids),
        link_table.c.bitstream_id.in_(bit_ids)))))
    return {
        "format": RECORD_FORMAT,
        "agencies": _agencies(session, {doc_row["agency_id"], *(row.get("agency_id") for row in fonds + dossier)}),
        "fonds": fonds,
        "fonds_languages": _rows(session, FondsLanguage.__table__,
                                 FondsLanguage.__table__.c.fonds_id == doc_row["fonds_id"]),
        "dossier": dossier,
        "dossier_languages": _rows(session, DossierLanguage.__table__,
                                   DossierLanguage.__table__.c.dossier_id == doc_row["dossier_id"]),
        "document": doc_row,
        "document_languages": _rows(session, DocumentLanguage.__table__,
                                    DocumentLanguage.__table__.c.document_id == document.id),
        "representations": representations,
        "bitstreams": bitstreams,
        "events": _events(session, event_ids, {"document": {document.id}, "representation": set(rep_ids),
                                               "bitstream": set(bit_ids),
                                               "dossier": {row["id"] for row in dossier}}),
        "changes": _changes(session, document.id),
    }


def _events(session: Session, event_ids: set[int], kept: dict[str, set[int]]) -> list[dict[str, Any]]:
    """The events with their agents and their links to objects of this record (others are not restored)."""
    events = []
    table = PreservationEvent.__table__
    # Rows, agents and object links of all the events in three queries, not three per event: a record is
    # dumped into every version of its package, and per-event queries were most of the packaging time.
    rows = {row.pop("id"): row for row in _rows(session, table, table.c.id.in_(event_ids))}
    query = select(PreservationEvent).where(PreservationEvent.id.in_(event_ids)).options(
        selectinload(PreservationEvent.agents).joinedload(EventAgent.agent), selectinload(PreservationEvent.objects))
    for event in session.scalars(query):
        row = rows[event.id]
        row["agents"] = sorted(
            ({"agent": {k: _encode(v) for k, v in (("identifier", link.agent.identifier), ("name", link.agent.name),
                                                    ("version", link.agent.version), ("type", link.agent.type))},
              "role": link.role.value} for link in event.agents),
            key=lambda item: (item["agent"]["identifier"], item["role"]))
        row["objects"] = sorted(
            ({"role": link.role.value, "kind": kind, "id": getattr(link, f"{kind}_id")}
             for link in event.objects for kind in _LINK_KINDS if getattr(link, f"{kind}_id") in kept[kind]),
            key=lambda item: (item["kind"], item["id"], item["role"]))
        events.append(row)
    return sorted(events, key=lambda row: (row["event_datetime"], row["event_identifier"]))


def _changes(session: Session, document_id: int) -> list[dict[str, Any]]:
    changes = []
    for change in session.scalars(select(MetadataChange).where(MetadataChange.document_id == document_id)
                                  .order_by(MetadataChange.id)):
        row = _rows(session, MetadataChange.__table__, MetadataChange.__table__.c.id == change.id,
                    ("id", "event_id"))[0]
        row["event"] = str(change.event.event_identifier)
        changes.append(row)
    return changes


def record_bytes(record: dict[str, Any]) -> bytes:
    """Canonical JSON (sorted keys, indented, UTF-8), so the same catalog state always gives the same bytes.
    orjson: the stdlib's indenting encoder is pure Python and cost ~8 ms per package version."""
    return orjson.dumps(record, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS) + b"\n"


# -- restoring -----------------------------------------------------------------------------------


def restore_record(session: Session, record: dict[str, Any]) -> int:
    """Insert a record's rows that the catalog does not hold yet; returns the document id.

    Shared rows (an agency, a fonds, a dossier, an agent) arrive with every document that uses
    them and are inserted once.
    """
    if record.get("format") != RECORD_FORMAT:
        raise ValueError(f"unknown catalog record format {record.get('format')!r}; expected {RECORD_FORMAT}")
    _insert_new(session, Agency.__table__, record["agencies"])
    new_fonds = _insert_new(session, Fonds.__table__, record["fonds"])
    _insert_all(session, FondsLanguage.__table__, [r for r in record["fonds_languages"] if r["fonds_id"] in new_fonds])
    new_dossiers = _insert_new(session, Dossier.__table__, record["dossier"])
    _insert_all(session, DossierLanguage.__table__,
                [r for r in record["dossier_languages"] if r["dossier_id"] in new_dossiers])
    # The record's own rows: an id already taken is a conflict and fails loudly.
    _insert_all(session, Document.__table__, [record["document"]])
    _insert_all(session, DocumentLanguage.__table__, record["document_languages"])
    _insert_all(session, Representation.__table__, record["representations"])
    _insert_all(session, Bitstream.__table__, record["bitstreams"])
    event_ids = _restore_events(session, record["events"])
    _insert_all(session, MetadataChange.__table__, [
        {**{k: v for k, v in change.items() if k != "event"}, "event_id": event_ids[change["event"]]}
        for change in record["changes"]])
    return int(record["document"]["id"])


def _insert_new(session: Session, table: Table, rows: list[dict[str, Any]]) -> set[int]:
    """Insert rows whose id is not taken yet; returns the ids inserted."""
    if not rows:
        return set()
    present = set(session.scalars(select(table.c.id).where(table.c.id.in_([r["id"] for r in rows]))))
    fresh = [row for row in rows if row["id"] not in present]
    _insert_all(session, table, fresh)
    return {row["id"] for row in fresh}


def _insert_all(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """One multi-row insert (rows of one table share their keys, as dumped)."""
    if rows:
        session.execute(insert(table), [_decode(table, row) for row in rows])


def _ids_by(session: Session, column: Any, key: Any, identifiers: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    return {found: int(row_id) for found, row_id in session.execute(select(column, key).where(column.in_(identifiers)))}


def _agent_ids(session: Session, agents: list[dict[str, Any]]) -> dict[uuid.UUID, int]:
    """Agents by PREMIS identifier, inserting those the catalog does not know yet."""
    table = PreservationAgent.__table__
    wanted = {uuid.UUID(agent["identifier"]): agent for agent in agents}
    known = _ids_by(session, table.c.identifier, table.c.id, list(wanted))
    _insert_all(session, table, [agent for identifier, agent in wanted.items() if identifier not in known])
    return _ids_by(session, table.c.identifier, table.c.id, list(wanted))


def _restore_events(session: Session, events: list[dict[str, Any]]) -> dict[str, int]:
    """Insert the events not yet in the catalog with their agent and object links; identifier → id."""
    table = PreservationEvent.__table__
    identifiers = [uuid.UUID(event["event_identifier"]) for event in events]
    known = _ids_by(session, table.c.event_identifier, table.c.id, identifiers)
    new = [event for event in events if uuid.UUID(event["event_identifier"]) not in known]
    _insert_all(session, table, [{k: v for k, v in event.items() if k not in ("agents", "objects")} for event in new])
    ids = _ids_by(session, table.c.event_identifier, table.c.id, identifiers)
    agents = _agent_ids(session, [link["agent"] for event in new for link in event["agents"]])
    agent_rows = {(ids[uuid.UUID(event["event_identifier"])], agents[uuid.UUID(link["agent"]["identifier"])],
                   link["role"]) for event in new for link in event["agents"]}
    _insert_all(session, EventAgent.__table__, [{"event_id": event_id, "agent_id": agent_id, "role": role}
                                                for event_id, agent_id, role in sorted(agent_rows)])
    _insert_all(session, EventObject.__table__, [
        {"event_id": ids[uuid.UUID(event["event_identifier"])], "role": link["role"],
         **{f"{kind}_id": link["id"] if kind == link["kind"] else None for kind in _LINK_KINDS}, "batch_item_id": None}
        for event in new for link in event["objects"]])
    return {str(identifier): row_id for identifier, row_id in ids.items()}
