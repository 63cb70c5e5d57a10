"""User accounts, sign-in with rate limiting, and browser sessions.

Passwords are hashed with Argon2id (``argon2-cffi``). A failed sign-in is
recorded; after :data:`MAX_FAILURES` failures within :data:`FAILURE_WINDOW` a
username is refused until the window has passed, whatever the password.

A successful sign-in opens a server-side session (a random id stored in the
database) and returns a token signed with the installation's secret key
(``itsdangerous``). The browser keeps the token in an HttpOnly cookie; on
reload the token is verified (signature, age, not revoked, user still active).
Signing out revokes the session on the server, so a copied cookie stops
working too.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard import audit, registry
from dashboard.auth import Principal, Role, require_admin, validate_scope
from dashboard.core.errors import Forbidden, Invalid, NotFound
from dashboard.store.models.core import LoginAttempt, User, UserSession

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(days=7)
MIN_PASSWORD_LENGTH = 10
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")

_hasher = PasswordHasher()


class SignInError(Exception):
    """Sign-in refused. ``reason`` is a message key: ``bad_credentials``,
    ``throttled``, ``disabled`` or ``demo_off``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    password: str
    role: Role
    province_codes: frozenset[str] = frozenset()
    commune_code: str | None = None
    is_demo: bool = False


def principal_of(user: User) -> Principal:
    codes = frozenset(c for c in user.province_codes.split(",") if c)
    return Principal(
        username=user.username,
        role=Role(user.role),
        display_name=user.display_name,
        province_codes=codes,
        commune_code=user.commune_code,
        user_id=user.id,
        is_demo=user.is_demo,
    )


def _public(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "province_codes": user.province_codes,
        "commune_code": user.commune_code,
        "is_demo": user.is_demo,
        "disabled": user.disabled,
    }


def create_user(session: Session, actor: Principal, new: NewUser) -> User:
    """Create an account (admins only).

    Raises
    ------
    ValueError
        Naming the field that is wrong (username form, short password,
        scope that does not fit the role, username taken).
    """
    require_admin(actor, "create accounts")
    if not USERNAME_PATTERN.match(new.username):
        raise ValueError(
            "username must be 3–64 characters: lower-case letters, digits, '.', '_' or '-'"
        )
    if len(new.password) < MIN_PASSWORD_LENGTH:
        raise ValueError(
            f"password must have at least {MIN_PASSWORD_LENGTH} characters"
        )
    if not new.display_name.strip():
        raise ValueError("display name is empty")
    validate_scope(new.role, new.province_codes, new.commune_code)
    if session.scalar(select(User.id).where(User.username == new.username)) is not None:
        raise ValueError(f"username {new.username!r} is taken")
    user = User(
        username=new.username,
        display_name=new.display_name.strip(),
        password_hash=_hasher.hash(new.password),
        role=str(new.role),
        province_codes=",".join(sorted(new.province_codes)),
        commune_code=new.commune_code,
        is_demo=new.is_demo,
        disabled=False,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "create", "user", user.username, new=_public(user))
    return user


def list_users(session: Session, actor: Principal) -> list[User]:
    require_admin(actor, "list accounts")
    return list(session.scalars(select(User).order_by(User.username)))


def set_disabled(
    session: Session, actor: Principal, username: str, disabled: bool
) -> User:
    """Disable (or re-enable) an account; its open sessions are revoked."""
    require_admin(actor, "disable accounts")
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise ValueError(f"no account named {username!r}")
    old = _public(user)
    user.disabled = disabled
    if disabled:
        now = datetime.now(UTC)
        for open_session in session.scalars(
            select(UserSession).where(
                UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
            )
        ):
            open_session.revoked_at = now
    session.flush()
    action = "disable" if disabled else "enable"
    audit.record(session, actor, action, "user", username, old=old, new=_public(user))
    return user


def _recent_failures(session: Session, username: str, now: datetime) -> int:
    since = now - FAILURE_WINDOW
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(True)
        )
    )
    if last_success is not None:
        since = max(since, _aware(last_success))
    return session.scalar(
        select(func.count()).where(
            LoginAttempt.username == username,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > since,
        )
    )


def _aware(value: datetime) -> datetime:
    # SQLite returns naive datetimes; everything we store is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    demo_mode: bool,
    now: datetime | None = None,
) -> Principal:
    """Check a username and password, recording the attempt.

    The attempt row is written even when sign-in fails, so callers must commit
    the session in both cases (see :func:`sign_in`).
    """
    now = now or datetime.now(UTC)
    username = username.strip().lower()
    if _recent_failures(session, username, now) >= MAX_FAILURES:
        raise SignInError("throttled")
    user = session.scalar(select(User).where(User.username == username))
    ok = False
    if user is not None:
        try:
            ok = _hasher.verify(user.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    else:
        # Spend the same time as a real check so usernames cannot be probed.
        _hasher.hash(password)
    session.add(LoginAttempt(username=username, at=now, succeeded=ok))
    session.flush()
    if not ok or user is None:
        raise SignInError("bad_credentials")
    if user.disabled:
        raise SignInError("disabled")
    if user.is_demo and not demo_mode:
        raise SignInError("demo_off")
    return principal_of(user)


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="dashboard-session")


