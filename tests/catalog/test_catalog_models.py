"""A realistic record chain survives a round trip, and the database refuses records that break the rules."""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from archive.catalog import (
    Agency,
    BatchItem,
    Bitstream,
    CatalogRuleError,
    Document,
    Dossier,
    Fonds,
    IngestBatch,
    PartialDate,
    PreservationAgent,
    PreservationEvent,
    Representation,
    User,
    make_session_factory,
)
from archive.catalog.codes import (
    AgentRole,
    AgentType,
    BatchItemState,
    BitstreamRole,
    ConfidenceLevel,
    DatePrecision,
    DigestAlgorithm,
    Direction,
    EventOutcome,
    EventType,
    FondsStatus,
    Language,
    Maintenance,
    Mode,
    ObjectRole,
    PhysicalCondition,
    RepresentationType,
    RiskRecoveryStatus,
    SignerAuthority,
    TypeName,
    Urgency,
    UserRole,
)

HANOI = timezone(timedelta(hours=7))
FILE_CODE = "000.00.00.G09.2024.15"
SUBJECT = "Về việc ban hành Quy chế công tác văn thư, lưu trữ của Bộ Nội vụ"
DOSSIER_TITLE = "Hồ sơ về việc xây dựng và ban hành Quy chế công tác văn thư, lưu trữ năm 2024"
FONDS_HISTORY = ("Bộ Nội vụ được thành lập ngày 28 tháng 8 năm 1945; trải qua nhiều lần hợp nhất, "
                 "chia tách, đến nay là cơ quan của Chính phủ quản lý nhà nước về văn thư, lưu trữ.")
DECOMPOSED_NAME = unicodedata.normalize("NFD", "Nguyễn Thị Hương")
"""Stored as given: the catalog must not silently re-normalise what it was handed."""


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _agency_and_fonds(session: Session) -> tuple[Agency, Fonds]:
    ministry = Agency(organ_id="000.00.00.G09", name="Bộ Nội vụ", abbreviation="BNV")
    office = Agency(organ_id="000.00.01.G09", name="Văn phòng Bộ Nội vụ", abbreviation="VP", parent=ministry)
    fonds = Fonds(code="P-BNV", name="Phông lưu trữ Bộ Nội vụ", agency=ministry, status=FondsStatus.OPEN,
                  history=FONDS_HISTORY, start=PartialDate.parse("1945"),
                  classification_scheme="Thời gian - cơ cấu tổ chức - vấn đề")
    fonds.languages = [Language.VIETNAMESE, Language.FRENCH]
    session.add_all([ministry, office, fonds])
    session.flush()
    return ministry, fonds


