"""BagIt (RFC 8493) export of a package, for transfer to systems that speak BagIt but not OCFL/E-ARK.

The payload is the package tree under ``data/``; SHA-256 (what TT 05 records) and SHA-512 (what
RFC 8493 says tools should default to) manifests are both written, and the bag is validated with
the LoC ``bagit`` library before it is handed back, so an export that would fail
``bagit.py --validate`` never leaves this function.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import bagit

from ingest.package.build import Package
from ingest.package.errors import PackageError
from ingest.package.model import open_source

_COPY = 1024 * 1024
BAG_CHECKSUMS = ("sha256", "sha512")
"""Manifests of every bag we export: SHA-256 (the digest the catalog and OCFL keep, so a bag is
checked against our own records) and SHA-512 (bagit-python's default, which many BagIt tools expect)."""


def export_bag(package: Package, destination: Path, *, source_organization: str,
               bagging_date: date | None = None) -> bagit.Bag:
    """Create a valid bag at ``destination`` (a new directory) holding the package.

    External-Identifier is the package OBJID; Payload-Oxum is computed by the library.
    """
    destination = Path(destination)
    if destination.exists():
        raise PackageError(f"{destination} already exists; a bag is always written to a new folder")
    payload = destination / package.folder
    payload.mkdir(parents=True)
    try:
        for entry in package.entries:
            target = payload / entry.path
            target.parent.mkdir(parents=True, exist_ok=True)
            with open_source(entry.source) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out, _COPY)
        info = {
            "Source-Organization": source_organization,
            "Bagging-Date": (bagging_date or date.today()).isoformat(),
            "External-Identifier": package.objid,
            "External-Description": f"TT 05/2025 {package.package_type} {package.objid}",
        }
        bag = bagit.make_bag(str(destination), info, processes=1, checksums=list(BAG_CHECKSUMS))
        _check_payload(bag, package)
        bag.validate()
    except BaseException:
        shutil.rmtree(destination, ignore_errors=True)
        raise
    return bag


def _check_payload(bag: bagit.Bag, package: Package) -> None:
    """The bag's SHA-256 manifest must equal the package's own digests: proof nothing changed on copy."""
    expected = {f"data/{package.folder}/{entry.path}": entry.sha256 for entry in package.entries}
    actual = {path: digests["sha256"] for path, digests in bag.entries.items() if path.startswith("data/")}
    if actual != expected:
        wrong = sorted(path for path in expected if actual.get(path) != expected[path])
        raise PackageError(f"the bag's payload differs from the package for {', '.join(wrong[:5])}")
