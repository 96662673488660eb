"""Accounts: who may sign in, with what role and agency, and what each role may do.

The rules live here and only here; the web pages, the API and the CLI call these functions and
turn ``AccountError`` into a page, a JSON error object or a sentence on the terminal.

* Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile) and
  rehashed on sign-in when those parameters change.
* Sign-in failures are counted per account and per client address; too many lock that key for a
  while. A locked, unknown or inactive account gets the same amount of hashing work as a real
  one, so timing does not tell which usernames exist.
* API tokens are random, shown once, stored as SHA-256 (see ``archive.catalog.accounts``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive.catalog import Agency, ApiToken, LoginThrottle, User, WebSession, utc_now
from archive.catalog.codes import UserRole
from archive.factory import Archive

HASHER = PasswordHasher()
_DUMMY_HASH = HASHER.hash("luutru-timing-equaliser")

MIN_PASSWORD_LENGTH = 10
ACCOUNT_MAX_FAILURES = 5      # per username within the window, then locked
IP_MAX_FAILURES = 20          # per client address within the window (password spraying)
THROTTLE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
TOKEN_PREFIX = "ltk_"
SESSION_LIFETIME = timedelta(hours=12)

ORGAN_ID = re.compile(r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z0-9][0-9]{2}$")
"""Mã định danh điện tử of an agency: 13 characters shaped like ``000.00.00.G09`` (standards.md §1.1.5)."""

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,99}$")

ROLES = tuple(role.value for role in UserRole)

PERMISSIONS: dict[str, frozenset[str]] = {
    "dashboard.view": frozenset(ROLES),
    "batch.view": frozenset({"archivist", "auditor", "admin"}),
    "batch.submit": frozenset({"archivist"}),
    "batch.retry": frozenset({"archivist"}),
    "quarantine.download": frozenset({"archivist"}),
    "admin.users": frozenset({"admin"}),
    "admin.agencies": frozenset({"admin"}),
    "admin.status": frozenset({"admin", "auditor"}),
    "admin.tokens": frozenset({"admin"}),
    "record.search": frozenset(ROLES),
    "record.read": frozenset(ROLES),
    "record.download": frozenset({"archivist", "official"}),
    "record.review": frozenset({"archivist"}),
    "sharing.view": frozenset(ROLES),
    "sharing.request": frozenset({"official"}),
    "sharing.decide": frozenset({"archivist"}),
    "report.view": frozenset({"auditor", "admin"}),
}
"""Which roles may do what. Agency scoping comes on top: an archivist acts on the batches of
their own agency only; auditors and administrators see every agency's batches but change none."""


def allowed(role: str | None, permission: str) -> bool:
    return role is not None and role in PERMISSIONS[permission]


class AccountError(Exception):
    """Something a person asked for cannot be done; says what happened and what to do, in both languages.

    ``code`` is stable for the API; ``status`` the HTTP status the web layer uses.
    """

    def __init__(self, code: str, vi: str, en: str, status: int = 400) -> None:
        super().__init__(en)
        self.code, self.vi, self.en, self.status = code, vi, en, status

    def message(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


@dataclass(frozen=True)
class Account:
    """A user as the rest of the application sees it: never the password hash."""

    id: int
    username: str
    full_name: str
    email: str | None
    role: str
    agency_code: str | None
    agency_name: str | None
    active: bool
    language: str

    @classmethod
    def of(cls, user: User) -> Account:
        return cls(user.id, user.username, user.full_name, user.email, user.role.value,
                   user.agency.organ_id if user.agency else None, user.agency.name if user.agency else None,
                   user.active, user.language or "vi")

    def can(self, permission: str) -> bool:
        return self.active and allowed(self.role, permission)

    @property
    def batch_scope(self) -> str | None:
        """The agency whose batches this user sees: archivists their own, everyone else all (None)."""
        return self.agency_code if self.role == UserRole.ARCHIVIST.value else None

    def may_see_batch_of(self, agency_code: str | None) -> bool:
        return self.can("batch.view") and (self.batch_scope is None or agency_code == self.batch_scope)

    def may_act_on_batch_of(self, agency_code: str | None, permission: str) -> bool:
        """Retry, quarantine downloads: only with ``permission``, and only on one's own agency's batches."""
        return self.can(permission) and agency_code is not None and agency_code == self.agency_code

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "username": self.username, "full_name": self.full_name, "email": self.email,
                "role": self.role, "agency": self.agency_code, "active": self.active, "language": self.language}


