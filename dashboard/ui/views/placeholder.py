"""Shared body of pages whose feature comes in a later release."""

from __future__ import annotations

import streamlit as st

from dashboard.ui.session import t


def render(title_key: str, body_key: str) -> None:
    st.title(t(title_key))
    st.info(t(body_key), icon=":material/construction:")
