"""One tap to copy a page's state as plain text, for Zalo or SMS.

The text (built by a domain function, under 1,000 characters) sits in a code
block whose copy button is Streamlit's own: one tap, no script of ours, and
the text stays readable for copying by hand where the clipboard is blocked.
"""

from __future__ import annotations

import streamlit as st

from dashboard.ui.session import t


def render(text: str, key: str) -> None:
    with st.expander(t("field.copy_text"), icon=":material/sms:"):
        with st.container(key=f"copy_{key}"):
            st.code(text, language=None, wrap_lines=True)
        st.caption(t("field.copy_text_help", count=len(text)))
