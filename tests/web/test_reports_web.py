"""Auditor reports on the web: what each page shows (Vietnamese first, English on request), the histogram
without JavaScript, CSV and PDF downloads (Vietnamese text in an embedded font), who may read them, and
that every view and download is in the audit log."""

from __future__ import annotations

import csv
import io
import json
import os
import re

import pikepdf
import pypdfium2
import pytest
from sqlalchemy import select

from archive.accounts import AccountService
from archive.catalog import AuditEntry, Bitstream
from archive.catalog.codes import Mode
from archive.integrity.auditor import ReportRefused, ReportService
from archive.integrity.fixity import check_object
from tests.web.conftest import AGENCY_A, Web
from tests.web.records_data import make_record

VI_DATE = re.compile(r"\d\d:\d\d, ngày \d\d tháng \d\d năm \d{4}")


def _pdf_text(data: bytes) -> str:
    """The text of every page, with runs of white space (table cells wrap) as one space."""
    document = pypdfium2.PdfDocument(data)
    try:
        return " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in document)
    finally:
        document.close()


def _embedded_fonts(data: bytes) -> set[str]:
    """Base names of the fonts whose program is embedded in the PDF (FontFile2: a TrueType font)."""
    names = set()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                for descendant in font.get("/DescendantFonts", [font]):
                    descriptor = descendant.get("/FontDescriptor")
                    if descriptor is not None and "/FontFile2" in descriptor and "/ToUnicode" in font:
                        names.add(str(descendant.BaseFont))
    return names


def _views(web: Web) -> list[tuple[str, str | None, str]]:
    with web.archive.sessions() as session:
        return [(e.actor, e.object, json.loads(e.details)["format"]) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == "report.view").order_by(AuditEntry.seq))]


def _damaged_record(web: Web) -> tuple[int, str]:
    """A restricted record whose master was checked once (intact), then damaged and checked again."""
    record = make_record(web.archive, AGENCY_A, Mode.RESTRICTED, ["Quyết định phê duyệt"], number="41",
                         subject="Về việc phê duyệt kế hoạch")
    with web.archive.sessions() as session:
        master = session.scalars(select(Bitstream).where(Bitstream.original_filename == "vn003.pdf")).one()
        key, master_id = master.storage_key, master.id
    assert check_object(web.archive, master_id).status == "ok"
    path = web.archive.settings.objects_dir / key
    os.chmod(path, 0o644)
    with open(path, "r+b") as fh:
        fh.seek(100)
        fh.write(b"\x00\x01\x02")
    assert check_object(web.archive, master_id).status == "unrecoverable"  # one location: nothing to repair from
    return record, key


def test_auditor_reports_show_coverage_failures_custody_and_reconciliation(web: Web) -> None:
    record, key = _damaged_record(web)
    web.archive.store.put("derivatives/stray/orphan.txt", io.BytesIO(b"no catalog row names this"))
    auditor = web.sign_in("auditor-a")

    home = auditor.get("/").get_data(as_text=True)
    assert 'id="nav-reports"' in home and "Báo cáo kiểm tra" in home
    index = auditor.get("/reports").get_data(as_text=True)
    for path in ("/reports/fixity", "/reports/failures", "/reports/reconciliation", "/reports/fixity.pdf",
                 "/reports/failures.csv"):
        assert f'href="{path}"' in index

    fixity = auditor.get("/reports/fixity")
    page = fixity.get_data(as_text=True)
    assert fixity.status_code == 200 and "Độ bao phủ kiểm tra toàn vẹn" in page
    assert "1/3 bản sao (33,3%) đã kiểm tra trong chu kỳ 90 ngày hiện tại" in page
    histogram = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td>", page)
    assert histogram == [("dưới 1 ngày", "1"), ("1–7 ngày", "0"), ("7–30 ngày", "0"), ("30–90 ngày", "0"),
                         ("90–365 ngày", "0"), ("từ 365 ngày trở lên", "0"), ("chưa kiểm tra lần nào", "2")]
    assert '<meter min="0" max="3" value="1"' in page and "<script" not in page.split("<main>")[1]
    assert VI_DATE.search(page)
    english = auditor.get("/reports/fixity?lang=en").get_data(as_text=True)
    assert "Time since last verification — primary" in english and ">never</td>" in english

    failures = auditor.get("/reports/failures").get_data(as_text=True)
    assert "bản sao hỏng hoặc mất" in failures and "KHÔNG KHÔI PHỤC ĐƯỢC" in failures and key in failures
    assert f'href="/records/{record}/custody"' in failures, "a failure links to the record's chain of custody"
    assert VI_DATE.search(failures)

    record_page = auditor.get(f"/records/{record}").get_data(as_text=True)
    assert f'id="custody-link" href="/records/{record}/custody"' in record_page
    assert 'id="custody-link"' not in web.sign_in("archivist-a").get(f"/records/{record}").get_data(as_text=True)
    custody = auditor.get(f"/records/{record}/custody").get_data(as_text=True)
    assert "Lịch sử lưu giữ tài liệu" in custody and "fix — Kiểm tra tính toàn vẹn" in custody
    assert "thành công" in custody and "thất bại" in custody  # the check that passed, then the one that failed
    assert "fixity.unrecoverable — KHÔNG KHÔI PHỤC ĐƯỢC" in custody
    assert "record.view" in custody and "auditor-a" in custody, "reading the record is part of its custody"

    reconciliation = auditor.get("/reports/reconciliation").get_data(as_text=True)
    assert "mồ côi (không có trong mục lục)" in reconciliation and "derivatives/stray/orphan.txt" in reconciliation
    assert "Catalog, index and storage reconciliation" in auditor.get(
        "/reports/reconciliation?lang=en").get_data(as_text=True)
    assert auditor.get("/records/999999/custody").status_code == 404
    assert auditor.get("/reports/fixity.xlsx").status_code == 404


