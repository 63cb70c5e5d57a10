"""Page (admin): accounts — list, add, disable."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import accounts
from dashboard.auth import Forbidden, Role
from dashboard.ui import cache, session
from dashboard.ui.session import t


def _table() -> list[str]:
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
                "demo": u.is_demo,
            }
            for u in users
        ]
    )
    st.dataframe(frame, hide_index=True)
    return [u.username for u in users if not u.disabled]


def _add_form() -> None:
    with st.form("add_user", clear_on_submit=False):
        username = st.text_input(t("col.username"))
        name = st.text_input(t("col.name"))
        role = st.selectbox(
            t("col.role"),
            [r.value for r in Role],
            format_func=lambda r: t("role." + r),
            placeholder=t("ui.choose"),
        )
        provinces = st.text_input(t("users.provinces_hint"))
        commune = st.text_input(t("users.commune_hint"))
        password = st.text_input(t("signin.password"), type="password")
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
            accounts.create_user(db, session.principal(), new)
    except (ValueError, Forbidden) as exc:
        st.error(t("form.error", reason=str(exc)))
        return
    st.success(t("users.created", username=new.username))


def _disable(active: list[str]) -> None:
    if not active:
        return
    username = st.selectbox(
        t("users.disable_who"), active, key="disable_who", placeholder=t("ui.choose")
    )
    if st.button(t("users.disable"), key="disable_button"):
        try:
            with cache.context().transaction() as db:
                accounts.set_disabled(db, session.principal(), username, True)
        except (ValueError, Forbidden) as exc:
            st.error(t("form.error", reason=str(exc)))
            return
        st.rerun()


def render() -> None:
    st.title(t("page.users"))
    active = _table()
    left, right = st.columns(2)
    with left:
        st.subheader(t("users.add"))
        _add_form()
    with right:
        st.subheader(t("users.disable"))
        _disable(active)


if __name__ == "__main__":  # run as a page by st.navigation
    render()
