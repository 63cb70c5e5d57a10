"""Surface wind per place and hour: Holland profile, land reduction, decay, gusts.

The model ``holland-fetch-v2`` (:data:`WIND_MODEL_ID`); every constant, its
source and the known limits are in ``docs/wind-model.md``. In short:

1. **Profile over open water** (Holland, Belanger & Fritz 2010, "H10"):
   ``V(r) = Vm · [(Rm/r)^b · exp(1 - (Rm/r)^b)]^x(r)``, with ``x = 0.5``
   inside the radius of maximum wind Rm and, outside, ``x`` piecewise linear
   in r through one knot per published wind radius (64, 50, 34 kt), each
   knot's ``x`` solved in closed form so that the profile passes exactly
   through the agency's (radius, speed); beyond the outermost radius ``x`` is
   held. H10 fits one peripheral wind this way; several radii give several
   knots. The knots are fitted per quadrant and placed at the quadrant's
   central bearing (45°, 135°, 225°, 315°); between them the knot radii and
   exponents are interpolated linearly in azimuth, so the field is continuous
   and a quadrant's largest extent applies at its middle only. Rm is the
   agency's (``rmw_nm``, e.g. IBTrACS ``USA_RMW``) when given, else Willoughby,
   Darling & Rahn (2006). ``b`` is Holland (2008)'s ``bs`` from the central
   pressure (environment 1010 hPa) and the translation speed, clipped to
   [1, 2.5]; 1.5 without a pressure.
2. **Averaging period**: the agency's wind (1-min for JTWC) is converted to
   the 2-minute mean of Vietnamese station reports with the at-sea factors of
   :mod:`dashboard.storms.beaufort` (Harper, Kepert & Ginger 2010).
3. **Decay after landfall** (Kaplan & DeMaria 1995): over land, a forecast's
   maximum wind is capped by ``Vb + (V0 - Vb) · exp(-α t)`` (α = 0.095 h⁻¹,
   Vb = 26.7 kt, t hours since landfall, V0 the landfall intensity); the whole
   field is scaled by the same ratio, so radii held constant over land
   shrink. Analysed (past) positions are never changed.
4. **Land reduction**: ``f(x) = F + (1 - F) · exp(-x / L)`` with x the
   distance (km) the wind has blown over land: the upwind land fetch of the
   compass sector it comes from at that hour (:mod:`dashboard.storms.fetch`:
   cyclonic wind turned towards the centre by Phadke et al. 2003's inflow
   angle, 20° more over land). F = 0.61 is the open-water → rough-land ratio
   of 10-m mean winds for roughness lengths 0.002 m (sea in a cyclone) and
   0.25 m, L = 1 km (internal boundary layer). A shore facing the wind keeps
   the open-water wind; an offshore wind is reduced. ``holland-land-v1``
   used the distance to the nearest sea, whatever the direction (no
   ``fetch_km``).
5. **Gusts**: 3-s gust = sustained × G(x), G from 1.26 (off-sea) to 1.47
   (in-land): Harper et al. (2010) gust factors relative to a 2-minute mean,
   with the fetch of the hour of the strongest sustained wind.

Distances come with the project (``scripts/make_coast_data.py``, offline):
per commune the upwind fetch of its most exposed part in 16 sectors
(``data/coast/commune_fetch_km.csv``) and its distance from the sea
(``commune_inland_km.csv``); per verification station its fetch
(``station_fetch_km.csv``); for any other point (storm centres) the 0.05° grid
``inland_km_grid.npz``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.config import REPO_ROOT
from dashboard.storms import fetch
from dashboard.storms.beaufort import TO_10MIN_FACTOR
from dashboard.storms.track import HourlyTrack

WIND_MODEL_ID = "holland-fetch-v2"
"""Identifier of this model in exposure tables (``wind_model`` column)."""
PREVIOUS_WIND_MODEL_ID = "holland-land-v1"
"""The same model with the land reduction by the distance to the nearest sea,
whatever the wind direction (``point_winds`` without ``fetch_km``)."""

COAST_DIR = REPO_ROOT / "data" / "coast"
COMMUNE_INLAND_FILE = COAST_DIR / "commune_inland_km.csv"
INLAND_GRID_FILE = COAST_DIR / "inland_km_grid.npz"
COMMUNE_FETCH_FILE = COAST_DIR / "commune_fetch_km.csv"
STATION_FETCH_FILE = COAST_DIR / "station_fetch_km.csv"

EARTH_RADIUS_KM = 6371.0088
KM_PER_NM = 1.852
MS_PER_KT = 0.514444

# -- profile (docs/wind-model.md §1)
X_INNER = 0.5
"""H10 exponent inside the radius of maximum wind (also Holland 1980's shape)."""
UNKNOWN_VMAX_FACTOR = 1.1
"""Radii given without a maximum wind: Vm = this × the highest published threshold."""
NO_34KT_KNOT_FACTOR = 1.25
"""A quadrant the agency gives no 34-kt wind (R34 = 0, others > 0): the wind
is made to fall to 34 kt at this multiple of the previous knot (Rm)."""
ALPHA_OUTER_MIN = 0.5
"""Smallest decay exponent of the power-law tail V ∝ r^-α beyond the outermost
published radius (middle of the 0.4-0.6 range of modified Rankine vortices)."""
X_LIMITS = (0.05, 2.5)
B_DEFAULT = 1.5
B_LIMITS = (1.0, 2.5)
P_ENVIRONMENT_HPA = 1010.0
KNOT_SPEEDS_KT = (64.0, 50.0, 34.0)
QUADRANT_BEARINGS = (45.0, 135.0, 225.0, 315.0)

# -- averaging (§2)
STATION_AVERAGING_MINUTES = 2

# -- decay (§3)
KD_ALPHA_PER_H = 0.095
KD_BACKGROUND_KT = 26.7
KD_LANDFALL_FACTOR = 1.0
"""Kaplan & DeMaria use 0.9 at the coast; the surface reduction is applied per
place here (§4), so the storm's own intensity is not reduced a second time."""

# -- land (§4)
Z0_SEA_M = 0.002
Z0_LAND_M = 0.25
LAND_FACTOR_INLAND = (Z0_LAND_M / Z0_SEA_M) ** 0.0706 * (
    np.log(10.0 / Z0_LAND_M) / np.log(10.0 / Z0_SEA_M)
)
COAST_EFOLD_KM = 1.0

# -- gusts (§5)
GUST_FACTOR_OFF_SEA = 1.26
GUST_FACTOR_IN_LAND = 1.47

LEVEL6_KT = 10.8 / MS_PER_KT
LF_BINS = 20


# --------------------------------------------------------------------------
# Distance inland


@lru_cache(maxsize=1)
def _grid() -> tuple[np.ndarray, float, float, float]:
    with np.load(INLAND_GRID_FILE) as data:
        grid = data["inland_dkm"].astype(np.float32) / 10.0
        return grid, float(data["lon0"]), float(data["lat0"]), float(data["step"])


def inland_km_at(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Distance inland (km; 0 at sea or on the coast) from the shipped 0.05° grid.

    Bilinear between cell centres; 0 outside the grid (99-126°E, 4-28°N).
    """
    grid, lon0, lat0, step = _grid()
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    fy = (lat - lat0) / step - 0.5
    fx = (lon - lon0) / step - 0.5
    ny, nx = grid.shape
    inside = (fy >= 0) & (fy <= ny - 1) & (fx >= 0) & (fx <= nx - 1)
    y0 = np.clip(np.floor(fy).astype(int), 0, ny - 2)
    x0 = np.clip(np.floor(fx).astype(int), 0, nx - 2)
    wy = np.clip(fy - y0, 0.0, 1.0)
    wx = np.clip(fx - x0, 0.0, 1.0)
    value = (
        grid[y0, x0] * (1 - wy) * (1 - wx)
        + grid[y0, x0 + 1] * (1 - wy) * wx
        + grid[y0 + 1, x0] * wy * (1 - wx)
        + grid[y0 + 1, x0 + 1] * wy * wx
    )
    return np.where(inside, value, 0.0)


def over_land(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Whether each point is on land (nearest 0.05° cell of the shipped grid)."""
    grid, lon0, lat0, step = _grid()
    iy = np.floor((np.asarray(lat, dtype=float) - lat0) / step).astype(int)
    ix = np.floor((np.asarray(lon, dtype=float) - lon0) / step).astype(int)
    inside = (iy >= 0) & (iy < grid.shape[0]) & (ix >= 0) & (ix < grid.shape[1])
    value = grid[np.clip(iy, 0, grid.shape[0] - 1), np.clip(ix, 0, grid.shape[1] - 1)]
    return inside & (value > 0)


@lru_cache(maxsize=1)
def commune_inland_table(path: Path = COMMUNE_INLAND_FILE) -> dict[str, float]:
    """commune_code → distance inland (km) of the commune's most exposed part.

    That is the table's ``min_inland_km``: 0 for every commune touching the sea.
    """
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return {
            r["commune_code"]: float(r["min_inland_km"]) for r in csv.DictReader(handle)
        }


@lru_cache(maxsize=1)
def _inland_lookup() -> tuple[pd.Index, np.ndarray]:
    table = commune_inland_table()
    return pd.Index(list(table)), np.fromiter(table.values(), float, len(table))


def commune_inland_km(codes: np.ndarray, default: float = 0.0) -> np.ndarray:
    """Distance inland per commune code; *default* (open water) for unknown codes."""
    index, values = _inland_lookup()
    codes = np.asarray(codes)
    if codes.dtype.kind not in "OUS":
        codes = codes.astype(str)
    position = index.get_indexer(pd.Index(codes, dtype=object).astype(str))
    return np.where(position >= 0, values[position], default)


def _read_fetch(path: Path, key: list[str]) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"commune_code": str})
    columns = [c for c in frame.columns if c.startswith("from_")]
    if len(columns) != fetch.SECTORS:
        raise ValueError(f"{path}: {len(columns)} sectors, expected {fetch.SECTORS}")
    return frame[key + columns]


