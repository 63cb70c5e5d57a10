"""The coverage view: exposed communes, who covers them, and the warnings."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from dashboard import delegations as dlg
from dashboard import registry
from dashboard.auth import Principal
from dashboard.core.clock import Clock
from dashboard.ui import cache

# --------------------------------------------------------------------------
# Coverage
from dashboard.ui.components.delegations.common import RED, _exposed
from dashboard.ui.format import local_time, when
from dashboard.ui.markdown import escape
from dashboard.ui.session import t


def _warning_text(w: dlg.CoverageWarning) -> str:
    params = dict(w.params)
    if w.kind == "into_storm":
        params["commune"] = registry.commune_name(w.commune_code or "")
        params["arrival"] = local_time(params["arrival"])
        params["eta"] = local_time(params["eta"])
    if w.kind == "uncovered":
        params["risk"] = t(f"risk.{params['risk']}")
    return t(f"dlg.warn.{w.kind}", **{k: escape(v) for k, v in params.items()})


def _coverage(
    p: Principal, event_id: int, province: str, table: pd.DataFrame, clock: Clock
) -> None:
    min_risk = st.selectbox(
        t("dlg.cov.min_risk"),
        [1, 2, 3, 4, 5],
        index=2,
        format_func=lambda r: t(f"risk.{r}"),
        key="dlg_min_risk",
        placeholder=t("ui.choose"),
    )
    exposed = _exposed(table)
    with cache.context().sessions() as db:
        warnings = dlg.coverage(db, p, event_id, province, exposed, min_risk)
        views = dlg.list_delegations(db, p, province, event_id)
    counts = {
        k: sum(w.kind == k for w in warnings)
        for k in ("uncovered", "into_storm", "leader_overlap")
    }
    if warnings:
        st.error(
            t("dlg.cov.summary", **{k: escape(n) for k, n in counts.items()}),
            icon=":material/warning:",
        )
        with st.container(height=240, key="dlg_warnings"):
            for w in warnings:
                st.markdown(f":red[{_warning_text(w)}]")
    else:
        st.success(t("dlg.cov.ok"), icon=":material/verified:")

    covering: dict[str, list[str]] = {}
    arrival: dict[str, datetime] = {}
    for v in views:
        if v.status == "cancelled":
            continue
        for c in v.communes:
            covering.setdefault(c.commune_code, []).append(v.name)
            first = arrival.get(c.commune_code)
            arrival[c.commune_code] = (
                min(first, c.planned_arrival_utc) if first else c.planned_arrival_utc
            )
    flagged = {w.commune_code: _warning_text(w) for w in warnings if w.commune_code}
    rows = [
        c for c in exposed if c.risk_level >= min_risk or c.commune_code in covering
    ]
    if not rows:
        st.caption(t("dlg.cov.none"))
        return
    frame = pd.DataFrame(
        {
            t("col.commune"): [c.name for c in rows],
            t("col.risk"): [t(f"risk.{c.risk_level}") for c in rows],
            t("col.eta6"): [when(c.level6_eta_utc, clock) for c in rows],
            t("dlg.col.delegations"): [
                ", ".join(covering.get(c.commune_code, [])) or "—" for c in rows
            ],
            t("dlg.col.arrival"): [
                local_time(arrival.get(c.commune_code)) for c in rows
            ],
            t("dlg.col.warning"): [flagged.get(c.commune_code, "") for c in rows],
        }
    )
    bad = [c.commune_code in flagged for c in rows]
    styled = frame.style.apply(
        lambda row: [RED if bad[row.name] else ""] * len(row), axis=1
    )
    st.dataframe(styled, hide_index=True, key="dlg_coverage_table")
