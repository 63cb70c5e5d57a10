"""The sign-in form, shown above the map while nobody is signed in."""

from __future__ import annotations

import streamlit as st

from dashboard.ui import session
from dashboard.ui.session import t


def render() -> None:
    with st.form("sign_in_form", enter_to_submit=True, border=True):
        st.markdown(f"**{t('signin.title')}**")
        left, right = st.columns(2)
        username = left.text_input(t("signin.username"), key="signin_username")
        password = right.text_input(
            t("signin.password"), type="password", key="signin_password"
        )
        submitted = st.form_submit_button(t("signin.submit"), type="primary")
    if submitted:
        error = session.sign_in(username, password)
        if error:
            st.error(t(error))
        else:
            st.rerun()
