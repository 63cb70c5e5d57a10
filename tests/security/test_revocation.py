"""Issue 11, finding 1: a disabled, changed or signed-out account stops
working at once, in every open tab, for every service.

Each attack is the literal probe: the principal was signed in *before* the
change and is kept (as an open tab keeps it in ``st.session_state``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update

from dashboard import accounts, auth
from dashboard.accounts import NewUser
from dashboard.auth import SYSTEM, Forbidden, Principal, Role
from dashboard.core.time import as_utc
from dashboard.plans.readiness import province_board
from dashboard.scenario.drill import DRILL_CLOCK
from dashboard.store.models.core import User, UserSession
from tests.support.auth import SECRET, add_user, counts, disable, sign_in

NEW_ADMIN = NewUser("mallory2", "Second admin", "another long password", Role.ADMIN)


def _refused(exc_info) -> None:
    assert exc_info.value.key == "errors.signed_out"


def _create_admin(ctx, actor: Principal) -> None:
    with ctx.transaction() as session:
        accounts.create_user(session, actor, NEW_ADMIN)


def test_a_disabled_admin_cannot_create_an_admin_from_an_open_tab(ctx):
    add_user(ctx, "mallory", Role.ADMIN)
    tab = sign_in(ctx, "mallory")
    disable(ctx, "mallory")
    before = counts(ctx)
    with pytest.raises(Forbidden) as info:
        _create_admin(ctx, tab)
    _refused(info)
    assert counts(ctx) == before
    with ctx.sessions() as session:
        assert session.scalar(select(User).where(User.username == "mallory2")) is None


def test_a_disabled_province_account_cannot_read_its_board(ctx):
    add_user(ctx, "hy.staff", Role.PROVINCE, provinces=("33",))
    tab = sign_in(ctx, "hy.staff")
    with ctx.sessions() as session:
        province_board(session, tab, 1, "33", DRILL_CLOCK)  # works before
    disable(ctx, "hy.staff")
    with ctx.sessions() as session, pytest.raises(Forbidden) as info:
        province_board(session, tab, 1, "33", DRILL_CLOCK)
    _refused(info)


@pytest.mark.parametrize(
    "change",
    [
        {"role": Role.COMMUNE, "commune_code": "13003"},
        {"province_codes": frozenset({"22"})},
    ],
    ids=["role", "scope"],
)
def test_a_role_or_scope_change_refuses_the_old_principal(ctx, change):
    add_user(ctx, "hy.staff", Role.PROVINCE, provinces=("33",))
    tab = sign_in(ctx, "hy.staff")
    with ctx.transaction() as session:
        accounts.update_user(session, SYSTEM, "hy.staff", **change)
    with ctx.sessions() as session, pytest.raises(Forbidden) as info:
        province_board(session, tab, 1, "33", DRILL_CLOCK)
    _refused(info)
    # Signing in again gives the new scope.
    fresh = sign_in(ctx, "hy.staff")
    assert fresh.auth_version == tab.auth_version + 1
    assert fresh.role is change.get("role", Role.PROVINCE)
    assert fresh.province_codes == change.get("province_codes", frozenset())


def test_a_password_change_refuses_the_old_principal(ctx):
    add_user(ctx, "mallory", Role.ADMIN)
    tab = sign_in(ctx, "mallory")
    with ctx.transaction() as session:
        accounts.set_password(session, SYSTEM, "mallory", "a brand new password")
    before = counts(ctx)
    with pytest.raises(Forbidden) as info:
        _create_admin(ctx, tab)
    _refused(info)
    assert counts(ctx) == before


def test_a_deleted_account_is_refused(ctx):
    add_user(ctx, "mallory", Role.ADMIN)
    tab = sign_in(ctx, "mallory")
    with ctx.transaction() as session:
        session.execute(delete(UserSession))
        session.execute(delete(User).where(User.username == "mallory"))
    with pytest.raises(Forbidden) as info:
        _create_admin(ctx, tab)
    _refused(info)


def test_a_revoked_session_is_refused_and_listed_no_more(ctx):
    add_user(ctx, "root", Role.ADMIN)
    add_user(ctx, "mallory", Role.ADMIN)
    admin = sign_in(ctx, "root")
    tab = sign_in(ctx, "mallory", client="203.0.113.9")
    with ctx.sessions() as session:
        listed = accounts.list_sessions(session, admin)
    mine = [s for s in listed if s.username == "mallory"]
    assert [s.client for s in mine] == ["203.0.113.9"]
    with ctx.transaction() as session:
        accounts.revoke_session(session, admin, tab.session_id)
    before = counts(ctx)
    with pytest.raises(Forbidden) as info:
        _create_admin(ctx, tab)
    _refused(info)
    assert counts(ctx) == before
    with ctx.sessions() as session:
        assert all(
            s.username != "mallory" for s in accounts.list_sessions(session, admin)
        )


def test_an_idle_session_times_out(ctx):
    add_user(ctx, "mallory", Role.ADMIN)
    tab = sign_in(ctx, "mallory")
    token = accounts._serializer(SECRET).dumps(tab.session_id)
    idle = datetime.now(UTC) - accounts.IDLE_TIMEOUT - timedelta(minutes=1)
    with ctx.transaction() as session:
        session.execute(
            update(UserSession)
            .where(UserSession.id == tab.session_id)
            .values(last_seen_at=idle, created_at=idle)
        )
    auth.note_revocation()
    with pytest.raises(Forbidden) as info:
        _create_admin(ctx, tab)
    _refused(info)
    with ctx.sessions() as session:
        assert accounts.resume_session(session, token, SECRET, demo_mode=False) is None


def test_interaction_keeps_a_session_alive(ctx):
    add_user(ctx, "lan", Role.COMMUNE, commune="13003")
    tab = sign_in(ctx, "lan")
    later = datetime.now(UTC) + accounts.IDLE_TIMEOUT - timedelta(minutes=5)
    with ctx.transaction() as session:
        accounts.touch_session(session, tab.session_id, clock=later)
        row = session.get(UserSession, tab.session_id)
        assert as_utc(row.last_seen_at) == later


def test_another_server_process_revoking_is_seen_within_the_recheck(ctx, monkeypatch):
    """A change written by another process (no in-process notice) is seen
    once the memo is older than RECHECK_SECONDS."""
    add_user(ctx, "mallory", Role.ADMIN)
    tab = sign_in(ctx, "mallory")
    auth.require_active(tab)  # memoised now
    with ctx.sessions() as session:  # a raw write: no after-commit notice
        session.execute(
            update(User).where(User.username == "mallory").values(disabled=True)
        )
        session.commit()
    monkeypatch.setattr(auth, "RECHECK_SECONDS", 0.0)
    with pytest.raises(Forbidden) as info:
        _create_admin(ctx, tab)
    _refused(info)


def test_a_forged_principal_without_verifier_is_refused(ctx):
    add_user(ctx, "mallory", Role.ADMIN)
    with ctx.sessions() as session:
        user_id = session.scalar(select(User.id).where(User.username == "mallory"))
    forged = Principal("mallory", Role.ADMIN, user_id=user_id)
    with pytest.raises(Forbidden) as info:
        _create_admin(ctx, forged)
    _refused(info)


def test_reads_without_a_scope_check_refuse_a_disabled_account_too(ctx):
    """The outreach library and the feedback badge filter by role rather
    than call a check: they re-check the principal as well."""
    from dashboard.feedback.notifications import unseen_count
    from dashboard.outreach import catalog

    add_user(ctx, "vol", Role.VOLUNTEER)
    tab = sign_in(ctx, "vol")
    catalog.search(ctx, tab)  # works before
    disable(ctx, "vol")
    with pytest.raises(Forbidden) as info:
        catalog.search(ctx, tab)
    _refused(info)
    add_user(ctx, "lan", Role.COMMUNE, commune="13003")
    leader = sign_in(ctx, "lan")
    with ctx.sessions() as session:
        unseen_count(session, leader)  # works before
    disable(ctx, "lan")
    with ctx.sessions() as session, pytest.raises(Forbidden) as info:
        unseen_count(session, leader)
    _refused(info)


def test_the_audit_log_refuses_a_revoked_actor_so_no_write_commits(ctx):
    """Every write service records an audit row in its transaction: a
    revoked actor is refused there too, and the whole write rolls back."""
    from dashboard import audit

    add_user(ctx, "mallory", Role.ADMIN)
    tab = sign_in(ctx, "mallory")
    disable(ctx, "mallory")
    before = counts(ctx)
    with pytest.raises(Forbidden) as info, ctx.transaction() as session:
        session.add(
            User(
                username="sneaky",
                display_name="x",
                password_hash="x",
                role="admin",
                created_at=datetime.now(UTC),
            )
        )
        audit.record(session, tab, "create", "user", "sneaky")
    _refused(info)
    assert counts(ctx) == before
