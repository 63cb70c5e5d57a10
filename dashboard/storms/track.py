"""Hourly interpolation of a forecast track, as numpy arrays.

A :class:`~dashboard.storms.model.Forecast` gives the storm centre every 3, 6 or
12 hours. Exposure and map layers need it every hour, so this module samples the
track on a regular grid and returns plain numpy arrays (:class:`HourlyTrack`).

Interpolation rules
-------------------
* **Time grid**: every whole UTC hour between the first and the last track
  point, plus every track point's own time (so the piecewise-linear track
  through the samples is exactly the one through the points, and sampling the
  hourly arrays again, e.g. at a clock, gives the same answer as sampling the
  points).
* **Position**: latitude and longitude linear in time. Longitude is first made
  continuous along the track (each step is taken the short way round, so a
  track crossing 180° does not sweep round the globe); the first point is
  normalised to [-180, 180) and later ones may leave that range by the
  continuity rule. Vietnam's storms (100-125°E) are never affected.
* **Maximum wind and lead time**: linear in time; ``NaN`` where a point has no
  value.
* **Wind radii** (34/50/64 kt, nmi, quadrants NE, SE, SW, NW): linear in time
  per quadrant. A point that gives no radii for a threshold counts as ``0``
  when its maximum wind is known and below that threshold (no such wind), else
  as ``NaN`` (not analysed). A ``NaN`` end point makes the whole segment
  ``NaN`` for that threshold; consumers fall back to a wind-profile model
  (:mod:`dashboard.storms.cone`).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta

import numpy as np

from dashboard.core.clock import Clock
from dashboard.storms.model import QUADRANTS, WIND_THRESHOLDS_KT, Forecast, TrackPoint

_EPOCH = np.datetime64("1970-01-01T00:00:00", "s")
_HOUR = np.timedelta64(3600, "s")


@dataclass(frozen=True)
class HourlyTrack:
    """The storm centre sampled on a time grid (one entry per sample).

    Attributes
    ----------
    times : numpy.ndarray
        ``datetime64[s]`` valid times, UTC (numpy datetimes carry no zone).
    lead_hours : numpy.ndarray
        Forecast lead time of each sample, interpolated from the points'
        ``lead_hours`` (negative for analysed past positions).
    lat, lon : numpy.ndarray
        Centre position in degrees; ``lon`` is continuous along the track.
    vmax_kt : numpy.ndarray
        Maximum sustained wind (kt, the forecast's averaging period), ``NaN``
        when unknown.
    r34_nm, r50_nm, r64_nm : numpy.ndarray
        Shape ``(n, 4)``: wind radii in nmi per quadrant NE, SE, SW, NW;
        ``NaN`` when not analysed.
    is_forecast : numpy.ndarray
        ``True`` for samples after the last analysed (non-forecast) point.
    mslp_hpa, rmw_nm : numpy.ndarray
        Central pressure (hPa) and radius of maximum wind (nmi), linear in
        time, ``NaN`` when unknown (optional when building a track by hand).
    """

    times: np.ndarray
    lead_hours: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    vmax_kt: np.ndarray
    r34_nm: np.ndarray
    r50_nm: np.ndarray
    r64_nm: np.ndarray
    is_forecast: np.ndarray
    mslp_hpa: np.ndarray | None = None
    rmw_nm: np.ndarray | None = None

    def __post_init__(self) -> None:
        for name in ("mslp_hpa", "rmw_nm"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.full(self.times.shape, np.nan))

    def __len__(self) -> int:
        return int(self.times.shape[0])

    def radii(self, threshold_kt: int) -> np.ndarray:
        """The ``(n, 4)`` radius array of a 34, 50 or 64 kt threshold."""
        return {34: self.r34_nm, 50: self.r50_nm, 64: self.r64_nm}[threshold_kt]

    def select(self, mask: np.ndarray) -> HourlyTrack:
        """A new track with the samples where *mask* (bool or index array) holds."""
        return HourlyTrack(
            **{f.name: getattr(self, f.name)[mask] for f in fields(self)}
        )

    def datetimes(self) -> list[datetime]:
        """The sample times as timezone-aware UTC ``datetime`` objects."""
        return [from_datetime64(t) for t in self.times]


def to_datetime64(when: datetime) -> np.datetime64:
    """A timezone-aware ``datetime`` as a UTC ``datetime64[s]``.

    Raises
    ------
    ValueError
        When *when* has no time zone.
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"time {when} must be timezone-aware")
    naive = when.astimezone(UTC).replace(tzinfo=None)
    return np.datetime64(naive, "s")