def test_record_chain_round_trip(engine: Engine) -> None:
    master_bytes, pdf_bytes = b"II*\x00 scanned page", b"%PDF-1.7 PDF/A-2b"
    hanoi_time = datetime(2024, 11, 15, 9, 30, tzinfo=HANOI)
    factory = make_session_factory(engine)
    with factory() as session:
        ministry, fonds = _agency_and_fonds(session)
        archivist = User(username="huongnt", full_name=DECOMPOSED_NAME, email="huongnt@moha.gov.vn",
                         password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", role=UserRole.ARCHIVIST,
                         agency=ministry)
        dossier = Dossier(
            fonds=fonds, file_code=FILE_CODE, organ_id="000.00.00.G09", file_catalog=2024, file_notation="15",
            title=DOSSIER_TITLE, maintenance=Maintenance.PERMANENT, mode=Mode.PUBLIC,
            start=PartialDate.parse("03/2024"), end=PartialDate.parse("15/11/2024"), keyword="văn thư; lưu trữ",
            total_doc=12, number_of_paper=48, number_of_page=96, format=PhysicalCondition.GOOD,
            confidence_level=ConfidenceLevel.DIGITISED, paper_file_code="H49.K01.G03.H12.15",
            risk_recovery=True, risk_recovery_status=RiskRecoveryStatus.BACKED_UP,
            description="Hồ sơ gồm tờ trình, dự thảo và quyết định ban hành.", creator=DECOMPOSED_NAME)
        dossier.languages = [Language("01"), Language("06")]
        document = Document(
            fonds=fonds, dossier=dossier, agency=ministry, doc_code=f"{FILE_CODE}.0000001", doc_ordinal=1,
            type_name="02", type_label="Quyết định", code_number="15", code_notation="QĐ-BNV",
            issued_date=date(2024, 3, 5), organ_name="Bộ Nội vụ", subject=SUBJECT, number_of_page=8,
            signer_authority=SignerAuthority.KY_THAY, signer_position="Thứ trưởng",
            signer_full_name="Trần Văn Thành", urgency=Urgency.KHAN, priority=1, issued_amount=25,
            maintenance=Maintenance.PERMANENT, mode=Mode.PUBLIC, confidence_level=ConfidenceLevel.DIGITISED,
            format=PhysicalCondition.GOOD, direction=Direction.OUTGOING, process=True)
        document.languages = [Language.VIETNAMESE]
        document.set_provenance("subject", "extracted", 0.87)
        document.set_provenance("code_notation", "catalogue", 1)
        original = Representation(document=document, type=RepresentationType.ORIGINAL, label="Bản quét gốc")
        preservation = Representation(document=document, type="preservation", label="PDF/A-2b, hai lớp")
        master = Bitstream(representation=original, storage_key=f"P-BNV/{FILE_CODE}/0000001/original/scan.tiff",
                           size=len(master_bytes), sha256=_digest(master_bytes), mime_type="image/tiff",
                           puid="fmt/353", original_filename="Quyết định 15-QĐ-BNV.tif", role=BitstreamRole.MASTER)
        derivative = Bitstream(representation=preservation,
                               storage_key=f"P-BNV/{FILE_CODE}/0000001/preservation/15-QĐ-BNV.pdf",
                               size=len(pdf_bytes), sha256=_digest(pdf_bytes), mime_type="application/pdf",
                               puid="fmt/477", original_filename=None, role="derivative")
        ocrmypdf = PreservationAgent(name="OCRmyPDF", version="16.10.4", type=AgentType.SOFTWARE)
        person = PreservationAgent(name=DECOMPOSED_NAME, type=AgentType.PERSON, user=archivist)
        normalisation = PreservationEvent(event_type="nor", outcome=EventOutcome.SUCCESS, event_datetime=hanoi_time,
                                          event_detail="ocrmypdf -l vie --output-type pdfa-2",
                                          outcome_detail="Đã tạo bản PDF/A-2b có lớp chữ nhận dạng.")
        normalisation.link_object(master, ObjectRole.SOURCE)
        normalisation.link_object(derivative, "outcome")
        normalisation.link_agent(ocrmypdf, AgentRole.EXECUTING_PROGRAM)
        normalisation.link_agent(person, "implementer")
        digest = PreservationEvent(event_type=EventType.MESSAGE_DIGEST_CALCULATION, outcome="success",
                                   outcome_detail=master.sha256)
        digest.link_object(master, "outcome")
        batch = IngestBatch(name="Đợt số hóa tháng 11/2024", fonds=fonds, submitted_by=archivist, total_items=1,
                            archived_items=1)
        batch.items.append(BatchItem(ordinal=1, original_name="Quyết định 15-QĐ-BNV.tif",
                                     original_path="Hộp 12/Hồ sơ 15/Quyết định 15-QĐ-BNV.tif",
                                     state=BatchItemState.ARCHIVED, master_bitstream=master, document=document,
                                     message_vi="Đã lưu trữ.", message_en="Archived."))
        session.add_all([dossier, normalisation, digest, batch])
        session.commit()
        event_id = normalisation.event_identifier

    with factory() as session:
        loaded = session.scalars(select(Dossier).where(Dossier.file_code == FILE_CODE)).one()
        assert loaded.title == DOSSIER_TITLE
        assert loaded.creator == DECOMPOSED_NAME and loaded.creator != unicodedata.normalize("NFC", DECOMPOSED_NAME)
        assert loaded.fonds.history == FONDS_HISTORY
        assert loaded.fonds.agency.name == "Bộ Nội vụ"
        assert [a.name for a in loaded.fonds.agency.children] == ["Văn phòng Bộ Nội vụ"]
        assert loaded.fonds.languages == [Language.VIETNAMESE, Language.FRENCH]
        assert loaded.fonds.start == PartialDate(date(1945, 1, 1), DatePrecision.YEAR) and loaded.fonds.end is None
        assert str(loaded.start) == "03/2024" and str(loaded.end) == "15/11/2024"
        assert loaded.languages == [Language.VIETNAMESE, Language.VIETNAMESE_ENGLISH]
        assert loaded.maintenance is Maintenance.PERMANENT and loaded.maintenance.vi == "Vĩnh viễn"
        assert loaded.confidence_level.vi == "Số hóa" and loaded.risk_recovery is True

        (doc,) = loaded.documents
        assert doc.subject == SUBJECT and doc.number_and_notation == "15/QĐ-BNV"
        assert doc.type_name is TypeName.QUYET_DINH and doc.type_name.mark == "QĐ"
        assert doc.signer_authority.mark == "KT." and doc.signer_full_name == "Trần Văn Thành"
        assert doc.urgency.mark == "KHẨN" and doc.confidentiality is None and doc.priority == 1
        assert doc.issued_date == date(2024, 3, 5) and doc.process is True
        assert doc.field_provenance == {"subject": {"source": "extracted", "confidence": 0.87},
                                        "code_notation": {"source": "catalogue", "confidence": 1.0}}

        original, preservation = doc.representations
        assert (original.type, preservation.type) == (RepresentationType.ORIGINAL, RepresentationType.PRESERVATION)
        (master,) = original.bitstreams
        assert master.original_filename == "Quyết định 15-QĐ-BNV.tif"
        assert master.sha256 == _digest(master_bytes) and master.digest_algorithm is DigestAlgorithm.SHA256
        assert master.size == len(master_bytes) and master.created_at.tzinfo is not None

        event = session.scalars(select(PreservationEvent).where(PreservationEvent.event_identifier == event_id)).one()
        assert event.event_type.en == "normalization"
        assert event.event_type.uri == "http://id.loc.gov/vocabulary/preservation/eventType/nor"
        assert event.event_datetime == datetime(2024, 11, 15, 2, 30, tzinfo=UTC)
        assert event.outcome_detail == "Đã tạo bản PDF/A-2b có lớp chữ nhận dạng."
        assert [(link.role, link.target.storage_key) for link in event.objects] == [
            (ObjectRole.SOURCE, master.storage_key), (ObjectRole.OUTCOME, preservation.bitstreams[0].storage_key)]
        roles = {(link.role, link.agent.name, link.agent.version) for link in event.agents}
        assert roles == {(AgentRole.EXECUTING_PROGRAM, "OCRmyPDF", "16.10.4"),
                         (AgentRole.IMPLEMENTER, DECOMPOSED_NAME, None)}
        person = next(link.agent for link in event.agents if link.agent.type is AgentType.PERSON)
        assert person.user.username == "huongnt"

        events_on_master = session.scalars(
            select(PreservationEvent.event_type)
            .where(PreservationEvent.objects.any(bitstream_id=master.id))
            .order_by(PreservationEvent.event_type)).all()
        assert events_on_master == [EventType.MESSAGE_DIGEST_CALCULATION, EventType.NORMALIZATION]

        batch = session.scalars(select(IngestBatch)).one()
        assert batch.submitted_by.full_name == DECOMPOSED_NAME
        assert batch.items[0].state.vi == "Đã lưu trữ" and batch.items[0].master_bitstream is master


