"""Controlled vocabularies: the TT 05/2025 code lists and the Library of Congress PREMIS vocabularies.

Codes are what the packages store; the Vietnamese labels are kept beside them so that an error
message can say "maintenance must be one of 01 (Vĩnh viễn), …" instead of a bare list of numbers.
"""

from __future__ import annotations

MAINTENANCE = {"01": "Vĩnh viễn", "02": "70 năm", "03": "50 năm", "04": "30 năm", "05": "20 năm",
               "06": "10 năm", "07": "Khác"}
MODE = {"01": "Công khai", "02": "Sử dụng có điều kiện", "03": "Mật"}
LANGUAGE = {"01": "Việt", "02": "Anh", "03": "Pháp", "04": "Nga", "05": "Trung", "06": "Việt-Anh",
            "07": "Việt-Nga", "08": "Việt-Pháp", "09": "Hán Nôm", "10": "Việt-Trung", "11": "Khác"}
PHYSICAL_STATE = {"01": "Tốt", "02": "Bình thường", "03": "Hỏng"}
CONFIDENCE_LEVEL = {"01": "Gốc điện tử", "02": "Số hóa", "03": "Hỗn hợp"}
RISK_RECOVERY_STATUS = {"01": "Đã dự phòng", "02": "Chưa dự phòng"}
DOCUMENT_SOURCE = {"0": "Văn bản đi", "1": "Văn bản đến"}
ACCESS_PURPOSE = {"01": "Cá nhân", "02": "Công vụ", "03": "Công vụ đặc biệt"}
FEE_OBJECT_TYPE = {f"{n:02d}": f"Đối tượng {n:02d}" for n in range(1, 11)}
TYPE_NAME = {
    "01": "Nghị quyết", "02": "Quyết định", "03": "Chỉ thị", "04": "Quy chế", "05": "Quy định",
    "06": "Thông cáo", "07": "Thông báo", "08": "Hướng dẫn", "09": "Chương trình", "10": "Kế hoạch",
    "11": "Phương án", "12": "Đề án", "13": "Dự án", "14": "Báo cáo", "15": "Tờ trình",
    "16": "Giấy ủy quyền", "17": "Phiếu gửi", "18": "Phiếu chuyển", "19": "Phiếu báo", "20": "Biên bản",
    "21": "Hợp đồng", "22": "Công văn", "23": "Công điện", "24": "Bản ghi nhớ", "25": "Bản thỏa thuận",
    "26": "Giấy mời", "27": "Giấy giới thiệu", "28": "Giấy nghỉ phép", "29": "Thư công", "30": "Bản đồ",
    "31": "Bản vẽ kỹ thuật", "32": "Khác",
}

EVENT_TYPE_AUTHORITY = "http://id.loc.gov/vocabulary/preservation/eventType"
EVENT_TYPES = {
    "acc": "accession", "app": "appraisal", "cap": "capture", "com": "compression", "cop": "compiling",
    "cre": "creation", "dea": "deaccession", "dec": "decompression", "del": "deletion", "der": "decryption",
    "dig": "digital signature validation", "dis": "dissemination", "dsg": "digital signature generation",
    "dsp": "displaying", "enc": "encryption", "exe": "execution", "exp": "exporting", "ext": "extraction",
    "ffa": "forensic feature analysis", "fil": "filename change", "fix": "fixity check",
    "for": "format identification", "ima": "imaging", "ine": "ingestion end", "ing": "ingestion",
    "ins": "ingestion start", "int": "interpreting", "ipc": "information package creation",
    "ipm": "information package merging", "ips": "information package splitting", "mee": "metadata extraction",
    "mem": "metadata modification", "mes": "message digest calculation", "mig": "migration",
    "mod": "modification", "nor": "normalization", "pac": "packing", "poa": "policy assignment",
    "prt": "printing", "qua": "quarantine", "rec": "recovery", "red": "redaction", "ref": "refreshment",
    "rep": "replication", "tra": "transfer", "unp": "unpacking", "unq": "unquarantine", "val": "validation",
    "vir": "virus check",
}

AGENT_ROLE_AUTHORITY = "http://id.loc.gov/vocabulary/preservation/eventRelatedAgentRole"
# TT 05 allows exactly these four roles for linkingAgentRole.
AGENT_ROLES = {"authorizer": "aut", "implementer": "imp", "validator": "val", "executing program": "exe"}

OBJECT_ROLE_AUTHORITY = "http://id.loc.gov/vocabulary/preservation/eventRelatedObjectRole"
OBJECT_ROLES = {"source": "sou", "outcome": "out"}

AGENT_TYPES = ("person", "organization", "software", "hardware")


def event_type_uri(code: str) -> str:
    """The id.loc.gov URI of an eventType code, written beside the label so machines need no lookup."""
    return f"{EVENT_TYPE_AUTHORITY}/{code}"


def event_type_code(label_or_code: str) -> str | None:
    """Map a label ("ingestion") or a code ("ing") back to the code; None when it is not in the vocabulary."""
    if label_or_code in EVENT_TYPES:
        return label_or_code
    for code, label in EVENT_TYPES.items():
        if label == label_or_code:
            return code
    return None
