"""The storm is one map element drawn from JSON data, texts never as HTML."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from dashboard.scenario.drill import DRILL_CLOCK, drill_forecast
from dashboard.situation import mapview
from dashboard.situation.overlay import StormOverlay, StormPoint, build_overlay

T0 = datetime(2025, 7, 20, 12, tzinfo=UTC)
LABELS = {
    "point": "<b>{time}</b> cấp {level}",
    "centre": "</script><script>alert(1)</script>",
    "time": lambda t: f"{t:%H:%M}",
}


def overlay() -> StormOverlay:
    points = [
        StormPoint(T0 + timedelta(hours=h), 18 + h / 10, 110 - h / 10, lvl, 50, h > 0)
        for h, lvl in ((-6, 9), (0, 10), (6, None))
    ]
    square = {
        "type": "Polygon",
        "coordinates": [[[105, 18], [107, 18], [107, 20], [105, 20], [105, 18]]],
    }
    return StormOverlay(
        storm_name="WIPHA",
        past_line=[[17.4, 110.6], [18.0, 110.0]],
        forecast_line=[[18.0, 110.0], [18.6, 109.4]],
        points=points,
        cone=square,
        wind_areas={8: square, 6: square},
        hour=T0,
        centre=(18.0, 110.0),
    )


def test_storm_data_holds_every_shape_in_drawing_order():
    data = mapview.storm_data(overlay(), LABELS)
    assert data["cone"]["type"] == "Polygon"
    assert [w["style"]["color"] for w in data["winds"]] == [
        mapview.WIND_COLOURS[6],
        mapview.WIND_COLOURS[8],
    ]
    assert [line["style"].get("dashArray") for line in data["lines"]] == [None, "8 6"]
    # lat, lon, forecast?, tooltip text (translated, formatted, not escaped)
    assert data["points"][0] == [17.4, 110.6, 0, "<b>06:00</b> cấp 9"]
    assert data["points"][2][2:] == [1, "<b>18:00</b> cấp –"]
    assert data["centre"] == [18.0, 110.0]


def test_the_map_script_carries_the_storm_as_safe_json():
    m = mapview.build_map("{}", (105.0, 17.0, 111.0, 21.0))
    mapview.add_storm(m, overlay(), LABELS)
    html = mapview.map_html(m)
    assert "</script><script>alert" not in html
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in html
    assert "el.textContent = text" in html  # tooltips are text, not HTML
    assert html.count("L.circleMarker(") == 2  # one loop for points, one centre


def test_the_drill_storm_is_small():
    forecast = drill_forecast(DRILL_CLOCK)
    data = mapview.storm_data(
        build_overlay(forecast, DRILL_CLOCK, DRILL_CLOCK + timedelta(hours=12)),
        LABELS,
    )
    text = json.dumps(data, ensure_ascii=False)
    assert len(data["points"]) == len(forecast.points)
    assert len(text.encode()) < 20_000
