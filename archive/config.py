"""One configuration object for the web app, the CLI and the workers.

Values come from an optional TOML file (``LUUTRU_CONFIG`` or ``--config``) and then from
``LUUTRU_*`` environment variables, which win. Everything is validated once, at start, so a
misconfigured deployment stops with a sentence that names the variable to fix instead of
failing later inside a request or a worker.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

PROFILES = ("embedded", "services")
SEARCH_ENGINES = ("tantivy", "sqlite")
LOCK_MODES = ("GOVERNANCE", "COMPLIANCE")
ENV_PREFIX = "LUUTRU_"


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` lists every reason, each a full sentence."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Settings:
    """Validated settings. Field names are the environment names without ``LUUTRU_``, lowercased."""

    profile: str = "embedded"
    data_dir: Path = Path("data")
    database_url: str = ""
    s3_endpoint: str = ""
    s3_bucket: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_secure: bool = False
    s3_region: str = ""
    s3_lock_mode: str = ""
    s3_lock_days: int = 0
    s3_part_size: int = 16 * 1024 * 1024
    es_url: str = ""
    es_index_prefix: str = "luutru"
    broker_url: str = ""
    secret_key: str = ""
    language: str = "vi"
    clamd: str = ""
    ocr_languages: str = "vie"
    ocr_jobs: int = 0
    ocr_deskew_min_degrees: float = 2.0
    ocr_confidence_threshold: float = 0.6
    review_threshold: float = 0.8
    lease_seconds: int = 900
    max_attempts: int = 5
    retry_seconds: float = 30.0
    max_crashes: int = 3
    audit_signing_key: str = ""
    audit_checkpoint_seconds: int = 3600
    replica_dir: str = ""
    replica_s3_endpoint: str = ""
    replica_s3_bucket: str = ""
    replica_s3_access_key: str = ""
    replica_s3_secret_key: str = ""
    replica_s3_secure: bool = False
    replica_s3_region: str = ""
    fixity_cycle_days: int = 90
    share_days: int = 15   # TT 05: a reading grant lasts 15 days unless the archivist says otherwise
    fixity_bandwidth: int = 50 * 1024 * 1024
    fixity_tick_seconds: int = 3600
    signature_trust_roots: str = ""
    schema_dir: str = ""
    organization: str = "Lưu trữ số luutru"
    search_secret_text: bool = False   # index the full text of secret (mode 03) records too
    search_engine: str = "tantivy"     # the embedded index when no Elasticsearch is configured
    source: tuple[str, ...] = field(default=(), compare=False)

    @property
    def catalog_url(self) -> str:
        """SQLAlchemy URL of the catalog: configured, or the SQLite file of the data directory."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'catalog.sqlite').resolve()}"

    @property
    def objects_dir(self) -> Path:
        """Root of the local object store (embedded profile)."""
        return self.data_dir / "objects"

    @property
    def audit_key_path(self) -> Path:
        """Where ``luutru init`` keeps the generated Ed25519 key of the embedded profile."""
        return self.data_dir / "audit-signing-key.pem"

    @property
    def search_db_path(self) -> Path:
        """SQLite file of the embedded full-text index (``LUUTRU_SEARCH_ENGINE=sqlite``)."""
        return self.data_dir / "search.sqlite"

    @property
    def search_dir(self) -> Path:
        """Folder of the embedded tantivy index (``LUUTRU_SEARCH_ENGINE=tantivy``, the default)."""
        return self.data_dir / "search.tantivy"

    @property
    def search_index_path(self) -> Path:
        """Where the configured embedded index lives: the tantivy folder or the SQLite file."""
        return self.search_db_path if self.search_engine == "sqlite" else self.search_dir

    @property
    def work_dir(self) -> Path:
        """Scratch space for one item's processing; never holds the only copy of anything."""
        return self.data_dir / "work"

    def redacted(self) -> dict[str, Any]:
        """Settings safe to print: secrets are replaced by a marker that shows whether they are set."""
        shown: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "source":
                continue
            value = getattr(self, f.name)
            if f.name in {"s3_secret_key", "secret_key", "replica_s3_secret_key"} or (f.name.endswith("_url") and "@" in str(value)):
                value = "(đã đặt / set)" if value else "(chưa đặt / not set)"
            shown[f.name] = str(value) if isinstance(value, Path) else value
        return shown


def _coerce(name: str, raw: Any, kind: type, problems: list[str]) -> Any:
    env = ENV_PREFIX + name.upper()
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off", ""}:
            return False
        problems.append(f"{env}={raw!r} is not a yes/no value; use true or false.")
        return False
    if kind is int:
        try:
            return int(raw)
        except (TypeError, ValueError):
            problems.append(f"{env}={raw!r} is not a whole number; give a number such as 30.")
            return 0
    if kind is float:
        try:
            return float(raw)
        except (TypeError, ValueError):
            problems.append(f"{env}={raw!r} is not a number; give a value such as 0.8.")
            return 0.0
    if kind is Path:
        return Path(str(raw)).expanduser()
    return str(raw).strip()


