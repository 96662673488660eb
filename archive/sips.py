"""Submission packages in a batch: TT 05 SIPs (SIP_hoso, SIP_tailieu) and E-ARK SIPs handed to ``luutru ingest``.

A ZIP that holds a package (a METS.xml, a ``representations/`` or ``metadata/`` folder under its
root folder) is not unpacked as loose files: it is verified as a package first (structure, every
checksum its METS declares, XSD validity, TT 05 code lists, no unsafe member names) and refused as
a whole, with every problem named, if anything is wrong. A verified SIP gives one item per content
file, each carrying the metadata its EAD_doc (and the file-level EAD.xml) declares, which wins over
extraction exactly as a catalogue spreadsheet row does.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

from ingest.package import (
    DocumentDescription,
    FileDescription,
    ForeignDescription,
    LooseFileDescription,
    PackageRejected,
    SchemaSet,
    read_zip_package,
)
from ingest.package.model import open_source

_PACKAGE_MARKERS = ("METS.xml", "representations", "metadata")


def looks_like_package(path: Path) -> bool:
    """A ZIP whose single root folder has METS.xml, representations/ or metadata/ is meant as a package."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    return any(len(parts) >= 2 and parts[1] in _PACKAGE_MARKERS
               for parts in (name.replace("\\", "/").lstrip("/").split("/") for name in names))


class SipRefused(Exception):
    """The SIP is malformed; ``problems`` names each file and rule at fault."""

    def __init__(self, name: str, problems: list[str]) -> None:
        self.name, self.problems = name, problems
        super().__init__(f"{name}: " + "; ".join(problems))


def take_sip(path: Path, name: str, scratch: Path, schemas: SchemaSet | None) -> list[tuple[Path, str, dict[str, Any]]]:
    """Verify the SIP and copy out its content files: (local path, display name, supplied metadata) each."""
    if schemas is None:
        raise SipRefused(name, ["no XSD folder is configured (LUUTRU_SCHEMA_DIR), so the package's METS cannot be "
                                "verified; configure it and submit again"])
    try:
        received = read_zip_package(path, schemas, expected_type="SIP")
    except PackageRejected as exc:
        raise SipRefused(name, exc.problems) from exc
    spec = received.spec
    target = scratch / f"sip-{len(list(scratch.glob('sip-*')))}"
    taken = []
    for rep in spec.representations:
        for item in rep.files:
            out = target / rep.name / item.path
            out.parent.mkdir(parents=True, exist_ok=True)
            with open_source(item.source) as source, open(out, "wb") as sink:
                shutil.copyfileobj(source, sink, 1024 * 1024)
            document = (rep.documents[item.document - 1] if item.document else
                        rep.documents[0] if len(rep.documents) == 1 else None)
            taken.append((out, f"{name}/{rep.data_path(item)}", supplied_row(spec.description, document)))
    return taken


def _iso(text: str | None) -> str | None:
    """TT 05's DD/MM/YYYY as the ISO date the catalogue rows carry; partial dates are not a document date."""
    if not text or text.count("/") != 2:
        return None
    day, month, year = text.split("/")
    return f"{year}-{month}-{day}"


def supplied_row(description: object, document: DocumentDescription | None) -> dict[str, Any]:
    """The SIP's metadata for one file, in the catalogue's column names (``archive.catalogue``)."""
    row: dict[str, Any] = {}
    if isinstance(description, FileDescription):
        row.update({"fileCode": description.file_code, "title": description.title})
    elif isinstance(description, ForeignDescription) and description.title and document is None:
        row["subject"] = description.title[:500]
    elif isinstance(description, LooseFileDescription) and document is None:
        row["subject"] = description.title[:500]
    if document is not None:
        row.update({
            "typeName": document.type_name, "codeNumber": document.code_number,
            "codeNotation": document.code_notation, "issuedDate": _iso(document.issued_date),
            "organName": document.organ_name, "subject": document.subject, "description": document.description,
            "keyword": document.keyword, "mode": document.mode, "maintenance": document.maintenance,
            "autograph": document.autograph, "inforSign": document.infor_sign,
            "numberOfPage": document.number_of_page, "language": list(document.language) or None,
        })
    return {key: value for key, value in row.items() if value not in (None, "", [])}
