"""Every controlled vocabulary of the catalog, each code with its Vietnamese and English label.

The database stores only the code (``"02"``, ``"ing"``); labels live here so that a wording fix
never needs a data migration, while the code lists themselves become CHECK constraints (see
``models.code_type``) so the database refuses a code nobody defined.

Sources: TT 05/2025/TT-BNV code lists (maintenance, mode, language, format, confidenceLevel,
typeName, riskRecoveryStatus, source), the ND 30/2020/NĐ-CP type abbreviations (Phụ lục III),
authority prefixes and secrecy / urgency stamps (Phụ lục I), and the Library of Congress PREMIS
vocabularies at id.loc.gov/vocabulary/preservation. Codes this project had to define itself (no
official list exists) say so in their class docstring.

Adding a code to a list changes a CHECK constraint: it needs a hand-written migration, because
Alembic's autogenerate does not compare CHECK constraints.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import Self

LOC_PRESERVATION = "http://id.loc.gov/vocabulary/preservation/"


class CodeEnum(StrEnum):
    """A code list: members are the stored codes (plain ``str``), carrying their labels.

    ``mark`` is the short form printed on documents where the standard defines one: the type
    abbreviation used in a ký hiệu (``QĐ``), the signer's authority prefix (``KT.``) or the stamp
    text (``TỐI MẬT``). ``uri`` is the authority URI for vocabularies that have one (PREMIS).
    """

    _details: tuple[str, str, str | None, str | None]

    def __new__(cls, code: str, *details: str | None) -> Self:
        # Members are declared as (code, vi, en[, mark[, uri]]). The variadic signature keeps
        # type checkers happy with the ordinary lookup call ``Maintenance("01")``.
        vi, en, mark, uri = (*details, None, None)[:4]
        if not (isinstance(vi, str) and isinstance(en, str)):
            raise TypeError(f"Code {code!r} of {cls.__name__} needs a Vietnamese and an English label.")
        member = str.__new__(cls, code)
        member._value_ = code
        member._details = (vi, en, mark, uri)
        return member

    @property
    def vi(self) -> str:
        """The official Vietnamese label."""
        return self._details[0]

    @property
    def en(self) -> str:
        """The English label (LoC's own label for PREMIS vocabularies)."""
        return self._details[1]

    @property
    def mark(self) -> str | None:
        """The short form printed on documents, if the standard defines one."""
        return self._details[2]

    @property
    def uri(self) -> str | None:
        """The authority URI, for vocabularies that have one."""
        return self._details[3]

    def label(self, language: str = "vi") -> str:
        """The label in ``language`` (``vi`` or ``en``); Vietnamese is the official wording."""
        return self.en if language == "en" else self.vi

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        """The stored codes, in their official order."""
        return tuple(member.value for member in cls)

    @classmethod
    def is_valid(cls, code: object) -> bool:
        """Whether ``code`` is one of the list's codes (Python 3.11's ``in`` raises on strings)."""
        return isinstance(code, str) and code in cls._value2member_map_

    @classmethod
    def label_of(cls, code: str, language: str = "vi") -> str:
        """The label of ``code``; raises ``ValueError`` naming the list for an unknown code."""
        if not cls.is_valid(code):
            raise ValueError(f"{code!r} is not a code of {cls.__name__}; valid codes: {', '.join(cls.codes())}.")
        return cls(code).label(language)

    @classmethod
    def lookup(cls, text: str) -> Self | None:
        """The member whose code, label or mark equals ``text``, ignoring case and Unicode form.

        Extraction and legacy imports meet labels ("Quyết định", "TỐI MẬT") rather than codes.
        Comparison is NFC-normalised and case-folded but keeps diacritics, because "Mật" and
        "Mặt" are different words.
        """
        wanted = _fold(text)
        for member in cls:
            if wanted in {_fold(member.value), _fold(member.vi), _fold(member.en)} or (
                member.mark is not None and wanted == _fold(member.mark)
            ):
                return member
        return None

    @classmethod
    def choices(cls, language: str = "vi") -> list[tuple[str, str]]:
        """(code, label) pairs for form selects and filters."""
        return [(member.value, member.label(language)) for member in cls]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


# --- TT 05/2025 file- and document-level code lists ------------------------------------------


class Maintenance(CodeEnum):
    """Thời hạn lưu trữ (TT 05 ``maintenance``). Historical-archive transfers accept only 01."""

    PERMANENT = "01", "Vĩnh viễn", "Permanent"
    YEARS_70 = "02", "70 năm", "70 years"
    YEARS_50 = "03", "50 năm", "50 years"
    YEARS_30 = "04", "30 năm", "30 years"
    YEARS_20 = "05", "20 năm", "20 years"
    YEARS_10 = "06", "10 năm", "10 years"
    OTHER = "07", "Khác", "Other"


class Mode(CodeEnum):
    """Chế độ sử dụng / mức độ tiếp cận (TT 05 ``mode``, ND 30 ``Rights``)."""

    PUBLIC = "01", "Công khai", "Public"
    RESTRICTED = "02", "Sử dụng có điều kiện", "Conditional use"
    SECRET = "03", "Mật", "Secret"


class Language(CodeEnum):
    """Ngôn ngữ (TT 05 ``language``); bilingual records have their own codes, and it is multi-valued."""

    VIETNAMESE = "01", "Tiếng Việt", "Vietnamese"
    ENGLISH = "02", "Tiếng Anh", "English"
    FRENCH = "03", "Tiếng Pháp", "French"
    RUSSIAN = "04", "Tiếng Nga", "Russian"
    CHINESE = "05", "Tiếng Trung", "Chinese"
    VIETNAMESE_ENGLISH = "06", "Việt - Anh", "Vietnamese-English"
    VIETNAMESE_RUSSIAN = "07", "Việt - Nga", "Vietnamese-Russian"
    VIETNAMESE_FRENCH = "08", "Việt - Pháp", "Vietnamese-French"
    HAN_NOM = "09", "Hán Nôm", "Han Nom"
    VIETNAMESE_CHINESE = "10", "Việt - Trung", "Vietnamese-Chinese"
    OTHER = "11", "Khác", "Other"


class PhysicalCondition(CodeEnum):
    """Tình trạng vật lý (TT 05 ``format``): the state of the carrier, not a file format."""

    GOOD = "01", "Tốt", "Good"
    FAIR = "02", "Bình thường", "Fair"
    DAMAGED = "03", "Hỏng", "Damaged"


class ConfidenceLevel(CodeEnum):
    """Mức độ tin cậy (TT 05 ``confidenceLevel``). 02 makes ``paperFileCode`` mandatory."""

    BORN_DIGITAL = "01", "Gốc điện tử", "Born-digital original"
    DIGITISED = "02", "Số hóa", "Digitised"
    MIXED = "03", "Hỗn hợp", "Mixed"


class RiskRecoveryStatus(CodeEnum):
    """Tình trạng dự phòng (TT 05 ``riskRecoveryStatus``), required when ``riskRecovery`` = 1."""

    BACKED_UP = "01", "Đã dự phòng", "Backed up"
    NOT_BACKED_UP = "02", "Chưa dự phòng", "Not backed up"


class Direction(CodeEnum):
    """Văn bản đi / đến, coded as TT 05's ``source`` (0 = đi, 1 = đến) so exports need no mapping."""

    OUTGOING = "0", "Văn bản đi", "Outgoing"
    INCOMING = "1", "Văn bản đến", "Incoming"


class TypeName(CodeEnum):
    """Tên loại văn bản: the 32 TT 05 ``typeName`` codes with the ND 30 Phụ lục III abbreviations.

    Công văn, Thư công, Bản đồ, Bản vẽ kỹ thuật and Khác have no official abbreviation ("CV" is not
    one). Some abbreviations mix cases (QyĐ, CTr, TTr) and must be matched case-sensitively.
    """

    NGHI_QUYET = "01", "Nghị quyết", "Resolution", "NQ"
    QUYET_DINH = "02", "Quyết định", "Decision", "QĐ"
    CHI_THI = "03", "Chỉ thị", "Directive", "CT"
    QUY_CHE = "04", "Quy chế", "Statute", "QC"
    QUY_DINH = "05", "Quy định", "Regulation", "QyĐ"
    THONG_CAO = "06", "Thông cáo", "Communiqué", "TC"
    THONG_BAO = "07", "Thông báo", "Notice", "TB"
    HUONG_DAN = "08", "Hướng dẫn", "Guidance", "HD"
    CHUONG_TRINH = "09", "Chương trình", "Programme", "CTr"
    KE_HOACH = "10", "Kế hoạch", "Plan", "KH"
    PHUONG_AN = "11", "Phương án", "Action plan", "PA"
    DE_AN = "12", "Đề án", "Scheme", "ĐA"
    DU_AN = "13", "Dự án", "Project", "DA"
    BAO_CAO = "14", "Báo cáo", "Report", "BC"
    TO_TRINH = "15", "Tờ trình", "Submission", "TTr"
    GIAY_UY_QUYEN = "16", "Giấy ủy quyền", "Power of attorney", "GUQ"
    PHIEU_GUI = "17", "Phiếu gửi", "Dispatch slip", "PG"
    PHIEU_CHUYEN = "18", "Phiếu chuyển", "Transfer slip", "PC"
    PHIEU_BAO = "19", "Phiếu báo", "Notification slip", "PB"
    BIEN_BAN = "20", "Biên bản", "Minutes", "BB"
    HOP_DONG = "21", "Hợp đồng", "Contract", "HĐ"
    CONG_VAN = "22", "Công văn", "Official letter"
    CONG_DIEN = "23", "Công điện", "Official telegram", "CĐ"
    BAN_GHI_NHO = "24", "Bản ghi nhớ", "Memorandum of understanding", "BGN"
    BAN_THOA_THUAN = "25", "Bản thỏa thuận", "Agreement", "BTT"
    GIAY_MOI = "26", "Giấy mời", "Invitation", "GM"
    GIAY_GIOI_THIEU = "27", "Giấy giới thiệu", "Letter of introduction", "GGT"
    GIAY_NGHI_PHEP = "28", "Giấy nghỉ phép", "Leave permit", "GNP"
    THU_CONG = "29", "Thư công", "Official correspondence"
    BAN_DO = "30", "Bản đồ", "Map"
    BAN_VE_KY_THUAT = "31", "Bản vẽ kỹ thuật", "Technical drawing"
    KHAC = "32", "Khác", "Other"


# --- ND 30/2020 document marks ------------------------------------------------------------------


class SignerAuthority(CodeEnum):
    """Authority prefix before the signer's position (ND 30 Phụ lục I, box 7a); ``mark`` is printed."""

    THAY_MAT = "TM", "Thay mặt", "On behalf of", "TM."
    QUYEN = "Q", "Quyền", "Acting", "Q."
    KY_THAY = "KT", "Ký thay", "Signed for", "KT."
    THUA_LENH = "TL", "Thừa lệnh", "By order of", "TL."
    THUA_UY_QUYEN = "TUQ", "Thừa ủy quyền", "By authorisation of", "TUQ."


class Confidentiality(CodeEnum):
    """Độ mật (ND 30 Phụ lục I III.2.a), least to most secret; no stamp means not secret (NULL).

    ND 30 gives the stamps but no codes; the two-digit codes are this project's, ordered so that a
    larger code is more secret.
    """

    MAT = "01", "Mật", "Confidential", "MẬT"
    TOI_MAT = "02", "Tối mật", "Secret", "TỐI MẬT"
    TUYET_MAT = "03", "Tuyệt mật", "Top secret", "TUYỆT MẬT"


class Urgency(CodeEnum):
    """Độ khẩn (ND 30 Phụ lục I III.2.b), least to most urgent; no stamp means ordinary (NULL).

    Codes are this project's, as for ``Confidentiality``. ND 30's single-digit ``Priority`` field
    ("mức độ khẩn, độ mật") has no published code table, so documents keep the value as received
    in ``Document.priority`` and these two lists carry the meaning.
    """

    KHAN = "01", "Khẩn", "Urgent", "KHẨN"
    THUONG_KHAN = "02", "Thượng khẩn", "Very urgent", "THƯỢNG KHẨN"
    HOA_TOC = "03", "Hỏa tốc", "Immediate", "HỎA TỐC"


# --- Catalog structure ------------------------------------------------------------------------


class FondsStatus(CodeEnum):
    """Trạng thái phông: open while the forming body still produces records, closed after."""

    OPEN = "open", "Mở", "Open"
    CLOSED = "closed", "Đóng", "Closed"


class DatePrecision(CodeEnum):
    """How much of a date is known: TT 05 AIPs allow DD/MM/YYYY, MM/YYYY and YYYY."""

    DAY = "day", "Ngày/tháng/năm", "Day"
    MONTH = "month", "Tháng/năm", "Month"
    YEAR = "year", "Năm", "Year"


class RepresentationType(CodeEnum):
    """The role of a representation of one document (OAIS / E-ARK ``rep1``, ``rep2``...)."""

    ORIGINAL = "original", "Bản gốc", "Original (master)"
    PRESERVATION = "preservation", "Bản bảo quản (PDF/A)", "Preservation copy (PDF/A)"
    ACCESS = "access", "Bản khai thác", "Access copy"


class BitstreamRole(CodeEnum):
    """What a stored object is; a package has no representation, everything else belongs to one."""

    MASTER = "master", "Bản gốc lưu trữ", "Master"
    DERIVATIVE = "derivative", "Bản dẫn xuất", "Derivative"
    OCR_TEXT = "ocr-text", "Văn bản nhận dạng (OCR)", "OCR text"
    PACKAGE = "package", "Gói thông tin", "Information package"


class DigestAlgorithm(CodeEnum):
    """PREMIS ``messageDigestAlgorithm``; TT 05 prescribes SHA-256 only."""

    SHA256 = "SHA-256", "SHA-256", "SHA-256", None, LOC_PRESERVATION + "cryptographicHashFunctions/sha256"


class ProvenanceSource(CodeEnum):
    """Where a document field's value came from, recorded per field in ``Document.field_provenance``."""

    CATALOGUE = "catalogue", "Từ mục lục hồ sơ", "From the file catalogue"
    EXTRACTED = "extracted", "Trích xuất tự động", "Extracted automatically"
    MANUAL = "manual", "Nhập tay", "Entered manually"
    ARCHIVIST = "archivist", "Cán bộ lưu trữ hiệu đính", "Corrected by an archivist"


class SharePurpose(CodeEnum):
    """Purpose of an access request: TT 05 DIP ``purpose`` (standards.md, DIP EAD.xml)."""

    PERSONAL = "01", "Cá nhân", "Personal"
    OFFICIAL = "02", "Công vụ", "Official duty"
    SPECIAL_OFFICIAL = "03", "Công vụ đặc biệt", "Special official duty"


class ShareStatus(CodeEnum):
    """Where an access request stands."""

    PENDING = "pending", "Chờ duyệt", "Pending"
    APPROVED = "approved", "Đã đồng ý", "Approved"
    REFUSED = "refused", "Đã từ chối", "Refused"


class UserRole(CodeEnum):
    """What a user account may do (issue 7): archivists ingest and describe for their agency, officials
    search and read, auditors read everything and run integrity tools, administrators manage accounts.
    The permission rules themselves live in ``archive.accounts``."""

    ARCHIVIST = "archivist", "Cán bộ lưu trữ", "Archivist"
    OFFICIAL = "official", "Cán bộ, công chức khai thác", "Official"
    AUDITOR = "auditor", "Kiểm tra, giám sát", "Auditor"
    ADMIN = "admin", "Quản trị hệ thống", "System administrator"


# --- Ingest ---------------------------------------------------------------------------------------


class BatchStatus(CodeEnum):
    """Lifecycle of an ingest batch as a whole."""

    OPEN = "open", "Đang tiếp nhận", "Receiving files"
    PROCESSING = "processing", "Đang xử lý", "Processing"
    COMPLETED = "completed", "Hoàn thành", "Completed"
    COMPLETED_WITH_ERRORS = "completed_with_errors", "Hoàn thành, có lỗi", "Completed with errors"
    CANCELLED = "cancelled", "Đã hủy", "Cancelled"


class BatchItemState(CodeEnum):
    """Where one submitted file is in the pipeline, in pipeline order; the last three are terminal side exits."""

    RECEIVED = "received", "Đã tiếp nhận, bản gốc đã lưu", "Received, master stored"
    VIRUS_CHECKED = "virus_checked", "Đã quét mã độc", "Virus-checked"
    IDENTIFIED = "identified", "Đã nhận dạng định dạng", "Format identified"
    VALIDATED = "validated", "Đã kiểm tra hợp lệ", "Validated"
    SIGNATURES_CHECKED = "signatures_checked", "Đã kiểm tra chữ ký số", "Digital signatures checked"
    NORMALISED = "normalised", "Đã chuẩn hóa (PDF/A, OCR)", "Normalised (PDF/A, OCR)"
    EXTRACTED = "extracted", "Đã trích xuất siêu dữ liệu", "Metadata extracted"
    STORED = "stored", "Đã lưu bản dẫn xuất", "Derivatives stored"
    PACKAGED = "packaged", "Đã đóng gói", "Packaged"
    INDEXED = "indexed", "Đã lập chỉ mục tìm kiếm", "Indexed for search"
    ARCHIVED = "archived", "Đã lưu trữ", "Archived"
    DUPLICATE = "duplicate", "Trùng lặp", "Duplicate"
    FAILED = "failed", "Lỗi, có thể thử lại", "Failed, retryable"
    QUARANTINED = "quarantined", "Đã cách ly", "Quarantined"


# --- PREMIS 3 (Library of Congress vocabularies) --------------------------------------------------

_EVENT = LOC_PRESERVATION + "eventType/"


class EventType(CodeEnum):
    """PREMIS ``eventType``: the complete LoC vocabulary; the English label is LoC's own.

    Note the LoC codes for two common steps: metadata extraction is ``mee`` and information
    package creation is ``ipc``.
    """

    ACCESSION = "acc", "Thu nhận vào lưu trữ", "accession", None, _EVENT + "acc"
    APPRAISAL = "app", "Xác định giá trị tài liệu", "appraisal", None, _EVENT + "app"
    CAPTURE = "cap", "Thu thập dữ liệu", "capture", None, _EVENT + "cap"
    COMPRESSION = "com", "Nén", "compression", None, _EVENT + "com"
    COMPILING = "cop", "Biên dịch", "compiling", None, _EVENT + "cop"
    CREATION = "cre", "Tạo lập", "creation", None, _EVENT + "cre"
    DEACCESSION = "dea", "Loại khỏi kho lưu trữ", "deaccession", None, _EVENT + "dea"
    DECOMPRESSION = "dec", "Giải nén", "decompression", None, _EVENT + "dec"
    DELETION = "del", "Xóa", "deletion", None, _EVENT + "del"
    DECRYPTION = "der", "Giải mã", "decryption", None, _EVENT + "der"
    DIGITAL_SIGNATURE_VALIDATION = "dig", "Xác thực chữ ký số", "digital signature validation", None, _EVENT + "dig"
    DISSEMINATION = "dis", "Cung cấp sử dụng", "dissemination", None, _EVENT + "dis"
    DIGITAL_SIGNATURE_GENERATION = "dsg", "Ký số", "digital signature generation", None, _EVENT + "dsg"
    DISPLAYING = "dsp", "Hiển thị", "displaying", None, _EVENT + "dsp"
    ENCRYPTION = "enc", "Mã hóa", "encryption", None, _EVENT + "enc"
    EXECUTION = "exe", "Thực thi", "execution", None, _EVENT + "exe"
    EXPORTING = "exp", "Xuất dữ liệu", "exporting", None, _EVENT + "exp"
    EXTRACTION = "ext", "Trích xuất", "extraction", None, _EVENT + "ext"
    FORENSIC_FEATURE_ANALYSIS = "ffa", "Phân tích đặc điểm giám định", "forensic feature analysis", None, _EVENT + "ffa"
    FILENAME_CHANGE = "fil", "Đổi tên tệp", "filename change", None, _EVENT + "fil"
    FIXITY_CHECK = "fix", "Kiểm tra tính toàn vẹn", "fixity check", None, _EVENT + "fix"
    FORMAT_IDENTIFICATION = "for", "Nhận dạng định dạng", "format identification", None, _EVENT + "for"
    IMAGING = "ima", "Quét, chụp ảnh", "imaging", None, _EVENT + "ima"
    INGESTION_END = "ine", "Kết thúc tiếp nhận", "ingestion end", None, _EVENT + "ine"
    INGESTION = "ing", "Tiếp nhận vào hệ thống", "ingestion", None, _EVENT + "ing"
    INGESTION_START = "ins", "Bắt đầu tiếp nhận", "ingestion start", None, _EVENT + "ins"
    INTERPRETING = "int", "Diễn giải", "interpreting", None, _EVENT + "int"
    INFORMATION_PACKAGE_CREATION = "ipc", "Tạo gói thông tin", "information package creation", None, _EVENT + "ipc"
    INFORMATION_PACKAGE_MERGING = "ipm", "Gộp gói thông tin", "information package merging", None, _EVENT + "ipm"
    INFORMATION_PACKAGE_SPLITTING = "ips", "Tách gói thông tin", "information package splitting", None, _EVENT + "ips"
    METADATA_EXTRACTION = "mee", "Trích xuất siêu dữ liệu", "metadata extraction", None, _EVENT + "mee"
    METADATA_MODIFICATION = "mem", "Sửa đổi siêu dữ liệu", "metadata modification", None, _EVENT + "mem"
    MESSAGE_DIGEST_CALCULATION = "mes", "Tính giá trị băm", "message digest calculation", None, _EVENT + "mes"
    MIGRATION = "mig", "Chuyển đổi định dạng", "migration", None, _EVENT + "mig"
    MODIFICATION = "mod", "Sửa đổi", "modification", None, _EVENT + "mod"
    NORMALIZATION = "nor", "Chuẩn hóa", "normalization", None, _EVENT + "nor"
    PACKING = "pac", "Đóng gói", "packing", None, _EVENT + "pac"
    POLICY_ASSIGNMENT = "poa", "Gán chính sách", "policy assignment", None, _EVENT + "poa"
    PRINTING = "prt", "In", "printing", None, _EVENT + "prt"
    QUARANTINE = "qua", "Cách ly", "quarantine", None, _EVENT + "qua"
    RECOVERY = "rec", "Khôi phục", "recovery", None, _EVENT + "rec"
    REDACTION = "red", "Che thông tin", "redaction", None, _EVENT + "red"
    REFRESHMENT = "ref", "Làm mới vật mang tin", "refreshment", None, _EVENT + "ref"
    RENDERING = "ren", "Kết xuất hiển thị", "rendering", None, _EVENT + "ren"
    REPLICATION = "rep", "Nhân bản (sao lưu)", "replication", None, _EVENT + "rep"
    TRANSFER = "tra", "Chuyển giao", "transfer", None, _EVENT + "tra"
    UNPACKING = "unp", "Mở gói", "unpacking", None, _EVENT + "unp"
    UNQUARANTINE = "unq", "Hủy cách ly", "unquarantine", None, _EVENT + "unq"
    VALIDATION = "val", "Kiểm tra hợp lệ", "validation", None, _EVENT + "val"
    VIRUS_CHECK = "vir", "Quét mã độc", "virus check", None, _EVENT + "vir"


class EventOutcome(CodeEnum):
    """PREMIS ``eventOutcome`` (LoC eventOutcome: suc / fai / war)."""

    SUCCESS = "success", "Thành công", "success", None, LOC_PRESERVATION + "eventOutcome/suc"
    FAILURE = "failure", "Thất bại", "failure", None, LOC_PRESERVATION + "eventOutcome/fai"
    WARNING = "warning", "Cảnh báo", "warning", None, LOC_PRESERVATION + "eventOutcome/war"


class AgentType(CodeEnum):
    """PREMIS ``agentType`` (LoC agentType); hardware covers scanners for imaging events."""

    SOFTWARE = "software", "Phần mềm", "software", None, LOC_PRESERVATION + "agentType/sof"
    PERSON = "person", "Cá nhân", "person", None, LOC_PRESERVATION + "agentType/per"
    ORGANIZATION = "organization", "Cơ quan, tổ chức", "organization", None, LOC_PRESERVATION + "agentType/org"
    HARDWARE = "hardware", "Thiết bị", "hardware", None, LOC_PRESERVATION + "agentType/har"


class ObjectRole(CodeEnum):
    """PREMIS ``linkingObjectRole`` (LoC eventRelatedObjectRole): lineage from source to outcome."""

    SOURCE = "source", "Đối tượng nguồn", "source", None, LOC_PRESERVATION + "eventRelatedObjectRole/sou"
    OUTCOME = "outcome", "Đối tượng kết quả", "outcome", None, LOC_PRESERVATION + "eventRelatedObjectRole/out"


class AgentRole(CodeEnum):
    """PREMIS ``linkingAgentRole`` (LoC eventRelatedAgentRole), the four TT 05 allows."""

    AUTHORIZER = "authorizer", "Người phê duyệt", "authorizer", None, LOC_PRESERVATION + "eventRelatedAgentRole/aut"
    IMPLEMENTER = "implementer", "Người thực hiện", "implementer", None, LOC_PRESERVATION + "eventRelatedAgentRole/imp"
    VALIDATOR = "validator", "Người kiểm tra", "validator", None, LOC_PRESERVATION + "eventRelatedAgentRole/val"
    EXECUTING_PROGRAM = (
        "executing_program", "Chương trình thực hiện", "executing program", None,
        LOC_PRESERVATION + "eventRelatedAgentRole/exe",
    )


CODE_LISTS: dict[str, type[CodeEnum]] = {
    "maintenance": Maintenance,
    "mode": Mode,
    "language": Language,
    "format": PhysicalCondition,
    "confidence_level": ConfidenceLevel,
    "risk_recovery_status": RiskRecoveryStatus,
    "direction": Direction,
    "type_name": TypeName,
    "signer_authority": SignerAuthority,
    "confidentiality": Confidentiality,
    "urgency": Urgency,
    "fonds_status": FondsStatus,
    "date_precision": DatePrecision,
    "representation_type": RepresentationType,
    "bitstream_role": BitstreamRole,
    "digest_algorithm": DigestAlgorithm,
    "provenance_source": ProvenanceSource,
    "user_role": UserRole,
    "batch_status": BatchStatus,
    "batch_item_state": BatchItemState,
    "event_type": EventType,
    "event_outcome": EventOutcome,
    "agent_type": AgentType,
    "object_role": ObjectRole,
    "agent_role": AgentRole,
}
"""Every code list by a stable name, for the UI, the API and exports that iterate over them."""


def label(list_name: str, code: str, language: str = "vi") -> str:
    """The label of ``code`` in the list called ``list_name`` (a key of ``CODE_LISTS``)."""
    try:
        code_list = CODE_LISTS[list_name]
    except KeyError:
        raise ValueError(f"{list_name!r} is not a code list; known lists: {', '.join(CODE_LISTS)}.") from None
    return code_list.label_of(code, language)
