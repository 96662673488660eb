"""`luutru user add|list`, `luutru agency add`, `luutru token create`, `luutru demo`."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from archive.cli import main
from archive.config import load_settings
from archive.factory import create_archive
from archive.web import create_web_app
from tests.web.conftest import csrf_of


def _run(env: dict[str, str], *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)


def test_user_agency_and_token_commands(tmp_path: Path) -> None:
    env = {"LUUTRU_DATA_DIR": str(tmp_path)}
    assert _run(env, "init").exit_code == 0
    bad = _run(env, "agency", "add", "G09", "Bộ Nội vụ")
    assert bad.exit_code == 2 and "13 ký tự" in bad.output
    assert _run(env, "agency", "add", "000.00.00.G09", "Bộ Nội vụ").exit_code == 0
    missing = _run(env, "user", "add", "lan", "--role", "archivist", "--agency", "000.00.00.X99")
    assert missing.exit_code == 2 and "Không có cơ quan" in missing.output
    added = _run(env, "user", "add", "lan", "--role", "archivist", "--agency", "000.00.00.G09",
                 "--password-stdin", stdin="mat-khau-du-dai\n")
    assert added.exit_code == 0 and "mat-khau-du-dai" not in added.output
    generated = _run(env, "--lang", "en", "user", "add", "hoa", "--role", "official", "--agency", "000.00.00.G09")
    assert "password: " in generated.output
    listing = _run(env, "user", "list").output
    assert "lan" in listing and "archivist" in listing and "000.00.00.G09" in listing and "$argon2" not in listing
    token = _run(env, "token", "create", "lan").output.strip()
    assert token.startswith("ltk_")
    client = create_web_app(create_archive(load_settings(env))).test_client()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json["username"] == "lan"


def test_demo_prints_fresh_random_passwords_that_work(tmp_path: Path) -> None:
    env = {"LUUTRU_DATA_DIR": str(tmp_path)}
    assert _run(env, "init").exit_code == 0
    first, second = _run(env, "demo").output, _run(env, "demo").output

    def passwords(output: str) -> dict[str, str]:
        rows = [line.split() for line in output.splitlines() if line.startswith("  ")]
        return {row[1]: row[2] for row in rows}

    one, two = passwords(first), passwords(second)
    assert set(one) == {"demo-archivist", "demo-official", "demo-auditor", "demo-admin"}
    assert all(one[name] != two[name] for name in one), "passwords must be new on every run"
    app = create_web_app(create_archive(load_settings(env)))
    for username, password in two.items():
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": password,
                                               "csrf_token": csrf_of(client.get("/login"))})
        assert response.status_code == 302, username