def load_settings(environ: Mapping[str, str] | None = None, config_file: str | Path | None = None) -> Settings:
    """Read the TOML file (if any) and the environment, validate, and return the settings.

    Raises ``ConfigError`` listing every problem at once, so an operator fixes them in one pass.
    """
    env = dict(os.environ if environ is None else environ)
    problems: list[str] = []
    values: dict[str, Any] = {}
    sources: list[str] = []
    kinds = {f.name: (Path if f.name == "data_dir" else type(f.default)) for f in fields(Settings) if f.name != "source"}

    path = config_file or env.get(ENV_PREFIX + "CONFIG")
    if path:
        try:
            with open(path, "rb") as fh:
                table = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError([f"The configuration file {path} does not exist; fix LUUTRU_CONFIG or create the file."])
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError([f"The configuration file {path} is not valid TOML ({exc}); correct it and start again."])
        table = table.get("luutru", table)
        for key, raw in table.items():
            name = key.lower()
            if name not in kinds:
                problems.append(f"The configuration file {path} has an unknown setting {key!r}; remove it or check its spelling.")
                continue
            values[name] = _coerce(name, raw, kinds[name], problems)
        sources.append(str(path))

    for name, kind in kinds.items():
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None:
            values[name] = _coerce(name, raw, kind, problems)
    sources.append("environment")

    settings = Settings(**values, source=tuple(sources))
    problems.extend(_validate(settings))
    if problems:
        raise ConfigError(problems)
    return settings


def _validate(s: Settings) -> list[str]:
    """Cross-field rules; each message says what is wrong and what to set."""
    problems: list[str] = []
    if s.profile not in PROFILES:
        problems.append(f"LUUTRU_PROFILE={s.profile!r} is unknown; use 'embedded' (one machine, no servers) or 'services'.")
        return problems
    s3_named = {"LUUTRU_S3_ENDPOINT": s.s3_endpoint, "LUUTRU_S3_BUCKET": s.s3_bucket,
                "LUUTRU_S3_ACCESS_KEY": s.s3_access_key, "LUUTRU_S3_SECRET_KEY": s.s3_secret_key}
    given = [k for k, v in s3_named.items() if v]
    if given:
        for k, v in s3_named.items():
            if not v:
                problems.append(f"{given[0]} is set but {k} is not; set {k} too, or unset the S3 settings to use local files.")
    if s.profile == "services":
        required = {"LUUTRU_DATABASE_URL": s.database_url, "LUUTRU_S3_ENDPOINT": s.s3_endpoint,
                    "LUUTRU_ES_URL": s.es_url, "LUUTRU_BROKER_URL": s.broker_url}
        for k, v in required.items():
            if not v and not (k.startswith("LUUTRU_S3") and given):
                problems.append(f"LUUTRU_PROFILE=services needs {k}; set it or use LUUTRU_PROFILE=embedded.")
        if not s.secret_key:
            problems.append("LUUTRU_PROFILE=services needs LUUTRU_SECRET_KEY (a long random string that signs sessions).")
    if s.s3_endpoint and "://" in s.s3_endpoint:
        problems.append(f"LUUTRU_S3_ENDPOINT={s.s3_endpoint!r} must be host:port without a scheme; use LUUTRU_S3_SECURE=true for https.")
    if s.s3_lock_mode and s.s3_lock_mode.upper() not in LOCK_MODES:
        problems.append(f"LUUTRU_S3_LOCK_MODE={s.s3_lock_mode!r} is unknown; use GOVERNANCE or COMPLIANCE, or leave it empty.")
    if s.s3_lock_mode and s.s3_lock_days <= 0:
        problems.append("LUUTRU_S3_LOCK_MODE is set but LUUTRU_S3_LOCK_DAYS is not a positive number of days; set it (e.g. 3650).")
    if s.s3_part_size < 5 * 1024 * 1024:
        problems.append("LUUTRU_S3_PART_SIZE must be at least 5242880 bytes (5 MiB), the S3 minimum part size.")
    for name in ("ocr_confidence_threshold", "review_threshold"):
        if not 0 <= getattr(s, name) <= 1:
            problems.append(f"LUUTRU_{name.upper()} must be between 0 and 1.")
    if s.ocr_jobs < 0 or s.lease_seconds < 60 or s.max_attempts < 1 or s.retry_seconds <= 0 or s.max_crashes < 1:
        problems.append("LUUTRU_OCR_JOBS must be ≥ 0 (pages OCR'd at once per document; 0 = one), "
                        "LUUTRU_LEASE_SECONDS ≥ 60, "
                        "LUUTRU_MAX_ATTEMPTS ≥ 1, "
                        "LUUTRU_RETRY_SECONDS > 0 and "
                        "LUUTRU_MAX_CRASHES ≥ 1.")
    if not 0 <= s.ocr_deskew_min_degrees <= 45:
        problems.append(f"LUUTRU_OCR_DESKEW_MIN_DEGREES={s.ocr_deskew_min_degrees} must be between 0 (straighten every "
                        "page) and 45 degrees.")
    if not all(part.isalpha() for part in s.ocr_languages.split("+")):
        problems.append(f"LUUTRU_OCR_LANGUAGES={s.ocr_languages!r} must be Tesseract codes joined by '+', e.g. vie+eng.")
    if s.schema_dir and not (Path(s.schema_dir) / "mets-1.12.xsd").is_file():
        problems.append(f"LUUTRU_SCHEMA_DIR={s.schema_dir!r} holds no mets-1.12.xsd; give the folder with the official "
                        "METS 1.12 and PREMIS 3.0 XSDs (and the files they import), or leave it empty.")
    if not s.organization.strip():
        problems.append("LUUTRU_ORGANIZATION is empty; give the archive's name, which every package names as its "
                        "keeper.")
    if s.search_engine not in SEARCH_ENGINES:
        problems.append(f"LUUTRU_SEARCH_ENGINE={s.search_engine!r} không có; dùng tantivy (mặc định, nhanh ở hàng "
                        "trăm nghìn hồ sơ) hoặc sqlite (SQLite FTS5). / "
                        f"LUUTRU_SEARCH_ENGINE={s.search_engine!r} is unknown; use tantivy (the default, fast at "
                        "hundreds of thousands of records) or sqlite (SQLite FTS5).")
    if s.language not in ("vi", "en"):
        problems.append(f"LUUTRU_LANGUAGE={s.language!r} is not offered; use vi or en.")
    problems.extend(_validate_integrity(s))
    if s.database_url and not s.database_url.startswith(("sqlite", "postgresql")):
        problems.append("LUUTRU_DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL.")
    return problems


