"""Accounts on both back ends: creation, sign-in, throttling, sessions, demo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from dashboard import accounts, audit
from dashboard.accounts import NewUser, SignInError
from dashboard.auth import SYSTEM, Forbidden, Principal, Role
from dashboard.demo.accounts import DEMO_ACCOUNTS
from dashboard.store.models.core import User

SECRET = "test-secret-key"
LEADER = NewUser(
    "lan.nguyen",
    "Nguyễn Thị Lan",
    "correct horse battery",
    Role.COMMUNE,
    commune_code="13003",
)


def add(ctx, new=LEADER):
    with ctx.transaction() as session:
        return accounts.create_user(session, SYSTEM, new)


def sign_in(ctx, username, password, demo_mode=False, now=None):
    # The attempt must be recorded even when sign-in fails, so commit in both cases.
    with ctx.sessions() as session:
        try:
            return accounts.authenticate(
                session, username, password, demo_mode=demo_mode, clock=now
            )
        finally:
            session.commit()


def test_password_is_hashed_with_argon2(ctx):
    add(ctx)
    with ctx.sessions() as session:
        user = session.scalar(select(User).where(User.username == "lan.nguyen"))
    assert user.password_hash.startswith("$argon2id$")
    assert "correct horse" not in user.password_hash


def test_sign_in_returns_the_scoped_principal(ctx):
    add(ctx)
    principal = sign_in(ctx, "Lan.Nguyen ", "correct horse battery")
    assert principal.role is Role.COMMUNE
    assert principal.commune_code == "13003"
    assert principal.display_name == "Nguyễn Thị Lan"


@pytest.mark.parametrize(
    ("username", "password"),
    [("lan.nguyen", "wrong password!"), ("nobody", "correct horse battery"), ("", "")],
)
def test_bad_credentials(ctx, username, password):
    add(ctx)
    with pytest.raises(SignInError) as info:
        sign_in(ctx, username, password)
    assert info.value.reason == "bad_credentials"


def test_failed_attempts_are_slowed_progressively(ctx):
    add(ctx)
    now = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    for second in range(accounts.PAIR_FREE_FAILURES):
        with pytest.raises(SignInError):
            sign_in(ctx, "lan.nguyen", "guess", now=now + timedelta(seconds=second))
    last = now + timedelta(seconds=accounts.PAIR_FREE_FAILURES - 1)
    # Even the right password is refused while the delay runs ...
    with pytest.raises(SignInError) as info:
        sign_in(
            ctx, "lan.nguyen", "correct horse battery", now=last + timedelta(seconds=1)
        )
    assert info.value.reason == "throttled"
    assert 0 < info.value.retry_after <= 2
    # ... and accepted once it has passed (a delay, never a lock).
    later = last + timedelta(seconds=3)
    assert sign_in(ctx, "lan.nguyen", "correct horse battery", now=later).username == (
        "lan.nguyen"
    )


def test_disabled_account_cannot_sign_in_and_loses_sessions(ctx):
    add(ctx)
    principal = sign_in(ctx, "lan.nguyen", "correct horse battery")
    with ctx.transaction() as session:
        token = accounts.open_session(session, principal, SECRET)
    with ctx.transaction() as session:
        accounts.set_disabled(session, SYSTEM, "lan.nguyen", True)
    with pytest.raises(SignInError) as info:
        sign_in(ctx, "lan.nguyen", "correct horse battery")
    assert info.value.reason == "disabled"
    with ctx.sessions() as session:
        assert accounts.resume_session(session, token, SECRET, demo_mode=False) is None


def test_session_survives_a_reload_until_sign_out(ctx):
    add(ctx)
    principal = sign_in(ctx, "lan.nguyen", "correct horse battery")
    with ctx.transaction() as session:
        token = accounts.open_session(session, principal, SECRET)
    with ctx.sessions() as session:
        resumed = accounts.resume_session(session, token, SECRET, demo_mode=False)
    assert resumed == accounts.with_session(principal, token, SECRET)
    assert resumed.session_id is not None
    with ctx.sessions() as session:
        assert (
            accounts.resume_session(session, token, "other-key", demo_mode=False)
            is None
        )
        assert (
            accounts.resume_session(session, token[:-2], SECRET, demo_mode=False)
            is None
        )
    with ctx.transaction() as session:
        accounts.close_session(session, token, SECRET)
    with ctx.sessions() as session:
        assert accounts.resume_session(session, token, SECRET, demo_mode=False) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"username": "A B"}, "username must be"),
        ({"password": "short"}, "at least 10 characters"),
        ({"display_name": "  "}, "display name is empty"),
        ({"commune_code": "99999"}, "unknown commune code: 99999"),
        ({"role": Role.PROVINCE}, "at least one province"),
    ],
)
def test_invalid_new_user_is_refused_and_nothing_is_stored(ctx, change, message):
    fields = {**LEADER.__dict__, **change}
    with pytest.raises(ValueError, match=message):
        add(ctx, NewUser(**fields))
    with ctx.sessions() as session:
        assert session.scalars(select(User)).all() == []
        assert audit.entries(session, SYSTEM) == []


def test_duplicate_username_is_refused(ctx):
    add(ctx)
    with pytest.raises(ValueError, match="is taken"):
        add(ctx)


def test_only_admins_manage_accounts(ctx):
    province = Principal("hy", Role.PROVINCE, province_codes=frozenset({"33"}))
    with ctx.transaction() as session, pytest.raises(Forbidden):
        accounts.create_user(session, province, LEADER)
    with ctx.sessions() as session, pytest.raises(Forbidden):
        accounts.list_users(session, province)


def test_account_changes_are_audited(ctx):
    add(ctx)
    with ctx.transaction() as session:
        accounts.set_disabled(session, SYSTEM, "lan.nguyen", True)
    with ctx.sessions() as session:
        rows = audit.entries(
            session, SYSTEM, object_type="user", object_id="lan.nguyen"
        )
    assert [r.action for r in rows] == ["disable", "create"]
    assert '"disabled": false' in rows[0].old_value
    assert '"disabled": true' in rows[0].new_value


def test_demo_accounts_sign_in_only_in_demo_mode(demo_ctx):
    for account in DEMO_ACCOUNTS:
        principal = sign_in(
            demo_ctx, account.username, account.password, demo_mode=True
        )
        assert principal.is_demo and principal.role is account.role
    with pytest.raises(SignInError) as info:
        sign_in(demo_ctx, "demo-commune", "demo-commune-pw", demo_mode=False)
    assert info.value.reason == "demo_off"


def test_demo_accounts_are_not_created_outside_demo_mode(ctx):
    with ctx.sessions() as session:
        assert session.scalars(select(User)).all() == []
