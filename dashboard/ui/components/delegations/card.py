"""One delegation: header, leader and manager actions, arrivals, task
verification, follow-ups and documents. In phone mode the delegation is one
card without tables (:mod:`.visit_card`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import streamlit as st

from dashboard import delegations as dlg
from dashboard import registry, scenario
from dashboard.auth import Principal, Role
from dashboard.core.clock import Clock
from dashboard.delegations.text import assignment_sheet, zalo_text
from dashboard.ui import cache, session
from dashboard.ui.components import drafts, phone
from dashboard.ui.components.delegations import visit_card

# --------------------------------------------------------------------------
# One delegation
from dashboard.ui.components.delegations.common import (
    _datetime_inputs,
    _now,
    _run,
    _status,
)
from dashboard.ui.format import local_time, when
from dashboard.ui.markdown import escape
from dashboard.ui.session import t


def _summary_table(views: list[dlg.DelegationView]) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                t("dlg.col.name"): [v.name for v in views],
                t("dlg.col.leader"): [v.leader_name for v in views],
                t("col.status"): [_status(v.status) for v in views],
                t("dlg.col.departure"): [
                    local_time(v.planned_departure_utc) for v in views
                ],
                t("dlg.col.arrival"): [
                    local_time(v.planned_arrival_utc) for v in views
                ],
                t("dlg.col.communes"): [
                    ", ".join(c.commune_name for c in v.communes) for v in views
                ],
            }
        ),
        hide_index=True,
        key="dlg_list_table",
    )


def _header(
    v: dlg.DelegationView, etas: dict[str, datetime | None], clock: Clock
) -> None:
    visit_card.summary(v)
    st.dataframe(
        pd.DataFrame(
            {
                t("col.commune"): [c.commune_name for c in v.communes],
                t("dlg.col.arrival"): [
                    local_time(c.planned_arrival_utc) for c in v.communes
                ],
                t("col.eta6"): [
                    when(etas.get(c.commune_code), clock) for c in v.communes
                ],
                t("dlg.col.confirmed"): [
                    f"{c.confirmed_by} · {local_time(c.confirmed_at)}"
                    if c.confirmed_at
                    else "—"
                    for c in v.communes
                ],
            }
        ),
        hide_index=True,
        key=f"dlg_stops_{v.id}",
    )
    if v.members:
        st.dataframe(
            pd.DataFrame(
                {
                    t("dlg.col.member"): [m.name for m in v.members],
                    t("dlg.col.role"): [m.role for m in v.members],
                    t("dlg.col.phone"): [m.phone for m in v.members],
                }
            ),
            hide_index=True,
            key=f"dlg_members_{v.id}",
        )
    for label, body in (
        ("dlg.form.instructions", v.instructions),
        ("dlg.form.equipment", v.equipment),
        ("dlg.form.location", v.reporting_location),
    ):
        if body:
            st.markdown(f"**{t(label)}:** {escape(body)}")


def _leader_actions(
    p: Principal, v: dlg.DelegationView, sc: scenario.Scenario, stacked: bool = False
) -> None:
    if not (p.role is Role.ADMIN or p.username == v.leader_username):
        if v.status in ("planned", "en_route", "on_site"):
            st.caption(t("dlg.leader_only", leader=escape(v.leader_name)))
        return
    # On a phone card: one full-width button under the other.
    cols = [st.container() for _ in range(3)] if stacked else st.columns(3)
    width = "stretch" if stacked else "content"
    if v.status == "planned" and cols[0].button(
        t("dlg.action.depart"), key=f"dlg_depart_{v.id}", width=width
    ):
        _run(
            lambda db: dlg.depart(db, p, v.id, v.version, clock=_now(sc)),
            "dlg.done.depart",
        )
    if v.status in ("planned", "en_route") and cols[1].button(
        t("dlg.action.check_in"),
        key=f"dlg_check_in_{v.id}",
        type="primary",
        width=width,
    ):
        _run(
            lambda db: dlg.check_in(db, p, v.id, v.version, clock=_now(sc)),
            "dlg.done.check_in",
        )
    if v.status == "on_site" and cols[2].button(
        t("dlg.action.check_out"),
        key=f"dlg_check_out_{v.id}",
        type="primary",
        width=width,
    ):
        _run(
            lambda db: dlg.check_out(db, p, v.id, v.version, clock=_now(sc)),
            "dlg.done.check_out",
        )


def _manager_actions(
    p: Principal, v: dlg.DelegationView, sc: scenario.Scenario
) -> None:
    if v.status in ("on_site", "returned"):
        with st.form(f"dlg_findings_{v.id}"):
            findings = st.text_area(
                t("dlg.findings"), value=v.findings, key=f"dlg_findings_text_{v.id}"
            )
            drafts.keep(f"dlg_findings_text_{v.id}")
            drafts.form(
                f"dlg_findings_text_{v.id}",
                send=f"dlg_findings_send_{v.id}",
                names=(f"dlg_findings_text_{v.id}",),
                resend="always",  # the text is all the form holds
            )
            if st.form_submit_button(
                t("dlg.findings.save"), key=f"dlg_findings_send_{v.id}"
            ):
                _run(
                    lambda db: dlg.record_findings(
                        db, p, v.id, v.version, findings, clock=_now(sc)
                    ),
                    "dlg.done.findings",
                    (f"dlg_findings_text_{v.id}",),
                )
    if v.status in ("planned", "en_route"):
        _edit_arrivals(p, v, sc)
        with st.expander(t("dlg.cancel"), icon=":material/cancel:"):
            with st.form(f"dlg_cancel_{v.id}"):
                reason = st.text_input(
                    t("dlg.cancel.reason"), key=f"dlg_cancel_reason_{v.id}"
                )
                if st.form_submit_button(t("dlg.cancel.submit")):
                    _run(
                        lambda db: dlg.cancel_delegation(
                            db, p, v.id, v.version, reason, clock=_now(sc)
                        ),
                        "dlg.done.cancel",
                    )


def _edit_arrivals(p: Principal, v: dlg.DelegationView, sc: scenario.Scenario) -> None:
    """Change the planned arrival at each commune (the rest of the draft is kept)."""
    with (
        st.expander(t("dlg.edit.arrivals"), icon=":material/schedule:"),
        st.form(f"dlg_arrivals_{v.id}"),
    ):
        times = {
            c.commune_code: _datetime_inputs(
                c.commune_name,
                c.planned_arrival_utc,
                f"dlg_arr_{v.id}_{c.commune_code}",
            )
            for c in v.communes
        }
        if not st.form_submit_button(t("dlg.edit.submit")):
            return
    draft = dlg.DelegationDraft(
        name=v.name,
        leader_username=v.leader_username,
        leader_phone=v.leader_phone,
        planned_departure_utc=v.planned_departure_utc,
        planned_arrival_utc=v.planned_arrival_utc,
        planned_return_utc=v.planned_return_utc,
        communes=[dlg.StopInput(code, when) for code, when in times.items()],
        members=[dlg.MemberInput(m.name, m.role, m.phone) for m in v.members],
        instructions=v.instructions,
        equipment=v.equipment,
        reporting_location=v.reporting_location,
    )
    _run(
        lambda db: dlg.update_delegation(db, p, v.id, v.version, draft, clock=_now(sc)),
        "dlg.done.update",
    )


def _verification(p: Principal, v: dlg.DelegationView, sc: scenario.Scenario) -> None:
    st.subheader(t("dlg.verify.title"))
    if v.status not in ("on_site", "returned"):
        st.caption(t("dlg.verify.check_in_first"))
        return
    codes = list(v.commune_codes)
    commune = st.selectbox(
        t("col.commune"),
        codes,
        format_func=registry.commune_name,
        key=f"dlg_verify_commune_{v.id}",
        placeholder=t("ui.choose"),
    )
    with cache.context().sessions() as db:
        tasks = dlg.tasks_to_verify(db, p, v.id, commune)
    if not tasks:
        st.caption(t("dlg.verify.no_plan"))
        return
    title = "title_vi" if session.lang() == "vi" else "title_en"
    st.dataframe(
        pd.DataFrame(
            {
                t("dlg.col.task"): [getattr(task, title) for task in tasks],
                t("dlg.col.commune_status"): [
                    t(f"dlg.task_status.{task.status}") for task in tasks
                ],
                t("dlg.col.verification"): [
                    t(f"dlg.result.{task.verification.result}")
                    if task.verification
                    else "—"
                    for task in tasks
                ],
                t("dlg.col.note"): [
                    task.verification.note if task.verification else ""
                    for task in tasks
                ],
            }
        ),
        hide_index=True,
        key=f"dlg_tasks_{v.id}",
    )
    by_id = {task.id: task for task in tasks}
    with st.form(f"dlg_verify_{v.id}"):
        task_id = st.selectbox(
            t("dlg.col.task"),
            list(by_id),
            format_func=lambda i: getattr(by_id[i], title),
            key=f"dlg_verify_task_{v.id}",
            placeholder=t("ui.choose"),
        )
        result = st.radio(
            t("dlg.col.verification"),
            ["verified", "problem_found"],
            format_func=lambda r: t(f"dlg.result.{r}"),
            horizontal=True,
            key=f"dlg_verify_result_{v.id}",
        )
        note = st.text_input(t("dlg.col.note"), key=f"dlg_verify_note_{v.id}")
        if st.form_submit_button(t("dlg.verify.submit")):
            _run(
                lambda db: dlg.verify_task(
                    db, p, v.id, task_id, result, note, clock=_now(sc)
                ),
                "dlg.done.verify",
            )


def _followup_list(
    p: Principal,
    items: list[dlg.FollowUpView],
    clock: Clock,
    sc: scenario.Scenario,
    key: str,
) -> None:
    if not items:
        st.caption(t("dlg.followups.none"))
        return
    for item in items:
        cols = st.columns([5, 1])
        text = t(
            "dlg.followup.line",
            commune=escape(item.commune_name),
            text=escape(item.text),
            owner=escape(item.owner),
            due=when(item.due_utc, clock),
            status=t(f"dlg.followup.{item.status}"),
        )
        cols[0].markdown(
            f":red[{text}]" if item.status == "open" and item.due_utc < clock else text
        )
        if item.status == "open" and cols[1].button(
            t("dlg.followup.done"), key=f"{key}_{item.id}"
        ):
            _run(
                lambda db, item=item: dlg.set_followup_status(
                    db, p, item.id, item.version, "done", clock=_now(sc)
                ),
                "dlg.done.followup",
            )


def _followups(p: Principal, v: dlg.DelegationView, sc: scenario.Scenario) -> None:
    st.subheader(t("dlg.followups"))
    with cache.context().sessions() as db:
        items = dlg.followups(db, p, v.id)
    _followup_list(p, items, sc.clock_utc, sc, f"dlg_fu_done_{v.id}")
    if v.status == "cancelled":
        return
    with st.form(f"dlg_followup_{v.id}", clear_on_submit=True):
        commune = st.selectbox(
            t("col.commune"),
            list(v.commune_codes),
            format_func=registry.commune_name,
            key=f"dlg_fu_commune_{v.id}",
            placeholder=t("ui.choose"),
        )
        text = st.text_area(t("dlg.followup.text"), key=f"dlg_fu_text_{v.id}")
        owner = st.text_input(t("dlg.followup.owner"), key=f"dlg_fu_owner_{v.id}")
        due = _datetime_inputs(
            t("dlg.followup.due"),
            sc.clock_utc + timedelta(hours=6),
            f"dlg_fu_due_{v.id}",
        )
        client_key = drafts.key_input(f"{drafts.KEY_PREFIX}dlg_fu_{v.id}")
        if st.form_submit_button(t("dlg.followup.submit"), key=f"dlg_fu_send_{v.id}"):
            _run(
                lambda db: dlg.raise_followup(
                    db,
                    p,
                    v.id,
                    commune,
                    text,
                    owner,
                    due,
                    clock=_now(sc),
                    client_key=client_key,
                ),
                "dlg.done.followup_raised",
                (f"dlg_fu_text_{v.id}", f"dlg_fu_{v.id}"),
            )
    drafts.keep(f"dlg_fu_text_{v.id}")
    drafts.form(
        f"dlg_fu_{v.id}",
        send=f"dlg_fu_send_{v.id}",
        names=(f"dlg_fu_text_{v.id}",),
        key_input=f"{drafts.KEY_PREFIX}dlg_fu_{v.id}",
        resend="never",  # the submit empties commune, owner and due time
    )


def _documents(
    v: dlg.DelegationView,
    etas: dict[str, datetime | None],
    event_name: str,
    sc: scenario.Scenario,
) -> None:
    st.subheader(t("dlg.zalo"))
    st.caption(t("dlg.zalo.hint"))
    st.code(zalo_text(v, etas), language=None, wrap_lines=True)
    province = (
        registry.provinces()
        .set_index("province_code")["province_name"]
        .get(v.province_code, "")
    )
    st.download_button(
        t("dlg.pdf"),
        data=assignment_sheet(v, etas, province, event_name, printed_at=_now(sc)),
        file_name=f"doan-cong-tac-{v.id}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        key=f"dlg_pdf_{v.id}",
    )


def _list(
    p: Principal,
    event_id: int,
    province: str,
    etas: dict[str, datetime | None],
    event_name: str,
    sc: scenario.Scenario,
) -> None:
    with cache.context().sessions() as db:
        views = dlg.list_delegations(db, p, province, event_id)
    if not views:
        st.info(t("dlg.list.none"))
        return
    cards = phone.phone_mode()
    if cards:
        views = visit_card.leader_first(views, p.username)
    else:
        _summary_table(views)
    by_id = {v.id: v for v in views}
    chosen = st.selectbox(
        t("dlg.list.pick"),
        list(by_id),
        format_func=lambda i: (
            f"{by_id[i].name} · {local_time(by_id[i].planned_departure_utc)}"
        ),
        key="dlg_pick",
        placeholder=t("ui.choose"),
    )
    v = by_id[chosen]
    if cards:
        with st.container(border=True, key="dlg_visit_card"):
            visit_card.header(v, etas, sc.clock_utc)
            _leader_actions(p, v, sc, stacked=True)
            visit_card.verification(p, v, sc)
            _manager_actions(p, v, sc)
    else:
        with st.container(border=True, key="dlg_detail"):
            _header(v, etas, sc.clock_utc)
            _leader_actions(p, v, sc)
            _manager_actions(p, v, sc)
        _verification(p, v, sc)
    _followups(p, v, sc)
    _documents(v, etas, event_name, sc)