# --- The database refuses what breaks the rules -------------------------------------------------


@pytest.fixture()
def ids(session: Session) -> dict[str, int]:
    """Committed minimal rows for raw SQL inserts to hang off."""
    _, fonds = _agency_and_fonds(session)
    dossier = Dossier(fonds=fonds, file_code=FILE_CODE, title=DOSSIER_TITLE)
    document = Document(fonds=fonds, dossier=dossier, doc_ordinal=1)
    representation = Representation(document=document, type=RepresentationType.ORIGINAL)
    bitstream = Bitstream(representation=representation, storage_key="k/1", size=1, sha256=_digest(b"1"),
                          role=BitstreamRole.MASTER)
    event = PreservationEvent(event_type=EventType.INGESTION, outcome=EventOutcome.SUCCESS)
    batch = IngestBatch(name="Đợt 1", fonds=fonds)
    session.add_all([bitstream, event, batch])
    session.commit()
    return {"fonds": fonds.id, "dossier": dossier.id, "document": document.id,
            "representation": representation.id, "bitstream": bitstream.id, "event": event.id, "batch": batch.id}


def _refused(engine: Engine, sql: str, params: dict[str, Any], constraint: str | None) -> None:
    """Run raw SQL, as an import script would, and expect the database itself to refuse it."""
    with engine.connect() as connection:
        with pytest.raises((IntegrityError, DBAPIError)) as caught:
            connection.execute(text(sql), params)
        connection.rollback()
    if constraint is not None:
        assert constraint in str(caught.value)


