"""Page (admin): accounts — list, add, lock (with confirmation), unlock, and
the open sign-in sessions with "end session" (:mod:`dashboard.ui.components.sessions`).

The rules live in :mod:`dashboard.accounts` (an admin cannot lock their own
account or the last active admin); this page asks for a confirmation before a
lock or an unlock and says what happened on the next run.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import accounts
from dashboard.auth import Role
from dashboard.core.errors import DashboardError
from dashboard.ui import cache, session
from dashboard.ui.components import sessions
from dashboard.ui.errors import show_error
from dashboard.ui.markdown import escape
from dashboard.ui.session import t

FLASH = "users_flash"


def _table() -> list:
    with cache.context().sessions() as db:
        users = accounts.list_users(db, session.principal())
    frame = pd.DataFrame(
        [
            {
                t("col.username"): u.username,
                t("col.name"): u.display_name,
                t("col.role"): t("role." + u.role),
                t("col.scope"): u.commune_code or u.province_codes or "—",
                t("col.status"): t("users.disabled")
                if u.disabled
                else t("users.active"),
                t("users.col.demo"): t("users.yes") if u.is_demo else "",
            }
            for u in users
        ]
    )
    st.dataframe(frame, hide_index=True)
    return users


def _add_form() -> None:
    with st.form("add_user", clear_on_submit=False):
        username = st.text_input(t("col.username"), max_chars=64)
        name = st.text_input(
            t("col.name"),
            max_chars=accounts.MAX_DISPLAY_NAME,
            help=t("users.name_help", limit=accounts.MAX_DISPLAY_NAME),
        )
        role = st.selectbox(
            t("col.role"),
            [r.value for r in Role],
            format_func=lambda r: t("role." + r),
            placeholder=t("ui.choose"),
        )
        provinces = st.text_input(t("users.provinces_hint"))
        commune = st.text_input(t("users.commune_hint"))
        password = st.text_input(
            t("signin.password"),
            type="password",
            help=t("users.password_help", limit=accounts.MIN_PASSWORD_LENGTH),
        )
        if not st.form_submit_button(t("users.add"), type="primary"):
            return
    new = accounts.NewUser(
        username=username.strip().lower(),
        display_name=name,
        password=password,
        role=Role(role),
        province_codes=frozenset(c.strip() for c in provinces.split(",") if c.strip()),
        commune_code=commune.strip() or None,
    )
    try:
        with cache.context().transaction() as db:
            accounts.create_account(db, session.principal(), new)
    except DashboardError as exc:
        show_error(exc)
        return
    st.success(t("users.created", username=escape(new.username)))


def _change(action: str, username: str) -> None:
    """Lock or unlock *username* after the confirmation; flash the result."""
    change = accounts.lock_account if action == "lock" else accounts.unlock_account
    try:
        with cache.context().transaction() as db:
            change(db, session.principal(), username)
    except DashboardError as exc:
        show_error(exc)
        return
    st.session_state[FLASH] = t(f"users.{action}ed", username=username)
    st.session_state.pop(f"users_{action}_who", None)
    st.rerun()


def _lock_or_unlock(action: str, candidates: list[str]) -> None:
    st.subheader(t(f"users.{action}"))
    if not candidates:
        st.caption(t(f"users.{action}_none"))
        return
    username = st.selectbox(
        t(f"users.{action}_who"),
        candidates,
        index=None,  # never a default: the admin names the account
        key=f"users_{action}_who",
        placeholder=t("ui.choose"),
    )
    if username is None:
        return
    sure = st.checkbox(
        t(f"users.{action}_confirm", username=escape(username)),
        key=f"users_{action}_sure_{username}",
    )
    if st.button(
        t(f"users.{action}"),
        key=f"users_{action}_button",
        disabled=not sure,
        type="primary" if action == "unlock" else "secondary",
    ):
        _change(action, username)


def render() -> None:
    st.title(t("page.users"))
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(flash, icon=":material/check_circle:")
    users = _table()
    me = session.principal().username
    left, right = st.columns(2)
    with left:
        st.subheader(t("users.add"))
        _add_form()
    with right:
        # One's own account is not offered: the service refuses it anyway.
        _lock_or_unlock(
            "lock", [u.username for u in users if not u.disabled and u.username != me]
        )
        _lock_or_unlock("unlock", [u.username for u in users if u.disabled])
    sessions.render(session.principal())


if __name__ == "__main__":  # run as a page by st.navigation
    render()
