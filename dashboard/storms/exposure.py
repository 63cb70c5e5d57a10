"""Per-commune storm exposure, vectorised over communes × hourly track samples.

:func:`compute_exposure` samples the track every hour from the clock to the
end of the forecast and builds, with numpy, the matrix of great-circle
distances (haversine, sphere of 6371.0088 km) from every commune's
representative point to every centre (3,321 × ~121 for a 5-day forecast).

Model decisions
---------------
* **Wind** (default model ``holland-fetch-v2``, :mod:`dashboard.storms.wind`,
  ``docs/wind-model.md``): per commune and hour, the Holland (2010) profile
  fitted to the forecast point's maximum wind, radius of maximum wind and
  34/50/64-kt quadrant radii (interpolated smoothly in azimuth), converted to
  the stations' 2-minute mean, decayed after landfall (Kaplan-DeMaria) and
  reduced over land by the upwind land fetch of the commune's most exposed
  part in the sector the wind comes from at that hour
  (``data/coast/commune_fetch_km.csv``). An ``inland_km`` column instead
  applies that distance in every direction (``holland-land-v1``).
  ``max_wind_level`` is the highest level over the hours, ``max_gust_level``
  the gust level at that wind (exposure-dependent gust factor).
* **Commune size**: the wind is taken at the commune's most exposed point,
  the distance within ``[d - r_eq, d + r_eq]`` closest to the radius of
  maximum wind, with r_eq the ``radius_km`` column when given, else
  sqrt(``area_km2`` / π), else 0. Distances reported (``min_distance_km``)
  are point-to-centre.
* **Previous model** (``wind_model="rankine-quadrant-v0"``, the verification
  baseline): quadrant by initial bearing, agency radii as level edges over
  land and sea alike, level 6 from :func:`dashboard.storms.cone.legacy_level_radii`,
  flat at Vmax inside the radius of maximum wind; no gusts (0).
* **ETAs**: ``levelN_eta_utc`` is the first sample (the clock itself, then
  whole hours) at which the commune's wind reaches level N; ``NaT`` if
  never. Hours before the clock are ignored.
* **Cone**: the product's own polygon when given (shapely ``intersects`` with
  the commune polygons when a ``geometry`` column is given, else point in
  polygon with the equivalent radius as tolerance); otherwise the built cone
  of :mod:`dashboard.storms.cone`, tested exactly without drawing it: a point
  is in the convex hull of two circles (c1, r1), (c2, r2) iff its distance to
  c(t) = c1 + t(c2 - c1) is at most r(t) = r1 + t(r2 - r1) for some t in
  [0, 1]; the minimum over t has a closed form. Distances for this test are
  taken in a local equirectangular plane per commune/segment pair. The cone
  covers the whole forecast (lead >= 0), not only the hours after the clock.

Risk level (screening, not the official announcement)
-----------------------------------------------------
Quyết định 18/2021/QĐ-TTg, Art. 42, sets the risk level of a tropical
depression or storm (levels 3-5 only) from the storm's intensity (Beaufort
level of its maximum wind) and the area affected, where "affected" means
winds of level 6 or more. As summarised by thuvienphapluat.vn (a secondary
source; check against the decision before publishing):

=============  ========  ===========  ==========  =======  ===========
storm level    East Sea  N/C coast    S-Central   South    mountains &
                         and land     land        land     highlands
=============  ========  ===========  ==========  =======  ===========
6-9            3         3            3           3        3
10-11          3         3            3           4        3
12-13          3         4            4           5        4
14-15          4         4            5           5        5
>= 16          4         5            5           5        5
=============  ========  ===========  ==========  =======  ===========

("N/C coast and land" = coastal waters and land of the North-East, Red River
Delta, North Central and Mid-Central regions; "mountains & highlands" = North-
West, Việt Bắc, Central Highlands.) This module applies it per commune:

* commune's own wind at level 6 or more at some hour → the table, with the
  storm's level at the most intense such hour (the Beaufort level of Vmax as
  the forecast gives it, after the landfall decay of the wind model, no
  averaging-period conversion; never below the commune's own level) and the commune's ``risk_region`` column (one of
  :data:`RISK_REGIONS`; default ``"north_central_coast_land"``, where most
  landfalls happen);
* else 2 ("medium") when the commune would get level-6 wind if the centre
  were closer by the track-error radius of that lead time (the NHC "wind
  radius + cone" idea; the previous model used its largest quadrant radius);
* else 1 ("low") when the commune is in the cone;
* else 0: not exposed (no colour).

Levels 1 and 2 are this dashboard's, not the decision's (which starts storms
at 3). The result is a simplified screening level computed from one forecast;
the official level is the one NCHMF announces in its bulletins.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import shapely

from dashboard.core.clock import Clock
from dashboard.storms import wind
from dashboard.storms.cone import (
    EARTH_RADIUS_KM,
    KM_PER_NM,
    MS_PER_KT,
    WindProfile,
    cone_radius_nm,
    legacy_level_radii,
    legacy_wind_profile,
    product_cone,
)
from dashboard.storms.model import Forecast
from dashboard.storms.track import (
    HourlyTrack,
    interpolate_track,
    split_at,
    to_datetime64,
)

RISK_COLOURS: dict[int, str] = {
    1: "#9dd1f1",
    2: "#fff59d",
    3: "#ff9800",
    4: "#e53935",
    5: "#8e24aa",
}
"""Map colour (hex) of each risk level, after QĐ 18/2021 Art. 4 and Annex XII."""

RISK_COLOUR_NAMES: dict[int, str] = {
    1: "light blue",
    2: "light yellow",
    3: "orange",
    4: "red",
    5: "purple",
}

RISK_MEANINGS: dict[int, str] = {
    1: "low",
    2: "medium",
    3: "high",
    4: "very high",
    5: "catastrophic",
}

RISK_REGIONS = (
    "east_sea",
    "north_central_coast_land",
    "south_central_land",
    "southern_land",
    "mountains_highlands",
)
DEFAULT_RISK_REGION = "north_central_coast_land"

# Rows: storm level 6-9, 10-11, 12-13, 14-15, >=16; columns: RISK_REGIONS.
_DECREE_TABLE = np.array(
    [
        [3, 3, 3, 3, 3],
        [3, 3, 3, 4, 3],
        [3, 4, 4, 5, 4],
        [4, 4, 5, 5, 5],
        [4, 5, 5, 5, 5],
    ],
    dtype=np.int8,
)
_STORM_BANDS = np.array([10, 12, 14, 16])

# Lower bounds (m/s) of Beaufort levels 6..17 and "above 17" (18), QĐ 18/2021 Annex III.
_LEVEL_MIN_MS = np.array(
    [10.8, 13.9, 17.2, 20.8, 24.5, 28.5, 32.7, 37.0, 41.5, 46.2, 51.0, 56.1, 61.3]
)
_LEVEL_MIN_KT = _LEVEL_MIN_MS / MS_PER_KT
_BAND_TOP = {6: 7, 8: 9, 10: 11, 12: 18}

ETA_LEVELS = (6, 8, 10, 12)

LEGACY_WIND_MODEL = "rankine-quadrant-v0"
"""The previous wind model (kept as the verification baseline)."""


# --------------------------------------------------------------------------
# Small public helpers


def beaufort_level_of_kt(speed_kt: np.ndarray | float) -> np.ndarray:
    """Beaufort level (cấp) of wind speeds in kt: 0 below level 6, 18 above 17."""
    speed = np.asarray(speed_kt, dtype=float)
    level = 5 + np.searchsorted(_LEVEL_MIN_KT, speed, side="right")
    return np.where(np.isnan(speed) | (level < 6), 0, level).astype(np.int16)


def decree_risk_level(
    storm_level: np.ndarray | int, region: np.ndarray | str = DEFAULT_RISK_REGION
) -> np.ndarray:
    """QĐ 18/2021 Art. 42 risk level for a storm level and area; 0 below level 6."""
    storm_level = np.asarray(storm_level)
    region_index = _region_index(
        np.broadcast_to(np.asarray(region, dtype=object), storm_level.shape)
    )
    band = np.searchsorted(_STORM_BANDS, storm_level, side="right")
    level = _DECREE_TABLE[band, region_index]
    return np.where(storm_level >= 6, level, 0).astype(np.int8)


def humanize_eta(eta: Any, clock: Clock) -> Any:
    """Hours from *clock* to *eta* as a float (negative if past; NaN if none).

    *eta* may be a ``datetime``, ``pandas.Timestamp``, ``None``/``NaT`` or a
    ``pandas.Series`` of them (then a float Series is returned).
    """
    if isinstance(eta, pd.Series):
        return (eta - pd.Timestamp(clock)).dt.total_seconds() / 3600.0
    if eta is None or pd.isna(eta):
        return float("nan")
    return (eta - clock).total_seconds() / 3600.0


# --------------------------------------------------------------------------
# Geometry kernels


def _region_index(regions: np.ndarray) -> np.ndarray:
    lookup = {name: i for i, name in enumerate(RISK_REGIONS)}
    default = lookup[DEFAULT_RISK_REGION]
    flat = [
        lookup.get(r, default) if isinstance(r, str) else default
        for r in regions.ravel()
    ]
    return np.array(flat, dtype=np.intp).reshape(regions.shape)


def _wrap_deg(delta: np.ndarray) -> np.ndarray:
    return (delta + 180.0) % 360.0 - 180.0


def _near(lon: np.ndarray, reference: float) -> np.ndarray:
    """Longitudes shifted by whole turns to within 180° of *reference*."""
    return reference + _wrap_deg(np.asarray(lon, dtype=float) - reference)


def distance_and_quadrant(
    lat: np.ndarray, lon: np.ndarray, centre_lat: np.ndarray, centre_lon: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Great-circle distance (km) and quadrant index from every centre to every point.

    Trigonometric functions are taken of the 1-D inputs only; the pairwise
    terms are outer products (haversine in the form
    ``sin²(d/2) = (1 - cos φp cos φc cos Δλ - sin φp sin φc) / 2``).

    Returns
    -------
    tuple of numpy.ndarray
        ``(n_points, n_centres)`` distances in km and quadrant indices
        (0 NE, 1 SE, 2 SW, 3 NW) of the initial bearing centre → point.
    """
    phi_p, phi_c = np.radians(lat), np.radians(centre_lat)
    lam_p, lam_c = np.radians(lon), np.radians(centre_lon)
    sp, cp = np.sin(phi_p)[:, None], np.cos(phi_p)[:, None]
    sc, cc = np.sin(phi_c)[None, :], np.cos(phi_c)[None, :]
    slp, clp = np.sin(lam_p)[:, None], np.cos(lam_p)[:, None]
    slc, clc = np.sin(lam_c)[None, :], np.cos(lam_c)[None, :]
    cos_dlam = clp * clc + slp * slc
    sin_dlam = slp * clc - clp * slc
    cp_cos_dlam = cp * cos_dlam
    half_chord_sq = 0.5 * (1.0 - sp * sc - cc * cp_cos_dlam)
    np.clip(half_chord_sq, 0.0, 1.0, out=half_chord_sq)
    distance = (2.0 * EARTH_RADIUS_KM) * np.arcsin(np.sqrt(half_chord_sq))
    north = cc * sp >= sc * cp_cos_dlam
    east = sin_dlam >= 0.0
    quadrant = (east & ~north) * 1 + (~east & ~north) * 2 + (~east & north) * 3
    return distance, quadrant.astype(np.intp)


