"""Danger cone and hourly wind areas of a forecast, as shapely geometries.

All geometries are lon/lat (EPSG:4326) and built on a sphere (radius
6371.0088 km): a circle or sector of radius *r* is the ring of points at great-
circle distance *r* from the centre, so the maps agree with the distances used
in :mod:`dashboard.storms.exposure`.

Track-error cone
----------------
When the product carries its own cone (``Forecast.cone_geojson``) that polygon
is used as published. Otherwise the cone is built the NHC way: a circle of the
track-error radius at every hourly forecast position (lead >= 0), and the cone
is the union of the convex hulls of consecutive circles. Radii come from
``data/track_error_cone_radii.csv`` (NHC, Definition of the NHC Track Forecast
Cone, 2023 Atlantic radii: two-thirds of the official track errors of
2018-2022 fall inside), linearly interpolated between its lead times, ``0`` at
lead 0 (the analysed centre is taken as exact) and held at the last value
beyond 120 h. Atlantic errors are a stand-in: no agency publishes such a table
for the East Sea; the file can be replaced by a better one.

Wind areas per Vietnamese Beaufort level (cấp)
-----------------------------------------------
:func:`level_radii` and :func:`wind_areas` come from the wind model of
:mod:`dashboard.storms.wind` (``holland-fetch-v2``, ``docs/wind-model.md``),
the one the commune table uses: the area where the stations' 2-minute wind
over open water reaches the level's lower bound (10.8, 17.2, 24.5, 32.7 m/s
for levels 6, 8, 10, 12). ``wind_areas`` draws it every 10° of azimuth (the
model interpolates smoothly between the agencies' quadrants);
``level_radii`` gives it along each quadrant's central bearing. Over land,
communes get less than the drawn area (land reduction, by the upwind land
fetch of the hour).

The previous model (``rankine-quadrant-v0``) is kept as
:func:`legacy_wind_profile` / :func:`legacy_level_radii`, the baseline of the
verification benchmark. Levels 8, 10 and 12 took the agencies' 34/50/64-kt
quadrant radii directly; level 6 came from a two-part modified Rankine profile per quadrant
(FORMATS.md §9):

    V(r) = Vmax                          for r <= Rm
    V(r) = Vmax · (Rm / r) ** x_in       for Rm < r <= R34
    V(r) = 34 kt · (R34 / r) ** x_out    for r > R34

with x_in = ln(Vmax / 34) / ln(R34 / Rm) and x_out = x_in clamped to
[0.6, 1.0] (level 6 at most 2.2 × R34), Rm from Willoughby et al. (2006),
flat at Vmax inside Rm. A quadrant whose R34 is 0 used the mean of the four
for level 6; a sample without 34-kt wind used V = Vmax · (Rm / r) ** 0.6.
Radii were nested outward and applied over land at full width.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from dashboard.config import REPO_ROOT
from dashboard.storms.model import Forecast
from dashboard.storms.track import HourlyTrack, interpolate_track
from dashboard.storms.wind import Vortex, fit_vortex

CONE_RADII_FILE = REPO_ROOT / "data" / "track_error_cone_radii.csv"

EARTH_RADIUS_KM = 6371.0088
KM_PER_NM = 1.852
MS_PER_KT = 0.514444

WIND_LEVELS = (6, 8, 10, 12)
"""Beaufort levels (cấp) that get a wind area."""

LEVEL_THRESHOLD_KT: dict[int, float] = {6: 21.0, 8: 34.0, 10: 50.0, 12: 64.0}
"""Wind (kt) taken as the start of each level: 10.8 m/s for level 6; the
agencies' radii thresholds for 8, 10, 12 (17.2, 24.5, 32.7 m/s ≈ 33.4, 47.6,
63.6 kt)."""

RADII_THRESHOLD_BY_LEVEL = {8: 34, 10: 50, 12: 64}

LEVEL_MIN_MS: dict[int, float] = {6: 10.8, 8: 17.2, 10: 24.5, 12: 32.7}
"""Lower bound (m/s) of each level with an area, QĐ 18/2021 Annex III."""

PROFILE_X_MIN = 0.6
PROFILE_X_MAX = 1.0


# --------------------------------------------------------------------------
# Track-error radii


@lru_cache(maxsize=8)
def load_cone_radii(path: Path = CONE_RADII_FILE) -> tuple[np.ndarray, np.ndarray]:
    """Read a cone-radius table (``lead_hours, radius_nm, source``).

    Returns
    -------
    tuple of numpy.ndarray
        Lead hours (increasing) and radii in nmi.

    Raises
    ------
    ValueError
        When the leads do not increase or a radius is negative.
    """
    with Path(path).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    leads = np.array([float(r["lead_hours"]) for r in rows])
    radii = np.array([float(r["radius_nm"]) for r in rows])
    if leads.size == 0 or np.any(np.diff(leads) <= 0):
        raise ValueError(f"{path}: lead_hours must be increasing")
    if np.any(radii < 0):
        raise ValueError(f"{path}: a radius is negative")
    leads.setflags(write=False)
    radii.setflags(write=False)
    return leads, radii


def cone_radius_nm(
    lead_hours: np.ndarray | float,
    table: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Track-error radius (nmi) at each lead time.

    Linear between table rows, the last value held beyond the table, and 0
    for negative leads (analysed past positions are not uncertain here).
    """
    leads, radii = table if table is not None else load_cone_radii()
    lead = np.asarray(lead_hours, dtype=float)
    out = np.interp(lead, leads, radii)
    return np.where(lead < 0, 0.0, out)


