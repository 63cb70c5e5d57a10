"""Track-error cone, wind profile and wind-area geometries."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import shapely

from dashboard.storms.cone import (
    CONE_RADII_FILE,
    KM_PER_NM,
    PROFILE_X_MIN,
    built_cone,
    cone_polygon,
    cone_radius_nm,
    destination,
    legacy_level_radii,
    legacy_wind_profile,
    level_radii,
    load_cone_radii,
    quadrant_polygon,
    radius_of_max_wind_nm,
    wind_areas,
    wind_swath,
)
from dashboard.storms.model import Forecast, Radii, TrackPoint
from dashboard.storms.track import interpolate_track

T0 = datetime(2025, 7, 20, 0, tzinfo=UTC)


def westward(
    hours: int = 120, speed_deg_h: float = 0.1, lat: float = 20.0, **kwargs
) -> Forecast:
    """A storm moving due west along *lat* from 120°E, points every 12 h."""
    points = tuple(
        TrackPoint(
            valid_utc=T0 + timedelta(hours=h),
            lead_hours=h,
            lat=lat,
            lon=120.0 - speed_deg_h * h,
            **kwargs,
        )
        for h in range(0, hours + 1, 12)
    )
    return Forecast("T", "T", "test", T0, 1, points)


def at(lat: float, lon: float, bearing: float, nm: float) -> shapely.Point:
    plat, plon = destination(lat, lon, bearing, nm * KM_PER_NM)
    return shapely.Point(float(plon), float(plat))


# ---------------------------------------------------------------- cone radii


def test_cone_radius_file_re_encodes_nhc_2023_atlantic() -> None:
    leads, radii = load_cone_radii()
    assert leads.tolist() == [0, 12, 24, 36, 48, 60, 72, 96, 120]
    assert radii.tolist() == [0, 26, 39, 53, 67, 81, 99, 145, 205]
    with CONE_RADII_FILE.open(encoding="utf-8") as handle:
        sources = {row["source"] for row in csv.DictReader(handle)}
    assert (
        "NHC, Definition of the NHC Track Forecast Cone, 2023 Atlantic radii" in sources
    )


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        (-6, 0.0),
        (0, 0.0),
        (6, 13.0),
        (12, 26.0),
        (18, 32.5),
        (84, 122.0),
        (120, 205.0),
        (168, 205.0),
    ],
)
def test_cone_radius_is_interpolated_between_rows(lead: float, expected: float) -> None:
    assert cone_radius_nm(lead) == pytest.approx(expected)


def test_a_custom_table_is_used() -> None:
    table = (np.array([0.0, 24.0]), np.array([10.0, 50.0]))
    assert cone_radius_nm(np.array([12.0, 48.0]), table) == pytest.approx([30.0, 50.0])


# ---------------------------------------------------------------- built cone


def test_built_cone_contains_points_within_the_error_radius() -> None:
    track = interpolate_track(westward())
    cone = built_cone(track)
    centre_48 = (20.0, 120.0 - 4.8)
    # 48 h: radius 67 nmi.
    assert cone.contains(at(*centre_48, 0, 60))
    assert cone.contains(at(*centre_48, 180, 60))
    assert not cone.contains(at(*centre_48, 0, 75))
    # The cone starts as a point: 20 nmi north of the analysis is outside.
    assert not cone.contains(at(20.0, 120.0, 0, 20))
    # 120 h: radius 205 nmi.
    assert cone.contains(at(20.0, 108.0, 0, 195))
    assert not cone.contains(at(20.0, 108.0, 0, 215))


def test_built_cone_ignores_past_positions() -> None:
    points = (
        TrackPoint(T0 - timedelta(hours=24), -24, 18.0, 125.0, is_forecast=False),
        TrackPoint(T0, 0, 20.0, 120.0),
        TrackPoint(T0 + timedelta(hours=24), 24, 20.0, 117.0),
    )
    cone = built_cone(interpolate_track(Forecast("T", "T", "t", T0, 1, points)))
    assert cone.bounds[2] <= 120.0 + 1e-9
    assert not cone.contains(shapely.Point(123.0, 19.0))


def test_product_cone_is_used_when_present() -> None:
    box = {
        "type": "Polygon",
        "coordinates": [[[100, 10], [110, 10], [110, 20], [100, 20], [100, 10]]],
    }
    fc = westward()
    with_cone = Forecast("T", "T", "t", T0, 1, fc.points, cone_geojson=box)
    assert cone_polygon(with_cone).equals(shapely.box(100, 10, 110, 20))
    feature = {"type": "Feature", "properties": {}, "geometry": box}
    as_feature = Forecast("T", "T", "t", T0, 1, fc.points, cone_geojson=feature)
    assert cone_polygon(as_feature).equals(shapely.box(100, 10, 110, 20))
    assert not cone_polygon(fc).equals(shapely.box(100, 10, 110, 20))


# ---------------------------------------------------------------- geometry


def test_quadrant_polygon_follows_each_quadrant_radius() -> None:
    area = quadrant_polygon(20.0, 110.0, np.array([150.0, 50.0, 50.0, 50.0]))
    assert area.contains(at(20.0, 110.0, 45, 120))
    assert not area.contains(at(20.0, 110.0, 225, 120))
    assert area.contains(at(20.0, 110.0, 225, 45))
    assert not area.contains(at(20.0, 110.0, 135, 55))


@pytest.mark.parametrize("bearing", [10, 100, 190, 280, 350])
def test_circle_edge_is_at_the_great_circle_radius(bearing: float) -> None:
    area = quadrant_polygon(20.0, 110.0, np.full(4, 100.0), per_quadrant=90)
    assert area.contains(at(20.0, 110.0, bearing, 99.0))
    assert not area.contains(at(20.0, 110.0, bearing, 101.0))


def test_zero_radii_give_an_empty_area() -> None:
    assert quadrant_polygon(20.0, 110.0, np.zeros(4)).is_empty


# ---------------------------------------------------------------- wind profile


def test_willoughby_radius_of_maximum_wind() -> None:
    assert radius_of_max_wind_nm(np.array([0.0]), np.array([0.0]))[0] == pytest.approx(
        46.4 / 1.852
    )
    # Stronger storms are tighter, higher latitudes broader.
    rm = radius_of_max_wind_nm(
        np.array([50.0, 100.0, 100.0]), np.array([15.0, 15.0, 25.0])
    )
    assert rm[1] < rm[0] and rm[2] > rm[1]


# Tests of ``legacy_*`` check the previous model (rankine-quadrant-v0), kept as
# the verification baseline; ``level_radii`` now comes from holland-fetch-v2.


def test_published_radii_are_used_for_levels_8_10_12() -> None:
    track = interpolate_track(
        westward(
            24,
            vmax_kt=90,
            r34_nm=Radii(120, 100, 80, 90),
            r50_nm=Radii(60, 50, 40, 45),
            r64_nm=Radii(30, 25, 20, 25),
        )
    )
    radii = legacy_level_radii(track)
    assert radii[8][0] == pytest.approx([120, 100, 80, 90])
    assert radii[10][0] == pytest.approx([60, 50, 40, 45])
    assert radii[12][0] == pytest.approx([30, 25, 20, 25])
    assert np.all(radii[6] >= radii[8])
    assert np.all(radii[6][0] > radii[8][0])


def test_level6_radius_matches_the_profile_at_21_kt() -> None:
    track = interpolate_track(westward(24, vmax_kt=110, r34_nm=Radii(80, 70, 60, 70)))
    profile = legacy_wind_profile(track)
    r6 = legacy_level_radii(track, profile)[6]
    rows = np.zeros(4, dtype=np.intp)
    quadrant = np.arange(4)
    assert profile.speed(rows, quadrant, r6[0]) == pytest.approx(21.0)
    assert profile.speed(rows, quadrant, np.array([80, 70, 60, 70.0])) == pytest.approx(
        34.0
    )
    assert profile.speed(
        rows, quadrant, profile.rmw_nm[0] * np.ones(4)
    ) == pytest.approx(110.0)
    # A compact intense storm keeps its fitted exponent (> 0.6) → narrower than the cap.
    assert np.all(r6[0] < np.array([80, 70, 60, 70]) * (34 / 21) ** (1 / PROFILE_X_MIN))


def test_broad_weak_storm_is_capped_by_the_minimum_exponent() -> None:
    track = interpolate_track(
        westward(24, vmax_kt=51, r34_nm=Radii(120, 120, 120, 120))
    )
    r6 = legacy_level_radii(track)[6][0]
    assert r6 == pytest.approx(120 * (34 / 21) ** (1 / PROFILE_X_MIN))
    # The 50-kt radius filled in from the profile stays near the core.
    r50 = legacy_level_radii(track)[10][0]
    assert np.all(r50 > 0) and np.all(r50 < 40)


def test_depression_without_radii_gets_a_small_level6_area() -> None:
    track = interpolate_track(westward(24, vmax_kt=30))
    radii = level_radii(track)
    assert np.all(radii[8] == 0)
    r6_km = radii[6][0] * KM_PER_NM
    assert np.all((r6_km > 70) & (r6_km < 110))


def test_below_level6_or_unknown_wind_has_no_area() -> None:
    weak = level_radii(interpolate_track(westward(24, vmax_kt=18)))
    assert all(np.all(r == 0) for r in weak.values())
    unknown = level_radii(interpolate_track(westward(24)))
    assert all(np.all(r == 0) for r in unknown.values())


def test_zero_r34_quadrant_keeps_no_level8_but_gets_level6() -> None:
    track = interpolate_track(westward(24, vmax_kt=45, r34_nm=Radii(100, 60, 0, 40)))
    radii = legacy_level_radii(track)
    assert radii[8][0, 2] == 0
    assert radii[6][0, 2] > 0


def test_wind_areas_one_polygon_per_sample() -> None:
    track = interpolate_track(
        westward(24, vmax_kt=60, r34_nm=Radii(100, 100, 100, 100))
    )
    areas = wind_areas(track, 8)
    assert len(areas) == len(track) == 25
    assert areas[0].contains(at(20.0, 120.0, 90, 95))
    assert not areas[0].contains(at(20.0, 120.0, 90, 105))
    assert all(a.is_empty for a in wind_areas(track, 12))
    swath = wind_swath(track, 8)
    assert swath.contains(at(20.0, 118.8, 0, 95))
    assert wind_areas(track, 6)[0].area > areas[0].area
