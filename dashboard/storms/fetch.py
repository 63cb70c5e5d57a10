"""Upwind land fetch: how far the wind has blown over land before reaching a place.

The wind model's land reduction (``docs/wind-model.md`` §4) depends on the
distance the air has travelled over land since it left the sea, measured
*upwind*, along the direction the wind comes from. This is the directional
exposure of site-exposure multipliers (AS/NZS 1170.2 terrain multipliers per
direction, as computed in Geoscience Australia's ``Wind_multipliers`` and used
by TCRM; HAZUS's directional upwind roughness), reduced to one number per
direction: the land fetch.

Two parts:

* **Offline** (``scripts/make_coast_data.py``): :func:`ray_fetch_km` and
  :func:`cell_fetch_km` march rays upwind on a land/sea mask given as a
  function ``is_land(lat, lon) -> bool array``, for :data:`SECTORS` compass
  sectors. They take any mask, so the tests use synthetic ones.
* **Run time** (:mod:`dashboard.storms.wind`): :func:`wind_from_deg` gives the
  direction the surface wind comes from (cyclonic tangential wind turned
  towards the centre by an inflow angle, :func:`inflow_angle_deg`), and
  :func:`sector_of` the sector whose fetch applies.

Sector ``s`` is centred on ``s × 22.5°`` (0 = wind from the north, 4 = from
the east), the direction the wind comes *from*.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

SECTORS = 16
SECTOR_DEG = 360.0 / SECTORS
FETCH_CAP_KM = 20.0
"""Fetches are measured up to this distance. With the land reduction's 1-km
e-folding length, the wind has fully adjusted to land well before it."""
RAY_STEP_KM = 0.1
"""Sampling step along a ray (the mask itself has ~0.9 km cells)."""
KM_PER_DEG = np.pi / 180.0 * 6371.0088

# Inflow angle (docs/wind-model.md §4): Phadke, Martino, Cheung & Houston
# (2003), eqs. 11a-c, over water; stormwindmodel adds 20° over land.
INFLOW_CORE_DEG = 10.0
INFLOW_RM_DEG = 20.0
INFLOW_OUTER_DEG = 25.0
INFLOW_LAND_EXTRA_DEG = 20.0

IsLand = Callable[[np.ndarray, np.ndarray], np.ndarray]


def sector_directions() -> np.ndarray:
    """Central direction (degrees, wind *from*) of every sector."""
    return np.arange(SECTORS) * SECTOR_DEG


def ray_fetch_km(
    is_land: IsLand,
    lat: np.ndarray,
    lon: np.ndarray,
    from_deg: float,
    cap_km: float = FETCH_CAP_KM,
    step_km: float = RAY_STEP_KM,
    chunk: int = 20_000,
) -> np.ndarray:
    """Land distance (km) upwind of each point along *from_deg*.

    From the point towards where the wind comes from, the distance to the
    first sea sample less half a step (the coast lies between the last land
    and the first sea sample). 0 for a point at sea, *cap_km* when no sea is
    found within it. Flat-earth offsets: over 20 km the error is < 0.1 %.
    """
    lat = np.asarray(lat, dtype=float).ravel()
    lon = np.asarray(lon, dtype=float).ravel()
    out = np.zeros(lat.shape)
    steps = np.arange(1, int(np.ceil(cap_km / step_km)) + 1) * step_km
    theta = np.radians(from_deg)
    north = steps * np.cos(theta) / KM_PER_DEG
    east = steps * np.sin(theta) / KM_PER_DEG
    for start in range(0, lat.size, chunk):
        la = lat[start : start + chunk]
        lo = lon[start : start + chunk]
        here = np.asarray(is_land(la, lo), dtype=bool)
        ray_lat = la[:, None] + north[None, :]
        ray_lon = lo[:, None] + east[None, :] / np.cos(np.radians(la))[:, None]
        sea = ~np.asarray(is_land(ray_lat, ray_lon), dtype=bool)
        hit = sea.any(axis=1)
        first = sea.argmax(axis=1)
        distance = np.where(hit, steps[first] - 0.5 * step_km, cap_km)
        out[start : start + chunk] = np.where(here, np.minimum(distance, cap_km), 0.0)
    return out


def half_cell_km(dlat_deg: float, dlon_deg: float, lat: np.ndarray, from_deg: float):
    """Distance from a cell's centre to its edge along *from_deg* (km)."""
    theta = np.radians(from_deg)
    half_ns = 0.5 * dlat_deg * KM_PER_DEG
    half_ew = 0.5 * dlon_deg * KM_PER_DEG * np.cos(np.radians(lat))
    with np.errstate(divide="ignore"):
        along_ns = half_ns / abs(np.cos(theta))
        along_ew = half_ew / abs(np.sin(theta))
    return np.minimum(along_ns, along_ew)