def in_built_cone(
    lat: np.ndarray,
    lon: np.ndarray,
    track: HourlyTrack,
    tolerance_km: np.ndarray | float = 0.0,
    table: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Whether each point is within *tolerance_km* of the built cone (lead >= 0).

    Exact test of the union of convex hulls of consecutive track-error
    circles, in a local equirectangular plane per point/segment pair (x
    scaled by the mean of the cosines of the two latitudes); see the module
    docstring. Points farther than the largest radius plus the longest
    segment from every centre are rejected first.
    """
    lat = np.asarray(lat, dtype=float)
    n = lat.shape[0]
    part = track.select(track.lead_hours >= 0)
    inside = np.zeros(n, bool)
    if len(part) < 2 or n == 0:
        return inside
    tolerance = np.broadcast_to(np.asarray(tolerance_km, dtype=float), (n,))
    reference = float(part.lon[0])
    lon = _near(np.asarray(lon, dtype=float), reference)
    clat, clon = part.lat, _near(part.lon, reference)
    radius = cone_radius_nm(part.lead_hours, table) * KM_PER_NM
    ky = np.radians(1.0) * EARTH_RADIUS_KM

    # Coarse rejection on a plate carrée box around the whole cone.
    cos_min = np.cos(np.radians(min(np.abs(clat).max() + 10.0, 89.0)))
    reach = radius.max() + tolerance
    lat_ok = (lat >= clat.min() - reach / ky) & (lat <= clat.max() + reach / ky)
    lon_pad = reach / (ky * cos_min)
    lon_ok = (lon >= clon.min() - lon_pad) & (lon <= clon.max() + lon_pad)
    candidates = np.nonzero(lat_ok & lon_ok)[0]
    if candidates.size == 0:
        return inside

    plat, plon = lat[candidates][:, None], lon[candidates][:, None]
    lat1, lat2 = clat[:-1][None, :], clat[1:][None, :]
    lon1, lon2 = clon[:-1][None, :], clon[1:][None, :]
    r1, r2 = radius[:-1][None, :], radius[1:][None, :]
    cos_p = np.cos(np.radians(plat))
    cos_s = np.cos(np.radians((lat1 + lat2) * 0.5))
    kx = (cos_p + cos_s) * (0.5 * ky)
    wx, wy = (plon - lon1) * kx, (plat - lat1) * ky
    ux, uy = (lon2 - lon1) * kx, (lat2 - lat1) * ky
    length = np.hypot(ux, uy)
    safe = np.maximum(length, 1e-9)
    along = (wx * ux + wy * uy) / safe
    across = np.abs(wx * uy - wy * ux) / safe
    dr = r2 - r1
    k = -dr / safe
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = k * across / np.sqrt(1.0 - k * k)
    shift = np.where(np.abs(k) < 1.0, shift, 0.0)
    t = np.clip((along - shift) / safe, 0.0, 1.0)
    gap = np.hypot(along - t * length, across) - (r1 + t * dr)
    gap = np.minimum(gap, np.hypot(wx, wy) - r1)
    gap = np.minimum(gap, np.hypot(wx - ux, wy - uy) - r2)
    inside[candidates] = gap.min(axis=1) <= tolerance[candidates]
    return inside


def _in_product_cone(
    cone_geojson: dict[str, Any],
    lat: np.ndarray,
    lon: np.ndarray,
    tolerance_km: np.ndarray,
    geometries: np.ndarray | None,
) -> np.ndarray:
    cone = product_cone(cone_geojson)
    if cone.is_empty:
        return np.zeros(lat.shape, bool)
    shapely.prepare(cone)
    if geometries is not None:
        return np.asarray(shapely.intersects(cone, geometries), dtype=bool)
    inside = np.asarray(shapely.intersects_xy(cone, lon, lat), dtype=bool)
    near = ~inside & (tolerance_km > 0)
    if near.any():
        # Degrees → km with the shorter (longitude) degree: a lower bound of the
        # true distance, so no commune within the tolerance is missed.
        points = shapely.points(lon[near], lat[near])
        deg = shapely.distance(cone, points)
        km = deg * np.radians(1.0) * EARTH_RADIUS_KM * np.cos(np.radians(lat[near]))
        inside[near] = km <= tolerance_km[near]
    return inside


# --------------------------------------------------------------------------
# Exposure


def default_clock(forecast: Forecast) -> datetime:
    """Time of the first point at lead >= 0 (the analysis), else of the first point."""
    current = [p.valid_utc for p in forecast.points if p.lead_hours >= 0]
    return min(current) if current else forecast.points[0].valid_utc


def _commune_inputs(
    communes: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    lat = communes["lat"].to_numpy(dtype=float)
    lon = communes["lon"].to_numpy(dtype=float)
    if "radius_km" in communes:
        r_eq = communes["radius_km"].to_numpy(dtype=float)
    elif "area_km2" in communes:
        r_eq = np.sqrt(communes["area_km2"].to_numpy(dtype=float) / np.pi)
    else:
        r_eq = np.zeros(lat.shape)
    r_eq = np.nan_to_num(np.maximum(r_eq, 0.0))
    geometries = None
    if "geometry" in communes:
        geometries = np.asarray(communes["geometry"].to_numpy(), dtype=object)
    regions = (
        communes["risk_region"].to_numpy(dtype=object)
        if "risk_region" in communes
        else np.full(lat.shape, DEFAULT_RISK_REGION, dtype=object)
    )
    return lat, lon, r_eq, geometries, regions


def _to_utc_series(values: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(pd.DatetimeIndex(values).tz_localize(UTC), index=index)


def _first_time(inside: np.ndarray, times: np.ndarray) -> np.ndarray:
    hit = inside.any(axis=1)
    first = inside.argmax(axis=1)
    nat = np.datetime64("NaT", "s")
    return np.where(hit, times[first], nat)


def _levels_in_cells(
    profile: WindProfile,
    band: np.ndarray,
    quadrant: np.ndarray,
    reduced_nm: np.ndarray,
    storm_level: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Refined local level and storm level in every cell inside the level-6 area."""
    rows, cols = np.nonzero(band)
    cell_band = band[rows, cols]
    speed = profile.speed(cols, quadrant[rows, cols], reduced_nm[rows, cols])
    estimate = beaufort_level_of_kt(speed)
    top = np.select(
        [cell_band == 6, cell_band == 8, cell_band == 10], [7, 9, 11], _BAND_TOP[12]
    )
    local = np.clip(estimate, cell_band, top)
    storm = np.maximum(storm_level[cols], local)
    return rows, local, storm


def _empty_result(n: int) -> dict[str, np.ndarray]:
    nat = np.full(n, np.datetime64("NaT", "s"))
    return {
        "max_level": np.zeros(n, np.int16),
        "max_gust_level": np.zeros(n, np.int16),
        "storm_level": np.zeros(n, np.int16),
        "reach": np.zeros(n, bool),
        "closest": nat,
        "min_km": np.full(n, np.nan),
        **{f"eta{level}": nat for level in ETA_LEVELS},
    }


def _holland_land_exposure(
    lat: np.ndarray,
    lon: np.ndarray,
    r_eq_km: np.ndarray,
    inland_km: np.ndarray,
    fetch_km: np.ndarray | None,
    track: HourlyTrack,
    future: HourlyTrack,
    averaging_minutes: int,
    cone_table: tuple[np.ndarray, np.ndarray] | None,
) -> dict[str, np.ndarray]:
    """Per-commune wind results of :mod:`dashboard.storms.wind` over *future*."""
    n = lat.shape[0]
    result = _empty_result(n)
    if not len(future) or not n:
        return result
    hours = (track.times - track.times[0]) / np.timedelta64(3600, "s")
    future_hours = (future.times - track.times[0]) / np.timedelta64(3600, "s")
    decay = np.interp(future_hours, hours, wind.decay_factor(track))
    vortex = wind.fit_vortex(future, averaging_minutes, decay)
    shift_km = cone_radius_nm(future.lead_hours, cone_table) * KM_PER_NM
    winds = wind.point_winds(
        vortex,
        future.lat,
        future.lon,
        lat,
        lon,
        inland_km,
        r_eq_km,
        shift_km,
        fetch_km=fetch_km,
    )
    nearest = winds.distance_km.argmin(axis=1)
    result["min_km"] = winds.distance_km[np.arange(n), nearest]
    result["closest"] = future.times[nearest]

    level = beaufort_level_of_kt(winds.sustained)
    for threshold in ETA_LEVELS:
        result[f"eta{threshold}"] = _first_time(level >= threshold, future.times)
    result["max_level"] = level.max(axis=1).astype(np.int16)
    peak = winds.sustained.max(axis=1)
    result["max_gust_level"] = np.where(
        peak > 0, beaufort_level_of_kt(peak * winds.gust_factor), 0
    ).astype(np.int16)
    storm = beaufort_level_of_kt(
        future.vmax_kt * vortex.scale / wind.averaging_factor(averaging_minutes)
    )
    in_area = level >= 6
    storm_max = np.where(in_area, storm[None, :], 0).max(axis=1)
    result["storm_level"] = np.maximum(storm_max, result["max_level"]).astype(np.int16)
    result["storm_level"][~in_area.any(axis=1)] = 0
    result["reach"] = winds.reach.any(axis=1)
    return result


def _legacy_wind_exposure(
    lat: np.ndarray,
    lon: np.ndarray,
    r_eq_km: np.ndarray,
    future: HourlyTrack,
    cone_table: tuple[np.ndarray, np.ndarray] | None,
) -> dict[str, np.ndarray]:
    """Per-commune wind results of the previous model (``rankine-quadrant-v0``).

    Kept as the baseline of ``benchmarks/run.py --only wind_skill``: agency
    radii applied over land at full width, the largest quadrant radius over
    the whole quadrant, level 6 up to 2.2 × R34, flat core. No gusts.
    """
    n = lat.shape[0]
    result = _empty_result(n)
    if not len(future) or not n:
        return result

    distance_km, quadrant = distance_and_quadrant(lat, lon, future.lat, future.lon)
    nearest = distance_km.argmin(axis=1)
    result["min_km"] = distance_km[np.arange(n), nearest]
    result["closest"] = future.times[nearest]

    profile = legacy_wind_profile(future)
    radii = legacy_level_radii(future, profile)
    reduced_nm = (distance_km - r_eq_km[:, None]) / KM_PER_NM
    flat_index = np.arange(len(future))[None, :] * 4 + quadrant
    band = np.zeros(distance_km.shape, np.int16)
    for level in ETA_LEVELS:  # nested areas: the last level written is the highest
        radius = np.take(radii[level].ravel(), flat_index)
        inside = (radius > 0) & (reduced_nm <= radius)
        band[inside] = level
        result[f"eta{level}"] = _first_time(inside, future.times)

    storm_level = beaufort_level_of_kt(future.vmax_kt)
    rows, local, storm = _levels_in_cells(
        profile, band, quadrant, reduced_nm, storm_level
    )
    if rows.size:  # rows come sorted from np.nonzero: reduce per run of a row
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        result["max_level"][rows[starts]] = np.maximum.reduceat(local, starts)
        result["storm_level"][rows[starts]] = np.maximum.reduceat(storm, starts)

    r6_max = radii[6].max(axis=1)
    reach_nm = r6_max + cone_radius_nm(future.lead_hours, cone_table)
    result["reach"] = ((reduced_nm <= reach_nm[None, :]) & (r6_max > 0)).any(axis=1)
    return result


def compute_exposure(
    forecast: Forecast,
    communes: pd.DataFrame,
    clock: Clock | None = None,
    *,
    cone_table: tuple[np.ndarray, np.ndarray] | None = None,
    step_hours: float = 1.0,
    wind_model: str = wind.WIND_MODEL_ID,
) -> pd.DataFrame:
    """Exposure of every commune to one forecast (see the module docstring).

    Parameters
    ----------
    forecast
        The forecast.
    communes
        One row per commune: ``commune_code``, ``lat``, ``lon`` (a
        representative point); optional ``radius_km`` or ``area_km2`` (size
        reduction), ``geometry`` (shapely polygons, for the product cone) and
        ``risk_region`` (see :data:`RISK_REGIONS`), ``inland_km`` (distance
        inland of the commune's most exposed part, applied whatever the wind
        direction; default: the directional fetch of
        ``data/coast/commune_fetch_km.csv`` and the distance of
        ``data/coast/commune_inland_km.csv`` by ``commune_code``, 0 = open
        water for codes in neither).
    clock
        Now; hours before it are ignored. Defaults to :func:`default_clock`.
    cone_table
        Track-error radii ``(lead_hours, radius_nm)``; default the repository table.
    step_hours
        Time step of the samples.
    wind_model
        :data:`dashboard.storms.wind.WIND_MODEL_ID` (default) or
        :data:`LEGACY_WIND_MODEL` (the previous model, kept as a baseline).

    Returns
    -------
    pandas.DataFrame
        Same index as *communes*; columns ``commune_code``, ``in_cone``,
        ``max_wind_level``, ``level6_eta_utc``, ``level8_eta_utc``,
        ``level10_eta_utc``, ``level12_eta_utc``, ``closest_approach_utc``,
        ``min_distance_km``, ``storm_level`` (storm intensity used for the
        risk level, 0 if never in the level-6 area), ``risk_level`` (0-5),
        ``max_gust_level`` (gust level, "giật cấp", at the commune's maximum
        sustained wind; 0 for the legacy model) and ``wind_model``.
    """
    if wind_model not in (wind.WIND_MODEL_ID, LEGACY_WIND_MODEL):
        raise ValueError(
            f"wind_model must be {wind.WIND_MODEL_ID!r} or {LEGACY_WIND_MODEL!r}"
        )
    clock = clock if clock is not None else default_clock(forecast)
    track = interpolate_track(forecast, step_hours)
    _, future = split_at(track, to_datetime64(clock))
    lat, lon, r_eq_km, geometries, regions = _commune_inputs(communes)

    if forecast.cone_geojson:
        in_cone = _in_product_cone(forecast.cone_geojson, lat, lon, r_eq_km, geometries)
    else:
        in_cone = in_built_cone(lat, lon, track, r_eq_km, cone_table)

    if wind_model == LEGACY_WIND_MODEL:
        winds = _legacy_wind_exposure(lat, lon, r_eq_km, future, cone_table)
    else:
        codes = communes["commune_code"].to_numpy()
        if "inland_km" in communes:
            # A given distance inland applies in every direction.
            inland = np.nan_to_num(communes["inland_km"].to_numpy(dtype=float))
            fetch_km = None
        else:
            inland = wind.commune_inland_km(codes)
            fetch_km = wind.commune_fetch_km(codes, inland)
        winds = _holland_land_exposure(
            lat,
            lon,
            r_eq_km,
            inland,
            fetch_km,
            track,
            future,
            forecast.wind_averaging_minutes,
            cone_table,
        )
    storm_max = winds["storm_level"]
    risk = decree_risk_level(storm_max, regions)
    risk = np.where(
        risk > 0, risk, np.where(winds["reach"], 2, np.where(in_cone, 1, 0))
    )

    index = communes.index
    out = pd.DataFrame(
        {
            "commune_code": communes["commune_code"].to_numpy(),
            "in_cone": in_cone,
            "max_wind_level": winds["max_level"].astype(int),
        },
        index=index,
    )
    for level in ETA_LEVELS:
        out[f"level{level}_eta_utc"] = _to_utc_series(winds[f"eta{level}"], index)
    out["closest_approach_utc"] = _to_utc_series(winds["closest"], index)
    out["min_distance_km"] = winds["min_km"]
    out["storm_level"] = storm_max.astype(int)
    out["risk_level"] = risk.astype(int)
    out["max_gust_level"] = winds["max_gust_level"].astype(int)
    out["wind_model"] = wind_model
    return out
