"""The Vietnamese Beaufort scale and averaging-period conversions."""

from __future__ import annotations

import csv

import pytest

from dashboard.storms import beaufort
from dashboard.storms.model import ForecastError
from tests.support.helpers import shared_file

# Speeds around every band edge (1 kt = 0.514444 m/s); the expected level is
# recomputed below straight from the published m/s lower bounds.
KT_VALUES = [None, -1, 0, 0.5, 3, 20.9, 21, 27, 33.4, 34, 47.5, 50, 64, 110, 119, 120]


def _expected_by_hand(kt):
    """Independent classification straight from the published m/s bounds."""
    if kt is None or kt < 0:
        return None
    ms = round(kt * 0.514444, 1)
    bounds = [0.0, 0.3, 1.6, 3.4, 5.5, 8.0, 10.8, 13.9, 17.2, 20.8, 24.5, 28.5,
              32.7, 37.0, 41.5, 46.2, 51.0, 56.1, 61.3]  # fmt: skip
    return max(i for i, b in enumerate(bounds) if ms >= b)


@pytest.mark.parametrize("kt", KT_VALUES)
def test_level_from_kt_matches_published_bounds(kt):
    assert beaufort.level_from_kt(kt) == _expected_by_hand(kt)


@pytest.mark.parametrize(
    ("kt", "level"),
    [
        (21, 6),
        (27, 7),
        (34, 8),
        (50, 10),
        (64, 12),
        (119, 17),
        (120, beaufort.ABOVE_17),
    ],
)
def test_radius_thresholds_and_top_band(kt, level):
    assert beaufort.level_from_kt(kt) == level


def test_levels_against_shared_reference_table():
    path = shared_file("storms", "reference", "beaufort_vietnam.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        level = beaufort.ABOVE_17 if row["level"] == ">17" else int(row["level"])
        low, high = beaufort.kt_range(level)
        assert low == pytest.approx(float(row["kt_min"]), abs=0.051)
        if row["kt_max"]:
            assert high == pytest.approx(float(row["kt_max"]), abs=0.051)
        else:
            assert high is None
        assert beaufort.kmh_range(level)[0] == float(row["kmh_min"])
        assert beaufort.ms_range(level)[0] == float(row["ms_min"])


@pytest.mark.parametrize("level", range(0, 19))
def test_kmh_published_agrees_with_ms(level):
    (ms_low, ms_high), (kmh_low, kmh_high) = (
        beaufort.ms_range(level),
        beaufort.kmh_range(level),
    )
    assert abs(ms_low * 3.6 - kmh_low) <= 1
    if ms_high is not None:
        assert abs(ms_high * 3.6 - kmh_high) <= 1


def test_bulletin_kmh_matches_levels():
    # NCHMF wrote "cấp 9-10 (75-102 km/h)" for WIPHA on 19/7/2025
    assert (beaufort.kmh_range(9)[0], beaufort.kmh_range(10)[1]) == (75, 102)
    assert (beaufort.kmh_range(12)) == (118, 133)


@pytest.mark.parametrize(
    ("kt", "minutes", "expected"),
    [(100, 1, 93.0), (100, 2, 96.0), (100, 10, 100.0), (None, 1, None), (64, 1, 59.52)],
)
def test_to_10min(kt, minutes, expected):
    result = beaufort.to_10min(kt, minutes)
    assert result == (None if expected is None else pytest.approx(expected))


def test_conversion_order_and_round_trip():
    one = 100.0
    assert beaufort.to_10min(one, 1) < beaufort.to_10min(one, 2) < one
    two = beaufort.convert_averaging(one, 1, 2)
    assert beaufort.convert_averaging(two, 2, 1) == pytest.approx(one)


@pytest.mark.parametrize("minutes", [0, 5, 60])
def test_unknown_averaging_period_refused(minutes):
    with pytest.raises(ValueError, match=f"{minutes}-minute"):
        beaufort.to_10min(50, minutes)


@pytest.mark.parametrize("level", [-1, 19])
def test_unknown_level_refused(level):
    with pytest.raises(ValueError, match="not between 0 and 18"):
        beaufort.kt_range(level)


def test_representative_speed_of_a_range():
    # cấp 9-10: 20.8-28.4 m/s, middle 24.6 m/s
    assert beaufort.representative_kt(9, 10) == pytest.approx(24.6 / 0.514444)
    assert beaufort.representative_kt(18) == pytest.approx(61.3 / 0.514444)
    with pytest.raises(ValueError, match="reversed"):
        beaufort.representative_kt(10, 9)


def test_vn_class_names():
    assert [beaufort.vn_class(lv) for lv in (5, 6, 8, 10, 12, 16)] == [
        "",
        "áp thấp nhiệt đới",
        "bão",
        "bão mạnh",
        "bão rất mạnh",
        "siêu bão",
    ]
    assert beaufort.level_label(18) == ">17"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("level,label,ms_min\n0,0,0.0\n", "bad Beaufort row"),
        (
            "level,label,ms_min,ms_max,kmh_min,kmh_max,vn_class\n1,1,0.3,1.5,1,5,\n",
            "levels must be 0, 1, 2",
        ),
        (
            "level,label,ms_min,ms_max,kmh_min,kmh_max,vn_class\n0,0,abc,0.2,0,1,\n",
            "bad Beaufort row",
        ),
    ],
)
def test_broken_scale_file_refused(tmp_path, content, message):
    path = tmp_path / "scale.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ForecastError, match=message):
        beaufort.load_scale(path)
