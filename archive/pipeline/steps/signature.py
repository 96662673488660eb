"""Digital signatures of a deposited PDF, validated right after validation (PREMIS ``dig``).

The signed master is what is validated and what stays the record's original: the PDF/A made by
normalisation is a new file whose signatures (if any survive) no longer cover it, so it is never
presented as the signed original; the report and the event attach to the master.

An unsigned PDF gets no ``dig`` event and no report: PREMIS records what was done, and nothing was
validated. A signature that is not valid does not stop ingest (the record is what the agency
sent, and the archive must keep it); it is flagged on the item and the event outcome says so.
"""

from __future__ import annotations

from archive.catalog import SignatureValidation
from archive.catalog.codes import EventOutcome, EventType
from archive.pipeline.context import ItemContext
from archive.pipeline.errors import transient
from archive.preservation import record_event
from ingest.signature import TOOL, TrustRootError, load_trust_roots, validate_signatures

_OUTCOME = {"valid": EventOutcome.SUCCESS, "untrusted": EventOutcome.WARNING, "expired": EventOutcome.WARNING,
            "modified": EventOutcome.FAILURE, "invalid": EventOutcome.FAILURE}
_FLAG = {
    "untrusted": ("Chữ ký số không xác thực được với các chứng thư gốc đã cấu hình.",
                  "The digital signature does not chain to a configured trust root."),
    "expired": ("Chứng thư số của người ký đã hết hạn.", "The signer's certificate has expired."),
    "modified": ("Tệp đã bị sửa đổi sau khi ký số.", "The file was modified after it was signed."),
    "invalid": ("Chữ ký số không hợp lệ: nội dung đã ký bị thay đổi.",
                "The digital signature is invalid: the signed content was changed."),
}


def check_signatures(ctx: ItemContext) -> None:
    item, bitstream = ctx.item, ctx.item.master_bitstream
    if bitstream is None or item.mime_type != "application/pdf":
        return
    try:
        roots = load_trust_roots(ctx.archive.settings.signature_trust_roots)
    except TrustRootError as exc:
        raise transient("trust-roots-unreadable", f"Không đọc được chứng thư gốc để kiểm tra chữ ký số ({exc}); "
                        "quản trị hệ thống cần sửa cấu hình, hệ thống sẽ tự thử lại.",
                        f"The trust roots for signature validation cannot be read ({exc}); the administrator "
                        "must fix the configuration; it will be retried.") from exc
    report = validate_signatures(ctx.master_path(), roots)
    if report.verdict is None:
        return
    ctx.session.add(SignatureValidation(bitstream=bitstream, document=item.document, verdict=report.verdict,
                                        signature_count=len(report.signatures), report=report.as_dict()))
    if report.verdict in _FLAG:
        vi, en = _FLAG[report.verdict]
        item.flags.append({"code": f"signature-{report.verdict}", "vi": vi, "en": en})
    detail = "; ".join(f"{s.field}: {s.verdict}, signer {s.signer}, signed {s.signing_time or 'at an unknown time'}"
                       for s in report.signatures)
    record_event(ctx.session, EventType.DIGITAL_SIGNATURE_VALIDATION, _OUTCOME[report.verdict], tool=TOOL,
                 detail=f"PDF signature validation against {len(roots)} configured trust root(s), no network",
                 outcome_detail=f"{report.verdict}: {detail}", sources=[bitstream])
