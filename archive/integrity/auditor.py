"""Auditor reports as people read them: titled, localised tables for the web pages, CSV and PDF.

``ReportService`` is the one door for the web: it checks the ``report.view`` permission (auditors and
administrators), builds the report from ``archive.integrity.reports`` (the same data the CLI prints),
and records every view and every download in the tamper-evident audit log (``report.view``), as a read
of a non-public record is: a report names records, their files and who did what to them.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from archive.accounts import Account, allowed
from archive.catalog import BatchItem, Bitstream, Representation, utc_now
from archive.catalog.codes import EventType
from archive.i18n import format_datetime
from archive.integrity.reports import (
    NEVER,
    OLDEST,
    Coverage,
    audit_time,
    coverage,
    custody,
    failures_and_repairs,
    reconcile,
)
from archive.security_events import record

if TYPE_CHECKING:
    from archive.factory import Archive

REPORTS = ("fixity", "failures", "reconciliation")
"""Reports of the whole archive; ``custody`` is per record."""
FORMATS = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}

TITLES = {
    "fixity": ("Độ bao phủ kiểm tra toàn vẹn", "Fixity coverage"),
    "failures": ("Lỗi toàn vẹn và sửa chữa", "Fixity failures and repairs"),
    "custody": ("Lịch sử lưu giữ tài liệu {id}", "Chain of custody of record {id}"),
    "reconciliation": ("Đối chiếu mục lục, chỉ mục và kho", "Catalog, index and storage reconciliation"),
}
SUMMARIES = {
    "fixity": ("Số bản sao đã kiểm tra trong chu kỳ hiện tại và thời gian kể từ lần kiểm tra gần nhất, theo kho.",
               "Copies verified within the current cycle and the time since each was last verified, per location."),
    "failures": ("Mọi bản sao hỏng hoặc mất đã phát hiện, các lần sửa từ bản sao tốt và các đối tượng không khôi "
                 "phục được, theo nhật ký kiểm tra.",
                 "Every damaged or missing copy found, every repair from a good copy and every unrecoverable "
                 "object, from the audit log."),
    "custody": ("Mọi sự kiện bảo quản (PREMIS) và mục nhật ký kiểm tra về tài liệu, các tệp, lô và gói của nó.",
                "Every preservation event (PREMIS) and audit entry about the record, its files, batch and package."),
    "reconciliation": ("Danh sách chính xác các khác biệt: đối tượng mồ côi, đối tượng thiếu, mục chỉ mục lỗi thời, "
                       "tài liệu chưa có trong chỉ mục.",
                       "The exact differences: orphan objects, missing objects, stale index entries, records "
                       "missing from the index."),
}
LOCATIONS = {"primary": ("kho chính", "primary"), "replica": ("kho bản sao", "replica"),
             "index": ("chỉ mục tìm kiếm", "search index")}
BUCKETS = {"< 1 day": "dưới 1 ngày", "1–7 days": "1–7 ngày", "7–30 days": "7–30 ngày", "30–90 days": "30–90 ngày",
           "90–365 days": "90–365 ngày", OLDEST: "từ 365 ngày trở lên", NEVER: "chưa kiểm tra lần nào"}
ACTIONS = {"fixity.failure": ("bản sao hỏng hoặc mất", "damaged or missing copy"),
           "fixity.repair": ("đã sửa từ bản sao tốt", "repaired from a good copy"),
           "fixity.unrecoverable": ("KHÔNG KHÔI PHỤC ĐƯỢC", "UNRECOVERABLE")}
KINDS = {"orphan": ("mồ côi (không có trong mục lục)", "orphan (not in the catalog)"),
         "missing": ("thiếu trong kho", "missing from storage"),
         "stale-index": ("mục chỉ mục lỗi thời", "stale index entry"),
         "unindexed": ("chưa có trong chỉ mục", "not in the index")}
OUTCOMES = {"success": ("thành công", "success"), "failure": ("thất bại", "failure"),
            "warning": ("cảnh báo", "warning")}
BAR = 30
"""Width of a histogram bar for all of a location's copies, in characters (█): bars are shares, as on the web."""


class ReportRefused(Exception):
    """The account may not read auditor reports (only auditors and administrators may)."""

    status = 403
    code = "forbidden"
    vi = ("Chỉ kiểm toán viên và quản trị viên được xem báo cáo kiểm tra. Nếu cần, hãy đề nghị quản trị viên "
          "cấp vai trò kiểm toán viên.")
    en = "Only auditors and administrators may read audit reports. If you need to, ask an administrator for the role."


@dataclass(frozen=True)
class Column:
    key: str
    vi: str
    en: str
    width: float = 1.0
    """Relative width in the PDF."""

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


