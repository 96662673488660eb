"""The `luutru` command. Later issues add their subcommands to the same group.

Every command starts from the app factory, so the CLI sees exactly the backends the web app and
the workers see. Errors are printed as sentences for a person, never as tracebacks.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from archive.catalog.db import current_revision, downgrade as db_downgrade, head_revision, upgrade as db_upgrade
from archive.config import ConfigError, Settings, load_settings
from archive.factory import Archive, create_archive
from archive.i18n import format_datetime, t


class Context:
    """Lazily built settings and archive, so `luutru --help` works even with a broken configuration."""

    def __init__(self, config_file: str | None, lang: str) -> None:
        self.config_file = config_file
        self.lang = lang
        self._settings: Settings | None = None
        self._archive: Archive | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(config_file=self.config_file)
            except ConfigError as exc:
                click.echo(t("error.config", self.lang), err=True)
                for problem in exc.problems:
                    click.echo(f"  - {problem}", err=True)
                sys.exit(2)
        return self._settings

    @property
    def archive(self) -> Archive:
        if self._archive is None:
            self._archive = create_archive(self.settings)
        return self._archive


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_file", type=click.Path(dir_okay=False), envvar="LUUTRU_CONFIG",
              help="TOML configuration file (also LUUTRU_CONFIG).")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of messages.")
@click.pass_context
def main(ctx: click.Context, config_file: str | None, lang: str) -> None:
    """Lưu trữ số — electronic archive for Vietnamese government records."""
    ctx.obj = Context(config_file, lang)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def status(ctx: Context, as_json: bool) -> None:
    """Check every backend and report; exits 1 if any is not working."""
    from archive.status import collect_status

    report = collect_status(ctx.archive, ctx.lang)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(t("status.title", ctx.lang))
        click.echo(f"  {t('status.profile', ctx.lang)}: {report.profile}")
        click.echo(f"  {t('status.data_dir', ctx.lang)}: {report.data_dir}")
        click.echo(f"  {t('status.checked_at', ctx.lang)}: {format_datetime(report.checked_at, ctx.lang)} (UTC)")
        for c in report.components:
            state = t("status.ok", ctx.lang) if c.ok else t("status.failed", ctx.lang)
            click.echo(f"  {t('component.' + c.component, ctx.lang):<28} {state:<10} {c.detail}")
    sys.exit(0 if report.ok else 1)


@main.command()
@pass_ctx
def init(ctx: Context) -> None:
    """Prepare a new or upgraded installation: catalog schema, object store, search index. Safe to repeat."""
    from archive.audit import cli_actor, record
    from archive.audit.signing import ensure_signing_key

    archive = ctx.archive
    db_upgrade(archive.engine, "head")
    archive.store.ensure()
    if archive.replica is not None:
        archive.replica.ensure()
    archive.index.ensure()
    created = ensure_signing_key(archive.settings) if archive.settings.profile == "embedded" else None
    record(archive, "config.init", actor=cli_actor(),
           details={"schema": current_revision(archive.engine) or "", "replica": archive.replica is not None,
                    "audit_key_created": created is not None})
    click.echo(f"catalog schema: {current_revision(archive.engine)}; search index: {archive.index.name}")


@main.group()
def db() -> None:
    """Catalog schema migrations (Alembic)."""


@db.command("upgrade")
@click.argument("revision", default="head")
@pass_ctx
def db_upgrade_cmd(ctx: Context, revision: str) -> None:
    """Bring the catalog schema up to REVISION (default: newest)."""
    from archive.audit import cli_actor, record

    db_upgrade(ctx.archive.engine, revision)
    record(ctx.archive, "config.db_upgrade", actor=cli_actor(), details={"revision": revision})
    click.echo(f"catalog schema: {current_revision(ctx.archive.engine)}")


@db.command("downgrade")
@click.argument("revision")
@pass_ctx
def db_downgrade_cmd(ctx: Context, revision: str) -> None:
    """Take the catalog schema back to REVISION ('base' removes every table)."""
    db_downgrade(ctx.archive.engine, revision)
    click.echo(f"catalog schema: {current_revision(ctx.archive.engine) or 'base'}")


@db.command("current")
@pass_ctx
def db_current_cmd(ctx: Context) -> None:
    """Show the catalog's schema revision and the newest one this version knows."""
    click.echo(f"{current_revision(ctx.archive.engine) or 'base'} (head: {head_revision()})")


@main.command("config")
@pass_ctx
def config_cmd(ctx: Context) -> None:
    """Show the effective configuration, secrets hidden."""
    shown: dict[str, Any] = ctx.settings.redacted()
    shown["read_from"] = list(ctx.settings.source)
    click.echo(json.dumps(shown, ensure_ascii=False, indent=2))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", type=int, default=0,
              help="Embedded profile: worker processes working the batches beside the web app (default: one per "
                   "core; -1 for none, when a separate `luutru worker` runs).")
@pass_ctx
def serve(ctx: Context, host: str, port: int, workers: int) -> None:
    """Serve the web application with waitress (a production WSGI server, pure Python).

    On the embedded profile the same process also works the batches uploaded through it, so the
    one command is the whole product; on the services profile Celery workers do that.
    """
    import logging
    import os
    import threading

    from waitress import serve as waitress_serve

    from archive.web import create_web_app
    from archive.work import WorkerProcesses, sweep_scratch

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    archive = ctx.archive
    if archive.celery is None and workers >= 0:
        sweep_scratch(archive)
        worker = WorkerProcesses(archive.settings, workers or os.cpu_count() or 1)
        threading.Thread(target=worker.run, name="luutru-worker", daemon=True).start()
    app = create_web_app(archive)
    click.echo(f"http://{host}:{port}/")
    waitress_serve(app, host=host, port=port, threads=8)


# Subcommands defined in their own modules register themselves on `main` when imported.
from archive import cli_accounts, cli_extract, cli_ingest, cli_integrity, cli_package, cli_search  # noqa: E402,F401
