"""Page: CAP 1.2 alerts of a province — draft, review, approve, publish.

Province staff draft the alert of their province for the storm shown now
(the exposed communes grouped by risk level), read the XML, approve it, then
publish it to the public Atom feed (``/alerts/feed/<province>.atom``). A draft
or an approved alert never reaches the feed. The services check every role
and write every step to the audit log; this page only hides what a role
cannot do.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from dashboard import scenario, situation
from dashboard.alerts import service as alerts
from dashboard.alerts.atom import feed_path
from dashboard.auth import is_staff
from dashboard.core.errors import DashboardError
from dashboard.geo import layers
from dashboard.ui import cache, session
from dashboard.ui.components.province_picker import pick_province
from dashboard.ui.errors import show_error
from dashboard.ui.format import local_time
from dashboard.ui.markdown import escape
from dashboard.ui.session import t


def _draft(p, province: str, sc: scenario.Scenario) -> None:
    ctx = cache.context()
    exposures = situation.storm_exposures(ctx, sc)
    if not exposures:
        st.info(t("alerts.page.no_storm"))
        return
    storm = exposures[0]
    exposed = situation.exposed_communes(storm.table, province)
    st.caption(
        t(
            "alerts.page.storm",
            storm=escape(storm.info.storm_name),
            count=len(exposed),
        )
    )
    if exposed.empty or not st.button(
        t("alerts.page.draft"), type="primary", key="alerts_draft"
    ):
        return
    settings = ctx.settings
    try:
        with ctx.transaction() as db:
            view = alerts.draft_province_alert(
                db,
                p,
                storm.forecast,
                storm.table,
                province,
                sc.clock_utc,
                settings.cap_sender,
                settings.public_url,
                is_drill=sc.is_drill,
                drill_name=sc.drill_name if sc.is_drill else "",
                polygons=layers.full_polygons(layers.current_layer(ctx)),
            )
    except DashboardError as exc:
        show_error(exc)
        return
    if view is not None:
        st.success(t("alerts.page.drafted", identifier=escape(view.identifier)))


def _step(p, view: alerts.AlertView, action, done_key: str) -> None:
    ctx = cache.context()
    try:
        with ctx.transaction() as db:
            action(db, p, view.id, expected_version=view.version)
    except DashboardError as exc:
        show_error(exc)
        return
    st.success(t(done_key, identifier=escape(view.identifier)))
    st.rerun()


def _list(p, province: str) -> None:
    ctx = cache.context()
    with ctx.sessions() as db:
        views = alerts.list_alerts(db, p, province)
    if not views:
        st.caption(t("alerts.page.none"))
        return
    for view in views:
        label = t(
            "alerts.page.item",
            state=t(f"alerts.state.{view.state}"),
            headline=view.headline_vi,
            sent=local_time(view.sent),
        )
        with st.expander(label, expanded=view.state != "published"):
            st.caption(
                t(
                    "alerts.page.meta",
                    severity=escape(view.severity),
                    urgency=escape(view.urgency),
                    certainty=escape(view.certainty),
                    count=escape(str(view.commune_count)),
                    status=escape(view.cap_status),
                )
            )
            with ctx.sessions() as db:
                xml = alerts.draft_xml(db, p, view.id)
            st.code(xml.decode("utf-8")[:4000], language="xml")
            st.download_button(
                t("alerts.page.download"),
                xml,
                file_name=f"{view.identifier}.xml",
                mime="application/cap+xml",
                key=f"alerts_dl_{view.id}",
            )
            if view.state == "draft" and st.button(
                t("alerts.page.approve"), key=f"alerts_approve_{view.id}"
            ):
                _step(p, view, alerts.approve, "alerts.page.approved")
            if view.state == "approved" and st.button(
                t("alerts.page.publish"),
                type="primary",
                key=f"alerts_publish_{view.id}",
            ):
                _step(p, view, alerts.publish, "alerts.page.published")


def render() -> None:
    st.title(t("page.alerts"))
    p = session.principal()
    if p is None or not is_staff(p):
        st.info(t("alerts.page.signin"))
        return
    province = pick_province(p, "alerts_province")
    if province is None:
        return
    ctx = cache.context()
    with ctx.sessions() as db:
        sc = scenario.current(db, clock=datetime.now(UTC))
    st.caption(t("alerts.page.feed", path=escape(feed_path(province))))
    _draft(p, province, sc)
    _list(p, province)


if __name__ == "__main__":  # run as a page by st.navigation
    render()