@dataclass
class Table:
    """A report ready to show: title, columns, rows of display text (``cells``) and of values for CSV."""

    name: str
    lang: str
    title: str
    other_title: str
    summary: str
    columns: tuple[Column, ...]
    cells: list[list[str]] = field(default_factory=list)
    values: list[list[str]] = field(default_factory=list)
    """The same rows for CSV: times as ISO 8601 UTC (sortable), everything else as shown."""
    made_at: datetime = field(default_factory=utc_now)
    made_by: str = ""
    links: list[int | None] = field(default_factory=list)
    """Per row, the record it concerns (linked to its chain of custody on the web), if any."""
    coverage: list[Coverage] = field(default_factory=list)

    def headers(self) -> list[str]:
        return [column.label(self.lang) for column in self.columns]

    def add(self, cells: list[str], values: list[str] | None = None, record: int | None = None) -> None:
        self.cells.append(cells)
        self.values.append(values if values is not None else cells)
        self.links.append(record)

    def histogram(self) -> list[tuple[Coverage, list[str], list[list[str]]]]:
        """The fixity report per location: its coverage, its cycle row and its histogram rows."""
        out, at = [], 0
        for found in self.coverage:
            size = len(found.buckets)
            out.append((found, self.cells[at], self.cells[at + 1:at + 1 + size]))
            at += 1 + size
        return out

    def csv_bytes(self) -> bytes:
        """UTF-8 with a byte-order mark, so Excel opens the Vietnamese text correctly."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.headers())
        writer.writerows(self.values)
        return out.getvalue().encode("utf-8-sig")

    def pdf_bytes(self) -> bytes:
        from archive.integrity.pdf import table_pdf

        return table_pdf(self)


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _number(value: float, lang: str) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "vi" else text


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _details(text: str) -> str:
    """An audit entry's details (canonical JSON) as ``key: value; …``."""
    try:
        details = json.loads(text)
    except ValueError:
        return text
    if not isinstance(details, dict):
        return text
    return "; ".join(f"{k}: {v if not isinstance(v, list | dict) else json.dumps(v, ensure_ascii=False)}"
                     for k, v in details.items())


def target_of(name: str, record_id: int | None = None) -> str:
    """What a view of the report is recorded against in the audit log: the record for its custody."""
    return f"document:{record_id}" if name == "custody" else f"report:{name}"


def build(archive: Archive, name: str, lang: str, *, record_id: int | None = None, made_by: str = "") -> Table:
    """Report ``name`` (``custody`` needs ``record_id``) in ``lang``. Raises LookupError for an unknown
    report or record. Nothing is checked or recorded here: that is the caller's door (``ReportService``
    for the web, the CLI for an operator)."""
    builder = _Builder(archive, made_by)
    if name == "custody" and record_id is not None:
        return builder.custody(record_id, lang)
    builders = {"fixity": builder.fixity, "failures": builder.failures, "reconciliation": builder.reconciliation}
    if name not in builders:
        raise LookupError(f"There is no report {name!r}.")
    return builders[name](lang)


class ReportService:
    """Auditor reports for one signed-in account, from one address: permission, then the report, then the
    audit entry."""

    def __init__(self, archive: Archive, account: Account, ip: str | None = None) -> None:
        if not account.active or not allowed(account.role, "report.view"):
            raise ReportRefused()
        self.archive, self.account, self.ip = archive, account, ip

    def report(self, name: str, lang: str, fmt: str = "html", record_id: int | None = None) -> Table:
        """Build the report and record that this account read it, in ``fmt`` (html, csv, pdf)."""
        table = build(self.archive, name, lang, record_id=record_id, made_by=self.account.username)
        record(self.archive, self.account, self.account.agency_code, self.ip, "report.view",  # type: ignore[arg-type]
               target_of(name, record_id), {"report": name, "format": fmt, "rows": len(table.cells)})
        return table


