"""The catalogue spreadsheet an archivist hands over with a batch (CSV or XLSX).

Columns are named after the TT 05/2025 fields (``fileCode``, ``title``, ``maintenance``, ``mode``,
``typeName``, ``codeNumber`` …) plus a file-name column; a spreadsheet exported with the TT 02/2019
column names ("Tiêu đề hồ sơ", "Trích yếu" …) is read through the legacy profile in
``archive.legacy_tt02``. Each row describes one file of the batch
and, through ``fileCode``, the dossier (hồ sơ) it belongs to. Every value is checked against the
code lists and lengths before anything is stored, and every problem is reported with its row and
column, so a bad spreadsheet is corrected in one pass.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from archive import legacy_tt02
from archive.catalog.codes import CodeEnum, Language, Maintenance, Mode, PhysicalCondition, TypeName

FILE_NAME_COLUMNS = ("fileName", "file", "tenTep", "tên tệp", "tên file")
_FILE_NAME_FOLDED = {legacy_tt02.fold(name) for name in FILE_NAME_COLUMNS}   # any case, with or without accents

# TT 05 field → (length, code list or None, level). Lengths from standards.md §1.1.5 and §1.2.5.
FIELDS: dict[str, tuple[int, type[CodeEnum] | None, str]] = {
    "fileCode": (100, None, "file"), "title": (1000, None, "file"), "maintenance": (100, Maintenance, "both"),
    "mode": (30, Mode, "both"), "language": (100, Language, "both"), "startDate": (10, None, "file"),
    "endDate": (10, None, "file"), "fileNotation": (20, None, "file"),
    "docOrdinal": (3, None, "doc"), "typeName": (100, TypeName, "doc"), "codeNumber": (11, None, "doc"),
    "codeNotation": (30, None, "doc"), "issuedDate": (10, None, "doc"), "organName": (200, None, "doc"),
    "subject": (500, None, "doc"), "description": (500, None, "doc"), "keyword": (100, None, "doc"),
    "autograph": (2000, None, "doc"), "inforSign": (30, None, "doc"), "numberOfPage": (4, None, "doc"),
    "format": (2, PhysicalCondition, "doc"),
}
DATE_FIELDS = {"issuedDate", "startDate", "endDate"}
NUMBER_FIELDS = {"docOrdinal", "numberOfPage"}


class CatalogueError(Exception):
    """The spreadsheet cannot be used; ``problems`` holds one sentence per cell at fault."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path, self.problems = path, problems
        super().__init__(f"{path.name}: " + "; ".join(problems[:20]))


