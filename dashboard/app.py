"""Streamlit entrypoint: config, sign-in, language, role → pages.

Run with ``dashboard run``; the pages live in :mod:`dashboard.ui.views`.
"""

import streamlit as st

from dashboard.core.errors import Forbidden
from dashboard.ui import session
from dashboard.ui.components import banner, drafts, feedback_badge, phone, sidebar
from dashboard.ui.navigation import pages_for

st.set_page_config(page_title="Sẵn sàng ứng phó bão", page_icon="🌀", layout="wide")
phone.inject_css()  # touch targets, text size, no overflow at 360 px
session.restore()
# The feedback count is in the menu and in the sidebar: one query per run.
feedback_count = feedback_badge.badge_count(session.principal())
sidebar.render(feedback_count)
page = st.navigation(pages_for(session.principal(), feedback_count))
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
