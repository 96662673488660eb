"""TT 05/2025 archival packages: SIP/AIP/DIP building and reading, OCFL 1.1 storage, validation, BagIt export.

Knows nothing of the catalog: callers describe a package with the dataclasses of ``model`` and
``description`` and get back packages, stored versions and findings. The flow the archive uses:

    spec → build_package(spec, "AIP", schemas) → OcflStorage(store).write_version(objid, entries, …)
    OcflStorage.openers(objid) → read_package(…) → PackageSpec           (rebuild, DIP generation)
    read_zip_package(sip.zip, schemas, expected_type="SIP") → aip_from_sip(…) → build_package(…)
    dip_from_aip(…) → build_package(…, "DIP") → write_zip(…);   export_bag(package, folder, …)
    validate_storage_root(store) / validate_object(store, root)   → OCFL findings
"""

from ingest.package.bag import export_bag
from ingest.package.build import Package, PackageEntry, build_package, objid_for
from ingest.package.convert import aip_from_sip, dip_from_aip
from ingest.package.description import (
    AccessRequest,
    DocumentDescription,
    FileDescription,
    LooseFileDescription,
    tt05_date,
)
from ingest.package.errors import (
    ConcurrentUpdate,
    MetadataError,
    OcflError,
    PackageError,
    PackageRejected,
    SchemaInvalid,
    UncommittedVersion,
)
from ingest.package.model import (
    Agent,
    AgentLink,
    CreatingApplication,
    Documentation,
    Event,
    ForeignDescription,
    ObjectLink,
    PackageFile,
    PackageSpec,
    Representation,
)
from ingest.package.ocfl import OcflStorage, StoredFile, VersionWritten, object_path
from ingest.package.read import ReceivedPackage, read_package
from ingest.package.schemas import SchemaSet
from ingest.package.validate import Finding, validate_object, validate_storage_root
from ingest.package.zipio import open_zip, read_zip_package, write_zip

__all__ = [
    "AccessRequest", "Agent", "AgentLink", "ConcurrentUpdate", "CreatingApplication", "DocumentDescription",
    "Documentation", "Event",
    "FileDescription", "Finding", "ForeignDescription", "LooseFileDescription", "MetadataError", "ObjectLink",
    "OcflError", "OcflStorage", "Package", "PackageEntry", "PackageError", "PackageFile", "PackageRejected",
    "PackageSpec", "ReceivedPackage", "Representation", "SchemaInvalid", "SchemaSet", "StoredFile",
    "UncommittedVersion", "VersionWritten", "aip_from_sip", "build_package", "dip_from_aip", "export_bag",
    "object_path", "objid_for", "open_zip", "read_package", "read_zip_package", "tt05_date", "validate_object",
    "validate_storage_root", "write_zip",
]
