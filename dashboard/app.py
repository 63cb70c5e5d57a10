"""Streamlit entrypoint: config, sign-in, language, role → pages.

Run with ``dashboard run``; the pages live in :mod:`dashboard.ui.views`.
"""

import streamlit as st

from dashboard.core.errors import Forbidden
from dashboard.ui import session
from dashboard.ui.components import banner, drafts, phone, sidebar
from dashboard.ui.navigation import pages_for

st.set_page_config(page_title="Sẵn sàng ứng phó bão", page_icon="🌀", layout="wide")
phone.inject_css()  # touch targets, text size, no overflow at 360 px
session.restore()
sidebar.render()
page = st.navigation(pages_for(session.principal()))
banner.render()
session.sync_cookie()
try:
    page.run()
except Forbidden as exc:
    if exc.key != "errors.signed_out":
        raise
    session.drop_revoked()  # disabled, changed or revoked meanwhile
    st.rerun()
drafts.render()  # drafts kept in the browser until the server stores them