@dataclass(frozen=True)
class AgencyInfo:
    id: int
    organ_id: str
    name: str
    abbreviation: str | None
    parent: str | None

    @classmethod
    def of(cls, agency: Agency) -> AgencyInfo:
        return cls(agency.id, agency.organ_id, agency.name, agency.abbreviation,
                   agency.parent.organ_id if agency.parent else None)

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "organ_id": self.organ_id, "name": self.name, "abbreviation": self.abbreviation,
                "parent": self.parent}


@dataclass(frozen=True)
class TokenInfo:
    id: int
    username: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "username": self.username, "name": self.name, "prefix": self.prefix,
                "created_at": self.created_at.isoformat(),
                "last_used_at": self.last_used_at.isoformat() if self.last_used_at else None, "revoked": self.revoked}


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_organ_id(code: str) -> str:
    code = (code or "").strip().upper()
    if len(code) != 13 or not ORGAN_ID.match(code):
        raise AccountError(
            "invalid_agency_code",
            f"Mã định danh cơ quan '{code}' không hợp lệ: cần đúng 13 ký tự dạng 000.00.00.G09 "
            "(Nghị định 30/2020, OrganId). Hãy nhập lại mã điện tử của cơ quan.",
            f"Agency code '{code}' is not valid: it must be exactly 13 characters shaped like 000.00.00.G09 "
            "(Decree 30/2020, OrganId). Enter the agency's electronic identifier again.")
    return code


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError("weak_password",
                           f"Mật khẩu quá ngắn: cần ít nhất {MIN_PASSWORD_LENGTH} ký tự. Hãy chọn mật khẩu dài hơn.",
                           f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters.")


def check_role(role: str) -> UserRole:
    if not UserRole.is_valid(role):
        raise AccountError("invalid_role", f"Vai trò '{role}' không tồn tại; chọn một trong: {', '.join(ROLES)}.",
                           f"There is no role '{role}'; choose one of: {', '.join(ROLES)}.")
    return UserRole(role)


def new_password() -> str:
    """A random password for demo and newly created accounts: about 96 bits, easy to type."""
    return secrets.token_urlsafe(12)


class AccountService:
    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    # -- agencies ------------------------------------------------------------------------------
    def _agency(self, session: Session, code: str | None) -> Agency | None:
        if not code:
            return None
        agency = session.scalars(select(Agency).where(Agency.organ_id == code.strip().upper())).first()
        if agency is None:
            raise AccountError("unknown_agency", f"Không có cơ quan mã {code}; hãy tạo cơ quan trước (Quản trị → Cơ quan).",
                               f"There is no agency with code {code}; create it first (Administration → Agencies).", 404)
        return agency

    def create_agency(self, organ_id: str, name: str, abbreviation: str | None = None,
                      parent: str | None = None) -> AgencyInfo:
        code = check_organ_id(organ_id)
        if not (name or "").strip():
            raise AccountError("missing_name", "Hãy nhập tên cơ quan.", "Enter the agency's name.")
        with self.archive.sessions.begin() as session:
            if session.scalars(select(Agency).where(Agency.organ_id == code)).first():
                raise AccountError("agency_exists", f"Đã có cơ quan mã {code}; hãy sửa cơ quan đó thay vì tạo mới.",
                                   f"An agency with code {code} already exists; edit it instead.", 409)
            agency = Agency(organ_id=code, name=name.strip()[:200], abbreviation=(abbreviation or "").strip()[:30] or None,
                            parent=self._agency(session, parent))
            session.add(agency)
            session.flush()
            return AgencyInfo.of(agency)

    def update_agency(self, agency_id: int, name: str | None = None, abbreviation: str | None = None) -> AgencyInfo:
        with self.archive.sessions.begin() as session:
            agency = session.get(Agency, agency_id)
            if agency is None:
                raise AccountError("not_found", f"Không có cơ quan số {agency_id}.", f"There is no agency {agency_id}.", 404)
            if name is not None:
                if not name.strip():
                    raise AccountError("missing_name", "Hãy nhập tên cơ quan.", "Enter the agency's name.")
                agency.name = name.strip()[:200]
            if abbreviation is not None:
                agency.abbreviation = abbreviation.strip()[:30] or None
            session.flush()
            return AgencyInfo.of(agency)

    def agencies(self) -> list[AgencyInfo]:
        with self.archive.sessions() as session:
            return [AgencyInfo.of(a) for a in session.scalars(select(Agency).order_by(Agency.organ_id))]

    # -- users ---------------------------------------------------------------------------------
    def create_user(self, username: str, role: str, agency: str | None, *, full_name: str | None = None,
                    email: str | None = None, password: str | None = None, language: str = "vi") -> tuple[Account, str]:
        """Create an account; returns it with its password (the one given, or a random one to hand over)."""
        username = (username or "").strip().lower()
        if not USERNAME.match(username):
            raise AccountError("invalid_username",
                               "Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch ngang, 2–100 ký tự.",
                               "A username is 2–100 lower-case letters without accents, digits, dots or dashes.")
        user_role = check_role(role)
        password = password or new_password()
        check_password(password)
        try:
            with self.archive.sessions.begin() as session:
                agency_row = self._agency(session, agency)
                if agency_row is None and user_role is not UserRole.ADMIN:
                    raise AccountError("agency_required", "Mỗi người dùng phải thuộc một cơ quan; hãy chọn cơ quan.",
                                       "Every user belongs to an agency; choose one.")
                user = User(username=username, full_name=(full_name or username).strip()[:200],
                            email=(email or "").strip() or None, password_hash=HASHER.hash(password), role=user_role,
                            agency=agency_row, active=True, language=language if language in ("vi", "en") else "vi")
                session.add(user)
                session.flush()
                return Account.of(user), password
        except IntegrityError as exc:
            raise AccountError("user_exists", f"Tên đăng nhập hoặc thư điện tử '{username}' đã được dùng; chọn tên khác.",
                               f"The username or e-mail of '{username}' is already taken; choose another.", 409) from exc

    def update_user(self, user_id: int, *, role: str | None = None, agency: str | None = None,
                    active: bool | None = None, full_name: str | None = None, language: str | None = None,
                    password: str | None = None) -> tuple[Account, dict[str, object]]:
        """Change an account; returns it and what changed (for the security log, never the password)."""
        changes: dict[str, object] = {}
        with self.archive.sessions.begin() as session:
            user = session.get(User, user_id)
            if user is None:
                raise AccountError("not_found", f"Không có người dùng số {user_id}.", f"There is no user {user_id}.", 404)
            if role is not None and role != user.role.value:
                user.role = check_role(role)
                changes["role"] = role
            if agency is not None and agency != (user.agency.organ_id if user.agency else ""):
                user.agency = self._agency(session, agency)
                changes["agency"] = agency or None
            if active is not None and active != user.active:
                user.active = active
                changes["active"] = active
                if not active:  # a deactivated person is signed out everywhere at once
                    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
            if full_name is not None and full_name.strip() and full_name.strip() != user.full_name:
                user.full_name = full_name.strip()[:200]
                changes["full_name"] = user.full_name
            if language is not None and language in ("vi", "en") and language != user.language:
                user.language = language
                changes["language"] = language
            if password:
                check_password(password)
                user.password_hash = HASHER.hash(password)
                changes["password_changed"] = True
            if user.agency is None and user.role is not UserRole.ADMIN:
                raise AccountError("agency_required", "Mỗi người dùng phải thuộc một cơ quan; hãy chọn cơ quan.",
                                   "Every user belongs to an agency; choose one.")
            session.flush()
            if not session.scalar(select(func.count()).select_from(User).where(User.role == UserRole.ADMIN,
                                                                               User.active.is_(True))):
                raise AccountError("last_admin",
                                   "Đây là quản trị viên cuối cùng đang hoạt động; hãy tạo hoặc kích hoạt quản trị viên khác trước.",
                                   "This is the last active administrator; create or activate another one first.", 409)
            return Account.of(user), changes

    def get(self, user_id: int) -> Account | None:
        with self.archive.sessions() as session:
            user = session.get(User, user_id)
            return Account.of(user) if user else None

    def by_username(self, username: str) -> Account | None:
        with self.archive.sessions() as session:
            user = session.scalars(select(User).where(User.username == username.strip().lower())).first()
            return Account.of(user) if user else None

    def users(self, offset: int = 0, limit: int = 100) -> tuple[list[Account], int]:
        with self.archive.sessions() as session:
            total = session.scalar(select(func.count()).select_from(User)) or 0
            rows = session.scalars(select(User).order_by(User.username).offset(offset).limit(limit))
            return [Account.of(u) for u in rows], total

    # -- sign-in -------------------------------------------------------------------------------
    def authenticate(self, username: str, password: str, ip: str | None) -> Account:
        """The account for these credentials, or ``AccountError`` (bad_credentials, locked, inactive).

        Every failure counts against both the username and the address; a success clears the
        username's count. The same message is given for an unknown user and a wrong password.
        The failure is committed before the error is raised: a rolled-back count would never lock.
        """
        username = (username or "").strip().lower()[:100]
        keys = [f"user:{username}", f"ip:{ip or '-'}"]
        now = utc_now()
        with self.archive.work_sessions.begin() as session:
            failure = self._check(session, username, password, keys, now)
            if isinstance(failure, AccountError):
                if failure.code == "bad_credentials" and self._count_failure(session, keys, now):
                    failure = _locked_error(15, just_now=True)
            else:
                throttle = session.get(LoginThrottle, keys[0])
                if throttle is not None:
                    session.delete(throttle)
                if HASHER.check_needs_rehash(failure.password_hash):
                    failure.password_hash = HASHER.hash(password)
                session.flush()
                return Account.of(failure)
        raise failure

    def _check(self, session: Session, username: str, password: str, keys: list[str],
               now: datetime) -> User | AccountError:
        locked = [t for t in (session.get(LoginThrottle, k) for k in keys) if t and t.locked_until and t.locked_until > now]
        user = session.scalars(select(User).where(User.username == username)).first()
        if locked:
            _spend(password)
            until = max(t.locked_until for t in locked if t.locked_until)
            return _locked_error(max(1, int((until - now).total_seconds() // 60) + 1))
        if not _verify(user.password_hash if user else None, password) or user is None:
            return AccountError(
                "bad_credentials",
                "Sai tên đăng nhập hoặc mật khẩu. Hãy kiểm tra lại (chú ý phím Caps Lock) rồi đăng nhập lại.",
                "Wrong username or password. Check them (mind Caps Lock) and sign in again.", 401)
        if not user.active:
            return AccountError("inactive", "Tài khoản này đã bị ngừng hoạt động. Hãy liên hệ quản trị viên của cơ quan.",
                                "This account has been deactivated. Contact your agency's administrator.", 403)
        return user

    def _count_failure(self, session: Session, keys: list[str], now: datetime) -> bool:
        """Count one failure against each key; True when this failure locked the account or the address."""
        locked_account = False
        for key in keys:
            throttle = session.get(LoginThrottle, key)
            if throttle is None or now - throttle.window_started_at > THROTTLE_WINDOW:
                if throttle is None:
                    throttle = LoginThrottle(key=key)
                    session.add(throttle)
                throttle.failures, throttle.window_started_at, throttle.locked_until = 0, now, None
            throttle.failures += 1
            limit = ACCOUNT_MAX_FAILURES if key.startswith("user:") else IP_MAX_FAILURES
            if throttle.failures >= limit:
                throttle.locked_until = now + LOCKOUT
                locked_account = True
        return locked_account

    def address_locked(self, ip: str | None) -> bool:
        """Whether this client address is locked out (too many bad passwords or bad API tokens)."""
        with self.archive.sessions() as session:
            throttle = session.get(LoginThrottle, f"ip:{ip or '-'}")
            return bool(throttle and throttle.locked_until and throttle.locked_until > utc_now())

    def count_token_failure(self, ip: str | None) -> None:
        """A wrong API token counts against the address like a wrong password does."""
        with self.archive.work_sessions.begin() as session:
            self._count_failure(session, [f"ip:{ip or '-'}"], utc_now())

    def unlock(self, username: str) -> None:
        with self.archive.sessions.begin() as session:
            throttle = session.get(LoginThrottle, f"user:{username.strip().lower()}")
            if throttle is not None:
                session.delete(throttle)

    # -- browser sessions ----------------------------------------------------------------------
    def start_session(self, user_id: int) -> str:
        """A new random session id for a user who just signed in (the old one, if any, is dropped by the caller)."""
        sid = secrets.token_urlsafe(32)
        with self.archive.sessions.begin() as session:
            now = utc_now()
            session.execute(delete(WebSession).where(WebSession.expires_at < now))
            session.add(WebSession(sid_sha256=token_digest(sid), user_id=user_id, expires_at=now + SESSION_LIFETIME))
        return sid

    def session_account(self, sid: str) -> Account | None:
        """The active account of a live session id, or None."""
        with self.archive.sessions() as session:
            row = session.get(WebSession, token_digest(sid))
            if row is None or row.expires_at < utc_now():
                return None
            user = session.get(User, row.user_id)
            return Account.of(user) if user is not None and user.active else None

    def end_session(self, sid: str) -> None:
        with self.archive.sessions.begin() as session:
            session.execute(delete(WebSession).where(WebSession.sid_sha256 == token_digest(sid)))

    # -- API tokens ----------------------------------------------------------------------------
    def create_token(self, username: str, name: str = "api") -> tuple[TokenInfo, str]:
        """A new bearer token for ``username``; the token itself is returned once and never stored."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.archive.sessions.begin() as session:
            user = session.scalars(select(User).where(User.username == username.strip().lower())).first()
            if user is None:
                raise AccountError("not_found", f"Không có người dùng {username}; xem `luutru user list`.",
                                   f"There is no user {username}; see `luutru user list`.", 404)
            row = ApiToken(user=user, name=(name or "api").strip()[:100] or "api", prefix=token[:12],
                           token_sha256=token_digest(token))
            session.add(row)
            session.flush()
            return _token_info(row), token

    def tokens(self) -> list[TokenInfo]:
        with self.archive.sessions() as session:
            return [_token_info(t) for t in session.scalars(select(ApiToken).order_by(ApiToken.id.desc()))]

    def revoke_token(self, token_id: int) -> TokenInfo:
        with self.archive.sessions.begin() as session:
            row = session.get(ApiToken, token_id)
            if row is None:
                raise AccountError("not_found", f"Không có mã truy cập số {token_id}.", f"There is no token {token_id}.", 404)
            row.revoked_at = row.revoked_at or utc_now()
            session.flush()
            return _token_info(row)

    def account_for_token(self, token: str) -> Account | None:
        """The active account a live token belongs to, or None; records when it was last used."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            return None
        with self.archive.sessions.begin() as session:
            row = session.scalars(select(ApiToken).where(ApiToken.token_sha256 == token_digest(token))).first()
            if row is None or row.revoked_at is not None or not row.user.active:
                return None
            now = utc_now()
            if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
                row.last_used_at = now
            return Account.of(row.user)


def _locked_error(minutes: int, just_now: bool = False) -> AccountError:
    lead_vi = "Sai tên đăng nhập hoặc mật khẩu quá nhiều lần. " if just_now else ""
    lead_en = "Too many wrong usernames or passwords. " if just_now else ""
    return AccountError(
        "locked", f"{lead_vi}Đăng nhập tạm bị khóa; hãy thử lại sau {minutes} phút hoặc liên hệ quản trị viên.",
        f"{lead_en}Sign-in is locked for now; try again in {minutes} minutes or contact an administrator.", 429)


def _token_info(row: ApiToken) -> TokenInfo:
    return TokenInfo(row.id, row.user.username, row.name, row.prefix, row.created_at, row.last_used_at,
                     row.revoked_at is not None)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return HASHER.verify(stored or _DUMMY_HASH, password or "") and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _spend(password: str) -> None:
    """Do the work of one verification, so a locked account answers as slowly as an open one."""
    _verify(None, password)
