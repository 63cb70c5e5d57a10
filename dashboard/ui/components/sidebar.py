"""Sidebar: language switch, who is signed in, sign-out."""

from __future__ import annotations

import streamlit as st

from dashboard import registry
from dashboard.i18n import LANGUAGES
from dashboard.ui import session
from dashboard.ui.components import feedback_badge
from dashboard.ui.markdown import escape
from dashboard.ui.session import t

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def scope_label(p) -> str:
    if p.commune_code:
        row = registry.commune(p.commune_code)
        return f"{row['commune_name']}, {row['province_name']}"
    if p.province_codes:
        names = registry.provinces().set_index("province_code")["province_name"]
        return ", ".join(names[c] for c in sorted(p.province_codes))
    return t("scope.national")


#: At most this many characters of a display name in the sidebar, so an
#: account made before the limit (or a long unit name) never pushes
#: "Đăng xuất" off the screen; the users page shows the full name.
SIDEBAR_NAME = 40


def shorten(name: str, limit: int = SIDEBAR_NAME) -> str:
    name = " ".join(name.split())
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def render(feedback_count: int | None = None) -> None:
    """The sidebar; *feedback_count* is the feedback badge's number when the
    caller has it already (else it is counted here)."""
    with st.sidebar:
        st.segmented_control(
            t("language"),
            options=list(LANGUAGES),
            format_func=LANGUAGE_NAMES.get,
            key=session.LANG_KEY,
            default=session.lang(),
            required=True,
        )
        # Kept in the URL so a reload (or a bookmark) keeps the language.
        if st.query_params.get(session.LANG_KEY) != session.lang():
            st.query_params[session.LANG_KEY] = session.lang()
        p = session.principal()
        if p is None:
            return
        with st.container(border=True, key="user_badge"):
            st.markdown(f"**{escape(shorten(p.display_name))}**")
            st.caption(f"{t('role.' + p.role.value)} · {escape(scope_label(p))}")
            if p.is_demo:
                st.caption(t("demo.account"))
            feedback_badge.render(p, feedback_count)
            st.button(t("sign_out"), key="sign_out", on_click=session.sign_out)
