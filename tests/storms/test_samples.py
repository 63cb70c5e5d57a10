"""Key values of every shared sample file, read through each parser.

Expected numbers are copied from the sample files by eye (or from FORMATS.md),
never computed with the code under test.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from dashboard.storms.model import Forecast, ForecastError
from dashboard.storms.parsers import atcf, gdacs, ibtracs, jtwc, nchmf, nhc, parse
from tests.support.helpers import shared_file

pytestmark = pytest.mark.shared_data

JTWC_DIR = "jtwc_18W_2026"
NHC_DIR = "nhc_ida_al092021_adv012"


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def read(*parts: str) -> bytes:
    return shared_file("storms", *parts).read_bytes()


def point_at(forecast: Forecast, when: str):
    matches = [p for p in forecast.points if p.valid_utc == t(when)]
    assert len(matches) == 1, f"no single point at {when}"
    return matches[0]


# ---------------------------------------------------------------- dispatch

SAMPLES = [
    # path parts, format detected, storms, storm_id of first, points of first
    (("atcf", "a-deck_carq_wp122026.txt"), 1, "WP122026", 8),
    (("gdacs", "gdacs_eventlist_TC_2026-08-21T20Z.json"), 100, "GDACS-1001303", 1),
    (
        ("gdacs", "gdacs_geometry_TC_1001296_ep15_GENEVIEVE-26.json"),
        1,
        "GDACS-1001296",
        23,
    ),
    (("ibtracs", "ibtracs_v04r01_vietnam_storms_compact.csv"), 2, "2024244N09137", 55),
    (("ibtracs", "ibtracs_v04r01_vietnam_storms_full.csv"), 2, "2024244N09137", 55),
    ((JTWC_DIR, "wp1826_warning004.tcw"), 1, "18W", 26),
    ((JTWC_DIR, "wp1826web_warning004.txt"), 1, "18W", 7),
    ((JTWC_DIR, "wp1826fix_2026082120.txt"), 1, "18W", 1),
    (("nchmf", "nchmf_wipha_2025_bulletin_facts.json"), 3, "VN-2025-03", 4),
    ((NHC_DIR, "al092021.fstadv.012.txt"), 1, "AL092021", 9),
    ((NHC_DIR, "5day_pts.geojson"), 1, "AL092021", 8),
]


@pytest.mark.parametrize(("parts", "storms", "storm_id", "n_points"), SAMPLES)
def test_parse_detects_every_sample(parts, storms, storm_id, n_points):
    result = parse(read(*parts), name_hint=parts[-1])
    assert len(result) == storms
    assert result[0].storm_id == storm_id
    assert len(result[0].points) == n_points
    for forecast in result:
        assert forecast.issued_utc.utcoffset().total_seconds() == 0
        times = [p.valid_utc for p in forecast.points]
        assert times == sorted(times)


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ((NHC_DIR, "5day_pgn.geojson"), "pgn layer alone holds no track"),
        ((NHC_DIR, "5day_lin.geojson"), "lin layer alone holds no track"),
        ((NHC_DIR, "ww_wwlin.geojson"), "ww layer alone holds no track"),
        ((NHC_DIR, "nhc_cone_radii_2021_table14.txt"), "not an NHC forecast/advisory"),
    ],
)
def test_samples_without_a_track_are_refused_by_name(parts, message):
    with pytest.raises(ForecastError, match=message):
        parse(read(*parts), name_hint=parts[-1])


# ------------------------------------------------------------------- JTWC

JTWC_TEXT_POINTS = [
    # valid, lead, lat, lon, vmax, gust, r34 (ne, se, sw, nw) or None
    ("2026-08-21T12:00", 0, 20.8, 108.8, 35, 45, (0, 50, 50, 40)),
    ("2026-08-22T00:00", 12, 21.1, 109.0, 35, 45, (0, 40, 40, 30)),
    ("2026-08-22T12:00", 24, 21.3, 109.2, 35, 45, (0, 30, 40, 20)),
    ("2026-08-23T00:00", 36, 21.3, 109.5, 35, 45, (0, 30, 40, 20)),
    ("2026-08-23T12:00", 48, 21.3, 109.9, 30, 40, None),
    ("2026-08-24T00:00", 60, 21.4, 110.3, 25, 35, None),
    ("2026-08-24T12:00", 72, 21.6, 110.8, 20, 30, None),
]


@pytest.mark.parametrize("name", ["wp1826web_warning004.txt", "wp1826_warning004.tcw"])
@pytest.mark.parametrize(
    ("valid", "lead", "lat", "lon", "vmax", "gust", "r34"), JTWC_TEXT_POINTS
)
def test_jtwc_warning_and_tcw_points(name, valid, lead, lat, lon, vmax, gust, r34):
    forecast = jtwc.parse(read(JTWC_DIR, name), name_hint=name)
    point = point_at(forecast, valid)
    assert point.lead_hours == lead
    assert (point.lat, point.lon) == (lat, lon)
    assert (point.vmax_kt, point.gust_kt) == (vmax, gust)
    assert point.is_forecast is (lead > 0)
    if r34 is None:
        assert point.r34_nm is None
    else:
        assert (
            point.r34_nm.ne,
            point.r34_nm.se,
            point.r34_nm.sw,
            point.r34_nm.nw,
        ) == r34
    assert point.r50_nm is None and point.r64_nm is None


def test_jtwc_warning_header_values():
    forecast = jtwc.parse(read(JTWC_DIR, "wp1826web_warning004.txt"))
    assert forecast.storm_name == "EIGHTEEN"
    assert forecast.issued_utc == t("2026-08-21T15:00")
    assert forecast.wind_averaging_minutes == 1
    assert forecast.extra["warning_number"] == 4
    assert forecast.extra["month_year_from"] == "remarks date"
    assert forecast.extra["current_position"] == {
        "valid_utc": "2026-08-21T15:00:00Z",
        "lat": 20.9,
        "lon": 108.8,
    }
    assert forecast.points[0].mslp_hpa == 994
    assert "DISSIPATED" in forecast.extra["notes"]["2026-08-24T12:00:00Z"][0]


def test_jtwc_tcw_history_is_past_with_negative_leads():
    forecast = jtwc.parse_tcw(read(JTWC_DIR, "wp1826_warning004.tcw"))
    past = forecast.past
    assert len(past) == 20  # 19 history lines before 21/12Z + the T000 point
    first = past[0]
    assert first.valid_utc == t("2026-08-16T18:00")
    assert (first.lat, first.lon, first.vmax_kt) == (21.9, 119.1, 15)
    assert first.lead_hours == -114
    assert point_at(forecast, "2026-08-21T06:00").lat == 20.6
    assert forecast.extra["movement_deg"] == 45 and forecast.extra["movement_kt"] == 3
    assert len(forecast.forecast) == 6


def test_jtwc_fix_bulletin():
    forecast = jtwc.parse(
        read(JTWC_DIR, "wp1826fix_2026082120.txt"), name_hint="wp1826fix_2026082120.txt"
    )
    (point,) = forecast.points
    assert point.valid_utc == t("2026-08-21T17:30")
    assert (point.lat, point.lon) == (21.22, 108.81)
    assert point.vmax_kt == 30  # Dvorak CI 2.0
    assert forecast.issued_utc == t("2026-08-21T18:15")


# ------------------------------------------------------------------- ATCF

ATCF_POINTS = [
    # valid, lat, lon (continuous across 180), vmax, mslp, r34
    ("2026-07-25T00:00", 10.9, 189.2, 20, None, (0, 0, 0, 0)),
    ("2026-07-26T00:00", 11.7, 184.0, 20, 1006, (0, 0, 0, 0)),
    ("2026-07-26T18:00", 12.7, 179.7, 25, 1004, (0, 0, 0, 0)),
    ("2026-07-27T00:00", 13.1, 178.3, 30, None, (0, 0, 0, 0)),  # latest DTG wins
    ("2026-07-27T06:00", 13.4, 176.7, 35, 1001, (95, 0, 0, 95)),
    ("2026-07-28T00:00", 13.0, 172.8, 60, 988, (85, 30, 25, 80)),
    ("2026-07-28T06:00", 13.3, 171.7, 75, 980, (70, 45, 50, 70)),
    ("2026-07-28T12:00", 13.4, 170.7, 100, 960, (70, 55, 55, 70)),
]


@pytest.mark.parametrize(("valid", "lat", "lon", "vmax", "mslp", "r34"), ATCF_POINTS)
def test_atcf_carq_track(valid, lat, lon, vmax, mslp, r34):
    forecast = atcf.parse(read("atcf", "a-deck_carq_wp122026.txt"))
    point = point_at(forecast, valid)
    assert (point.lat, point.lon, point.vmax_kt, point.mslp_hpa) == (
        lat,
        lon,
        vmax,
        mslp,
    )
    assert tuple(point.r34_nm.as_dict().values()) == r34
    assert point.is_forecast is False
    assert (
        point.lead_hours
        == (point.valid_utc - t("2026-07-28T12:00")).total_seconds() / 3600
    )


def test_atcf_carq_header_and_details():
    forecast = atcf.parse(read("atcf", "a-deck_carq_wp122026.txt"))
    assert forecast.storm_name == "DOLPHIN"
    assert forecast.issued_utc == t("2026-07-28T12:00")
    assert forecast.product == "ATCF CARQ"
    last = forecast.extra["point_details"][-1]
    assert (last["rmw_nm"], last["poci_hpa"], last["roci_nm"]) == (7, 1007, 210)
    assert (last["dir_deg"], last["speed_kt"], last["ty"]) == (275, 10, "TY")


# ---------------------------------------------------------------- IBTrACS

IBTRACS_ROWS = [
    # name, season, time, lat, lon, usa_wind, usa_pres, r34 or None, tokyo_wind
    ("WIPHA", 2025, "2025-07-19T06:00", 20.5, 119.0, 51, None, None, 50),
    ("WIPHA", 2025, "2025-07-20T06:00", 21.8, 113.3, 64, None, None, 60),
    ("WIPHA", 2025, "2025-07-22T03:00", 20.4, 106.5, 40, None, None, 45),
    ("YAGI", 2024, "2024-09-01T18:00", 14.5, 123.2, 40, 995, (55, 50, 50, 50), 40),
    ("YAGI", 2024, "2024-09-02T00:00", 15.2, 122.8, 45, 994, (50, 50, 50, 50), 45),
]


@pytest.mark.parametrize("file", ["compact", "full"])
@pytest.mark.parametrize(
    ("name", "season", "time", "lat", "lon", "usa", "pres", "r34", "tokyo"),
    IBTRACS_ROWS,
)
def test_ibtracs_rows(file, name, season, time, lat, lon, usa, pres, r34, tokyo):
    data = read("ibtracs", f"ibtracs_v04r01_vietnam_storms_{file}.csv")
    usa_fc = ibtracs.parse(data, name=name, season=season)
    point = point_at(usa_fc, time)
    assert (point.lat, point.lon, point.vmax_kt) == (lat, lon, usa)
    if pres is not None:
        assert point.mslp_hpa == pres
    if r34 is not None:
        assert tuple(point.r34_nm.as_dict().values()) == r34
    assert usa_fc.wind_averaging_minutes == 1
    tokyo_fc = ibtracs.parse(data, name=name, season=season, winds="tokyo")
    assert point_at(tokyo_fc, time).vmax_kt == tokyo
    assert tokyo_fc.wind_averaging_minutes == 10
    assert point_at(tokyo_fc, time).r34_nm is None


@pytest.mark.parametrize("file", ["compact", "full"])
def test_ibtracs_wipha_drill_at_clock(file):
    data = read("ibtracs", f"ibtracs_v04r01_vietnam_storms_{file}.csv")
    clock = t("2025-07-20T12:00")
    forecast = ibtracs.parse(data, sid="2025197N14131", clock=clock)
    assert forecast.storm_name == "WIPHA"
    assert forecast.issued_utc == clock
    assert len(forecast.points) == 53
    assert forecast.past[-1].valid_utc == clock and forecast.past[-1].lead_hours == 0
    assert forecast.forecast[0].valid_utc == t("2025-07-20T15:00")
    assert forecast.forecast[0].lead_hours == 3
    assert forecast.points[-1].valid_utc == t("2025-07-22T18:00")
    assert forecast.points[-1].lead_hours == 54
    assert len(forecast.past) == 35 and len(forecast.forecast) == 18


def test_ibtracs_helper_horizon_and_synoptic_filter():
    rows = ibtracs.select_storm(
        ibtracs.read_rows(read("ibtracs", "ibtracs_v04r01_vietnam_storms_compact.csv")),
        name="WIPHA",
    )
    clock = t("2025-07-20T12:00")
    forecast = ibtracs.ibtracs_as_forecast(
        rows, clock, horizon_hours=24, synoptic_only=True
    )
    assert max(p.lead_hours for p in forecast.points) == 24
    assert all(p.valid_utc.hour % 6 == 0 for p in forecast.points)
    assert [p.lead_hours for p in forecast.forecast] == [6, 12, 18, 24]


def test_ibtracs_yagi_peak_and_jma_r50_direction():
    data = read("ibtracs", "ibtracs_v04r01_vietnam_storms_full.csv")
    usa = ibtracs.parse(data, sid="2024244N09137")
    peak = max(usa.points, key=lambda p: p.vmax_kt or 0)
    assert (peak.valid_utc, peak.vmax_kt, peak.mslp_hpa) == (
        t("2024-09-05T18:00"),
        145,
        907,
    )
    landfall = point_at(usa, "2024-09-07T06:00")
    assert landfall.vmax_kt == 110
    jma = ibtracs.parse(data, sid="2024244N09137", winds="tokyo")
    assert point_at(jma, "2024-09-07T06:00").vmax_kt == 90
    assert point_at(jma, "2024-09-07T06:00").mslp_hpa == 935


# ------------------------------------------------------------------- NHC

NHC_POINTS = [
    # valid, lead, lat, lon, vmax, gust, r34, r64
    (
        "2021-08-29T09:00",
        3,
        28.0,
        -89.1,
        120,
        145,
        (120, 100, 80, 110),
        (35, 30, 20, 30),
    ),
    (
        "2021-08-29T18:00",
        12,
        29.1,
        -90.3,
        125,
        150,
        (130, 110, 90, 100),
        (35, 30, 20, 30),
    ),
    ("2021-08-30T06:00", 24, 30.6, -91.1, 70, 85, (100, 120, 80, 70), (25, 25, 15, 15)),
    ("2021-08-30T18:00", 36, 32.2, -91.0, 45, 55, (50, 120, 40, 40), None),
    ("2021-08-31T06:00", 48, 33.8, -90.0, 30, 40, None, None),
    ("2021-08-31T18:00", 60, 35.4, -87.9, 25, 35, None, None),
    ("2021-09-01T06:00", 72, 36.7, -85.2, 20, 30, None, None),
    ("2021-09-02T06:00", 96, 38.9, -78.9, 20, 30, None, None),
]


def _nhc_text() -> Forecast:
    return nhc.parse_tcm(read(NHC_DIR, "al092021.fstadv.012.txt"))


def _nhc_gis() -> Forecast:
    return nhc.parse_gis_points(
        read(NHC_DIR, "5day_pts.geojson"),
        radii_data=read(NHC_DIR, "al092021_2021082909_forecastradii.geojson"),
        cone_data=read(NHC_DIR, "5day_pgn.geojson"),
    )


@pytest.mark.parametrize("load", [_nhc_text, _nhc_gis], ids=["text", "gis"])
@pytest.mark.parametrize(
    ("valid", "lead", "lat", "lon", "vmax", "gust", "r34", "r64"), NHC_POINTS
)
def test_nhc_text_and_gis_agree(load, valid, lead, lat, lon, vmax, gust, r34, r64):
    forecast = load()
    point = point_at(forecast, valid)
    assert point.lead_hours == lead
    assert (point.lat, point.lon, point.vmax_kt, point.gust_kt) == (
        lat,
        lon,
        vmax,
        gust,
    )
    assert (tuple(point.r34_nm.as_dict().values()) if point.r34_nm else None) == r34
    assert (tuple(point.r64_nm.as_dict().values()) if point.r64_nm else None) == r64
    assert forecast.issued_utc == t("2021-08-29T09:00")
    assert forecast.extra["base_utc"] == "2021-08-29T06:00:00Z"


def test_nhc_text_extras():
    forecast = _nhc_text()
    assert (forecast.storm_id, forecast.storm_name) == ("AL092021", "IDA")
    earlier = point_at(forecast, "2021-08-29T06:00")
    assert (earlier.lat, earlier.lon, earlier.lead_hours, earlier.is_forecast) == (
        27.6,
        -88.7,
        0,
        False,
    )
    assert point_at(forecast, "2021-08-29T09:00").mslp_hpa == 946
    assert "2021-09-03T06:00:00Z DISSIPATED" in forecast.extra["notes"]


def test_nhc_gis_cone_and_radii_layers():
    forecast = _nhc_gis()
    assert forecast.cone_geojson["type"] == "Polygon"
    cone = json.loads(read(NHC_DIR, "5day_pgn.geojson"))["features"][0]["geometry"]
    assert forecast.cone_geojson["coordinates"] == cone["coordinates"]
    initial = nhc.parse_gis_radii(
        read(NHC_DIR, "al092021_2021082909_initialradii.geojson")
    )
    assert list(initial) == [0.0]
    assert initial[0.0][50].as_dict() == {"ne": 70, "se": 60, "sw": 40, "nw": 60}
    assert point_at(forecast, "2021-08-29T09:00").mslp_hpa == 946
    assert point_at(forecast, "2021-08-29T18:00").mslp_hpa is None  # 9999 = missing


# ------------------------------------------------------------------ GDACS

GDACS_EVENTS = [
    # eventid, name, lat, lon, todate, alert, vietnam named in 'country'
    (1001307, "EIGHTEEN", 21.0, 108.8, "2026-08-21T18:00", "Green", True),
    (1001303, "LALA", 28.6, -170.4, "2026-08-21T21:00", "Green", False),
    (1001233, "KALMAEGI", 13.6, 109.1, "2025-11-06T12:00", "Red", True),
    (1001214, "BUALOI", 18.2, 106.2, "2025-09-28T18:00", "Red", True),
    (1001270, "SINLAKU", 28.7, 156.1, "2026-04-19T18:00", "Red", False),
]


@pytest.mark.parametrize(
    ("eventid", "name", "lat", "lon", "todate", "alert", "vn"), GDACS_EVENTS
)
def test_gdacs_event_list(eventid, name, lat, lon, todate, alert, vn):
    events = gdacs.parse_event_list(
        read("gdacs", "gdacs_eventlist_TC_2026-08-21T20Z.json")
    )
    (event,) = [e for e in events if e.extra["eventid"] == eventid]
    (point,) = event.points
    assert event.storm_name == name
    assert (point.lat, point.lon, point.valid_utc) == (lat, lon, t(todate))
    assert point.is_forecast is False and point.vmax_kt is None
    assert event.extra["alertlevel"] == alert
    assert ("Viet Nam" in event.extra["country"]) is vn


def test_gdacs_event_severity_is_kept_as_event_maximum():
    events = gdacs.parse_event_list(
        read("gdacs", "gdacs_eventlist_TC_2026-08-21T20Z.json")
    )
    (lala,) = [e for e in events if e.extra["eventid"] == 1001303]
    assert lala.extra["max_wind_kt"] == pytest.approx(212.9616 / 1.852)
    assert lala.wind_averaging_minutes == 1  # source NOAA
    (indusa,) = [e for e in events if e.storm_name == "INDUSA"]
    assert indusa.wind_averaging_minutes == 10  # source RSMC


GENEVIEVE_POINTS = [
    ("2026-07-24T15:00", 9.0, -100.5, False, -84),
    ("2026-07-28T03:00", 17.1, -114.6, False, 0),
    ("2026-07-28T12:00", 17.8, -115.9, True, 9),
    ("2026-07-30T12:00", 20.2, -123.0, True, 57),
    ("2026-08-02T00:00", 24.1, -135.5, True, 117),
]


@pytest.mark.parametrize(
    ("valid", "lat", "lon", "is_forecast", "lead"), GENEVIEVE_POINTS
)
def test_gdacs_geometry_track(valid, lat, lon, is_forecast, lead):
    forecast = gdacs.parse_geometry(
        read("gdacs", "gdacs_geometry_TC_1001296_ep15_GENEVIEVE-26.json")
    )
    point = point_at(forecast, valid)
    assert (point.lat, point.lon) == pytest.approx((lat, lon), abs=0.001)
    assert point.is_forecast is is_forecast
    assert point.lead_hours == lead


def test_gdacs_geometry_counts_cone_and_radii():
    forecast = gdacs.parse_geometry(
        read("gdacs", "gdacs_geometry_TC_1001296_ep15_GENEVIEVE-26.json")
    )
    assert forecast.storm_name == "GENEVIEVE"
    assert forecast.issued_utc == t("2026-07-28T03:00")
    assert (len(forecast.past), len(forecast.forecast)) == (15, 8)
    assert forecast.cone_geojson["type"] == "Polygon"
    areas = forecast.extra["wind_radii_areas"]
    assert {a["class"] for a in areas} == {"Poly_Green", "Poly_Orange", "Poly_Red"}
    # 30 per-time polygons, of which the zero-area ones (no such wind) are dropped
    assert 10 <= len(areas) < 30
    assert sorted(s["label"] for s in forecast.extra["wind_swaths"]) == [
        "120 km/h",
        "60 km/h",
        "90 km/h",
    ]
    assert {a["valid_utc"] for a in areas} <= {
        p.valid_utc.strftime("%Y-%m-%dT%H:%M:%SZ") for p in forecast.points
    }


# ------------------------------------------------------------------ NCHMF


def _facts() -> dict:
    return json.loads(read("nchmf", "nchmf_wipha_2025_bulletin_facts.json"))


def _facts_rows():
    rows = []
    for b, bulletin in enumerate(_facts()["bulletins"]):
        items = [
            ("analysis", bulletin["analysis"]),
            *(("forecast", f) for f in bulletin["forecasts"]),
        ]
        for kind, item in items:
            if item.get("lat") is None:
                continue
            rows.append((b, kind, item))
    return rows


@pytest.mark.parametrize(("bulletin", "kind", "item"), _facts_rows())
def test_nchmf_facts_positions_and_times(bulletin, kind, item):
    forecast = nchmf.parse_bulletin_facts(
        read("nchmf", "nchmf_wipha_2025_bulletin_facts.json")
    )[bulletin]
    utc_text = item["time_utc"] if kind == "analysis" else item["valid_utc"]
    point = point_at(forecast, utc_text.replace("Z", ""))
    assert (point.lat, point.lon) == (item["lat"], item["lon"])
    assert point.is_forecast is (kind == "forecast")
    assert forecast.wind_averaging_minutes == 2


@pytest.mark.parametrize(("bulletin", "kind", "item"), _facts_rows())
def test_nchmf_template_round_trip_matches_facts(bulletin, kind, item):
    data = read("nchmf", "nchmf_wipha_2025_bulletin_facts.json")
    template = nchmf.facts_to_template(data, bulletin)
    assert (
        ";" in template.splitlines()[0] and "," in template.splitlines()[1]
    )  # decimal commas
    forecast = nchmf.parse_template(template)
    utc_text = item["time_utc"] if kind == "analysis" else item["valid_utc"]
    point = point_at(forecast, utc_text.replace("Z", ""))
    assert (point.lat, point.lon) == (item["lat"], item["lon"])
    zone = item.get("danger_zone")
    zones = {z["valid_utc"]: z["bounds"] for z in forecast.extra["danger_zones"]}
    key = point.valid_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    if zone:
        assert zones[key] == (
            zone["lat_min"],
            zone["lat_max"],
            zone["lon_min"],
            zone["lon_max"],
        )
    else:
        assert key not in zones


def test_nchmf_first_bulletin_values():
    first = nchmf.parse_bulletin_facts(
        read("nchmf", "nchmf_wipha_2025_bulletin_facts.json")
    )[0]
    assert first.storm_name == "WIPHA"
    assert first.issued_utc == t("2025-07-19T07:00")  # 14:00 ICT
    assert [p.lead_hours for p in first.points] == [0, 24, 48, 72]
    analysis = first.points[0]
    # level 9-10 = 20.8-28.4 m/s; the middle, 24.6 m/s, is 47.8 kt
    assert analysis.vmax_kt == pytest.approx(24.6 / 0.514444, abs=0.01)
    # danger zone at +24 h: 18.5-23N, east of 112E, clipped at 120E
    zone = first.extra["danger_zones"][0]["geometry"]
    lons = [x for x, _ in zone["coordinates"][0]]
    lats = [y for _, y in zone["coordinates"][0]]
    assert (min(lons), max(lons), min(lats), max(lats)) == (112.0, 120.0, 18.5, 23.0)


def test_nchmf_bulletin_without_analysis_position_keeps_leads_from_analysis_time():
    second = nchmf.parse_bulletin_facts(
        read("nchmf", "nchmf_wipha_2025_bulletin_facts.json")
    )[1]
    assert second.extra["has_analysis_position"] is False
    assert [p.lead_hours for p in second.points] == [24, 48, 72]
    assert all(p.is_forecast for p in second.points)


def test_nchmf_below_level_6_has_no_wind():
    third = nchmf.parse_bulletin_facts(
        read("nchmf", "nchmf_wipha_2025_bulletin_facts.json")
    )[2]
    last = third.points[-1]
    assert last.valid_utc == t("2025-07-23T06:00")
    assert last.vmax_kt is None and last.gust_kt is None


def test_nchmf_analysis_matches_ibtracs_position():
    facts = nchmf.parse_bulletin_facts(
        read("nchmf", "nchmf_wipha_2025_bulletin_facts.json")
    )[0]
    track = ibtracs.parse(
        read("ibtracs", "ibtracs_v04r01_vietnam_storms_compact.csv"), name="WIPHA"
    )
    analysis = facts.points[0]
    same = point_at(track, "2025-07-19T06:00")
    assert (analysis.valid_utc, analysis.lat, analysis.lon) == (
        same.valid_utc,
        same.lat,
        same.lon,
    )
