"""Offline XSD validation of METS and PREMIS, and the schema files each package carries.

The schema directory is configuration (deployments install the official METS 1.12 E-ARK edition
and PREMIS 3.0 files there). Imports between the XSDs are resolved inside that directory only and
the parser is forbidden the network, so validation behaves the same on an air-gapped archive
server as on a developer's laptop.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from ingest.package.description import SimpleDC
from ingest.package.errors import PackageError, SchemaInvalid

METS_XSD = "mets-1.12.xsd"
PREMIS_XSD = "premis-v3-0.xsd"
_XS = "{http://www.w3.org/2001/XMLSchema}"


class SchemaSet:
    """The compiled METS and PREMIS schemas of one directory, plus the files they import."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._schemas = {kind: self._compile(name) for kind, name in (("mets", METS_XSD), ("premis", PREMIS_XSD))}
        self._closures = {kind: self._closure(name) for kind, name in (("mets", METS_XSD), ("premis", PREMIS_XSD))}
        self._namespaces = {name: etree.parse(str(self.directory / name), etree.XMLParser(no_network=True))
                            .getroot().get("targetNamespace") for names in self._closures.values() for name in names}

    def _compile(self, name: str) -> etree.XMLSchema:
        path = self.directory / name
        if not path.is_file():
            raise PackageError(f"The schema directory {self.directory} has no {name}; install the official "
                               "METS 1.12 (E-ARK edition) and PREMIS 3.0 XSDs there.")
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        try:
            return etree.XMLSchema(etree.parse(str(path), parser))
        except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
            raise PackageError(f"{path} does not compile offline ({exc}); every import must be a local file "
                               "beside it.") from exc

    def _closure(self, name: str) -> tuple[str, ...]:
        """The XSD and every local file it imports or includes, transitively, in a stable order."""
        seen: list[str] = []
        pending = [name]
        while pending:
            current = pending.pop(0)
            if current in seen:
                continue
            seen.append(current)
            tree = etree.parse(str(self.directory / current), etree.XMLParser(no_network=True))
            for node in tree.iter(f"{_XS}import", f"{_XS}include"):
                location = node.get("schemaLocation")
                if location and "://" not in location:
                    pending.append(location)
        return tuple(seen)

    def validate(self, kind: str, document: bytes, name: str) -> None:
        """Raise SchemaInvalid listing every violation, with line numbers, if ``document`` is invalid."""
        schema = self._schemas[kind]
        tree = etree.fromstring(document, etree.XMLParser(no_network=True, resolve_entities=False))
        if not schema.validate(tree):
            raise SchemaInvalid(name, self.file_name(kind),
                                [f"line {error.line}: {error.message}" for error in schema.error_log])

    def file_name(self, kind: str) -> str:
        return self._closures[kind][0]

    def files(self, kind: str) -> Iterator[tuple[str, bytes]]:
        """(name, bytes) of the schema of ``kind`` and its imports, to copy into a package's schemas/."""
        for name in self._closures[kind]:
            yield name, (self.directory / name).read_bytes()

    def schema_locations(self, kind: str, prefix: str) -> str:
        """An xsi:schemaLocation value pointing at the copies in the package's schemas/ folder."""
        pairs = [f"{self._namespaces[name]} {prefix}{name}" for name in self._closures[kind] if self._namespaces[name]]
        return " ".join(pairs)


@functools.cache
def simpledc_schema(block: type[SimpleDC], variant: str) -> etree.XMLSchema:
    """The compiled XSD generated for a simpledc block variant (cached: it never changes at run time)."""
    return etree.XMLSchema(etree.fromstring(block.xsd(variant)))


def validate_simpledc(block: type[SimpleDC], variant: str, document: bytes, name: str) -> None:
    schema = simpledc_schema(block, variant)
    if not schema.validate(etree.fromstring(document)):
        raise SchemaInvalid(name, f"{block.SCHEMA}.xsd ({variant})",
                            [f"line {error.line}: {error.message}" for error in schema.error_log])
