"""Page: the storm situation map for the signed-in scope (national when signed out)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from dashboard import forecasts, registry, scenario, situation
from dashboard.auth import Role
from dashboard.core.clock import Clock
from dashboard.forecasts import StoredForecastInfo
from dashboard.geo import layers
from dashboard.scenario.drill import DRILL_CLOCK
from dashboard.situation.mapview import BOUNDARY_ATTRIBUTION
from dashboard.storms import feeds
from dashboard.ui import cache, session
from dashboard.ui.components import sign_in_form
from dashboard.ui.components.map_panel import situation_map
from dashboard.ui.components.province_picker import pick_province
from dashboard.ui.format import local_time, product_label, relative_hours, when
from dashboard.ui.markdown import escape
from dashboard.ui.navigation import page_target
from dashboard.ui.session import t


def _scope() -> tuple[str | None, str | None]:
    """(province to draw or None for the whole country, commune to highlight)."""
    p = session.principal()
    if p is not None and p.role is Role.COMMUNE:
        return p.commune_province, p.commune_code
    return pick_province(p, "map_province", national=True), None


def _pick_storm(infos: list[StoredForecastInfo]) -> StoredForecastInfo | None:
    if not infos:
        return None
    if len(infos) == 1:
        return infos[0]
    chosen = st.selectbox(
        t("storm.choose"),
        infos,
        format_func=lambda i: f"{i.storm_name} ({i.source})",
        key="storm_choice",
        placeholder=t("ui.choose"),
    )
    st.caption(t("storm.others", count=len(infos) - 1))
    return chosen


def _banner(info: StoredForecastInfo | None, sc: scenario.Scenario) -> None:
    if sc.is_drill and info is not None:
        st.info(
            t(
                "storm.drill",
                name=escape(info.storm_name),
                clock=local_time(sc.clock_utc),
            ),
            icon=":material/model_training:",
        )
    if info is None:
        st.success(t("storm.none"), icon=":material/check_circle:")
        return
    f = cache.forecast(info.id)
    st.markdown(
        t(
            "storm.banner",
            name=escape(info.storm_name),
            product=escape(product_label(info.product or info.origin)),
            source=escape(info.source),
            issued=local_time(info.issued_utc),
            age=relative_hours(info.issued_utc, sc.clock_utc),
            minutes=f.wind_averaging_minutes,
        )
    )


def _drill_controls(sc: scenario.Scenario) -> None:
    p = session.principal()
    # The mode and clock are installation-wide: real admins only.
    if p is None or p.role is not Role.ADMIN or p.is_demo:
        return
    ctx = cache.context()

    def move(action) -> None:
        with ctx.transaction() as db:
            action(db)

    with st.expander(t("drill.controls"), icon=":material/model_training:"):
        if not sc.is_drill:
            st.button(
                t("drill.start"),
                on_click=move,
                args=(lambda db: scenario.set_drill_clock(db, p, DRILL_CLOCK),),
            )
            return
        cols = st.columns(4)
        for col, hours in zip(cols[:2], (6, 12), strict=True):
            target = sc.clock_utc + timedelta(hours=hours)
            col.button(
                t("drill.advance", hours=hours),
                key=f"drill_advance_{hours}",
                disabled=target > scenario.DRILL_END,
                on_click=move,
                args=(
                    lambda db, target=target: scenario.set_drill_clock(db, p, target),
                ),
            )
        cols[2].button(
            t("drill.reset"),
            on_click=move,
            args=(lambda db: scenario.set_drill_clock(db, p, DRILL_CLOCK),),
        )
        cols[3].button(
            t("drill.live"), on_click=move, args=(lambda db: scenario.set_live(db, p),)
        )


POLL_INTERVAL = timedelta(minutes=int(os.environ.get("DASHBOARD_POLL_MINUTES", "15")))


@st.fragment(run_every=timedelta(minutes=1))
def _live_feeds() -> None:
    """In live mode: poll the feeds when due, and say how they are doing."""
    ctx = cache.context()
    outcomes = forecasts.poll_due(ctx, feeds.load_feeds(), POLL_INTERVAL)
    if any(o.new_ids for o in outcomes):
        st.rerun()  # new advisories: redraw the whole page
    with ctx.sessions() as db:
        statuses = forecasts.feed_statuses(db)
    for status in statuses:
        if status.last_error:
            st.warning(
                t(
                    "storm.feed_error",
                    feed=escape(status.feed),
                    error=escape(status.last_error),
                    success=local_time(status.last_success_at),
                ),
                icon=":material/cloud_off:",
            )


def _legend(layer: layers.LayerInfo) -> None:
    st.caption(t("risk.legend"))
    if layer.imported:
        st.caption(
            t(
                "map.legend.imported",
                source=escape(layer.source_name),
                count=escape(layer.n_matched),
            )
            + " · "
            + BOUNDARY_ATTRIBUTION
        )
        return
    st.info(t("map.legend.approximate"), icon=":material/info:")
    p = session.principal()
    if p is not None and p.role is Role.ADMIN:
        st.page_link(
            page_target("boundaries"),
            label=t("map.legend.import_link"),
            icon=":material/upload:",
        )
    else:
        st.caption(t("map.legend.ask_admin"))


@st.cache_resource(show_spinner=False, max_entries=256)
def _ranking_view(
    forecast_id: int, version: str, clock: Clock, province: str | None, lang: str
) -> tuple[pd.DataFrame, str, int]:
    """The ranking table, its wind model and the number of communes only
    watched, built once per advisory, clock, scope and language (*lang* is
    the session's: the labels and times are written in it). Shared by every
    session: never mutated."""
    table = cache.exposure(forecast_id, version, clock)
    watched = len(situation.watched_communes(table, province))
    rows = situation.exposed_communes(table, province)
    if rows.empty:
        return rows, "", watched
    rows = rows.head(100 if province is None else len(rows))
    view = pd.DataFrame(
        {
            t("col.commune"): rows["commune_name"],
            t("col.province"): rows["province_name"],
            t("col.risk"): rows["risk_level"].map(lambda r: t(f"risk.{int(r)}")),
            t("col.max_level"): rows["max_wind_level"],
            t("col.max_gust"): rows["max_gust_level"],
            t("col.eta6"): rows["level6_eta_utc"].map(lambda v: when(v, clock)),
            t("col.eta8"): rows["level8_eta_utc"].map(lambda v: when(v, clock)),
            t("col.eta10"): rows["level10_eta_utc"].map(lambda v: when(v, clock)),
            t("col.closest"): rows["closest_approach_utc"].map(local_time),
            t("col.distance"): rows["min_distance_km"].round(0),
            t("col.in_cone"): rows["in_cone"],
            t("col.code"): rows["commune_code"],
        }
    )
    return view, str(rows["wind_model"].iloc[0]), watched


def _ranking(
    forecast_id: int, version: str, province_code: str | None, clock: Clock
) -> None:
    st.subheader(t("exposure.title") if province_code else t("exposure.national"))
    view, model, watched = _ranking_view(
        forecast_id, version, clock, province_code, session.lang()
    )
    if view.empty:
        st.caption(t("exposure.none"))
    else:
        st.dataframe(view, hide_index=True, key="exposure_table")
        st.caption(t("exposure.model_note", model=escape(model)))
    _watch_note(watched)


def _watch_note(watched: int) -> None:
    """How many communes are only watched (cone or track shift): coloured on
    the map, not counted as exposed."""
    if watched:
        st.caption(t("exposure.watch_note", count=int(watched)))


def _search(province_code: str | None) -> None:
    query = st.text_input(
        t("map.search"), key="map_search", placeholder=t("map.search_hint")
    )
    if not query:
        return
    hits = registry.search(query, province_code=province_code, limit=50)
    if hits.empty:
        st.caption(t("map.search_none"))
        return
    st.dataframe(
        hits[
            [
                "commune_code",
                "commune_name",
                "commune_type",
                "province_name",
                "area_km2",
            ]
        ],
        hide_index=True,
        column_config={
            "commune_code": t("col.code"),
            "commune_name": t("col.commune"),
            "commune_type": t("col.type"),
            "province_name": t("col.province"),
            "area_km2": st.column_config.NumberColumn(t("col.area_km2"), format="%.1f"),
        },
    )


def _remember_list_view() -> None:
    st.session_state["map_list_view_saved"] = st.session_state["map_list_view"]


def render() -> None:
    st.title(t("page.map"))
    if session.principal() is None:
        sign_in_form.render()
    ctx = cache.context()
    with ctx.sessions() as db:
        sc = scenario.current(db, clock=datetime.now(UTC))
    if not sc.is_drill:
        _live_feeds()
    info = _pick_storm(cache.shown_forecasts(sc))
    _banner(info, sc)
    _drill_controls(sc)
    province_code, highlight = _scope()
    if highlight:
        row = registry.commune(highlight)
        st.subheader(f"{escape(row['commune_name'])} · {escape(row['province_name'])}")
    layer = layers.current_layer(ctx)
    forecast_id = info.id if info else None
    # Remembered for the session (a widget of the entrypoint would be too, but
    # the key alone is enough: st.session_state keeps it across pages).
    list_only = st.toggle(
        t("field.list_view"),
        key="map_list_view",
        value=st.session_state.get("map_list_view_saved", False),
        help=t("field.list_view_help"),
        on_change=_remember_list_view,
    )
    if not list_only:
        situation_map(
            layer.version, province_code, highlight, forecast_id, sc.clock_utc
        )
        _legend(layer)
    if forecast_id is not None:
        _ranking(forecast_id, layer.version, province_code, sc.clock_utc)
    _search(province_code)


if __name__ == "__main__":  # run as a page by st.navigation
    render()
