"""Real accounts and signed-in principals for the security tests.

Principals made here come from :func:`dashboard.accounts.authenticate` and an
open session, exactly as the app makes them, so they carry the version stamp
and the verifier that revocation relies on.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlalchemy import func, select

from dashboard import accounts
from dashboard.accounts import NewUser
from dashboard.auth import SYSTEM, Principal, Role
from dashboard.context import AppContext
from dashboard.store.models.core import AuditEntry, User, UserSession

PASSWORD = "correct horse battery"
SECRET = "security-test-secret"

#: Cheap Argon2 parameters so tests can create hundreds of accounts.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def add_user(
    ctx: AppContext,
    username: str,
    role: Role,
    *,
    provinces: tuple[str, ...] = (),
    commune: str | None = None,
    is_demo: bool = False,
    actor: Principal = SYSTEM,
) -> None:
    with ctx.transaction() as session:
        accounts.create_user(
            session,
            actor,
            NewUser(
                username,
                f"{username} (test)",
                PASSWORD,
                role,
                province_codes=frozenset(provinces),
                commune_code=commune,
                is_demo=is_demo,
            ),
        )


def sign_in(
    ctx: AppContext,
    username: str,
    password: str = PASSWORD,
    *,
    demo_mode: bool = False,
    client: str = "",
    now=None,
) -> Principal:
    """Sign in as the app does: authenticate, open a session, bind it."""
    with ctx.sessions() as session:
        try:
            found = accounts.authenticate(
                session,
                username,
                password,
                demo_mode=demo_mode,
                client=client,
                clock=now,
            )
            token = accounts.open_session(session, found, SECRET, client=client)
        finally:
            session.commit()
    return accounts.with_session(found, token, SECRET)


def disable(ctx: AppContext, username: str) -> None:
    with ctx.transaction() as session:
        accounts.set_disabled(session, SYSTEM, username, True)


def counts(ctx: AppContext) -> dict[str, int]:
    """Row counts that a refused account action must leave unchanged."""
    with ctx.sessions() as session:
        return {
            "users": session.scalar(select(func.count()).select_from(User)),
            "audit": session.scalar(select(func.count()).select_from(AuditEntry)),
            "open_sessions": session.scalar(
                select(func.count())
                .select_from(UserSession)
                .where(UserSession.revoked_at.is_(None))
            ),
        }
