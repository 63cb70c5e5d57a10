"""The commune map, in its own fragment so other widgets never rebuild it."""

from __future__ import annotations

import re

import streamlit as st
from streamlit_folium import st_folium

from dashboard import mapview, registry
from dashboard.ui import cache
from dashboard.ui.session import t

_CODE_IN_TOOLTIP = re.compile(r"·\s*(\d{5})\s*$")


def clicked_commune(result: dict | None) -> str | None:
    """The commune code of the last clicked feature, from its tooltip text."""
    tooltip = (result or {}).get("last_object_clicked_tooltip")
    if not tooltip:
        return None
    match = _CODE_IN_TOOLTIP.search(str(tooltip).strip())
    return match.group(1) if match else None


@st.fragment
def commune_map(version: str, province_code: str | None, highlight: str | None) -> None:
    text, bounds = cache.layer_geojson(version, province_code, highlight)
    tiles = st.toggle(t("map.basemap"), key="map_basemap", help=t("map.basemap_help"))
    m = mapview.build_map(text, bounds, tiles=tiles)
    result = st_folium(
        m,
        height=560,
        use_container_width=True,
        returned_objects=["last_object_clicked_tooltip"],
        key=f"map-{version}-{province_code}-{highlight}-{tiles}",
    )
    code = clicked_commune(result)
    if code:
        row = registry.commune(code)
        st.markdown(
            t(
                "map.clicked",
                name=row["commune_name"],
                code=code,
                province=row["province_name"],
                area=f"{row['area_km2']:.1f}",
            )
        )
