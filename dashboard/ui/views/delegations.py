"""Page: provincial delegations sent to key communes, tracked against the storm.

Province staff: coverage of the exposed communes (uncovered communes and
arrivals after the level-6 wind flagged in red, with the reason), the list of
delegations with check-in/out for the leader, verification of the covered
communes' plan tasks, follow-ups, the Zalo text and the PDF assignment sheet,
and a form to create a delegation. Commune leaders: who is coming and when,
and a button to confirm the visit. The services decide who may do what; this
page only hides what a role cannot do.

The pieces live in :mod:`dashboard.ui.components.delegations`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from dashboard import delegations as dlg
from dashboard import registry, scenario
from dashboard.auth import Principal, Role
from dashboard.forecasts import StoredForecastInfo
from dashboard.ui import cache, session
from dashboard.ui.components.delegations.card import _followup_list, _list

# --------------------------------------------------------------------------
# Pages per role
from dashboard.ui.components.delegations.common import (
    _etas,
    _exposure,
    _flash,
    _now,
    _province,
    _run,
    _status,
    _storm,
)
from dashboard.ui.components.delegations.coverage import _coverage
from dashboard.ui.components.delegations.create_form import _create_form
from dashboard.ui.format import local_time, when
from dashboard.ui.markdown import escape
from dashboard.ui.session import t


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
                    db, p, info.storm_id, name, info.id, sc.is_drill, clock=_now(sc)
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
    st.subheader(escape(registry.commune_name(code)))
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
                    lambda db, v=v: dlg.confirm_visit(
                        db, p, v.id, code, clock=_now(sc)
                    ),
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
        sc = scenario.current(db, clock=datetime.now(UTC))
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