@lru_cache(maxsize=1)
def _commune_fetch_lookup() -> tuple[pd.Index, np.ndarray]:
    frame = _read_fetch(COMMUNE_FETCH_FILE, ["commune_code"])
    return pd.Index(frame["commune_code"]), frame.iloc[:, 1:].to_numpy(float)


def commune_fetch_km(codes: np.ndarray, inland_km: np.ndarray) -> np.ndarray:
    """Upwind land fetch ``(communes, SECTORS)`` km of each commune's most exposed part.

    From ``data/coast/commune_fetch_km.csv``; a commune not in it (at least
    ``fetch.FETCH_CAP_KM`` from the sea, or an unknown code) gets its
    *inland_km* in every direction.
    """
    index, values = _commune_fetch_lookup()
    codes = np.asarray(codes)
    if codes.dtype.kind not in "OUS":
        codes = codes.astype(str)
    position = index.get_indexer(pd.Index(codes, dtype=object).astype(str))
    isotropic = np.repeat(np.asarray(inland_km, float)[:, None], fetch.SECTORS, 1)
    return np.where((position >= 0)[:, None], values[position], isotropic)


@lru_cache(maxsize=1)
def _station_fetch_lookup() -> tuple[np.ndarray, np.ndarray]:
    frame = _read_fetch(STATION_FETCH_FILE, ["lat", "lon"])
    return frame[["lat", "lon"]].to_numpy(float), frame.iloc[:, 2:].to_numpy(float)