def test_reports_download_as_csv_and_as_pdf_with_vietnamese_text(web: Web) -> None:
    record, key = _damaged_record(web)
    admin = web.sign_in("admin-a")

    exported = admin.get("/reports/failures.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert "attachment" in exported.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert rows[0] == ["Số", "Thời điểm (UTC)", "Sự việc", "Đối tượng", "Tài liệu", "Chi tiết"]
    assert [r[2] for r in rows[1:]] == ["bản sao hỏng hoặc mất", "KHÔNG KHÔI PHỤC ĐƯỢC"]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r[1]) for r in rows[1:]), "CSV times sort"
    assert rows[1][4] == str(record) and key in rows[1][5]
    english = admin.get("/reports/fixity.csv?lang=en").data.decode("utf-8-sig")
    assert english.splitlines()[0] == "Location,Group,Copies,Share,Chart"

    for path, words in ((f"/records/{record}/custody.pdf", ("Lịch sử lưu giữ tài liệu", "Kiểm tra tính toàn vẹn",
                                                             "thất bại", "KHÔNG KHÔI PHỤC ĐƯỢC")),
                        ("/reports/fixity.pdf", ("Độ bao phủ kiểm tra toàn vẹn", "chưa kiểm tra lần nào",
                                                 "đã kiểm tra trong chu kỳ 90 ngày hiện tại")),
                        ("/reports/failures.pdf", ("Lỗi toàn vẹn và sửa chữa", "bản sao hỏng hoặc mất")),
                        ("/reports/reconciliation.pdf", ("Đối chiếu mục lục, chỉ mục và kho",))):
        response = admin.get(path)
        assert response.status_code == 200 and response.mimetype == "application/pdf", path
        assert response.data.startswith(b"%PDF-")
        text = _pdf_text(response.data)
        for word in words:
            assert word in text, (path, word)
        assert VI_DATE.search(text), "made at, as a Vietnamese date"
        assert any("DejaVuSans" in name for name in _embedded_fonts(response.data)), "a Unicode font, embedded"
    assert "Fixity failures and repairs" in _pdf_text(admin.get("/reports/failures.pdf?lang=en").data)


def test_only_auditors_and_administrators_read_reports_and_every_read_is_audited(web: Web) -> None:
    record, _ = _damaged_record(web)
    for name in ("archivist-a", "official-a", "archivist-b"):
        client = web.sign_in(name)
        for path in ("/reports", "/reports/fixity", "/reports/failures.pdf", f"/records/{record}/custody.csv"):
            assert client.get(path).status_code == 403, (name, path)
        account = AccountService(web.archive).by_username(name)
        assert account is not None
        with pytest.raises(ReportRefused):  # the service refuses too, whoever calls it
            ReportService(web.archive, account)
    auditor = web.sign_in("auditor-b")  # another agency's auditor: reports cover every agency
    assert auditor.get("/reports/fixity").status_code == 200
    assert auditor.get("/reports/fixity.csv").status_code == 200
    assert auditor.get(f"/records/{record}/custody.pdf").status_code == 200
    assert auditor.get("/reports").status_code == 200
    assert _views(web) == [("auditor-b", "report:fixity", "html"), ("auditor-b", "report:fixity", "csv"),
                           ("auditor-b", f"document:{record}", "pdf")]
    with web.archive.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "report.view")).first()
        assert entry is not None and entry.agency == "000.00.00.B02" and entry.ip
