"""Build the distance-to-coast data that the wind model ships with (data/coast/).

Writes four files, all derived offline, nothing is downloaded at run time:

* ``data/coast/commune_inland_km.csv`` — per commune (``commune_code``):
  ``inland_km``, the distance from the commune's label point to the sea coast
  (0 when the point is at sea, e.g. the sea-inclusive special zones), and
  ``min_inland_km``, the smallest such distance over the vertices of the
  commune polygon (0 for every commune that touches the sea).
* ``data/coast/inland_km_grid.npz`` — the same distance on a 0.05° grid over
  99-126°E, 4-28°N, for points that are
  not communes: weather stations and storm centres (landfall). Stored as
  uint16 tenths of a km; every land cell is at least 1 (0.1 km), sea is 0.
* ``data/coast/commune_fetch_km.csv`` — per commune less than
  ``FETCH_CAP_KM`` from the sea: the upwind land fetch (km) in 16 compass
  sectors (``from_000`` … ``from_338``: the wind comes from that direction),
  the smallest over the commune's land (its most exposed part). The land is
  the mask's cells whose centres lie within one cell (1/120°, ~0.9 km, the
  mask's resolution) of the commune polygon; a cell's fetch is taken on its
  upwind edge (:func:`dashboard.storms.fetch.cell_fetch_km`). Never below
  ``min_inland_km``: air cannot reach a place over less land than the
  distance to the nearest sea. Communes not listed are at least
  ``FETCH_CAP_KM`` from the sea in every direction.
* ``data/coast/station_fetch_km.csv`` — the same 16 fetches at the weather
  stations of ``data/verification/station_winds.csv``, at the station point
  (:func:`dashboard.storms.fetch.ray_fetch_km`).

Where the sea is: the GLOBE-based 1-km land mask of the ``global-land-mask``
package (Karin, T., 2020, PyPI ``global-land-mask`` 1.0.0; data: GLOBE Task
Team, 1999, NOAA NGDC), sampled every 0.01°. That mask tells the sea from
neighbouring countries' land, which the national outline alone cannot: a
land border is not a coast. Coast pixels are land pixels with a sea pixel
among their four neighbours; distances are great-circle-like distances in an
equidistant conic projection (standard parallels 10° and 22°N, scale error
under 1 % over Vietnam) to the nearest coast pixel centre (±0.6 km).

The commune polygons are ``../shared/data/boundaries/vn_communes_2025_simplified.geojson``
(see that folder's SOURCES.md). Run from the checkout with ../shared beside it,
after ``pip install -e ".[coastdata]"`` (global-land-mask):

    .venv/bin/python scripts/make_coast_data.py
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from global_land_mask import globe
from pyproj import Transformer

from dashboard.storms import fetch

ROOT = Path(__file__).resolve().parent.parent
BOUNDARIES = ROOT.parent / "shared/data/boundaries"
COMMUNES = BOUNDARIES / "vn_communes_2025_simplified.geojson"
ATTRIBUTES = BOUNDARIES / "vn_communes_2025_attributes.csv"
TARGET = ROOT / "data/coast"
STATIONS = ROOT / "data/verification/station_winds.csv"

FINE_DEG = 0.01
GRID_DEG = 0.05
LON_RANGE = (99.0, 126.0)
LAT_RANGE = (4.0, 28.0)
PROJ = "+proj=eqdc +lat_1=10 +lat_2=22 +lon_0=110 +datum=WGS84 +units=km"


def _axis(lo: float, hi: float, step: float) -> np.ndarray:
    return lo + step / 2 + step * np.arange(round((hi - lo) / step))


def coast_tree() -> tuple[shapely.STRtree, Transformer]:
    """STRtree of projected coast-pixel points, and the lon/lat → km transformer."""
    lons = _axis(*LON_RANGE, FINE_DEG)
    lats = _axis(*LAT_RANGE, FINE_DEG)
    lon2, lat2 = np.meshgrid(lons, lats)
    land = globe.is_land(lat2, lon2)
    sea = ~land
    near_sea = np.zeros_like(land)
    near_sea[1:, :] |= sea[:-1, :]
    near_sea[:-1, :] |= sea[1:, :]
    near_sea[:, 1:] |= sea[:, :-1]
    near_sea[:, :-1] |= sea[:, 1:]
    coast = land & near_sea
    to_km = Transformer.from_proj("EPSG:4326", PROJ, always_xy=True)
    x, y = to_km.transform(lon2[coast], lat2[coast])
    print(f"{coast.sum():,} coast pixels")
    return shapely.STRtree(shapely.points(x, y)), to_km


def inland_km(
    tree: shapely.STRtree, to_km: Transformer, lon: np.ndarray, lat: np.ndarray
) -> np.ndarray:
    """Distance (km) to the nearest coast pixel; 0 where the mask says sea."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    x, y = to_km.transform(lon, lat)
    # query_nearest returns (index pairs, distances) in input order, one per
    # input when there are no ties; keep the first distance per input.
    (inputs, _), distances = tree.query_nearest(
        shapely.points(x, y), return_distance=True, all_matches=False
    )
    out = np.full(lon.shape, np.nan)
    out[inputs] = distances
    out[~globe.is_land(lat, lon)] = 0.0
    return out


MASK_DEG = 1.0 / 120.0  # globe's cell size


def fetch_columns() -> list[str]:
    return [f"from_{round(d):03d}" for d in fetch.sector_directions()]


