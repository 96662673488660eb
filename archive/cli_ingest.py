"""`luutru ingest`, `luutru batch …`, `luutru worker` and `luutru beat`."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

import click

from archive.audit import cli_actor
from archive.batches import BatchReport, BatchService
from archive.catalogue import CatalogueError
from archive.cli import Context, main, pass_ctx
from archive.intake import IntakeError
from archive.work import LocalWorker, WorkerProcesses, WorkerStartError, sweep_scratch


def _fail(vi: str, en: str, details: list[str], lang: str) -> None:
    click.echo(vi if lang == "vi" else en, err=True)
    for line in details[:50]:
        click.echo(f"  - {line}", err=True)
    sys.exit(2)


BAR_WIDTH = 24


def _bar(report: BatchReport) -> str:
    """Finished items as a bar: archived and duplicates filled, failed marked apart so they show."""
    total = max(report.total, 1)
    good = round(BAR_WIDTH * (report.archived + report.duplicates) / total)
    bad = min(round(BAR_WIDTH * report.failed / total), BAR_WIDTH - good)
    return "[" + "█" * good + "✗" * bad + "·" * (BAR_WIDTH - good - bad) + "]"


def _progress_line(report: BatchReport, started: float, lang: str) -> str:
    minutes = max(time.monotonic() - started, 1e-6) / 60
    rate = report.pages_ocred / minutes
    if lang == "vi":
        return (f"\r  {_bar(report)} {report.done}/{report.total} xong ({report.archived} lưu trữ, "
                f"{report.duplicates} trùng, "
                f"{report.failed} lỗi) · {report.pages_ocred} trang OCR · {rate:.1f} trang/phút   ")
    return (f"\r  {_bar(report)} {report.done}/{report.total} done ({report.archived} archived, "
            f"{report.duplicates} duplicate, "
            f"{report.failed} failed) · {report.pages_ocred} pages OCR'd · {rate:.1f} pages/min   ")


def _summary(report: BatchReport, lang: str) -> None:
    click.echo()
    click.echo(f"Lô {report.id}: {report.name}" if lang == "vi" else f"Batch {report.id}: {report.name}")
    head = ("#", "Tệp" if lang == "vi" else "File", "Trạng thái" if lang == "vi" else "State",
            "Ghi chú" if lang == "vi" else "Message")
    click.echo(f"{head[0]:>4}  {head[1]:<40} {head[2]:<28} {head[3]}")
    for item in report.items:
        state = item["state_vi"] if lang == "vi" else item["state"]
        message = (item["message_vi"] if lang == "vi" else item["message_en"]) or ""
        flags = "; ".join(f[lang] for f in item["flags"])  # type: ignore[index, union-attr]
        click.echo(f"{item['ordinal']:>4}  {str(item['name'])[:40]:<40} {str(state)[:28]:<28} "
                   f"{message}{' — ' + flags if flags else ''}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--batch-name", help="Name of the batch (default: date and time).")
@click.option("--fonds", "fonds_code", help="Code of the fonds (phông) the records belong to.")
@click.option("--catalogue", type=click.Path(path_type=Path, dir_okay=False),
              help="CSV or XLSX with TT 05 columns and a file-name column.")
@click.option("--wait", is_flag=True, help="Show progress until the batch is finished, then a summary.")
@click.option("--json", "as_json", is_flag=True, help="With --wait, print the final report as JSON.")
@pass_ctx
def ingest(ctx: Context, paths: tuple[Path, ...], batch_name: str | None, fonds_code: str | None,
           catalogue: Path | None, wait: bool, as_json: bool) -> None:
    """Take in files, folders, ZIPs and BagIt bags as one batch."""
    service = BatchService(ctx.archive)
    if wait and ctx.archive.celery is None:
        WorkerProcesses.prepare()   # the workers' imports overlap with receiving the files
    try:
        batch_id = service.submit(list(paths), name=batch_name, fonds_code=fonds_code, catalogue_path=catalogue,
                                  actor=cli_actor())
    except CatalogueError as exc:
        _fail(f"Bảng kê {exc.path.name} có lỗi; chưa tiếp nhận tệp nào. Sửa các ô sau rồi chạy lại:",
              f"The catalogue {exc.path.name} has errors; nothing was taken in. Fix these cells and run again:",
              exc.problems, ctx.lang)
    except IntakeError as exc:
        _fail(exc.vi, exc.en, exc.details, ctx.lang)
    if not wait:
        click.echo(batch_id)
        return
    report = _wait(ctx, service, batch_id, quiet=as_json)
    if as_json:
        click.echo(json.dumps(report.__dict__, ensure_ascii=False, indent=2, default=str))
    else:
        _summary(report, ctx.lang)
    sys.exit(0 if report.failed == 0 else 1)


def _wait(ctx: Context, service: BatchService, batch_id: int, quiet: bool) -> BatchReport:
    """Embedded: work the batch in this process. Services: the workers do it; we watch."""
    worker = None
    failures: list[WorkerStartError] = []
    if ctx.archive.celery is None:
        worker = WorkerProcesses(ctx.archive.settings, os.cpu_count() or 1)
        thread = threading.Thread(target=_run_processes_into, args=(worker, batch_id, failures), daemon=True)
        thread.start()
    started = time.monotonic()
    while True:
        if failures:
            _fail(failures[0].vi, failures[0].en, [], ctx.lang)
        report = service.report(batch_id, with_items=False)
        if not quiet:
            click.echo(_progress_line(report, started, ctx.lang), nl=False, err=True)
        if report.done >= report.total and report.status in ("completed", "completed_with_errors"):
            break
        time.sleep(0.5)
    if worker is not None:
        worker.stop()
    return service.report(batch_id)


def _run_processes_into(worker: WorkerProcesses, batch_id: int, failures: list[WorkerStartError]) -> None:
    try:
        worker.run(until_batch_done=batch_id)
    except WorkerStartError as exc:
        failures.append(exc)


def _run_processes(worker: WorkerProcesses, lang: str) -> None:
    try:
        worker.run()
    except WorkerStartError as exc:
        _fail(exc.vi, exc.en, [], lang)


@main.group()
def batch() -> None:
    """Ingest batches: status, list, retry."""


@batch.command("status")
@click.argument("batch_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def batch_status(ctx: Context, batch_id: int, as_json: bool) -> None:
    """Every item of a batch with its state and, for failures, why and what to do."""
    try:
        report = BatchService(ctx.archive).report(batch_id)
    except LookupError:
        _fail(f"Không có lô số {batch_id}; xem `luutru batch list`.", f"There is no batch {batch_id}; see `luutru batch list`.",
              [], ctx.lang)
    if as_json:
        click.echo(json.dumps(report.__dict__, ensure_ascii=False, indent=2, default=str))
        return
    click.echo(f"{report.id} {report.name}: {report.status} — " + _progress_line(report, time.monotonic() - 60, ctx.lang).strip())
    _summary(report, ctx.lang)


@batch.command("list")
@pass_ctx
def batch_list(ctx: Context) -> None:
    """The most recent batches."""
    for report in BatchService(ctx.archive).list():
        click.echo(f"{report.id:>6}  {report.status:<22} {report.done}/{report.total}  {report.name}")


@batch.command("retry")
@click.argument("batch_id", type=int)
@click.option("--item", "ordinal", type=int, help="Only this item (its number in the batch).")
@pass_ctx
def batch_retry(ctx: Context, batch_id: int, ordinal: int | None) -> None:
    """Send failed and quarantined items through the pipeline again from where they stopped."""
    resumed = BatchService(ctx.archive).retry(batch_id, ordinal, actor=cli_actor())
    click.echo(f"{len(resumed)} item(s) queued again" if ctx.lang == "en" else f"Đã đưa lại {len(resumed)} tệp vào hàng đợi")


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--count", type=click.IntRange(1, 500), default=6, show_default=True)
@click.option("--seed", type=int, default=2020, show_default=True, help="The same seed writes the same documents.")
def sample(folder: Path, count: int, seed: int) -> None:
    """Write a demo batch of generated ND 30 documents (born-digital PDFs and scans) into FOLDER."""
    from archive.sample_documents import write_sample

    for path in write_sample(folder, count, seed):
        click.echo(path)


@main.command()
@click.option("--processes", type=int, default=0, help="Embedded: worker processes (default: one per core).")
@click.option("--threads", type=int, default=0,
              help="Embedded: work in N threads of this one process instead of worker processes.")
@click.option("--concurrency", type=int, default=0, help="Services: Celery worker processes (default: cores).")
@pass_ctx
def worker(ctx: Context, processes: int, threads: int, concurrency: int) -> None:
    """Process queued items: local worker processes (embedded) or a Celery worker (services)."""
    archive = ctx.archive
    sweep_scratch(archive)
    if archive.celery is None:
        from archive.integrity.schedule import MaintenanceThread

        MaintenanceThread(archive).start()  # fixity, replication and audit checkpoints, paced
        if threads > 0:
            LocalWorker(archive, threads).run()
        else:
            _run_processes(WorkerProcesses(archive.settings, processes or os.cpu_count() or 1), ctx.lang)
        return
    archive.celery.worker_main(["worker", "--loglevel=INFO", f"--concurrency={concurrency or os.cpu_count() or 1}"])


@main.command()
@pass_ctx
def beat(ctx: Context) -> None:
    """Services profile: the scheduler that re-sends items whose message was lost."""
    if ctx.archive.celery is None:
        _fail("`luutru beat` chỉ dùng với cấu hình services; chế độ nhúng tự quét hàng đợi.",
              "`luutru beat` is for the services profile; the embedded worker polls by itself.", [], ctx.lang)
    schedule = ctx.archive.settings.work_dir / "celerybeat-schedule"
    schedule.parent.mkdir(parents=True, exist_ok=True)
    ctx.archive.celery.Beat(schedule=str(schedule), loglevel="INFO").run()