def open_session(session: Session, principal: Principal, secret_key: str) -> str:
    """Store a new session for *principal* and return its signed token."""
    now = datetime.now(UTC)
    session_id = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            id=session_id,
            user_id=principal.user_id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.flush()
    return _serializer(secret_key).dumps(session_id)


def _session_id(token: str, secret_key: str) -> str | None:
    try:
        return _serializer(secret_key).loads(
            token, max_age=int(SESSION_LIFETIME.total_seconds())
        )
    except (BadSignature, SignatureExpired):
        return None


def resume_session(
    session: Session, token: str, secret_key: str, *, demo_mode: bool
) -> Principal | None:
    """The principal of a valid, unrevoked, unexpired session token, else None."""
    session_id = _session_id(token, secret_key)
    if session_id is None:
        return None
    row = session.get(UserSession, session_id)
    now = datetime.now(UTC)
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled or (user.is_demo and not demo_mode):
        return None
    return principal_of(user)


def close_session(session: Session, token: str, secret_key: str) -> None:
    """Revoke the session behind *token* (sign-out)."""
    session_id = _session_id(token, secret_key)
    if session_id is None:
        return
    row = session.get(UserSession, session_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        session.flush()


# --------------------------------------------------------------------------
# Account administration with errors as data (issue 15, i18n branch).
#
# The users page calls these: each refusal is an Invalid/Forbidden/NotFound
# with a message key and params, so the page says it in the user's language;
# and the command centre cannot lock itself out (no admin locks themselves,
# nobody locks the last active admin).

#: Longest display name (it is shown in the sidebar next to "Đăng xuất").
MAX_DISPLAY_NAME = 80


def check_new_user(session: Session, new: NewUser) -> None:
    """Refuse a new account the rules do not allow, naming the field.

    Raises
    ------
    Invalid
        ``users.err.*`` / ``errors.*`` keys with ``field`` and the limit.
    """
    if not USERNAME_PATTERN.match(new.username):
        raise Invalid(
            "username must be 3–64 characters: lower-case letters, digits, "
            "'.', '_' or '-'",
            key="users.err.username_form",
            field="username",
        )
    if len(new.password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"password must have at least {MIN_PASSWORD_LENGTH} characters",
            key="users.err.password_short",
            field="password",
            limit=MIN_PASSWORD_LENGTH,
        )
    name = new.display_name.strip()
    if not name:
        raise Invalid("display name is empty", key="errors.required", field="name")
    if len(name) > MAX_DISPLAY_NAME:
        raise Invalid(
            f"display name is {len(name)} characters; at most {MAX_DISPLAY_NAME}",
            key="errors.too_long",
            field="name",
            length=len(name),
            limit=MAX_DISPLAY_NAME,
        )
    unknown = sorted(set(new.province_codes) - set(registry.province_codes()))
    if unknown:
        raise Invalid(
            f"unknown province code(s): {', '.join(unknown)}",
            key="users.err.unknown_province",
            field="scope",
            value=", ".join(unknown),
        )
    if new.commune_code and new.commune_code not in registry.commune_codes():
        raise Invalid(
            f"unknown commune code: {new.commune_code}",
            key="users.err.unknown_commune",
            field="scope",
            value=new.commune_code,
        )
    try:
        validate_scope(new.role, new.province_codes, new.commune_code)
    except ValueError as exc:
        raise Invalid(str(exc), key="users.err.scope", field="scope") from exc
    if session.scalar(select(User.id).where(User.username == new.username)) is not None:
        raise Invalid(
            f"username {new.username!r} is taken",
            key="users.err.username_taken",
            field="username",
            value=new.username,
        )


def create_account(session: Session, actor: Principal, new: NewUser) -> User:
    """:func:`create_user` after :func:`check_new_user` (keyed refusals)."""
    require_admin(actor, "create accounts")
    check_new_user(session, new)
    return create_user(session, actor, new)


def _active_admins(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(User.username).where(
                User.role == str(Role.ADMIN), User.disabled.is_(False)
            )
        )
    )


def check_admin_change(session: Session, actor: Principal, username: str) -> User:
    """Refuse to lock, demote or delete oneself or the last active admin.

    Returns the account when the change may go ahead.
    """
    require_admin(actor, "change accounts")
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(
            f"no account named {username!r}", key="users.err.no_account", value=username
        )
    if username == actor.username:
        raise Forbidden(
            "you cannot lock, demote or delete your own account",
            key="users.err.self",
        )
    if (
        user.role == str(Role.ADMIN)
        and not user.disabled
        and _active_admins(session) == [username]
    ):
        raise Forbidden(
            f"{username} is the last active admin",
            key="users.err.last_admin",
            value=username,
        )
    return user


def lock_account(session: Session, actor: Principal, username: str) -> User:
    """Lock an account (its sessions end) unless it is the admin's own or the
    last active admin's."""
    check_admin_change(session, actor, username)
    return set_disabled(session, actor, username, True)


def unlock_account(session: Session, actor: Principal, username: str) -> User:
    """Unlock an account (admins only)."""
    require_admin(actor, "unlock accounts")
    if session.scalar(select(User.id).where(User.username == username)) is None:
        raise NotFound(
            f"no account named {username!r}", key="users.err.no_account", value=username
        )
    return set_disabled(session, actor, username, False)
