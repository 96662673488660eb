"""The catalog: agencies, fonds, files (hồ sơ), documents, their stored objects, ingest and PREMIS.

One set of models runs unchanged on SQLite (the embedded profile) and PostgreSQL (services), so
every rule that must hold is written as portable SQL: CHECK constraints built from the code lists,
lengths from ND 30/2020 and TT 05/2025, and cross-field rules such as "paperFileCode is required
for digitised files". The database is the last line of defence because imports, scripts and
future tools will write to it without going through these classes. The same cross-field rules are
also checked before each flush (``CatalogRuleError``) so that the application can show a
sentence in Vietnamese and English instead of a constraint name.

Every constraint is named through ``NAMING_CONVENTION``: Alembic needs names to drop or alter
constraints, and SQLite cannot alter an unnamed one at all.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypedDict

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    event,
    false,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, composite, mapped_column, relationship, validates

from archive.catalog.codes import (
    AgentRole,
    AgentType,
    BatchItemState,
    BatchStatus,
    BitstreamRole,
    CodeEnum,
    ConfidenceLevel,
    Confidentiality,
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
    ProvenanceSource,
    RepresentationType,
    RiskRecoveryStatus,
    SignerAuthority,
    TypeName,
    Urgency,
    UserRole,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ORGAN_ID_LENGTH = 13
"""Mã định danh điện tử của cơ quan, e.g. ``000.00.00.G09`` (ND 30 PL VI ``OrganId``, String 13)."""

SHA256_HEX = re.compile(r"[0-9a-f]{64}")

WORD_CODE_LENGTH = 30

ID = BigInteger().with_variant(Integer(), "sqlite")
"""Surrogate keys: BIGINT on PostgreSQL (events and bitstreams grow without bound); SQLite only
auto-increments a column declared exactly INTEGER, which is 64-bit there anyway."""

JSON_DOCUMENT = JSON().with_variant(JSONB(), "postgresql")
"""JSONB on PostgreSQL so the per-field provenance can be indexed and queried; JSON text elsewhere."""


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones and would hand back naive values
    that silently compare wrongly with aware ones, so values are normalised to UTC on the way in
    and marked UTC on the way out. Naive input is refused: its zone is a guess (server time?
    Vietnam time?) and PREMIS event times must be unambiguous.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"Timestamp {value.isoformat()} has no time zone; give an aware datetime (UTC).")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC (the default of every timestamp column)."""
    return datetime.now(UTC)


def code_type(code_list: type[CodeEnum], name: str) -> Enum:
    """A VARCHAR column type restricted by a named CHECK constraint to ``code_list``'s codes.

    Native PostgreSQL ENUM types are avoided: SQLite has none, and changing one needs
    ``ALTER TYPE`` outside a transaction. ``name`` is the column name so that two columns of one
    table drawing on the same list (``state``, ``failed_step``) get distinct constraint names.
    Fixed-width standard codes ("01") get exactly their width; word codes get room to grow, so a
    new code only rewrites the CHECK constraint and not the column.
    """
    codes = code_list.codes()
    width = max(len(code) for code in codes)
    return Enum(
        code_list,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=width if all(code.isdigit() for code in codes) else max(width, WORD_CODE_LENGTH),
        values_callable=lambda members: [member.value for member in members],
    )


def _one_of(columns: Iterable[str]) -> str:
    """Portable SQL that is true when exactly one of ``columns`` is not NULL."""
    return " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in columns) + " = 1"


def _both_or_neither(a: str, b: str) -> str:
    return f"({a} IS NULL AND {b} IS NULL) OR ({a} IS NOT NULL AND {b} IS NOT NULL)"


def _lowercase_hex(column: str, length: int) -> str:
    """Portable SQL for "exactly ``length`` lowercase hex digits": SQLite has no regex operator,
    so every hex digit is removed and nothing may remain."""
    stripped = column
    for digit in "0123456789abcdef":
        stripped = f"replace({stripped}, '{digit}', '')"
    return f"length({column}) = {length} AND length({stripped}) = 0"


