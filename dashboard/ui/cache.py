"""Every Streamlit cache of the app, in one place.

Caches are keyed by versions (the layer version, a province code), never by a
GeoDataFrame argument. Read-only shared objects use ``cache_resource`` (no
copy per call); nothing returned from here may be mutated.
"""

from __future__ import annotations

from datetime import datetime

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboard import forecasts, scenario, situation
from dashboard.bootstrap import bootstrap
from dashboard.context import AppContext
from dashboard.core.clock import Clock
from dashboard.forecasts import StoredForecastInfo
from dashboard.geo import layers, static_layer
from dashboard.situation.overlay import StormOverlay, build_overlay, forecast_hours
from dashboard.storms.model import Forecast


@st.cache_resource(show_spinner=False)
def context() -> AppContext:
    """The store, opened (and migrated) once per server process, with the
    starter outreach material published on first start."""
    return bootstrap()


@st.cache_resource(show_spinner=False, max_entries=4)
def commune_geometries(version: str) -> gpd.GeoDataFrame:
    ctx = context()
    return layers.commune_geometries(ctx, layers.layer_by_version(ctx, version))


@st.cache_resource(show_spinner=False, max_entries=32)
def forecast(forecast_id: int) -> Forecast:
    """A stored advisory (advisories never change once stored)."""
    with context().sessions() as session:
        return forecasts.forecast(session, forecast_id)


@st.cache_resource(show_spinner=False, max_entries=64)
def _drill_forecasts(drill_name: str, clock: Clock) -> tuple[StoredForecastInfo, ...]:
    sc = scenario.Scenario(scenario.DRILL, clock, drill_name)
    return tuple(scenario.shown_forecasts(context(), sc))


def shown_forecasts(sc: scenario.Scenario) -> list[StoredForecastInfo]:
    """:func:`dashboard.scenario.shown_forecasts` of the store (the one rule).

    In a drill the answer depends on the drill clock alone: the drill's
    advisory for a clock is stored once (by its content) and never changes,
    so it is kept per clock instead of re-parsing the drill file and asking
    the store on every rerun. Live, advisories arrive at any time and the
    store is asked every time.
    """
    if sc.is_drill:
        return list(_drill_forecasts(sc.drill_name, sc.clock_utc))
    return scenario.shown_forecasts(context(), sc)


@st.cache_resource(show_spinner=False, max_entries=4)
def commune_points(version: str) -> pd.DataFrame:
    """Representative point and area of every commune for one layer version."""
    ctx = context()
    layer = layers.layer_by_version(ctx, version)
    return situation.commune_points(layers.full_polygons(layer))


@st.cache_resource(show_spinner=False, max_entries=32)
def exposure(forecast_id: int, version: str, clock: Clock) -> pd.DataFrame:
    """Every commune's exposure to one advisory, from the scenario clock."""
    return situation.exposure_table(
        forecast(forecast_id), commune_points(version), clock
    )


@st.cache_resource(show_spinner=False, max_entries=64)
def layer_file(version: str, province_code: str | None) -> static_layer.LayerFile:
    """The static commune layer file (nation or one province), encoded and
    gzipped once; served by ``/layers/...`` in :mod:`dashboard.server`."""
    frame = layers.scoped_frame(commune_geometries(version), province_code)
    return static_layer.layer_file(frame)


def layer_url(version: str, province_code: str | None) -> str:
    """Where the browser fetches the layer; the digest makes it immutable."""
    digest = layer_file(version, province_code).digest
    return f"/layers/{version}/{static_layer.file_name(province_code, digest)}"


@st.cache_resource(show_spinner=False, max_entries=256)
def layer_bounds(
    version: str, province_code: str | None, highlight: str | None
) -> tuple[float, float, float, float]:
    frame = layers.scoped_frame(commune_geometries(version), province_code)
    return layers.layer_bounds(frame, highlight)


@st.cache_resource(show_spinner=False, max_entries=64)
def risk_levels(forecast_id: int | None, version: str, clock: Clock) -> dict[str, int]:
    """Risk level per coloured commune (exposed and watch levels; level 0
    left out): the map's styling."""
    if forecast_id is None:
        return {}
    table = exposure(forecast_id, version, clock)
    exposed = table[table["risk_level"] >= situation.WATCH_MIN_RISK]
    return {
        str(c): int(r)
        for c, r in zip(exposed["commune_code"], exposed["risk_level"], strict=True)
    }


@st.cache_resource(show_spinner=False, max_entries=512)
def storm_overlay(forecast_id: int, clock: Clock, hour: datetime) -> StormOverlay:
    return build_overlay(forecast(forecast_id), clock, hour)


@st.cache_resource(show_spinner=False, max_entries=32)
def storm_hours(forecast_id: int, clock: Clock) -> list[datetime]:
    return forecast_hours(forecast(forecast_id), clock)
