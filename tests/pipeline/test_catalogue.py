"""The catalogue spreadsheet (CSV or XLSX, TT 05 column names) files documents into dossiers and wins
over extracted metadata; a bad one is refused with every problem named by row and column."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from archive.batches import BatchService
from archive.catalog import BatchItem, Document, Dossier, IngestBatch
from archive.catalog.codes import Maintenance, Mode, PhysicalCondition, TypeName
from archive.catalogue import CatalogueError, read_catalogue
from archive.factory import Archive
from tests.pipeline.badfiles import CORPUS
from tests.pipeline.conftest import RunBatch

COLUMNS = ["fileName", "fileCode", "title", "maintenance", "mode", "typeName", "codeNumber", "codeNotation",
           "issuedDate", "subject"]
DOSSIER_TITLE = "Hồ sơ kế hoạch, chỉ thị năm 2016"   # a comma inside a quoted CSV cell


def write_csv(path: Path, rows: list[list[str]], columns: list[str] = COLUMNS) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def documents_by_file(archive: Archive, batch_id: int) -> dict[str, Document]:
    with archive.sessions(expire_on_commit=False) as session:
        rows = session.execute(select(BatchItem.original_name, Document).join(Document, BatchItem.document_id == Document.id)
                               .where(BatchItem.batch_id == batch_id)).all()
        return {name: document for name, document in rows}


def source(document: Document, column: str) -> str:
    return document.field_provenance[column]["source"]


def test_csv_catalogue_files_documents_and_its_values_win(archive: Archive, run_batch: RunBatch, tmp_path: Path) -> None:
    catalogue = write_csv(tmp_path / "bang-ke.csv", [
        ["vn003.pdf", "HS.2016.01", DOSSIER_TITLE, "01", "02", "Kế hoạch", "19", "KH-BANKE", "01/02/2016",
         "Trích yếu theo bảng kê"],
        # Only the dossier: the document's own fields are left to extraction.
        ["vn008.pdf", "HS.2016.01", DOSSIER_TITLE, "", "", "", "", "", "", ""],
    ])
    report = run_batch(CORPUS / "vn003.pdf", CORPUS / "vn008.pdf", catalogue_path=catalogue)
    assert [i["state"] for i in report.items] == ["archived", "archived"], report.items

    with archive.sessions() as session:
        [dossier] = session.scalars(select(Dossier)).all()
        assert (dossier.file_code, dossier.title, dossier.maintenance, dossier.mode) == (
            "HS.2016.01", DOSSIER_TITLE, Maintenance.PERMANENT, Mode.RESTRICTED)
    documents = documents_by_file(archive, report.id)
    given, extracted = documents["vn003.pdf"], documents["vn008.pdf"]
    assert given.dossier_id == extracted.dossier_id == dossier.id

    # The catalogue's values, not what the text says (1905/KH-UBND of 31/01/2016), recorded as such.
    assert (given.code_number, given.code_notation, given.issued_date, given.subject) == (
        "19", "KH-BANKE", date(2016, 2, 1), "Trích yếu theo bảng kê")
    assert given.type_name == TypeName.lookup("Kế hoạch") and given.type_label == "Kế hoạch"
    assert (given.maintenance, given.mode) == (Maintenance.PERMANENT, Mode.RESTRICTED)
    for column in ("code_number", "code_notation", "issued_date", "subject", "type_name", "maintenance", "mode"):
        assert source(given, column) == "catalogue", column
        assert given.field_provenance[column]["confidence"] == 1.0
    assert source(given, "signer_full_name") == "extracted"   # what the catalogue did not give

    # Without catalogue values, the extracted ones stay, and say so.
    assert (extracted.code_number, extracted.code_notation, extracted.issued_date) == ("306", "CT-SNV", date(2023, 6, 14))
    for column in ("code_number", "code_notation", "issued_date", "subject"):
        assert source(extracted, column) == "extracted", column


def test_xlsx_catalogue_works_the_same_and_reuses_an_existing_dossier(
        archive: Archive, run_batch: RunBatch, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "bang-ke.csv", [["vn003.pdf", "HS.2016.01", DOSSIER_TITLE, "01", "01", "", "", "", "", ""]])
    run_batch(CORPUS / "vn003.pdf", catalogue_path=first)

    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    # The same dossier under another title (kept as it is), and a new one; a real date cell.
    sheet.append(["vn010.pdf", "HS.2016.01", "Tiêu đề khác", "01", "01", "Thông báo", "2777", "TB-BANKE",
                   datetime(2024, 9, 30), "Thông báo theo bảng kê Excel"])
    sheet.append(["vn008.pdf", "HS.2023.07", "Hồ sơ chỉ thị 2023", "04", "01", None, None, None, None, None])
    path = tmp_path / "bang-ke.xlsx"
    book.save(path)
    report = run_batch(CORPUS / "vn010.pdf", CORPUS / "vn008.pdf", catalogue_path=path)
    assert [i["state"] for i in report.items] == ["archived", "archived"], report.items

    with archive.sessions() as session:
        dossiers = {d.file_code: d for d in session.scalars(select(Dossier))}
        assert set(dossiers) == {"HS.2016.01", "HS.2023.07"}
        assert dossiers["HS.2016.01"].title == DOSSIER_TITLE            # never altered by a later sheet
        assert dossiers["HS.2023.07"].maintenance == Maintenance.YEARS_30
    documents = documents_by_file(archive, report.id)
    notice = documents["vn010.pdf"]
    assert notice.dossier_id == dossiers["HS.2016.01"].id
    assert (notice.code_number, notice.code_notation, notice.issued_date, notice.subject) == (
        "2777", "TB-BANKE", date(2024, 9, 30), "Thông báo theo bảng kê Excel")
    assert notice.type_name == TypeName.lookup("Thông báo")
    assert all(source(notice, c) == "catalogue" for c in ("code_number", "code_notation", "issued_date", "subject"))
    assert documents["vn008.pdf"].dossier_id == dossiers["HS.2023.07"].id
    assert source(documents["vn008.pdf"], "code_number") == "extracted"


def test_bad_catalogue_is_refused_with_every_problem_and_nothing_is_stored(archive: Archive, tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "bang-ke-loi.csv", [
        ["vn003.pdf", "HS.1", "Hồ sơ 1", "09", "01", "", "", "", "", ""],
        ["vn008.pdf", "", "", "", "", "", "", "", "31/02/2024", ""],
        ["vn010.pdf", "", "", "", "", "", "", "", "", "x" * 501],
    ])
    service = BatchService(archive)
    files = [CORPUS / "vn003.pdf", CORPUS / "vn008.pdf", CORPUS / "vn010.pdf"]
    with pytest.raises(CatalogueError) as refused:
        service.submit(files, catalogue_path=bad)
    problems = refused.value.problems
    assert len(problems) == 3, problems
    assert problems[0].startswith("dòng/row 2, cột/column maintenance: maintenance='09'") and "Maintenance" in problems[0]
    assert problems[1].startswith("dòng/row 3, cột/column issuedDate: issuedDate='31/02/2024'")
    assert "DD/MM/YYYY" in problems[1]
    assert problems[2].startswith("dòng/row 4, cột/column subject: subject dài 501 ký tự, tối đa 500")

    no_name = write_csv(tmp_path / "khong-ten-tep.csv", [["HS.1", "Hồ sơ 1"]], columns=["fileCode", "title"])
    with pytest.raises(CatalogueError) as refused:
        service.submit(files, catalogue_path=no_name)
    assert "no file-name column" in refused.value.problems[0] and "fileName" in refused.value.problems[0]

    # A row naming a file that is not in the batch would silently lose its metadata.
    mistyped = write_csv(tmp_path / "sai-ten.csv", [["vn03.pdf", "HS.1", "Hồ sơ 1", "01", "", "", "", "", "", ""]])
    with pytest.raises(CatalogueError) as refused:
        service.submit(files, catalogue_path=mistyped)
    assert refused.value.problems == ["tệp/file vn03.pdf: có trong bảng kê nhưng không có trong lô / listed in "
                                      "the catalogue but not among the files submitted."]

    assert list(archive.store.list()) == []
    with archive.sessions() as session:
        assert session.scalar(select(func.count()).select_from(IngestBatch)) == 0
        assert session.scalar(select(func.count()).select_from(Dossier)) == 0


TT02_COLUMNS = ["Tên tệp", "Mã hồ sơ", "Tiêu đề hồ sơ", "Thời hạn bảo quản", "Chế độ sử dụng", "Tên loại", "Số",
                "Ký hiệu", "Ngày tháng năm", "Trích yếu", "Số lượng trang", "Tình trạng vật lý", "Mức độ tin cậy"]


def test_tt02_2019_export_is_read_through_the_legacy_profile(tmp_path: Path) -> None:
    # An old system's export: TT 02 column names (one without accents, as such exports often are) and
    # TT 02 wording of the codes ("Hạn chế" is TT 05's "Sử dụng có điều kiện").
    columns = [*TT02_COLUMNS[:6], "So", *TT02_COLUMNS[7:]]
    path = write_csv(tmp_path / "xuat-tt02.csv", [
        ["vn003.pdf", "HS.2016.01", DOSSIER_TITLE, "Vĩnh viễn", "Hạn chế", "Kế hoạch", "19", "KH-BANKE",
         "01/02/2016", "Trích yếu theo bảng kê", "2", "Tốt", "Bản chính"]], columns)
    catalogue = read_catalogue(path)
    assert catalogue.profile == "TT 02/2019" and catalogue.not_imported == ["Mức độ tin cậy"]
    assert catalogue.row_for("vn003.pdf") == {
        "fileCode": "HS.2016.01", "title": DOSSIER_TITLE, "maintenance": "01", "mode": "02", "typeName": TypeName.lookup("Kế hoạch").value,
        "codeNumber": "19", "codeNotation": "KH-BANKE", "issuedDate": "2016-02-01",
        "subject": "Trích yếu theo bảng kê", "numberOfPage": 2, "format": "01"}


def test_tt02_2019_values_are_validated_like_any_other(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "xuat-tt02.csv", [
        ["vn003.pdf", "HS.1", "Hồ sơ", "Tạm thời", "Hạn chế", "Kế hoạch", "19", "KH", "31/02/2016", "x", "2", "", ""]],
        TT02_COLUMNS)
    with pytest.raises(CatalogueError) as refused:
        read_catalogue(path)
    assert any("maintenance='Tạm thời'" in p for p in refused.value.problems), refused.value.problems
    assert any("issuedDate='31/02/2016'" in p for p in refused.value.problems), refused.value.problems


def test_tt02_2019_export_files_documents_like_a_tt05_catalogue(
        archive: Archive, run_batch: RunBatch, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "xuat-tt02.csv", [
        ["vn003.pdf", "HS.2016.01", DOSSIER_TITLE, "Vĩnh viễn", "Hạn chế", "Kế hoạch", "19", "KH-BANKE",
         "01/02/2016", "Trích yếu theo bảng kê", "2", "Tốt", "Bản chính"]], TT02_COLUMNS)
    report = run_batch(CORPUS / "vn003.pdf", catalogue_path=path)
    assert [i["state"] for i in report.items] == ["archived"], report.items
    document = documents_by_file(archive, report.id)["vn003.pdf"]
    assert (document.code_number, document.code_notation, document.issued_date, document.mode, document.format) == (
        "19", "KH-BANKE", date(2016, 2, 1), Mode.RESTRICTED, PhysicalCondition.GOOD)
    assert source(document, "code_number") == "catalogue"
