"""The command centre cannot lock itself out; account refusals are keyed."""

from __future__ import annotations

import pytest

from dashboard import accounts
from dashboard.accounts import NewUser
from dashboard.auth import SYSTEM, Principal, Role
from dashboard.core.errors import Forbidden, Invalid


def _admin(ctx, username: str) -> Principal:
    with ctx.transaction() as s:
        accounts.create_user(
            s,
            SYSTEM,
            NewUser(username, "Quản trị", "correct horse battery", Role.ADMIN),
        )
    return Principal(username, Role.ADMIN, "Quản trị")


def test_an_admin_cannot_lock_their_own_account(ctx):
    boss = _admin(ctx, "boss")
    _admin(ctx, "deputy")
    with ctx.transaction() as s, pytest.raises(Forbidden) as caught:
        accounts.lock_account(s, boss, "boss")
    assert caught.value.key == "users.err.self"


def test_nobody_locks_the_last_active_admin(ctx):
    boss = _admin(ctx, "boss")
    deputy = _admin(ctx, "deputy")
    with ctx.transaction() as s:
        accounts.lock_account(s, boss, "deputy")
    with ctx.transaction() as s:
        accounts.unlock_account(s, boss, "deputy")
    with ctx.transaction() as s:
        accounts.lock_account(s, deputy, "boss")
    with ctx.transaction() as s, pytest.raises(Forbidden) as caught:
        # deputy is now the last active admin; SYSTEM may not lock it either
        accounts.lock_account(s, Principal("ops", Role.ADMIN, "ops"), "deputy")
    assert caught.value.key == "users.err.last_admin"


def test_unlock_gives_the_account_back(ctx):
    boss = _admin(ctx, "boss")
    _admin(ctx, "deputy")
    with ctx.transaction() as s:
        accounts.lock_account(s, boss, "deputy")
    with ctx.transaction() as s:
        assert accounts.unlock_account(s, boss, "deputy").disabled is False


@pytest.mark.parametrize(
    ("new", "key"),
    [
        (
            NewUser("x", "A", "correct horse battery", Role.VOLUNTEER),
            "users.err.username_form",
        ),
        (
            NewUser("lan.nguyen", "A", "short", Role.VOLUNTEER),
            "users.err.password_short",
        ),
        (
            NewUser(
                "lan.nguyen", "A" * 10_000, "correct horse battery", Role.VOLUNTEER
            ),
            "errors.too_long",
        ),
        (
            NewUser("lan.nguyen", "  ", "correct horse battery", Role.VOLUNTEER),
            "errors.required",
        ),
    ],
)
def test_new_account_refusals_are_keyed(ctx, new, key):
    with ctx.transaction() as s, pytest.raises(Invalid) as caught:
        accounts.create_account(s, SYSTEM, new)
    assert caught.value.key == key
    assert "field" in caught.value.params


def test_a_taken_username_is_refused_with_its_value(ctx):
    _admin(ctx, "boss")
    new = NewUser("boss", "Khác", "correct horse battery", Role.VOLUNTEER)
    with ctx.transaction() as s, pytest.raises(Invalid) as caught:
        accounts.create_account(s, SYSTEM, new)
    assert (caught.value.key, caught.value.params["value"]) == (
        "users.err.username_taken",
        "boss",
    )
