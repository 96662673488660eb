"""Archivists' corrections of a record's description: checked, recorded, and kept as a new package version.

A correction never overwrites: the catalog gets the new values (provenance ``archivist``), each
changed field is logged with its old and new value, a PREMIS ``mem`` (metadata modification)
event names the archivist, and the AIP gets version N+1 with the new EAD and PREMIS while version
N, with the old values, stays in the object untouched. All of it commits together or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.catalog import ArchivalPackage, Document, MetadataChange, PreservationAgent
from archive.catalog.codes import (
    AgentRole,
    AgentType,
    CodeEnum,
    ConfidenceLevel,
    Confidentiality,
    EventOutcome,
    EventType,
    Language,
    Maintenance,
    Mode,
    PhysicalCondition,
    ProvenanceSource,
    SignerAuthority,
    TypeName,
    Urgency,
)
from archive.factory import Archive
from archive.packaging import PACKAGE_NAMESPACE, seal
from archive.preservation import record_event
from archive.search_service import SearchService
from ingest.package import MetadataError, SchemaInvalid, tt05_date
from search.base import SearchError


@dataclass(frozen=True)
class Editable:
    """A correctable field: its document column, TT 05 / ND 30 label, and how values are checked."""

    column: str
    label: str
    kind: str                                  # text, code, codes, date, int
    length: int | None = None
    codes: type[CodeEnum] | None = None


FIELDS: dict[str, Editable] = {
    "typeName": Editable("type_name", "Tên loại văn bản", "code", codes=TypeName),
    "codeNumber": Editable("code_number", "Số của văn bản", "text", 11),
    "codeNotation": Editable("code_notation", "Ký hiệu của văn bản", "text", 30),
    "issuedDate": Editable("issued_date", "Ngày, tháng, năm văn bản", "date"),
    "organName": Editable("organ_name", "Tên cơ quan, tổ chức ban hành", "text", 200),
    "subject": Editable("subject", "Trích yếu nội dung", "text", 500),
    "language": Editable("languages", "Ngôn ngữ", "codes", codes=Language),
    "numberOfPage": Editable("number_of_page", "Số lượng trang", "int", 4),
    "inforSign": Editable("infor_sign", "Ký hiệu thông tin", "text", 30),
    "keyword": Editable("keyword", "Từ khóa", "text", 100),
    "mode": Editable("mode", "Chế độ sử dụng", "code", codes=Mode),
    "maintenance": Editable("maintenance", "Thời hạn lưu trữ", "code", codes=Maintenance),
    "confidenceLevel": Editable("confidence_level", "Mức độ tin cậy", "code", codes=ConfidenceLevel),
    "format": Editable("format", "Tình trạng vật lý", "code", codes=PhysicalCondition),
    "autograph": Editable("autograph", "Bút tích", "text", 2000),
    "description": Editable("description", "Ghi chú", "text", 500),
    "typeLabel": Editable("type_label", "Tên loại (như in trên văn bản)", "text", 100),
    "signerName": Editable("signer_full_name", "Họ tên người ký", "text", 50),
    "signerPosition": Editable("signer_position", "Chức vụ người ký", "text", 100),
    "signerAuthority": Editable("signer_authority", "Quyền hạn ký", "code", codes=SignerAuthority),
    "confidentiality": Editable("confidentiality", "Độ mật", "code", codes=Confidentiality),
    "urgency": Editable("urgency", "Độ khẩn", "code", codes=Urgency),
}
_BY_COLUMN = {spec.column: name for name, spec in FIELDS.items()}


class CorrectionRefused(ValueError):
    """Nothing was changed; ``problems`` holds (field, Vietnamese, English) for every value at fault."""

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {en}" for field, _, en in problems))


@dataclass(frozen=True)
class Correction:
    document_id: int
    version: int
    changes: tuple[tuple[str, str | None, str | None], ...]   # (field, old, new) in TT 05 text form
    indexed: bool = True   # False: the search index was unavailable and still shows the old values


def _parse(name: str, spec: Editable, raw: str) -> tuple[Any, list[tuple[str, str, str]]]:
    """The column value for ``raw`` ('' clears the field), or the problems that forbid it."""
    text = raw.strip()
    if text == "":
        return ([] if spec.kind == "codes" else None), []
    if spec.kind == "text":
        if spec.length is not None and len(text) > spec.length:
            return None, [(name, f"{spec.label} dài {len(text)} ký tự; tối đa {spec.length}.",
                           f"{spec.label} is {len(text)} characters long; TT 05 allows at most {spec.length}.")]
        return text, []
    if spec.kind in ("code", "codes"):
        assert spec.codes is not None
        values = [part.strip() for part in text.split(",")] if spec.kind == "codes" else [text]
        wrong = [v for v in values if not spec.codes.is_valid(v)]
        if wrong:
            allowed = ", ".join(spec.codes.codes())
            return None, [(name, f"{spec.label}: mã {', '.join(wrong)} không có trong danh mục ({allowed}).",
                           f"{spec.label}: {', '.join(wrong)} is not in the code list ({allowed}).")]
        members = [spec.codes(v) for v in values]
        return (members if spec.kind == "codes" else members[0]), []
    if spec.kind == "date":
        try:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year, month, day), []
        except ValueError:
            return None, [(name, f"{spec.label} {text!r} phải là ngày có thật, dạng DD/MM/YYYY.",
                           f"{spec.label} {text!r} must be a real date written DD/MM/YYYY.")]
    if not text.isdigit() or (spec.length is not None and len(text) > spec.length):
        return None, [(name, f"{spec.label} phải là số nguyên tối đa {spec.length} chữ số.",
                       f"{spec.label} must be a whole number of at most {spec.length} digits.")]
    return int(text), []


def as_text(value: Any) -> str | None:
    """A value in the TT 05 text form used in EAD and in the change log."""
    if value is None or value == []:
        return None
    if isinstance(value, list):
        return ",".join(as_text(v) or "" for v in value)
    if isinstance(value, CodeEnum):
        return value.value
    if isinstance(value, date):
        return tt05_date(value)
    return str(value)


def _current(document: Document, spec: Editable) -> Any:
    value = getattr(document, spec.column)
    return list(value) if spec.kind == "codes" else value


def _person(session: Session, actor: str) -> PreservationAgent:
    agent = session.scalars(select(PreservationAgent).where(
        PreservationAgent.type == AgentType.PERSON, PreservationAgent.name == actor,
        PreservationAgent.version.is_(None))).first()
    if agent is None:
        # A fixed identifier: a retried correction builds the same package bytes (see archive.packaging).
        agent = PreservationAgent(type=AgentType.PERSON, name=actor,
                                  identifier=uuid.uuid5(PACKAGE_NAMESPACE, f"person:{actor}"))
        session.add(agent)
    return agent


def correct(archive: Archive, document_id: int, changes: Mapping[str, str], actor: str,
            confirmed: Iterable[str] = ()) -> Correction:
    """Apply an archivist's corrections (TT 05 field names → text values) as one new package version.

    Every value is checked first (code lists, lengths, dates) and every problem is reported at
    once; then the AIP built from the corrected record is validated, and only a valid one is stored.
    ``confirmed`` names fields the archivist checked and found right as extracted: their value is
    kept, their provenance becomes ``archivist``, and that too is a new version with its event, so
    a review that changes nothing is still on record (who vouched for what, and when).
    """
    actor = actor.strip()
    problems: list[tuple[str, str, str]] = []
    if not actor:
        problems.append(("actor", "Phải ghi tên cán bộ lưu trữ thực hiện hiệu đính.",
                         "Name the archivist making the correction."))
    parsed: dict[str, Any] = {}
    for name, raw in changes.items():
        key = name if name in FIELDS else _BY_COLUMN.get(name)
        if key is None:
            problems.append((name, f"Không có trường {name!r}; các trường sửa được: {', '.join(FIELDS)}.",
                             f"There is no field {name!r}; correctable fields: {', '.join(FIELDS)}."))
            continue
        value, found = _parse(key, FIELDS[key], raw)
        problems.extend(found)
        parsed[key] = value
    confirming = []
    for name in confirmed:
        key = name if name in FIELDS else _BY_COLUMN.get(name)
        if key is None:
            problems.append((name, f"Không có trường {name!r}; các trường sửa được: {', '.join(FIELDS)}.",
                             f"There is no field {name!r}; correctable fields: {', '.join(FIELDS)}."))
        else:
            confirming.append(key)
    if problems:
        raise CorrectionRefused(problems)
    with archive.work_sessions.begin() as session:
        document = session.get(Document, document_id)
        package = session.scalars(select(ArchivalPackage).where(ArchivalPackage.document_id == document_id)).first()
        if document is None or package is None:
            raise CorrectionRefused([("record", f"Không có tài liệu đã lưu trữ số {document_id}.",
                                      f"There is no archived record {document_id}.")])
        log = []
        for key, value in parsed.items():
            spec = FIELDS[key]
            old = _current(document, spec)
            if as_text(old) == as_text(value):
                continue
            if spec.kind == "codes":
                document.languages.clear()
                document.languages.extend(value)
            else:
                setattr(document, spec.column, value)
            document.set_provenance(spec.column, ProvenanceSource.ARCHIVIST, 1.0)
            log.append((spec.column, as_text(old), as_text(value)))
        changed = {_BY_COLUMN[c] for c, _, _ in log}
        confirmations = [key for key in dict.fromkeys(confirming) if key not in changed]
        for key in confirmations:
            document.set_provenance(FIELDS[key].column, ProvenanceSource.ARCHIVIST, 1.0)
        if not log and not confirmations:
            raise CorrectionRefused([("changes", "Các giá trị mới trùng giá trị hiện có; không có gì để sửa.",
                                      "The new values equal the current ones; there is nothing to correct.")])
        event = record_event(session, EventType.METADATA_MODIFICATION, EventOutcome.SUCCESS,
                             detail=f"correction by an archivist: {', '.join(_BY_COLUMN[c] for c, _, _ in log)}"
                             + (f"; confirmed unchanged: {', '.join(confirmations)}" if confirmations else ""),
                             outcome_detail="; ".join([f"{_BY_COLUMN[c]}: {o or '∅'} → {n or '∅'}" for c, o, n in log]
                                                      + [f"{key}: confirmed" for key in confirmations]),
                             sources=[document], outcomes=[document])
        event.link_agent(_person(session, actor), AgentRole.IMPLEMENTER)
        entries = [MetadataChange(document_id=document.id, event=event, version=package.head_version + 1,
                                  field=column, old_value=old, new_value=new, actor=actor)
                   for column, old, new in log]
        session.add_all(entries)

        def number_version(number: int, at: datetime) -> None:
            for entry in entries:
                entry.version, entry.changed_at = number, at

        try:
            sealed = seal(session, archive.store, archive.settings, document, event, prepare=number_version,
                          message=f"Hiệu đính siêu dữ liệu / metadata correction by {actor}", user_name=actor,
                          user_address="urn:luutru:archivist")
        except (MetadataError, SchemaInvalid) as exc:
            raise CorrectionRefused([(getattr(exc, "field", "EAD"),
                                      f"Giá trị mới làm gói AIP không hợp lệ theo TT 05 ({exc}); không có gì bị "
                                      "thay đổi.",
                                      f"The new values would make the AIP invalid under TT 05 ({exc}); nothing was "
                                      "changed.")]) from exc
    indexed = True
    with archive.sessions() as session:
        document = session.get(Document, document_id)
        assert document is not None
        try:
            SearchService(archive).index(document)
        except SearchError:
            indexed = False
    return Correction(document_id, sealed.version, tuple((_BY_COLUMN[c], o, n) for c, o, n in log), indexed)


def history(archive: Archive, document_id: int) -> list[dict[str, Any]]:
    """Every corrected field of the record, oldest first, with the package version that holds each value."""
    with archive.sessions() as session:
        rows = session.scalars(select(MetadataChange).where(MetadataChange.document_id == document_id)
                               .order_by(MetadataChange.id))
        return [{"field": _BY_COLUMN.get(r.field, r.field), "old": r.old_value, "new": r.new_value,
                 "actor": r.actor, "at": r.changed_at.isoformat(), "version": f"v{r.version}",
                 "previous_version": f"v{r.version - 1}", "event": str(r.event.event_identifier)} for r in rows]
