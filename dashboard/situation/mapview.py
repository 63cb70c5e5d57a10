"""Folium maps of the communes that work with no internet.

Leaflet is served by our own server from the installed ``XStatic-Leaflet``
package (see :mod:`dashboard.server`), never from a CDN, and the basemap tiles
are optional: without them the map has a clean, tile-less background.

The commune layer is a pre-serialised GeoJSON string (built once per layer
version, see :mod:`dashboard.geo.layers`) inserted as is: folium never parses or
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

from dashboard.storms.exposure import RISK_COLOURS

LEAFLET_JS = "/vendor/leaflet/leaflet.js"
LEAFLET_CSS = "/vendor/leaflet/leaflet.css"
DEFAULT_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TILES_ATTRIBUTION = "© OpenStreetMap contributors"
BOUNDARY_ATTRIBUTION = (
    "Ranh giới: NXB Tài nguyên – Môi trường và Bản đồ Việt Nam, "
    "qua thanglequoc/vietnamese-provinces-database (MIT)"
)

#: Fill colour per risk level: 0 = not exposed, 1–5 as in QĐ 18/2021
#: (light blue, light yellow, orange, red, purple).
RISK_FILL: dict[int, str] = {0: "#e4e7eb", **RISK_COLOURS}
#: Wind areas per Beaufort level (cấp): outline colours, drawn under the track.
WIND_COLOURS: dict[int, str] = {
    6: "#f59e0b",
    8: "#ea580c",
    10: "#dc2626",
    12: "#7e22ce",
}
BASE_STYLE: dict[str, object] = {"color": "#52606d", "weight": 0.6, "fillOpacity": 0.6}
HIGHLIGHT_STYLE: dict[str, object] = {"color": "#111827", "weight": 3}
APPROXIMATE_STYLE: dict[str, object] = {"color": "#7b8794", "dashArray": "3 3"}


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
    """A GeoJSON layer of communes from a ready GeoJSON string.

    Feature properties: ``c`` code, ``n`` name, ``r`` risk level (fill),
    ``a`` 1 when the area is approximate (dashed), ``h`` 1 to highlight.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJSON({{ this.data }}, {
    style: function (feature) {
        var p = feature.properties;
        var style = Object.assign({}, {{ this.base }});
        style.fillColor = {{ this.fills }}[p.r || 0];
        if (p.a) { Object.assign(style, {{ this.approximate }}); }
        if (p.h) { Object.assign(style, {{ this.highlight }}); }
        return style;
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

    def __init__(self, geojson_text: str):
        super().__init__()
        self._name = "CommuneLayer"
        self.data = script_safe_json(geojson_text)
        self.base = script_safe_json(BASE_STYLE)
        self.fills = script_safe_json({str(k): v for k, v in RISK_FILL.items()})
        self.approximate = script_safe_json(APPROXIMATE_STYLE)
        self.highlight = script_safe_json(HIGHLIGHT_STYLE)


class StaticCommuneLayer(MacroElement):
    """The commune layer fetched from a static, cached file.

    The geometry comes from *url* (see :mod:`dashboard.geo.static_layer` for
    the format; the browser keeps it between visits); the map's own script
    carries only the styling: ``risk`` (commune code → level, non-zero only)
    and the highlighted commune. The GeoJSON layer exists (empty) before the
    file arrives so that click and tooltip handlers attach to it.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function (map) {
    var risk = {{ this.risk }}, highlight = {{ this.highlight_code }};
    var fills = {{ this.fills }};
    var layer = L.geoJSON(null, {
        style: function (feature) {
            var p = feature.properties;
            var style = Object.assign({}, {{ this.base }});
            style.fillColor = fills[risk[p.c] || 0];
            if (p.a) { Object.assign(style, {{ this.approximate }}); }
            if (p.c === highlight) { Object.assign(style, {{ this.highlight }}); }
            return style;
        },
        smoothFactor: 1.2
    }).bindTooltip(function (layer) {
        var p = layer.feature.properties;
        var el = document.createElement("div");
        el.textContent = p.n + " · " + p.c;
        return el;
    }, {sticky: true}).addTo(map);
    function ring(r, k) {
        var out = [], x = 0, y = 0;
        for (var i = 0; i < r.length; i += 2) {
            x += r[i]; y += r[i + 1];
            out.push([x / k, y / k]);
        }
        return out;
    }
    fetch({{ this.url }}, {credentials: "same-origin"})
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (d) {
            var features = d.g.map(function (polys, i) {
                var k = d.fine[i] || d.k;
                var coords = polys.map(function (rings) {
                    return rings.map(function (r) { return ring(r, k); });
                });
                return {
                    type: "Feature",
                    properties: {c: d.c[i], n: d.n[i], a: d.a[i]},
                    geometry: {type: "MultiPolygon", coordinates: coords}
                };
            });
            layer.addData({type: "FeatureCollection", features: features});
            layer.bringToBack();
            map.getContainer().setAttribute("data-communes", features.length);
        })
        .catch(function (e) {
            map.getContainer().setAttribute("data-communes-error", String(e));
        });
    return layer;
})({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, url: str, risk: dict[str, int], highlight: str | None):
        super().__init__()
        self._name = "StaticCommuneLayer"
        self.url = script_safe_json(json.dumps(url))
        self.risk = script_safe_json({c: int(r) for c, r in risk.items() if r})
        self.highlight_code = script_safe_json(json.dumps(highlight))
        self.base = script_safe_json(BASE_STYLE)
        self.fills = script_safe_json({str(k): v for k, v in RISK_FILL.items()})
        self.approximate = script_safe_json(APPROXIMATE_STYLE)
        self.highlight = script_safe_json(HIGHLIGHT_STYLE)


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
    layer: str | StaticCommuneLayer,
    bounds: tuple[float, float, float, float],
    *,
    tiles: bool = False,
    tiles_url: str = DEFAULT_TILES,
) -> folium.Map:
    """A Leaflet map of communes fitted to ``bounds`` (min lon, min lat, max lon, max lat).

    *layer* is inline GeoJSON text, or a :class:`StaticCommuneLayer` (the
    app's choice: geometry from a cached file, styling inline). With
    ``tiles=False`` (the default) nothing is fetched from the internet.
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
    if isinstance(layer, str):
        layer = CommuneLayer(layer)
    layer.add_to(m)
    corners = [[min_lat, min_lon], [max_lat, max_lon]]
    m.fit_bounds(corners)
    FitBounds(corners).add_to(m)
    return m


#: Leaflet path options of the storm's layers (the defaults folium gave them).
CONE_STYLE: dict[str, object] = {
    "color": "#1d4ed8",
    "weight": 1.5,
    "dashArray": "6 4",
    "fillColor": "#93c5fd",
    "fillOpacity": 0.15,
}
TRACK_STYLE: dict[str, object] = {
    "color": "#111827",
    "weight": 3,
    "lineCap": "round",
    "lineJoin": "round",
}
FORECAST_TRACK_STYLE: dict[str, object] = {**TRACK_STYLE, "dashArray": "8 6"}
POINT_STYLE: dict[str, object] = {
    "color": "#111827",
    "weight": 1,
    "fill": True,
    "fillOpacity": 1,
}
PAST_POINT_STYLE: dict[str, object] = {
    **POINT_STYLE,
    "radius": 3,
    "fillColor": "#111827",
}
FORECAST_POINT_STYLE: dict[str, object] = {
    **POINT_STYLE,
    "radius": 5,
    "fillColor": "#ffffff",
}
CENTRE_STYLE: dict[str, object] = {
    "radius": 9,
    "color": "#b91c1c",
    "weight": 3,
    "fill": True,
    "fillColor": "#fecaca",
    "fillOpacity": 0.9,
}


def storm_data(overlay, labels: dict[str, object]) -> dict[str, object]:
    """What :class:`StormLayer` draws, as plain JSON-ready data.

    *labels* holds already-translated text: ``point`` (a ``str.format``
    template with ``time`` and ``level``), ``centre``, and ``time`` (a
    function formatting a point's time). Tooltips are set with
    ``textContent`` in the page, so no text is ever read as HTML.
    """
    winds = [
        {
            "geometry": overlay.wind_areas[level],
            "style": {
                "color": WIND_COLOURS.get(level, "#dc2626"),
                "weight": 2,
                "fillColor": WIND_COLOURS.get(level, "#dc2626"),
                "fillOpacity": 0.08,
            },
        }
        for level in sorted(overlay.wind_areas)
    ]
    lines = [
        {"points": line, "style": style}
        for line, style in (
            (overlay.past_line, TRACK_STYLE),
            (overlay.forecast_line, FORECAST_TRACK_STYLE),
        )
        if len(line) > 1
    ]
    point_text = str(labels["point"])
    time_text = labels["time"]
    points = [
        [
            point.lat,
            point.lon,
            int(point.is_forecast),
            point_text.format(
                time=time_text(point.valid_utc),  # type: ignore[operator]
                level="–" if point.level is None else point.level,
            ),
        ]
        for point in overlay.points
    ]
    return {
        "cone": overlay.cone,
        "coneStyle": CONE_STYLE,
        "winds": winds,
        "lines": lines,
        "points": points,
        "pointStyles": [PAST_POINT_STYLE, FORECAST_POINT_STYLE],
        "centre": list(overlay.centre) if overlay.centre else None,
        "centreStyle": CENTRE_STYLE,
        "centreText": str(labels["centre"]),
    }


class StormLayer(MacroElement):
    """The storm, drawn in the page from one JSON object (:func:`storm_data`).

    One element instead of one folium element per track point, tooltip, line
    and wind area: the map's script is rendered (on every rerun) in a few
    milliseconds instead of about 150, and is smaller. Drawn in the same
    order and styles as before: the cone, the wind areas (strongest last),
    the past and forecast tracks, the points with their tooltip, the centre.
    Only the points and the centre take the mouse; clicks elsewhere go
    through to the communes below.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (map, storm) {
    function tip(layer, text) {
        layer.bindTooltip(function () {
            var el = document.createElement("div");
            el.textContent = text;
            return el;
        }, {sticky: true});
        return layer.addTo(map);
    }
    function area(geometry, style) {
        L.geoJSON(geometry, {
            style: function () { return style; },
            interactive: false
        }).addTo(map);
    }
    if (storm.cone) { area(storm.cone, storm.coneStyle); }
    storm.winds.forEach(function (w) { area(w.geometry, w.style); });
    storm.lines.forEach(function (l) {
        L.polyline(l.points, Object.assign({interactive: false}, l.style)).addTo(map);
    });
    storm.points.forEach(function (p) {
        tip(L.circleMarker([p[0], p[1]], storm.pointStyles[p[2]]), p[3]);
    });
    if (storm.centre) {
        tip(L.circleMarker(storm.centre, storm.centreStyle), storm.centreText);
    }
})({{ this._parent.get_name() }}, {{ this.data }});
{% endmacro %}
"""
    )

    def __init__(self, data: dict[str, object]):
        super().__init__()
        self._name = "StormLayer"
        self.data = script_safe_json(data)


def add_storm(m: folium.Map, overlay, labels: dict[str, object]) -> None:
    """Draw a :class:`~dashboard.situation.overlay.StormOverlay` on *m*
    (one :class:`StormLayer`; *labels* as for :func:`storm_data`)."""
    StormLayer(storm_data(overlay, labels)).add_to(m)


def map_html(m: folium.Map) -> str:
    """The full HTML page of a map (used by tests and the payload benchmark)."""
    return m.get_root().render()