# --------------------------------------------------------------------------
# Wind profile


def radius_of_max_wind_nm(vmax_kt: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Willoughby et al. (2006) radius of maximum wind, in nmi."""
    vmax_ms = np.asarray(vmax_kt, dtype=float) * MS_PER_KT
    rm_km = 46.4 * np.exp(-0.0155 * vmax_ms + 0.0169 * np.abs(lat))
    return rm_km / KM_PER_NM


@dataclass(frozen=True)
class WindProfile:
    """Two-part modified Rankine profile per sample and quadrant.

    Arrays have shape ``(n, 4)`` (quadrants NE, SE, SW, NW) except ``vmax_kt``
    and ``rmw_nm`` (``(n,)``). The wind at distance r in a quadrant is

    * ``vmax`` for r <= Rm (flat: the eyewall passes within the hour);
    * ``vmax * (Rm / r) ** x_in`` for Rm < r <= R_a (fitted exponent);
    * ``v_a * (R_a / r) ** x_out`` beyond the anchor R_a (clamped exponent),

    capped at ``vmax``. The anchor (R_a, v_a) is (R34, 34 kt) or, without
    34-kt winds, (Rm, Vmax).
    """

    vmax_kt: np.ndarray
    rmw_nm: np.ndarray
    anchor_kt: np.ndarray
    anchor_nm: np.ndarray
    x_in: np.ndarray
    x_out: np.ndarray

    def radius_of(self, speed_kt: float) -> np.ndarray:
        """Radius (nmi, ``(n, 4)``) where the wind falls to *speed_kt*; 0 if never reached."""
        vmax = self.vmax_kt[:, None]
        rm = self.rmw_nm[:, None]
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            outer = self.anchor_nm * (self.anchor_kt / speed_kt) ** (1.0 / self.x_out)
            inner = rm * (vmax / speed_kt) ** (1.0 / self.x_in)
        inner = np.fmin(inner, self.anchor_nm)
        r = np.where(speed_kt <= self.anchor_kt, outer, inner)
        # Unknown Vmax: only speeds at or below the anchor's are known to occur.
        reached = (vmax >= speed_kt) | (np.isnan(vmax) & (speed_kt <= self.anchor_kt))
        return np.where(reached & np.isfinite(r), r, 0.0)

    def speed(
        self, rows: np.ndarray, quadrant: np.ndarray, r_nm: np.ndarray
    ) -> np.ndarray:
        """Wind (kt) at distance *r_nm* in sample *rows*, quadrant index *quadrant*."""
        a_kt = self.anchor_kt[rows, quadrant]
        a_nm = self.anchor_nm[rows, quadrant]
        vmax = self.vmax_kt[rows]
        rm = self.rmw_nm[rows]
        r = np.maximum(r_nm, 1e-6)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            outer = a_kt * (a_nm / r) ** self.x_out[rows, quadrant]
            inner = vmax * (rm / r) ** self.x_in[rows, quadrant]
        v = np.where(r > a_nm, outer, np.where(r > rm, inner, vmax))
        return np.fmin(v, vmax)


def legacy_wind_profile(track: HourlyTrack) -> WindProfile:
    """Fit the wind profile of the module docstring to every sample of *track*."""
    vmax = track.vmax_kt
    rm = radius_of_max_wind_nm(vmax, track.lat)
    r34 = track.r34_nm
    mean34 = np.nan_to_num(r34.mean(axis=1, keepdims=True))  # NaN rows: no anchor
    quadrant_anchor = np.where(r34 > 0, r34, mean34)
    has_anchor = quadrant_anchor > 0  # False where R34 is NaN or all zero
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.maximum(quadrant_anchor / rm[:, None], 1.0001)
        x_fit = np.log(np.maximum(vmax[:, None], 34.0001) / 34.0) / np.log(ratio)
    x_fit = np.where(np.isnan(x_fit), PROFILE_X_MIN, x_fit)
    x_out = np.where(
        has_anchor, np.clip(x_fit, PROFILE_X_MIN, PROFILE_X_MAX), PROFILE_X_MIN
    )
    return WindProfile(
        vmax_kt=vmax,
        rmw_nm=rm,
        anchor_kt=np.where(has_anchor, 34.0, vmax[:, None]),
        anchor_nm=np.where(has_anchor, quadrant_anchor, rm[:, None]),
        x_in=np.where(has_anchor, np.maximum(x_fit, 1e-3), PROFILE_X_MIN),
        x_out=x_out,
    )


def legacy_level_radii(
    track: HourlyTrack, profile: WindProfile | None = None
) -> dict[int, np.ndarray]:
    """Radius (nmi, ``(n, 4)``) of the wind area of each level in :data:`WIND_LEVELS`.

    Published radii are used where given; the profile fills level 6 and any
    radius that was not analysed. Unknown radii become 0 (no area).
    """
    profile = profile if profile is not None else legacy_wind_profile(track)
    out: dict[int, np.ndarray] = {}
    for level, threshold in RADII_THRESHOLD_BY_LEVEL.items():
        given = track.radii(threshold)
        out[level] = np.where(np.isnan(given), profile.radius_of(threshold), given)
    out[6] = profile.radius_of(LEVEL_THRESHOLD_KT[6])
    out[10] = np.maximum(out[10], out[12])
    out[8] = np.maximum(out[8], out[10])
    out[6] = np.maximum(out[6], out[8])
    return {level: out[level] for level in WIND_LEVELS}


def level_radii(
    track: HourlyTrack,
    vortex: Vortex | None = None,
    averaging_minutes: int = 1,
) -> dict[int, np.ndarray]:
    """Open-water radius (nmi, ``(n, 4)``) of each level's wind area, per quadrant.

    From the wind model of :mod:`dashboard.storms.wind` (the one the commune
    table uses): the distance, along each quadrant's central bearing, at
    which the stations' 2-minute wind over open water falls below the
    level's lower bound (17.2 m/s for level 8, ...). Over open water and on
    the coast these areas and the communes' levels and ETAs agree; inland,
    communes get less (land reduction), so the drawn areas are the outer
    limit. Pass *vortex* when the track is part of a longer one (decay).
    """
    vortex = vortex if vortex is not None else fit_vortex(track, averaging_minutes)
    out: dict[int, np.ndarray] = {}
    for level in WIND_LEVELS:
        speed = LEVEL_MIN_MS[level] / MS_PER_KT
        out[level] = np.column_stack(
            [vortex.radius_of(speed, q) for q in range(4)]
        ).reshape(len(track), 4)
    return out


# --------------------------------------------------------------------------
# Geometry


def destination(
    lat: np.ndarray, lon: np.ndarray, bearing_deg: np.ndarray, distance_km: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Great-circle destination points (degrees) from a start, bearing and distance."""
    phi1, lam1 = np.radians(lat), np.radians(lon)
    theta = np.radians(bearing_deg)
    delta = np.asarray(distance_km, dtype=float) / EARTH_RADIUS_KM
    sin_phi2 = np.sin(phi1) * np.cos(delta) + np.cos(phi1) * np.sin(delta) * np.cos(
        theta
    )
    phi2 = np.arcsin(np.clip(sin_phi2, -1.0, 1.0))
    lam2 = lam1 + np.arctan2(
        np.sin(theta) * np.sin(delta) * np.cos(phi1),
        np.cos(delta) - np.sin(phi1) * sin_phi2,
    )
    return np.degrees(phi2), np.degrees(lam2)


def _ring(
    lat: float, lon: float, radii_nm: np.ndarray, per_quadrant: int
) -> np.ndarray:
    """Closed (k, 2) lon/lat ring: arcs per quadrant, the centre where a radius is 0."""
    parts = []
    for q in range(4):
        r = float(radii_nm[q])
        if r > 0:
            bearings = np.linspace(q * 90.0, (q + 1) * 90.0, per_quadrant + 1)
            plat, plon = destination(
                lat, lon, bearings, np.full(bearings.shape, r * KM_PER_NM)
            )
            parts.append(np.column_stack([plon, plat]))
        else:
            parts.append(np.array([[lon, lat]]))
    return np.concatenate(parts)


def quadrant_polygon(
    lat: float, lon: float, radii_nm: np.ndarray, per_quadrant: int = 18
) -> BaseGeometry:
    """Area inside quadrant radii (NE, SE, SW, NW) around a centre; empty if all are 0."""
    radii_nm = np.nan_to_num(np.asarray(radii_nm, dtype=float))
    if not np.any(radii_nm > 0):
        return shapely.Polygon()
    polygon = shapely.Polygon(_ring(lat, lon, radii_nm, per_quadrant))
    return polygon if polygon.is_valid else shapely.make_valid(polygon)


def circle_polygon(
    lat: float, lon: float, radius_nm: float, segments: int = 72
) -> BaseGeometry:
    """A circle of *radius_nm* around a centre (empty when the radius is 0)."""
    return quadrant_polygon(lat, lon, np.full(4, radius_nm), per_quadrant=segments // 4)


AREA_BEARINGS = np.arange(0.0, 360.0, 10.0)


def wind_areas(
    track: HourlyTrack,
    level: int,
    radii: dict[int, np.ndarray] | None = None,
    vortex: Vortex | None = None,
) -> list[BaseGeometry]:
    """One polygon per sample: where wind of Beaufort *level* (6, 8, 10, 12) is forecast.

    Without *radii*: the open-water area of the wind model (the distance at
    which the stations' 2-minute wind falls below the level, every 10° of
    azimuth; the model interpolates smoothly between quadrants). With
    *radii* (per quadrant, e.g. from :func:`legacy_level_radii`): quadrant
    sectors, as the agencies draw them.
    """
    if radii is not None:
        r = radii[level]
        return [
            quadrant_polygon(track.lat[i], track.lon[i], r[i])
            for i in range(len(track))
        ]
    vortex = vortex if vortex is not None else fit_vortex(track)
    speed = LEVEL_MIN_MS[level] / MS_PER_KT
    r = np.column_stack([vortex.radius_along(speed, b) for b in AREA_BEARINGS])
    areas = []
    for i in range(len(track)):
        if not np.any(r[i] > 0):
            areas.append(shapely.Polygon())
            continue
        plat, plon = destination(
            track.lat[i], track.lon[i], AREA_BEARINGS, r[i] * KM_PER_NM
        )
        polygon = shapely.Polygon(np.column_stack([plon, plat]))
        areas.append(polygon if polygon.is_valid else shapely.make_valid(polygon))
    return areas


def wind_swath(
    track: HourlyTrack,
    level: int,
    radii: dict[int, np.ndarray] | None = None,
    vortex: Vortex | None = None,
) -> BaseGeometry:
    """Union of the hourly wind areas of *level* (the area swept by that wind)."""
    areas = [a for a in wind_areas(track, level, radii, vortex) if not a.is_empty]
    return shapely.union_all(areas) if areas else shapely.Polygon()


def built_cone(
    track: HourlyTrack,
    table: tuple[np.ndarray, np.ndarray] | None = None,
    segments: int = 72,
) -> BaseGeometry:
    """Cone from track-error circles at the forecast samples (lead >= 0).

    Union of the convex hulls of consecutive circles; empty with fewer than
    two forecast samples.
    """
    part = track.select(track.lead_hours >= 0)
    if len(part) < 2:
        return shapely.Polygon()
    radius = cone_radius_nm(part.lead_hours, table)
    bearings = np.linspace(0.0, 360.0, segments, endpoint=False)
    lat, lon = destination(
        part.lat[:, None],
        part.lon[:, None],
        bearings[None, :],
        (radius * KM_PER_NM)[:, None] * np.ones_like(bearings)[None, :],
    )
    rings = np.stack([lon, lat], axis=-1)  # (n, segments, 2); radius 0 → all at centre
    pairs = np.concatenate([rings[:-1], rings[1:]], axis=1)
    hulls = shapely.convex_hull(shapely.multipoints(pairs))
    return shapely.union_all(hulls)


def product_cone(cone_geojson: dict[str, Any]) -> BaseGeometry:
    """The product's own cone as a shapely geometry (geometry, Feature or collection)."""
    kind = cone_geojson.get("type")
    if kind == "Feature":
        return product_cone(cone_geojson["geometry"])
    if kind == "FeatureCollection":
        parts = [product_cone(f) for f in cone_geojson.get("features", [])]
        return shapely.union_all(parts) if parts else shapely.Polygon()
    geometry = shape(cone_geojson)
    return geometry if geometry.is_valid else shapely.make_valid(geometry)


def cone_polygon(
    forecast: Forecast,
    track: HourlyTrack | None = None,
    table: tuple[np.ndarray, np.ndarray] | None = None,
) -> BaseGeometry:
    """The forecast's danger cone: its own polygon when given, else :func:`built_cone`."""
    if forecast.cone_geojson:
        return product_cone(forecast.cone_geojson)
    track = track if track is not None else interpolate_track(forecast)
    return built_cone(track, table)
