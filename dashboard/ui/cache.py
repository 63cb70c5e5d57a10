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

from dashboard import forecasts, situation
from dashboard.bootstrap import bootstrap
from dashboard.context import AppContext
from dashboard.geo import layers
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


@st.cache_resource(show_spinner=False, max_entries=4)
def commune_points(version: str) -> pd.DataFrame:
    """Representative point and area of every commune for one layer version."""
    ctx = context()
    layer = layers.layer_by_version(ctx, version)
    return situation.commune_points(layers.full_polygons(layer))


@st.cache_resource(show_spinner=False, max_entries=32)
def exposure(forecast_id: int, version: str, clock_iso: str) -> pd.DataFrame:
    """Every commune's exposure to one advisory, from the scenario clock."""
    clock = datetime.fromisoformat(clock_iso)
    return situation.exposure_table(
        forecast(forecast_id), commune_points(version), clock
    )


@st.cache_resource(show_spinner=False, max_entries=64)
def risk_layer_geojson(
    version: str,
    province_code: str | None,
    highlight: str | None,
    forecast_id: int | None,
    clock_iso: str,
) -> tuple[str, tuple[float, float, float, float]]:
    """The commune layer coloured by the risk level of one advisory."""
    risk = None
    if forecast_id is not None:
        table = exposure(forecast_id, version, clock_iso)
        risk = dict(zip(table["commune_code"], table["risk_level"], strict=True))
    return layers.layer_geojson(
        commune_geometries(version),
        province_code=province_code,
        highlight=highlight,
        risk=risk,
    )


@st.cache_resource(show_spinner=False, max_entries=512)
def storm_overlay(forecast_id: int, clock_iso: str, hour_iso: str) -> StormOverlay:
    return build_overlay(
        forecast(forecast_id),
        datetime.fromisoformat(clock_iso),
        datetime.fromisoformat(hour_iso),
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def storm_hours(forecast_id: int, clock_iso: str) -> list[datetime]:
    return forecast_hours(forecast(forecast_id), datetime.fromisoformat(clock_iso))
