"""Small helpers shared by the METS, PREMIS and reader modules: namespaces, identifiers, timestamps."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta, timezone

from lxml import etree

METS = "http://www.loc.gov/METS/"
XLINK = "http://www.w3.org/1999/xlink"
CSIP = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
SIP = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
PREMIS = "http://www.loc.gov/premis/v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
VIETNAM = timezone(timedelta(hours=7))


def qname(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def timestamp(value: datetime) -> str:
    """TT 05 writes Vietnam time (+07:00) with milliseconds; the instant is unchanged."""
    return value.astimezone(VIETNAM).isoformat(timespec="milliseconds")


def parse_timestamp(text: str) -> datetime:
    """An aware datetime from an ISO 8601 / RFC 3339 string; a missing zone is an error, not UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return value


def derived_uuid(object_id: uuid.UUID, name: str) -> uuid.UUID:
    """A UUID fixed by the package and a name, so rebuilding a package gives the same identifiers."""
    return uuid.uuid5(object_id, name)


def xml_id(object_id: uuid.UUID, name: str, prefix: str = "uuid-") -> str:
    """An xs:ID in the TT 05 style (``uuid-…``; ``ID-…`` for METS files), stable for a given name."""
    return f"{prefix}{derived_uuid(object_id, name)}"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def safe_parser() -> etree.XMLParser:
    """Received XML is untrusted: no DTD loading, no entity expansion, no network access."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True)


def text_of(element: etree._Element | None) -> str | None:
    """Stripped text of an element, or None when the element is absent or empty."""
    if element is None or element.text is None or not element.text.strip():
        return None
    return element.text.strip()
