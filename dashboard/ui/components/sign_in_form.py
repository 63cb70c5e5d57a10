"""Page: sign in."""

from __future__ import annotations

import streamlit as st

from dashboard.ui import session
from dashboard.ui.session import t


def render() -> None:
    st.title(t("page.sign_in"))
    with st.form("sign_in_form", enter_to_submit=True):
        username = st.text_input(t("signin.username"), key="signin_username")
        password = st.text_input(
            t("signin.password"), type="password", key="signin_password"
        )
        submitted = st.form_submit_button(t("signin.submit"), type="primary")
    if submitted:
        error = session.sign_in(username, password)
        if error:
            st.error(t(error))
        else:
            st.rerun()


if __name__ == "__main__":  # run as a page by st.navigation
    render()
