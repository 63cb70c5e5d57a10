"""User accounts, sign-in with throttling, and browser sessions.

Passwords are hashed with Argon2id (``argon2-cffi``). At most
:data:`HASH_SLOTS` hashes run at once in a process (each takes 64 MiB); a
sign-in that cannot get a slot within :data:`HASH_WAIT` seconds is refused as
``busy`` so a burst of sign-ins cannot exhaust memory.

Throttling slows guessing without letting anyone lock a known user out:

* per *(account, client address)* pair, after :data:`PAIR_FREE_FAILURES`
  failures within :data:`FAILURE_WINDOW` each further attempt must wait
  2, 4, 8 … seconds (at most :data:`PAIR_MAX_DELAY`) after the previous
  failure. Someone guessing from another address does not slow the owner.
* per client address, across all accounts, after
  :data:`ADDRESS_FREE_FAILURES` failures the same progressive delay (at most
  :data:`ADDRESS_MAX_DELAY`) applies, so spraying one guess over many
  accounts is slowed too.

A throttled attempt is refused before any hashing. Each attempt is recorded
(and committed) *before* the password is checked, under a process lock, so
parallel sign-ins see each other's failures.

A successful sign-in opens a server-side session (a random id stored in the
database) with an absolute lifetime (:data:`SESSION_LIFETIME`) and an idle
timeout (:data:`IDLE_TIMEOUT`). The browser keeps a token signed with the
installation's secret key in an HttpOnly cookie; the token itself never
reaches page scripts: the tab receives a one-time *cookie ticket*
(:func:`cookie_ticket`, two minutes, single use) that ``POST /auth/session``
exchanges for the cookie.

Every principal made here carries the account's version stamp
(``users.auth_version``) and a verifier (see :func:`dashboard.auth.require_active`):
disabling an account, changing its role, scope or password, or revoking a
session makes every service refuse the old principal at once.

Accounts and sessions are administered by real (non-demo) admins only; an
account created while the installation runs in demo mode (or by a principal
signed in in demo mode) is itself marked demo and refused once demo mode is
off.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, object_session

from dashboard import audit, registry
from dashboard.auth import (
    Principal,
    Role,
    note_revocation,
    require_admin,
    require_installation_admin,
    signed_out,
    validate_scope,
)
from dashboard.core.clock import Clock
from dashboard.core.errors import Forbidden, Invalid, NotFound
from dashboard.core.time import as_utc
from dashboard.store.models.core import LoginAttempt, User, UserSession

FAILURE_WINDOW = timedelta(minutes=15)
PAIR_FREE_FAILURES = 3
PAIR_MAX_DELAY = 300.0
ADDRESS_FREE_FAILURES = 10
ADDRESS_MAX_DELAY = 900.0
SESSION_LIFETIME = timedelta(days=7)
IDLE_TIMEOUT = timedelta(hours=2)
#: Record an interaction at most this often (idle timeout bookkeeping).
TOUCH_INTERVAL = timedelta(minutes=1)
TICKET_LIFETIME = 120
HASH_SLOTS = 4
HASH_WAIT = 3.0
MIN_PASSWORD_LENGTH = 10
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")

_hasher = PasswordHasher()
_hash_slots = threading.BoundedSemaphore(HASH_SLOTS)
_attempt_lock = threading.Lock()
_REVOKED = "dashboard.auth_revoked"


class SignInError(Exception):
    """Sign-in refused. ``reason`` is a message key: ``bad_credentials``,
    ``throttled`` (``retry_after`` seconds), ``busy``, ``disabled`` or
    ``demo_off``."""

    def __init__(self, reason: str, retry_after: float = 0.0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_REVOKED, False):
        note_revocation()


def _revoked(session: Session) -> None:
    """Mark *session*: once it commits, every memoised check is forgotten."""
    session.info[_REVOKED] = True
    note_revocation()


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    password: str
    role: Role
    province_codes: frozenset[str] = frozenset()
    commune_code: str | None = None
    is_demo: bool = False


def _session_problem(row: UserSession | None, clock: Clock) -> str | None:
    if row is None:
        return "no such session"
    if row.revoked_at is not None:
        return "session revoked"
    if as_utc(row.expires_at) <= clock:
        return "session expired"
    seen = as_utc(row.last_seen_at or row.created_at)
    if seen + IDLE_TIMEOUT <= clock:
        return "session idle too long"
    return None


def _user_problem(
    user: User | None, p: Principal | None, demo_mode: bool
) -> str | None:
    if user is None:
        return "account deleted"
    if user.disabled:
        return "account disabled"
    if user.is_demo and not demo_mode:
        return "demo account with demo mode off"
    if p is not None and user.auth_version != p.auth_version:
        return "account changed"
    return None


def make_verifier(engine: Engine, demo_mode: bool):
    """A verifier for :class:`Principal`: re-reads the account (and session)
    from *engine* on its own connection and raises ``errors.signed_out``."""

    def verify(p: Principal) -> None:
        with Session(engine) as db:
            problem = _user_problem(db.get(User, p.user_id), p, demo_mode)
            if problem is None and p.session_id is not None:
                problem = _session_problem(
                    db.get(UserSession, p.session_id), datetime.now(UTC)
                )
        if problem is not None:
            raise signed_out(problem)

    return verify


def principal_of(
    user: User,
    *,
    demo_mode: bool = False,
    session_id: str | None = None,
    verifier=None,
) -> Principal:
    """The principal of *user*, checked against the store it was read from
    (a principal that cannot be checked is refused by every service)."""
    if verifier is None:
        owner = object_session(user)
        if owner is not None:
            verifier = make_verifier(owner.get_bind(), demo_mode)  # type: ignore[arg-type]
    codes = frozenset(c for c in user.province_codes.split(",") if c)
    return Principal(
        username=user.username,
        role=Role(user.role),
        display_name=user.display_name,
        province_codes=codes,
        commune_code=user.commune_code,
        user_id=user.id,
        is_demo=user.is_demo,
        auth_version=user.auth_version or 0,
        session_id=session_id,
        demo_mode=demo_mode,
        verifier=verifier,
    )


def _bound_principal(
    session: Session, user: User, demo_mode: bool, session_id: str | None = None
) -> Principal:
    engine = session.get_bind()
    return principal_of(
        user,
        demo_mode=demo_mode,
        session_id=session_id,
        verifier=make_verifier(engine, demo_mode),  # type: ignore[arg-type]
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


def _hash(password: str) -> str:
    with _slot():
        return _hasher.hash(password)


class _slot:
    """One of the :data:`HASH_SLOTS` hashing slots, or ``SignInError("busy")``."""

    def __enter__(self) -> None:
        if not _hash_slots.acquire(timeout=HASH_WAIT):
            raise SignInError("busy")

    def __exit__(self, *exc: object) -> None:
        _hash_slots.release()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(
            f"password must have at least {MIN_PASSWORD_LENGTH} characters"
        )


def create_user(session: Session, actor: Principal, new: NewUser) -> User:
    """Create an account (real admins only; demo accounts cannot).

    An account created by a principal signed in in demo mode is marked demo.

    Raises
    ------
    Forbidden
        Not a real admin (``errors.demo_readonly`` for demo accounts).
    ValueError
        Naming the field that is wrong (username form, short password,
        scope that does not fit the role, username taken).
    """
    require_installation_admin(actor, "create accounts")
    if not USERNAME_PATTERN.match(new.username):
        raise ValueError(
            "username must be 3–64 characters: lower-case letters, digits, '.', '_' or '-'"
        )
    _check_password(new.password)
    if not new.display_name.strip():
        raise ValueError("display name is empty")
    validate_scope(new.role, new.province_codes, new.commune_code)
    if session.scalar(select(User.id).where(User.username == new.username)) is not None:
        raise ValueError(f"username {new.username!r} is taken")
    user = User(
        username=new.username,
        display_name=new.display_name.strip(),
        password_hash=_hash(new.password),
        role=str(new.role),
        province_codes=",".join(sorted(new.province_codes)),
        commune_code=new.commune_code,
        is_demo=new.is_demo or actor.is_demo or actor.demo_mode,
        disabled=False,
        auth_version=0,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "create", "user", user.username, new=_public(user))
    return user


def list_users(session: Session, actor: Principal) -> list[User]:
    """Every account (admins; demo admins may read it too)."""
    require_admin(actor, "list accounts")
    return list(session.scalars(select(User).order_by(User.username)))


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise Invalid(f"no account named {username!r}")
    return user


def _revoke_sessions(session: Session, user_id: int, clock: Clock) -> int:
    count = 0
    for open_session in session.scalars(
        select(UserSession).where(
            UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
        )
    ):
        open_session.revoked_at = clock
        count += 1
    return count


def _bump(session: Session, user: User) -> None:
    """The account changed: every principal of it is refused from now on."""
    user.auth_version = (user.auth_version or 0) + 1
    _revoke_sessions(session, user.id, datetime.now(UTC))
    _revoked(session)


def set_disabled(
    session: Session, actor: Principal, username: str, disabled: bool
) -> User:
    """Disable (or re-enable) an account; its open sessions are revoked and
    every open tab of it is refused at its next action."""
    require_installation_admin(actor, "disable accounts")
    user = _user(session, username)
    old = _public(user)
    user.disabled = disabled
    _bump(session, user)
    session.flush()
    action = "disable" if disabled else "enable"
    audit.record(session, actor, action, "user", username, old=old, new=_public(user))
    return user


def update_user(
    session: Session,
    actor: Principal,
    username: str,
    *,
    role: Role | None = None,
    province_codes: frozenset[str] | None = None,
    commune_code: str | None = None,
    display_name: str | None = None,
) -> User:
    """Change an account's role, scope or name (real admins only).

    A role or scope change revokes the account's sessions: its open tabs are
    signed out at their next action and it signs in again with the new scope.
    """
    require_installation_admin(actor, "change accounts")
    user = _user(session, username)
    old = _public(user)
    new_role = role or Role(user.role)
    codes = (
        province_codes
        if province_codes is not None
        else frozenset(c for c in user.province_codes.split(",") if c)
    )
    if role is not None and role is not Role(user.role):
        if province_codes is None and new_role is not Role.PROVINCE:
            codes = frozenset()
        if commune_code is None and new_role is not Role.COMMUNE:
            commune = None
        else:
            commune = commune_code
    else:
        commune = commune_code if commune_code is not None else user.commune_code
    validate_scope(new_role, codes, commune)
    if display_name is not None:
        if not display_name.strip():
            raise ValueError("display name is empty")
        user.display_name = display_name.strip()
    scope_changed = (
        str(new_role) != user.role
        or ",".join(sorted(codes)) != user.province_codes
        or commune != user.commune_code
    )
    user.role = str(new_role)
    user.province_codes = ",".join(sorted(codes))
    user.commune_code = commune
    if scope_changed:
        _bump(session, user)
    session.flush()
    audit.record(session, actor, "update", "user", username, old=old, new=_public(user))
    return user


def set_password(
    session: Session, actor: Principal, username: str, password: str
) -> User:
    """Give an account a new password (real admins only); its sessions end."""
    require_installation_admin(actor, "change passwords")
    user = _user(session, username)
    _check_password(password)
    user.password_hash = _hash(password)
    _bump(session, user)
    session.flush()
    audit.record(session, actor, "set_password", "user", username)
    return user


# -- sign-in -------------------------------------------------------------------------------


def _delay(failures: int, free: int, cap: float) -> float:
    if failures < free:
        return 0.0
    return min(2.0 ** (failures - free + 1), cap)


def _failures(
    session: Session, since: datetime, *conditions
) -> tuple[int, datetime | None]:
    count, last = session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.succeeded.is_(False), LoginAttempt.at > since, *conditions
        )
    ).one()
    return int(count), (as_utc(last) if last is not None else None)


def throttle_wait(session: Session, username: str, client: str, clock: Clock) -> float:
    """Seconds the next attempt for *username* from *client* must wait (0: go)."""
    since = clock - FAILURE_WINDOW
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username,
            LoginAttempt.client == client,
            LoginAttempt.succeeded.is_(True),
        )
    )
    pair_since = max(since, as_utc(last_success)) if last_success else since
    pair, pair_last = _failures(
        session,
        pair_since,
        LoginAttempt.username == username,
        LoginAttempt.client == client,
    )
    address, address_last = _failures(session, since, LoginAttempt.client == client)
    wait = 0.0
    if pair_last is not None:
        ready = pair_last + timedelta(
            seconds=_delay(pair, PAIR_FREE_FAILURES, PAIR_MAX_DELAY)
        )
        wait = max(wait, (ready - clock).total_seconds())
    if address_last is not None:
        ready = address_last + timedelta(
            seconds=_delay(address, ADDRESS_FREE_FAILURES, ADDRESS_MAX_DELAY)
        )
        wait = max(wait, (ready - clock).total_seconds())
    return max(wait, 0.0)


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    demo_mode: bool,
    client: str = "",
    clock: Clock | None = None,
) -> Principal:
    """Check a username and password, recording the attempt.

    The attempt is recorded as a failure and **committed** before the
    password is checked (so parallel attempts count), then turned into a
    success when the password is right; callers commit *session* afterwards
    in both cases (see :func:`dashboard.ui.session.sign_in`).

    Raises
    ------
    SignInError
    """
    clock = clock or datetime.now(UTC)
    username = username.strip().lower()[:64]
    client = (client or "")[:64]
    with _attempt_lock:
        wait = throttle_wait(session, username, client, clock)
        if wait > 0:
            session.rollback()
            raise SignInError("throttled", retry_after=wait)
        attempt = LoginAttempt(
            username=username, at=clock, succeeded=False, client=client
        )
        session.add(attempt)
        session.commit()
    user = session.scalar(select(User).where(User.username == username))
    ok = False
    try:
        with _slot():
            if user is not None:
                try:
                    ok = _hasher.verify(user.password_hash, password)
                except (VerifyMismatchError, VerificationError, InvalidHashError):
                    ok = False
            else:
                # Spend the same time as a real check so usernames cannot be probed.
                _hasher.hash(password)
    except SignInError:
        session.delete(attempt)  # never checked: does not count as a failure
        session.flush()
        raise
    if not ok or user is None:
        raise SignInError("bad_credentials")
    attempt.succeeded = True
    session.flush()
    if user.disabled:
        raise SignInError("disabled")
    if user.is_demo and not demo_mode:
        raise SignInError("demo_off")
    return _bound_principal(session, user, demo_mode)


# -- sessions ------------------------------------------------------------------------------


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="dashboard-session")


def open_session(
    session: Session, principal: Principal, secret_key: str, client: str = ""
) -> str:
    """Store a new session for *principal* and return its signed token."""
    now = datetime.now(UTC)
    session_id = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            id=session_id,
            user_id=principal.user_id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
            last_seen_at=now,
            client=(client or "")[:64],
        )
    )
    session.flush()
    return _serializer(secret_key).dumps(session_id)


def session_token_id(token: str, secret_key: str) -> str | None:
    """The session id inside a signed token (None when forged or too old)."""
    try:
        return _serializer(secret_key).loads(
            token, max_age=int(SESSION_LIFETIME.total_seconds())
        )
    except (BadSignature, SignatureExpired):
        return None


_session_id = session_token_id


def with_session(principal: Principal, token: str, secret_key: str) -> Principal:
    """*principal* bound to the session behind *token* (revoking the session
    then refuses the principal)."""
    return replace(principal, session_id=session_token_id(token, secret_key))


def resume_session(
    session: Session, token: str, secret_key: str, *, demo_mode: bool
) -> Principal | None:
    """The principal of a valid, unrevoked, unexpired, not idle session token,
    else None."""
    session_id = session_token_id(token, secret_key)
    if session_id is None:
        return None
    row = session.get(UserSession, session_id)
    if _session_problem(row, datetime.now(UTC)) is not None:
        return None
    user = session.get(User, row.user_id)
    if _user_problem(user, None, demo_mode) is not None:
        return None
    return _bound_principal(session, user, demo_mode, session_id)


def touch_session(
    session: Session, session_id: str, clock: Clock | None = None
) -> None:
    """Record an interaction (at most once per :data:`TOUCH_INTERVAL`)."""
    clock = clock or datetime.now(UTC)
    row = session.get(UserSession, session_id)
    if row is None or row.revoked_at is not None:
        return
    seen = as_utc(row.last_seen_at or row.created_at)
    if clock - seen >= TOUCH_INTERVAL and seen + IDLE_TIMEOUT > clock:
        row.last_seen_at = clock
        session.flush()


def close_session(session: Session, token: str, secret_key: str) -> None:
    """Revoke the session behind *token* (sign-out)."""
    session_id = session_token_id(token, secret_key)
    if session_id is None:
        return
    row = session.get(UserSession, session_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        session.flush()
        _revoked(session)


@dataclass(frozen=True)
class ActiveSession:
    """One open browser session, for the admins' sessions panel."""

    session_id: str
    username: str
    display_name: str
    role: str
    client: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime

    @property
    def short_id(self) -> str:
        return self.session_id[:8]