class Base(DeclarativeBase):
    """Declarative base whose metadata carries the constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


@event.listens_for(Base, "mapper_configured", propagate=True)
def _coerce_codes_on_set(mapper: Mapper[Any], class_: type[Base]) -> None:
    """Turn a code assigned as a plain string into its code-list member at once.

    Then ``event.event_type.uri`` or ``dossier.maintenance.vi`` work before the row is even
    flushed, and an unknown code fails at the assignment that made it, not at a later flush.
    """
    for prop in mapper.column_attrs:
        column_type = prop.columns[0].type
        code_list = getattr(column_type, "enum_class", None)
        if isinstance(column_type, Enum) and code_list is not None and issubclass(code_list, CodeEnum):
            event.listen(getattr(class_, prop.key), "set", _coercer(code_list), retval=True)


def _coercer(code_list: type[CodeEnum]) -> Callable[[Any, Any, Any, Any], Any]:
    def coerce(target: Any, value: Any, old_value: Any, initiator: Any) -> Any:
        if value is None or isinstance(value, code_list):
            return value
        if not code_list.is_valid(value):
            raise ValueError(f"{value!r} is not a code of {code_list.__name__}; "
                             f"valid codes: {', '.join(code_list.codes())}.")
        return code_list(value)

    return coerce


class CatalogRuleError(ValueError):
    """A record breaks a catalog rule; the message is given in Vietnamese and English.

    Raised before the database sees the row, so a form can show ``message_vi`` next to ``field``.
    The CHECK constraint of the same name (``check``) still guards every other writer.
    """

    def __init__(self, entity: str, field: str, check: str, message_vi: str, message_en: str) -> None:
        self.entity, self.field, self.check = entity, field, check
        self.message_vi, self.message_en = message_vi, message_en
        super().__init__(f"{entity}: {message_en} / {message_vi}")


@dataclass(frozen=True)
class Rule:
    """A cross-field rule kept in one place as SQL (for the CHECK) and as Python (for the message)."""

    check: str
    sql: str
    holds: Callable[[Any], bool]
    field: str
    message_vi: str
    message_en: str

    def constraint(self) -> CheckConstraint:
        return CheckConstraint(self.sql, name=self.check)


def _enforce(entity: str, rules: tuple[Rule, ...]) -> Callable[[Mapper[Any], Any, Any], None]:
    def listener(mapper: Mapper[Any], connection: Any, target: Any) -> None:
        for rule in rules:
            if not rule.holds(target):
                raise CatalogRuleError(entity, rule.field, rule.check, rule.message_vi, rule.message_en)

    return listener


def _watch(cls: type[Base], rules: tuple[Rule, ...]) -> None:
    listener = _enforce(cls.__name__, rules)
    event.listen(cls, "before_insert", listener)
    event.listen(cls, "before_update", listener)


RISK_RECOVERY_RULE = Rule(
    check="risk_recovery_status_required",
    sql="NOT risk_recovery OR risk_recovery_status IS NOT NULL",
    holds=lambda r: not r.risk_recovery or r.risk_recovery_status is not None,
    field="risk_recovery_status",
    message_vi="Phải ghi tình trạng dự phòng khi đã chọn chế độ dự phòng.",
    message_en="A risk-recovery status is required when risk recovery is set.",
)


@dataclass(frozen=True)
class PartialDate:
    """A date known to the day, the month or only the year, as TT 05 AIPs allow.

    ``value`` is the first day of the period, so that dates sort and compare in SQL; the
    precision says how much of it is real. ``str()`` gives the TT 05 form (``DD/MM/YYYY``,
    ``MM/YYYY`` or ``YYYY``) and ``parse`` reads it back.
    """

    value: date
    precision: DatePrecision

    def __post_init__(self) -> None:
        precision = DatePrecision(self.precision)
        object.__setattr__(self, "precision", precision)
        if (precision is DatePrecision.MONTH and self.value.day != 1) or (
            precision is DatePrecision.YEAR and (self.value.month, self.value.day) != (1, 1)
        ):
            raise ValueError(f"{self.value.isoformat()} is not the first day of its {precision.value}; "
                             "store a partial date as the first day of its period.")

    @classmethod
    def parse(cls, text_value: str) -> PartialDate:
        """Read ``DD/MM/YYYY``, ``MM/YYYY`` or ``YYYY``; raises ``ValueError`` for anything else."""
        parts = text_value.strip().split("/")
        if not all(p.isdigit() for p in parts) or len(parts[-1]) != 4 or len(parts) > 3:
            raise ValueError(f"{text_value!r} is not a date in the form DD/MM/YYYY, MM/YYYY or YYYY.")
        numbers = [int(p) for p in parts]
        if len(numbers) == 3:
            return cls(date(numbers[2], numbers[1], numbers[0]), DatePrecision.DAY)
        if len(numbers) == 2:
            return cls(date(numbers[1], numbers[0], 1), DatePrecision.MONTH)
        return cls(date(numbers[0], 1, 1), DatePrecision.YEAR)

    @classmethod
    def of(cls, value: date) -> PartialDate:
        """A date known to the day."""
        return cls(value, DatePrecision.DAY)

    def __str__(self) -> str:
        day, month, year = self.value.day, self.value.month, self.value.year
        if self.precision is DatePrecision.DAY:
            return f"{day:02d}/{month:02d}/{year:04d}"
        if self.precision is DatePrecision.MONTH:
            return f"{month:02d}/{year:04d}"
        return f"{year:04d}"

    def __composite_values__(self) -> tuple[date, DatePrecision]:
        return self.value, self.precision


def _partial_date(value: date | None, precision: str | None) -> PartialDate | None:
    """Composite factory: a missing date loads as ``None`` rather than a half-empty PartialDate."""
    if value is None or precision is None:
        return None
    return PartialDate(value, DatePrecision(precision))


def _date_pair(prefix: str) -> tuple[Any, Any]:
    return (
        mapped_column(f"{prefix}_date", Date, nullable=True),
        mapped_column(f"{prefix}_date_precision", code_type(DatePrecision, f"{prefix}_date_precision"), nullable=True),
    )


# --- Agencies, fonds, files, documents -----------------------------------------------------------


class Agency(Base):
    """Cơ quan, tổ chức: a records-creating body, identified by its 13-character electronic code.

    Agencies form a hierarchy (a department under a ministry) through ``parent``.
    """

    __tablename__ = "agency"
    __table_args__ = (
        CheckConstraint(f"length(organ_id) = {ORGAN_ID_LENGTH}", name="organ_id_length"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    organ_id: Mapped[str] = mapped_column(String(ORGAN_ID_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    abbreviation: Mapped[str | None] = mapped_column(String(30))
    parent_id: Mapped[int | None] = mapped_column(ID, ForeignKey("agency.id"), index=True)

    parent: Mapped[Agency | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Agency]] = relationship(back_populates="parent")
    fonds: Mapped[list[Fonds]] = relationship(back_populates="agency")

    def __repr__(self) -> str:
        return f"<Agency {self.organ_id} {self.name!r}>"


class FondsLanguage(Base):
    """One language of a fonds (the TT 05 language field is multi-valued)."""

    __tablename__ = "fonds_language"

    fonds_id: Mapped[int] = mapped_column(ID, ForeignKey("fonds.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[Language] = mapped_column(code_type(Language, "language"), primary_key=True)


class Fonds(Base):
    """Phông lưu trữ: all records formed by one agency (or person), the unit of provenance.

    ``agency`` is empty for personal and family fonds, whose creator is not an agency.
    """

    __tablename__ = "fonds"
    __table_args__ = (
        CheckConstraint(_both_or_neither("start_date", "start_date_precision"), name="start_date_pair"),
        CheckConstraint(_both_or_neither("end_date", "end_date_precision"), name="end_date_pair"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    agency_id: Mapped[int | None] = mapped_column(ID, ForeignKey("agency.id"), index=True)
    status: Mapped[FondsStatus] = mapped_column(code_type(FondsStatus, "status"), default=FondsStatus.OPEN)
    history: Mapped[str | None] = mapped_column(Text)
    start: Mapped[PartialDate | None] = composite(_partial_date, *_date_pair("start"))
    end: Mapped[PartialDate | None] = composite(_partial_date, *_date_pair("end"))
    classification_scheme: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)

    agency: Mapped[Agency | None] = relationship(back_populates="fonds")
    dossiers: Mapped[list[Dossier]] = relationship(back_populates="fonds")
    language_rows: Mapped[list[FondsLanguage]] = relationship(
        cascade="all, delete-orphan", order_by=FondsLanguage.language, lazy="selectin")
    languages: AssociationProxy[list[Language]] = association_proxy(
        "language_rows", "language", creator=lambda code: FondsLanguage(language=code))

    def __repr__(self) -> str:
        return f"<Fonds {self.code} {self.name!r}>"


class DossierLanguage(Base):
    """One language of a file."""

    __tablename__ = "dossier_language"

    dossier_id: Mapped[int] = mapped_column(ID, ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[Language] = mapped_column(code_type(Language, "language"), primary_key=True)


DOSSIER_RULES = (
    Rule(
        check="paper_file_code_required",
        sql=f"COALESCE(confidence_level, '') <> '{ConfidenceLevel.DIGITISED.value}' "
            "OR COALESCE(paper_file_code, '') <> ''",
        holds=lambda d: d.confidence_level != ConfidenceLevel.DIGITISED or bool(d.paper_file_code),
        field="paper_file_code",
        message_vi="Hồ sơ số hóa (mức độ tin cậy 02) phải có mã hồ sơ gốc giấy.",
        message_en="A digitised file (confidence level 02) needs the code of its paper original.",
    ),
    RISK_RECOVERY_RULE,
)


class Dossier(Base):
    """Hồ sơ: a file, described with the TT 05 file-level fields (EAD.xml of SIP/AIP_hoso).

    Lengths follow TT 05 where it is longer than ND 30 (title 1000, description 2000) so that
    nothing valid under either is truncated. Coded fields store the two-digit code; see
    ``archive.catalog.codes`` for labels.
    """

    __tablename__ = "dossier"
    __table_args__ = (
        CheckConstraint(f"organ_id IS NULL OR length(organ_id) = {ORGAN_ID_LENGTH}", name="organ_id_length"),
        CheckConstraint("file_catalog IS NULL OR file_catalog BETWEEN 1000 AND 9999", name="file_catalog_year"),
        CheckConstraint("total_doc IS NULL OR total_doc >= 0", name="total_doc_not_negative"),
        CheckConstraint("number_of_paper IS NULL OR number_of_paper >= 0", name="number_of_paper_not_negative"),
        CheckConstraint("number_of_page IS NULL OR number_of_page >= 0", name="number_of_page_not_negative"),
        CheckConstraint(_both_or_neither("start_date", "start_date_precision"), name="start_date_pair"),
        CheckConstraint(_both_or_neither("end_date", "end_date_precision"), name="end_date_pair"),
        *(rule.constraint() for rule in DOSSIER_RULES),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    fonds_id: Mapped[int] = mapped_column(ID, ForeignKey("fonds.id"), index=True)
    file_code: Mapped[str] = mapped_column(String(100), unique=True, doc="fileCode; arcFileCode in an AIP")
    organ_id: Mapped[str | None] = mapped_column(String(ORGAN_ID_LENGTH), doc="OrganId of the cataloguing agency")
    file_catalog: Mapped[int | None] = mapped_column(SmallInteger, doc="FileCatalog: year the file was formed")
    file_notation: Mapped[str | None] = mapped_column(String(20), doc="FileNotation: số và ký hiệu hồ sơ")
    title: Mapped[str] = mapped_column(String(1000))
    maintenance: Mapped[Maintenance | None] = mapped_column(code_type(Maintenance, "maintenance"))
    mode: Mapped[Mode | None] = mapped_column(code_type(Mode, "mode"), doc="chế độ sử dụng (ND 30 Rights)")
    start: Mapped[PartialDate | None] = composite(_partial_date, *_date_pair("start"))
    end: Mapped[PartialDate | None] = composite(_partial_date, *_date_pair("end"))
    keyword: Mapped[str | None] = mapped_column(String(100))
    total_doc: Mapped[int | None] = mapped_column(BigInteger)
    number_of_paper: Mapped[int | None] = mapped_column(BigInteger, doc="sheets; digitised paper only")
    number_of_page: Mapped[int | None] = mapped_column(BigInteger)
    format: Mapped[PhysicalCondition | None] = mapped_column(code_type(PhysicalCondition, "format"))
    infor_sign: Mapped[str | None] = mapped_column(String(30), doc="ký hiệu thông tin")
    confidence_level: Mapped[ConfidenceLevel | None] = mapped_column(code_type(ConfidenceLevel, "confidence_level"))
    paper_file_code: Mapped[str | None] = mapped_column(String(100))
    risk_recovery: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    risk_recovery_status: Mapped[RiskRecoveryStatus | None] = mapped_column(
        code_type(RiskRecoveryStatus, "risk_recovery_status"))
    description: Mapped[str | None] = mapped_column(String(2000))
    creator: Mapped[str | None] = mapped_column(String(30), doc="người lập hồ sơ")

    fonds: Mapped[Fonds] = relationship(back_populates="dossiers")
    documents: Mapped[list[Document]] = relationship(back_populates="dossier", order_by="Document.doc_ordinal")
    language_rows: Mapped[list[DossierLanguage]] = relationship(
        cascade="all, delete-orphan", order_by=DossierLanguage.language, lazy="selectin")
    languages: AssociationProxy[list[Language]] = association_proxy(
        "language_rows", "language", creator=lambda code: DossierLanguage(language=code))

    def __repr__(self) -> str:
        return f"<Dossier {self.file_code}>"


_watch(Dossier, DOSSIER_RULES)


class DocumentLanguage(Base):
    """One language of a document."""

    __tablename__ = "document_language"

    document_id: Mapped[int] = mapped_column(ID, ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[Language] = mapped_column(code_type(Language, "language"), primary_key=True)


class FieldProvenance(TypedDict):
    """Where one field's value came from and how sure the system is of it."""

    source: str
    confidence: float


