"""The delegation leader's visit as one card, for a phone (no tables).

In phone mode (:mod:`dashboard.ui.components.phone`) the list of delegations
puts the user's own active delegation first and shows the chosen one as a
single card: its status and times, each commune with the planned arrival
and the arrival of level-6 winds, the leader's large buttons (depart, check
in, check out), the commune's plan tasks to verify, each a small card with
"Đạt" and "Có vấn đề" (which asks what is wrong), and the findings form
(the same as on a desktop). The services decide who may do what.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import streamlit as st

from dashboard import delegations as dlg
from dashboard import registry, scenario
from dashboard.auth import Principal
from dashboard.core.clock import Clock
from dashboard.delegations.rules import ACTIVE_STATUSES
from dashboard.ui import cache, session
from dashboard.ui.components import drafts
from dashboard.ui.components.delegations.common import _now, _run, _status
from dashboard.ui.format import local_time, when
from dashboard.ui.markdown import escape
from dashboard.ui.session import t

PROBLEM = "dlg.card.problem_open"  # (delegation id, task id) whose form is open
#: Material icons (Streamlit's own font: they show without an emoji font).
RESULT_ICONS = {
    None: ":material/radio_button_unchecked:",
    "verified": ":material/check_circle:",
    "problem_found": ":material/warning:",
}


def leader_first(
    views: Sequence[dlg.DelegationView], username: str
) -> list[dlg.DelegationView]:
    """The delegations with *username*'s own active ones first (the visit a
    leader has to check in on), otherwise in the order given."""
    return sorted(
        views,
        key=lambda v: (
            not (v.leader_username == username and v.status in ACTIVE_STATUSES)
        ),
    )


def verification_counts(tasks: Sequence[dlg.PlanTaskInfo]) -> tuple[int, int, int]:
    """(tasks checked, tasks, problems found) of one commune's plan."""
    checked = [x for x in tasks if x.verification is not None]
    problems = [x for x in checked if x.verification.result == "problem_found"]
    return len(checked), len(tasks), len(problems)


def summary(v: dlg.DelegationView) -> None:
    """Name, status, leader, planned times, check-in/out and a cancellation:
    the top of a delegation on the phone card and on the desktop detail."""
    st.markdown(
        t(
            "dlg.detail.head",
            name=escape(v.name),
            status=_status(v.status),
            leader=escape(v.leader_name),
            phone=escape(v.leader_phone),
        )
    )
    st.caption(
        t(
            "dlg.detail.times",
            departure=local_time(v.planned_departure_utc),
            arrival=local_time(v.planned_arrival_utc),
            ret=local_time(v.planned_return_utc),
        )
    )
    if v.checked_in_at:
        st.caption(t("dlg.detail.checked_in", time=local_time(v.checked_in_at)))
    if v.checked_out_at:
        st.caption(t("dlg.detail.checked_out", time=local_time(v.checked_out_at)))
    if v.status == "cancelled":
        st.warning(t("dlg.detail.cancelled", reason=escape(v.cancel_reason)))


def header(
    v: dlg.DelegationView, etas: dict[str, datetime | None], clock: Clock
) -> None:
    """Status, leader, times, each commune of the visit and the team."""
    summary(v)
    for c in v.communes:
        with st.container(border=True, key=f"dlg_card_stop_{v.id}_{c.commune_code}"):
            st.markdown(
                f"**{escape(c.commune_name)}**  \n"
                + t("dlg.card.arrival", time=when(c.planned_arrival_utc, clock))
                + "  \n"
                + t("dlg.card.eta6", time=when(etas.get(c.commune_code), clock))
            )
            st.caption(
                t(
                    "dlg.commune.confirmed",
                    who=escape(c.confirmed_by or ""),
                    time=local_time(c.confirmed_at),
                )
                if c.confirmed_at
                else t("dlg.card.not_confirmed")
            )
    if v.members:
        st.markdown(
            f"**{t('dlg.col.member')}:**  \n"
            + "  \n".join(
                f"{escape(m.name)} · {escape(m.role)} · {escape(m.phone)}"
                for m in v.members
            )
        )
    for label, body in (
        ("dlg.form.instructions", v.instructions),
        ("dlg.form.equipment", v.equipment),
        ("dlg.form.location", v.reporting_location),
    ):
        if body:
            st.markdown(f"**{t(label)}:** {escape(body)}")


