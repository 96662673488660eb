"""`luutru export`, `luutru rebuild --from-storage` and `luutru describe`: the archival-package commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from archive.catalog import Document
from archive.catalog.db import upgrade as db_upgrade
from archive.cli import Context, main, pass_ctx
from archive.describe import FIELDS, CorrectionRefused, as_text, correct, history
from archive.exports import DipRequest, RecordNotFound, export_record, find_package
from archive.packaging import PackagingUnavailable
from archive.rebuild import RebuildRefused, rebuild_from_storage
from ingest.package import PackageError
from storage import StorageError


def _fail(vi: str, en: str, lang: str, details: list[str] | None = None) -> None:
    click.echo(vi if lang == "vi" else en, err=True)
    for line in (details or [])[:50]:
        click.echo(f"  - {line}", err=True)
    sys.exit(2)


@main.command("export")
@click.argument("record")
@click.option("--format", "fmt", type=click.Choice(["aip", "dip", "bag"]), default="aip", show_default=True,
              help="aip: the stored TT 05 AIP; dip: an access copy for a request; bag: the AIP as a BagIt bag.")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--request-id", help="DIP: the access request's code (default DIP-<date>-<record>).")
@click.option("--purpose", default="02", show_default=True,
              help="DIP: TT 05 purpose code (01 cá nhân, 02 công vụ, 03 công vụ đặc biệt).")
@click.option("--fee-object-type", default="01", show_default=True, help="DIP: TT 05 fee object type (01–10).")
@click.option("--reader", default="luutru", show_default=True, help="DIP: who the copy is issued to.")
@pass_ctx
def export_cmd(ctx: Context, record: str, fmt: str, out: Path, request_id: str | None, purpose: str,
               fee_object_type: str, reader: str) -> None:
    """Write RECORD's package (id, document code or urn:uuid) to OUT.zip as an AIP, a DIP or a BagIt bag."""
    request = DipRequest(request_id or f"DIP-{record}", purpose, fee_object_type, reader) if fmt == "dip" else None
    try:
        path = export_record(ctx.archive, record, fmt, out, request)  # type: ignore[arg-type]
    except RecordNotFound as exc:
        _fail(exc.vi, exc.en, ctx.lang)
    except PackagingUnavailable as exc:
        _fail("Chưa cấu hình thư mục lược đồ XSD (LUUTRU_SCHEMA_DIR); hãy đặt rồi chạy lại.", str(exc), ctx.lang)
    except (PackageError, StorageError) as exc:
        _fail(f"Không xuất được gói của {record}: gói lưu trữ không đọc được hoặc đã hỏng ({exc}). Hãy chạy kiểm tra "
              "toàn vẹn và khôi phục từ bản sao.",
              f"Could not export {record}'s package: the stored package cannot be read or is damaged ({exc}). Run a "
              "fixity check and restore it from a replica.", ctx.lang)
    click.echo(str(path))


@main.command("rebuild")
@click.option("--from-storage", "from_storage", is_flag=True, required=True,
              help="Recreate the catalog and search index from the OCFL objects in the object store.")
@pass_ctx
def rebuild_cmd(ctx: Context, from_storage: bool) -> None:
    """Recreate an empty catalog and the search index from the archival packages alone."""
    archive = ctx.archive
    db_upgrade(archive.engine, "head")
    archive.store.ensure()
    try:
        report = rebuild_from_storage(archive)
    except RebuildRefused as exc:
        _fail("Danh mục đã có tài liệu; chỉ dựng lại vào một danh mục trống (cơ sở dữ liệu mới).", str(exc), ctx.lang)
    if ctx.lang == "vi":
        click.echo(f"Đã dựng lại {report.documents} tài liệu từ {report.objects} gói OCFL trong {report.seconds:.1f} s "
                   f"({report.rate:.1f} tài liệu/s).")
    else:
        click.echo(f"Rebuilt {report.documents} records from {report.objects} OCFL objects in {report.seconds:.1f} s "
                   f"({report.rate:.1f} records/s).")
    for problem in report.problems:
        click.echo(f"  - {problem}", err=True)
    sys.exit(1 if report.problems else 0)


@main.command("describe")
@click.argument("record")
@click.option("--set", "assignments", multiple=True, metavar="FIELD=VALUE",
              help=f"Correct a field (TT 05 name): {', '.join(FIELDS)}. Repeatable; an empty value clears it.")
@click.option("--actor", envvar="USER", help="The archivist making the correction (default: $USER).")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def describe_cmd(ctx: Context, record: str, assignments: tuple[str, ...], actor: str | None, as_json: bool) -> None:
    """Show RECORD's description and correction history, or correct it with --set (a new AIP version)."""
    archive = ctx.archive
    try:
        with archive.sessions() as session:
            document, package = find_package(session, record)
            document_id = document.id
    except RecordNotFound as exc:
        _fail(exc.vi, exc.en, ctx.lang)
    if assignments:
        changes = {}
        for assignment in assignments:
            name, sep, value = assignment.partition("=")
            if not sep:
                _fail(f"--set {assignment!r} phải có dạng TRƯỜNG=GIÁ_TRỊ.",
                      f"--set {assignment!r} must be FIELD=VALUE.", ctx.lang)
            changes[name.strip()] = value
        try:
            done = correct(archive, document_id, changes, actor or "")
        except CorrectionRefused as exc:
            _fail("Không sửa gì cả; hãy sửa các giá trị sau rồi chạy lại:",
                  "Nothing was changed; fix these values and run again:", ctx.lang,
                  [f"{field}: {vi if ctx.lang == 'vi' else en}" for field, vi, en in exc.problems])
        except (PackageError, StorageError) as exc:
            _fail(f"Không ghi được phiên bản mới của gói AIP ({exc}); không có gì bị thay đổi. Hãy thử lại.",
                  f"The AIP's new version could not be written ({exc}); nothing was changed. Try again.", ctx.lang)
        for field, old, new in done.changes:
            click.echo(f"{field}: {old or '∅'} → {new or '∅'}")
        if not done.indexed:
            click.echo("Đã lưu hiệu đính, nhưng không cập nhật được chỉ mục tìm kiếm nên kết quả tìm kiếm còn giá trị "
                       "cũ; hãy kiểm tra dịch vụ tìm kiếm (`luutru status`)." if ctx.lang == "vi" else
                       "The correction is stored, but the search index could not be updated and still shows the old "
                       "values; check the search service (`luutru status`).", err=True)
        click.echo(f"AIP v{done.version}")
        return
    with archive.sessions() as session:
        document = session.get(Document, document_id)
        assert document is not None
        values = {name: as_text(list(getattr(document, spec.column)) if spec.kind == "codes"
                                else getattr(document, spec.column)) for name, spec in FIELDS.items()}
        provenance = dict(document.field_provenance or {})
    shown = {"record": document_id, "package": package.object_id, "version": package.head, "fields": values,
             "provenance": provenance, "history": history(archive, document_id)}
    if as_json:
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    click.echo(f"{document_id}  {package.object_id}  {package.head}")
    for name, value in values.items():
        source = provenance.get(FIELDS[name].column, {}).get("source", "")
        click.echo(f"  {name:<16} {value or '':<60} {source}")
    for change in shown["history"]:
        click.echo(f"  {change['at']} {change['actor']}: {change['field']} {change['old'] or '∅'} → "
                   f"{change['new'] or '∅'} ({change['previous_version']} → {change['version']})")
