"""`luutru audit …`, `luutru verify`, `luutru replicate` and `luutru report …`: thin over the integrity services."""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from archive.audit import cli_actor, export_log, verify_log, write_checkpoint
from archive.audit.checkpoints import ChainBroken
from archive.audit.export import key_fingerprint
from archive.audit.signing import SigningKeyError
from archive.cli import Context, main, pass_ctx
from archive.integrity.fixity import select_bitstreams, verify_selection

_AGE = re.compile(r"(\d+)\s*([dhm])")
STATUS_VI = {"ok": "nguyên vẹn", "repaired": "đã sửa từ bản sao tốt", "unrecoverable": "KHÔNG KHÔI PHỤC ĐƯỢC",
             "unchecked": "chưa kiểm tra được (kho không trả lời)"}
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def _say(ctx: Context, vi: str, en: str, err: bool = False) -> None:
    click.echo(vi if ctx.lang == "vi" else en, err=err)


def _key_error(ctx: Context, exc: SigningKeyError) -> None:
    _say(ctx, f"Không dùng được khóa ký nhật ký kiểm tra: {exc}", f"The audit signing key cannot be used: {exc}", True)
    sys.exit(2)


def parse_age(text: str) -> timedelta:
    match = _AGE.fullmatch(text.strip())
    if not match:
        raise click.BadParameter(f"{text!r}: give an age such as 30d, 12h or 90m.")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


# -- audit -----------------------------------------------------------------------------------------


@main.group()
def audit() -> None:
    """The tamper-evident audit log: verify, export, checkpoint."""


@audit.command("verify")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def audit_verify(ctx: Context, as_json: bool) -> None:
    """Recompute the hash chain and check it against the signed checkpoints; exit 1 and name the first bad entry."""
    try:
        report = verify_log(ctx.archive)
    except SigningKeyError as exc:
        _key_error(ctx, exc)
    if as_json:
        click.echo(json.dumps({"ok": report.ok, "entries": report.entries, "head": report.head,
                               "checkpoints": report.checkpoints,
                               "problems": [p.__dict__ for p in report.problems]}, ensure_ascii=False, indent=2))
    elif report.ok:
        _say(ctx, f"Nhật ký toàn vẹn: {report.entries} mục, {report.checkpoints} điểm kiểm tra đã ký, đầu chuỗi "
                  f"{report.head}", f"Audit log intact: {report.entries} entries, {report.checkpoints} signed "
                                    f"checkpoints, head {report.head}")
    else:
        first = report.problems[0]
        _say(ctx, f"NHẬT KÝ BỊ CAN THIỆP — {first.message}", f"AUDIT LOG TAMPERED — {first.message}", True)
        for problem in report.problems[1:20]:
            click.echo(f"  - {problem.message}", err=True)
        if len(report.problems) > 20:
            click.echo(f"  … {len(report.problems) - 20} more", err=True)
        _say(ctx, "Hãy lưu lại bản xuất gần nhất và báo cáo sự cố cho người phụ trách an toàn thông tin.",
             "Keep the latest export and report the incident to the security officer.", True)
    sys.exit(0 if report.ok else 1)


@audit.command("export")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@pass_ctx
def audit_export(ctx: Context, out: Path) -> None:
    """Write the log, a signed checkpoint, the public key and the procedure into the folder OUT."""
    try:
        count, head = export_log(ctx.archive, out)
    except SigningKeyError as exc:
        _key_error(ctx, exc)
    except ChainBroken as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    from archive.audit import record

    record(ctx.archive, "audit.export", actor=cli_actor(), details={"entries": count, "head": head})
    _say(ctx, f"Đã xuất {count} mục vào {out}; kiểm tra theo {out / 'VERIFY.md'} (bash verify.sh).",
         f"Exported {count} entries to {out}; verify with {out / 'VERIFY.md'} (bash verify.sh).")


@audit.command("checkpoint")
@pass_ctx
def audit_checkpoint(ctx: Context) -> None:
    """Sign the current head of the log and write it to object storage now."""
    try:
        checkpoint = write_checkpoint(ctx.archive)
    except SigningKeyError as exc:
        _key_error(ctx, exc)
    except ChainBroken as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    if checkpoint is None:
        _say(ctx, "Nhật ký còn trống; chưa có gì để ký.", "The log is empty; nothing to sign yet.")
    else:
        click.echo(f"{checkpoint.seq} {checkpoint.head}")