@dataclass
class Catalogue:
    """Rows keyed by the file name they describe (as given, and by base name for convenience)."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    profile: str = "TT 05/2025"
    not_imported: list[str] = field(default_factory=list)
    """Columns of a legacy export that TT 05 has no field for; their values stay in the export."""

    def row_for(self, relative_name: str) -> dict[str, Any]:
        key = _norm(relative_name)
        return self.rows.get(key) or self.rows.get(_norm(PurePosixPath(key).name), {})

    def unmatched(self, names: list[str]) -> list[str]:
        seen = {_norm(n) for n in names} | {_norm(PurePosixPath(n).name) for n in names}
        return sorted(k for k in self.rows if k not in seen)


def _norm(name: str) -> str:
    return unicodedata.normalize("NFC", name.replace("\\", "/").strip().strip("/")).casefold()


def _read_rows(path: Path) -> list[dict[str, str]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).active
        values = [["" if v is None else (v.strftime("%d/%m/%Y") if isinstance(v, datetime) else str(v)).strip()
                   for v in row] for row in sheet.iter_rows(values_only=True)]
        if not values:
            return []
        header = values[0]
        return [dict(zip(header, row)) for row in values[1:] if any(row)]
    with open(path, encoding="utf-8-sig", newline="") as fh:
        sample = fh.read(4096)
        fh.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
        return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(fh, dialect=dialect)]


def _check(name: str, value: str, where: str, problems: list[str]) -> Any:
    length, code_list, _ = FIELDS[name]
    if code_list is None and len(value) > length:   # a coded value is checked against its code list instead
        problems.append(f"{where}: {name} dài {len(value)} ký tự, tối đa {length} / is {len(value)} characters, "
                        f"at most {length}.")
    if code_list is not None:
        codes = [c.strip() for c in value.split(";")] if name == "language" else [value]
        found = []
        for code in codes:
            member = code_list(code) if code_list.is_valid(code) else code_list.lookup(code)
            if member is None:
                problems.append(f"{where}: {name}={code!r} không có trong danh mục / is not a code of "
                                f"{code_list.__name__} ({', '.join(code_list.codes())}).")
            else:
                found.append(member.value)
        return found if name == "language" else (found[0] if found else None)
    if name in DATE_FIELDS:
        try:
            return datetime.strptime(value, "%d/%m/%Y").date().isoformat()
        except ValueError:
            problems.append(f"{where}: {name}={value!r} không phải ngày DD/MM/YYYY / is not a DD/MM/YYYY date.")
    if name in NUMBER_FIELDS:
        if not value.isdigit():
            problems.append(f"{where}: {name}={value!r} không phải số / is not a number.")
            return None
        return int(value)
    return value


def _from_tt02(rows: list[dict[str, str]], header: list[str],
               catalogue: Catalogue) -> tuple[list[dict[str, str]], list[str]]:
    """Rename a TT 02/2019 export's columns to TT 05 fields and translate its coded values."""
    catalogue.profile = "TT 02/2019"
    renamed: dict[str, str] = {}
    for column in header:
        target = legacy_tt02.field_for(column)
        if target is not None:
            renamed[column] = target
        elif legacy_tt02.not_imported(column):
            catalogue.not_imported.append(column)
        else:
            renamed[column] = column   # the file-name column, or an unknown one reported as such
    converted = [{renamed[k]: legacy_tt02.translate_value(renamed[k], v) for k, v in row.items() if k in renamed}
                 for row in rows]
    return converted, [renamed[c] for c in header if c in renamed]


def read_catalogue(path: Path) -> Catalogue:
    """Read and validate the whole spreadsheet; raise ``CatalogueError`` listing every problem."""
    if not path.exists():
        raise CatalogueError(path, [f"Không tìm thấy tệp / file not found: {path}"])
    try:
        rows = _read_rows(path)
    except (OSError, csv.Error, ValueError, KeyError) as exc:
        raise CatalogueError(path, [f"Không đọc được bảng kê / cannot read the spreadsheet: {exc}"]) from exc
    if not rows:
        raise CatalogueError(path, ["Bảng kê không có dòng nào / the spreadsheet has no rows."])
    header = list(rows[0])
    catalogue = Catalogue()
    if legacy_tt02.is_legacy(header):
        rows, header = _from_tt02(rows, header, catalogue)
    name_column = next((c for c in header if legacy_tt02.fold(c) in _FILE_NAME_FOLDED), None)
    problems: list[str] = []
    if name_column is None:
        raise CatalogueError(path, [f"Thiếu cột tên tệp / no file-name column; name one of: {', '.join(FILE_NAME_COLUMNS)}."])
    unknown = [c for c in header if c not in FIELDS and c != name_column]
    if unknown:
        problems.append(f"Cột không thuộc TT 05/2025 / columns that are not TT 05 fields: {', '.join(unknown)}.")
    for number, row in enumerate(rows, start=2):
        file_name = row.get(name_column, "")
        if not file_name:
            problems.append(f"dòng/row {number}: thiếu tên tệp / no file name.")
            continue
        values = {name: _check(name, value, f"dòng/row {number}, cột/column {name}", problems)
                  for name, value in row.items() if name in FIELDS and value}
        if values.get("fileCode") and not values.get("title"):
            problems.append(f"dòng/row {number}: có fileCode nhưng thiếu title (tiêu đề hồ sơ) / "
                            "fileCode given without the dossier title.")
        key = _norm(file_name)
        if key in catalogue.rows:
            problems.append(f"dòng/row {number}: tệp {file_name} đã có ở dòng trước / file listed twice.")
        catalogue.rows[key] = values
    if problems:
        raise CatalogueError(path, problems)
    return catalogue