def point_fetch_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Upwind land fetch ``(points, SECTORS)`` km at points.

    The weather stations of the verification set have their own fetches
    (``data/coast/station_fetch_km.csv``, matched when the latitude and
    longitude differences add up to less than 0.001°); any other
    point gets its distance inland (:func:`inland_km_at`) in every direction.
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    out = np.repeat(inland_km_at(lat, lon)[:, None], fetch.SECTORS, axis=1)
    where, values = _station_fetch_lookup()
    gap = np.abs(lat[:, None] - where[None, :, 0]) + np.abs(
        lon[:, None] - where[None, :, 1]
    )
    match = gap.min(axis=1) < 0.001 if len(where) else np.zeros(lat.shape, bool)
    out[match] = values[gap[match].argmin(axis=1)]
    return out


def land_factor(inland_km: np.ndarray | float) -> np.ndarray:
    """Ratio of the 10-m wind over land to that over open water (1 on the coast).

    *inland_km* is the distance the wind has travelled over land: the upwind
    fetch (or, without a direction, the distance from the sea)."""
    d = np.maximum(np.asarray(inland_km, dtype=float), 0.0)
    return LAND_FACTOR_INLAND + (1.0 - LAND_FACTOR_INLAND) * np.exp(-d / COAST_EFOLD_KM)


def gust_factor(inland_km: np.ndarray | float) -> np.ndarray:
    """3-s gust / 2-min mean: off-sea on the coast, in-land far from it."""
    d = np.maximum(np.asarray(inland_km, dtype=float), 0.0)
    w = np.exp(-d / COAST_EFOLD_KM)
    return GUST_FACTOR_IN_LAND + (GUST_FACTOR_OFF_SEA - GUST_FACTOR_IN_LAND) * w


def averaging_factor(forecast_minutes: int) -> float:
    """Multiply an agency's N-minute wind by this to get the stations' 2-minute mean."""
    return (
        TO_10MIN_FACTOR[forecast_minutes] / TO_10MIN_FACTOR[STATION_AVERAGING_MINUTES]
    )


# --------------------------------------------------------------------------
# Profile