def _accepted(engine: Engine, sql: str, params: dict[str, Any]) -> None:
    with engine.connect() as connection:
        connection.execute(text(sql), params)
        connection.rollback()


INSERT_DOSSIER = ("INSERT INTO dossier (fonds_id, file_code, title, maintenance, confidence_level, paper_file_code, "
                  "risk_recovery, risk_recovery_status, organ_id) VALUES (:fonds, :code, 'Hồ sơ', :maintenance, "
                  ":confidence, :paper, :risk, :risk_status, :organ_id)")
DOSSIER_OK = {"code": "X.2024.1", "maintenance": "01", "confidence": "01", "paper": None, "risk": False,
              "risk_status": None, "organ_id": "000.00.00.G09"}


def test_valid_raw_dossier_is_accepted(engine: Engine, ids: dict[str, int]) -> None:
    _accepted(engine, INSERT_DOSSIER, {**DOSSIER_OK, "fonds": ids["fonds"]})


@pytest.mark.parametrize(("sql", "params", "constraint"), [
    (INSERT_DOSSIER, {**DOSSIER_OK, "maintenance": "08"}, "ck_dossier_maintenance"),
    (INSERT_DOSSIER, {**DOSSIER_OK, "confidence": "04"}, "ck_dossier_confidence_level"),
    ("INSERT INTO document (fonds_id, type_name, process, risk_recovery, field_provenance) "
     "VALUES (:fonds, '33', false, false, '{}')", {}, "ck_document_type_name"),
    ("INSERT INTO document (fonds_id, confidentiality, process, risk_recovery, field_provenance) "
     "VALUES (:fonds, '00', false, false, '{}')", {}, "ck_document_confidentiality"),
    ("INSERT INTO preservation_event (event_identifier, event_type, event_datetime, outcome) "
     "VALUES (:uuid, 'inf', CURRENT_TIMESTAMP, 'success')", {}, "ck_preservation_event_event_type"),
    ("INSERT INTO preservation_event (event_identifier, event_type, event_datetime, outcome) "
     "VALUES (:uuid, 'ing', CURRENT_TIMESTAMP, 'ok')", {}, "ck_preservation_event_outcome"),
    ("INSERT INTO batch_item (batch_id, ordinal, original_name, state, attempts, created_at, updated_at) "
     "VALUES (:batch, 1, 'a.pdf', 'lost', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", {}, "ck_batch_item_state"),
    ("INSERT INTO dossier_language (dossier_id, language) VALUES (:dossier, '12')", {},
     "ck_dossier_language_language"),
], ids=["maintenance", "confidence-level", "type-name-33", "confidentiality", "event-type", "outcome",
        "batch-state", "language"])
