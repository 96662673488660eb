"""A worker killed at any moment loses nothing: the item resumes and ends archived exactly once.

A 30-document batch (scans and born-digital PDFs, one of them twice) is worked by a real `luutru
worker` process that is SIGKILLed at least ten times at chosen moments across every step (virus
check, identification, validation, the signature check, mid-OCR, between storing derivatives and
committing them, extraction, the thumbnail step, packaging, indexing, the last step, and at random times). As in production, the
killed worker's leases simply run out (here: are expired at once) and a new worker resumes.
Afterwards every item is archived (or a duplicate) exactly once, with exactly one PREMIS event per
step, no orphan objects and every checksum verifying.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from archive.batches import BatchService, _sha256_of
from archive.catalog import ArchivalPackage, BatchItem, Bitstream, Document, EventObject, PreservationEvent, utc_now
from archive.catalog.codes import BatchItemState, RepresentationType
from archive.catalog.models import Representation
from archive.factory import Archive
from archive.pipeline.runner import TERMINAL
from archive.rebuild import RECORD_PATH
from archive.records import dump_record, record_bytes
from archive.work import sweep_scratch
from ingest.package import OcflStorage, validate_storage_root
from tests.pipeline.badfiles import CORPUS

LUUTRU = Path(sys.executable).with_name("luutru")
SCANS = ("vn006.tif", "vn014.jpg", "vn015.jpg", "vn022.jpg", "vn030.jpg")
BORN_DIGITAL_SOURCES = ("vn003.pdf", "vn008.pdf", "vn010.pdf")
BORN_DIGITAL = tuple(f"{BORN_DIGITAL_SOURCES[i % 3][:-4]}-{i:02d}.pdf" for i in range(24))
DUPLICATE = "ban-sao-vn003-00.pdf"   # the same bytes as the first born-digital file under another name
DOCUMENTS = 30
STEP_EVENTS = ("mes", "ing", "vir", "for", "val", "nor", "mee", "cre", "ipc", "acc")
# Events that link the batch item itself, so a duplicate item has its own.
PER_ITEM_EVENTS = ("mes", "ing", "vir", "for", "val")
TERMINAL_STATES = {state.value for state in TERMINAL}


def worker_env(embedded_env: dict[str, str]) -> dict[str, str]:
    """The worker's environment. This test kills workers on purpose, often several times in one step
    of one item, so the limit that stops files which keep killing workers is lifted here."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUUTRU_")}
    return {**env, **embedded_env, "LUUTRU_MAX_CRASHES": "1000"}


class Workers:
    """Starts `luutru worker --threads 1` processes and kills them, keeping their logs."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs, self.started = env, logs, 0
        self.proc: subprocess.Popen[bytes] | None = None
        logs.mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        self.started += 1
        log = open(self.logs / f"worker-{self.started}.log", "wb")
        self.proc = subprocess.Popen([str(LUUTRU), "worker", "--threads", "1"], env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        assert self.proc.returncode == -signal.SIGKILL, self.proc.returncode
        self.proc = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def tail(self) -> str:
        return "\n".join(f"--- worker {n}\n" + (self.logs / f"worker-{n}.log").read_text(errors="replace")[-3000:]
                         for n in range(1, self.started + 1))


def states(archive: Archive, batch_id: int) -> dict[int, tuple[str, str]]:
    """item id → (state, sha256), read as any other process reads the catalog.

    A crash is not a failure: an item that a kill sent into backoff (a transient failure recorded)
    means a resumed step could not cope with what the killed one left, so the test stops there.
    """
    return {i: (state, sha) for i, (state, sha, _) in leases(archive, batch_id).items()}


def leases(archive: Archive, batch_id: int) -> dict[int, tuple[str, str, bool]]:
    """item id → (state, sha256, whether a worker holds a live lease on it now)."""
    now = utc_now()
    with archive.sessions() as session:
        rows = session.execute(select(BatchItem.id, BatchItem.state, BatchItem.sha256, BatchItem.lease_expires_at,
                                      BatchItem.failure_code, BatchItem.message_en)
                               .where(BatchItem.batch_id == batch_id)).all()
    failed = [(i, s.value, code, message) for i, s, _, _, code, message in rows if code is not None]
    assert not failed, failed
    return {i: (s.value, sha, lease is not None and lease > now) for i, s, sha, lease, _, _ in rows}


def expire_leases(archive: Archive, batch_id: int) -> int:
    """What time does in production: the dead worker's leases run out."""
    with archive.work_sessions.begin() as session:
        return session.execute(update(BatchItem)
                               .where(BatchItem.batch_id == batch_id, BatchItem.state.not_in(TERMINAL),
                                      BatchItem.lease_expires_at.is_not(None))
                               .values(lease_expires_at=utc_now() - timedelta(seconds=1))).rowcount


