"""Bytes of the national commune map sent to the browser, ours vs naive folium.

Ours: the display layer (coverage-simplified, snapped) of the real national
file, serialised once to compact GeoJSON and inserted as is into the Leaflet
script (:mod:`dashboard.situation.mapview`). Leaflet itself is served separately from
``/vendor`` (about 150 kB, cached by the browser) and is counted too.

Naive: ``folium.GeoJson`` of the same file with a name tooltip on a default
``folium.Map``, the way most Streamlit map apps start.

``map_payload_first`` / ``map_payload_repeat``: what the app sends today for
the national layer with the Wipha drill storm. The geometry is a static,
quantised, gzipped file (:mod:`dashboard.geo.static_layer`) that the browser
keeps; the map script carries only the risk level per exposed commune and
the storm, and reaches the browser deflated (websocket permessage-deflate,
measured here as zlib level 6 like the server's default). First visit = map
script + layer file + Leaflet, all compressed; repeat visit = map script
only. Baseline: the inline-GeoJSON map of before (uncompressed, every rerun).
"""

from __future__ import annotations

import gzip
import time
import zlib
from datetime import timedelta
from pathlib import Path

import folium
import geopandas as gpd
from xstatic.pkg import leaflet

from benchmarks.common import best_of, shared
from dashboard import situation
from dashboard.geo import layers, static_layer
from dashboard.geo.display import build_display_layer
from dashboard.scenario.drill import DRILL_CLOCK, drill_forecast
from dashboard.situation import mapview
from dashboard.situation.overlay import build_overlay

MB = 1_000_000


def _ours(source: gpd.GeoDataFrame) -> tuple[int, float]:
    # Built once, at import time; not part of what a page does.
    display = build_display_layer(source[["commune_code", "geometry"]])
    geometries = display.assign(approximate=False)
    start = time.perf_counter()
    text, bounds = layers.layer_geojson(geometries)
    html = mapview.map_html(mapview.build_map(text, bounds))
    build_seconds = time.perf_counter() - start
    return len(html.encode()) + _leaflet_bytes(), build_seconds


def _ours_with_storm(source: gpd.GeoDataFrame) -> int:
    """The situation map: national layer coloured by risk, plus the drill storm."""
    display = build_display_layer(source[["commune_code", "geometry"]])
    forecast = drill_forecast(DRILL_CLOCK)
    table = situation.exposure_table(
        forecast, situation.commune_points(source), DRILL_CLOCK
    )
    risk = dict(zip(table["commune_code"], table["risk_level"], strict=True))
    text, bounds = layers.layer_geojson(display.assign(approximate=False), risk=risk)
    m = mapview.build_map(text, bounds)
    labels = {
        "cone": "cone",
        "wind": "level {level}",
        "point": "{time} level {level}",
        "centre": "centre",
        "time": str,
    }
    hour = DRILL_CLOCK + timedelta(hours=12)
    mapview.add_storm(m, build_overlay(forecast, DRILL_CLOCK, hour), labels)
    return len(mapview.map_html(m).encode()) + _leaflet_bytes()


def _static_with_storm(source: gpd.GeoDataFrame) -> tuple[int, int]:
    """(first visit, repeat visit) bytes of the national map with the storm."""
    display = build_display_layer(source[["commune_code", "geometry"]])
    geometries = display.assign(approximate=False)
    file = static_layer.layer_file(layers.scoped_frame(geometries))
    forecast = drill_forecast(DRILL_CLOCK)
    table = situation.exposure_table(
        forecast, situation.commune_points(source), DRILL_CLOCK
    )
    risk = dict(zip(table["commune_code"], table["risk_level"], strict=True))
    layer = mapview.StaticCommuneLayer(
        f"/layers/v1/{static_layer.file_name(None, file.digest)}", risk, None
    )
    m = mapview.build_map(layer, layers.layer_bounds(layers.scoped_frame(geometries)))
    hour = DRILL_CLOCK + timedelta(hours=12)
    mapview.add_storm(m, build_overlay(forecast, DRILL_CLOCK, hour), _LABELS)
    script = len(zlib.compress(mapview.map_html(m).encode(), 6))
    leaflet = sum(
        len(gzip.compress((Path(leaflet_dir()) / name).read_bytes(), 9))
        for name in ("leaflet.js", "leaflet.css")
    )
    return script + len(file.gzipped) + leaflet, script


_LABELS = {
    "cone": "cone",
    "wind": "level {level}",
    "point": "{time} level {level}",
    "centre": "centre",
    "time": str,
}


def leaflet_dir() -> str:
    return leaflet.BASE_DIR


def _leaflet_bytes() -> int:
    return sum(
        (Path(leaflet.BASE_DIR) / name).stat().st_size
        for name in ("leaflet.js", "leaflet.css")
    )


def _naive(source: gpd.GeoDataFrame) -> tuple[int, float]:
    def build() -> str:
        m = folium.Map(location=[16, 106], zoom_start=6)
        folium.GeoJson(
            source,
            tooltip=folium.GeoJsonTooltip(fields=["commune_name", "province_name"]),
        ).add_to(m)
        return m.get_root().render()

    seconds, html = best_of(build, repeat=1)
    return len(html.encode()), seconds


def run() -> list[dict]:
    source = gpd.read_file(shared("boundaries", "vn_communes_2025_simplified.geojson"))
    ours_bytes, ours_seconds = _ours(source)
    naive_bytes, naive_seconds = _naive(source)
    storm_bytes = _ours_with_storm(source)
    first, repeat = _static_with_storm(source)
    return [
        {
            "name": "map_payload_first",
            "value": round(first / MB, 3),
            "unit": "MB",
            "baseline": round(storm_bytes / MB, 3),
            "baseline_label": "inline GeoJSON map with the Wipha storm, sent whole on every visit and rerun",
        },
        {
            "name": "map_payload_repeat",
            "value": round(repeat / 1000, 1),
            "unit": "kB",
            "baseline": round(storm_bytes / 1000, 1),
            "baseline_label": "inline GeoJSON map with the Wipha storm, sent whole on every visit and rerun",
        },
        {
            "name": "map_payload",
            "value": round(ours_bytes / MB, 3),
            "unit": "MB",
            "baseline": round(naive_bytes / MB, 3),
            "baseline_label": "naive folium.GeoJson of the national file with a tooltip",
        },
        {
            "name": "map_payload_storm",
            "value": round(storm_bytes / MB, 3),
            "unit": "MB",
            "baseline": round(naive_bytes / MB, 3),
            "baseline_label": "naive folium.GeoJson of the national file, without any storm",
        },
        {
            "name": "map_payload_build",
            "value": round(ours_seconds, 3),
            "unit": "s",
            "baseline": round(naive_seconds, 3),
            "baseline_label": "naive folium.GeoJson render of the national file (ours: GeoJSON text + map HTML on a cold cache)",
        },
    ]