def commune_cells(
    polygon: shapely.Geometry, label: tuple[float, float]
) -> set[tuple[int, int]]:
    """Mask cells (row, column of globe's grid) of a commune's land.

    Cells whose centres lie within one cell of the polygon, and the cell of
    the label point; land cells only.
    """
    area = polygon.buffer(MASK_DEG)
    minlon, minlat, maxlon, maxlat = area.bounds
    rows = np.arange(
        int((90.0 - maxlat) / MASK_DEG), int((90.0 - minlat) / MASK_DEG) + 1
    )
    cols = np.arange(
        int((minlon + 180.0) / MASK_DEG), int((maxlon + 180.0) / MASK_DEG) + 1
    )
    row2, col2 = np.meshgrid(rows, cols, indexing="ij")
    lat = 90.0 - (row2.ravel() + 0.5) * MASK_DEG
    lon = -180.0 + (col2.ravel() + 0.5) * MASK_DEG
    inside = shapely.contains_xy(area, lon, lat)
    cells = set(
        zip(row2.ravel()[inside].tolist(), col2.ravel()[inside].tolist(), strict=True)
    )
    cells.add((int((90.0 - label[1]) / MASK_DEG), int((label[0] + 180.0) / MASK_DEG)))
    return {(r, c) for r, c in cells if not globe._mask[r, c]}  # _mask: ocean


def commune_fetch(frame: pd.DataFrame, min_km: np.ndarray) -> pd.DataFrame:
    """Upwind land fetch per sector for the communes near the sea."""
    near = np.flatnonzero(min_km < fetch.FETCH_CAP_KM)
    members = {}
    for i in near:
        row = frame.iloc[i]
        members[i] = commune_cells(
            row["geometry"], (row["label_lon"], row["label_lat"])
        )
    unique = sorted(set().union(*members.values()))
    index = {cell: k for k, cell in enumerate(unique)}
    cells = np.array(unique, dtype=float).reshape(-1, 2)
    lat = 90.0 - (cells[:, 0] + 0.5) * MASK_DEG
    lon = -180.0 + (cells[:, 1] + 0.5) * MASK_DEG
    print(f"{len(near):,} communes near the sea, {len(unique):,} land cells")
    per_cell = fetch.cell_fetch_km(globe.is_land, lat, lon, MASK_DEG, MASK_DEG)
    values = np.zeros((len(near), fetch.SECTORS))  # no land cell: open water
    for k, i in enumerate(near):
        rows = [index[c] for c in members[i]]
        if rows:
            values[k] = per_cell[rows].min(axis=0)
    values = np.maximum(values, min_km[near][:, None])
    out = pd.DataFrame(np.round(values, 1), columns=fetch_columns())
    out.insert(0, "commune_code", frame["commune_code"].to_numpy()[near])
    return out


def station_fetch() -> pd.DataFrame:
    """Upwind land fetch per sector at each verification station point."""
    stations = pd.read_csv(STATIONS, usecols=["station", "lat", "lon"])
    stations = stations.dropna().drop_duplicates(["lat", "lon"])
    stations = stations.sort_values(["lat", "lon"]).reset_index(drop=True)
    lat = stations["lat"].to_numpy(dtype=float)
    lon = stations["lon"].to_numpy(dtype=float)
    columns = {
        name: np.round(fetch.ray_fetch_km(globe.is_land, lat, lon, direction), 1)
        for name, direction in zip(
            fetch_columns(), fetch.sector_directions(), strict=True
        )
    }
    return pd.concat([stations, pd.DataFrame(columns)], axis=1)


def main() -> None:
    tree, to_km = coast_tree()
    TARGET.mkdir(parents=True, exist_ok=True)

    attributes = pd.read_csv(ATTRIBUTES, dtype={"commune_code": str})
    layer = gpd.read_file(COMMUNES, engine="pyogrio")[["commune_code", "geometry"]]
    frame = attributes[["commune_code", "label_lon", "label_lat"]].merge(
        layer, on="commune_code", how="left", validate="one_to_one"
    )
    point_km = inland_km(tree, to_km, frame["label_lon"], frame["label_lat"])

    coords, index = shapely.get_coordinates(frame["geometry"], return_index=True)
    vertex_km = inland_km(tree, to_km, coords[:, 0], coords[:, 1])
    min_km = np.full(len(frame), np.inf)
    np.minimum.at(min_km, index, vertex_km)
    min_km = np.minimum(min_km, point_km)

    out = pd.DataFrame(
        {
            "commune_code": frame["commune_code"],
            "inland_km": np.round(point_km, 1),
            "min_inland_km": np.round(min_km, 1),
        }
    )
    out.to_csv(TARGET / "commune_inland_km.csv", index=False)
    print(
        f"{len(out):,} communes; touching the sea: {(out['min_inland_km'] <= 1).sum():,}"
    )

    lons = _axis(*LON_RANGE, GRID_DEG)
    lats = _axis(*LAT_RANGE, GRID_DEG)
    lon2, lat2 = np.meshgrid(lons, lats)
    grid_km = inland_km(tree, to_km, lon2.ravel(), lat2.ravel()).reshape(lon2.shape)
    land = globe.is_land(lat2, lon2)
    grid = np.where(land, np.clip(np.round(grid_km * 10), 1, 65535), 0)
    np.savez_compressed(
        TARGET / "inland_km_grid.npz",
        inland_dkm=grid.astype(np.uint16),
        lon0=np.float64(LON_RANGE[0]),
        lat0=np.float64(LAT_RANGE[0]),
        step=np.float64(GRID_DEG),
    )
    print(f"grid {grid.shape}, land cells {(grid > 0).sum():,}")

    commune_fetch(frame, out["min_inland_km"].to_numpy()).to_csv(
        TARGET / "commune_fetch_km.csv", index=False
    )
    station_fetch().to_csv(TARGET / "station_fetch_km.csv", index=False)


if __name__ == "__main__":
    main()