def _open_problem(delegation_id: int, task_id: int) -> None:
    st.session_state[PROBLEM] = (delegation_id, task_id)


def _problem_form(
    p: Principal, v: dlg.DelegationView, task: dlg.PlanTaskInfo, sc: scenario.Scenario
) -> None:
    """What is wrong with *task* (a note is required), then "Gửi"."""
    key = f"dlg_problem_note_{v.id}_{task.id}"
    with st.form(f"dlg_problem_form_{v.id}_{task.id}", border=False):
        note = st.text_area(
            t("dlg.card.problem_note"),
            value=task.verification.note if task.verification else "",
            key=key,
        )
        left, right = st.columns(2)
        sent = left.form_submit_button(
            t("field.save"), type="primary", icon=":material/send:", width="stretch"
        )
        cancelled = right.form_submit_button(t("field.cancel"), width="stretch")
    drafts.keep(key)
    if cancelled:
        st.session_state.pop(PROBLEM, None)
        st.rerun()
    if sent:
        st.session_state.pop(PROBLEM, None)  # closed once stored (_run reruns)
        if not _run(
            lambda db: dlg.verify_task(
                db, p, v.id, task.id, "problem_found", note, clock=_now(sc)
            ),
            "dlg.done.verify",
            (key,),
        ):
            _open_problem(v.id, task.id)  # refused: keep the form and the text


def verification(p: Principal, v: dlg.DelegationView, sc: scenario.Scenario) -> None:
    """The commune's plan tasks as small cards with the verification buttons."""
    st.markdown(f"**{t('dlg.verify.title')}**")
    if v.status not in ("on_site", "returned"):
        st.caption(t("dlg.verify.check_in_first"))
        return
    codes = list(v.commune_codes)
    commune = (
        codes[0]
        if len(codes) == 1
        else st.selectbox(
            t("col.commune"),
            codes,
            format_func=registry.commune_name,
            key=f"dlg_verify_commune_{v.id}",
            placeholder=t("ui.choose"),
        )
    )
    with cache.context().sessions() as db:
        tasks = dlg.tasks_to_verify(db, p, v.id, commune)
    if not tasks:
        st.caption(t("dlg.verify.no_plan"))
        return
    counts = zip(
        ("checked", "total", "problems"), verification_counts(tasks), strict=True
    )
    st.caption(t("dlg.card.progress", **{k: escape(n) for k, n in counts}))
    may_verify = dlg.can_manage(p, v.province_code)
    opened = st.session_state.get(PROBLEM)
    lang = session.lang()
    for task in tasks:
        result = task.verification.result if task.verification else None
        with st.container(border=True, key=f"dlg_vtask_{task.id}"):
            st.markdown(
                f"**{escape(task.title_vi if lang == 'vi' else task.title_en)}**"
            )
            line = t(
                "dlg.card.commune_says", status=t(f"dlg.task_status.{task.status}")
            )
            line += f" · {RESULT_ICONS[result]} " + (
                t(f"dlg.result.{result}") if result else t("dlg.card.not_checked")
            )
            st.markdown(line)
            if task.verification and task.verification.note:
                st.caption(escape(task.verification.note))
            if not may_verify:
                continue
            if opened == (v.id, task.id):
                _problem_form(p, v, task, sc)
                continue
            cols = st.columns(2)
            if result != "verified" and cols[0].button(
                t("dlg.card.verified"),
                key=f"dlg_vok_{v.id}_{task.id}",
                type="primary",
                icon=":material/check:",
                width="stretch",
            ):
                _run(
                    lambda db, task=task: dlg.verify_task(
                        db, p, v.id, task.id, "verified", "", clock=_now(sc)
                    ),
                    "dlg.done.verify",
                )
            cols[1].button(
                t("dlg.card.problem"),
                key=f"dlg_vbad_{v.id}_{task.id}",
                icon=":material/report:",
                on_click=_open_problem,
                args=(v.id, task.id),
                width="stretch",
            )