Moment = Callable[[], bool]


def test_worker_killed_at_many_moments_resumes_and_archives_exactly_once(
        tmp_path: Path, archive: Archive, embedded_env: dict[str, str]) -> None:
    folder = tmp_path / "lo"
    folder.mkdir()
    for i, name in enumerate(BORN_DIGITAL):   # distinct copies: a trailing PDF comment changes the bytes
        source = CORPUS / BORN_DIGITAL_SOURCES[i % len(BORN_DIGITAL_SOURCES)]
        (folder / name).write_bytes(source.read_bytes() + f"\n% copy {i}\n".encode())
    for name in SCANS:
        shutil.copyfile(CORPUS / name, folder / name)
    shutil.copyfile(folder / BORN_DIGITAL[0], folder / DUPLICATE)
    # Ordered so the one-thread worker meets a scan after every few born-digital files.
    order = [name for i, scan in enumerate(SCANS) for name in (scan, *BORN_DIGITAL[i * 5:(i + 1) * 5])]
    files = [*order[:3], DUPLICATE, *order[3:]]
    assert len(files) == DOCUMENTS and len(set(files)) == DOCUMENTS
    service = BatchService(archive)
    batch_id = service.submit([folder / n for n in files], name="Lô thử tắt đột ngột")
    objects = archive.settings.objects_dir
    rng = random.Random(os.environ.get("LUUTRU_TEST_SEED", "luutru"))

    def in_state(state: str, *, for_seconds: float = 0.0, scans_only: bool = False) -> Moment:
        seen: dict[int, float] = {}

        def moment() -> bool:
            now = time.monotonic()
            for item_id, (current, _, leased) in leases(archive, batch_id).items():
                # Leased: the new worker has taken the item up and is running the step.
                if current != state or not leased or (scans_only and item_id not in scan_ids):
                    seen.pop(item_id, None)
                    continue
                if now - seen.setdefault(item_id, now) >= for_seconds:
                    return True
            return False
        return moment

    window: list[tuple[str, int]] = []   # (state, item) seen with the step's object already stored
    caught: list[bool] = []               # per such kill: did it land before the step's commit?

    def stored_not_committed(state: str, name: str) -> Moment:
        """The step has just put ``name`` into the store and (very likely) not committed yet."""
        there_before: set[Path] = set()   # stored by an earlier, killed attempt: not this one's put

        def moment() -> bool:
            for item_id, (current, sha) in states(archive, batch_id).items():
                target = objects / "derivatives" / sha / name
                if current != state or target in there_before:
                    continue
                if target.exists():
                    there_before.add(target)
                    continue
                deadline = time.monotonic() + 0.05
                while time.monotonic() < deadline:   # a tight look between catalog polls
                    if target.exists():
                        window.append((state, item_id))
                        return True
                    time.sleep(0.0005)
            return False
        return moment

    def either(first: Moment, second: Moment) -> Moment:
        """Fast steps are not always caught by polling; then the kill comes a little later."""
        return lambda: first() or second()

    def version_committed_not_recorded(state: str, version: str, marker: str = "inventory.json.sha512") -> Moment:
        """The package step has just committed an OCFL version (or, with ``marker`` a content file,
        begun writing it); the catalog does not know it yet."""
        there_before: set[Path] = set()

        def moment() -> bool:
            holding = [i for i, (current, _) in states(archive, batch_id).items() if current == state]
            if not holding:
                return False
            deadline = time.monotonic() + 0.05
            while time.monotonic() < deadline:
                found = set((objects / "ocfl").glob(f"*/*/*/*/{version}/{marker}"))
                if found - there_before:
                    # The item seen in the state a moment ago (it may have moved on since: the kill then
                    # lands a step later, which is still a kill during this batch).
                    window.append((state, holding[0]))
                    there_before.update(found)
                    return True
                there_before.update(found)
                time.sleep(0.0005)
            return False
        return moment

    def after(seconds: float) -> Moment:
        holder: list[float] = []

        def moment() -> bool:
            holder.append(holder[0] if holder else time.monotonic())
            return time.monotonic() - holder[0] >= seconds
        return moment

    scan_shas = {_sha256_of(folder / n)[0] for n in SCANS}
    scan_ids = {i for i, (_, sha) in states(archive, batch_id).items() if sha in scan_shas}
    assert len(scan_ids) == len(SCANS)

    moments: list[tuple[str, Moment]] = [
        ("mid-OCR of a scan", in_state("signatures_checked", for_seconds=1.0, scans_only=True)),
        ("normalise: derivatives stored, not committed",
         stored_not_committed("signatures_checked", "preservation.pdf")),
        ("inside the thumbnail step", in_state("extracted")),
        ("thumbnail stored, not committed", stored_not_committed("extracted", "thumbnail.png")),
        ("package: v1 half written", version_committed_not_recorded("stored", "v1", "content/METS.xml")),
        ("package: v1 committed in storage, not in the catalog", version_committed_not_recorded("stored", "v1")),
        ("inside validation (dedupe, record)", in_state("identified")),
        ("at random", after(rng.uniform(0.5, 4.0))),
        ("inside the virus check", either(in_state("received"), after(rng.uniform(8.0, 15.0)))),
        ("inside extraction", in_state("normalised")),
        ("inside identification", either(in_state("virus_checked"), after(rng.uniform(8.0, 15.0)))),
        ("inside indexing", either(in_state("stored"), after(rng.uniform(8.0, 15.0)))),
        ("inside the signature check", either(in_state("validated"), after(rng.uniform(8.0, 15.0)))),
        ("mid-OCR of another scan", in_state("signatures_checked", for_seconds=2.0, scans_only=True)),
        ("inside the finish step", either(in_state("indexed"), after(rng.uniform(8.0, 15.0)))),
        ("at random", after(rng.uniform(0.5, 4.0))),
        ("at random", after(rng.uniform(0.5, 4.0))),
    ]

    def finished() -> bool:
        return all(state in TERMINAL_STATES for state, _ in states(archive, batch_id).values())

    workers = Workers(worker_env(embedded_env), tmp_path / "logs")
    kills: list[str] = []
    killed_in: set[str] = set()   # states of the items the killed workers held
    deadline = time.monotonic() + 600
    try:
        for label, moment in moments:
            if finished():
                break
            workers.start()
            while not moment():
                assert workers.alive(), workers.tail()
                assert time.monotonic() < deadline, (label, states(archive, batch_id), workers.tail())
                if finished():
                    break
                time.sleep(0.01)
            else:
                workers.kill()
                held = leases(archive, batch_id)
                snapshot = {i: (state, sha) for i, (state, sha, _) in held.items()}
                killed_in.update(state for state, _, leased in held.values() if leased)
                kills.append(f"{label}: held {sorted(s for s, _, leased in held.values() if leased)}, "
                             f"batch {dict(Counter(s for s, _ in snapshot.values()))}")
                if window:
                    state, item_id = window.pop()
                    caught.append(snapshot[item_id][0] == state)   # still before the step: not committed
                    kills[-1] += " (in the window)" if caught[-1] else " (just after the commit)"
                print(f"{time.monotonic():.1f} kill {kills[-1]}", flush=True)
                expire_leases(archive, batch_id)
                continue
            workers.kill()   # the batch finished before this moment came
            break
        # Last worker: let it finish.
        if not finished():
            expire_leases(archive, batch_id)
            workers.start()
            while not finished():
                assert workers.alive(), workers.tail()
                assert time.monotonic() < deadline, (states(archive, batch_id), workers.tail())
                time.sleep(0.1)
            workers.kill()
    finally:
        if workers.alive():
            workers.kill()
    assert len(kills) >= 10, kills
    # The kills are spread over the steps: workers died holding items in at least six states.
    assert len(killed_in) >= 6, (killed_in, kills)
    # At least one kill landed after a step stored objects and before it committed: the case
    # where the resumed step must adopt what the dead one stored.
    assert any(caught), kills
    print("\n".join(["kills:", *kills]))

    report = service.report(batch_id)
    by_name = {str(item["name"]).rsplit("/", 1)[-1]: item for item in report.items}
    assert {n: i["state"] for n, i in by_name.items()} == {
        **{n: "archived" for n in (*SCANS, *BORN_DIGITAL)}, DUPLICATE: "duplicate"}, (report.items, workers.tail())
    assert report.status == "completed" and report.archived == DOCUMENTS - 1 and report.duplicates == 1
    for name, item in by_name.items():
        assert item["failure_code"] is None and item["attempts"] == 0, (name, item)
    assert by_name[DUPLICATE]["document_id"] == by_name[BORN_DIGITAL[0]]["document_id"]

    with archive.sessions() as session:
        items = session.scalars(select(BatchItem).where(BatchItem.batch_id == batch_id)).all()
        # One document per distinct original, each with exactly one representation of each kind.
        documents = session.scalars(select(Document)).all()
        assert len(documents) == len({i.sha256 for i in items}) == DOCUMENTS - 1
        assert {i.document_id for i in items} == {d.id for d in documents}
        for document in documents:
            kinds = Counter(r.type for r in session.scalars(
                select(Representation).where(Representation.document_id == document.id)))
            assert kinds == {RepresentationType.ORIGINAL: 1, RepresentationType.PRESERVATION: 1,
                             RepresentationType.ACCESS: 1}, (document.id, kinds)

        # Exactly one PREMIS event of each step per original (two of the per-item ones for the
        # original that came twice): no step's event was recorded twice by a resumed run.
        links = session.execute(select(EventObject.bitstream_id, EventObject.batch_item_id,
                                       PreservationEvent.event_type, PreservationEvent.id)
                                .join(PreservationEvent, EventObject.event_id == PreservationEvent.id)).all()
        for item in items:
            if item.state == BatchItemState.DUPLICATE:
                continue
            copies = sum(1 for other in items if other.sha256 == item.sha256)
            counted = Counter(t.value for e, t in {(e, t) for b, _, t, e in links if b == item.master_bitstream_id})
            expected = {t: (copies if t in PER_ITEM_EVENTS else 1) for t in STEP_EVENTS}
            assert counted == expected, (item.original_name, counted)
        for item in items:
            per_item = Counter(t.value for _, i, t, _ in links if i == item.id)
            assert per_item == {"ing": 1, "vir": 1}, (item.original_name, per_item)

        # No orphans: every stored object outside the OCFL tree is exactly one catalog bitstream, and each
        # verifies; inside it, the OCFL inventories account for every key (validated below).
        bitstreams = session.scalars(select(Bitstream)).all()
        keys = [b.storage_key for b in bitstreams]
        assert len(keys) == len(set(keys))
        assert sorted(k for k in archive.store.list() if not k.startswith("ocfl/")) == sorted(keys)
        for bitstream in bitstreams:
            result = archive.store.verify(bitstream.storage_key, bitstream.sha256)
            assert result.ok, result.message
        assert {b.storage_key.rsplit("/", 1)[-1] for b in bitstreams if b.storage_key.startswith("derivatives/")} \
            == {"preservation.pdf", "text.txt", "words.json", "thumbnail.png"}
        assert sum(1 for k in keys if k.startswith("masters/")) == DOCUMENTS - 1
        assert sum(1 for k in keys if k.startswith("derivatives/")) == (DOCUMENTS - 1) * 4
        # Each record's AIP: one OCFL object, v1 from the package step with the accession, valid
        # (a stray, uncommitted or damaged file under ocfl/ would be an error here). Every event of each
        # record is in its AIP's head version (what a rebuild restores).
        assert [f for f in validate_storage_root(archive.store) if f.is_error] == []
        packages = session.scalars(select(ArchivalPackage)).all()
        assert sorted(p.document_id for p in packages) == sorted(d.id for d in documents)
        # v2 for the record whose duplicate was validated after it was packaged (its events join the AIP).
        duplicated = next(i.document_id for i in items if i.state == BatchItemState.DUPLICATE)
        assert all(p.head == "v1" or (p.head == "v2" and p.document_id == duplicated) for p in packages), \
            [(p.document_id, p.head) for p in packages]
        ocfl = OcflStorage(archive.store)
        assert sorted(ocfl.object_ids()) == sorted(p.object_id for p in packages)
        for package in packages:
            stored_record = ocfl.files(package.object_id)[RECORD_PATH].key
            document = session.get(Document, package.document_id)
            assert b"".join(archive.store.get(stored_record)) == record_bytes(dump_record(session, document))
        assert all(k.startswith(("masters/", "derivatives/")) for k in keys)

    # Each record is in the search index exactly once.
    archive.index.refresh()
    assert Counter(archive.index.doc_ids()) == {str(d.id): 1 for d in documents}


