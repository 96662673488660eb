"""Controlled sharing between agencies: the rules, in one place, for pages, API and tests.

An official asks another agency for one of its records or dossiers, with a TT 05 purpose (01
personal, 02 official, 03 special official) and a reason. The holding agency's archivists decide:
a refusal needs a reason; an approval creates an ``access_grant`` to that official for a limited
time (``LUUTRU_SHARE_DAYS``, 15 days by default as TT 05 sets for reading copies), with or without
downloads, and a link whose token is shown once and stored as SHA-256. The grant is what
``archive.access`` and search already honour, so the record appears in the official's search and
record pages while it lasts. Revoked and expired grants are refused with a page that says so.
Downloads under a grant are stamped copies (``archive.stamping``), counted and audited.

Every step goes to the tamper-evident audit log through ``archive.security_events.record``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.accounts import Account, allowed
from archive.audit import append
from archive.catalog import (
    AccessGrant,
    AccessRequest,
    Agency,
    Bitstream,
    Document,
    Dossier,
    GrantDownload,
    ShareLink,
    User,
    utc_now,
)
from archive.catalog.codes import BitstreamRole, RepresentationType, SharePurpose, ShareStatus, UserRole
from archive.factory import Archive
from archive.stamping import Stamp, stamp_pdf

security_log = logging.getLogger("luutru.security")

MAX_REASON = 500
MAX_DAYS = 365


class SharingError(Exception):
    """A sharing step that cannot be done: stable code, HTTP status, what happened and what to do (vi, en)."""

    def __init__(self, code: str, vi: str, en: str, status: int = 400) -> None:
        super().__init__(en)
        self.code, self.vi, self.en, self.status = code, vi, en, status


def _forbidden() -> SharingError:
    return SharingError("forbidden", "Vai trò hoặc cơ quan của bạn không được làm việc này với yêu cầu hoặc quyền đọc này.",
                        "Your role or agency may not do this with this request or grant.", 403)


def _missing(what_vi: str, what_en: str) -> SharingError:
    return SharingError("not_found", f"Không tìm thấy {what_vi}. Hãy kiểm tra lại số hoặc đường dẫn.",
                        f"There is no such {what_en}. Check the number or the link.", 404)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class GrantRow:
    id: int
    grantee: str
    expires_at: datetime
    revoked_at: datetime | None
    allow_download: bool
    downloads: int
    state: str  # active | expired | revoked


@dataclass(frozen=True)
class RequestRow:
    id: int
    record: str
    document_id: int | None
    dossier_id: int | None
    requester: str
    requester_agency: str
    holder_agency: str
    holder_agency_code: str
    purpose: SharePurpose
    reason: str
    status: ShareStatus
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None
    grant: GrantRow | None


@dataclass(frozen=True)
class Decision:
    request_id: int
    status: ShareStatus
    grant_id: int | None = None
    link_token: str | None = None


@dataclass(frozen=True)
class SharedDocument:
    id: int
    reference: str
    subject: str
    has_pdf: bool


@dataclass(frozen=True)
class SharedRecord:
    grant: GrantRow
    title: str
    holder_agency: str
    documents: list[SharedDocument]
    is_grantee: bool


@dataclass(frozen=True)
class Statistics:
    total: int
    pending: int
    approved: int
    refused: int
    median_response_hours: float | None
    by_agency: dict[str, int]            # holding agency
    by_requesting_agency: dict[str, int]
    by_purpose: dict[str, int]


@dataclass(frozen=True)
class Overview:
    made: list[RequestRow]
    received: list[RequestRow]
    grants: list[RequestRow] = field(default_factory=list)
    stats: Statistics | None = None


def _label(document: Document) -> str:
    number = "/".join(p for p in (document.code_number, document.code_notation) if p)
    return f"{document.type_label or ''} {number}".strip() or document.doc_code or f"#{document.id}"


def _grant_state(grant: AccessGrant, now: datetime) -> str:
    if grant.revoked_at is not None:
        return "revoked"
    return "active" if grant.expires_at > now else "expired"


def _pdf_bitstream(document: Document) -> Bitstream | None:
    """The PDF/A of the preservation representation, else the original if it is a PDF."""
    def is_pdf(b: Bitstream) -> bool:
        return (b.mime_type or "").lower() == "application/pdf" or (b.original_filename or "").lower().endswith(".pdf")

    for kind, roles in ((RepresentationType.PRESERVATION, (BitstreamRole.DERIVATIVE, BitstreamRole.MASTER)),
                        (RepresentationType.ORIGINAL, (BitstreamRole.MASTER,))):
        for representation in document.representations:
            if representation.type == kind:
                found = next((b for b in representation.bitstreams if b.role in roles and is_pdf(b)), None)
                if found is not None:
                    return found
    return None


class SharingService:
    """Requests, decisions, grants, links and stamped downloads; ``ip`` goes into every audit entry."""

    def __init__(self, archive: Archive, ip: str | None = None) -> None:
        self.archive, self.ip = archive, ip

    # -- helpers -------------------------------------------------------------------------------
    def _user(self, session: Session, account: Account) -> User:
        user = session.get(User, account.id)
        if user is None or not user.active:
            raise _forbidden()
        return user

    @staticmethod
    def _grant(session: Session, grant_id: int) -> AccessGrant:
        grant = session.get(AccessGrant, grant_id)
        if grant is None:
            raise _missing("quyền đọc này", "grant")
        return grant

    def _audit(self, session: Session, user: User, action: str, target: str, details: dict[str, object]) -> None:
        """An audit entry in the transaction of the change it describes, and the security log line."""
        agency = user.agency.organ_id if user.agency else None
        append(session, action, actor=user.username, agency=agency, ip=self.ip, object=target, details=details)
        security_log.info(json.dumps({"action": action, "actor": user.username, "agency": agency, "ip": self.ip,
                                      "target": target, "details": details}, ensure_ascii=False, default=str))

    def _refuse(self, session: Session, user: User, grant: AccessGrant, error: SharingError) -> SharingError:
        """Audit a refused use of a grant; the caller commits, then raises what this returns."""
        self._audit(session, user, "sharing.access_refused", f"access_grant:{grant.id}", {"code": error.code})
        return error

    def _row(self, session: Session, request: AccessRequest, now: datetime) -> RequestRow:
        grant = None
        if request.grant is not None:
            g = request.grant
            downloads = session.scalar(select(func.count()).select_from(GrantDownload).where(
                GrantDownload.grant_id == g.id)) or 0
            grant = GrantRow(g.id, request.requester.full_name, g.expires_at, g.revoked_at, g.allow_download,
                             downloads, _grant_state(g, now))
        record_label = (_label(request.document) if request.document is not None
                        else f"{request.dossier.file_code} — {request.dossier.title}" if request.dossier else "?")
        return RequestRow(
            request.id, record_label, request.document_id, request.dossier_id, request.requester.full_name,
            request.requester_agency.name if request.requester_agency else "", request.holder_agency.name,
            request.holder_agency.organ_id, SharePurpose(request.purpose), request.reason, ShareStatus(request.status),
            request.created_at, request.decided_at, request.decided_by.full_name if request.decided_by else None,
            request.decision_reason, grant)

    def _reason(self, reason: str | None, required: bool) -> str:
        text = (reason or "").strip()
        if required and not text:
            raise SharingError("reason_required", "Hãy ghi lý do (tối đa 500 ký tự).", "Give a reason (at most 500 characters).")
        if len(text) > MAX_REASON:
            raise SharingError("reason_too_long", "Lý do dài quá 500 ký tự; hãy viết ngắn lại.",
                               "The reason is longer than 500 characters; shorten it.")
        return text

    # -- requests ------------------------------------------------------------------------------
    def request_access(self, account: Account, *, document_id: int | None = None, dossier_id: int | None = None,
                       purpose: str = "", reason: str = "") -> int:
        """An official's request to another agency; returns its number."""
        if not allowed(account.role, "sharing.request"):
            raise _forbidden()
        if (document_id is None) == (dossier_id is None):
            raise SharingError("record_required", "Hãy chọn đúng một văn bản hoặc một hồ sơ để yêu cầu.",
                               "Choose exactly one document or one dossier to request.")
        if not SharePurpose.is_valid(purpose):
            raise SharingError("invalid_purpose",
                               "Mục đích phải là 01 (cá nhân), 02 (công vụ) hoặc 03 (công vụ đặc biệt).",
                               "The purpose must be 01 (personal), 02 (official) or 03 (special official).")
        text = self._reason(reason, required=True)
        with self.archive.work_sessions.begin() as session:
            user = self._user(session, account)
            if document_id is not None:
                document = session.get(Document, document_id)
                if document is None:
                    raise _missing("văn bản này", "document")
                holder = document.fonds.agency_id if document.fonds else None
            else:
                dossier = session.get(Dossier, dossier_id)
                if dossier is None:
                    raise _missing("hồ sơ này", "dossier")
                holder = dossier.fonds.agency_id if dossier.fonds else None
            if holder is None:
                raise SharingError("no_holder", "Tài liệu này chưa thuộc phông của cơ quan nào nên chưa thể yêu cầu.",
                                   "This record belongs to no agency's fonds yet, so it cannot be requested.", 409)
            if holder == user.agency_id:
                raise SharingError("own_agency", "Tài liệu này do chính cơ quan bạn lưu giữ; không cần yêu cầu chia sẻ.",
                                   "Your own agency holds this record; no sharing request is needed.", 409)
            duplicate = session.scalar(select(AccessRequest.id).where(
                AccessRequest.requester_id == user.id, AccessRequest.status == ShareStatus.PENDING.value,
                AccessRequest.document_id == document_id if document_id is not None
                else AccessRequest.dossier_id == dossier_id))
            if duplicate is not None:
                raise SharingError("already_requested", f"Bạn đã có yêu cầu số {duplicate} đang chờ duyệt cho tài liệu này.",
                                   f"You already have request {duplicate} pending for this record.", 409)
            request = AccessRequest(requester_id=user.id, requester_agency_id=user.agency_id, holder_agency_id=holder,
                                    document_id=document_id, dossier_id=dossier_id, purpose=purpose, reason=text,
                                    status=ShareStatus.PENDING.value)
            session.add(request)
            session.flush()
            self._audit(session, user, "sharing.requested", f"access_request:{request.id}",
                        {"document": document_id, "dossier": dossier_id, "purpose": purpose, "holder": holder})
            return request.id

    def pending_count(self, account: Account) -> int:
        """Requests waiting for this archivist's agency (the count on their navigation)."""
        if not allowed(account.role, "sharing.decide"):
            return 0
        with self.archive.sessions() as session:
            user = session.get(User, account.id)
            if user is None or user.agency_id is None:
                return 0
            return session.scalar(select(func.count()).select_from(AccessRequest).where(
                AccessRequest.holder_agency_id == user.agency_id,
                AccessRequest.status == ShareStatus.PENDING.value)) or 0

    def decide(self, account: Account, request_id: int, *, decision: str, reason: str = "", days: int | None = None,
               allow_download: bool = False) -> Decision:
        """The holding agency's archivist approves (a grant and its link) or refuses (with a reason).

        ``decision`` is ``approve`` or ``refuse``; who may decide is checked before what was sent."""
        if not allowed(account.role, "sharing.decide"):
            raise _forbidden()
        with self.archive.work_sessions.begin() as session:
            user = self._user(session, account)
            request = session.get(AccessRequest, request_id)
            if request is None:
                raise _missing("yêu cầu này", "request")
            if request.holder_agency_id != user.agency_id:
                raise _forbidden()
            if decision not in ("approve", "refuse"):
                raise SharingError("decision_required", "Hãy chọn Đồng ý hoặc Từ chối.", "Choose Approve or Refuse.")
            approve = decision == "approve"
            text = self._reason(reason, required=not approve)
            days = self.archive.settings.share_days if days is None else days
            if not 1 <= days <= MAX_DAYS:
                raise SharingError("invalid_days",
                                   f"Thời hạn phải từ 1 đến {MAX_DAYS} ngày (mặc định 15 ngày theo TT 05).",
                                   f"The period must be 1 to {MAX_DAYS} days (TT 05 default: 15).")
            if request.status != ShareStatus.PENDING.value:
                raise SharingError("already_decided", f"Yêu cầu số {request.id} đã được xử lý; không thể quyết định lại.",
                                   f"Request {request.id} has already been decided.", 409)
            now = utc_now()
            request.decided_by_id, request.decided_at, request.decision_reason = user.id, now, text or None
            if not approve:
                request.status = ShareStatus.REFUSED.value
                self._audit(session, user, "sharing.refused", f"access_request:{request.id}", {"reason": text})
                return Decision(request.id, ShareStatus.REFUSED)
            grant = AccessGrant(grantee_user_id=request.requester_id, document_id=request.document_id,
                                dossier_id=request.dossier_id, expires_at=now + timedelta(days=days),
                                allow_download=allow_download, created_by_id=user.id)
            session.add(grant)
            session.flush()
            token = secrets.token_urlsafe(32)
            session.add(ShareLink(grant_id=grant.id, token_sha256=token_digest(token)))
            request.status, request.grant_id = ShareStatus.APPROVED.value, grant.id
            self._audit(session, user, "sharing.approved", f"access_request:{request.id}",
                        {"grant": grant.id, "days": days, "allow_download": allow_download, "reason": text})
            return Decision(request.id, ShareStatus.APPROVED, grant.id, token)

    def revoke(self, account: Account, grant_id: int, reason: str = "") -> None:
        """Withdraw a grant at once; the row stays (revoked_at), so the history is kept."""
        if not allowed(account.role, "sharing.decide"):
            raise _forbidden()
        text = self._reason(reason, required=False)
        with self.archive.work_sessions.begin() as session:
            user, grant = self._user(session, account), self._grant(session, grant_id)
            if self._holder_of(grant) != user.agency_id:
                raise _forbidden()
            if grant.revoked_at is None:
                grant.revoked_at = utc_now()
                self._audit(session, user, "sharing.revoked", f"access_grant:{grant.id}", {"reason": text})

    # -- using a grant -------------------------------------------------------------------------
    @staticmethod
    def _holder_of(grant: AccessGrant) -> int | None:
        owner = grant.document if grant.document is not None else grant.dossier
        return owner.fonds.agency_id if owner is not None and owner.fonds is not None else None

    @staticmethod
    def _is_grantee(grant: AccessGrant, user: User) -> bool:
        return grant.grantee_user_id == user.id or (
            grant.grantee_agency_id is not None and grant.grantee_agency_id == user.agency_id)

    @staticmethod
    def _unusable(grant: AccessGrant, now: datetime) -> SharingError | None:
        """Why a grant no longer opens (revoked, expired), or None while it lasts."""
        state = _grant_state(grant, now)
        if state == "revoked":
            when = grant.revoked_at.strftime("%d/%m/%Y %H:%M UTC")  # type: ignore[union-attr]
            return SharingError("grant_revoked",
                               f"Quyền đọc tài liệu này đã bị cơ quan lưu giữ thu hồi lúc {when}, nên không mở được nữa. "
                               "Nếu vẫn cần, hãy gửi yêu cầu mới tại trang Chia sẻ.",
                               f"Access to this record was revoked by the holding agency at {when}, so it no longer "
                               "opens. If you still need it, send a new request from the Sharing page.", 410)
        if state == "expired":
            when = grant.expires_at.strftime("%d/%m/%Y %H:%M UTC")
            return SharingError("grant_expired",
                               f"Quyền đọc tài liệu này đã hết hạn lúc {when}. Nếu vẫn cần, hãy gửi yêu cầu mới "
                               "tại trang Chia sẻ.",
                               f"Access to this record expired at {when}. If you still need it, send a new request "
                               "from the Sharing page.", 410)
        return None

    def grant_for_link(self, account: Account, token: str) -> int:
        """The grant a link opens, for its grantee only, while it lasts; refusals are audited."""
        refusal: SharingError | None = None
        with self.archive.work_sessions.begin() as session:
            user = self._user(session, account)
            link = session.scalar(select(ShareLink).where(ShareLink.token_sha256 == token_digest(token or "")))
            if link is None:
                self._audit(session, user, "sharing.link_unknown", "share_link", {})
                refusal = SharingError("link_unknown", "Đường dẫn chia sẻ không đúng hoặc không tồn tại. Hãy kiểm tra "
                                       "lại đường dẫn đã nhận, hoặc gửi yêu cầu mới tại trang Chia sẻ.",
                                       "This sharing link is wrong or does not exist. Check the link you received, "
                                       "or send a new request from the Sharing page.", 404)
            elif not self._is_grantee(link.grant, user):
                self._audit(session, user, "sharing.link_refused", f"access_grant:{link.grant_id}", {})
                refusal = SharingError("link_not_yours", "Đường dẫn này được cấp cho người khác; bạn không dùng được. "
                                       "Nếu cần tài liệu, hãy tự gửi yêu cầu tại trang Chia sẻ.",
                                       "This link was issued to someone else; you cannot use it. If you need the "
                                       "record, send your own request from the Sharing page.", 403)
            elif (ended := self._unusable(link.grant, utc_now())) is not None:
                refusal = self._refuse(session, user, link.grant, ended)
            grant_id = link.grant_id if link is not None else 0
        if refusal is not None:
            raise refusal
        return grant_id

    def shared(self, account: Account, grant_id: int) -> SharedRecord:
        """What a grant opens: for the grantee while it lasts (each view audited); for the holding
        agency's archivists, auditors and administrators always (they manage it)."""
        refusal: SharingError | None = None
        with self.archive.work_sessions.begin() as session:
            user, grant = self._user(session, account), self._grant(session, grant_id)
            is_grantee = self._is_grantee(grant, user)
            manages = user.role in (UserRole.AUDITOR, UserRole.ADMIN) or (
                user.role == UserRole.ARCHIVIST and self._holder_of(grant) == user.agency_id)
            if not (is_grantee or manages):
                raise _forbidden()
            now = utc_now()
            if is_grantee and (ended := self._unusable(grant, now)) is not None:
                refusal = self._refuse(session, user, grant, ended)
            elif is_grantee:
                self._audit(session, user, "sharing.viewed", f"access_grant:{grant.id}",
                            {"document": grant.document_id, "dossier": grant.dossier_id})
            shared = None if refusal is not None else self._shared(session, grant, now, is_grantee)
        if shared is None:
            raise refusal  # type: ignore[misc]
        return shared

    def _shared(self, session: Session, grant: AccessGrant, now: datetime, is_grantee: bool) -> SharedRecord:
        documents = [grant.document] if grant.document is not None else list(grant.dossier.documents)  # type: ignore[union-attr]
        title = (f"{_label(grant.document)} — {grant.document.subject or ''}" if grant.document is not None
                 else f"{grant.dossier.file_code} — {grant.dossier.title}")  # type: ignore[union-attr]
        holder = session.get(Agency, self._holder_of(grant))
        downloads = session.scalar(select(func.count()).select_from(GrantDownload).where(
            GrantDownload.grant_id == grant.id)) or 0
        grantee = grant.grantee_user.full_name if grant.grantee_user else (
            grant.grantee_agency.name if grant.grantee_agency else "")
        row = GrantRow(grant.id, grantee, grant.expires_at, grant.revoked_at, grant.allow_download, downloads,
                       _grant_state(grant, now))
        return SharedRecord(row, title, holder.name if holder else "", [
            SharedDocument(d.id, _label(d), d.subject or "", _pdf_bitstream(d) is not None) for d in documents],
            is_grantee)

    def download(self, account: Account, grant_id: int, document_id: int) -> tuple[str, bytes]:
        """A stamped PDF copy for the grantee; the stored file is only read. Returns (filename, bytes).

        Checked in one transaction, stamped outside any (no lock held while pikepdf works),
        recorded and audited in a second one."""
        refusal: SharingError | None = None
        with self.archive.work_sessions.begin() as session:
            user, grant = self._user(session, account), self._grant(session, grant_id)
            if not self._is_grantee(grant, user):
                raise _forbidden()
            now = utc_now()
            ended = self._unusable(grant, now)
            if ended is not None:
                refusal = self._refuse(session, user, grant, ended)
            else:
                bitstream, name = self._copy_source(session, grant, document_id)
                key, sha = bitstream.storage_key, bitstream.sha256
                holder = session.get(Agency, self._holder_of(grant))
                stamp = Stamp(user.full_name, user.agency.name if user.agency else "", now, holder.name if holder else "")
        if refusal is not None:
            raise refusal
        stamped = stamp_pdf(b"".join(self.archive.store.get(key)), stamp)
        with self.archive.work_sessions.begin() as session:
            user = self._user(session, account)
            session.add(GrantDownload(grant_id=grant_id, user_id=user.id, document_id=document_id, at=now))
            session.flush()
            count = session.scalar(select(func.count()).select_from(GrantDownload).where(
                GrantDownload.grant_id == grant_id)) or 0
            self._audit(session, user, "sharing.downloaded", f"document:{document_id}",
                        {"grant": grant_id, "storage_sha256": sha, "downloads": count})
        return name, stamped

    @staticmethod
    def _copy_source(session: Session, grant: AccessGrant, document_id: int) -> tuple[Bitstream, str]:
        """The stored PDF a copy is made from, and the copy's file name, if the grant allows a download."""
        if not grant.allow_download:
            raise SharingError("download_not_allowed",
                               "Quyền này chỉ cho phép đọc, không cho tải về. Nếu cần bản sao, hãy gửi yêu cầu mới "
                               "và đề nghị cho phép tải về.",
                               "This grant allows reading only, not downloading. If you need a copy, send a new "
                               "request asking for downloads.", 403)
        document = session.get(Document, document_id)
        if document is None or not (document.id == grant.document_id or (
                grant.dossier_id is not None and document.dossier_id == grant.dossier_id)):
            raise _missing("văn bản này trong quyền đọc", "document under this grant")
        bitstream = _pdf_bitstream(document)
        if bitstream is None:
            raise SharingError("no_pdf", "Văn bản này chưa có bản PDF/A để cấp bản sao. Hãy liên hệ cơ quan lưu giữ.",
                               "This document has no PDF/A copy to hand out yet. Contact the holding agency.", 404)
        return bitstream, (document.doc_code or f"van-ban-{document.id}") + "-ban-sao.pdf"

    # -- the Sharing page ----------------------------------------------------------------------
    def overview(self, account: Account) -> Overview:
        """Requests made by the user, received by their agency (archivists) or all (auditors,
        administrators); approved ones with their grants; statistics over what the user sees."""
        with self.archive.sessions() as session:
            user = self._user(session, account)
            now = utc_now()
            ordered = select(AccessRequest).order_by(AccessRequest.created_at.desc(), AccessRequest.id.desc())
            made = [self._row(session, r, now) for r in session.scalars(
                ordered.where(AccessRequest.requester_id == user.id))]
            if user.role in (UserRole.AUDITOR, UserRole.ADMIN):
                received_rows = list(session.scalars(ordered))
            elif user.role == UserRole.ARCHIVIST and user.agency_id is not None:
                received_rows = list(session.scalars(ordered.where(AccessRequest.holder_agency_id == user.agency_id)))
            else:
                received_rows = []
            received = [self._row(session, r, now) for r in received_rows]
            seen = {r.id: r for r in made + received}
            grants = [r for r in seen.values() if r.grant is not None]
            grants.sort(key=lambda r: r.grant.expires_at, reverse=True)  # type: ignore[union-attr]
            return Overview(made, received, grants, _statistics(list(seen.values())))


def _statistics(rows: list[RequestRow]) -> Statistics:
    waits = [(r.decided_at - r.created_at).total_seconds() / 3600 for r in rows if r.decided_at is not None]
    return Statistics(
        total=len(rows), pending=sum(r.status is ShareStatus.PENDING for r in rows),
        approved=sum(r.status is ShareStatus.APPROVED for r in rows),
        refused=sum(r.status is ShareStatus.REFUSED for r in rows),
        median_response_hours=round(statistics.median(waits), 1) if waits else None,
        by_agency=dict(Counter(r.holder_agency for r in rows).most_common()),
        by_requesting_agency=dict(Counter(r.requester_agency for r in rows).most_common()),
        by_purpose=dict(sorted(Counter(r.purpose.value for r in rows).items())))
