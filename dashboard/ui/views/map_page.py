"""Page: the commune map for the signed-in scope (national when signed out)."""

from __future__ import annotations

import streamlit as st

from dashboard import layers, registry
from dashboard.auth import Role
from dashboard.mapview import BOUNDARY_ATTRIBUTION
from dashboard.ui import cache, session
from dashboard.ui.components import sign_in_form
from dashboard.ui.components.map_panel import commune_map
from dashboard.ui.navigation import page_target
from dashboard.ui.session import t


def _scope() -> tuple[str | None, str | None]:
    """(province to draw or None for the whole country, commune to highlight)."""
    p = session.principal()
    provinces = registry.provinces()
    names = dict(
        zip(provinces["province_code"], provinces["province_name"], strict=True)
    )
    if p is None or p.role is Role.ADMIN:
        options = [None, *names]
        choice = st.selectbox(
            t("map.province"),
            options,
            format_func=lambda c: t("scope.national") if c is None else names[c],
            key="map_province",
        )
        return choice, None
    if p.role is Role.COMMUNE:
        return p.commune_province, p.commune_code
    codes = sorted(p.province_codes)
    if len(codes) == 1:
        return codes[0], None
    return st.selectbox(
        t("map.province"), codes, format_func=names.get, key="map_province"
    ), None


def _legend(layer: layers.LayerInfo) -> None:
    if layer.imported:
        st.caption(
            t("map.legend.imported", source=layer.source_name, count=layer.n_matched)
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


def render() -> None:
    st.title(t("page.map"))
    if session.principal() is None:
        sign_in_form.render()
    province_code, highlight = _scope()
    if highlight:
        row = registry.commune(highlight)
        st.subheader(f"{row['commune_name']} · {row['province_name']}")
    layer = layers.current_layer(cache.context())
    commune_map(layer.version, province_code, highlight)
    _legend(layer)
    _search(province_code)


if __name__ == "__main__":  # run as a page by st.navigation
    render()