def test_worker_start_sweeps_what_killed_workers_left(archive: Archive) -> None:
    """A SIGKILLed worker leaves its item folder and maybe a half-written upload; the next worker
    removes those older than a lease, and never a live one or a stored object."""
    old = time.time() - archive.settings.lease_seconds - 60
    dead_item = archive.settings.work_dir / "item-7-deadbeef"
    (dead_item / "ocr").mkdir(parents=True)
    (dead_item / "ocr" / "page-1.png").write_bytes(b"x" * 100)
    live_item = archive.settings.work_dir / "item-8-cafebabe"
    live_item.mkdir()
    stored = archive.store.put("derivatives/ab/text.txt", io.BytesIO(b"van ban"))
    abandoned = archive.settings.objects_dir / "derivatives" / "ab" / ".tmp-abandoned"
    abandoned.write_bytes(b"half an upload")
    in_progress = archive.settings.objects_dir / "derivatives" / "ab" / ".tmp-in-progress"
    in_progress.write_bytes(b"being written")
    for path in (dead_item, abandoned):
        os.utime(path, (old, old))

    assert sweep_scratch(archive) == 2
    assert not dead_item.exists() and not abandoned.exists()
    assert live_item.is_dir() and in_progress.exists()
    assert archive.store.verify(stored.key, stored.sha256).ok
    assert sweep_scratch(archive) == 0