@audit.command("key")
@pass_ctx
def audit_key(ctx: Context) -> None:
    """Print the SHA-256 fingerprint of the audit public key, to publish for auditors."""
    try:
        click.echo(key_fingerprint(ctx.archive))
    except SigningKeyError as exc:
        _key_error(ctx, exc)


# -- fixity and replication ------------------------------------------------------------------------


@main.command("verify")
@click.option("--all", "everything", is_flag=True, help="Every stored object (the default).")
@click.option("--record", "record_id", type=int, help="Only the objects of this record (document id).")
@click.option("--older-than", "older_than", help="Only copies not verified for this long, e.g. 30d.")
@click.option("--no-repair", is_flag=True, help="Report bad copies without repairing them.")
@click.option("--bandwidth", type=int, help="Read at most this many bytes per second (one object at a time).")
@click.option("--jobs", type=int, default=0, help="Objects read at once (default: one per core).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line, then a summary.")
@pass_ctx
def verify_cmd(ctx: Context, everything: bool, record_id: int | None, older_than: str | None, no_repair: bool,
               bandwidth: int | None, jobs: int, as_json: bool) -> None:
    """Re-hash every copy of the selected objects against the catalog; exit 1 if any copy failed."""
    if sum(bool(x) for x in (everything, record_id is not None, older_than)) > 1:
        raise click.UsageError("Give one of --all, --record, --older-than.")
    archive = ctx.archive
    query = select_bitstreams(record=record_id, older_than=parse_age(older_than) if older_than else None)
    with archive.sessions() as session:
        ids = list(session.scalars(query))
    counts: dict[str, int] = {}
    for result in verify_selection(archive, ids, repair=not no_repair, actor=cli_actor(), bandwidth=bandwidth,
                                   jobs=jobs or os.cpu_count() or 1):
        counts[result.status] = counts.get(result.status, 0) + 1
        if as_json:
            click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        elif result.status != "ok":
            label = STATUS_VI[result.status] if ctx.lang == "vi" else result.status.upper()
            click.echo(f"{label}: {result.key}")
            for copy in result.copies:
                click.echo(f"    {copy.message}")
    ocfl = (_ocfl_findings(archive, not no_repair) if record_id is None
            else _package_findings(archive, record_id, not no_repair))
    failed = sum(n for status, n in counts.items() if status != "ok") + sum(len(f) for f in ocfl.values())
    summary = {"objects": len(ids), "by_status": counts, "ocfl_findings": ocfl, "ok": failed == 0}
    if as_json:
        click.echo(json.dumps({"summary": summary}, ensure_ascii=False))
    else:
        for location, findings in ocfl.items():
            for finding in findings:
                click.echo(f"OCFL {location}: {finding}")
        _say(ctx, f"Đã kiểm tra {len(ids)} đối tượng: " + ", ".join(f"{STATUS_VI[k]} {v}" for k, v in counts.items()),
             f"Verified {len(ids)} objects: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    sys.exit(0 if failed == 0 else 1)


def _ocfl_findings(archive: Any, repair: bool) -> dict[str, list[str]]:
    """Validate the OCFL storage root in every location; repair a damaged location from a clean one."""
    from archive.integrity.ocfl import check_ocfl

    return check_ocfl(archive, repair=repair, actor=cli_actor())


def _package_findings(archive: Any, record_id: int, repair: bool) -> dict[str, list[str]]:
    """Validate the record's own OCFL object in every location (as the paced tick does), repairing it."""
    from archive.integrity.ocfl import check_package

    found: dict[str, list[str]] = {}
    for location in archive.locations():
        result = check_package(archive, record_id, location, repair=repair, actor=cli_actor())
        if result is not None and result.status != "ok":
            found[location] = [f"{finding} — {result.status}" for finding in result.findings]
    return found


@main.command("replicate")
@click.option("--limit", type=int, default=100_000, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def replicate_cmd(ctx: Context, limit: int, as_json: bool) -> None:
    """Copy every object not yet in the replica location there, and verify each copy."""
    from archive.integrity.replication import replicate

    if ctx.archive.replica is None:
        _say(ctx, "Chưa cấu hình bản sao thứ hai: đặt LUUTRU_REPLICA_DIR hoặc LUUTRU_REPLICA_S3_*.",
             "No replica location is configured: set LUUTRU_REPLICA_DIR or LUUTRU_REPLICA_S3_*.", True)
        sys.exit(2)
    report = replicate(ctx.archive, limit=limit)
    if as_json:
        click.echo(json.dumps(report.__dict__, ensure_ascii=False, indent=2))
    else:
        _say(ctx, f"Đã sao {len(report.copied)}, đã có sẵn {len(report.already_there)}, lỗi {len(report.failed)}",
             f"Copied {len(report.copied)}, already there {len(report.already_there)}, failed {len(report.failed)}")
        for key, why in report.failed.items():
            click.echo(f"  {key}: {why}", err=True)
    sys.exit(0 if not report.failed else 1)


# -- reports ---------------------------------------------------------------------------------------


@main.group()
def report() -> None:
    """Auditor reports: fixity coverage, failures and repairs, chain of custody, reconciliation."""


def _emit(ctx: Context, name: str, rows: list[dict[str, Any]], csv_path: Path | None, as_json: bool, title: str,
          pdf_path: Path | None = None, record_id: int | None = None) -> None:
    """Print the rows (or JSON), write the CSV and PDF asked for, and record the read in the audit log
    like a report viewed on the web."""
    from archive.audit import record
    from archive.integrity.auditor import build, target_of

    fmt = "pdf" if pdf_path is not None else "csv" if csv_path is not None else "json" if as_json else "text"
    if pdf_path is not None:
        from archive.fonts import FontMissing

        try:
            pdf_path.write_bytes(build(ctx.archive, name, ctx.lang, record_id=record_id,
                                       made_by=cli_actor()).pdf_bytes())
        except FontMissing as exc:
            _say(ctx, f"Chưa lập được PDF: {exc}", f"The PDF cannot be made: {exc}", True)
            sys.exit(2)
    if csv_path is not None:
        with open(csv_path, "w", newline="", encoding="utf-8-sig") as fh:
            if rows:
                writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
    record(ctx.archive, "report.view", actor=cli_actor(), object=target_of(name, record_id),
           details={"report": name, "format": fmt, "rows": len(rows)})
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    click.echo(title)
    for row in rows:
        click.echo("  " + " | ".join(f"{v}" for v in row.values()))


def _report_options(f: Any) -> Any:
    f = click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write PDF.")(f)
    f = click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write CSV.")(f)
    return click.option("--json", "as_json", is_flag=True)(f)


@report.command("fixity")
@_report_options
@pass_ctx
def report_fixity(ctx: Context, csv_path: Path | None, pdf_path: Path | None, as_json: bool) -> None:
    """Coverage of the current cycle per location, and a histogram of time since last verification."""
    from archive.integrity.reports import fixity_coverage

    _emit(ctx, "fixity", fixity_coverage(ctx.archive), csv_path, as_json, "location | bucket | copies", pdf_path)


@report.command("failures")
@_report_options
@pass_ctx
def report_failures(ctx: Context, csv_path: Path | None, pdf_path: Path | None, as_json: bool) -> None:
    """Every fixity failure, repair and unrecoverable object, from the audit log."""
    from archive.integrity.reports import failures_and_repairs

    _emit(ctx, "failures", failures_and_repairs(ctx.archive), csv_path, as_json,
          "seq | time | action | object | details", pdf_path)


@report.command("custody")
@click.argument("record_id", type=int)
@_report_options
@pass_ctx
def report_custody(ctx: Context, record_id: int, csv_path: Path | None, pdf_path: Path | None,
                   as_json: bool) -> None:
    """Chain of custody of one record: every PREMIS event and audit entry, in time order."""
    from archive.integrity.reports import chain_of_custody

    try:
        rows = chain_of_custody(ctx.archive, record_id)
    except LookupError:
        _say(ctx, f"Không có hồ sơ/tài liệu số {record_id}.", f"There is no record {record_id}.", True)
        sys.exit(2)
    _emit(ctx, "custody", rows, csv_path, as_json, "time | source | what | outcome | detail", pdf_path, record_id)


@report.command("reconcile")
@_report_options
@pass_ctx
def report_reconcile(ctx: Context, csv_path: Path | None, pdf_path: Path | None, as_json: bool) -> None:
    """Catalog vs search index vs every storage location: orphans, missing objects, stale index entries."""
    from archive.integrity.reports import reconcile

    rows = reconcile(ctx.archive)
    _emit(ctx, "reconciliation", rows, csv_path, as_json, "kind | location | name", pdf_path)
    sys.exit(0 if not rows else 1)
