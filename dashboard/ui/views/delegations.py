"""Page: provincial delegations sent to key communes, tracked against the storm.

Province staff: coverage of the exposed communes (uncovered communes and
arrivals after the level-6 wind flagged in red, with the reason), the list of
delegations with check-in/out for the leader, verification of the covered
communes' plan tasks, follow-ups, the Zalo text and the PDF assignment sheet,
and a form to create a delegation. Commune leaders: who is coming and when,
and a button to confirm the visit. The services decide who may do what; this
page only hides what a role cannot do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from dashboard import delegations as dlg
from dashboard import registry, scenario, situation
from dashboard.auth import Forbidden, Principal, Role
from dashboard.core.errors import Conflict
from dashboard.core.time import VIETNAM_TZ, to_vietnam_time
from dashboard.delegations.text import assignment_sheet, zalo_text
from dashboard.forecasts import StoredForecastInfo
from dashboard.geo import layers
from dashboard.i18n import catalog
from dashboard.ui import cache, session
from dashboard.ui.format import local_time, when
from dashboard.ui.markdown import escape
from dashboard.ui.session import t

FLASH = "dlg.flash"
RED = "background-color: #ffcdd2; color: #b71c1c"
_MEMBER_FIELD = re.compile(r"^member (\d+) (name|role|phone)$")


# --------------------------------------------------------------------------
# Small helpers


def _field_label(field: str) -> str:
    match = _MEMBER_FIELD.match(field)
    if match:
        return t(f"dlg.field.member_{match.group(2)}", n=match.group(1))
    if field.startswith("arrival at "):
        return t("dlg.field.stop_arrival", commune=field.removeprefix("arrival at "))
    key = f"dlg.field.{field}"
    return t(key) if key in catalog(session.lang()) else field


def _error_text(exc: dlg.DelegationError) -> str:
    key = f"dlg.err.{exc.code}"
    if key not in catalog(session.lang()):
        return str(exc)
    params = {k: escape(v) for k, v in exc.params.items()}
    return f"{_field_label(exc.field)}: {t(key, **params)}"


def _run(action: Callable[[Session], Any], done_key: str) -> bool:
    """Run *action* in one transaction; say how it went on the next run."""
    try:
        with cache.context().transaction() as db:
            action(db)
    except dlg.DelegationError as exc:
        st.error(_error_text(exc), icon=":material/error:")
        return False
    except Conflict:
        st.warning(t("dlg.stale"), icon=":material/sync_problem:")
        return False
    except Forbidden as exc:
        st.error(escape(str(exc)), icon=":material/block:")
        return False
    st.session_state[FLASH] = t(done_key)
    st.rerun()
    return True


def _flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def _status(status: str) -> str:
    return t(f"dlg.status.{status}")


def _to_utc(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=VIETNAM_TZ).astimezone(UTC)


def _datetime_inputs(label: str, default: datetime, key: str) -> datetime:
    local = to_vietnam_time(default)
    left, right = st.columns(2)
    day = left.date_input(label, value=local.date(), key=f"{key}_date")
    clock = right.time_input(
        t("dlg.form.time"),
        value=local.time().replace(second=0, microsecond=0),
        key=f"{key}_time",
        step=timedelta(minutes=15),
    )
    return _to_utc(day, clock)


def _now(sc: scenario.Scenario) -> datetime:
    """Times recorded by actions: the drill clock in a drill, else the real time."""
    return sc.clock_utc if sc.is_drill else datetime.now(UTC)


def _commune_name(code: str) -> str:
    try:
        return str(registry.commune(code)["commune_name"])
    except KeyError:
        return code


# --------------------------------------------------------------------------
# Storm, event, exposure


def _storm(sc: scenario.Scenario) -> StoredForecastInfo | None:
    infos = scenario.shown_forecasts(cache.context(), sc)
    if len(infos) <= 1:
        return infos[0] if infos else None
    return st.selectbox(
        t("storm.choose"),
        infos,
        format_func=lambda i: f"{i.storm_name} ({i.source})",
        key="dlg_storm",
    )


def _exposure(
    info: StoredForecastInfo, sc: scenario.Scenario, province: str
) -> pd.DataFrame:
    layer = layers.current_layer(cache.context())
    table = cache.exposure(info.id, layer.version, sc.clock_utc.isoformat())
    return table[table["province_code"] == province]


def _etas(table: pd.DataFrame) -> dict[str, datetime | None]:
    return {
        code: None if pd.isna(eta) else pd.Timestamp(eta).to_pydatetime()
        for code, eta in zip(
            table["commune_code"], table["level6_eta_utc"], strict=True
        )
    }


def _exposed(table: pd.DataFrame) -> list[dlg.ExposedCommune]:
    etas = _etas(table)
    rows = situation.exposed_communes(table)
    return [
        dlg.ExposedCommune(code, int(risk), etas[code], name)
        for code, risk, name in zip(
            rows["commune_code"], rows["risk_level"], rows["commune_name"], strict=True
        )
    ]


def _province(p: Principal) -> str:
    if p.role is Role.ADMIN:
        provinces = registry.provinces()
        names = dict(
            zip(provinces["province_code"], provinces["province_name"], strict=True)
        )
        return st.selectbox(
            t("map.province"), list(names), format_func=names.get, key="dlg_province"
        )
    codes = sorted(p.province_codes)
    if len(codes) == 1:
        return codes[0]
    names = dict(
        zip(
            registry.provinces()["province_code"],
            registry.provinces()["province_name"],
            strict=True,
        )
    )
    return st.selectbox(
        t("map.province"), codes, format_func=names.get, key="dlg_province"
    )


# --------------------------------------------------------------------------
# Coverage


def _warning_text(w: dlg.CoverageWarning) -> str:
    params = dict(w.params)
    if w.kind == "into_storm":
        params["commune"] = _commune_name(w.commune_code or "")
        params["arrival"] = local_time(params["arrival"])
        params["eta"] = local_time(params["eta"])
    if w.kind == "uncovered":
        params["risk"] = t(f"risk.{params['risk']}")
    return t(f"dlg.warn.{w.kind}", **{k: escape(v) for k, v in params.items()})


def _coverage(
    p: Principal, event_id: int, province: str, table: pd.DataFrame, clock: datetime
) -> None:
    min_risk = st.selectbox(
        t("dlg.cov.min_risk"),
        [1, 2, 3, 4, 5],
        index=2,
        format_func=lambda r: t(f"risk.{r}"),
        key="dlg_min_risk",
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
        st.error(t("dlg.cov.summary", **counts), icon=":material/warning:")
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


# --------------------------------------------------------------------------
# Create


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
        )
        leader_phone = right.text_input(
            t("dlg.form.leader_phone"), key="dlg_new_leader_phone"
        )
        communes = st.multiselect(
            t("dlg.form.communes"),
            options,
            format_func=labels.get,
            key="dlg_new_communes",
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
            db, p, event_id, province, draft, now=_now(sc)
        ),
        "dlg.created",
    )


# --------------------------------------------------------------------------
# One delegation


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
    v: dlg.DelegationView, etas: dict[str, datetime | None], clock: datetime
) -> None:
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


def _leader_actions(p: Principal, v: dlg.DelegationView, sc: scenario.Scenario) -> None:
    if not (p.role is Role.ADMIN or p.username == v.leader_username):
        if v.status in ("planned", "en_route", "on_site"):
            st.caption(t("dlg.leader_only", leader=escape(v.leader_name)))
        return
    cols = st.columns(3)
    if v.status == "planned" and cols[0].button(
        t("dlg.action.depart"), key=f"dlg_depart_{v.id}"
    ):
        _run(
            lambda db: dlg.depart(db, p, v.id, v.version, now=_now(sc)),
            "dlg.done.depart",
        )
    if v.status in ("planned", "en_route") and cols[1].button(
        t("dlg.action.check_in"), key=f"dlg_check_in_{v.id}", type="primary"
    ):
        _run(
            lambda db: dlg.check_in(db, p, v.id, v.version, now=_now(sc)),
            "dlg.done.check_in",
        )
    if v.status == "on_site" and cols[2].button(
        t("dlg.action.check_out"), key=f"dlg_check_out_{v.id}", type="primary"
    ):
        _run(
            lambda db: dlg.check_out(db, p, v.id, v.version, now=_now(sc)),
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
            if st.form_submit_button(t("dlg.findings.save")):
                _run(
                    lambda db: dlg.record_findings(
                        db, p, v.id, v.version, findings, now=_now(sc)
                    ),
                    "dlg.done.findings",
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
                            db, p, v.id, v.version, reason, now=_now(sc)
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
        lambda db: dlg.update_delegation(db, p, v.id, v.version, draft, now=_now(sc)),
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
        format_func=_commune_name,
        key=f"dlg_verify_commune_{v.id}",
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
                    db, p, v.id, task_id, result, note, now=_now(sc)
                ),
                "dlg.done.verify",
            )


def _followup_list(
    p: Principal,
    items: list[dlg.FollowUpView],
    clock: datetime,
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
                    db, p, item.id, item.version, "done", now=_now(sc)
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
            format_func=_commune_name,
            key=f"dlg_fu_commune_{v.id}",
        )
        text = st.text_area(t("dlg.followup.text"), key=f"dlg_fu_text_{v.id}")
        owner = st.text_input(t("dlg.followup.owner"), key=f"dlg_fu_owner_{v.id}")
        due = _datetime_inputs(
            t("dlg.followup.due"),
            sc.clock_utc + timedelta(hours=6),
            f"dlg_fu_due_{v.id}",
        )
        if st.form_submit_button(t("dlg.followup.submit")):
            _run(
                lambda db: dlg.raise_followup(
                    db, p, v.id, commune, text, owner, due, now=_now(sc)
                ),
                "dlg.done.followup_raised",
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
    _summary_table(views)
    by_id = {v.id: v for v in views}
    chosen = st.selectbox(
        t("dlg.list.pick"),
        list(by_id),
        format_func=lambda i: (
            f"{by_id[i].name} · {local_time(by_id[i].planned_departure_utc)}"
        ),
        key="dlg_pick",
    )
    v = by_id[chosen]
    with st.container(border=True, key="dlg_detail"):
        _header(v, etas, sc.clock_utc)
        _leader_actions(p, v, sc)
        _manager_actions(p, v, sc)
    _verification(p, v, sc)
    _followups(p, v, sc)
    _documents(v, etas, event_name, sc)


# --------------------------------------------------------------------------
# Pages per role


def _province_page(
    p: Principal, info: StoredForecastInfo, event_id: int | None, sc: scenario.Scenario
) -> None:
    province = _province(p)
    if event_id is None:
        st.info(
            t("dlg.no_event", storm=escape(info.storm_name)), icon=":material/info:"
        )
        if dlg.can_manage(p, province) and st.button(
            t("dlg.open_event"), key="dlg_open_event", type="primary"
        ):
            name = t("dlg.event_name", storm=info.storm_name)
            _run(
                lambda db: dlg.ensure_event(
                    db, p, info.storm_id, name, info.id, sc.is_drill, now=_now(sc)
                ),
                "dlg.done.event",
            )
        return
    table = _exposure(info, sc, province)
    etas = _etas(table)
    coverage_tab, list_tab, new_tab = st.tabs(
        [t("dlg.tab.coverage"), t("dlg.tab.list"), t("dlg.tab.new")]
    )
    with coverage_tab:
        _coverage(p, event_id, province, table, sc.clock_utc)
    with list_tab:
        _list(p, event_id, province, etas, info.storm_name, sc)
    with new_tab:
        if dlg.can_manage(p, province):
            _create_form(p, event_id, province, table, sc)
        else:
            st.caption(t("dlg.form.not_allowed"))


def _commune_page(
    p: Principal,
    info: StoredForecastInfo | None,
    event_id: int | None,
    sc: scenario.Scenario,
) -> None:
    code = p.commune_code or ""
    st.subheader(_commune_name(code))
    if event_id is None or info is None:
        st.info(t("dlg.commune.none"))
        return
    etas = _etas(_exposure(info, sc, p.commune_province or ""))
    with cache.context().sessions() as db:
        views = dlg.delegations_for_commune(db, p, code, event_id)
        items = dlg.open_followups(db, p, p.commune_province or "", event_id)
    if not views:
        st.info(t("dlg.commune.none"))
    eta = etas.get(code)
    if eta is not None:
        st.caption(t("dlg.commune.eta", time=when(eta, sc.clock_utc)))
    for v in views:
        stop = next(c for c in v.communes if c.commune_code == code)
        with st.container(border=True, key=f"dlg_visit_{v.id}"):
            st.markdown(
                t(
                    "dlg.commune.visit",
                    name=escape(v.name),
                    status=_status(v.status),
                    leader=escape(v.leader_name),
                    phone=escape(v.leader_phone),
                    arrival=when(stop.planned_arrival_utc, sc.clock_utc),
                )
            )
            if (
                eta is not None
                and stop.planned_arrival_utc > eta
                and v.status not in ("cancelled", "returned")
            ):
                st.error(t("dlg.commune.late"), icon=":material/warning:")
            for m in v.members:
                st.markdown(
                    f"- {escape(m.name)} · {escape(m.role)} · {escape(m.phone)}"
                )
            if v.instructions:
                st.markdown(
                    f"**{t('dlg.form.instructions')}:** {escape(v.instructions)}"
                )
            if stop.confirmed_at:
                st.success(
                    t(
                        "dlg.commune.confirmed",
                        who=escape(stop.confirmed_by or ""),
                        time=local_time(stop.confirmed_at),
                    )
                )
            elif v.status != "cancelled" and st.button(
                t("dlg.commune.confirm"), key=f"dlg_confirm_{v.id}", type="primary"
            ):
                _run(
                    lambda db, v=v: dlg.confirm_visit(db, p, v.id, code, now=_now(sc)),
                    "dlg.done.confirm",
                )
    st.subheader(t("dlg.followups"))
    _followup_list(p, items, sc.clock_utc, sc, "dlg_commune_fu")


def render() -> None:
    st.title(t("page.delegations"))
    _flash()
    p = session.principal()
    if p is None or p.role not in (Role.ADMIN, Role.PROVINCE, Role.COMMUNE):
        st.info(t("dlg.signin"), icon=":material/lock:")
        return
    ctx = cache.context()
    with ctx.sessions() as db:
        sc = scenario.current(db, now=datetime.now(UTC))
    info = _storm(sc)
    if sc.is_drill and info is not None:
        st.info(
            t(
                "storm.drill",
                name=escape(info.storm_name),
                clock=local_time(sc.clock_utc),
            ),
            icon=":material/model_training:",
        )
    event_id = None
    if info is not None:
        with ctx.sessions() as db:
            event_id = dlg.find_event(db, info.storm_id, sc.is_drill)
    if p.role is Role.COMMUNE:
        _commune_page(p, info, event_id, sc)
        return
    if info is None:
        st.success(t("storm.none"), icon=":material/check_circle:")
        return
    _province_page(p, info, event_id, sc)


if __name__ == "__main__":  # run as a page by st.navigation
    render()
