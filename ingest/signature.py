"""Validation of the digital signatures in a PDF with pyHanko: integrity, coverage, chain, time of signing.

Trust roots are configuration (a PEM file or a folder of PEM/DER certificates: for Vietnamese records,
the root CAs of the government PKI and of the licensed public CAs), never code. Nothing is fetched
from the network: a record archived offline must validate the same way tomorrow, and revocation
information that is not embedded in the file is reported as unavailable rather than looked up.

Verdicts, worst first: ``invalid`` (the signed bytes changed or the signature value is wrong),
``modified`` (the file was changed after signing beyond what the signature allows), ``expired``
(the signer's certificate was not valid at validation time), ``untrusted`` (no chain to a
configured root), ``valid``. A file's verdict is its worst signature's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from asn1crypto import pem, x509
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

TOOL = ("pyHanko", version("pyHanko"))
VERDICTS = ("valid", "untrusted", "expired", "modified", "invalid")
"""Best to worst."""
_CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")


class TrustRootError(Exception):
    """The configured trust roots cannot be read; the message names the file."""


def load_trust_roots(setting: str) -> list[x509.Certificate]:
    """Certificates from a PEM/DER file or every certificate file of a folder; [] when not configured."""
    if not setting:
        return []
    path = Path(setting).expanduser()
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in _CERT_SUFFIXES) if path.is_dir() else [path]
    roots: list[x509.Certificate] = []
    for file in files:
        try:
            data = file.read_bytes()
            blobs = [der for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
            roots += [x509.Certificate.load(der) for der in blobs]
        except (OSError, ValueError) as exc:
            raise TrustRootError(f"The trust root {file} cannot be read ({exc}); fix LUUTRU_SIGNATURE_TRUST_ROOTS "
                                 "or the file.") from exc
    return roots


@dataclass
class SignatureReport:
    """What was found about one signature; plain values only, stored as JSON with the record."""

    field: str
    verdict: str
    signer: str
    issuer: str
    serial: str
    signing_time: str | None
    timestamp: str | None
    intact: bool
    valid: bool
    trusted: bool
    trust_problem: str | None
    coverage: str | None
    modification: str | None
    certificate_valid_until: str
    chain: list[str]
    summary: str


@dataclass
class FileReport:
    verdict: str | None                      # None when the file has no signature
    signatures: list[SignatureReport] = field(default_factory=list)
    trust_roots: int = 0
    validated_at: str = ""
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "trust_roots": self.trust_roots, "validated_at": self.validated_at,
                "error": self.error, "tool": f"{TOOL[0]} {TOOL[1]}",
                "signatures": [s.__dict__ for s in self.signatures]}


def _name(cert: x509.Certificate, which: str = "subject") -> str:
    return getattr(cert, which).human_friendly


def _verdict(status: Any) -> str:
    if not (status.intact and status.valid):
        return "invalid"
    level = status.modification_level
    if (status.coverage != SignatureCoverageLevel.ENTIRE_FILE
            and (level is None or level > ModificationLevel.LTA_UPDATES or status.docmdp_ok is False)):
        return "modified"
    if not status.trusted:
        problem = getattr(status.trust_problem_indic, "name", "") or ""
        return "expired" if "EXPIRED" in problem or "OUT_OF_BOUNDS" in problem else "untrusted"
    return "valid"


def validate_signatures(path: Path, trust_roots: list[x509.Certificate],
                        moment: datetime | None = None) -> FileReport:
    """Validate every signature of the PDF at ``path`` against ``trust_roots`` as of ``moment`` (default now)."""
    moment = moment or datetime.now(UTC)
    report = FileReport(verdict=None, trust_roots=len(trust_roots), validated_at=moment.isoformat())
    with open(path, "rb") as fh:
        try:
            reader = PdfFileReader(fh, strict=False)
            embedded = list(reader.embedded_signatures)
        except (PdfReadError, ValueError, KeyError) as exc:
            report.error = f"the signature dictionary cannot be read: {exc}"
            return report
        for signature in embedded:
            context = ValidationContext(trust_roots=trust_roots, allow_fetching=False, moment=moment,
                                        revocation_mode="soft-fail")
            try:
                status = validate_pdf_signature(signature, signer_validation_context=context)
            except Exception as exc:  # pyHanko raises many kinds for malformed signatures: all mean "invalid"
                report.signatures.append(SignatureReport(
                    field=signature.field_name or "", verdict="invalid", signer="", issuer="", serial="",
                    signing_time=None, timestamp=None, intact=False, valid=False, trusted=False,
                    trust_problem=type(exc).__name__, coverage=None, modification=None,
                    certificate_valid_until="", chain=[], summary=f"cannot be validated: {exc}"))
                continue
            cert = status.signing_cert
            timestamp = status.timestamp_validity
            path_certs = list(status.validation_path) if status.validation_path is not None else []
            report.signatures.append(SignatureReport(
                field=signature.field_name or "", verdict=_verdict(status), signer=_name(cert),
                issuer=_name(cert, "issuer"), serial=str(cert.serial_number),
                signing_time=status.signer_reported_dt.isoformat() if status.signer_reported_dt else None,
                timestamp=timestamp.timestamp.isoformat() if timestamp is not None else None,
                intact=bool(status.intact), valid=bool(status.valid), trusted=bool(status.trusted),
                trust_problem=getattr(status.trust_problem_indic, "name", None),
                coverage=status.coverage.name if status.coverage else None,
                modification=status.modification_level.name if status.modification_level else None,
                certificate_valid_until=cert["tbs_certificate"]["validity"]["not_after"].native.isoformat(),
                chain=[_name(c) for c in path_certs if isinstance(c, x509.Certificate)],
                summary=status.summary()))
    if report.signatures:
        report.verdict = max((s.verdict for s in report.signatures), key=VERDICTS.index)
    return report
