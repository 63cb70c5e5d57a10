"""The wind model holland-fetch-v2: profile, land reduction, decay, gusts, drill."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from dashboard.storms import wind
from dashboard.storms.cone import KM_PER_NM, destination, level_radii
from dashboard.storms.exposure import (
    LEGACY_WIND_MODEL,
    beaufort_level_of_kt,
    compute_exposure,
)
from dashboard.storms.model import Forecast, Radii, TrackPoint
from dashboard.storms.track import interpolate_track

T0 = datetime(2025, 7, 20, 0, tzinfo=UTC)


def track_of(
    lat: float = 17.0,
    lon: float = 114.0,
    hours: int = 12,
    dlon_per_h: float = 0.0,
    minutes: int = 1,
    **kwargs,
) -> Forecast:
    points = tuple(
        TrackPoint(
            valid_utc=T0 + timedelta(hours=h),
            lead_hours=h,
            lat=lat,
            lon=lon + dlon_per_h * h,
            **kwargs,
        )
        for h in range(0, hours + 1, 6)
    )
    return Forecast("T", "T", "test", T0, minutes, points)


RADII = {
    "vmax_kt": 100.0,
    "rmw_nm": 15.0,
    "r34_nm": Radii(150, 120, 90, 110),
    "r50_nm": Radii(80, 60, 45, 55),
    "r64_nm": Radii(40, 35, 25, 30),
}


def vortex_of(forecast: Forecast) -> tuple[wind.Vortex, int]:
    track = interpolate_track(forecast)
    return wind.fit_vortex(track, forecast.wind_averaging_minutes), len(track)


# ---------------------------------------------------------------- profile


def test_wind_at_the_radius_of_maximum_wind_is_the_maximum() -> None:
    vortex, _n = vortex_of(track_of(**RADII))
    rows = np.zeros(8, dtype=np.intp)
    bearings = np.arange(0.0, 360.0, 45.0)
    at_rmw = vortex.open_water_kt(rows, bearings, np.full(8, 15.0))
    assert at_rmw == pytest.approx(np.full(8, 100.0))
    # Lower on both sides of the radius of maximum wind.
    assert np.all(vortex.open_water_kt(rows, bearings, np.full(8, 8.0)) < 100.0)
    assert np.all(vortex.open_water_kt(rows, bearings, np.full(8, 22.0)) < 100.0)


@pytest.mark.parametrize(
    ("speed", "field"), [(34, "r34_nm"), (50, "r50_nm"), (64, "r64_nm")]
)
def test_profile_passes_through_every_published_radius(speed: int, field: str) -> None:
    vortex, n = vortex_of(track_of(**RADII))
    radii = RADII[field]
    for quadrant, name in enumerate(("ne", "se", "sw", "nw")):
        at = vortex.quadrant_speed(quadrant, np.full(n, getattr(radii, name)))
        assert at[0] == pytest.approx(speed, rel=1e-9)


def test_profile_is_continuous_across_quadrant_boundaries() -> None:
    vortex, _ = vortex_of(track_of(**RADII))
    bearings = np.arange(0.0, 360.0, 0.25)
    rows = np.zeros(bearings.shape, dtype=np.intp)
    for r in (20.0, 70.0, 130.0, 250.0):
        speed = vortex.open_water_kt(rows, bearings, np.full(bearings.shape, r))
        jumps = np.abs(np.diff(np.append(speed, speed[0])))
        assert jumps.max() < 0.5  # kt per quarter degree: no step at 0/90/180/270°
        for boundary in (0.0, 90.0, 180.0, 270.0):
            eps = np.array([boundary - 1e-6, boundary + 1e-6]) % 360.0
            pair = vortex.open_water_kt(np.zeros(2, np.intp), eps, np.full(2, r))
            assert pair[0] == pytest.approx(pair[1], abs=1e-4)


def test_quadrant_maximum_applies_at_the_middle_of_the_quadrant_only() -> None:
    vortex, _n = vortex_of(track_of(**RADII))
    ne_mid = vortex.open_water_kt(
        np.zeros(1, np.intp), np.array([45.0]), np.array([150.0])
    )
    ne_edge = vortex.open_water_kt(
        np.zeros(1, np.intp), np.array([89.0]), np.array([150.0])
    )
    assert ne_mid[0] == pytest.approx(34.0)
    assert ne_edge[0] < 34.0  # towards SE (R34 = 120 nmi) the 34-kt radius shrinks


def test_hand_computed_holland_point() -> None:
    # Symmetric storm: Vm 80 kt, Rm 20 nmi, R34 100 nmi everywhere, b = 1.5.
    sym = {"vmax_kt": 80.0, "rmw_nm": 20.0, "r34_nm": Radii(100, 100, 100, 100)}
    vortex, n = vortex_of(track_of(**sym))
    b = vortex.b[0]
    assert b == pytest.approx(wind.B_DEFAULT)  # no pressure given
    s34 = (20 / 100) ** b
    x34 = math.log(34 / 80) / (math.log(s34) + 1 - s34)
    # Half way between Rm and R34: x is half way between 0.5 and x34 (H10).
    r = 60.0
    x = 0.5 + (x34 - 0.5) * (r - 20) / (100 - 20)
    s = (20 / r) ** b
    expected = 80 * (s * math.exp(1 - s)) ** x
    assert vortex.quadrant_speed(0, np.full(n, r))[0] == pytest.approx(expected)
    # Beyond R34: power-law tail from 34 kt, exponent >= ALPHA_OUTER_MIN.
    alpha = max(x34 * b * (1 - s34), wind.ALPHA_OUTER_MIN)
    tail = vortex.quadrant_speed(0, np.full(n, 200.0))[0]
    assert tail == pytest.approx(34 * (100 / 200) ** alpha)


def test_radius_of_max_wind_from_willoughby_when_not_given() -> None:
    given = {k: v for k, v in RADII.items() if k != "rmw_nm"}
    vortex, _ = vortex_of(track_of(**given))
    vm_ms = 100 * wind.MS_PER_KT
    expected = 46.4 * math.exp(-0.0155 * vm_ms + 0.0169 * 17.0) / KM_PER_NM
    assert vortex.rmw_nm[0] == pytest.approx(expected)


def test_holland_b_from_pressure() -> None:
    b = wind.holland_b(np.array([950.0, np.nan]), np.array([20.0, 20.0]), np.zeros(2))
    dp = 60.0
    expected = -4.4e-5 * dp**2 + 0.01 * dp - 0.014 * 20 + 1.0
    assert b[0] == pytest.approx(expected)
    assert b[1] == wind.B_DEFAULT


def test_depression_without_radii_gets_a_small_level6_area() -> None:
    track = interpolate_track(track_of(vmax_kt=30.0))
    radii = level_radii(track)
    assert np.all(radii[8] == 0)
    r6_km = radii[6][0] * KM_PER_NM
    assert np.all((r6_km > 50) & (r6_km < 150))


def test_averaging_period_conversion() -> None:
    assert wind.averaging_factor(1) == pytest.approx(0.93 / 0.96)
    assert wind.averaging_factor(2) == 1.0
    assert wind.averaging_factor(10) == pytest.approx(1 / 0.96)


# ---------------------------------------------------------------- land


def test_land_factor_is_one_on_the_coast_and_falls_monotonically_inland() -> None:
    d = np.array([0.0, 0.5, 1.0, 2.0, 5.0, 20.0, 100.0, 500.0])
    f = wind.land_factor(d)
    assert f[0] == 1.0
    assert np.all(np.diff(f) <= 0) and np.all(np.diff(f[:5]) < 0)
    assert f[-1] == pytest.approx(wind.LAND_FACTOR_INLAND, abs=1e-9)
    assert 0.55 < wind.LAND_FACTOR_INLAND < 0.8
    g = wind.gust_factor(d)
    assert g[0] == pytest.approx(wind.GUST_FACTOR_OFF_SEA)
    assert np.all(np.diff(g) >= 0) and np.all(np.diff(g[:5]) > 0)


def test_islands_keep_open_water_winds() -> None:
    # Bạch Long Vĩ (11948) and Cô Tô (07192) special zones: no land reduction.
    inland = wind.commune_inland_km(np.array(["11948", "07192", "00004"]))
    assert inland[0] == 0.0 and inland[1] == 0.0
    assert inland[2] > 50  # Phường Ba Đình, Hà Nội
    assert wind.land_factor(inland[:2]) == pytest.approx([1.0, 1.0])
    # And the point grid: the Bạch Long Vĩ station is within a few hundred metres
    # of the sea, Hà Nội is far inland, the Gulf of Tonkin is sea.
    grid = wind.inland_km_at(
        np.array([20.133, 21.03, 20.0]), np.array([107.717, 105.85, 107.5])
    )
    assert grid[0] < 0.5
    assert grid[1] > 50
    assert grid[2] == 0.0
    assert wind.over_land(
        np.array([21.03, 20.0]), np.array([105.85, 107.5])
    ).tolist() == [
        True,
        False,
    ]


def test_same_storm_gives_less_wind_inland_than_on_the_coast() -> None:
    fc = track_of(**RADII)
    frame = pd.DataFrame(
        {
            "commune_code": ["coast", "inland"],
            "lat": [17.0, 17.0],
            "lon": [114.5, 114.5],
            "inland_km": [0.0, 80.0],
        }
    )
    out = compute_exposure(fc, frame, T0)
    assert out.loc[0, "max_wind_level"] > out.loc[1, "max_wind_level"] >= 6
    assert out.loc[1, "max_gust_level"] > out.loc[1, "max_wind_level"]
    assert (out["wind_model"] == wind.WIND_MODEL_ID).all()


# ---------------------------------------------------------------- decay


def test_decay_after_landfall_on_a_synthetic_track() -> None:
    # Westward along 19.0°N from the Gulf of Tonkin over Nghệ An into Laos,
    # holding 90 kt and its radii constant over land (as some forecasts do).
    fc = track_of(
        lat=19.0,
        lon=107.0,
        hours=36,
        dlon_per_h=-0.1,
        vmax_kt=90.0,
        r34_nm=Radii(100, 100, 100, 100),
    )
    track = interpolate_track(fc)
    land = wind.over_land(track.lat, track.lon)
    factor = wind.decay_factor(track)
    assert not land[0] and land[-1]
    assert np.all(factor[~land] == 1.0)
    first = int(np.argmax(land))
    assert np.all(np.diff(factor[first:]) < 0)  # decays the longer it is over land
    hours = (track.times - track.times[first]) / np.timedelta64(3600, "s")
    v0 = track.vmax_kt[first - 1]
    envelope = wind.KD_BACKGROUND_KT + (v0 - wind.KD_BACKGROUND_KT) * np.exp(
        -wind.KD_ALPHA_PER_H * hours[-1]
    )
    assert factor[-1] * 90.0 == pytest.approx(envelope)
    # Decay shrinks the wind area: the level-8 radius over land is smaller.
    vortex = wind.fit_vortex(track)
    r8 = vortex.radius_of(17.2 / wind.MS_PER_KT, 0)
    assert r8[-1] < r8[first - 1]


def test_decay_never_touches_analysed_positions_or_a_decaying_forecast() -> None:
    fc = track_of(lat=19.0, lon=107.0, hours=36, dlon_per_h=-0.1, vmax_kt=90.0)
    past = Forecast(
        "T",
        "T",
        "test",
        T0,
        1,
        tuple(TrackPoint(**{**p.__dict__, "is_forecast": False}) for p in fc.points),
    )
    assert np.all(wind.decay_factor(interpolate_track(past)) == 1.0)
    weak = track_of(lat=19.0, lon=107.0, hours=36, dlon_per_h=-0.1, vmax_kt=25.0)
    assert np.all(wind.decay_factor(interpolate_track(weak)) == 1.0)


# ---------------------------------------------------------------- exposure


def test_level8_eta_agrees_with_the_drawn_level8_area() -> None:
    # Commune due west (bearing 270°, the NW/SW boundary) of a storm coming west.
    fc = track_of(
        lat=20.0,
        lon=112.0,
        hours=24,
        dlon_per_h=-0.25,
        vmax_kt=70.0,
        rmw_nm=20.0,
        r34_nm=Radii(100, 100, 100, 100),
    )
    out = compute_exposure(
        fc,
        pd.DataFrame(
            {"commune_code": ["x"], "lat": [20.0], "lon": [108.5], "inland_km": [0.0]}
        ),
        T0,
    )
    track = interpolate_track(fc)
    r8 = level_radii(track)[8]  # symmetric: same in every quadrant
    plat, plon = destination(20.0, 108.5, 90.0, r8[0, 0] * KM_PER_NM)
    assert float(plat) == pytest.approx(20.0, abs=0.01)
    # The centre reaches the level-8 radius (travelling 0.25°/h) at this hour:
    hours = math.ceil((112.0 - float(plon)) / 0.25)
    assert out.loc[0, "level8_eta_utc"] == pd.Timestamp(T0 + timedelta(hours=hours))
    assert out.loc[0, "level6_eta_utc"] < out.loc[0, "level8_eta_utc"]


def test_output_has_gusts_and_the_model_identifier() -> None:
    fc = track_of(**RADII)
    frame = pd.DataFrame(
        {"commune_code": ["a", "b"], "lat": [17.0, 10.0], "lon": [114.3, 105.0]}
    )
    out = compute_exposure(fc, frame, T0)
    assert out["wind_model"].tolist() == [wind.WIND_MODEL_ID] * 2
    assert out.loc[0, "max_gust_level"] >= out.loc[0, "max_wind_level"] >= 12
    assert out.loc[1, "max_gust_level"] == 0
    legacy = compute_exposure(fc, frame, T0, wind_model=LEGACY_WIND_MODEL)
    assert legacy["wind_model"].tolist() == [LEGACY_WIND_MODEL] * 2
    with pytest.raises(ValueError, match="wind_model"):
        compute_exposure(fc, frame, T0, wind_model="nope")


def test_beaufort_of_the_stations_wind() -> None:
    assert beaufort_level_of_kt(10.8 / wind.MS_PER_KT) == 6


# ---------------------------------------------------------------- drill


@pytest.fixture(scope="module")
def wipha(wipha_table: pd.DataFrame) -> pd.DataFrame:
    return wipha_table  # the session's drill exposure (tests/conftest.py)


def test_wipha_drill_hanoi_stays_at_level_7_or_less(wipha: pd.DataFrame) -> None:
    hanoi = wipha[wipha["province_code"] == "01"]
    assert len(hanoi) == 126
    assert hanoi["max_wind_level"].max() <= 7
    # NCHMF, 22 July 2025: Hà Nội level 6, gusts 7-8.
    assert hanoi["max_wind_level"].median() == 6
    assert hanoi["max_gust_level"].max() <= 9


def test_wipha_drill_islands_keep_level_8_or_more(wipha: pd.DataFrame) -> None:
    islands = wipha.set_index("commune_code").loc[["11948", "07192"]]  # BLV, Cô Tô
    assert (islands["max_wind_level"] >= 8).all()
    assert (islands["max_gust_level"] >= islands["max_wind_level"]).all()


# ---------------------------------------------------------------- bulletin


def test_bulletin_statements_are_shown_and_cap_only_when_chosen() -> None:
    from dashboard.storms.bulletin import LandStatement, apply_statements

    eta = pd.Timestamp("2025-07-22 06:00", tz="UTC")
    table = pd.DataFrame(
        {
            "commune_code": ["a", "b", "c"],
            "max_wind_level": [8, 7, 9],
            "max_gust_level": [10, 9, 11],
            "level6_eta_utc": [eta] * 3,
            "level8_eta_utc": [eta, pd.NaT, eta],
        }
    )
    province_of = {"a": "01", "b": "24", "c": "33"}
    statements = [
        LandStatement(
            ("01", "24"),
            (6, 6),
            (7, 8),
            "Hà Nội, Bắc Ninh",
            "NCHMF 22/7 04:00",
            cap=True,
        ),
        LandStatement(
            ("33",), (7, 8), (9, 10), "ven biển Hưng Yên", "NCHMF 22/7 04:00"
        ),
    ]
    out = apply_statements(table, province_of, statements)
    assert out["bulletin_level"].tolist() == ["6", "6", "7-8"]
    assert out["bulletin_gust_level"].tolist() == ["7-8", "7-8", "9-10"]
    assert out["max_wind_level"].tolist() == [6, 6, 9]  # c: shown, not capped
    assert out["max_gust_level"].tolist() == [8, 8, 11]
    assert out["model_max_wind_level"].tolist() == [8, 7, 9]
    assert out["capped_by_bulletin"].tolist() == [True, True, False]
    assert pd.isna(out.loc[0, "level8_eta_utc"]) and out.loc[2, "level8_eta_utc"] == eta
    assert table["max_wind_level"].tolist() == [8, 7, 9]  # input untouched
    with pytest.raises(ValueError):
        LandStatement(("01",), (8, 6))


# ---------------------------------------------------------------- more exposure


def test_quadrant_radii_make_the_field_asymmetric() -> None:
    fc = track_of(vmax_kt=60.0, rmw_nm=20.0, r34_nm=Radii(150, 50, 50, 50))
    ne = destination(17.0, 114.0, 45.0, 100 * KM_PER_NM)
    sw = destination(17.0, 114.0, 225.0, 100 * KM_PER_NM)
    frame = pd.DataFrame(
        {
            "commune_code": ["ne", "sw"],
            "lat": [float(ne[0]), float(sw[0])],
            "lon": [float(ne[1]), float(sw[1])],
            "inland_km": [0.0, 0.0],
        }
    )
    out = compute_exposure(fc, frame, T0)
    assert out.loc[0, "max_wind_level"] >= 8
    assert out.loc[1, "max_wind_level"] <= 7


def test_commune_size_brings_its_nearest_part_inside() -> None:
    fc = track_of(vmax_kt=60.0, rmw_nm=20.0, r34_nm=Radii(100, 100, 100, 100))
    r8 = level_radii(interpolate_track(fc))[8][0, 0]
    place = destination(17.0, 114.0, 0.0, (r8 + 10) * KM_PER_NM)
    frame = pd.DataFrame(
        {
            "commune_code": ["p"],
            "lat": [float(place[0])],
            "lon": [float(place[1])],
            "inland_km": [0.0],
        }
    )
    assert compute_exposure(fc, frame, T0).loc[0, "max_wind_level"] < 8
    frame["radius_km"] = 12 * KM_PER_NM
    assert compute_exposure(fc, frame, T0).loc[0, "max_wind_level"] >= 8


def test_radii_without_a_maximum_wind_still_give_an_area() -> None:
    fc = track_of(r34_nm=Radii(80, 80, 80, 80))  # no vmax_kt
    vortex, n = vortex_of(fc)
    assert vortex.vmax_kt[0] == pytest.approx(34 * wind.UNKNOWN_VMAX_FACTOR)
    assert vortex.quadrant_speed(0, np.full(n, 80.0))[0] == pytest.approx(34.0)
    assert level_radii(interpolate_track(fc))[6][0].min() > 80