def test_unknown_code_is_refused_by_the_database(engine: Engine, ids: dict[str, int], sql: str,
                                                 params: dict[str, Any], constraint: str) -> None:
    # Uuid is CHAR(32) hex on SQLite and a native uuid on PostgreSQL.
    identifier = uuid.uuid4().hex if engine.dialect.name == "sqlite" else str(uuid.uuid4())
    _refused(engine, sql, {**params, **ids, "uuid": identifier}, constraint)


def test_unknown_code_is_refused_on_assignment() -> None:
    with pytest.raises(ValueError, match="not a code of Maintenance"):
        Dossier(maintenance="08")
    with pytest.raises(ValueError, match="not a code of EventType"):
        PreservationEvent(event_type="inf")


@pytest.mark.parametrize("organ_id", ["000.00.00.G9", "000.00.00.G099", ""])
def test_organ_id_must_have_13_characters(engine: Engine, ids: dict[str, int], organ_id: str) -> None:
    too_long = len(organ_id) > 13
    _refused(engine, "INSERT INTO agency (organ_id, name) VALUES (:organ_id, 'Sở Nội vụ')", {"organ_id": organ_id},
             None if too_long and engine.dialect.name == "postgresql" else "ck_agency_organ_id_length")
    _refused(engine, INSERT_DOSSIER, {**DOSSIER_OK, "fonds": ids["fonds"], "organ_id": organ_id},
             None if too_long and engine.dialect.name == "postgresql" else "ck_dossier_organ_id_length")


def test_duplicate_bitstream_key_is_refused(session: Session, ids: dict[str, int]) -> None:
    session.add(Bitstream(representation_id=ids["representation"], storage_key="k/1", size=1,
                          sha256=_digest(b"other"), role=BitstreamRole.DERIVATIVE))
    with pytest.raises(IntegrityError, match=r"uq_bitstream_storage_key|UNIQUE constraint failed: bitstream\.storage"):
        session.flush()


INSERT_BITSTREAM = ("INSERT INTO bitstream (representation_id, storage_key, size, sha256, digest_algorithm, role, "
                    "created_at) VALUES (:representation, :key, 1, :sha256, 'SHA-256', 'master', CURRENT_TIMESTAMP)")


@pytest.mark.parametrize("sha256", [
    _digest(b"x").upper(), _digest(b"x")[:63], _digest(b"x") + "0", "g" + _digest(b"x")[1:], " " + _digest(b"x")[1:],
], ids=["upper-case", "63-digits", "65-digits", "not-hex", "space"])
def test_sha256_must_be_64_lowercase_hex_digits(engine: Engine, ids: dict[str, int], sha256: str) -> None:
    too_long = len(sha256) > 64 and engine.dialect.name == "postgresql"
    _refused(engine, INSERT_BITSTREAM, {**ids, "key": "k/2", "sha256": sha256},
             None if too_long else "ck_bitstream_sha256_hex")
    with pytest.raises(ValueError, match="not a SHA-256 digest"):
        Bitstream(sha256=sha256)


def test_valid_sha256_is_accepted(engine: Engine, ids: dict[str, int]) -> None:
    _accepted(engine, INSERT_BITSTREAM, {**ids, "key": "k/2", "sha256": _digest(b"x")})


def test_digest_algorithm_other_than_sha256_is_refused(engine: Engine, ids: dict[str, int]) -> None:
    _refused(engine, INSERT_BITSTREAM.replace("'SHA-256'", "'MD5'"), {**ids, "key": "k/2", "sha256": _digest(b"x")},
             "ck_bitstream_digest_algorithm")


