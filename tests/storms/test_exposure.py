"""Per-commune exposure: ETAs, quadrants, cone membership, risk levels."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import shapely

from dashboard.storms.cone import EARTH_RADIUS_KM, KM_PER_NM, built_cone, destination
from dashboard.storms.exposure import (
    LEGACY_WIND_MODEL,
    RISK_COLOUR_NAMES,
    RISK_COLOURS,
    RISK_REGIONS,
    beaufort_level_of_kt,
    compute_exposure,
    decree_risk_level,
    distance_and_quadrant,
    humanize_eta,
    in_built_cone,
)
from dashboard.storms.model import Forecast, Radii, TrackPoint
from dashboard.storms.track import interpolate_track

T0 = datetime(2025, 7, 20, 0, tzinfo=UTC)
SPEED = 0.5  # degrees of longitude per hour, due west along 20°N
R34 = 100.0  # nmi

# Tests marked "previous model" check the geometric rules of rankine-quadrant-v0
# (agency radii as level edges, flat core), which is kept as the verification
# baseline; the default model (holland-fetch-v2) is tested in test_wind.py.
LEGACY = {"wind_model": LEGACY_WIND_MODEL}


def westward(
    start_lon: float, hours: int = 48, lat: float = 20.0, **kwargs
) -> Forecast:
    points = tuple(
        TrackPoint(
            valid_utc=T0 + timedelta(hours=h),
            lead_hours=h,
            lat=lat,
            lon=start_lon - SPEED * h,
            **kwargs,
        )
        for h in range(0, hours + 1, 12)
    )
    return Forecast("T", "T", "test", T0, 1, points)


def communes(*coords: tuple[float, float], **columns: list) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "commune_code": [f"{i:05d}" for i in range(len(coords))],
            "lat": [c[0] for c in coords],
            "lon": [c[1] for c in coords],
        }
    )
    for name, values in columns.items():
        frame[name] = values
    return frame


def offset(lat: float, lon: float, bearing: float, nm: float) -> tuple[float, float]:
    plat, plon = destination(lat, lon, bearing, nm * KM_PER_NM)
    return float(plat), float(plon)


def lon_offset_for(distance_nm: float, lat: float = 20.0) -> float:
    """Longitude difference at which a point on the same parallel is *distance_nm* away."""
    half = distance_nm * KM_PER_NM / (2 * EARTH_RADIUS_KM)
    return math.degrees(2 * math.asin(math.sin(half) / math.cos(math.radians(lat))))


# ---------------------------------------------------------------- ETAs


def test_level8_eta_is_the_hour_the_centre_comes_within_r34() -> None:
    # The centre is 100 nmi (minus 1 cm) east of the commune exactly at 10:00.
    start = 110.0 + lon_offset_for(R34) - 1e-7 + SPEED * 10
    fc = westward(start, vmax_kt=60, r34_nm=Radii(R34, R34, R34, R34))
    out = compute_exposure(fc, communes((20.0, 110.0)), **LEGACY)  # previous model
    assert out.loc[0, "level8_eta_utc"] == pd.Timestamp(T0 + timedelta(hours=10))
    assert out.loc[0, "level6_eta_utc"] < out.loc[0, "level8_eta_utc"]
    assert out.loc[0, "closest_approach_utc"] > out.loc[0, "level8_eta_utc"]
    assert out.loc[0, "min_distance_km"] < 30
    assert out.loc[0, "max_wind_level"] >= 8


def test_one_hour_later_start_moves_the_eta_by_one_hour() -> None:
    start = 110.0 + lon_offset_for(R34) - 1e-7 + SPEED * 11
    fc = westward(start, vmax_kt=60, r34_nm=Radii(R34, R34, R34, R34))
    out = compute_exposure(fc, communes((20.0, 110.0)), **LEGACY)  # previous model
    assert out.loc[0, "level8_eta_utc"] == pd.Timestamp(T0 + timedelta(hours=11))


def test_a_commune_1000_km_away_is_never_exposed() -> None:
    fc = westward(118.0, vmax_kt=90, r34_nm=Radii(R34, R34, R34, R34))
    far = offset(20.0, 110.0, 0, 1000 / KM_PER_NM)  # 1000 km north of the track's end
    out = compute_exposure(fc, communes(far))
    row = out.iloc[0]
    assert row["max_wind_level"] == 0
    assert not row["in_cone"]
    assert row["risk_level"] == 0
    assert pd.isna(row["level6_eta_utc"]) and pd.isna(row["level8_eta_utc"])
    assert pd.isna(row["level10_eta_utc"])
    assert row["min_distance_km"] == pytest.approx(1000, rel=1e-3)


def test_hours_before_the_clock_are_ignored() -> None:
    fc = westward(114.0, vmax_kt=60, r34_nm=Radii(R34, R34, R34, R34))
    # Passes the commune at 08:00; at 09:30 the centre is 0.75° (42 nmi) west.
    place = communes((20.0, 110.0))
    before = compute_exposure(fc, place)
    assert before.loc[0, "closest_approach_utc"] == pd.Timestamp(
        T0 + timedelta(hours=8)
    )
    clock = T0 + timedelta(hours=9, minutes=30)
    after = compute_exposure(fc, place, clock)
    assert after.loc[0, "level8_eta_utc"] == pd.Timestamp(clock)  # already inside
    assert after.loc[0, "closest_approach_utc"] == pd.Timestamp(clock)
    gone = compute_exposure(fc, place, T0 + timedelta(hours=60))
    assert pd.isna(gone.loc[0, "level6_eta_utc"]) and gone.loc[0, "max_wind_level"] == 0


# ---------------------------------------------------------------- quadrants


def test_quadrant_asymmetry() -> None:
    fc = westward(110.0, hours=12, vmax_kt=60, r34_nm=Radii(150, 50, 50, 50))
    ne = offset(20.0, 110.0, 45, 120)
    sw = offset(20.0, 110.0, 225, 120)
    out = compute_exposure(fc, communes(ne, sw), T0, **LEGACY)  # previous model
    assert out.loc[0, "level8_eta_utc"] == pd.Timestamp(T0)
    assert pd.isna(out.loc[1, "level8_eta_utc"])
    assert out.loc[1, "max_wind_level"] in (6, 7)  # level 6 from the profile


def test_distance_and_quadrant_of_known_points() -> None:
    lat = np.array([21.0, 19.0, 19.0, 21.0, 20.0])
    lon = np.array([111.0, 111.0, 109.0, 109.0, 110.0])
    distance, quadrant = distance_and_quadrant(
        lat, lon, np.array([20.0]), np.array([110.0])
    )
    assert quadrant[:, 0].tolist() == [0, 1, 2, 3, 0]
    assert distance[4, 0] == pytest.approx(0.0, abs=1e-6)
    one_degree = math.radians(1) * EARTH_RADIUS_KM
    d_north, _ = distance_and_quadrant(
        np.array([21.0]), np.array([110.0]), np.array([20.0]), np.array([110.0])
    )
    assert d_north[0, 0] == pytest.approx(one_degree, rel=1e-9)


def test_commune_size_brings_a_commune_inside() -> None:
    fc = westward(110.0, hours=12, vmax_kt=60, r34_nm=Radii(R34, R34, R34, R34))
    place = offset(20.0, 110.0, 0, 110)  # 10 nmi beyond R34 at 00:00
    plain = compute_exposure(fc, communes(place), T0, **LEGACY)  # previous model
    assert pd.isna(plain.loc[0, "level8_eta_utc"]) or plain.loc[0, "level8_eta_utc"] > (
        pd.Timestamp(T0)
    )
    radius_km = 12 * KM_PER_NM
    by_area = compute_exposure(
        fc, communes(place, area_km2=[math.pi * radius_km**2]), T0, **LEGACY
    )
    assert by_area.loc[0, "level8_eta_utc"] == pd.Timestamp(T0)
    by_radius = compute_exposure(
        fc, communes(place, radius_km=[radius_km]), T0, **LEGACY
    )
    assert by_radius.loc[0, "level8_eta_utc"] == pd.Timestamp(T0)


def test_max_wind_level_bands() -> None:
    fc = westward(
        110.0,
        hours=12,
        vmax_kt=70,
        r34_nm=Radii(120, 120, 120, 120),
        r50_nm=Radii(60, 60, 60, 60),
        r64_nm=Radii(25, 25, 25, 25),
    )
    places = [
        (20.0, 110.0),
        offset(20.0, 110.0, 0, 40),
        offset(20.0, 110.0, 0, 90),
        offset(20.0, 110.0, 0, 200),
    ]
    out = compute_exposure(fc, communes(*places), T0, **LEGACY)  # previous model
    assert out["max_wind_level"].tolist()[0] == 12  # 70 kt is level 12
    assert out["max_wind_level"].tolist()[1] in (10, 11)
    assert out["max_wind_level"].tolist()[2] in (8, 9)
    assert out["max_wind_level"].tolist()[3] in (6, 7)
    assert out["level12_eta_utc"].notna().tolist() == [True, False, False, False]


# ---------------------------------------------------------------- cone


def test_built_cone_membership_without_wind() -> None:
    fc = westward(118.0, vmax_kt=18)  # below level 6: no wind areas at all
    centre_48 = (20.0, 118.0 - SPEED * 48)  # cone radius 67 nmi at 48 h
    inside = offset(*centre_48, 0, 60)
    outside = offset(*centre_48, 0, 75)
    out = compute_exposure(fc, communes(inside, outside))
    assert out["in_cone"].tolist() == [True, False]
    assert out["risk_level"].tolist() == [1, 0]
    assert out["max_wind_level"].tolist() == [0, 0]


def test_product_cone_with_points_tolerance_and_polygons() -> None:
    box = {
        "type": "Polygon",
        "coordinates": [[[105, 15], [110, 15], [110, 22], [105, 22], [105, 15]]],
    }
    base = westward(118.0, vmax_kt=18)
    fc = Forecast("T", "T", "t", T0, 1, base.points, cone_geojson=box)
    places = [(18.0, 107.0), (18.0, 110.05), (18.0, 112.0)]
    points_only = compute_exposure(fc, communes(*places))
    assert points_only["in_cone"].tolist() == [True, False, False]
    with_radius = compute_exposure(fc, communes(*places, radius_km=[1.0, 10.0, 10.0]))
    assert with_radius["in_cone"].tolist() == [True, True, False]
    polygons = [shapely.Point(lon, lat).buffer(0.1) for lat, lon in places]
    with_shapes = compute_exposure(fc, communes(*places, geometry=polygons))
    assert with_shapes["in_cone"].tolist() == [True, True, False]


# ---------------------------------------------------------------- risk


@pytest.mark.parametrize(
    ("storm_level", "region", "expected"),
    [
        (5, "north_central_coast_land", 0),
        (6, "north_central_coast_land", 3),
        (9, "east_sea", 3),
        (11, "north_central_coast_land", 3),
        (11, "southern_land", 4),
        (12, "east_sea", 3),
        (12, "north_central_coast_land", 4),
        (13, "southern_land", 5),
        (13, "mountains_highlands", 4),
        (14, "east_sea", 4),
        (15, "north_central_coast_land", 4),
        (15, "south_central_land", 5),
        (16, "east_sea", 4),
        (16, "north_central_coast_land", 5),
        (18, "mountains_highlands", 5),
        (12, "unknown region", 4),
    ],
)
def test_decree_risk_table(storm_level: int, region: str, expected: int) -> None:
    assert decree_risk_level(storm_level, region) == expected


@pytest.mark.parametrize(
    ("speed_kt", "level"),
    [
        (20.9, 0),
        (21.0, 6),
        (27.1, 7),
        (33.5, 8),
        (47.7, 10),
        (63.7, 12),
        (99.2, 16),
        (125.0, 18),
    ],
)
def test_beaufort_level_of_kt(speed_kt: float, level: int) -> None:
    assert beaufort_level_of_kt(speed_kt) == level


@pytest.mark.parametrize(
    ("vmax_kt", "region", "expected"),
    [
        (30, None, 3),  # depression: level 6-7
        (70, None, 4),  # level 12 storm over the northern/central coast
        (70, "southern_land", 5),
        (70, "east_sea", 3),
        (105, None, 5),  # level 16 (super typhoon)
    ],
)
def test_risk_level_of_a_commune_in_the_level6_area(
    vmax_kt: float, region: str | None, expected: int
) -> None:
    fc = westward(110.0, hours=12, vmax_kt=vmax_kt)
    extra = {"risk_region": [region]} if region else {}
    out = compute_exposure(fc, communes((20.0, 109.9), **extra), T0)
    assert out.loc[0, "risk_level"] == expected


def test_risk_level_2_when_level6_is_within_the_track_error() -> None:
    fc = westward(118.0, vmax_kt=30)  # level-6 radius ~ 50 nmi
    centre_48 = (20.0, 118.0 - SPEED * 48)
    place = offset(*centre_48, 0, 80)  # beyond 50 nmi, within 50 + 67 nmi
    out = compute_exposure(fc, communes(place))
    assert out.loc[0, "max_wind_level"] == 0
    assert out.loc[0, "risk_level"] == 2


def test_risk_colours() -> None:
    assert sorted(RISK_COLOURS) == [1, 2, 3, 4, 5]
    assert all(len(c) == 7 and c.startswith("#") for c in RISK_COLOURS.values())
    assert RISK_COLOUR_NAMES == {
        1: "light blue",
        2: "light yellow",
        3: "orange",
        4: "red",
        5: "purple",
    }
    assert len(RISK_REGIONS) == 5


# ---------------------------------------------------------------- output, time


def test_output_shape_and_types() -> None:
    fc = westward(112.0, vmax_kt=60, r34_nm=Radii(R34, R34, R34, R34))
    frame = communes((20.0, 110.0), (10.0, 105.0))
    frame.index = [10, 20]
    out = compute_exposure(fc, frame)
    assert list(out.index) == [10, 20]
    assert out["commune_code"].tolist() == ["00000", "00001"]
    for column in ("level6_eta_utc", "level8_eta_utc", "level10_eta_utc"):
        assert str(out[column].dt.tz) == "UTC"
    assert out["in_cone"].dtype == bool
    assert out["risk_level"].between(0, 5).all()


def test_humanize_eta() -> None:
    clock = datetime(2025, 7, 20, 12, tzinfo=UTC)
    assert humanize_eta(pd.Timestamp("2025-07-20 13:30", tz="UTC"), clock) == 1.5
    assert humanize_eta(clock - timedelta(hours=2), clock) == -2.0
    assert math.isnan(humanize_eta(pd.NaT, clock))
    series = pd.Series(pd.to_datetime(["2025-07-21 12:00", None]).tz_localize("UTC"))
    hours = humanize_eta(series, clock)
    assert hours.iloc[0] == 24.0 and math.isnan(hours.iloc[1])


def test_national_sized_input_gives_one_row_per_commune() -> None:
    # Speed is measured by ``benchmarks/run.py --only exposure``, not here.
    rng = np.random.default_rng(0)
    n = 3321
    frame = pd.DataFrame(
        {
            "commune_code": [f"{i:05d}" for i in range(n)],
            "lat": rng.uniform(8.5, 23.4, n),
            "lon": rng.uniform(102.1, 109.5, n),
            "area_km2": rng.uniform(2, 500, n),
        }
    )
    fc = westward(
        120.0,
        hours=120,
        vmax_kt=90,
        r34_nm=Radii(150, 120, 100, 120),
        r50_nm=Radii(70, 60, 50, 60),
        r64_nm=Radii(35, 30, 25, 30),
    )
    out = compute_exposure(fc, frame)
    assert len(out) == n
    assert list(out.index) == list(frame.index)
    assert out["level8_eta_utc"].notna().any()


@pytest.mark.parametrize("radius_12h", [240.0, 600.0])
def test_built_cone_test_agrees_with_the_drawn_cone(radius_12h: float) -> None:
    # One 12-h segment of 338 nmi: the hull's tangents matter (|dr| / L = 0.7),
    # or the second circle swallows the first (|dr| / L = 1.8).
    table = (np.array([0.0, 12.0]), np.array([0.0, radius_12h]))
    track = interpolate_track(westward(116.0, hours=12), step_hours=12)
    assert len(track) == 2
    drawn = built_cone(track, table, segments=360)
    rng = np.random.default_rng(1)
    lat = rng.uniform(8.0, 32.0, 4000)
    lon = rng.uniform(98.0, 122.0, 4000)
    tested = in_built_cone(lat, lon, track, 0.0, table)
    points = shapely.points(lon, lat)
    contained = shapely.contains(drawn, points)
    clear = (
        shapely.distance(drawn.boundary, points) * 111.0 * math.cos(math.radians(26.0))
        > 3.0
    )
    assert clear.sum() > 3000
    assert contained[clear].any() and not contained[clear].all()
    assert np.array_equal(tested[clear], contained[clear])


def test_no_level8_where_the_quadrant_radius_is_zero() -> None:
    fc = westward(110.0, hours=12, vmax_kt=30)  # depression: R34 = 0
    out = compute_exposure(fc, communes((20.0, 110.0), area_km2=[500.0]), T0)
    assert pd.isna(out.loc[0, "level8_eta_utc"])
    assert out.loc[0, "max_wind_level"] == 7  # 30 kt is level 7
