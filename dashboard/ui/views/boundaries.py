"""Page (admin): import commune boundaries and see which layer is in use."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from dashboard.core.errors import DashboardError
from dashboard.geo import layers
from dashboard.ui import cache, session
from dashboard.ui.errors import error_message
from dashboard.ui.format import UPLOAD_LIMIT_MB
from dashboard.ui.markdown import escape
from dashboard.ui.session import t


def _import(upload) -> None:
    principal = session.principal()
    bar = st.progress(0.0, text=t("boundaries.reading"))
    suffix = "".join(Path(upload.name).suffixes[-1:]) or ".geojson"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(upload.getvalue())
        try:
            result = layers.import_boundaries(
                cache.context(),
                principal,
                path,
                source_name=upload.name,
                progress=lambda fraction, stage: bar.progress(
                    min(1.0, fraction), text=t("boundaries.stage", stage=stage)
                ),
            )
        except DashboardError as exc:
            bar.empty()
            st.error(t("boundaries.refused", reason=error_message(exc)))
            return
    bar.empty()
    st.success(t("boundaries.done", version=escape(result.layer.version)))
    st.code(result.report.summary(), language=None)


def render() -> None:
    st.title(t("page.boundaries"))
    layer = layers.current_layer(cache.context())
    if layer.imported:
        st.markdown(
            t(
                "boundaries.current",
                source=escape(layer.source_name),
                count=escape(layer.n_matched),
                when=f"{layer.imported_at:%Y-%m-%d %H:%M}",
                who=escape(layer.imported_by),
            )
        )
    else:
        st.info(t("map.legend.approximate"))
    st.markdown(t("boundaries.help"))
    upload = st.file_uploader(
        t("boundaries.upload"),
        type=["geojson", "json", "gpkg", "zip"],
        key="boundary_file",
        help=t("ui.upload_limit", mb=UPLOAD_LIMIT_MB),
        max_upload_size=UPLOAD_LIMIT_MB,
    )
    if upload is not None and st.button(t("boundaries.import"), type="primary"):
        _import(upload)


if __name__ == "__main__":  # run as a page by st.navigation
    render()