DOCUMENT_RULES = (
    Rule(
        check="arrival_only_incoming",
        sql=f"COALESCE(direction, '') = '{Direction.INCOMING.value}' "
            "OR (arrival_date IS NULL AND arrival_number IS NULL)",
        holds=lambda d: d.direction == Direction.INCOMING or (d.arrival_date is None and d.arrival_number is None),
        field="direction",
        message_vi="Chỉ văn bản đến mới có ngày đến và số đến.",
        message_en="Only incoming documents have an arrival date and number.",
    ),
    RISK_RECOVERY_RULE,
)


class Document(Base):
    """Văn bản: one document, with the ND 30 Phụ lục VI input fields and the TT 05 EAD_doc fields.

    A loose document (tài liệu rời, AIP_tailieu) has no dossier but always belongs to a fonds.
    ``agency`` links the issuing body when it is registered; ``organ_name`` keeps the name as
    printed either way. ``field_provenance`` records, per field, whether the value came from the
    catalogue, from automatic extraction or from a person, and how confident it is.
    """

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("dossier_id", "doc_ordinal"),
        CheckConstraint("doc_ordinal IS NULL OR doc_ordinal >= 1", name="doc_ordinal_positive"),
        CheckConstraint("number_of_page IS NULL OR number_of_page >= 0", name="number_of_page_not_negative"),
        CheckConstraint("issued_amount IS NULL OR issued_amount >= 0", name="issued_amount_not_negative"),
        CheckConstraint("priority IS NULL OR priority BETWEEN 0 AND 9", name="priority_digit"),
        Index(None, "code_number", "code_notation"),
        *(rule.constraint() for rule in DOCUMENT_RULES),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    fonds_id: Mapped[int] = mapped_column(ID, ForeignKey("fonds.id"), index=True)
    dossier_id: Mapped[int | None] = mapped_column(ID, ForeignKey("dossier.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ID, ForeignKey("agency.id"), index=True)
    doc_code: Mapped[str | None] = mapped_column(String(100), unique=True, doc="fileCode + '.' + 7-digit ordinal")
    doc_ordinal: Mapped[int | None] = mapped_column(Integer, doc="position in the file")
    type_name: Mapped[TypeName | None] = mapped_column(code_type(TypeName, "type_name"))
    type_label: Mapped[str | None] = mapped_column(String(100), doc="tên loại as printed (ND 30 TypeName)")
    code_number: Mapped[str | None] = mapped_column(String(11), doc="số, kept as text: '05' keeps its zero")
    code_notation: Mapped[str | None] = mapped_column(String(30), doc="ký hiệu, e.g. QĐ-BNV (case-sensitive)")
    issued_date: Mapped[date | None] = mapped_column(Date)
    organ_name: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(500), doc="trích yếu nội dung")
    number_of_page: Mapped[int | None] = mapped_column(Integer, doc="PageAmount (ND 30) / numberOfPage (TT 05)")
    description: Mapped[str | None] = mapped_column(String(500))
    signer_authority: Mapped[SignerAuthority | None] = mapped_column(code_type(SignerAuthority, "signer_authority"))
    signer_position: Mapped[str | None] = mapped_column(String(100))
    signer_full_name: Mapped[str | None] = mapped_column(String(50))
    confidentiality: Mapped[Confidentiality | None] = mapped_column(code_type(Confidentiality, "confidentiality"))
    urgency: Mapped[Urgency | None] = mapped_column(code_type(Urgency, "urgency"))
    priority: Mapped[int | None] = mapped_column(SmallInteger, doc="ND 30 Priority digit exactly as received")
    issued_amount: Mapped[int | None] = mapped_column(Integer, doc="số lượng bản phát hành")
    due_date: Mapped[date | None] = mapped_column(Date, doc="hạn trả lời / thời hạn giải quyết")
    maintenance: Mapped[Maintenance | None] = mapped_column(code_type(Maintenance, "maintenance"))
    mode: Mapped[Mode | None] = mapped_column(code_type(Mode, "mode"))
    keyword: Mapped[str | None] = mapped_column(String(100))
    infor_sign: Mapped[str | None] = mapped_column(String(30))
    confidence_level: Mapped[ConfidenceLevel | None] = mapped_column(code_type(ConfidenceLevel, "confidence_level"))
    format: Mapped[PhysicalCondition | None] = mapped_column(code_type(PhysicalCondition, "format"))
    autograph: Mapped[str | None] = mapped_column(String(2000), doc="bút tích")
    process: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(),
                                          doc="a processing-flow file is attached")
    risk_recovery: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    risk_recovery_status: Mapped[RiskRecoveryStatus | None] = mapped_column(
        code_type(RiskRecoveryStatus, "risk_recovery_status"))
    direction: Mapped[Direction | None] = mapped_column(code_type(Direction, "direction"))
    arrival_date: Mapped[date | None] = mapped_column(Date)
    arrival_number: Mapped[int | None] = mapped_column(BigInteger, doc="số đến, yearly sequence")
    to_places: Mapped[str | None] = mapped_column(String(1000), doc="đơn vị hoặc người nhận (incoming)")
    trace_header_list: Mapped[str | None] = mapped_column(Text, doc="ý kiến phân phối, chỉ đạo, xử lý")
    field_provenance: Mapped[dict[str, FieldProvenance]] = mapped_column(
        MutableDict.as_mutable(JSON_DOCUMENT), default=dict, server_default=text("'{}'"))

    fonds: Mapped[Fonds] = relationship()
    dossier: Mapped[Dossier | None] = relationship(back_populates="documents")
    agency: Mapped[Agency | None] = relationship()
    representations: Mapped[list[Representation]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Representation.id")
    language_rows: Mapped[list[DocumentLanguage]] = relationship(
        cascade="all, delete-orphan", order_by=DocumentLanguage.language, lazy="selectin")
    languages: AssociationProxy[list[Language]] = association_proxy(
        "language_rows", "language", creator=lambda code: DocumentLanguage(language=code))

    @property
    def number_and_notation(self) -> str | None:
        """Số, ký hiệu as printed: ``15/QĐ-BNV``; for a công văn ``05/BNV-VP``."""
        if not self.code_number or not self.code_notation:
            return None
        return f"{self.code_number}/{self.code_notation}"

    def set_provenance(self, field: str, source: ProvenanceSource | str, confidence: float) -> None:
        """Record where ``field``'s current value came from, replacing any earlier record."""
        if self.field_provenance is None:
            self.field_provenance = {}
        self.field_provenance[field] = _provenance_entry(field, {"source": source, "confidence": confidence})

    def __repr__(self) -> str:
        return f"<Document {self.doc_code or self.id} {self.number_and_notation or ''}>"


def _provenance_entry(field: str, entry: Any) -> FieldProvenance:
    """Validate one provenance record: a document field, a known source and 0 ≤ confidence ≤ 1."""
    if field not in _provenance_fields():
        raise ValueError(f"{field!r} is not a document field that provenance can be recorded for.")
    if not isinstance(entry, dict) or set(entry) != {"source", "confidence"}:
        raise ValueError(f"Provenance of {field!r} must be {{'source': ..., 'confidence': ...}}, not {entry!r}.")
    source, confidence = entry["source"], entry["confidence"]
    if not ProvenanceSource.is_valid(source):
        raise ValueError(f"Provenance source {source!r} of {field!r} is not one of "
                         f"{', '.join(ProvenanceSource.codes())}.")
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        raise ValueError(f"Confidence {confidence!r} of {field!r} must be a number from 0 to 1.")
    return {"source": ProvenanceSource(source).value, "confidence": float(confidence)}


def _provenance_fields() -> frozenset[str]:
    return frozenset(Document.__table__.c.keys()) - {"id", "field_provenance"} | {"languages"}


def _check_provenance(mapper: Mapper[Any], connection: Any, target: Document) -> None:
    """Provenance is checked at flush, not on assignment: the JSON column is also changed in
    place, which no attribute validator sees."""
    for field, entry in (target.field_provenance or {}).items():
        _provenance_entry(field, entry)


event.listen(Document, "before_insert", _check_provenance)
event.listen(Document, "before_update", _check_provenance)
_watch(Document, DOCUMENT_RULES)


# --- Stored objects ----------------------------------------------------------------------------


class Representation(Base):
    """One rendering of a document: the original master, the PDF/A preservation copy, an access copy."""

    __tablename__ = "representation"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    document_id: Mapped[int] = mapped_column(ID, ForeignKey("document.id"), index=True)
    type: Mapped[RepresentationType] = mapped_column(code_type(RepresentationType, "type"))
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    document: Mapped[Document] = relationship(back_populates="representations")
    bitstreams: Mapped[list[Bitstream]] = relationship(back_populates="representation", order_by="Bitstream.id")


class Bitstream(Base):
    """One object in the object store, with the facts PREMIS needs about it.

    The digest algorithm is stored next to the digest so that a record read in fifty years says
    how its checksum was made. The digest is lowercase hex, as hashlib produces it; exports that
    want the upper case of the TT 05 sample convert on the way out. Packages (AIP/DIP zips) are the
    only objects that belong to no representation.
    """

    __tablename__ = "bitstream"
    __table_args__ = (
        CheckConstraint("size >= 0", name="size_not_negative"),
        CheckConstraint(_lowercase_hex("sha256", 64), name="sha256_hex"),
        CheckConstraint(f"role IN ('{BitstreamRole.PACKAGE.value}', '{BitstreamRole.MASTER.value}') "
                        "OR representation_id IS NOT NULL", name="representation_required"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    representation_id: Mapped[int | None] = mapped_column(ID, ForeignKey("representation.id"), index=True)
    storage_key: Mapped[str] = mapped_column(String(1024), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    digest_algorithm: Mapped[DigestAlgorithm] = mapped_column(
        code_type(DigestAlgorithm, "digest_algorithm"), default=DigestAlgorithm.SHA256)
    mime_type: Mapped[str | None] = mapped_column(String(255))
    puid: Mapped[str | None] = mapped_column(String(30), doc="PRONOM PUID, e.g. fmt/354")
    original_filename: Mapped[str | None] = mapped_column(String(1024))
    role: Mapped[BitstreamRole] = mapped_column(code_type(BitstreamRole, "role"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    representation: Mapped[Representation | None] = relationship(back_populates="bitstreams")

    @validates("sha256")
    def _check_sha256(self, key: str, value: str) -> str:
        if not isinstance(value, str) or not SHA256_HEX.fullmatch(value):
            raise ValueError(f"{value!r} is not a SHA-256 digest (64 lowercase hex digits).")
        return value

    def __repr__(self) -> str:
        return f"<Bitstream {self.storage_key} {self.role}>"


# --- Users ---------------------------------------------------------------------------------------


class User(Base):
    """A person who signs in. The table is ``user_account`` because ``user`` is reserved in PostgreSQL.

    ``password_hash`` holds the whole argon2 PHC string produced by the auth layer.
    """

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[UserRole] = mapped_column(code_type(UserRole, "role"))
    agency_id: Mapped[int | None] = mapped_column(ID, ForeignKey("agency.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    language: Mapped[str] = mapped_column(String(2), default="vi", server_default="vi",
                                          doc="language of the pages this user sees (vi or en)")

    agency: Mapped[Agency | None] = relationship()

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


# --- Ingest --------------------------------------------------------------------------------------


class IngestBatch(Base):
    """One submission of many files into one fonds.

    The counters are kept on the batch so that progress of a batch of tens of thousands of files
    is read without counting its items; the pipeline updates them with each item's final state.
    """

    __tablename__ = "ingest_batch"
    __table_args__ = tuple(
        CheckConstraint(f"{name} >= 0", name=f"{name}_not_negative")
        for name in ("total_items", "archived_items", "duplicate_items", "failed_items")
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    fonds_id: Mapped[int] = mapped_column(ID, ForeignKey("fonds.id"), index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ID, ForeignKey("user_account.id"), index=True)
    status: Mapped[BatchStatus] = mapped_column(code_type(BatchStatus, "status"), default=BatchStatus.OPEN)
    total_items: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    archived_items: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    duplicate_items: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed_items: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    fonds: Mapped[Fonds] = relationship()
    submitted_by: Mapped[User | None] = relationship()
    items: Mapped[list[BatchItem]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", order_by="BatchItem.ordinal")


class BatchItem(Base):
    """One submitted file on its way through the pipeline.

    ``failed_step`` names the state the item was moving towards when it failed, so a retry knows
    where to resume. ``duplicate_of`` points at the already archived master with the same
    content. Messages are kept in both languages because the operator and the log reader may not
    share one.
    """

    __tablename__ = "batch_item"
    __table_args__ = (
        UniqueConstraint("batch_id", "ordinal"),
        CheckConstraint("ordinal >= 1", name="ordinal_positive"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint(f"state <> '{BatchItemState.FAILED.value}' OR failed_step IS NOT NULL",
                        name="failed_step_required"),
        CheckConstraint(f"state <> '{BatchItemState.DUPLICATE.value}' OR duplicate_of_id IS NOT NULL",
                        name="duplicate_of_required"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ID, ForeignKey("ingest_batch.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str] = mapped_column(String(1024))
    original_path: Mapped[str | None] = mapped_column(String(2048), doc="path inside the submission")
    state: Mapped[BatchItemState] = mapped_column(
        code_type(BatchItemState, "state"), default=BatchItemState.RECEIVED, index=True)
    failed_step: Mapped[BatchItemState | None] = mapped_column(code_type(BatchItemState, "failed_step"))
    failure_code: Mapped[str | None] = mapped_column(String(50), doc="machine-readable reason, e.g. pdf-encrypted")
    message_vi: Mapped[str | None] = mapped_column(Text)
    message_en: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    crashes: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0",
        doc="runs of the current step that ended with their worker gone (killed, out of memory); reset by progress")
    master_bitstream_id: Mapped[int | None] = mapped_column(ID, ForeignKey("bitstream.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ID, ForeignKey("document.id"), index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ID, ForeignKey("bitstream.id"), index=True)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True, doc="SHA-256 of the original as received")
    size: Mapped[int | None] = mapped_column(BigInteger)
    mime_type: Mapped[str | None] = mapped_column(String(255), doc="identified by content, not by extension")
    page_count: Mapped[int | None] = mapped_column(Integer)
    pages_ocred: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    flags: Mapped[list[dict[str, str]]] = mapped_column(
        MutableList.as_mutable(JSON().with_variant(JSONB(), "postgresql")), default=list, server_default=text("'[]'"),
        doc="warnings kept with the record (code, vi, en): JavaScript in a PDF, low OCR confidence …")
    supplied_metadata: Mapped[dict[str, Any]] = mapped_column(
        MutableDict.as_mutable(JSON().with_variant(JSONB(), "postgresql")), default=dict, server_default=text("'{}'"),
        doc="the catalogue spreadsheet's row for this file; its values win over extracted ones")
    lease_owner: Mapped[str | None] = mapped_column(String(200), doc="worker processing the item now")
    lease_expires_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, doc="a worker that dies loses its lease at this time and another resumes the item")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, doc="backoff after a transient failure")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)

    batch: Mapped[IngestBatch] = relationship(back_populates="items")
    master_bitstream: Mapped[Bitstream | None] = relationship(foreign_keys=[master_bitstream_id])
    document: Mapped[Document | None] = relationship()
    duplicate_of: Mapped[Bitstream | None] = relationship(foreign_keys=[duplicate_of_id])


# --- PREMIS 3 ------------------------------------------------------------------------------------


class PreservationAgent(Base):
    """PREMIS agent: a program (with its version), a person or an organisation acting in events.

    A software agent is one row per version, because PREMIS must say which version of ocrmypdf
    or ClamAV produced a result. Person agents may point at the user account they act for.
    """

    __tablename__ = "preservation_agent"
    __table_args__ = (UniqueConstraint("type", "name", "version"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    identifier: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str | None] = mapped_column(String(100))
    type: Mapped[AgentType] = mapped_column(code_type(AgentType, "type"))
    user_id: Mapped[int | None] = mapped_column(ID, ForeignKey("user_account.id"), index=True)

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<PreservationAgent {self.type} {self.name} {self.version or ''}>"


LINKABLE_OBJECTS = ("bitstream", "representation", "document", "dossier", "batch_item")
"""What a PREMIS event can link to, each with its own nullable foreign key in ``event_object``."""


class EventObject(Base):
    """PREMIS linkingObjectIdentifier: exactly one catalog object and its role in the event."""

    __tablename__ = "event_object"
    __table_args__ = (CheckConstraint(_one_of(f"{name}_id" for name in LINKABLE_OBJECTS), name="exactly_one_object"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    event_id: Mapped[int] = mapped_column(ID, ForeignKey("preservation_event.id", ondelete="CASCADE"), index=True)
    role: Mapped[ObjectRole] = mapped_column(code_type(ObjectRole, "role"))
    bitstream_id: Mapped[int | None] = mapped_column(ID, ForeignKey("bitstream.id"), index=True)
    representation_id: Mapped[int | None] = mapped_column(ID, ForeignKey("representation.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ID, ForeignKey("document.id"), index=True)
    dossier_id: Mapped[int | None] = mapped_column(ID, ForeignKey("dossier.id"), index=True)
    batch_item_id: Mapped[int | None] = mapped_column(ID, ForeignKey("batch_item.id"), index=True)

    event: Mapped[PreservationEvent] = relationship(back_populates="objects")
    bitstream: Mapped[Bitstream | None] = relationship()
    representation: Mapped[Representation | None] = relationship()
    document: Mapped[Document | None] = relationship()
    dossier: Mapped[Dossier | None] = relationship()
    batch_item: Mapped[BatchItem | None] = relationship()

    @property
    def target(self) -> Bitstream | Representation | Document | Dossier | BatchItem:
        """The linked object, whichever kind it is."""
        linked: Bitstream | Representation | Document | Dossier | BatchItem = next(
            found for name in LINKABLE_OBJECTS if (found := getattr(self, name)) is not None)
        return linked


class EventAgent(Base):
    """PREMIS linkingAgentIdentifier with its role (authorizer, implementer, validator, executing program)."""

    __tablename__ = "event_agent"

    event_id: Mapped[int] = mapped_column(ID, ForeignKey("preservation_event.id", ondelete="CASCADE"), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ID, ForeignKey("preservation_agent.id"), primary_key=True, index=True)
    role: Mapped[AgentRole] = mapped_column(code_type(AgentRole, "role"), primary_key=True)

    event: Mapped[PreservationEvent] = relationship(back_populates="agents")
    agent: Mapped[PreservationAgent] = relationship()


_LINK_ATTRIBUTE: dict[type[Base], str] = {
    Bitstream: "bitstream", Representation: "representation", Document: "document",
    Dossier: "dossier", BatchItem: "batch_item",
}


class PreservationEvent(Base):
    """PREMIS 3 event: one preservation action, when it happened, how it ended, who and what took part.

    TT 05 wants each action as its own event, so events are only ever added, never edited. The
    event type label and LoC URI come from ``EventType`` rather than being stored.
    """

    __tablename__ = "preservation_event"
    __table_args__ = (Index(None, "event_type", "event_datetime"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    event_identifier: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    event_type: Mapped[EventType] = mapped_column(code_type(EventType, "event_type"))
    event_datetime: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, index=True)
    event_detail: Mapped[str | None] = mapped_column(Text, doc="PREMIS eventDetailInformation")
    outcome: Mapped[EventOutcome] = mapped_column(code_type(EventOutcome, "outcome"))
    outcome_detail: Mapped[str | None] = mapped_column(Text, doc="PREMIS eventOutcomeDetailNote")

    objects: Mapped[list[EventObject]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by=EventObject.id)
    agents: Mapped[list[EventAgent]] = relationship(back_populates="event", cascade="all, delete-orphan")

    def link_object(self, target: Bitstream | Representation | Document | Dossier | BatchItem,
                    role: ObjectRole | str) -> EventObject:
        """Link a catalog object to this event as its ``source`` or ``outcome``."""
        attribute = _LINK_ATTRIBUTE.get(type(target))
        if attribute is None:
            raise TypeError(f"A preservation event cannot link a {type(target).__name__}; "
                            f"link one of: {', '.join(LINKABLE_OBJECTS)}.")
        link = EventObject(role=ObjectRole(role), **{attribute: target})
        self.objects.append(link)
        return link

    def link_agent(self, agent: PreservationAgent, role: AgentRole | str) -> EventAgent:
        """Link an agent to this event in ``role``."""
        link = EventAgent(agent=agent, role=AgentRole(role))
        self.agents.append(link)
        return link

    def __repr__(self) -> str:
        return f"<PreservationEvent {self.event_type} {self.outcome} {self.event_identifier}>"