def from_datetime64(value: np.datetime64) -> datetime:
    """A ``datetime64`` (UTC) as a timezone-aware ``datetime``."""
    seconds = int((value - _EPOCH) // np.timedelta64(1, "s"))
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)


def unwrap_longitudes(lon: np.ndarray) -> np.ndarray:
    """Longitudes made continuous: each step taken the short way round.

    The first value is normalised to [-180, 180).
    """
    lon = np.asarray(lon, dtype=float)
    if lon.size == 0:
        return lon.copy()
    first = (lon[0] + 180.0) % 360.0 - 180.0
    steps = (np.diff(lon) + 180.0) % 360.0 - 180.0
    return np.concatenate(([first], first + np.cumsum(steps)))


def _point_radii(point: TrackPoint, threshold_kt: int) -> list[float]:
    radii = point.radii(threshold_kt)
    if radii is not None:
        return [getattr(radii, q) for q in QUADRANTS]
    if point.vmax_kt is not None and point.vmax_kt < threshold_kt:
        return [0.0] * 4
    return [np.nan] * 4


def _hours(times: np.ndarray) -> np.ndarray:
    return (times - _EPOCH) / _HOUR


def _grid(point_times: np.ndarray, step_hours: float) -> np.ndarray:
    """Whole multiples of *step_hours* (from the epoch) plus the point times."""
    start, end = point_times[0], point_times[-1]
    step = np.timedelta64(round(step_hours * 3600), "s")
    if step <= np.timedelta64(0, "s"):
        raise ValueError("step_hours must be positive")
    first = _EPOCH + ((start - _EPOCH) // step + 1) * step
    regular = np.arange(first, end, step) if first < end else point_times[:0]
    return np.union1d(point_times, regular).astype("datetime64[s]")


def _interp_rows(
    src_hours: np.ndarray, values: np.ndarray, dst_hours: np.ndarray
) -> np.ndarray:
    """Piecewise-linear interpolation of *values* (first axis = time).

    Exact at source times even where the neighbouring value is ``NaN``; inside
    a segment, a ``NaN`` end gives ``NaN``. Outside the source range the end
    values are held.
    """
    if src_hours.size == 1:
        return np.repeat(values[:1], dst_hours.size, axis=0)
    idx = np.clip(np.searchsorted(src_hours, dst_hours, side="right") - 1, 0, None)
    idx = np.minimum(idx, src_hours.size - 2)
    t0, t1 = src_hours[idx], src_hours[idx + 1]
    w = np.clip((dst_hours - t0) / (t1 - t0), 0.0, 1.0)
    shape = (-1,) + (1,) * (values.ndim - 1)
    w = w.reshape(shape)
    a, b = values[idx], values[idx + 1]
    with np.errstate(invalid="ignore"):
        out = a * (1.0 - w) + b * w
    out = np.where(w == 0.0, a, out)
    return np.where(w == 1.0, b, out)


#: The last interpolated tracks, by forecast object (a page rerun asks for the
#: same advisory's track from the exposure, the time slider and the overlay).
_TRACKS: OrderedDict[tuple[int, float], tuple[weakref.ref, HourlyTrack]] = OrderedDict()
_TRACKS_KEPT = 16


def interpolate_track(forecast: Forecast, step_hours: float = 1.0) -> HourlyTrack:
    """Sample a forecast's track every *step_hours* (see the module rules).

    Computed once per forecast object and step: the result is shared, so its
    arrays are read-only.

    Parameters
    ----------
    forecast
        The forecast; all its points (past and forecast) are used.
    step_hours
        Grid spacing in hours (samples fall on whole multiples of it, UTC).

    Returns
    -------
    HourlyTrack
        Samples from the first to the last point, including every point time.
    """
    key = (id(forecast), float(step_hours))
    hit = _TRACKS.get(key)
    if hit is not None and hit[0]() is forecast:
        _TRACKS.move_to_end(key)
        return hit[1]
    track = _interpolate(forecast, step_hours)
    for value in vars(track).values():
        if isinstance(value, np.ndarray):
            value.setflags(write=False)
    _TRACKS[key] = (weakref.ref(forecast), track)
    while len(_TRACKS) > _TRACKS_KEPT:
        _TRACKS.popitem(last=False)
    return track


def _interpolate(forecast: Forecast, step_hours: float) -> HourlyTrack:
    points = forecast.points
    point_times = np.array([to_datetime64(p.valid_utc) for p in points])
    # Two points at the same time: keep the last (a later, revised position).
    point_times, keep = np.unique(point_times[::-1], return_index=True)
    keep = len(points) - 1 - keep
    points = tuple(points[i] for i in keep)
    src = _hours(point_times)
    times = _grid(point_times, step_hours)
    dst = _hours(times)

    lon = unwrap_longitudes(np.array([p.lon for p in points]))
    columns = {
        "lead_hours": np.array([p.lead_hours for p in points], dtype=float),
        "lat": np.array([p.lat for p in points], dtype=float),
        "lon": lon,
        "vmax_kt": np.array(
            [np.nan if p.vmax_kt is None else p.vmax_kt for p in points], dtype=float
        ),
        "mslp_hpa": np.array(
            [np.nan if p.mslp_hpa is None else p.mslp_hpa for p in points], dtype=float
        ),
        "rmw_nm": np.array(
            [np.nan if p.rmw_nm is None else p.rmw_nm for p in points], dtype=float
        ),
    }
    out = {name: _interp_rows(src, col, dst) for name, col in columns.items()}
    for threshold in WIND_THRESHOLDS_KT:
        radii = np.array([_point_radii(p, threshold) for p in points], dtype=float)
        out[f"r{threshold}_nm"] = _interp_rows(src, radii, dst)

    past_times = [
        t for t, p in zip(point_times, points, strict=True) if not p.is_forecast
    ]
    last_past = max(past_times) if past_times else None
    is_forecast = np.ones(times.shape, bool) if last_past is None else times > last_past
    return HourlyTrack(times=times, is_forecast=is_forecast, **out)


def sample_at(track: HourlyTrack, when: datetime | np.datetime64) -> HourlyTrack:
    """The track at one instant (a one-sample track), held at the ends."""
    moment = when if isinstance(when, np.datetime64) else to_datetime64(when)
    moment = np.asarray([moment], dtype="datetime64[s]")
    src, dst = _hours(track.times), _hours(moment)
    values = {
        f.name: _interp_rows(src, getattr(track, f.name), dst)
        for f in fields(track)
        if f.name not in ("times", "is_forecast")
    }
    later = track.is_forecast[track.times >= moment[0]]
    is_forecast = np.array(
        [bool(later[0]) if later.size else bool(track.is_forecast[-1])]
    )
    return HourlyTrack(times=moment, is_forecast=is_forecast, **values)


def _concat(first: HourlyTrack, second: HourlyTrack) -> HourlyTrack:
    return HourlyTrack(
        **{
            f.name: np.concatenate([getattr(first, f.name), getattr(second, f.name)])
            for f in fields(first)
        }
    )


def split_at(
    track: HourlyTrack, clock: Clock | np.datetime64
) -> tuple[HourlyTrack, HourlyTrack]:
    """Split a track into the part before and the part after *clock*.

    Both parts contain a sample exactly at *clock* (interpolated when the grid
    has none there), so lines drawn from them join. When *clock* is before the
    first sample, the past part is empty and the future part is the whole
    track; after the last sample, the reverse.

    Returns
    -------
    tuple of HourlyTrack
        ``(past, future)``.
    """
    moment = clock if isinstance(clock, np.datetime64) else to_datetime64(clock)
    moment = np.datetime64(moment, "s")
    if len(track) == 0 or moment < track.times[0]:
        return track.select(np.zeros(len(track), bool)), track
    if moment > track.times[-1]:
        return track, track.select(np.zeros(len(track), bool))
    here = sample_at(track, moment)
    past = _concat(track.select(track.times < moment), here)
    future = _concat(here, track.select(track.times > moment))
    return past, future
