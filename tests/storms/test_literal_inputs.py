"""Tiny hand-written products: behaviour the samples do not show, and broken
inputs that every parser must refuse with a message naming the problem."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboard.storms.model import ForecastError
from dashboard.storms.parsers import atcf, gdacs, ibtracs, jtwc, nchmf, nhc, parse


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# ------------------------------------------------------------------- ATCF

OFCL_DECK = """\
AL, 09, 2021082906, 03, OFCL,  -6, 273N,  883W, 115,  950, HU,  34, NEQ,  110,  100,   80,  100
AL, 09, 2021082906, 03, OFCL,   0, 276N,  887W, 130,  935, HU,  34, NEQ,  120,  100,   80,  110
AL, 09, 2021082906, 03, OFCL,   0, 276N,  887W, 130,  935, HU,  50, NEQ,   70,   60,   40,   60
AL, 09, 2021082906, 03, OFCL,   0, 276N,  887W, 130,  935, HU,  64, NEQ,   35,   30,   20,   30
AL, 09, 2021082906, 03, OFCL,  12, 291N,  903W, 125,    0, HU,  34, NEQ,  130,  110,   90,  100
AL, 09, 2021082906, 03, OFCL,  12, 291N,  903W, 125,    0, HU,  64, NEQ,   35,   30,   20,   30
AL, 09, 2021082906, 03, AVNO,  12, 295N,  905W,  90,  960, HU,  34, NEQ,    0,    0,    0,    0
AL, 09, 2021082900, 03, OFCL,   0, 271N,  879W, 110,  955, HU,  34, NEQ,  100,   90,   70,   90
"""


def test_atcf_official_forecast_merges_rad_lines_and_keeps_negative_tau_past():
    forecast = atcf.parse(OFCL_DECK)
    assert forecast.product == "ATCF OFCL"
    assert forecast.issued_utc == t("2021-08-29T06:00")
    assert [p.lead_hours for p in forecast.points] == [-6, 0, 12]
    assert [p.is_forecast for p in forecast.points] == [False, False, True]
    now = forecast.points[1]
    assert (now.lat, now.lon, now.vmax_kt, now.mslp_hpa) == (27.6, -88.7, 130, 935)
    assert now.r50_nm.as_dict() == {"ne": 70, "se": 60, "sw": 40, "nw": 60}
    assert now.r64_nm.ne == 35
    later = forecast.points[2]
    assert later.mslp_hpa is None and later.r50_nm is None and later.r64_nm.sw == 20


def test_atcf_earlier_dtg_and_model_aid_on_request():
    earlier = atcf.parse(OFCL_DECK, dtg=t("2021-08-29T00:00"))
    assert [(p.lat, p.lon) for p in earlier.points] == [(27.1, -87.9)]
    model = atcf.parse(OFCL_DECK, tech="avno")
    # 90 kt with four zero R34 values means "not analysed", not "no gale"
    assert model.points[0].vmax_kt == 90 and model.points[0].r34_nm is None


def test_atcf_full_circle_windcode():
    line = "WP, 05, 2025072000, 01, BEST, 0, 210N, 1120E, 60, 980, TS, 34, AAA, 120, 0, 0, 0\n"
    point = atcf.parse(line).points[0]
    assert point.r34_nm.as_dict() == {"ne": 120, "se": 120, "sw": 120, "nw": 120}


ATCF_BROKEN = [
    ("", "empty input"),
    ("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "HTML page"),
    ("WP, 12, 2026072600, 01, CARQ, 0, 117N\n", "needs at least 8"),
    (
        "WP, 12, 2026072600, 01, CARQ, 0, 917N, 1760W, 20\n",
        "latitude 91.7 is impossible",
    ),
    ("WP, 12, 2026072600, 01, CARQ, 0, 117E, 1760W, 20\n", "wrong hemisphere"),
    ("WP, 12, 20260726, 01, CARQ, 0, 117N, 1760W, 20\n", "is not one of ATCF"),
    ("WP, 12, 2026073200, 01, CARQ, 0, 117N, 1760W, 20\n", "impossible date"),
    (
        "WP, 12, 2026072600, 01, CARQ, 0, 117N, 1760W, 20, 1006, DB, 40, NEQ, 0, 0, 0, 0\n",
        "RAD=40",
    ),
    (
        "WP, 12, 2026072600, 01, CARQ, 0, 117N, 1760W, 20, 1006, DB, 34, XYZ, 0, 0, 0, 0\n",
        "wind code 'XYZ'",
    ),
    ("WP, 12, 2026072600, 01, AVNO, 0, 117N, 1760W, 20\n", "no official, BEST or CARQ"),
    (
        "WP, 12, 2026072600, 01, CARQ, 0, 117N, 1760W, 20, 1006, DB, 34, NEQ, 0, 0, 0, 1200\n",
        "NW=1200.0 nmi is out of range",
    ),
]


@pytest.mark.parametrize(("text", "message"), ATCF_BROKEN)
def test_atcf_refuses(text, message):
    with pytest.raises(ForecastError, match=message):
        atcf.parse(text)


def test_atcf_two_positions_for_one_time_refused():
    deck = OFCL_DECK.replace(
        "AL, 09, 2021082906, 03, OFCL,   0, 276N,  887W, 130,  935, HU,  50",
        "AL, 09, 2021082906, 03, OFCL,   0, 277N,  887W, 130,  935, HU,  50",
    )
    with pytest.raises(ForecastError, match="two positions"):
        atcf.parse(deck)


# ------------------------------------------------------------------- JTWC

WARNING = """\
WTPN31 PGTW 310300
SUBJ/TYPHOON 09W (TESTNAME) WARNING NR 012//
   MAX SUSTAINED WINDS BASED ON ONE-MINUTE AVERAGE
   WARNING POSITION:
   310000Z --- NEAR 17.5N 112.0E
   MAX SUSTAINED WINDS - 090 KT, GUSTS 110 KT
   RADIUS OF 064 KT WINDS - 030 NM NORTH SEMICIRCLE
                            020 NM SOUTH SEMICIRCLE
   RADIUS OF 034 KT WINDS - 120 NM NORTHEAST QUADRANT
                            100 NM SOUTHEAST QUADRANT
                            080 NM SOUTHWEST QUADRANT
                            110 NM NORTHWEST QUADRANT
    ---
   FORECASTS:
   12 HRS, VALID AT:
   311200Z --- 18.0N 110.5E
   MAX SUSTAINED WINDS - 095 KT, GUSTS 115 KT
    ---
   24 HRS, VALID AT:
   010000Z --- 18.6N 108.9E
   MAX SUSTAINED WINDS - 080 KT, GUSTS 100 KT
    ---