def test_only_packages_and_received_masters_may_lack_a_representation(engine: Engine, ids: dict[str, int]) -> None:
    """A master is stored before anything else happens to it, so before any document exists."""
    sql = ("INSERT INTO bitstream (storage_key, size, sha256, digest_algorithm, role, created_at) "
           "VALUES (:key, 1, :sha256, 'SHA-256', :role, CURRENT_TIMESTAMP)")
    _refused(engine, sql, {"key": "d/1.pdf", "sha256": _digest(b"x"), "role": "derivative"},
             "ck_bitstream_representation_required")
    _accepted(engine, sql, {"key": "aip/1.zip", "sha256": _digest(b"x"), "role": "package"})
    _accepted(engine, sql, {"key": "masters/1", "sha256": _digest(b"x"), "role": "master"})


def test_paper_file_code_required_for_digitised_files(engine: Engine, session: Session, ids: dict[str, int]) -> None:
    base = {**DOSSIER_OK, "fonds": ids["fonds"], "confidence": "02"}
    _refused(engine, INSERT_DOSSIER, base, "ck_dossier_paper_file_code_required")
    _refused(engine, INSERT_DOSSIER, {**base, "paper": ""}, "ck_dossier_paper_file_code_required")
    _accepted(engine, INSERT_DOSSIER, {**base, "paper": "H49.K01.G03.H12.15"})
    _accepted(engine, INSERT_DOSSIER, {**base, "confidence": "01"})

    session.add(Dossier(fonds_id=ids["fonds"], file_code="X.2024.2", title="Hồ sơ số hóa",
                        confidence_level=ConfidenceLevel.DIGITISED))
    with pytest.raises(CatalogRuleError) as caught:
        session.flush()
    assert caught.value.field == "paper_file_code" and caught.value.check == "paper_file_code_required"
    assert "mã hồ sơ gốc giấy" in caught.value.message_vi and "paper original" in caught.value.message_en


def test_risk_recovery_status_required_when_risk_recovery(engine: Engine, session: Session,
                                                          ids: dict[str, int]) -> None:
    base = {**DOSSIER_OK, "fonds": ids["fonds"], "risk": True}
    _refused(engine, INSERT_DOSSIER, base, "ck_dossier_risk_recovery_status_required")
    _accepted(engine, INSERT_DOSSIER, {**base, "risk_status": "02"})
    _refused(engine, "INSERT INTO document (fonds_id, process, risk_recovery, field_provenance) "
                     "VALUES (:fonds, false, true, '{}')", ids, "ck_document_risk_recovery_status_required")

    dossier = session.get_one(Dossier, ids["dossier"])
    dossier.risk_recovery = True
    with pytest.raises(CatalogRuleError, match="risk-recovery status is required"):
        session.flush()
    session.rollback()
    dossier = session.get_one(Dossier, ids["dossier"])
    dossier.risk_recovery, dossier.risk_recovery_status = True, RiskRecoveryStatus.BACKED_UP
    session.commit()


def test_arrival_details_only_for_incoming_documents(engine: Engine, session: Session, ids: dict[str, int]) -> None:
    sql = ("INSERT INTO document (fonds_id, direction, arrival_number, process, risk_recovery, field_provenance) "
           "VALUES (:fonds, :direction, 125, false, false, '{}')")
    _refused(engine, sql, {**ids, "direction": "0"}, "ck_document_arrival_only_incoming")
    _refused(engine, sql, {**ids, "direction": None}, "ck_document_arrival_only_incoming")
    _accepted(engine, sql, {**ids, "direction": "1"})
    session.add(Document(fonds_id=ids["fonds"], direction=Direction.OUTGOING, arrival_date=date(2024, 3, 7)))
    with pytest.raises(CatalogRuleError, match="Only incoming documents"):
        session.flush()


