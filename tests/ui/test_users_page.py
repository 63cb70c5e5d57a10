"""The users page: no default account to lock, never oneself, a confirmation
before lock and unlock, the result shown, an unlock button."""

from __future__ import annotations

import pytest

from dashboard.auth import Principal, Role
from dashboard.i18n import translate
from tests.support.apptest import open_view

pytestmark = pytest.mark.usefixtures("ui_environment")
# A real admin: demo accounts cannot change accounts (tests/security/test_demo.py).
ADMIN = Principal("root", Role.ADMIN, "Quản trị")


def vi(key, **params):
    return translate(key, "vi", **params)


def test_lock_needs_a_choice_and_a_confirmation_and_unlock_undoes_it():
    at = open_view("users", ADMIN)
    assert not at.exception, at.exception
    lock = at.selectbox(key="users_lock_who")
    assert lock.value is None  # no default account
    assert "root" not in lock.options  # never oneself
    lock.select("demo-volunteer").run()
    button = at.button(key="users_lock_button")
    assert button.disabled  # not before the confirmation
    at.checkbox(key="users_lock_sure_demo-volunteer").check().run()
    at.button(key="users_lock_button").click().run()
    assert not at.exception, at.exception
    assert vi("users.locked", username="demo-volunteer") in [
        s.value for s in at.success
    ]
    assert at.selectbox(key="users_lock_who").value is None  # no "next account"

    unlock = at.selectbox(key="users_unlock_who")
    assert "demo-volunteer" in unlock.options
    unlock.select("demo-volunteer").run()
    at.checkbox(key="users_unlock_sure_demo-volunteer").check().run()
    at.button(key="users_unlock_button").click().run()
    assert vi("users.unlocked", username="demo-volunteer") in [
        s.value for s in at.success
    ]


def test_a_refused_account_is_explained_in_vietnamese():
    at = open_view("users", ADMIN)
    inputs = at.text_input
    inputs[0].input("lan")
    inputs[1].input("Lan")
    at.selectbox[0].select("volunteer")
    inputs[4].input("ngắn")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [vi("users.err.password_short", limit=10)]


def test_a_long_display_name_does_not_flood_the_sidebar():
    from dashboard.ui.components.sidebar import SIDEBAR_NAME, shorten

    assert len(shorten("Ủy ban " * 2000)) <= SIDEBAR_NAME
    assert shorten("UBND xã Đồng Châu") == "UBND xã Đồng Châu"


def test_the_language_survives_a_reload():
    """Issue 15: the language choice reset on reload (a new session)."""
    from streamlit.testing.v1 import AppTest

    from tests.support.helpers import REPO_ROOT

    at = AppTest.from_file(str(REPO_ROOT / "dashboard" / "app.py"), default_timeout=120)
    at.query_params["lang"] = "en"  # what the sidebar leaves in the URL
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["lang"] == "en"


def test_pages_open_on_the_most_exposed_province():
    """Issue 15: staff landed on Hà Nội; in the Wipha drill the most exposed
    province is a coastal one of the north."""
    from dashboard.ui.components.province_picker import most_exposed_province

    code = most_exposed_province()
    assert code is not None and code != "01"
    at = open_view("readiness", ADMIN)
    assert not at.exception, at.exception
    assert at.selectbox(key="readiness_province").value == code


def test_the_admin_sees_open_sessions_and_ends_one():
    """Issue 11: the sessions panel on the users page: who is signed in
    where, and "end session", which the store then refuses."""
    from dashboard import accounts
    from dashboard.bootstrap import open_context
    from tests.support.auth import add_user, sign_in

    ctx = open_context()
    add_user(ctx, "chief", Role.ADMIN)
    add_user(ctx, "lan", Role.VOLUNTEER)
    admin = sign_in(ctx, "chief", client="198.51.100.1")
    phone = sign_in(ctx, "lan", client="203.0.113.9")

    at = open_view("users", admin)
    assert not at.exception, at.exception
    assert vi("sessions.title") in [h.value for h in at.subheader]
    listed = at.dataframe[-1].value
    assert "203.0.113.9" in set(listed[vi("sessions.client")])
    pick = next(s for s in at.selectbox if s.label == vi("sessions.pick"))
    label = next(o for o in pick.options if "lan" in o and "203.0.113.9" in o)
    pick.select(label)
    next(b for b in at.button if b.label == vi("sessions.revoke")).click().run()
    assert not at.exception, at.exception
    assert vi("sessions.revoked") in [s.value for s in at.success]
    with ctx.sessions() as session:
        left = accounts.list_sessions(session, admin)
    assert [s.username for s in left] == ["chief"]
    assert phone.session_id not in {s.session_id for s in left}
    ctx.engine.dispose()