REMARKS:
310300Z POSITION NEAR 17.6N 111.6E.
31JUL25. TYPHOON 09W (TESTNAME)
"""


def test_jtwc_semicircles_and_month_rollover():
    forecast = jtwc.parse(WARNING)
    assert forecast.storm_id == "09W" and forecast.storm_name == "TESTNAME"
    assert [p.valid_utc for p in forecast.points] == [
        t("2025-07-31T00:00"),
        t("2025-07-31T12:00"),
        t("2025-08-01T00:00"),
    ]
    assert forecast.points[0].r64_nm.as_dict() == {
        "ne": 30,
        "se": 20,
        "sw": 20,
        "nw": 30,
    }
    assert forecast.issued_utc == t("2025-07-31T03:00")


def test_jtwc_month_from_reference_when_remarks_have_no_date():
    text = WARNING.replace("31JUL25. ", "")
    with pytest.raises(ForecastError, match="cannot tell the month and year"):
        jtwc.parse(text)
    forecast = jtwc.parse(text, reference_utc=t("2025-08-01T05:00"))
    assert forecast.points[0].valid_utc == t("2025-07-31T00:00")
    named = jtwc.parse(text, name_hint="wp0925web_2025073103.txt")
    assert named.points[-1].valid_utc == t("2025-08-01T00:00")


JTWC_BROKEN = [
    ("", "empty input"),
    ("<html><body>Not Found</body></html>", "HTML page"),
    (WARNING.split("   WARNING POSITION:")[0], "no WARNING POSITION block"),
    (WARNING.replace("311200Z --- 18.0N 110.5E", ""), "'12 HRS' has no position line"),
    (WARNING.replace("17.5N 112.0E", "97.5N 112.0E"), "latitude 97.5 is impossible"),
    (
        WARNING.replace("                            110 NM NORTHWEST QUADRANT\n", ""),
        "lists 3 of 4 quadrants",
    ),
    (WARNING.replace("311200Z --- 18.0N", "311500Z --- 18.0N"), "is not 12 h after"),
    (
        WARNING.replace("31JUL25.", "31JUL25.").replace("310000Z ---", "320000Z ---"),
        "does not exist",
    ),
]


@pytest.mark.parametrize(("text", "message"), JTWC_BROKEN)
def test_jtwc_warning_refuses(text, message):
    with pytest.raises(ForecastError, match=message):
        jtwc.parse_warning_text(text)


TCW = """\
WTPN52 PGTW 211500
WARNING    ATCG MIL 18W NWP 260821135410
2026082112 18W EIGHTEEN   004  02 045 03 SATL RADR 060
T000 208N 1088E 035 R034 000 NE QD 050 SE QD 050 SW QD 040 NW QD
T012 211N 1090E 035
NNNN
"""

TCW_BROKEN = [
    (TCW.replace("2026082112 18W", "20260821 18W"), "no valid-time line"),
    (
        TCW.replace(
            "T000 208N 1088E 035 R034 000 NE QD 050 SE QD 050 SW QD 040 NW QD\n", ""
        ),
        "no T000 line",
    ),
    (TCW.replace(" 040 NW QD", ""), "R034 lists 3 of 4 quadrants"),
    (TCW.replace("T012 211N", "T012 951N"), "latitude 95.1 is impossible"),
    (TCW.replace("2026082112", "2026023112"), "impossible date"),
]


def test_jtwc_tcw_without_embedded_text():
    forecast = jtwc.parse(TCW)
    assert [p.lead_hours for p in forecast.points] == [0, 12]
    assert forecast.points[0].gust_kt is None and forecast.points[0].r34_nm.se == 50


@pytest.mark.parametrize(("text", "message"), TCW_BROKEN)
def test_jtwc_tcw_refuses(text, message):
    with pytest.raises(ForecastError, match=message):
        jtwc.parse_tcw(text)


def test_jtwc_fix_missing_position_refused():
    with pytest.raises(ForecastError, match="lacks its B"):
        jtwc.parse_fix(
            "TPPN11 PGTW 211815\nA. TROPICAL STORM 18W\nB. 21/1730Z\n",
            reference_utc=t("2026-08-21T18:00"),
        )


# ---------------------------------------------------------------- IBTrACS

IB_HEADER = "SID,SEASON,NAME,ISO_TIME,LAT,LON,USA_WIND,USA_PRES,USA_R34_NE,USA_R34_SE,USA_R34_SW,USA_R34_NW\n"
IB_UNITS = " ,Year, , ,degrees_north,degrees_east,kts,mb,nmile,nmile,nmile,nmile\n"
IB_ROWS = (
    "2025001N10120,2025,ALPHA,2025-01-01 00:00:00,10.0,120.0,30,1000,0,0,0,0\n"
    "2025001N10120,2025,ALPHA,2025-01-01 06:00:00,10.5,119.5,40,995,60,50, , \n"
    "2025002N12130,2025,BETA,2025-01-02 00:00:00,12.0,130.0,35,998, , , , \n"
)


def test_ibtracs_literal_blank_radii_and_storm_choice():
    data = IB_HEADER + IB_UNITS + IB_ROWS
    with pytest.raises(ForecastError, match="several storms match"):
        ibtracs.parse(data)
    alpha = ibtracs.parse(data, name="alpha")
    assert alpha.points[0].r34_nm.as_dict() == {"ne": 0, "se": 0, "sw": 0, "nw": 0}
    assert alpha.points[1].r34_nm is None  # two quadrants blank: not analysed
    assert [f.storm_name for f in parse(data, format="ibtracs")] == ["ALPHA", "BETA"]


IBTRACS_BROKEN = [
    ("", "empty input"),
    ("<!doctype html><html><body>maintenance</body></html>", "HTML page"),
    ("SID,SEASON,NAME,ISO_TIME,LAT\n", "missing column"),
    (IB_HEADER + IB_UNITS, "no data rows"),
    (
        IB_HEADER + IB_UNITS + "2025001N10120,2025,ALPHA,2025-01-01 00:00:00,10.0\n",
        "truncated or shifted row",
    ),
    (
        IB_HEADER + IB_UNITS + IB_ROWS.replace("10.5,119.5", "100.5,119.5"),
        "latitude 100.5 is impossible",
    ),
    (
        IB_HEADER
        + IB_UNITS
        + IB_ROWS.replace("2025-01-01 06:00:00", "01/01/2025 06:00"),
        "is not 'YYYY-MM-DD HH:MM:SS'",
    ),
    (
        IB_HEADER + IB_UNITS + IB_ROWS.replace(",40,995,", ",forty,995,"),
        "USA_WIND='forty' is not a number",
    ),
]


@pytest.mark.parametrize(("text", "message"), IBTRACS_BROKEN)
def test_ibtracs_refuses(text, message):
    with pytest.raises(ForecastError, match=message):
        ibtracs.parse(text, name="ALPHA")


def test_ibtracs_unknown_storm_lists_the_file():
    with pytest.raises(ForecastError, match=r"the file has .*ALPHA 2025.*BETA 2025"):
        ibtracs.parse(IB_HEADER + IB_UNITS + IB_ROWS, name="GAMMA")


def test_ibtracs_clock_before_genesis_refused():
    with pytest.raises(ForecastError, match="starts after the clock"):
        ibtracs.parse(
            IB_HEADER + IB_UNITS + IB_ROWS,
            name="ALPHA",
            clock=t("2024-12-31T00:00"),
        )


# ------------------------------------------------------------------- NHC

TCM = """\
HURRICANE TEST FORECAST/ADVISORY NUMBER   3
NWS NATIONAL HURRICANE CENTER MIAMI FL       AL052024
2100 UTC SAT AUG 31 2024
HURRICANE CENTER LOCATED NEAR 25.0N  80.0W AT 31/2100Z
MAX SUSTAINED WINDS  65 KT WITH GUSTS TO  80 KT.
34 KT....... 60NE  50SE  30SW  40NW.
FORECAST VALID 01/0600Z 26.0N  81.0W
MAX WIND  70 KT...GUSTS  85 KT.
34 KT... 70NE  60SE  40SW  50NW.
"""


def test_nhc_tcm_month_rollover():
    forecast = nhc.parse_tcm(TCM)
    assert [p.valid_utc for p in forecast.points] == [
        t("2024-08-31T21:00"),
        t("2024-09-01T06:00"),
    ]
    assert [p.lead_hours for p in forecast.points] == [3, 12]
    assert forecast.storm_name == "TEST"


NHC_BROKEN = [
    ("", "empty input"),
    ("<html><body>Page moved</body></html>", "HTML page"),
    (TCM.replace("FORECAST/ADVISORY", "DISCUSSION"), "FORECAST/ADVISORY NUMBER"),
    (TCM.replace("2100 UTC SAT AUG 31 2024\n", ""), "no issue line"),
    (
        TCM.replace("HURRICANE CENTER LOCATED NEAR 25.0N  80.0W AT 31/2100Z\n", ""),
        "CENTER LOCATED NEAR",
    ),
    (TCM.replace("26.0N  81.0W", "96.0N  81.0W"), "latitude 96.0 is impossible"),
    (TCM.replace(" 50NW.\n", "\n"), "34 KT radii list 3 of 4 quadrants"),
]


@pytest.mark.parametrize(("text", "message"), NHC_BROKEN)
def test_nhc_tcm_refuses(text, message):
    with pytest.raises(ForecastError, match=message):
        nhc.parse_tcm(text)


def _pts(**changes):
    props = {
        "ADVDATE": "500 PM EDT Sat Aug 31 2024", "ADVISNUM": "3", "BASIN": "AL",
        "STORMNAME": "Hurricane Test", "STORMNUM": 5.0, "TAU": 12.0, "LAT": 26.0,
        "LON": -81.0, "MAXWIND": 70.0, "GUST": 85.0, "MSLP": 9999.0, "VALIDTIME": "01/0600",
    }  # fmt: skip
    props.update(changes)
    geometry = {"type": "Point", "coordinates": [props["LON"], props["LAT"]]}
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": props, "geometry": geometry}],
    }


def test_nhc_gis_local_advdate_to_utc():
    import json

    forecast = nhc.parse_gis_points(json.dumps(_pts()))
    assert forecast.issued_utc == t("2024-08-31T21:00")  # 5 PM EDT
    assert forecast.points[0].valid_utc == t("2024-09-01T06:00")
    assert forecast.points[0].mslp_hpa is None


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ('{"type": "FeatureCollection", "features": []}', "has no features"),
        ('{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": [', "not valid JSON"),
        ("__pts__", None),
    ],
)
def test_nhc_gis_refuses(doc, message):
    import json

    if doc == "__pts__":
        for changes, msg in [
            ({"ADVDATE": "Sat Aug 31"}, "ADVDATE"),
            ({"VALIDTIME": "01/0900"}, "not synoptic time"),
            ({"LAT": 95.0}, "latitude 95.0 is impossible"),
        ]:
            with pytest.raises(ForecastError, match=msg):
                nhc.parse_gis_points(json.dumps(_pts(**changes)))
        return
    with pytest.raises(ForecastError, match=message):
        nhc.parse_gis_points(doc)


# ------------------------------------------------------------------ GDACS


def _event(**changes):
    props = {
        "eventtype": "TC", "eventid": 1, "episodeid": 2, "eventname": "TEST-25", "Class": "Point_Centroid",
        "todate": "2025-07-20T06:00:00", "datemodified": "2025-07-20T07:00:00", "source": "JTWC",
        "country": "Viet Nam", "affectedcountries": [],
    }  # fmt: skip
    props.update(changes)
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Point", "coordinates": [110.0, 18.0]},
    }


def _collection(*features):
    import json

    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def test_gdacs_literal_event():
    (forecast,) = gdacs.parse(_collection(_event()))
    assert forecast.points[0].valid_utc == t("2025-07-20T06:00")
    assert forecast.issued_utc == t("2025-07-20T07:00")
    assert forecast.storm_name == "TEST"


GDACS_BROKEN = [
    ("", "empty input"),
    ("<!DOCTYPE html><html><body>Service unavailable</body></html>", "HTML page"),
    ('{"type": "FeatureCollection", "features": [', "not valid JSON"),
    ('{"type": "FeatureCollection"}', "no 'features' list"),
    (
        _collection(
            {"type": "Feature", "properties": {"Class": "Other"}, "geometry": None}
        ),
        "without GDACS 'Class'",
    ),
    (_collection(_event(todate="yesterday")), "not an ISO date-time"),
    (
        _collection(
            {**_event(), "geometry": {"type": "Point", "coordinates": [110.0, 91.0]}}
        ),
        "latitude 91.0 is impossible",
    ),
    (
        _collection({**_event(), "geometry": {"type": "Polygon", "coordinates": []}}),
        "not Point",
    ),
]


@pytest.mark.parametrize(("text", "message"), GDACS_BROKEN)
def test_gdacs_refuses(text, message):
    with pytest.raises(ForecastError, match=message):
        gdacs.parse(text)


def test_gdacs_empty_geometry_is_refused():
    # An empty event *list* means "no cyclone" (see test_gdacs_edge_cases);
    # an empty *geometry* of a named event is broken.
    with pytest.raises(ForecastError, match="empty \\(no events\\)"):
        gdacs.parse_geometry('{"type": "FeatureCollection", "features": []}')


def test_gdacs_geometry_bad_key_refused():
    square = {
        "type": "Polygon",
        "coordinates": [[[110, 18], [110.1, 18], [110.1, 18.1], [110, 18]]],
    }
    point = _event(
        Class="Point_Polygon_Point_0", key="0720", polygondate="2025-07-20T06:00:00"
    )
    point["geometry"] = square
    with pytest.raises(ForecastError, match="key '0720' is not MMDDHHMM"):
        gdacs.parse(_collection(point))


# ------------------------------------------------------------------ NCHMF

HEADER = ",".join(nchmf.COLUMNS)
TEMPLATE = (
    HEADER
    + '\nWIPHA,3,14h/19/7/2025,13h/19/7/2025,"20,5","119,0",9-10,12,,,,,,'
    + '\nWIPHA,3,,13 giờ ngày 20/7,"21,8",113.7,11–12,15,"18,5",23,112,,3,'
    + "\nWIPHA,3,,2025-07-21T13:00,21.2,109.6,10-11,13,19.5,,108,116,3,\n"
)


def test_nchmf_template_formats_and_units():
    forecast = nchmf.parse_template(TEMPLATE)
    assert [p.valid_utc for p in forecast.points] == [
        t("2025-07-19T06:00"),
        t("2025-07-20T06:00"),
        t("2025-07-21T06:00"),
    ]
    assert forecast.points[0].lat == 20.5 and forecast.points[1].lon == 113.7
    assert forecast.issued_utc == t("2025-07-19T07:00")
    assert forecast.storm_id == "VN-2025-03"
    # level 12 gusts: 32.7-36.9 m/s, middle 34.8 m/s
    assert forecast.points[0].gust_kt == pytest.approx(34.8 / 0.514444, abs=0.01)
    assert forecast.extra["point_details"][1]["beaufort"] == (11, 12)
    assert forecast.cone_geojson["type"] in ("Polygon", "MultiPolygon")


def test_nchmf_semicolon_template_and_offset_iso():
    text = (
        TEMPLATE.replace(",", ";").replace('"20;5"', "20,5").replace('"119;0"', "119,0")
    )
    text = text.replace('"21;8"', "21,8").replace('"18;5"', "18,5")
    text = text.replace("2025-07-21T13:00", "2025-07-21T06:00+00:00")
    forecast = nchmf.parse_template(text)
    assert forecast.points[2].valid_utc == t("2025-07-21T06:00")
    assert forecast.points[0].lat == 20.5


def test_nchmf_empty_template_round_trip(tmp_path):
    path = tmp_path / "bulletin.csv"
    nchmf.write_template(str(path))
    header = path.read_text(encoding="utf-8-sig").strip()
    assert header.split(",") == list(nchmf.COLUMNS)
    with pytest.raises(ForecastError, match="header but no rows"):
        nchmf.parse_template(path.read_bytes())


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        ((18.5, 23.0, 112.0, None), (112.0, 18.5, 120.0, 23.0)),
        ((19.0, None, None, 111.5), (100.0, 19.0, 111.5, 23.0)),
        ((None, None, None, None), (100.0, 5.0, 120.0, 23.0)),
        ((0.0, 30.0, 90.0, 130.0), (100.0, 5.0, 120.0, 23.0)),
    ],
)
def test_nchmf_danger_polygon_is_clipped_to_east_sea(bounds, expected):
    polygon = nchmf.danger_polygon(*bounds)
    xs = [x for x, _ in polygon["coordinates"][0]]
    ys = [y for _, y in polygon["coordinates"][0]]
    assert (min(xs), min(ys), max(xs), max(ys)) == expected


def _row(**cells):
    values = dict.fromkeys(nchmf.COLUMNS, "") | {
        "time_local": "13h/19/7/2025",
        "lat": "20.5",
        "lon": "119",
    }
    values |= cells
    return HEADER + "\n" + ",".join(values[c] for c in nchmf.COLUMNS) + "\n"


NCHMF_BROKEN = [
    ("", "empty input"),
    ("<html><body>Lỗi</body></html>", "HTML page"),
    (
        "storm_name,time,lat,lon\nWIPHA,13h/19/7/2025,20.5,119\n",
        "missing column\\(s\\) time_local",
    ),
    (
        "time_local,lat,lon,wind\n13h/19/7/2025,20.5,119,9\n",
        "unknown column\\(s\\) wind",
    ),
    (HEADER + "\nWIPHA,3,,13h/19/7/2025\n", "wrong number of cells"),
    (_row(lat="95.5"), "latitude 95.5 is impossible"),
    (_row(lat="hai mươi"), "lat 'hai mươi' is not a number"),
    (_row(time_local="13h/19/7"), "has no year"),
    (_row(time_local="13h/31/6/2025"), "impossible time"),
    (_row(time_local="chiều nay"), "neither like 13h/20/7/2025"),
    (_row(beaufort_level="mạnh"), "not a Beaufort level"),
    (_row(beaufort_level="12-9"), "not a level range"),
    (_row(danger_lat_min="23", danger_lat_max="18.5"), "not below danger_lat_max"),
    (_row(danger_lat_min="30"), "outside the East Sea domain"),
    (_row(danger_lon_max="95"), "outside the East Sea domain"),
    (_row() + _row().split("\n", 1)[1], "same time"),
]


@pytest.mark.parametrize(("text", "message"), NCHMF_BROKEN)
def test_nchmf_template_refuses(text, message):
    with pytest.raises(ForecastError, match=message):
        nchmf.parse_template(text)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ('{"storm": {}}', "no 'bulletins' list"),
        (
            '{"bulletins": [{"analysis": {}, "forecasts": []}]}',
            "bulletin 1: no positions",
        ),
        (
            '{"bulletins": [{"analysis": {"time_local_ict": "2025-07-19T13:00+07:00", "lat": 91, "lon": 119}}]}',
            "latitude 91.0 is impossible",
        ),
        ("[1, 2", "not valid JSON"),
    ],
)
def test_nchmf_facts_refuses(doc, message):
    with pytest.raises(ForecastError, match=message):
        nchmf.parse_bulletin_facts(doc)
