"""The app factory, the CLI and the web app, on the embedded profile and on the real services."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from archive.cli import main
from archive.config import load_settings
from archive.factory import create_archive
from archive.web import create_web_app
from search.elastic import ElasticsearchIndex
from search.sqlite_fts import SqliteFtsIndex
from search.tantivy_index import TantivyIndex
from storage.local import LocalObjectStore
from storage.s3 import S3ObjectStore


def _run(env: dict[str, str], *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)


def test_embedded_first_run_creates_data_dir_migrates_and_reports(tmp_path: Path) -> None:
    env = {"LUUTRU_DATA_DIR": str(tmp_path / "data")}
    before = _run(env, "status", "--json")
    assert before.exit_code == 1
    catalog = next(c for c in json.loads(before.output)["components"] if c["component"] == "catalog")
    assert not catalog["ok"] and "luutru db upgrade" in catalog["detail"]

    assert _run(env, "init").exit_code == 0
    assert _run(env, "init").exit_code == 0  # repeatable
    result = _run(env, "status")
    assert result.exit_code == 0, result.output
    assert "Tình trạng hệ thống Lưu trữ số" in result.output
    assert result.output.count("hoạt động") == 5
    assert "chưa cấu hình LUUTRU_CLAMD" in result.output
    assert (tmp_path / "data" / "catalog.sqlite").exists()
    assert (tmp_path / "data" / "secret.key").stat().st_mode & 0o077 == 0

    english = _run(env, "--lang", "en", "status")
    assert "working" in english.output and "Catalog database" in english.output


def test_embedded_profile_builds_local_backends(tmp_path: Path) -> None:
    archive = create_archive(load_settings({"LUUTRU_DATA_DIR": str(tmp_path)}))
    assert isinstance(archive.store, LocalObjectStore)
    assert isinstance(archive.index, TantivyIndex) and archive.index.path == tmp_path / "search.tantivy"
    assert archive.engine.dialect.name == "sqlite"
    assert archive.celery is None
    chosen = create_archive(load_settings({"LUUTRU_DATA_DIR": str(tmp_path), "LUUTRU_SEARCH_ENGINE": "sqlite"}))
    assert isinstance(chosen.index, SqliteFtsIndex) and chosen.index.path == tmp_path / "search.sqlite"


def test_bad_configuration_is_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["status"], env={"LUUTRU_S3_ENDPOINT": "h:9000",
                                                       "LUUTRU_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2
    assert "Cấu hình chưa hợp lệ" in result.output
    assert "LUUTRU_S3_ENDPOINT is set but LUUTRU_S3_BUCKET is not" in result.output
    assert "Traceback" not in result.output


def test_config_command_hides_secrets(tmp_path: Path) -> None:
    result = _run({"LUUTRU_DATA_DIR": str(tmp_path), "LUUTRU_SECRET_KEY": "hidden-value"}, "config")
    assert result.exit_code == 0
    assert "hidden-value" not in result.output
    assert json.loads(result.output)["profile"] == "embedded"


def test_web_status_page_is_vietnamese_by_default(tmp_path: Path) -> None:
    env = {"LUUTRU_DATA_DIR": str(tmp_path)}
    assert _run(env, "init").exit_code == 0
    assert _run(env, "user", "add", "quan-tri", "--role", "admin", "--password-stdin",
                stdin="mat-khau-quan-tri\n").exit_code == 0
    client = create_web_app(create_archive(load_settings(env))).test_client()
    assert client.get("/admin").status_code == 302  # sign in first
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": "quan-tri", "password": "mat-khau-quan-tri", "csrf_token": token})
    page = client.get("/admin")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert '<html lang="vi">' in body and "Cơ sở dữ liệu mục lục" in body and "hoạt động" in body
    assert "ngày" in body and "tháng" in body
    assert "Catalog database" in client.get("/admin?lang=en").get_data(as_text=True)
    api = client.get("/api/v1/status", headers={"Accept-Language": "en"})
    assert api.status_code == 200 and api.json["ok"] is True and api.json["profile"] == "embedded"


def test_services_profile_on_real_services(services_env: dict[str, str]) -> None:
    archive = create_archive(load_settings(services_env))
    assert isinstance(archive.store, S3ObjectStore)
    assert isinstance(archive.index, ElasticsearchIndex)
    assert archive.engine.dialect.name == "postgresql"
    assert _run(services_env, "init").exit_code == 0
    result = _run(services_env, "status", "--json")
    report = json.loads(result.output)
    assert result.exit_code == 0, report
    details = {c["component"]: c["detail"] for c in report["components"]}
    assert details["catalog"].startswith("postgresql")
    assert "Elasticsearch" in details["index"]
    assert "redis://" in details["queue"]
    client = create_web_app(archive).test_client()
    assert client.get("/api/v1/status").status_code == 200


def test_unreachable_backend_is_reported_not_raised(tmp_path: Path) -> None:
    env = {"LUUTRU_DATA_DIR": str(tmp_path), "LUUTRU_ES_URL": "http://127.0.0.1:9"}
    assert _run(env, "db", "upgrade").exit_code == 0
    assert "head: 0001" in _run(env, "db", "current").output
    result = _run(env, "status", "--json")
    assert result.exit_code == 1
    index = next(c for c in json.loads(result.output)["components"] if c["component"] == "index")
    assert index["ok"] is False and "127.0.0.1:9" in index["detail"]
