"""Configuration is validated at start and every problem is named with the variable to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.config import ConfigError, load_settings


def test_embedded_is_the_default_and_lives_in_the_data_dir(tmp_path: Path) -> None:
    s = load_settings({"LUUTRU_DATA_DIR": str(tmp_path / "d")})
    assert s.profile == "embedded"
    assert s.catalog_url == f"sqlite:///{(tmp_path / 'd' / 'catalog.sqlite').resolve()}"
    assert s.objects_dir == tmp_path / "d" / "objects"
    assert s.work_dir == tmp_path / "d" / "work"
    assert s.broker_url == ""


def test_two_data_dirs_share_nothing(tmp_path: Path) -> None:
    a = load_settings({"LUUTRU_DATA_DIR": str(tmp_path / "a")})
    b = load_settings({"LUUTRU_DATA_DIR": str(tmp_path / "b")})
    assert {a.catalog_url, str(a.work_dir), str(a.objects_dir), str(a.search_db_path), str(a.search_dir)}.isdisjoint(
        {b.catalog_url, str(b.work_dir), str(b.objects_dir), str(b.search_db_path), str(b.search_dir)})


def test_embedded_search_engine_is_tantivy_unless_sqlite_is_chosen(tmp_path: Path) -> None:
    s = load_settings({"LUUTRU_DATA_DIR": str(tmp_path)})
    assert s.search_engine == "tantivy" and s.search_index_path == tmp_path / "search.tantivy"
    s = load_settings({"LUUTRU_DATA_DIR": str(tmp_path), "LUUTRU_SEARCH_ENGINE": "sqlite"})
    assert s.search_index_path == tmp_path / "search.sqlite"


def test_half_configured_s3_is_named() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings({"LUUTRU_S3_ENDPOINT": "127.0.0.1:9000"})
    assert "LUUTRU_S3_ENDPOINT is set but LUUTRU_S3_BUCKET is not" in str(err.value)
    assert any("LUUTRU_S3_SECRET_KEY" in p for p in err.value.problems)


def test_services_profile_lists_every_missing_setting_at_once() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings({"LUUTRU_PROFILE": "services"})
    text = str(err.value)
    for name in ("LUUTRU_DATABASE_URL", "LUUTRU_S3_ENDPOINT", "LUUTRU_ES_URL", "LUUTRU_BROKER_URL", "LUUTRU_SECRET_KEY"):
        assert name in text


@pytest.mark.parametrize("env, fragment", [
    ({"LUUTRU_PROFILE": "cloud"}, "LUUTRU_PROFILE='cloud' is unknown"),
    ({"LUUTRU_S3_LOCK_DAYS": "ten"}, "LUUTRU_S3_LOCK_DAYS='ten' is not a whole number"),
    ({"LUUTRU_S3_SECURE": "maybe"}, "LUUTRU_S3_SECURE='maybe' is not a yes/no value"),
    ({"LUUTRU_S3_LOCK_MODE": "STRICT", "LUUTRU_S3_LOCK_DAYS": "5"}, "use GOVERNANCE or COMPLIANCE"),
    ({"LUUTRU_S3_LOCK_MODE": "GOVERNANCE"}, "LUUTRU_S3_LOCK_DAYS is not a positive number"),
    ({"LUUTRU_S3_ENDPOINT": "http://x:9000", "LUUTRU_S3_BUCKET": "b", "LUUTRU_S3_ACCESS_KEY": "a",
      "LUUTRU_S3_SECRET_KEY": "s"}, "must be host:port without a scheme"),
    ({"LUUTRU_DATABASE_URL": "mysql://x"}, "must be a sqlite:/// or postgresql+psycopg:// URL"),
    ({"LUUTRU_LANGUAGE": "fr"}, "LUUTRU_LANGUAGE='fr' is not offered"),
    ({"LUUTRU_SEARCH_ENGINE": "lucene"}, "LUUTRU_SEARCH_ENGINE='lucene' không có; dùng tantivy"),
    ({"LUUTRU_SEARCH_ENGINE": "lucene"}, "LUUTRU_SEARCH_ENGINE='lucene' is unknown; use tantivy"),
])
def test_bad_values_get_a_sentence(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(env)
    assert fragment in str(err.value)


def test_toml_file_then_environment_wins(tmp_path: Path) -> None:
    cfg = tmp_path / "luutru.toml"
    cfg.write_text('[luutru]\ndata_dir = "/srv/a"\nes_index_prefix = "so-noi-vu"\n', encoding="utf-8")
    s = load_settings({"LUUTRU_CONFIG": str(cfg), "LUUTRU_DATA_DIR": "/srv/b"})
    assert s.data_dir == Path("/srv/b")
    assert s.es_index_prefix == "so-noi-vu"
    assert s.source == (str(cfg), "environment")


def test_bad_toml_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({}, config_file=tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("data_dir = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings({}, config_file=bad)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('s3_bukket = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting 's3_bukket'"):
        load_settings({}, config_file=unknown)


def test_redacted_hides_secrets() -> None:
    s = load_settings({"LUUTRU_SECRET_KEY": "very-secret", "LUUTRU_S3_ENDPOINT": "h:1", "LUUTRU_S3_BUCKET": "b",
                       "LUUTRU_S3_ACCESS_KEY": "ak", "LUUTRU_S3_SECRET_KEY": "sk",
                       "LUUTRU_DATABASE_URL": "postgresql+psycopg://u:pw@h/db"})
    shown = str(s.redacted())
    assert "very-secret" not in shown and "sk" not in s.redacted().values() and "pw@" not in shown
