"""The situation map, in its own fragment so other widgets never rebuild it.

The map is rendered (folium → the arguments of streamlit-folium's component)
once per layer, scope, highlight, advisory, clock, hour, basemap and
language, and every later rerun of any session sends the same arguments
again (:func:`rendered_map`): rendering took about half of a map page's
server time.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st
import streamlit_folium
from streamlit_folium import st_folium

from dashboard import registry
from dashboard.core.clock import Clock
from dashboard.situation import mapview
from dashboard.ui import cache, session
from dashboard.ui.format import local_time, when, wind_level
from dashboard.ui.markdown import escape
from dashboard.ui.session import t

_CODE_IN_TOOLTIP = re.compile(r"·\s*(\d{5})\s*$")
SELECTED_KEY = "map_selected_commune"
MAP_HEIGHT = 560
RETURNED = ("last_object_clicked_tooltip",)

# st_folium renders the map and hands the result to its component function
# (``streamlit_folium._component_func``). While a thread renders for the
# cache, that call is recorded instead of drawn; every other call (and every
# other thread) goes straight through.
_component = getattr(
    streamlit_folium._component_func, "__wrapped__", streamlit_folium._component_func
)
_recording = threading.local()


def _component_or_record(**kwargs: Any) -> Any:
    sink = getattr(_recording, "sink", None)
    if sink is None:
        return _component(**kwargs)
    sink.update(kwargs)
    return None


_component_or_record.__wrapped__ = _component  # type: ignore[attr-defined]
streamlit_folium._component_func = _component_or_record


def clicked_commune(result: dict | None) -> str | None:
    """The commune code of the last clicked feature, from its tooltip text."""
    tooltip = (result or {}).get("last_object_clicked_tooltip")
    if not tooltip:
        return None
    match = _CODE_IN_TOOLTIP.search(str(tooltip).strip())
    return match.group(1) if match else None


def storm_labels() -> dict[str, object]:
    return {
        "cone": t("storm.cone"),
        "wind": t("storm.wind", level="{level}"),
        "point": t("storm.point", time="{time}", level="{level}"),
        "centre": t("storm.centre"),
        "time": local_time,
    }


def commune_details(code: str, table: pd.DataFrame | None, clock: Clock) -> None:
    """Exposure of one commune, in words."""
    row = registry.commune(code)
    lines = [
        t(
            "exposure.detail",
            name=escape(row["commune_name"]),
            province=escape(row["province_name"]),
            code=code,
        )
    ]
    hit = None if table is None else table[table["commune_code"] == code]
    if hit is not None and len(hit):
        e = hit.iloc[0]
        lines += [
            "- " + t("exposure.in_cone", value=t("yes") if e["in_cone"] else t("no")),
            "- "
            + t(
                "exposure.max_level_gust",
                value=wind_level(e["max_wind_level"]),
                gust=int(e["max_gust_level"]),
            ),
            *(
                "- "
                + t(
                    "exposure.eta",
                    level=level,
                    value=when(e[f"level{level}_eta_utc"], clock),
                )
                for level in (6, 8, 10)
            ),
            "- "
            + t(
                "exposure.closest",
                time=when(e["closest_approach_utc"], clock),
                km=f"{e['min_distance_km']:.0f}",
            ),
            "- " + t("exposure.risk", level=t(f"risk.{int(e['risk_level'])}")),
            "- " + t("exposure.model", model=escape(str(e["wind_model"]))),
        ]
    with st.container(border=True, key="commune_details"):
        st.markdown("\n".join(lines))


def _build_map(
    version: str,
    province_code: str | None,
    highlight: str | None,
    forecast_id: int | None,
    clock: Clock,
    hour_iso: str | None,
    tiles: bool,
):
    # Geometry: a static file the browser caches; styling: a few kB inline.
    layer = mapview.StaticCommuneLayer(
        cache.layer_url(version, province_code),
        cache.risk_levels(forecast_id, version, clock),
        highlight,
    )
    bounds = cache.layer_bounds(version, province_code, highlight)
    m = mapview.build_map(layer, bounds, tiles=tiles)
    if forecast_id is not None and hour_iso is not None:
        mapview.add_storm(
            m,
            cache.storm_overlay(forecast_id, clock, datetime.fromisoformat(hour_iso)),
            storm_labels(),
        )
    return m


@st.cache_resource(show_spinner=False, max_entries=256)
def rendered_map(
    version: str,
    province_code: str | None,
    highlight: str | None,
    forecast_id: int | None,
    clock: Clock,
    hour_iso: str | None,
    tiles: bool,
    lang: str,
) -> dict[str, Any]:
    """The component arguments of the map, rendered once for these inputs
    (*lang* is the session's: the storm's tooltips are written in it) and
    shared by every session; empty if they could not be recorded."""
    m = _build_map(
        version, province_code, highlight, forecast_id, clock, hour_iso, tiles
    )
    args: dict[str, Any] = {}
    _recording.sink = args
    try:
        st_folium(
            m,
            height=MAP_HEIGHT,
            use_container_width=True,
            returned_objects=list(RETURNED),
            key=_map_key(
                version, province_code, highlight, forecast_id, hour_iso, tiles
            ),
        )
    finally:
        _recording.sink = None
    args.pop("on_change", None)  # st_folium's, bound to one call: made again below
    return args


def _map_key(
    version: str,
    province_code: str | None,
    highlight: str | None,
    forecast_id: int | None,
    hour_iso: str | None,
    tiles: bool,
) -> str:
    return f"map-{version}-{province_code}-{highlight}-{forecast_id}-{hour_iso}-{tiles}"


def _show_map(key: str, args: dict[str, Any]) -> Any:
    """Draw the recorded component; like st_folium, its value is also kept
    under *key* in the session state."""
    component_key = args["key"]

    def on_change() -> None:
        st.session_state[key] = st.session_state.get(component_key, {})

    return _component(**args, on_change=on_change)


@st.fragment
def situation_map(
    version: str,
    province_code: str | None,
    highlight: str | None,
    forecast_id: int | None,
    clock: Clock,
) -> None:
    clock_iso = clock.isoformat()
    hour_iso = None
    if forecast_id is not None:
        hours = [h.isoformat() for h in cache.storm_hours(forecast_id, clock)]
        hour_iso = st.select_slider(
            t("storm.hour"),
            options=hours,
            format_func=lambda h: local_time(datetime.fromisoformat(h)),
            key=f"storm_hour_{forecast_id}_{clock_iso}",
        )
    tiles = st.toggle(t("map.basemap"), key="map_basemap", help=t("map.basemap_help"))
    inputs = (version, province_code, highlight, forecast_id, clock, hour_iso, tiles)
    args = rendered_map(*inputs, session.lang())
    key = _map_key(version, province_code, highlight, forecast_id, hour_iso, tiles)
    if args:
        result = _show_map(key, args)
    else:  # st_folium no longer calls its component as recorded: draw directly
        result = st_folium(
            _build_map(*inputs),
            height=MAP_HEIGHT,
            use_container_width=True,
            returned_objects=list(RETURNED),
            key=key,
        )
    code = clicked_commune(result) or st.session_state.get(SELECTED_KEY) or highlight
    if clicked_commune(result):
        st.session_state[SELECTED_KEY] = code
    table = cache.exposure(forecast_id, version, clock) if forecast_id else None
    if code:
        commune_details(code, table, clock)
    else:
        st.caption(t("exposure.click_hint"))
