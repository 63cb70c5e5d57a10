"""Every Streamlit cache of the app, in one place.

Caches are keyed by versions (the layer version, a province code), never by a
GeoDataFrame argument. Read-only shared objects use ``cache_resource`` (no
copy per call); nothing returned from here may be mutated.
"""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from dashboard import layers
from dashboard.context import AppContext, open_context


@st.cache_resource(show_spinner=False)
def context() -> AppContext:
    """The store, opened (and migrated) once per server process."""
    return open_context()


@st.cache_resource(show_spinner=False, max_entries=4)
def commune_geometries(version: str) -> gpd.GeoDataFrame:
    ctx = context()
    return layers.commune_geometries(ctx, layers.layer_by_version(ctx, version))


@st.cache_resource(show_spinner=False, max_entries=128)
def layer_geojson(
    version: str, province_code: str | None, highlight: str | None
) -> tuple[str, tuple[float, float, float, float]]:
    return layers.layer_geojson(
        commune_geometries(version), province_code=province_code, highlight=highlight
    )
