"""`luutru user …`, `luutru agency …`, `luutru token create` and `luutru demo`.

Passwords are never taken as arguments (they would sit in the shell history and the process
list): give one on standard input with ``--password-stdin``, or let the command make a random one
and print it once.
"""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from archive.accounts import AccountError, AccountService, new_password
from archive.catalog import Agency, Fonds
from archive.catalog.codes import FondsStatus, UserRole
from archive.cli import Context, main, pass_ctx
from archive.security_events import record

DEMO_AGENCY = ("000.00.00.D01", "Cơ quan trình diễn Lưu trữ số", "CQTD")
DEMO_FONDS = ("DEMO-01", "Phông lưu trữ Cơ quan trình diễn")
DEMO_USERS = (("demo-archivist", "archivist", "Nguyễn Thị Lưu"), ("demo-official", "official", "Trần Văn Khai"),
              ("demo-auditor", "auditor", "Lê Thị Kiểm"), ("demo-admin", "admin", "Phạm Văn Quản"))


def _fail(exc: AccountError, lang: str) -> None:
    click.echo(exc.message(lang), err=True)
    sys.exit(2)


@main.group()
def user() -> None:
    """User accounts: add, list."""


@user.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in UserRole]))
@click.option("--agency", "agency_code", help="13-character code of the user's agency (not needed for admin).")
@click.option("--full-name", help="Name shown on pages (default: the username).")
@click.option("--email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of making one.")
@pass_ctx
def user_add(ctx: Context, username: str, role: str, agency_code: str | None, full_name: str | None,
             email: str | None, password_stdin: bool) -> None:
    """Create an account; prints the password when it was generated."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        account, chosen = AccountService(ctx.archive).create_user(username, role, agency_code, full_name=full_name,
                                                                  email=email, password=password)
    except AccountError as exc:
        _fail(exc, ctx.lang)
    record(ctx.archive, None, None, None, "user.create", f"user:{account.username}",
           {"role": account.role, "agency": account.agency_code, "via": "cli"})
    click.echo(f"{account.username} ({account.role}, {account.agency_code or '-'})")
    if not password_stdin:
        click.echo(("password: " if ctx.lang == "en" else "mật khẩu: ") + chosen)


@user.command("list")
@pass_ctx
def user_list(ctx: Context) -> None:
    """Every account with its role, agency and whether it is active."""
    accounts, _ = AccountService(ctx.archive).users(limit=100000)
    for a in accounts:
        state = ("active" if a.active else "inactive") if ctx.lang == "en" else ("hoạt động" if a.active else "ngừng")
        click.echo(f"{a.username:<24} {a.role:<10} {a.agency_code or '-':<14} {state:<10} {a.full_name}")


@main.group()
def agency() -> None:
    """Agencies (cơ quan), identified by their 13-character electronic code."""


@agency.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--abbreviation")
@click.option("--parent", help="Code of the parent agency.")
@pass_ctx
def agency_add(ctx: Context, code: str, name: str, abbreviation: str | None, parent: str | None) -> None:
    """Create an agency."""
    try:
        info = AccountService(ctx.archive).create_agency(code, name, abbreviation, parent)
    except AccountError as exc:
        _fail(exc, ctx.lang)
    record(ctx.archive, None, None, None, "agency.create", f"agency:{info.organ_id}", {"name": info.name, "via": "cli"})
    click.echo(f"{info.organ_id} {info.name}")


@main.group()
def token() -> None:
    """API tokens for machines."""


@token.command("create")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@pass_ctx
def token_create(ctx: Context, username: str, name: str) -> None:
    """Create a token for USERNAME and print it; it is stored hashed and cannot be shown again."""
    try:
        info, secret = AccountService(ctx.archive).create_token(username, name)
    except AccountError as exc:
        _fail(exc, ctx.lang)
    record(ctx.archive, None, None, None, "token.create", f"user:{info.username}",
           {"token_id": info.id, "name": info.name, "via": "cli"})
    click.echo(secret)


@main.command()
@pass_ctx
def demo(ctx: Context) -> None:
    """Demo agency, fonds and one account per role, each with a new random password printed here.

    Run again to get new passwords (and to unlock the accounts); nothing else is touched.
    """
    archive = ctx.archive
    service = AccountService(archive)
    code, name, abbreviation = DEMO_AGENCY
    with archive.sessions.begin() as session:
        agency_row = session.scalars(select(Agency).where(Agency.organ_id == code)).first()
        if agency_row is None:
            agency_row = Agency(organ_id=code, name=name, abbreviation=abbreviation)
            session.add(agency_row)
        if session.scalars(select(Fonds).where(Fonds.code == DEMO_FONDS[0])).first() is None:
            session.add(Fonds(code=DEMO_FONDS[0], name=DEMO_FONDS[1], agency=agency_row, status=FondsStatus.OPEN))
    click.echo("Tài khoản trình diễn / demo accounts (mật khẩu mới mỗi lần chạy / new passwords on every run):")
    for username, role, full_name in DEMO_USERS:
        password = new_password()
        existing = service.by_username(username)
        if existing is None:
            service.create_user(username, role, code, full_name=full_name, password=password)
        else:
            service.update_user(existing.id, password=password, active=True)
            service.unlock(username)
        record(archive, None, None, None, "user.demo_password", f"user:{username}", {"via": "cli"})
        click.echo(f"  {role:<10} {username:<16} {password}")
    click.echo(f"fonds: {DEMO_FONDS[0]}")
