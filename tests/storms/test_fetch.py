"""Upwind land fetch: ray marching on synthetic masks, the sector the wind comes
from, and the directional land reduction of holland-fetch-v2."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from dashboard.storms import fetch, wind
from dashboard.storms.model import Forecast, Radii, TrackPoint
from dashboard.storms.track import interpolate_track

LAT = 20.0
KM_PER_DEG_LON = fetch.KM_PER_DEG * math.cos(math.radians(LAT))
STEP = fetch.RAY_STEP_KM


def land_west_of(lon_coast: float, lon_west: float = -180.0):
    """Land between two meridians (a straight north-south coast), sea elsewhere."""

    def is_land(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        lon = np.asarray(lon)
        return (lon < lon_coast) & (lon >= lon_west)

    return is_land


def island(lat0: float, lon0: float, half_deg: float):
    def is_land(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        return (np.abs(np.asarray(lat) - lat0) < half_deg) & (
            np.abs(np.asarray(lon) - lon0) < half_deg
        )

    return is_land


def fetch_at(is_land, lat: float, lon: float, direction: float) -> float:
    return float(
        fetch.ray_fetch_km(is_land, np.array([lat]), np.array([lon]), direction)[0]
    )


# ---------------------------------------------------------------- offline fetch


def test_straight_coast_onshore_wind_has_no_fetch_offshore_wind_a_long_one() -> None:
    coast = land_west_of(106.0)
    on_coast = 106.0 - 0.01 / KM_PER_DEG_LON  # 10 m inland
    for onshore in (45.0, 67.5, 90.0, 112.5, 135.0):  # the sea is to the east
        assert fetch_at(coast, LAT, on_coast, onshore) == pytest.approx(0.0, abs=STEP)
    for offshore in (225.0, 270.0, 315.0):
        assert fetch_at(coast, LAT, on_coast, offshore) == fetch.FETCH_CAP_KM
    # Inland, the onshore fetch is the distance from the coast, and it grows.
    inland = [0.5, 1.0, 2.0, 5.0, 12.0]
    onshore = [fetch_at(coast, LAT, 106.0 - x / KM_PER_DEG_LON, 90.0) for x in inland]
    assert onshore == pytest.approx(inland, abs=STEP)
    # A point at sea has no land fetch whatever the direction.
    assert fetch_at(coast, LAT, 106.01, 270.0) == 0.0


def test_offshore_fetch_across_a_land_strip_grows_as_the_wind_turns_along_it() -> None:
    strip = land_west_of(106.0, 105.9)  # 0.1° of land, sea on both sides
    width = 0.1 * KM_PER_DEG_LON  # 10.45 km
    on_coast = 106.0 - 0.001 / KM_PER_DEG_LON
    # Hand-checked: across the strip at an angle a from the normal, width / cos a.
    for direction, expected in (
        (270.0, width),
        (292.5, width / math.cos(math.radians(22.5))),
        (315.0, width / math.cos(math.radians(45.0))),
    ):
        assert fetch_at(strip, LAT, on_coast, direction) == pytest.approx(
            expected, abs=2 * STEP
        )
    assert fetch_at(strip, LAT, on_coast, 337.5) == fetch.FETCH_CAP_KM  # 27 km > cap
    assert fetch_at(strip, LAT, on_coast, 90.0) == pytest.approx(0.0, abs=STEP)


def test_island_fetch_is_never_more_than_the_island() -> None:
    half = 0.025  # a 5.2 km × 5.6 km island
    isle = island(LAT, 107.0, half)
    width_ew = 2 * half * KM_PER_DEG_LON
    width_ns = 2 * half * fetch.KM_PER_DEG
    diagonal = math.hypot(width_ew, width_ns)
    # Its centre: half the width across, whatever the direction.
    centre = [fetch_at(isle, LAT, 107.0, d) for d in fetch.sector_directions()]
    assert centre[4] == pytest.approx(width_ew / 2, abs=STEP)  # from the east
    assert centre[0] == pytest.approx(width_ns / 2, abs=STEP)  # from the north
    assert max(centre) <= diagonal / 2 + STEP
    # Anywhere on it, never more than the island's extent.
    lat, lon = np.meshgrid(
        LAT + np.linspace(-0.9, 0.9, 7) * half, 107.0 + np.linspace(-0.9, 0.9, 7) * half
    )
    for direction in fetch.sector_directions():
        values = fetch.ray_fetch_km(isle, lat.ravel(), lon.ravel(), direction)
        assert (values > 0).all() and (values <= diagonal + STEP).all()


def test_a_cell_takes_its_upwind_edge_so_the_windward_shore_is_open() -> None:
    cell = 1.0 / 120.0
    coast = land_west_of(106.0)
    # The coast cell (its east edge on the coast) and the next one inland.
    lon = 106.0 - cell * np.array([0.5, 1.5])
    lat = np.full(2, LAT)
    values = fetch.cell_fetch_km(coast, lat, lon, cell, cell)
    east = 4  # sector of a wind from 90°: onshore
    assert values[0, east] == pytest.approx(0.0, abs=STEP)
    assert values[1, east] == pytest.approx(cell * KM_PER_DEG_LON, abs=STEP)
    assert (values[:, 12] == fetch.FETCH_CAP_KM).all()  # from the west: land
    # The cells of an island: in every direction one of them is on the
    # windward shore, so the island's most exposed part keeps the sea wind.
    half = 0.025
    isle = island(LAT, 107.0, half)
    centres = (np.arange(-3, 3) + 0.5) * cell
    clat, clon = np.meshgrid(LAT + centres, 107.0 + centres)
    per_cell = fetch.cell_fetch_km(isle, clat.ravel(), clon.ravel(), cell, cell)
    assert per_cell.min(axis=0) == pytest.approx(np.zeros(fetch.SECTORS), abs=STEP)


# ---------------------------------------------------------------- direction


def test_wind_direction_and_sector() -> None:
    # North of the centre (bearing 0°) the wind comes from the east-north-east.
    assert fetch.wind_from_deg(0.0, 25.0, 20.0) == pytest.approx(65.0)
    assert fetch.wind_from_deg(180.0, 25.0, 20.0) == pytest.approx(245.0)
    assert fetch.wind_from_deg(90.0, 0.0, 20.0) == pytest.approx(180.0)
    assert fetch.wind_from_deg(0.0, 25.0, -20.0) == pytest.approx(295.0)  # south
    assert fetch.sector_of(
        np.array([65.0, 245.0, -10.0, 349.0, 375.0, 11.0])
    ).tolist() == [
        3,
        11,
        0,
        0,
        1,
        0,
    ]
    # Phadke et al. (2003) over water, +20° once adjusted to land.
    x = np.array([0.0, 0.5, 1.0, 1.1, 1.2, 3.0])
    assert fetch.inflow_angle_deg(x) == pytest.approx([10, 15, 20, 22.5, 25, 25])
    assert fetch.inflow_angle_deg(3.0, 1.0) == pytest.approx(45.0)


T0 = datetime(2025, 7, 20, 0, tzinfo=UTC)


def still_storm(lat: float, lon: float) -> wind.Vortex:
    points = tuple(
        TrackPoint(
            valid_utc=T0 + timedelta(hours=h),
            lead_hours=h,
            lat=lat,
            lon=lon,
            vmax_kt=80.0,
            rmw_nm=15.0,
            r34_nm=Radii(120, 120, 120, 120),
        )
        for h in (0, 6)
    )
    track = interpolate_track(Forecast("T", "T", "test", T0, 1, points))
    return wind.fit_vortex(track), track


def winds_at(centre: tuple[float, float], fetch_row: np.ndarray | None) -> np.ndarray:
    vortex, track = still_storm(*centre)
    out = wind.point_winds(
        vortex,
        track.lat,
        track.lon,
        np.array([20.0]),
        np.array([107.0]),
        np.zeros(1),
        floor_kt=1.0,
        fetch_km=None if fetch_row is None else fetch_row[None, :],
    )
    return out.sustained[0], out.gust_factor[0]


def test_the_sector_follows_the_storm_north_or_south_of_the_place() -> None:
    # Land to the west of the place only (sectors 10-12: wind from 225-270°).
    row = np.zeros(fetch.SECTORS)
    row[[10, 11, 12]] = fetch.FETCH_CAP_KM
    south, north = (19.5, 107.0), (20.5, 107.0)
    # Storm to the south: the wind comes from the east-north-east, off the sea.
    open_south, _ = winds_at(south, None)
    directional_south, g_south = winds_at(south, row)
    assert directional_south == pytest.approx(open_south)
    assert g_south == pytest.approx(wind.GUST_FACTOR_OFF_SEA)
    # Storm to the north: from the west-south-west, over the land.
    open_north, _ = winds_at(north, None)
    directional_north, g_north = winds_at(north, row)
    assert directional_north == pytest.approx(
        open_north * wind.LAND_FACTOR_INLAND, rel=1e-6
    )
    assert g_north == pytest.approx(wind.GUST_FACTOR_IN_LAND, rel=1e-6)


def test_wind_falls_monotonically_with_the_fetch_it_comes_over() -> None:
    north = (20.5, 107.0)
    speeds = [
        winds_at(north, np.full(fetch.SECTORS, x))[0].max()
        for x in (0.0, 0.2, 0.5, 1.0, 2.0, 5.0, 20.0)
    ]
    assert np.all(np.diff(speeds) < 0)
    # Without a direction, the same distance applies whatever the sector.
    vortex, track = still_storm(*north)
    isotropic = wind.point_winds(
        vortex,
        track.lat,
        track.lon,
        np.array([20.0]),
        np.array([107.0]),
        np.array([2.0]),
        floor_kt=1.0,
    )
    assert isotropic.sustained.max() == pytest.approx(speeds[4])


# ---------------------------------------------------------------- shipped data


def test_commune_fetch_is_never_below_the_distance_from_the_sea() -> None:
    table = pd.read_csv(wind.COMMUNE_INLAND_FILE, dtype={"commune_code": str})
    codes = table["commune_code"].to_numpy()
    inland = table["min_inland_km"].to_numpy(dtype=float)
    values = wind.commune_fetch_km(codes, inland)
    assert values.shape == (len(codes), fetch.SECTORS)
    # So the directional model never gives a commune more wind than holland-land-v1.
    assert (values >= inland[:, None] - 1e-9).all()
    # Far from the sea: the distance inland in every direction (Ba Đình, Hà Nội).
    hanoi = wind.commune_fetch_km(np.array(["00004"]), np.array([80.0]))
    assert (hanoi == 80.0).all()
    # The island special zones are open to the sea on some shore in every direction.
    islands = wind.commune_fetch_km(np.array(["11948", "07192"]), np.zeros(2))
    assert (islands == 0.0).all()
    # Some coastal communes are sheltered in some directions (offshore winds).
    coastal = values[inland == 0]
    assert (coastal.max(axis=1) > 5).sum() > 100


def test_every_verification_station_has_its_own_fetch() -> None:
    from benchmarks import wind_skill

    stations = wind_skill.load_stations()
    lat = stations["lat"].to_numpy(dtype=float)
    lon = stations["lon"].to_numpy(dtype=float)
    shipped = pd.read_csv(wind.STATION_FETCH_FILE)
    assert len(shipped) == len(stations.drop_duplicates(["lat", "lon"]))
    values = wind.point_fetch_km(lat, lon)
    by_name = dict(zip(stations["station"], values, strict=True))
    assert (by_name["Hưng Yên"] == fetch.FETCH_CAP_KM).all()  # 50 km inland
    assert (by_name["Hòn Dáu"] == 0.0).all()  # at sea on the 1-km mask
    cat_ba = by_name["Cát Bà"]  # south shore of the island: sea to the south
    assert cat_ba[8] < 2 and cat_ba[0] > 10
    # Any other point: its distance inland in every direction.
    other = wind.point_fetch_km(np.array([21.03]), np.array([105.85]))
    assert (other == wind.inland_km_at(np.array([21.03]), np.array([105.85]))).all()