def test_event_object_links_exactly_one_object(engine: Engine, ids: dict[str, int]) -> None:
    sql = ("INSERT INTO event_object (event_id, role, bitstream_id, document_id) "
           "VALUES (:event, 'source', :bitstream_id, :document_id)")
    _refused(engine, sql, {**ids, "bitstream_id": None, "document_id": None}, "ck_event_object_exactly_one_object")
    _refused(engine, sql, {**ids, "bitstream_id": ids["bitstream"], "document_id": ids["document"]},
             "ck_event_object_exactly_one_object")
    _accepted(engine, sql, {**ids, "bitstream_id": ids["bitstream"], "document_id": None})


def test_failed_and_duplicate_items_say_why(engine: Engine, ids: dict[str, int]) -> None:
    sql = ("INSERT INTO batch_item (batch_id, ordinal, original_name, state, failed_step, duplicate_of_id, attempts, "
           "created_at, updated_at) VALUES (:batch, 1, 'a.pdf', :state, :step, :dup, 0, CURRENT_TIMESTAMP, "
           "CURRENT_TIMESTAMP)")
    _refused(engine, sql, {**ids, "state": "failed", "step": None, "dup": None}, "ck_batch_item_failed_step_required")
    _accepted(engine, sql, {**ids, "state": "failed", "step": "virus_checked", "dup": None})
    _refused(engine, sql, {**ids, "state": "duplicate", "step": None, "dup": None},
             "ck_batch_item_duplicate_of_required")
    _accepted(engine, sql, {**ids, "state": "duplicate", "step": None, "dup": ids["bitstream"]})


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    _refused(engine, INSERT_DOSSIER, {**DOSSIER_OK, "fonds": 987654}, "fk_dossier_fonds_id_fonds"
             if engine.dialect.name == "postgresql" else "FOREIGN KEY constraint failed")


def test_document_ordinal_is_unique_within_a_file(session: Session, ids: dict[str, int]) -> None:
    session.add(Document(fonds_id=ids["fonds"], dossier_id=ids["dossier"], doc_ordinal=1))
    with pytest.raises(IntegrityError):
        session.flush()


# --- Value objects and per-field provenance -----------------------------------------------------


def test_partial_dates() -> None:
    assert PartialDate.parse("05/03/2024") == PartialDate.of(date(2024, 3, 5))
    assert PartialDate.parse("03/2024") == PartialDate(date(2024, 3, 1), DatePrecision.MONTH)
    assert str(PartialDate.parse(" 1945 ")) == "1945"
    for bad in ["2024-03-05", "3/24", "31/02/2024", "13/2024", "", "1945/03"]:
        with pytest.raises(ValueError):
            PartialDate.parse(bad)
    with pytest.raises(ValueError, match="first day"):
        PartialDate(date(2024, 3, 5), DatePrecision.MONTH)


def test_provenance_is_validated(session: Session, ids: dict[str, int]) -> None:
    document = session.get_one(Document, ids["document"])
    with pytest.raises(ValueError, match="not a document field"):
        document.set_provenance("colour", "manual", 1)
    with pytest.raises(ValueError, match="from 0 to 1"):
        document.set_provenance("subject", "extracted", 1.5)
    with pytest.raises(ValueError, match="source 'guess'"):
        document.set_provenance("subject", "guess", 0.5)
    document.set_provenance("languages", "manual", 1)
    document.field_provenance["subject"] = {"source": "extracted", "confidence": -0.1}
    with pytest.raises(ValueError, match="from 0 to 1"):
        session.flush()
    session.rollback()
    document = session.get_one(Document, ids["document"])
    document.set_provenance("subject", "manual", 1.0)
    document.field_provenance["issued_date"] = {"source": "extracted", "confidence": 0.5}
    session.commit()
    session.expire_all()
    assert session.get_one(Document, ids["document"]).field_provenance == {
        "subject": {"source": "manual", "confidence": 1.0}, "issued_date": {"source": "extracted", "confidence": 0.5}}