def cell_fetch_km(
    is_land: IsLand,
    lat: np.ndarray,
    lon: np.ndarray,
    dlat_deg: float,
    dlon_deg: float,
    cap_km: float = FETCH_CAP_KM,
    step_km: float = RAY_STEP_KM,
) -> np.ndarray:
    """Smallest upwind land fetch within mask cells, ``(cells, SECTORS)`` km.

    *lat*, *lon* are land-cell centres, *dlat_deg* × *dlon_deg* the cell size.
    The least sheltered point of a cell along a direction is on its upwind
    edge: the centre's fetch less the distance from the centre to that edge.
    A coast cell therefore has 0 fetch for an onshore wind.
    """
    lat = np.asarray(lat, dtype=float).ravel()
    lon = np.asarray(lon, dtype=float).ravel()
    out = np.empty((lat.size, SECTORS))
    for s, direction in enumerate(sector_directions()):
        centre = ray_fetch_km(is_land, lat, lon, direction, cap_km, step_km)
        edge = half_cell_km(dlat_deg, dlon_deg, lat, direction)
        out[:, s] = np.where(centre >= cap_km, cap_km, np.maximum(centre - edge, 0.0))
    return out


INFLOW_KNOTS = (0.0, 1.0, 1.2)
"""r / Rm at the knots of the over-water inflow angle (Phadke et al. 2003)."""


def inflow_angle_deg(
    r_over_rm: np.ndarray, land_weight: np.ndarray | float = 0.0
) -> np.ndarray:
    """Surface inflow angle (degrees, towards the centre).

    Over water, Phadke et al. (2003) eqs. 11a-c: 10(1 + r/Rm) inside Rm,
    20 + 25(r/Rm - 1) from Rm to 1.2 Rm, 25 beyond (piecewise linear, so one
    interpolation). Over land :data:`INFLOW_LAND_EXTRA_DEG` more, weighted by
    *land_weight* (0 on the open coast, 1 once the wind has adjusted to land).
    """
    sea = np.interp(
        r_over_rm, INFLOW_KNOTS, (INFLOW_CORE_DEG, INFLOW_RM_DEG, INFLOW_OUTER_DEG)
    )
    return sea + INFLOW_LAND_EXTRA_DEG * np.asarray(land_weight, dtype=float)


def hemisphere(centre_lat: np.ndarray | float) -> np.ndarray:
    """+1 where the centre is in the northern hemisphere, -1 in the southern."""
    return np.where(np.asarray(centre_lat) < 0.0, -1.0, 1.0)


def wind_from_deg(
    bearing_deg: np.ndarray, inflow_deg: np.ndarray, centre_lat: np.ndarray | float
) -> np.ndarray:
    """Direction the surface wind comes from (degrees from north, 0-360).

    *bearing_deg* is the bearing from the centre to the place. The wind
    circulates cyclonically (anticlockwise in the northern hemisphere) and is
    turned towards the centre by *inflow_deg*: in the northern hemisphere it
    comes from ``bearing + 90° - inflow`` (north of the centre: from the
    east-north-east).
    """
    turn = hemisphere(centre_lat) * (90.0 - np.asarray(inflow_deg))
    return (np.asarray(bearing_deg) + turn) % 360.0


def sector_of(from_deg: np.ndarray) -> np.ndarray:
    """Index of the sector nearest to each direction (any angle, not only 0-360)."""
    index = np.rint(np.asarray(from_deg) * (1.0 / SECTOR_DEG)).astype(np.intp)
    return index & (SECTORS - 1)  # modulo 16, also for negative angles