class _Builder:
    """Turns the rows of ``archive.integrity.reports`` into localised tables, one method per report."""

    def __init__(self, archive: Archive, made_by: str) -> None:
        self.archive, self.made_by = archive, made_by

    def _table(self, name: str, lang: str, columns: tuple[Column, ...], **title: object) -> Table:
        vi, en = TITLES[name]
        return Table(name, lang, _pick((vi, en), lang).format(**title), _pick((en, vi), lang).format(**title),
                     _pick(SUMMARIES[name], lang), columns, made_by=self.made_by)

    def fixity(self, lang: str) -> Table:
        columns = (Column("location", "Kho", "Location", 0.8), Column("bucket", "Nhóm", "Group", 1.6),
                   Column("copies", "Số bản sao", "Copies", 0.7), Column("share", "Tỷ lệ", "Share", 0.6),
                   Column("bar", "Biểu đồ", "Chart", 2.2))
        table = self._table("fixity", lang, columns)
        table.coverage = coverage(self.archive)
        for found in table.coverage:
            where = _pick(LOCATIONS.get(found.location, (found.location, found.location)), lang)
            cycle = (f"đã kiểm tra trong chu kỳ {found.cycle_days} ngày hiện tại" if lang == "vi"
                     else f"verified in the current {found.cycle_days}-day cycle")
            table.add([where, cycle, f"{found.in_cycle}/{found.copies}", f"{_number(found.share, lang)}%",
                       "█" * round(BAR * found.share / 100)])
            for label, count in found.buckets.items():
                share = 100 * count / found.copies if found.copies else 0.0
                table.add([where, label if lang == "en" else BUCKETS[label], str(count),
                           f"{_number(share, lang)}%", "█" * round(BAR * share / 100)])
        return table

    def failures(self, lang: str) -> Table:
        columns = (Column("seq", "Số", "No.", 0.4), Column("time", "Thời điểm (UTC)", "Time (UTC)", 1.3),
                   Column("action", "Sự việc", "Event", 1.2), Column("object", "Đối tượng", "Object", 2.2),
                   Column("record", "Tài liệu", "Record", 0.5), Column("details", "Chi tiết", "Details", 2.6))
        table = self._table("failures", lang, columns)
        rows = failures_and_repairs(self.archive)
        records = self._records_of([row["object"] for row in rows])
        for row in rows:
            at = audit_time(row["time"])
            action = _pick(ACTIONS.get(row["action"], (row["action"], row["action"])), lang)
            details = json.loads(row["details"]) if row["details"].startswith("{") else {}
            document = records.get(row["object"]) or (details.get("document") if isinstance(details, dict) else None)
            shown = [str(row["seq"]), format_datetime(at, lang), action, row["object"] or "",
                     str(document or ""), _details(row["details"])]
            table.add(shown, [shown[0], _iso(at), *shown[2:]], document)
        return table

    def _records_of(self, objects: list[str | None]) -> dict[str, int]:
        """``bitstream:N`` → the record holding that bitstream."""
        ids = {int(o.split(":", 1)[1]) for o in objects if o and o.startswith("bitstream:")}
        if not ids:
            return {}
        with self.archive.sessions() as session:
            found = dict(session.execute(select(Bitstream.id, Representation.document_id).join(
                Representation, Bitstream.representation_id == Representation.id).where(Bitstream.id.in_(ids))).all())
            found |= {b: d for b, d in session.execute(select(BatchItem.master_bitstream_id, BatchItem.document_id)
                                                       .where(BatchItem.master_bitstream_id.in_(ids))).all()
                      if d is not None and b not in found}
        return {f"bitstream:{b}": d for b, d in found.items() if d is not None}

    def custody(self, record_id: int, lang: str) -> Table:
        columns = (Column("time", "Thời điểm (UTC)", "Time (UTC)", 1.3), Column("source", "Nguồn", "Source", 1.1),
                   Column("what", "Sự việc", "Event", 1.5), Column("outcome", "Kết quả", "Outcome", 0.7),
                   Column("detail", "Chi tiết", "Details", 3.4))
        table = self._table("custody", lang, columns, id=record_id)
        for entry in custody(self.archive, record_id):
            if entry.seq is None:
                source = "PREMIS"
                what = f"{entry.code} — {EventType(entry.code).label(lang)}"
                detail = entry.detail
            else:
                source = (f"nhật ký #{entry.seq} · {entry.actor}" if lang == "vi"
                          else f"audit log #{entry.seq} · {entry.actor}")
                what = entry.code + (f" — {_pick(ACTIONS[entry.code], lang)}" if entry.code in ACTIONS else "")
                detail = _details(entry.detail)
            outcome = _pick(OUTCOMES.get(entry.outcome, (entry.outcome, entry.outcome)), lang)
            shown = [format_datetime(entry.at, lang), source, what, outcome, detail]
            table.add(shown, [_iso(entry.at), *shown[1:]])
        return table

    def reconciliation(self, lang: str) -> Table:
        columns = (Column("kind", "Loại khác biệt", "Difference", 1.2), Column("location", "Ở đâu", "Where", 0.8),
                   Column("name", "Khóa đối tượng hoặc tài liệu", "Object key or record", 4.0))
        table = self._table("reconciliation", lang, columns)
        for row in reconcile(self.archive):
            record_id = int(row["name"].split(":", 1)[1]) if row["name"].startswith("document:") else None
            table.add([_pick(KINDS.get(row["kind"], (row["kind"], row["kind"])), lang),
                       _pick(LOCATIONS.get(row["location"], (row["location"], row["location"])), lang), row["name"]],
                      record=record_id if row["kind"] == "unindexed" else None)
        return table


def export(table: Table, fmt: str) -> bytes:
    """The report as a file to download: ``csv`` or ``pdf``."""
    if fmt == "csv":
        return table.csv_bytes()
    if fmt == "pdf":
        return table.pdf_bytes()
    raise LookupError(f"There is no export format {fmt!r}.")


def file_name(table: Table, fmt: str, record_id: int | None = None) -> str:
    stem = {"fixity": "bao-phu-kiem-tra", "failures": "loi-va-sua-chua", "custody": f"lich-su-tai-lieu-{record_id}",
            "reconciliation": "doi-chieu"}[table.name]
    return f"bao-cao-{stem}-{table.made_at:%Y%m%d}.{fmt}"


def describe(lang: str) -> list[dict[str, Any]]:
    """The archive-wide reports, for the index page."""
    return [{"name": name, "title": _pick(TITLES[name], lang), "summary": _pick(SUMMARIES[name], lang)}
            for name in REPORTS]
