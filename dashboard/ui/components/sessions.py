"""The admins' sessions panel: who is signed in where, and "end session".

Shown to real (non-demo) admins only; the lead wires it into the users page
(``sessions.render(principal)``). Ending a session signs its tab out at that
tab's next action (see :func:`dashboard.auth.require_active`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import accounts
from dashboard.auth import Principal, Role
from dashboard.core.errors import DashboardError
from dashboard.ui import cache
from dashboard.ui.errors import show_error
from dashboard.ui.format import local_time
from dashboard.ui.session import t


def render(p: Principal | None) -> None:
    if p is None or p.role is not Role.ADMIN or p.is_demo:
        return
    ctx = cache.context()
    st.subheader(t("sessions.title"))
    try:
        with ctx.sessions() as db:
            found = accounts.list_sessions(db, p)
    except DashboardError as exc:
        show_error(exc)
        return
    if not found:
        st.info(t("sessions.none"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                "id": [a.short_id for a in found],
                t("sessions.user"): [a.username for a in found],
                t("sessions.client"): [a.client for a in found],
                t("sessions.created"): [local_time(a.created_at) for a in found],
                t("sessions.last_seen"): [local_time(a.last_seen_at) for a in found],
                t("sessions.expires"): [local_time(a.expires_at) for a in found],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    by_label = {f"{a.short_id} · {a.username} · {a.client}": a for a in found}
    with st.form("sessions_revoke"):
        label = st.selectbox(t("sessions.pick"), list(by_label))
        sent = st.form_submit_button(t("sessions.revoke"))
    if sent and label in by_label:
        try:
            with ctx.transaction() as db:
                accounts.revoke_session(db, p, by_label[label].session_id)
        except DashboardError as exc:
            show_error(exc)
            return
        st.success(t("sessions.revoked"))
