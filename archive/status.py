"""What `luutru status`, the status page and the health endpoint report: one check per backend.

Each check talks to the real backend (a query, a write-free probe), so "working" means the
component answered just now, not that it was configured.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Callable

from archive.catalog.db import current_revision, head_revision
from archive.factory import Archive
from archive.i18n import t
from ingest.virus import ClamdScanner


@dataclass(frozen=True)
class ComponentStatus:
    component: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class SystemStatus:
    profile: str
    data_dir: str
    checked_at: datetime
    components: list[ComponentStatus] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.components)

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["checked_at"] = self.checked_at.isoformat()
        out["ok"] = self.ok
        return out


def _catalog(archive: Archive, lang: str) -> str:
    current, head = current_revision(archive.engine), head_revision()
    detail = t("catalog.revision", lang, current=current or "-", head=head)
    if current != head:
        raise RuntimeError(f"{detail}; {t('catalog.behind', lang)}")
    return f"{archive.engine.dialect.name}: {detail}"


def _virus(archive: Archive, lang: str) -> str:
    if not archive.settings.clamd:
        return t("virus.not_configured", lang)
    return ClamdScanner(archive.settings.clamd, timeout=5).version()


def collect_status(archive: Archive, lang: str = "vi") -> SystemStatus:
    """Run every check; a failing check is reported with its error, never raised."""
    checks: list[tuple[str, Callable[[], str]]] = [
        ("catalog", lambda: _catalog(archive, lang)),
        ("store", archive.store.health),
        ("index", archive.index.health),
        ("queue", archive.dispatcher.health),
        ("virus", lambda: _virus(archive, lang)),
    ]
    if archive.replica is not None:
        checks.insert(2, ("replica", archive.replica.health))
    components = []
    for name, check in checks:
        try:
            components.append(ComponentStatus(name, True, check()))
        except Exception as exc:  # a status page must report every failure, whatever its type
            components.append(ComponentStatus(name, False, str(exc) or type(exc).__name__))
    return SystemStatus(profile=archive.settings.profile, data_dir=str(archive.settings.data_dir.resolve()),
                        checked_at=datetime.now(timezone.utc), components=components)
