"""`luutru ingest`, `luutru batch status|list|retry` on the embedded profile, as an archivist uses them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import select

from archive.catalog import BatchItem
from archive.cli import main
from archive.factory import Archive
from tests.pipeline.badfiles import CORPUS, eicar


def luutru(env: dict[str, str], *args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def summary_rows(output: str) -> dict[str, str]:
    """File name → the rest of its row in the summary table."""
    rows = {}
    for line in output.splitlines():
        parts = line.split(maxsplit=2)
        if len(parts) == 3 and parts[0].isdigit():
            rows[parts[1]] = parts[2]
    return rows


def test_ingest_wait_summary_exit_codes_status_list_and_retry(
        tmp_path: Path, archive: Archive, embedded_env: dict[str, str]) -> None:
    virus = eicar(tmp_path / "virus.txt")

    # Vietnamese by default; a quarantined file makes the exit code 1.
    result = luutru(embedded_env, "ingest", CORPUS / "vn003.pdf", virus, "--batch-name", "Lô sáng", "--wait")
    assert result.exit_code == 1, (result.output, result.exception)
    assert "Traceback" not in result.output
    header = next(line for line in result.stdout.splitlines() if line.strip().startswith("#"))
    assert header.split() == ["#", "Tệp", "Trạng", "thái", "Ghi", "chú"]
    rows = summary_rows(result.stdout)
    assert rows["vn003.pdf"].startswith("Đã lưu trữ") and rows["vn003.pdf"].rstrip().endswith("Đã lưu trữ.")
    assert rows["virus.txt"].startswith("Đã cách ly") and "Tệp nhiễm mã độc" in rows["virus.txt"]
    assert "[████████████✗✗✗✗✗✗✗✗✗✗✗✗] 2/2 xong (1 lưu trữ, 0 trùng, 1 lỗi)" in result.stderr   # the progress bar
    first = 1

    # --lang en: English throughout; everything archived makes the exit code 0.
    result = luutru(embedded_env, "--lang", "en", "ingest", CORPUS / "vn008.pdf", "--wait")
    assert result.exit_code == 0, (result.output, result.exception)
    header = next(line for line in result.stdout.splitlines() if line.strip().startswith("#"))
    assert header.split() == ["#", "File", "State", "Message"]
    assert summary_rows(result.stdout)["vn008.pdf"].split() == ["archived", "Archived."]
    assert "1/1 done (1 archived, 0 duplicate, 0 failed)" in result.stderr
    second = 2

    # Without --wait: only the batch id, at once; the items wait for a worker.
    result = luutru(embedded_env, "ingest", CORPUS / "vn010.pdf")
    assert result.exit_code == 0 and result.stdout.strip() == "3", result.output
    with archive.sessions() as session:
        assert session.scalars(select(BatchItem.state).where(BatchItem.batch_id == 3)).one().value == "received"

    # batch status --json: valid JSON with every item.
    result = luutru(embedded_env, "batch", "status", str(first), "--json")
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert (status["id"], status["name"], status["status"], status["total"]) == (first, "Lô sáng", "completed_with_errors", 2)
    assert [(i["ordinal"], i["name"], i["state"]) for i in status["items"]] == [
        (1, "vn003.pdf", "archived"), (2, "virus.txt", "quarantined")]
    assert status["items"][1]["failure_code"] == "infected" and "EICAR" in status["items"][1]["message_en"].upper()

    # batch status, for people.
    result = luutru(embedded_env, "--lang", "en", "batch", "status", str(second))
    assert result.exit_code == 0 and "completed" in result.stdout and "vn008.pdf" in result.stdout

    # batch list: newest first, with progress.
    result = luutru(embedded_env, "batch", "list")
    assert result.exit_code == 0, result.output
    lines = [line.split(maxsplit=3) for line in result.stdout.splitlines()]
    assert [(int(n), s, d) for n, s, d, _ in lines] == [
        (3, "processing", "0/1"), (second, "completed", "1/1"), (first, "completed_with_errors", "2/2")]
    assert lines[2][3] == "Lô sáng"

    # batch retry --item: only the named item, and only if it failed or was quarantined.
    result = luutru(embedded_env, "batch", "retry", str(first), "--item", "1")
    assert result.exit_code == 0 and result.stdout.strip() == "Đã đưa lại 0 tệp vào hàng đợi"
    result = luutru(embedded_env, "--lang", "en", "batch", "retry", str(first), "--item", "2")
    assert result.exit_code == 0 and result.stdout.strip() == "1 item(s) queued again"
    with archive.sessions() as session:
        retried = session.scalars(select(BatchItem).where(BatchItem.batch_id == first, BatchItem.ordinal == 2)).one()
        assert (retried.state.value, retried.attempts, retried.failure_code) == ("received", 0, None)
    status = json.loads(luutru(embedded_env, "batch", "status", str(first), "--json").stdout)
    assert status["status"] == "processing" and status["items"][0]["state"] == "archived"

    result = luutru(embedded_env, "batch", "status", "99")
    assert result.exit_code == 2 and "Không có lô số 99" in result.stderr and "Traceback" not in result.output


def test_bad_catalogue_exits_2_naming_rows_and_columns(
        tmp_path: Path, archive: Archive, embedded_env: dict[str, str]) -> None:
    catalogue = tmp_path / "bang-ke.csv"
    catalogue.write_text("fileName,fileCode,title,maintenance,issuedDate\n"
                         "vn003.pdf,HS.1,Hồ sơ,09,\n"
                         "vn008.pdf,,,,31/02/2024\n", encoding="utf-8")
    result = luutru(embedded_env, "ingest", CORPUS / "vn003.pdf", CORPUS / "vn008.pdf", "--catalogue", catalogue,
                    "--wait")
    assert result.exit_code == 2, (result.output, result.exception)
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert "Bảng kê bang-ke.csv có lỗi; chưa tiếp nhận tệp nào" in result.stderr
    assert "dòng/row 2, cột/column maintenance: maintenance='09'" in result.stderr
    assert "dòng/row 3, cột/column issuedDate: issuedDate='31/02/2024'" in result.stderr
    assert list(archive.store.list()) == []

    result = luutru(embedded_env, "--lang", "en", "ingest", tmp_path / "khong-co.pdf")
    assert result.exit_code == 2 and f"{tmp_path / 'khong-co.pdf'} does not exist; check the path." in result.stderr
