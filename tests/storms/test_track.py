"""Hourly track interpolation and the past/forecast split."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from dashboard.scenario.drill import drill_forecast
from dashboard.storms.model import Forecast, Radii, TrackPoint
from dashboard.storms.track import (
    from_datetime64,
    interpolate_track,
    sample_at,
    split_at,
    to_datetime64,
    unwrap_longitudes,
)

T0 = datetime(2025, 7, 20, 0, tzinfo=UTC)


def point(hours: float, lat: float, lon: float, **kwargs) -> TrackPoint:
    kwargs.setdefault("lead_hours", hours)
    return TrackPoint(valid_utc=T0 + timedelta(hours=hours), lat=lat, lon=lon, **kwargs)


def forecast(*points: TrackPoint) -> Forecast:
    return Forecast(
        storm_id="TEST",
        storm_name="TEST",
        source="test",
        issued_utc=T0,
        wind_averaging_minutes=1,
        points=points,
    )


def test_hourly_grid_and_linear_position() -> None:
    track = interpolate_track(
        forecast(point(0, 10.0, 120.0), point(12, 16.0, 114.0), point(24, 16.0, 110.0))
    )
    assert len(track) == 25
    assert track.datetimes()[0] == T0
    assert track.datetimes()[-1] == T0 + timedelta(hours=24)
    assert np.all(np.diff(track.times) == np.timedelta64(3600, "s"))
    assert track.lat[6] == pytest.approx(13.0)
    assert track.lon[6] == pytest.approx(117.0)
    assert track.lon[18] == pytest.approx(112.0)
    assert track.lead_hours[18] == pytest.approx(18.0)


def test_off_hour_point_times_are_kept_in_the_grid() -> None:
    track = interpolate_track(
        forecast(point(0.5, 15.0, 115.0), point(3.5, 15.0, 112.0))
    )
    minutes = [(t - T0).total_seconds() / 60 for t in track.datetimes()]
    assert minutes == [30, 60, 120, 180, 210]
    assert track.lon[1] == pytest.approx(114.5)


def test_longitude_crosses_the_antimeridian_the_short_way() -> None:
    track = interpolate_track(forecast(point(0, 20.0, 179.0), point(12, 20.0, -179.0)))
    assert track.lon[6] == pytest.approx(180.0)
    assert np.all(np.abs(np.diff(track.lon)) < 1.0)
    assert unwrap_longitudes(np.array([350.0, 355.0, 2.0])) == pytest.approx(
        [-10.0, -5.0, 2.0]
    )


def test_wind_and_radii_interpolate_per_quadrant() -> None:
    track = interpolate_track(
        forecast(
            point(0, 15, 115, vmax_kt=60, r34_nm=Radii(100, 80, 50, 60)),
            point(12, 15, 113, vmax_kt=80, r34_nm=Radii(200, 80, 50, 0)),
        )
    )
    assert track.vmax_kt[6] == pytest.approx(70.0)
    assert track.r34_nm[6] == pytest.approx([150.0, 80.0, 50.0, 30.0])
    assert track.r34_nm[3, 0] == pytest.approx(125.0)


def test_missing_radii_are_zero_below_the_threshold_and_nan_otherwise() -> None:
    track = interpolate_track(
        forecast(
            point(0, 15, 115, vmax_kt=45, r34_nm=Radii(60, 60, 60, 60)),
            point(6, 15, 114, vmax_kt=55, r34_nm=Radii(60, 60, 60, 60)),
        )
    )
    # 64 kt above both Vmax values → no such wind; 50 kt: 45 < 50 at the start,
    # not analysed at the end (Vmax 55 kt) → NaN inside the segment.
    assert np.all(track.r64_nm == 0.0)
    assert np.all(track.r50_nm[0] == 0.0)
    assert np.all(np.isnan(track.r50_nm[3]))
    assert np.all(np.isnan(track.r50_nm[-1]))
    assert not np.isnan(track.vmax_kt).any()


def test_unknown_vmax_is_nan() -> None:
    track = interpolate_track(
        forecast(point(0, 15, 115), point(6, 15, 114, vmax_kt=30))
    )
    assert np.isnan(track.vmax_kt[0])
    assert np.isnan(track.vmax_kt[3])
    assert track.vmax_kt[-1] == 30.0


def test_is_forecast_starts_after_the_last_analysed_point() -> None:
    track = interpolate_track(
        forecast(
            point(-6, 14, 116, is_forecast=False),
            point(0, 15, 115, is_forecast=False),
            point(12, 16, 113),
        )
    )
    assert not track.is_forecast[:7].any()
    assert track.is_forecast[7:].all()


def test_split_at_an_off_grid_clock_joins_both_parts() -> None:
    track = interpolate_track(forecast(point(0, 10, 120), point(12, 16, 114)))
    clock = T0 + timedelta(hours=5, minutes=30)
    past, future = split_at(track, clock)
    assert len(past) == 7  # 00..05 and 05:30
    assert len(future) == 8  # 05:30 and 06..12
    assert past.datetimes()[-1] == clock == future.datetimes()[0]
    assert future.lat[0] == pytest.approx(12.75)
    assert future.lon[0] == pytest.approx(117.25)


def test_split_at_a_clock_outside_the_track() -> None:
    track = interpolate_track(forecast(point(0, 10, 120), point(12, 16, 114)))
    past, future = split_at(track, T0 - timedelta(hours=1))
    assert len(past) == 0 and len(future) == 13
    past, future = split_at(track, T0 + timedelta(hours=13))
    assert len(past) == 13 and len(future) == 0


def test_sample_at_matches_the_piecewise_linear_track() -> None:
    track = interpolate_track(
        forecast(point(0, 10, 120), point(12, 16, 114), point(24, 16, 110))
    )
    here = sample_at(track, T0 + timedelta(hours=7, minutes=20))
    fraction = (7 + 1 / 3) / 12
    assert here.lat[0] == pytest.approx(10 + 6 * fraction)
    assert here.lon[0] == pytest.approx(120 - 6 * fraction)


def test_naive_times_are_refused_and_round_trip() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        to_datetime64(datetime(2025, 7, 20))
    moment = datetime(2025, 7, 20, 13, 45, tzinfo=UTC)
    assert from_datetime64(to_datetime64(moment)) == moment


def test_a_forecast_is_interpolated_once_and_shared_read_only() -> None:
    forecast = drill_forecast()
    first = interpolate_track(forecast)
    assert interpolate_track(forecast) is first
    with pytest.raises(ValueError, match="read-only"):
        first.lat[0] = 0.0
    other = drill_forecast()  # an equal forecast, another object
    assert interpolate_track(other) is not first
    assert interpolate_track(forecast, 3.0) is not first
