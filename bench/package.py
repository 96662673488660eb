"""Packaging overhead per document: build + XSD validation time, OCFL write time, bytes added.

Each of the 30 corpus files becomes a single-representation AIP (rep1 = the master), is built and
validated (METS, PREMIS, EAD), written as an OCFL object to a fresh local object store, and
validated again with the strict OCFL validator. "Bytes added" is everything the object stores
beyond the master itself: metadata, the schemas/ copies E-ARK asks for, and the OCFL inventories.

    .venv/bin/python bench/package.py [--corpus ../shared/corpus/vn-admin/files] [--schemas ../shared/schemas]
                                      [--rebuild-records 300]

The second part measures the archive's own path: ``--rebuild-records`` catalog records (each a
distinct copy of a corpus file, with its ingest events) are sealed into AIPs by ``archive.packaging.seal``
on the embedded profile (SQLite, local store), then the catalog and index are deleted and
``luutru rebuild --from-storage`` recreates them. It is compared with the plain floor of the same
work: reading each object's head inventory and catalog record from the store and parsing them.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.package import (  # noqa: E402
    Agent,
    AgentLink,
    DocumentDescription,
    Event,
    FileDescription,
    ObjectLink,
    OcflStorage,
    PackageFile,
    PackageSpec,
    Representation,
    SchemaSet,
    build_package,
    validate_object,
)
from ingest.package.xmlutil import VIETNAM  # noqa: E402
from storage.local import LocalObjectStore  # noqa: E402

FORMATS = {".pdf": ("application/pdf", "Acrobat PDF 1.4", "fmt/18"),
           ".tif": ("image/tiff", "Tagged Image File Format", "fmt/353"),
           ".jpg": ("image/jpeg", "JPEG File Interchange Format 1.01", "fmt/43")}
SOFTWARE = Agent(identifier="luutru", name="luutru", type="software", version="0.1.0")


def spec_for(master: Path, created: datetime) -> PackageSpec:
    data = master.read_bytes()
    mime, name, puid = FORMATS[master.suffix]
    code = f"H49.64.33.2024.{master.stem}"
    item = PackageFile(path=master.name, size=len(data), sha256=hashlib.sha256(data).hexdigest(), mime=mime,
                       format_name=name, puid=puid, source=master, original_name=master.name, document=1)
    doc = DocumentDescription(arc_file_code=code, doc_code=f"{code}.0000001", doc_ordinal=1, type_name="22",
                              subject=f"Tài liệu {master.stem}", mode="01", language=("01",), confidence_level="02")
    path = f"representations/rep1/data/{master.name}"
    events = tuple(Event(identifier=uuid.uuid4(), type=kind, at=created, outcome="success",
                         agents=(AgentLink("luutru", ("executing program",)),), objects=(ObjectLink(path, "source"),))
                   for kind in ("mes", "for", "vir"))
    return PackageSpec(
        object_id=uuid.uuid4(), kind="hoso", representations=(Representation(
            name="rep1", files=(item,), documents=(doc,), events=events),),
        description=FileDescription(file_code=code, title=f"Hồ sơ {master.stem}", maintenance="01", mode="01",
                                    language=("01",), confidence_level="02", paper_file_code=f"H49.K1.{master.stem}"),
        organization="Trung tâm Lưu trữ", software=SOFTWARE, created=created, agents=(SOFTWARE,),
        events=(Event(identifier=uuid.uuid4(), type="ipc", at=created, outcome="success",
                      agents=(AgentLink("luutru", ("executing program",)),), objects=(ObjectLink("", "outcome"),)),))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "vn-admin" / "files")
    parser.add_argument("--schemas", type=Path, default=ROOT.parent / "shared" / "schemas")
    parser.add_argument("--rebuild-records", type=int, default=300,
                        help="records sealed and then rebuilt from storage (0 skips that part)")
    args = parser.parse_args()
    masters = sorted(p for p in args.corpus.iterdir() if p.suffix in FORMATS)
    schemas = SchemaSet(args.schemas)
    created = datetime.now(VIETNAM).replace(microsecond=0)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        store = LocalObjectStore(Path(folder))
        ocfl = OcflStorage(store)
        ocfl.initialise()
        for master in masters:
            spec = spec_for(master, created)
            started = time.perf_counter()
            package = build_package(spec, "AIP", schemas)
            built = time.perf_counter()
            ocfl.write_version(package.objid, package.entries, created=created, message="bench", user_name="bench",
                               user_address="mailto:bench@example.org")
            written = time.perf_counter()
            base = ocfl.object_root(package.objid)
            findings = validate_object(store, base)
            validated = time.perf_counter()
            if findings:
                raise SystemExit(f"{master.name}: {findings}")
            stored = sum(store.head(key).size for key in store.list(base + "/"))
            schema_bytes = sum(e.size for e in package.entries if e.path.startswith("schemas/"))
            rows.append((master.name, master.stat().st_size, (built - started) * 1000, (written - built) * 1000,
                         (validated - written) * 1000, stored - master.stat().st_size, schema_bytes))
    print(f"Packaging benchmark: {len(rows)} single-representation AIPs (rep1 = master) from {args.corpus}")
    print()
    print("| file | master bytes | build + XSD ms | OCFL write ms | OCFL validate ms | bytes added "
          "| of which schemas/ |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, size, build, write, check, added, schema_bytes in rows:
        print(f"| {name} | {size} | {build:.1f} | {write:.1f} | {check:.1f} | {added} | {schema_bytes} |")
    series = {
        "build + XSD validation (ms)": [row[2] for row in rows],
        "OCFL write, local store (ms)": [row[3] for row in rows],
        "OCFL strict validation (ms)": [row[4] for row in rows],
        "bytes added": [row[5] for row in rows],
        "bytes added without schemas/": [row[5] - row[6] for row in rows],
    }
    print()
    print("| per document | mean | median | min | max |")
    print("|---|---:|---:|---:|---:|")
    for label, values in series.items():
        fmt = "{:.1f}" if label.endswith("(ms)") else "{:.0f}"
        stats = (statistics.mean(values), statistics.median(values), min(values), max(values))
        print(f"| {label} | " + " | ".join(fmt.format(value) for value in stats) + " |")
    total_master = sum(row[1] for row in rows)
    total_added = sum(row[5] for row in rows)
    print()
    print(f"Masters {total_master} bytes, added {total_added} bytes ({100 * total_added / total_master:.1f} %).")

    if args.rebuild_records:
        rebuild_bench(masters, args.schemas, args.rebuild_records)


def rebuild_bench(masters: list[Path], schema_dir: Path, count: int) -> None:
    """Seal ``count`` records through the archive, then time the rebuild against the plain read floor."""
    import json

    from sqlalchemy import select

    from archive.catalog import Bitstream, Document, Fonds, Representation
    from archive.catalog.codes import BitstreamRole, EventOutcome, EventType, RepresentationType, TypeName
    from archive.catalog.db import upgrade
    from archive.config import load_settings
    from archive.factory import create_archive
    from archive.packaging import seal
    from archive.preservation import record_event
    from archive.rebuild import RECORD_PATH, rebuild_from_storage

    with tempfile.TemporaryDirectory() as folder:
        env = {"LUUTRU_DATA_DIR": folder, "LUUTRU_SCHEMA_DIR": str(schema_dir)}
        archive = create_archive(load_settings(env))
        upgrade(archive.engine, "head")
        seal_ms = []
        for number in range(count):
            master = masters[number % len(masters)]
            data = master.read_bytes() + f"\n%luutru bench copy {number}\n".encode()
            digest = hashlib.sha256(data).hexdigest()
            key = f"masters/{digest[:2]}/{digest[2:4]}/{digest}"
            archive.store.put(key, io.BytesIO(data), expected_sha256=digest, retain=True)
            with archive.work_sessions.begin() as session:
                fonds = session.scalars(select(Fonds)).first() or Fonds(code="BENCH", name="Phông thử")
                document = Document(fonds=fonds, subject=f"Văn bản thử {number}", type_name=TypeName.CONG_VAN,
                                    code_number=str(number), code_notation="UBND-VP")
                rep = Representation(document=document, type=RepresentationType.ORIGINAL, label="rep1")
                bitstream = Bitstream(storage_key=key, size=len(data), sha256=digest, role=BitstreamRole.MASTER,
                                      mime_type="application/pdf", puid="fmt/18", original_filename=master.name,
                                      representation=rep)
                session.add_all([fonds, document, rep, bitstream])
                for kind in (EventType.MESSAGE_DIGEST_CALCULATION, EventType.INGESTION, EventType.VIRUS_CHECK,
                             EventType.FORMAT_IDENTIFICATION, EventType.VALIDATION, EventType.METADATA_EXTRACTION):
                    record_event(session, kind, EventOutcome.SUCCESS, detail="bench", sources=[bitstream],
                                 outcomes=[document])
                event = record_event(session, EventType.INFORMATION_PACKAGE_CREATION, EventOutcome.SUCCESS,
                                     detail="bench AIP", sources=[bitstream], outcomes=[document])
                session.flush()
                started = time.perf_counter()
                seal(session, archive.store, archive.settings, document, event, message="bench", user_name="bench",
                     user_address="urn:luutru:bench")
                seal_ms.append((time.perf_counter() - started) * 1000)
        from ingest.package import OcflStorage
        from ingest.package.streams import read_all

        ocfl = OcflStorage(archive.store)
        started = time.perf_counter()
        plain = 0
        for objid in ocfl.object_ids():
            json.loads(read_all(archive.store.get(ocfl.files(objid)[RECORD_PATH].key)))
            plain += 1
        plain_seconds = time.perf_counter() - started
        archive.engine.dispose()
        Path(folder, "catalog.sqlite").unlink()
        shutil.rmtree(archive.settings.search_index_path, ignore_errors=True)
        rebuilt = create_archive(load_settings(env))
        upgrade(rebuilt.engine, "head")
        report = rebuild_from_storage(rebuilt)
        rebuilt.engine.dispose()
    if report.problems or report.documents != count:
        raise SystemExit(f"rebuild restored {report.documents} of {count}: {report.problems}")
    print()
    print(f"Archive path, {count} records (embedded profile: SQLite catalog, local store, tantivy index):")
    print()
    print("| measure | value |")
    print("|---|---:|")
    print(f"| `seal` (AIP v1 from the catalog, XSD-validated, OCFL write), mean ms/record | "
          f"{statistics.mean(seal_ms):.1f} |")
    print(f"| `seal`, median ms/record | {statistics.median(seal_ms):.1f} |")
    print(f"| plain floor: read + parse head inventory and record of each object, records/s | "
          f"{plain / plain_seconds:.1f} |")
    print(f"| `rebuild --from-storage` (catalog rows, package rows, search index), records/s | "
          f"{report.rate:.1f} |")
    print(f"| ratio rebuild / plain floor | {report.rate / (plain / plain_seconds):.2f} |")


if __name__ == "__main__":
    main()