def list_sessions(
    session: Session, actor: Principal, clock: Clock | None = None
) -> list[ActiveSession]:
    """Every session that still works (not revoked, expired or idle), newest
    interaction first (real admins only)."""
    require_installation_admin(actor, "list sessions")
    clock = clock or datetime.now(UTC)
    rows = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.revoked_at.is_(None))
    ).all()
    found = [
        ActiveSession(
            session_id=s.id,
            username=u.username,
            display_name=u.display_name,
            role=u.role,
            client=s.client,
            created_at=as_utc(s.created_at),
            last_seen_at=as_utc(s.last_seen_at or s.created_at),
            expires_at=as_utc(s.expires_at),
        )
        for s, u in rows
        if _session_problem(s, clock) is None and not u.disabled
    ]
    return sorted(found, key=lambda a: a.last_seen_at, reverse=True)


def revoke_session(session: Session, actor: Principal, session_id: str) -> None:
    """End one session now (real admins only); its tab is signed out at its
    next action."""
    require_installation_admin(actor, "revoke sessions")
    row = session.get(UserSession, session_id)
    if row is None:
        raise NotFound("no such session", key="errors.not_found")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        session.flush()
        _revoked(session)
        user = session.get(User, row.user_id)
        audit.record(
            session,
            actor,
            "revoke_session",
            "user",
            user.username if user else str(row.user_id),
            new={"session": session_id[:8]},
        )