def radius_of_max_wind_nm(vmax_kt: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Willoughby, Darling & Rahn (2006) eq. 7a: Rm = 46.4 exp(-0.0155 Vm + 0.0169 |φ|) km."""
    vmax_ms = np.asarray(vmax_kt, dtype=float) * MS_PER_KT
    return 46.4 * np.exp(-0.0155 * vmax_ms + 0.0169 * np.abs(lat)) / KM_PER_NM


def translation_speed_ms(track: HourlyTrack) -> np.ndarray:
    """Speed of the centre (m/s) per sample, from its neighbours on the track."""
    n = len(track)
    if n < 2:
        return np.zeros(n)
    hours = (track.times - track.times[0]) / np.timedelta64(3600, "s")
    lat = np.radians(track.lat)
    dlat = np.gradient(lat, hours)
    dlon = np.gradient(np.radians(track.lon), hours) * np.cos(lat)
    return np.hypot(dlat, dlon) * EARTH_RADIUS_KM * 1000.0 / 3600.0


def holland_b(mslp_hpa: np.ndarray, lat: np.ndarray, vt_ms: np.ndarray) -> np.ndarray:
    """Holland (2008) bs (pressure tendency taken as 0), clipped; 1.5 without pressure."""
    dp = np.maximum(P_ENVIRONMENT_HPA - np.asarray(mslp_hpa, dtype=float), 1.0)
    x = 0.6 * (1.0 - dp / 215.0)
    bs = -4.4e-5 * dp**2 + 0.01 * dp - 0.014 * np.abs(lat) + 0.15 * vt_ms**x + 1.0
    bs = np.clip(bs, *B_LIMITS)
    return np.where(np.isnan(mslp_hpa), B_DEFAULT, bs)


def _log_shape(rm: np.ndarray, b: np.ndarray, r: np.ndarray) -> np.ndarray:
    """ln[(Rm/r)^b · exp(1 - (Rm/r)^b)] (≤ 0, 0 at r = Rm)."""
    s = (rm / np.maximum(r, 1e-6)) ** b
    return np.log(np.maximum(s, 1e-300)) + 1.0 - s


@dataclass(frozen=True)
class Vortex:
    """Fitted profile parameters per sample (``(n,)``) and quadrant knot (``(n, 4, 3)``).

    ``knot_r``/``knot_x``: radius (nmi) and exponent of the 64-, 50- and 34-kt
    knots per quadrant (NE, SE, SW, NW); a knot the agency does not give is
    collapsed onto the previous one (same radius and exponent). ``scale`` is
    the averaging-period factor times the decay factor: multiply the
    open-water profile by it to get the stations' 2-minute wind.
    """

    vmax_kt: np.ndarray
    rmw_nm: np.ndarray
    b: np.ndarray
    knot_r: np.ndarray
    knot_x: np.ndarray
    scale: np.ndarray

    def open_water_kt(
        self, rows: np.ndarray, bearing_deg: np.ndarray, r_nm: np.ndarray
    ) -> np.ndarray:
        """Open-water wind (kt, the agency's averaging, undecayed) at cells.

        *rows* are sample indices, *bearing_deg* the bearing from the centre to
        the place, *r_nm* its distance.
        """
        kr, kx = self.cell_knots(rows, bearing_deg)
        return self._speed(
            rows, self.rmw_nm[rows], kr, kx, np.asarray(r_nm, dtype=float)
        )

    def cell_knots(
        self, rows: np.ndarray, bearing_deg: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Knot radii and exponents ``(cells, 3)`` interpolated in azimuth."""
        u = (np.asarray(bearing_deg, dtype=float) - 45.0) * (1.0 / 90.0)
        u %= 4.0
        q0 = u.astype(np.intp)
        np.minimum(q0, 3, out=q0)
        w = (u - q0)[:, None]
        base = rows * 4
        i1 = base + (q0 + 1) % 4
        i0 = base + q0
        knots = self._knots()
        k0 = knots[i0]
        k0 += (knots[i1] - k0) * w
        return k0[:, :3], k0[:, 3:]

    def _knots(self) -> np.ndarray:
        """``(n * 4, 6)``: knot radii then exponents, one row per sample and quadrant."""
        cached = self.__dict__.get("_knot_table")
        if cached is None:
            cached = np.concatenate(
                [self.knot_r.reshape(-1, 3), self.knot_x.reshape(-1, 3)], axis=1
            )
            object.__setattr__(self, "_knot_table", cached)
        return cached

    def tail_bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per sample: the largest outermost-knot radius, an upper bound of the
        wind there and a lower bound of the tail exponent (any azimuth)."""
        r3 = np.maximum(self.knot_r[:, :, 2], self.rmw_nm[:, None])
        rm, b = self.rmw_nm[:, None], self.b[:, None]
        log_g = _log_shape(rm, b, r3)  # <= 0
        x3 = self.knot_x[:, :, 2]
        v_up = self.vmax_kt * np.exp(x3.min(axis=1) * log_g.max(axis=1))
        s3 = (rm / np.maximum(r3, 1e-6)) ** b
        alpha = np.maximum(
            x3.min(axis=1) * self.b * (1.0 - s3.max(axis=1)), ALPHA_OUTER_MIN
        )
        return r3.max(axis=1), v_up, alpha

    def _speed(
        self,
        rows: np.ndarray,
        rm: np.ndarray,
        kr: np.ndarray,
        kx: np.ndarray,
        r: np.ndarray,
    ) -> np.ndarray:
        x = kx[:, 2].copy()
        prev_r = [rm, kr[:, 0], kr[:, 1]]
        prev_x = [np.full(rm.shape, X_INNER), kx[:, 0], kx[:, 1]]
        for k in (2, 1, 0):  # outermost first: the innermost segment wins
            r0, x0 = prev_r[k], prev_x[k]
            width = np.maximum(kr[:, k] - r0, 1e-9)
            t = np.clip((r - r0) / width, 0.0, 1.0)
            x = np.where(r <= kr[:, k], x0 + t * (kx[:, k] - x0), x)
        b = self.b[rows]
        r_last = kr[:, 2]
        inner = np.minimum(r, r_last)
        x = np.where(inner <= rm, X_INNER, x)
        v = self.vmax_kt[rows] * np.exp(x * _log_shape(rm, b, inner))
        # Beyond the outermost radius: power-law tail, at least ALPHA_OUTER_MIN.
        s_last = (rm / np.maximum(r_last, 1e-6)) ** b
        alpha = np.maximum(kx[:, 2] * b * (1.0 - s_last), ALPHA_OUTER_MIN)
        tail = (np.maximum(r_last, 1e-6) / np.maximum(r, 1e-6)) ** alpha
        v = np.where(r > r_last, v * tail, v)
        return np.where(np.isnan(v), 0.0, v)

    def quadrant_speed(self, quadrant: int, r_nm: np.ndarray) -> np.ndarray:
        """Open-water wind (kt) at the central bearing of *quadrant*, every sample.

        *r_nm* has shape ``(n,)`` or ``(n, k)`` (k radii per sample).
        """
        r = np.asarray(r_nm, dtype=float)
        n = self.vmax_kt.shape[0]
        flat = r.reshape(n, -1)
        k = flat.shape[1]
        rows = np.repeat(np.arange(n), k)
        bearing = np.full(rows.shape, QUADRANT_BEARINGS[quadrant])
        return self.open_water_kt(rows, bearing, flat.ravel()).reshape(r.shape)

    def outer_bound_nm(self, speed_kt: np.ndarray | float) -> np.ndarray:
        """Per sample, a radius beyond which the *scaled* wind is below *speed_kt*.

        Beyond the outermost knot the wind falls as r^-α from its value there
        (see :meth:`tail_bounds`); 0 where the sample has no wind.
        """
        target = np.asarray(speed_kt, dtype=float) / np.maximum(self.scale, 1e-9)
        vmax = self.vmax_kt
        last, v_up, alpha = self.tail_bounds()
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            bound = last * np.maximum(v_up / target, 1.0) ** (1.0 / alpha)
        ok = np.isfinite(bound) & (vmax * self.scale >= np.asarray(speed_kt))
        return np.where(ok, bound, 0.0)

    def radius_of(self, speed_kt: float, quadrant: int) -> np.ndarray:
        """Radius (nmi, per sample) where the *scaled* wind falls to *speed_kt*
        at *quadrant*'s central bearing; 0 where it is never reached."""
        return self.radius_along(speed_kt, QUADRANT_BEARINGS[quadrant])

    def radius_along(self, speed_kt: float, bearing: float) -> np.ndarray:
        """Radius (nmi, per sample) where the *scaled* wind falls to *speed_kt*
        along *bearing* (degrees from north); 0 where it is never reached.

        Bisection between Rm and the outer bound (the profile decreases
        outside Rm)."""
        n = self.vmax_kt.shape[0]
        outer = self.outer_bound_nm(speed_kt)
        lo = np.where(np.isfinite(self.rmw_nm), self.rmw_nm, 0.0)
        hi = np.maximum(outer, lo)
        rows = np.arange(n)
        bearings = np.full(n, float(bearing))
        kr, kx = self.cell_knots(rows, bearings)
        rm = self.rmw_nm
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            above = self._speed(rows, rm, kr, kx, mid) * self.scale >= speed_kt
            lo = np.where(above, mid, lo)
            hi = np.where(above, hi, mid)
        return np.where(outer > 0, lo, 0.0)


def _fit_knots(
    track: HourlyTrack, vmax: np.ndarray, rm: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n = len(track)
    knot_r = np.empty((n, 4, 3))
    knot_x = np.empty((n, 4, 3))
    prev_r = np.repeat(rm[:, None], 4, axis=1)
    prev_x = np.full((n, 4), X_INNER)
    for k, speed in enumerate(KNOT_SPEEDS_KT):
        radius = track.radii(int(speed))
        if speed == 34.0:
            # The agency says: no 34-kt wind in this quadrant (others have some).
            none_here = (radius == 0) & (vmax[:, None] > speed) & (prev_r > 0)
            radius = np.where(none_here, prev_r * NO_34KT_KNOT_FACTOR, radius)
        with np.errstate(invalid="ignore", divide="ignore"):
            log_g = _log_shape(rm[:, None], b[:, None], radius)
            x = np.log(speed / vmax[:, None]) / log_g
        valid = (
            np.isfinite(radius)
            & (radius > prev_r * 1.02)
            & (vmax[:, None] > speed * 1.001)
            & np.isfinite(x)
        )
        x = np.clip(np.where(valid, x, X_INNER), *X_LIMITS)
        knot_r[:, :, k] = np.where(valid, radius, prev_r)
        knot_x[:, :, k] = np.where(valid, x, prev_x)
        prev_r, prev_x = knot_r[:, :, k], knot_x[:, :, k]
    return knot_r, knot_x


def decay_factor(track: HourlyTrack) -> np.ndarray:
    """Kaplan-DeMaria envelope / forecast maximum wind, per sample (≤ 1).

    1 over the sea, for analysed (past) samples and where the forecast already
    decays faster than the envelope.
    """
    n = len(track)
    factor = np.ones(n)
    if n == 0:
        return factor
    land = over_land(track.lat, track.lon)
    hours = (track.times - track.times[0]) / np.timedelta64(3600, "s")
    vmax = track.vmax_kt
    landfall_h = None
    v0 = np.nan
    for i in range(n):
        if not land[i]:
            landfall_h = None
            continue
        if landfall_h is None:
            landfall_h = hours[i]
            v0 = vmax[i - 1] if i > 0 and np.isfinite(vmax[i - 1]) else vmax[i]
        if not track.is_forecast[i] or not np.isfinite(vmax[i]) or vmax[i] <= 0:
            continue
        if not np.isfinite(v0) or v0 <= KD_BACKGROUND_KT:
            continue
        t = hours[i] - landfall_h
        envelope = KD_BACKGROUND_KT + (
            KD_LANDFALL_FACTOR * v0 - KD_BACKGROUND_KT
        ) * np.exp(-KD_ALPHA_PER_H * t)
        factor[i] = min(1.0, envelope / vmax[i])
    return factor


def fit_vortex(
    track: HourlyTrack,
    averaging_minutes: int = 1,
    decay: np.ndarray | None = None,
) -> Vortex:
    """Fit the profile to every sample of *track* (see the module docstring).

    *decay* is the per-sample decay factor (default :func:`decay_factor` of
    *track*); pass it when *track* is part of a longer track, so that the time
    since landfall counts from the real landfall.
    """
    vmax = track.vmax_kt.astype(float)
    # Radii but no maximum wind (rare): the weakest storm consistent with them.
    for speed in KNOT_SPEEDS_KT:
        has = np.nan_to_num(track.radii(int(speed))).max(axis=1) > 0
        vmax = np.where(np.isnan(vmax) & has, speed * UNKNOWN_VMAX_FACTOR, vmax)
    given = track.rmw_nm
    rm = np.where(
        np.isfinite(given) & (given > 0), given, radius_of_max_wind_nm(vmax, track.lat)
    )
    b = holland_b(track.mslp_hpa, track.lat, translation_speed_ms(track))
    knot_r, knot_x = _fit_knots(track, vmax, rm, b)
    decay = decay_factor(track) if decay is None else decay
    scale = averaging_factor(averaging_minutes) * decay
    return Vortex(
        vmax_kt=vmax, rmw_nm=rm, b=b, knot_r=knot_r, knot_x=knot_x, scale=scale
    )


# --------------------------------------------------------------------------
# Winds at places


def great_circle_km(
    lat: np.ndarray, lon: np.ndarray, centre_lat: np.ndarray, centre_lon: np.ndarray
) -> np.ndarray:
    """Great-circle distance (km) from every centre to every point, ``(n_points, n_centres)``.

    Trigonometric functions of the 1-D inputs only; the pairwise terms are
    outer products (haversine as ``(1 - cos φp cos φc cos Δλ - sin φp sin φc) / 2``).
    """
    phi_p, phi_c = np.radians(lat), np.radians(centre_lat)
    lam_p, lam_c = np.radians(lon), np.radians(centre_lon)
    cp = np.cos(phi_p)
    cc = np.cos(phi_c)
    a = cp * np.cos(lam_p)
    c = cp * np.sin(lam_p)
    half_chord_sq = 1.0 - np.multiply.outer(np.sin(phi_p), np.sin(phi_c))
    half_chord_sq -= np.multiply.outer(a, cc * np.cos(lam_c))
    half_chord_sq -= np.multiply.outer(c, cc * np.sin(lam_c))
    half_chord_sq *= 0.5
    np.clip(half_chord_sq, 0.0, 1.0, out=half_chord_sq)
    np.sqrt(half_chord_sq, out=half_chord_sq)
    np.arcsin(half_chord_sq, out=half_chord_sq)
    half_chord_sq *= 2.0 * EARTH_RADIUS_KM
    return half_chord_sq


def bearing_deg(
    lat: np.ndarray, lon: np.ndarray, centre_lat: np.ndarray, centre_lon: np.ndarray
) -> np.ndarray:
    """Initial bearing (degrees from north) from each centre to each point (same shapes)."""
    phi_p, phi_c = np.radians(lat), np.radians(centre_lat)
    dlam = np.radians(np.asarray(lon) - np.asarray(centre_lon))
    north = np.cos(phi_c) * np.sin(phi_p) - np.sin(phi_c) * np.cos(phi_p) * np.cos(dlam)
    east = np.sin(dlam) * np.cos(phi_p)
    return np.degrees(np.arctan2(east, north))


def _cell_bearing(
    trig_p: np.ndarray, trig_c: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """:func:`bearing_deg` at cells from precomputed (sin φ, cos φ, sin λ, cos λ)."""
    sp, cp, slp, clp = trig_p[:, rows]
    sc, cc, slc, clc = trig_c[:, cols]
    cos_dlam = clp * clc + slp * slc
    sin_dlam = slp * clc - clp * slc
    north = cc * sp - sc * cp * cos_dlam
    east = sin_dlam * cp
    return np.degrees(np.arctan2(east, north))


def _trig(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    phi, lam = np.radians(lat), np.radians(lon)
    return np.stack([np.sin(phi), np.cos(phi), np.sin(lam), np.cos(lam)])


@dataclass(frozen=True)
class PointWinds:
    """Winds at places × samples (kt, 2-minute mean at 10 m, land-reduced).

    ``sustained`` is 0 where the wind is below the floor (level 6) or not computed;
    ``reach`` (bool) marks cells with the floor, and, for places that never
    get it, cells where it would arrive if the centre moved towards the place
    by *shift_km* (the track error). ``gust_factor`` is per place, for the
    exposure at the sample of its largest sustained wind.
    """

    sustained: np.ndarray
    distance_km: np.ndarray
    reach: np.ndarray
    gust_factor: np.ndarray


def point_winds(
    vortex: Vortex,
    centre_lat: np.ndarray,
    centre_lon: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    inland_km: np.ndarray,
    pad_km: np.ndarray | float = 0.0,
    shift_km: np.ndarray | float = 0.0,
    floor_kt: float = LEVEL6_KT,
    fetch_km: np.ndarray | None = None,
) -> PointWinds:
    """Wind at every place and sample (see :class:`PointWinds`).

    Winds below *floor_kt* (default: level 6) are reported as 0.

    *pad_km* is the place's size (equivalent radius): its most exposed point
    is taken, i.e. the distance within ``[d - pad, d + pad]`` closest to Rm.
    *shift_km* (per sample) is the track error used for ``reach``.
    *fetch_km* ``(places, fetch.SECTORS)`` is the upwind land fetch per
    compass sector: the land reduction then uses the sector the wind comes
    from at each sample (docs/wind-model.md §4). Without it, *inland_km* is
    used whatever the direction (the previous model, ``holland-land-v1``).
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    n = lat.shape[0]
    m = centre_lat.shape[0]
    pad = np.broadcast_to(np.asarray(pad_km, dtype=float), (n,))
    shift = np.broadcast_to(np.asarray(shift_km, dtype=float), (m,))
    if fetch_km is None:
        fetch_km = np.repeat(
            np.asarray(inland_km, dtype=float).reshape(n, 1), fetch.SECTORS, axis=1
        )
    fetch_km = np.maximum(np.asarray(fetch_km, dtype=float), 0.0)
    least = fetch_km.min(axis=1) if n else np.zeros(0)
    distance = great_circle_km(lat, lon, centre_lat, centre_lon)
    sustained = np.zeros((n, m))
    reach = np.zeros((n, m), bool)
    if n == 0 or m == 0:
        return PointWinds(sustained, distance, reach, gust_factor(least))

    exposure = _Exposure(fetch_km, centre_lat)
    # Rejection: beyond its bound a sample's wind is below the floor at a place
    # (tail exponent >= alpha from at most v_up, land factor <= the place's
    # largest, i.e. at its shortest fetch, rounded up to one of LF_BINS
    # values, which keeps the test a table look-up).
    lf = land_factor(least)
    last, v_up, alpha = vortex.tail_bounds()
    bins = np.minimum(np.ceil(lf * LF_BINS).astype(np.intp), LF_BINS)
    lf_bin = np.arange(LF_BINS + 1) / LF_BINS
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        speed = np.maximum(vortex.scale, 0.0)[None, :] * lf_bin[:, None]
        ratio = np.maximum(v_up[None, :] * speed / floor_kt, 1.0)
        table = last[None, :] * ratio ** (1.0 / alpha[None, :]) * KM_PER_NM
        possible = vortex.vmax_kt[None, :] * speed >= floor_kt
    table = np.where(possible & np.isfinite(table), table, -np.inf)
    reduced = distance - pad[:, None]
    trig_p, trig_c = _trig(lat, lon), _trig(centre_lat, centre_lon)
    peak_fetch = least.copy()
    rows, cols = np.nonzero(reduced <= table[bins])
    if rows.size:
        v, cell_fetch = _cell_winds(
            vortex,
            exposure,
            trig_p,
            trig_c,
            rows,
            cols,
            distance[rows, cols],
            pad[rows],
            0.0,
        )
        strong = v >= floor_kt
        sustained[rows, cols] = np.where(strong, v, 0.0)
        reach[rows[strong], cols[strong]] = True
        # The fetch at each place's strongest sample (for its gust factor).
        fetch_cells = np.zeros((n, m), np.float32)
        fetch_cells[rows, cols] = cell_fetch
        windy = sustained.any(axis=1)
        strongest = sustained.argmax(axis=1)
        peak_fetch[windy] = fetch_cells[np.flatnonzero(windy), strongest[windy]]
    # Reach (track error): only places that never get the floor without it.
    if np.any(shift > 0):
        never = ~reach.any(axis=1)
        rows, cols = np.nonzero(
            never[:, None] & (reduced <= (table + shift[None, :])[bins])
        )
        if rows.size:
            v, _ = _cell_winds(
                vortex,
                exposure,
                trig_p,
                trig_c,
                rows,
                cols,
                distance[rows, cols],
                pad[rows],
                shift[cols],
            )
            reach[rows, cols] = v >= floor_kt
    return PointWinds(sustained, distance, reach, gust_factor(peak_fetch))


class _Exposure:
    """The places' upwind land fetch per sector, with its land factor and the
    land weight of the inflow angle, and each sample's hemisphere.

    Places whose fetch is the same in every sector (far from the sea, or
    without a direction) skip the choice of a sector.
    """

    def __init__(self, fetch_km: np.ndarray, centre_lat: np.ndarray) -> None:
        self.least = fetch_km.min(axis=1)
        self.least_factor = land_factor(self.least)
        self.varies = fetch_km.max(axis=1) > self.least
        self.fetch = fetch_km.ravel()
        self.factor = land_factor(self.fetch)
        self.weight = 1.0 - np.exp(-self.fetch / COAST_EFOLD_KM)
        self.sign = fetch.hemisphere(centre_lat)
        self.north = bool((self.sign > 0).all())

    def cells(
        self,
        rows: np.ndarray,
        cols: np.ndarray,
        bearing: np.ndarray,
        r_over_rm: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Land factor and upwind land fetch (km) at cells, in the sector the
        wind comes from at the cell's sample.

        The inflow angle depends on whether the wind has adjusted to land, which
        depends on the fetch: the sector is first chosen with the over-water
        angle, then again with the angle weighted by the land reduction's own
        adjustment ``1 - exp(-fetch / L)`` in that first sector.
        """
        factor = self.least_factor[rows]
        cell_fetch = self.least[rows]
        some = np.flatnonzero(self.varies[rows])
        if some.size:
            rows, cols = rows[some], cols[some]
            base = rows * fetch.SECTORS
            turn = 90.0 - fetch.inflow_angle_deg(r_over_rm[some])
            extra = np.full(rows.shape, -fetch.INFLOW_LAND_EXTRA_DEG)
            if not self.north:
                turn *= self.sign[cols]
                extra *= self.sign[cols]
            direction = bearing[some] + turn
            first = base + fetch.sector_of(direction)
            direction += extra * self.weight[first]
            chosen = base + fetch.sector_of(direction)
            factor[some] = self.factor[chosen]
            cell_fetch[some] = self.fetch[chosen]
        return factor, cell_fetch


def _cell_winds(
    vortex: Vortex,
    exposure: _Exposure,
    trig_p: np.ndarray,
    trig_c: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    d: np.ndarray,
    pad: np.ndarray,
    shift: np.ndarray | float,
) -> tuple[np.ndarray, np.ndarray]:
    """Scaled, land-reduced wind at cells, taken at the distance within
    ``[d - pad - shift, d + pad]`` closest to the radius of maximum wind, and
    the upwind land fetch used for it."""
    bearing = _cell_bearing(trig_p, trig_c, rows, cols)
    kr, kx = vortex.cell_knots(cols, bearing)
    rm_nm = vortex.rmw_nm[cols]
    low = np.maximum(d - pad - shift, 0.0) / KM_PER_NM
    r_nm = np.clip(rm_nm, low, (d + pad) / KM_PER_NM)
    factor, cell_fetch = exposure.cells(
        rows, cols, bearing, r_nm / np.maximum(rm_nm, 1e-6)
    )
    factor *= vortex.scale[cols]
    return vortex._speed(cols, rm_nm, kr, kx, r_nm) * factor, cell_fetch


def max_winds(
    track: HourlyTrack,
    lat: np.ndarray,
    lon: np.ndarray,
    inland_km: np.ndarray | None = None,
    averaging_minutes: int = 1,
    floor_kt: float = 1.0,
    fetch_km: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Largest sustained wind and gust (kt, 2-min mean / 3-s) at points over *track*.

    For verification at weather stations: points, not communes (no size
    pad). *fetch_km* ``(points, fetch.SECTORS)`` gives the directional land
    reduction; without it, *inland_km* (default: the shipped grid at the
    points) applies in every direction (``holland-land-v1``).
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    inland = inland_km_at(lat, lon) if inland_km is None else np.asarray(inland_km)
    vortex = fit_vortex(track, averaging_minutes)
    winds = point_winds(
        vortex,
        track.lat,
        track.lon,
        lat,
        lon,
        inland,
        floor_kt=floor_kt,
        fetch_km=fetch_km,
    )
    peak = winds.sustained.max(axis=1) if len(track) else np.zeros(lat.shape)
    return peak, peak * winds.gust_factor
