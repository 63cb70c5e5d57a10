"""Which storms concern Vietnam, and the automatic format detection."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboard.storms.filtering import concerns_vietnam, in_east_sea, vietnam_storms
from dashboard.storms.model import Forecast, ForecastError, TrackPoint
from dashboard.storms.parsers import FORMATS, detect_format, gdacs, parse
from tests.support.helpers import shared_file

T0 = datetime(2025, 7, 20, 6, tzinfo=UTC)


def forecast(*positions: tuple[float, float], **extra) -> Forecast:
    points = tuple(
        TrackPoint(valid_utc=T0.replace(hour=i), lead_hours=i, lat=lat, lon=lon)
        for i, (lat, lon) in enumerate(positions)
    )
    return Forecast("X", "X", "test", T0, 1, points, extra=extra)


@pytest.mark.parametrize(
    ("positions", "extra", "expected"),
    [
        (((21.0, 108.8),), {}, True),  # Gulf of Tonkin
        (((4.9, 110.0),), {}, False),  # south of 5N
        (((23.1, 110.0),), {}, False),  # north of 23N
        (((20.0, 120.0),), {}, True),  # on the 120E edge
        (((20.0, 120.1),), {}, False),
        (((20.0, 99.9),), {}, False),
        (((15.0, 130.0), (17.0, 118.0)), {}, True),  # heading into the East Sea
        (((15.0, 130.0),), {"country": "China, Viet Nam"}, True),
        (((15.0, 130.0),), {"affectedcountries": ["Viet Nam"]}, True),
        (((15.0, 130.0),), {"iso3": "VNM"}, True),
        (((15.0, 130.0),), {"country": "Philippines"}, False),
        (((15.0, 465.0 - 360),), {}, True),  # 105E written as 105
        (((15.0, 190.0),), {}, False),  # 170W written east of 180
    ],
)
def test_concerns_vietnam(positions, extra, expected):
    assert concerns_vietnam(forecast(*positions, **extra)) is expected


def test_in_east_sea_accepts_longitudes_beyond_180():
    assert in_east_sea(10.0, 110.0) and not in_east_sea(10.0, 250.0)


@pytest.mark.shared_data
def test_gdacs_event_list_vietnam_subset():
    path = shared_file("storms", "gdacs", "gdacs_eventlist_TC_2026-08-21T20Z.json")
    events = gdacs.parse_event_list(path.read_bytes())
    names = {f.extra["eventname"] for f in vietnam_storms(events)}
    assert {
        "EIGHTEEN-26",
        "KALMAEGI-25",
        "BUALOI-25",
        "KAJIKI-25",
        "KOTO-25",
        "MATMO-25",
    } <= names
    assert not names & {"LALA-26", "SINLAKU-26", "MELISSA-25"}


DETECT = [
    ("WP, 12, 2026072600, 01, CARQ, 0, 117N, 1760W, 20\n", "", "atcf"),
    ("SID,SEASON,NAME,ISO_TIME,LAT,LON\n", "", "ibtracs"),
    ("time_local,lat,lon,beaufort_level\n", "", "nchmf"),
    ('{"bulletins": []}', "", "nchmf"),
    ("WTPN52 PGTW 211500\nT000 208N 1088E 035\n", "", "jtwc"),
    ("WTPN32 PGTW 211500\nWARNING POSITION:\n", "", "jtwc"),
    ("TPPN11 PGTW 211815\nA. TS 18W\n", "", "jtwc"),
    ("HURRICANE IDA FORECAST/ADVISORY NUMBER 12\n", "", "nhc"),
    (
        '{"type": "FeatureCollection", "features": [{"properties": {"Class": "Point_Centroid"}}]}',
        "",
        "gdacs",
    ),
    (
        '{"type": "FeatureCollection", "features": [{"properties": {"TAU": 0, "MAXWIND": 1}}]}',
        "",
        "nhc",
    ),
    ("something odd\n", "wp1826.tcw", "jtwc"),
    ("something odd\n", "al092021.fstadv.012.txt", "nhc"),
    ("something odd\n", "bwp122026.dat", "atcf"),
]


@pytest.mark.parametrize(("text", "name", "expected"), DETECT)
def test_detect_format(text, name, expected):
    assert detect_format(text, name) == expected
    assert expected in FORMATS


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty input"),
        (b"   \n\n", "empty input"),
        (b"<!DOCTYPE html><html><body>Error 503</body></html>", "HTML page"),
        (b"hello world\n", "unrecognised content \\(first line 'hello world'\\)"),
        (b'{"type": "Topology"}', "no known storm format"),
        (b'{"type": ', "not valid JSON"),
    ],
)
def test_parse_refuses_unknown_content_naming_the_expected_formats(data, message):
    with pytest.raises(ForecastError, match=message) as info:
        parse(data)
    assert "GDACS" in str(info.value) and "IBTrACS" in str(info.value)


def test_parse_unknown_format_name():
    with pytest.raises(ForecastError, match="unknown format 'kml'"):
        parse("x", format="kml")


def test_parse_explicit_format_overrides_detection():
    with pytest.raises(ForecastError, match="missing column"):
        parse("WP, 12, 2026072600, 01, CARQ, 0, 117N, 1760W, 20\n", format="ibtracs")


def test_parse_decodes_utf16_and_windows_1258():
    line = "WP, 12, 2026072600, 01, CARQ, 0, 117N, 1760W, 20\n"
    (fc,) = parse(line.encode("utf-16"))
    assert fc.points[0].lon == -176.0