def revoke_user_sessions(session: Session, actor: Principal, username: str) -> int:
    """End every session of *username* (real admins only); how many."""
    require_installation_admin(actor, "revoke sessions")
    user = _user(session, username)
    count = _revoke_sessions(session, user.id, datetime.now(UTC))
    session.flush()
    _revoked(session)
    audit.record(
        session, actor, "revoke_sessions", "user", username, new={"count": count}
    )
    return count


# -- cookie tickets (login CSRF) -----------------------------------------------------------

_used_tickets: dict[str, float] = {}
_tickets_lock = threading.Lock()


def _ticket_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="dashboard-cookie-ticket")


def cookie_ticket(token: str, secret_key: str) -> str:
    """A one-time ticket (two minutes) that ``POST /auth/session`` exchanges
    for the session cookie. Only the tab that signed in gets it."""
    return _ticket_serializer(secret_key).dumps(
        {"t": token, "n": secrets.token_urlsafe(16)}
    )


def redeem_cookie_ticket(ticket: str, secret_key: str) -> str | None:
    """The session token of a valid, unused, fresh ticket (then used up)."""
    try:
        data = _ticket_serializer(secret_key).loads(ticket, max_age=TICKET_LIFETIME)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        return None
    nonce = str(data.get("n", ""))
    now = time.monotonic()
    with _tickets_lock:
        for key in [k for k, at in _used_tickets.items() if now - at > TICKET_LIFETIME]:
            del _used_tickets[key]
        if nonce in _used_tickets:
            return None
        _used_tickets[nonce] = now
    if session_token_id(data["t"], secret_key) is None:
        return None
    return data["t"]


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
