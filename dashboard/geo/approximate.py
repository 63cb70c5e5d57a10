"""Stand-in commune areas built from the registry's points.

Until real boundaries are imported, each commune is drawn as the Voronoi cell
of its registry point, clipped to a disc of radius
``RADIUS_FACTOR × √(official area / π)`` around the point (so a coastal or
border commune does not sprawl over the sea or the neighbouring country).
Cells are computed in an Albers equal-area projection (lat_1=10, lat_2=20,
lon_0=106, see ``SOURCES.md``) and returned in EPSG:4326.

Points that coincide (after rounding to :data:`DUPLICATE_TOLERANCE_M`) are
spread on a small circle of :data:`SPREAD_RADIUS_M` around their common
position first, so each gets its own wedge of the shared cell. The registry
has no duplicate today.

Every commune gets exactly one valid, non-empty Polygon. The cells are drawn
for orientation only; they are not boundaries.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard.geo import ALBERS_VN, WGS84

RADIUS_FACTOR = 1.8
DUPLICATE_TOLERANCE_M = 1.0
SPREAD_RADIUS_M = 50.0
DISC_QUAD_SEGMENTS = 16


def approximate_layer(registry_frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """Approximate commune polygons from points and official areas.

    Parameters
    ----------
    registry_frame
        ``commune_code``, ``lat``, ``lon`` and ``area_km2`` (> 0) per commune.

    Returns
    -------
    GeoDataFrame
        ``commune_code`` and ``geometry`` (EPSG:4326), same rows and order.

    Raises
    ------
    ValueError
        When a point or an area is missing, or an area is not positive.
    """
    _check(registry_frame)
    points = gpd.GeoSeries(
        gpd.points_from_xy(registry_frame["lon"], registry_frame["lat"]), crs=WGS84
    ).to_crs(ALBERS_VN)
    xy = spread_duplicates(shapely.get_coordinates(points.values))
    radii = disc_radii_m(registry_frame["area_km2"].to_numpy(dtype=float))
    cells = clipped_cells(xy, radii)
    layer = gpd.GeoSeries(cells, crs=ALBERS_VN).to_crs(WGS84)
    return gpd.GeoDataFrame(
        {"commune_code": registry_frame["commune_code"].to_numpy()},
        geometry=_valid_polygons(layer.values).tolist(),
        crs=WGS84,
    )


def _check(frame: pd.DataFrame) -> None:
    values = frame[["lat", "lon", "area_km2"]]
    if values.isna().any().any():
        raise ValueError("every commune needs lat, lon and area_km2")
    if (values["area_km2"] <= 0).any():
        raise ValueError("every commune needs a positive area_km2")


def disc_radii_m(area_km2: np.ndarray) -> np.ndarray:
    """Clip radius in metres: ``RADIUS_FACTOR × √(area / π)``."""
    return RADIUS_FACTOR * np.sqrt(area_km2 * 1e6 / np.pi)


def spread_duplicates(xy: np.ndarray) -> np.ndarray:
    """Move coinciding points apart onto a circle around their position.

    Parameters
    ----------
    xy
        ``(n, 2)`` projected coordinates in metres.

    Returns
    -------
    ndarray
        A copy where every group of *k* > 1 points closer than
        :data:`DUPLICATE_TOLERANCE_M` sits at ``k`` evenly spaced angles,
        :data:`SPREAD_RADIUS_M` from the group's first point.
    """
    out = xy.astype(float, copy=True)
    keys = np.round(xy / DUPLICATE_TOLERANCE_M).astype(np.int64)
    _, group, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    group = group.ravel()
    for g in np.flatnonzero(counts > 1):
        members = np.flatnonzero(group == g)
        angles = 2 * np.pi * np.arange(len(members)) / len(members)
        centre = xy[members[0]]
        out[members, 0] = centre[0] + SPREAD_RADIUS_M * np.cos(angles)
        out[members, 1] = centre[1] + SPREAD_RADIUS_M * np.sin(angles)
    return out


def clipped_cells(xy: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Voronoi cell of each point, cut to a disc of its radius.

    Parameters
    ----------
    xy
        ``(n, 2)`` distinct points, metres.
    radii
        ``(n,)`` disc radii, metres.

    Returns
    -------
    ndarray of Polygon
        In the order of *xy*.
    """
    points = shapely.points(xy)
    discs = shapely.buffer(points, radii, quad_segs=DISC_QUAD_SEGMENTS)
    if len(xy) == 1:
        return discs
    extent = shapely.box(*(shapely.total_bounds(discs) + np.array([-1, -1, 1, 1])))
    voronoi = shapely.voronoi_polygons(
        shapely.multipoints(points), extend_to=extent, ordered=True
    )
    cells = shapely.get_parts(voronoi)
    return shapely.intersection(cells, discs)


def _valid_polygons(geoms: np.ndarray) -> np.ndarray:
    """Each geometry as a valid Polygon (its largest piece if it split)."""
    out = np.asarray(geoms, dtype=object).copy()
    for i in np.flatnonzero(~shapely.is_valid(out) | (shapely.get_type_id(out) != 3)):
        parts = [
            p
            for p in shapely.get_parts(shapely.make_valid(out[i]))
            if p.geom_type == "Polygon"
        ]
        out[i] = max(parts, key=lambda p: p.area)
    return out
