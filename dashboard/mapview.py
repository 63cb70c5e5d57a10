"""Folium maps of the communes that work with no internet.

Leaflet is served by our own server from the installed ``XStatic-Leaflet``
package (see :mod:`dashboard.server`), never from a CDN, and the basemap tiles
are optional: without them the map has a clean, tile-less background.

The commune layer is a pre-serialised GeoJSON string (built once per layer
version, see :mod:`dashboard.layers`) inserted as is: folium never parses or
re-dumps it. Each feature carries ``c`` (code), ``n`` (name) and ``s`` (style
index into :data:`STYLES`). Tooltips are built with ``textContent`` so a name
taken from an imported file can never run as HTML, and the JSON is made safe
to sit inside ``<script>``.
"""

from __future__ import annotations

import json

import folium
from branca.element import MacroElement
from jinja2 import Template

LEAFLET_JS = "/vendor/leaflet/leaflet.js"
LEAFLET_CSS = "/vendor/leaflet/leaflet.css"
DEFAULT_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TILES_ATTRIBUTION = "© OpenStreetMap contributors"
BOUNDARY_ATTRIBUTION = (
    "Ranh giới: NXB Tài nguyên – Môi trường và Bản đồ Việt Nam, "
    "qua thanglequoc/vietnamese-provinces-database (MIT)"
)

#: Style index → Leaflet path options. 0 = ordinary commune, 1 = the user's own
#: commune (highlighted), 2 = approximate area (dashed, to say "not a boundary").
STYLES: list[dict[str, object]] = [
    {"color": "#52606d", "weight": 0.6, "fillColor": "#d9e2ec", "fillOpacity": 0.55},
    {"color": "#b91c1c", "weight": 2.5, "fillColor": "#fca5a5", "fillOpacity": 0.7},
    {
        "color": "#7b8794",
        "weight": 0.6,
        "dashArray": "3 3",
        "fillColor": "#e4e7eb",
        "fillOpacity": 0.5,
    },
]


def script_safe_json(value: object) -> str:
    """JSON text that cannot close a ``<script>`` element or open a comment."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


class CommuneLayer(MacroElement):
    """A GeoJSON layer of communes from a ready GeoJSON string."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJSON({{ this.data }}, {
    style: function (feature) {
        var styles = {{ this.styles }};
        return styles[feature.properties.s || 0] || styles[0];
    },
    smoothFactor: 1.2
}).bindTooltip(function (layer) {
    var p = layer.feature.properties;
    var el = document.createElement("div");
    el.textContent = p.n + " · " + p.c;
    return el;
}, {sticky: true}).addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(
        self, geojson_text: str, styles: list[dict[str, object]] | None = None
    ):
        super().__init__()
        self._name = "CommuneLayer"
        self.data = script_safe_json(geojson_text)
        self.styles = script_safe_json(styles or STYLES)


class FitBounds(MacroElement):
    """Fit the map to bounds once its frame has its real size.

    Streamlit sizes the component's iframe after Leaflet has started, so a
    plain ``fitBounds`` at creation leaves the area off-centre. This refits
    whenever the container is resized, until the user first touches the map.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (map) {
    var bounds = {{ this.bounds }};
    var observer = new ResizeObserver(function () {
        map.invalidateSize(false);
        map.fitBounds(bounds);
    });
    observer.observe(map.getContainer());
    ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (name) {
        map.getContainer().addEventListener(name, function () {
            observer.disconnect();
        }, {once: true});
    });
})({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, bounds: list[list[float]]):
        super().__init__()
        self._name = "FitBounds"
        self.bounds = json.dumps(bounds)


def build_map(
    geojson_text: str,
    bounds: tuple[float, float, float, float],
    *,
    tiles: bool = False,
    tiles_url: str = DEFAULT_TILES,
) -> folium.Map:
    """A Leaflet map of communes fitted to ``bounds`` (min lon, min lat, max lon, max lat).

    With ``tiles=False`` (the default) nothing is fetched from the internet.
    """
    min_lon, min_lat, max_lon, max_lat = bounds
    m = folium.Map(
        location=[(min_lat + max_lat) / 2, (min_lon + max_lon) / 2],
        zoom_start=6,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        attribution_control=True,
    )
    # Serve Leaflet ourselves; drop folium's CDN extras (jQuery, Bootstrap, icons).
    m.default_js = [("leaflet", LEAFLET_JS)]
    m.default_css = [("leaflet_css", LEAFLET_CSS)]
    if tiles:
        folium.TileLayer(tiles=tiles_url, attr=TILES_ATTRIBUTION, name="OSM").add_to(m)
    CommuneLayer(geojson_text).add_to(m)
    corners = [[min_lat, min_lon], [max_lat, max_lon]]
    m.fit_bounds(corners)
    FitBounds(corners).add_to(m)
    return m


def map_html(m: folium.Map) -> str:
    """The full HTML page of a map (used by tests and the payload benchmark)."""
    return m.get_root().render()
