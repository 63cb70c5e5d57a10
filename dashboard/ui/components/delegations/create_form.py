"""The form that creates a delegation."""

from __future__ import annotations

import re
from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard import delegations as dlg
from dashboard import scenario
from dashboard.auth import Principal
from dashboard.ui import cache

# --------------------------------------------------------------------------
# Create
from dashboard.ui.components.delegations.common import _datetime_inputs, _now, _run
from dashboard.ui.session import t


def _parse_members(text: str) -> list[dlg.MemberInput]:
    members = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in re.split(r"[;|\t]", line)]
        if len(parts) == 2:
            parts = [parts[0], "", parts[1]]
        parts += [""] * (3 - len(parts))
        members.append(dlg.MemberInput(parts[0], parts[1], parts[2]))
    return members


def _create_form(
    p: Principal,
    event_id: int,
    province: str,
    table: pd.DataFrame,
    sc: scenario.Scenario,
) -> None:
    with cache.context().sessions() as db:
        leaders = dlg.leader_candidates(db, p, province)
    if not leaders:
        st.warning(t("dlg.form.no_leaders"))
        return
    names = dict(leaders)
    ordered = table.sort_values(["risk_level", "commune_name"], ascending=[False, True])
    options = list(ordered["commune_code"])
    labels = {
        code: f"{name} ({t(f'risk.{int(risk)}')})" if risk else name
        for code, name, risk in zip(
            ordered["commune_code"],
            ordered["commune_name"],
            ordered["risk_level"],
            strict=True,
        )
    }
    start = sc.clock_utc.replace(minute=0, second=0, microsecond=0)
    with st.form("dlg_create", clear_on_submit=False):
        name = st.text_input(t("dlg.form.name"), key="dlg_new_name")
        left, right = st.columns(2)
        usernames = list(names)
        leader = left.selectbox(
            t("dlg.form.leader"),
            usernames,
            index=usernames.index(p.username) if p.username in usernames else 0,
            format_func=lambda u: f"{names[u]} ({u})",
            key="dlg_new_leader",
            placeholder=t("ui.choose"),
        )
        leader_phone = right.text_input(
            t("dlg.form.leader_phone"), key="dlg_new_leader_phone"
        )
        communes = st.multiselect(
            t("dlg.form.communes"),
            options,
            format_func=labels.get,
            key="dlg_new_communes",
            placeholder=t("ui.choose_many"),
        )
        departure = _datetime_inputs(
            t("dlg.form.departure"), start + timedelta(hours=1), "dlg_new_dep"
        )
        arrival = _datetime_inputs(
            t("dlg.form.arrival"), start + timedelta(hours=3), "dlg_new_arr"
        )
        ret = _datetime_inputs(
            t("dlg.form.return"), start + timedelta(hours=9), "dlg_new_ret"
        )
        members = st.text_area(
            t("dlg.form.members"),
            placeholder=t("dlg.form.members_hint"),
            key="dlg_new_members",
        )
        location = st.text_input(t("dlg.form.location"), key="dlg_new_location")
        instructions = st.text_area(
            t("dlg.form.instructions"), key="dlg_new_instructions"
        )
        equipment = st.text_area(t("dlg.form.equipment"), key="dlg_new_equipment")
        submitted = st.form_submit_button(t("dlg.form.submit"), type="primary")
    if not submitted:
        return
    draft = dlg.DelegationDraft(
        name=name,
        leader_username=leader,
        leader_phone=leader_phone,
        planned_departure_utc=departure,
        planned_arrival_utc=arrival,
        planned_return_utc=ret,
        communes=[dlg.StopInput(code) for code in communes],
        members=_parse_members(members),
        instructions=instructions,
        equipment=equipment,
        reporting_location=location,
    )
    _run(
        lambda db: dlg.create_delegation(
            db, p, event_id, province, draft, clock=_now(sc)
        ),
        "dlg.created",
    )
