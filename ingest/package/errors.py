"""Exceptions of the packaging library, each carrying enough detail to tell an archivist what to fix."""

from __future__ import annotations

from collections.abc import Sequence


class PackageError(Exception):
    """Base of every packaging failure."""


class MetadataError(PackageError):
    """A descriptive or preservation value breaks a TT 05 rule; ``field`` names the XML element."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class SchemaInvalid(PackageError):
    """A generated or received XML document does not validate against its XSD.

    Raised before anything is stored: an invalid package must never reach preservation storage.
    """

    def __init__(self, document: str, schema: str, errors: Sequence[str]) -> None:
        self.document, self.schema, self.errors = document, schema, list(errors)
        shown = "; ".join(self.errors[:5]) + (f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else "")
        super().__init__(f"{document} is not valid against {schema}: {shown}")


class PackageRejected(PackageError):
    """A received package (SIP, AIP, DIP) is malformed; ``problems`` lists every finding, path first."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source, self.problems = source, list(problems)
        super().__init__(f"{source} was refused ({len(self.problems)} problem(s)):\n- " + "\n- ".join(self.problems))


class OcflError(PackageError):
    """An OCFL object cannot be read or written as asked."""


class ConcurrentUpdate(OcflError):
    """Another writer changed the object's head between our read and our commit."""


class UncommittedVersion(OcflError):
    """An interrupted write left files of a version that was never committed, and they differ from ours.

    Resuming with the same package succeeds; anything else needs ``discard_uncommitted`` with a
    deletion grant, because removing stored bytes is a disposal decision, not a packaging one.
    """

    def __init__(self, object_id: str, version: str, keys: Sequence[str]) -> None:
        self.object_id, self.version, self.keys = object_id, version, list(keys)
        super().__init__(
            f"{object_id}: version {version} was left uncommitted by an interrupted write and its stored files "
            f"differ from the new package ({', '.join(self.keys[:5])}{' …' if len(self.keys) > 5 else ''}). "
            "Resume with the original package, or discard the uncommitted files with a deletion grant.")