def _validate_integrity(s: Settings) -> list[str]:
    """Replica, fixity pacing and audit rules (issue 8)."""
    problems: list[str] = []
    replica = {"LUUTRU_REPLICA_S3_ENDPOINT": s.replica_s3_endpoint, "LUUTRU_REPLICA_S3_BUCKET": s.replica_s3_bucket,
               "LUUTRU_REPLICA_S3_ACCESS_KEY": s.replica_s3_access_key,
               "LUUTRU_REPLICA_S3_SECRET_KEY": s.replica_s3_secret_key}
    given = [k for k, v in replica.items() if v]
    for k, v in replica.items():
        if given and not v:
            problems.append(f"{given[0]} is set but {k} is not; set {k} too, or unset the replica S3 settings.")
    if given and s.replica_dir:
        problems.append("Both LUUTRU_REPLICA_DIR and LUUTRU_REPLICA_S3_* are set; a replica is one location, "
                        "choose one of them.")
    if s.replica_s3_endpoint and "://" in s.replica_s3_endpoint:
        problems.append("LUUTRU_REPLICA_S3_ENDPOINT must be host:port without a scheme; use "
                        "LUUTRU_REPLICA_S3_SECURE=true for https.")
    same_bucket = (s.replica_s3_endpoint, s.replica_s3_bucket) == (s.s3_endpoint, s.s3_bucket)
    if s.replica_s3_endpoint and same_bucket:
        problems.append("The replica bucket is the primary bucket; TT 05 requires two independent copies, so give "
                        "the replica another bucket or server.")
    if s.replica_dir and not s.s3_endpoint and Path(s.replica_dir).expanduser().resolve() == s.objects_dir.resolve():
        problems.append("LUUTRU_REPLICA_DIR is the primary object folder; give it another disk or folder.")
    if not 1 <= s.share_days <= 365:
        problems.append("LUUTRU_SHARE_DAYS must be between 1 and 365 days (TT 05 default: 15).")
    if not 1 <= s.fixity_cycle_days <= 3 * 365:
        problems.append("LUUTRU_FIXITY_CYCLE_DAYS must be between 1 and 1095: TT 05 requires every record to be "
                        "checked within 3 years.")
    if s.fixity_bandwidth <= 0 or s.fixity_tick_seconds < 10 or s.audit_checkpoint_seconds < 10:
        problems.append("LUUTRU_FIXITY_BANDWIDTH (bytes per second) must be positive, and LUUTRU_FIXITY_TICK_SECONDS "
                        "and LUUTRU_AUDIT_CHECKPOINT_SECONDS at least 10.")
    return problems
