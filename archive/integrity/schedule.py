"""Pacing: a full fixity pass over every location within the cycle, inside the bandwidth budget.

Each tick (``LUUTRU_FIXITY_TICK_SECONDS``, hourly by default) verifies, per location, the copies
verified longest ago: as many as the cycle needs (all copies / ticks per cycle, rounded up) and no
more bytes than the budget allows in one tick (``LUUTRU_FIXITY_BANDWIDTH`` × tick). The same tick
replicates new bitstreams and signs an audit checkpoint when one is due. Celery beat runs it on the
services profile; the embedded ``luutru worker`` runs it in a thread.

A record's OCFL object (its AIP: inventories, sidecars, content) is not a catalog bitstream, so it is
validated with the record: when a tick verifies any bitstream of a record in a location, it also
validates that record's OCFL object there, once per tick, charging the bytes to the same budget. The
bitstreams of one record are made together and verified together, so each package is validated about
once per cycle in each location.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from archive.audit import write_checkpoint
from archive.audit.checkpoints import ChainBroken
from archive.audit.signing import SigningKeyError
from archive.catalog import BatchItem, Bitstream, ObjectCopy, Representation
from archive.integrity.fixity import PRIMARY, check_object, due_copies
from archive.integrity.ocfl import check_package
from archive.integrity.replication import replicate

if TYPE_CHECKING:
    from archive.factory import Archive

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    verified: dict[str, int] = field(default_factory=dict)
    packages: dict[str, int] = field(default_factory=dict)
    """OCFL objects validated, per location."""
    bytes_read: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def fixity_tick(archive: Archive) -> TickReport:
    """One paced slice of the cycle, per location, oldest-verified first."""
    settings = archive.settings
    ticks_per_cycle = max(1, settings.fixity_cycle_days * 86400 // settings.fixity_tick_seconds)
    byte_budget = settings.fixity_bandwidth * settings.fixity_tick_seconds
    report = TickReport()
    for location in archive.locations():
        with archive.sessions() as session:
            if location == PRIMARY:
                total = session.scalar(select(func.count()).select_from(Bitstream)) or 0
            else:
                total = session.scalar(select(func.count()).select_from(ObjectCopy).where(
                    ObjectCopy.location == location, ObjectCopy.copied_at.is_not(None))) or 0
            ids = due_copies(session, location, math.ceil(total / ticks_per_cycle))
            sizes = dict(session.execute(select(Bitstream.id, Bitstream.size).where(Bitstream.id.in_(ids))).all())
        spent = 0
        checked = []
        for bitstream_id in ids:
            if spent and spent + sizes[bitstream_id] > byte_budget:
                break
            result = check_object(archive, bitstream_id, only=[location])
            spent += sizes[bitstream_id]
            checked.append(bitstream_id)
            report.verified[location] = report.verified.get(location, 0) + 1
            if result.status not in ("ok",):
                report.problems.append(f"{result.key}: {result.status}")
        for document_id in records_of(archive, checked):
            package = check_package(archive, document_id, location)
            if package is None:
                continue
            spent += package.bytes_read
            report.packages[location] = report.packages.get(location, 0) + 1
            if package.status != "ok":
                report.problems.append(f"OCFL {package.object_id} ({location}): {package.status}: "
                                       + "; ".join(package.findings[:5]))
        report.bytes_read[location] = spent
    return report


def records_of(archive: Archive, bitstream_ids: list[int]) -> list[int]:
    """The records (document ids) the bitstreams belong to: through their representation, or as the
    master a batch item received."""
    if not bitstream_ids:
        return []
    with archive.sessions() as session:
        found = set(session.scalars(select(Representation.document_id).join(
            Bitstream, Bitstream.representation_id == Representation.id).where(Bitstream.id.in_(bitstream_ids))))
        found |= set(session.scalars(select(BatchItem.document_id).where(
            BatchItem.master_bitstream_id.in_(bitstream_ids), BatchItem.document_id.is_not(None))))
    return sorted(d for d in found if d is not None)


def maintenance_tick(archive: Archive) -> TickReport:
    """What the scheduler runs: replicate new objects, verify a paced slice, sign a checkpoint."""
    replication = replicate(archive, bandwidth=archive.settings.fixity_bandwidth)
    report = fixity_tick(archive)
    report.problems += [f"{key}: {why}" for key, why in replication.failed.items()]
    try:
        write_checkpoint(archive)
    except (SigningKeyError, ChainBroken) as exc:
        report.problems.append(str(exc))
    for problem in report.problems:
        log.warning("integrity: %s", problem)
    return report


class MaintenanceThread(threading.Thread):
    """The embedded profile's scheduler: a daemon thread in ``luutru worker`` that runs the tick.

    The time of the last tick is kept in ``DATA_DIR/maintenance-tick`` (its mtime), so restarting the
    worker neither skips the schedule nor re-runs a tick early; a new installation starts its clock at
    the first start, so the first tick comes one interval later.
    """

    def __init__(self, archive: Archive) -> None:
        super().__init__(name="luutru-integrity", daemon=True)
        self.archive = archive
        self.interval = min(archive.settings.fixity_tick_seconds, archive.settings.audit_checkpoint_seconds)
        self.marker = archive.settings.data_dir / "maintenance-tick"
        self.stopping = threading.Event()

    def due(self) -> bool:
        try:
            last = self.marker.stat().st_mtime
        except FileNotFoundError:
            self.marker.touch()
            return False
        return time.time() - last >= self.interval

    def run(self) -> None:
        while not self.stopping.is_set():
            if self.due():
                self.marker.touch()
                try:
                    maintenance_tick(self.archive)
                except Exception:  # one bad tick must not end preservation monitoring
                    log.exception("integrity maintenance tick failed")
            self.stopping.wait(min(self.interval, 60))
