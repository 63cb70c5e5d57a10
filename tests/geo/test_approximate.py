"""Approximate commune areas from the registry points."""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from dashboard import registry
from dashboard.geo import ALBERS_VN
from dashboard.geo.approximate import (
    RADIUS_FACTOR,
    SPREAD_RADIUS_M,
    approximate_layer,
    disc_radii_m,
    spread_duplicates,
)


@pytest.fixture(scope="module")
def registry_frame() -> pd.DataFrame:
    return registry.communes()


@pytest.fixture(scope="module")
def layer(registry_frame) -> gpd.GeoDataFrame:
    return approximate_layer(registry_frame)


def _points(frame: pd.DataFrame) -> np.ndarray:
    return gpd.points_from_xy(frame["lon"], frame["lat"])


def test_one_valid_polygon_per_commune(layer, registry_frame):
    assert list(layer["commune_code"]) == list(registry_frame["commune_code"])
    assert layer.crs == "EPSG:4326"
    assert (layer.geom_type == "Polygon").all()
    assert layer.is_valid.all()
    assert not layer.is_empty.any()


def test_each_cell_contains_its_own_point(layer, registry_frame):
    assert shapely.contains(layer.geometry.values, _points(registry_frame)).all()


def test_cells_do_not_overlap(layer):
    projected = layer.to_crs(ALBERS_VN).geometry.values
    total = shapely.area(projected).sum()
    assert shapely.union_all(projected).area == pytest.approx(total, rel=1e-6)


def test_radius_bound_holds(layer, registry_frame):
    projected = layer.to_crs(ALBERS_VN).geometry.values
    centres = gpd.GeoSeries(_points(registry_frame), crs=4326).to_crs(ALBERS_VN).values
    radii = disc_radii_m(registry_frame["area_km2"].to_numpy())
    far = shapely.hausdorff_distance(projected, centres)
    assert (far <= radii * 1.001).all()
    # The disc really clips somewhere (an isolated island commune).
    assert (far >= radii * 0.99).any()


def test_radius_formula():
    assert disc_radii_m(np.array([np.pi]))[0] == pytest.approx(RADIUS_FACTOR * 1000)


def test_builds_fast(registry_frame):
    started = time.perf_counter()
    approximate_layer(registry_frame)
    assert time.perf_counter() - started < 2.0


def _frame(rows: list[tuple[str, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["commune_code", "lat", "lon", "area_km2"])


def test_duplicate_points_each_get_a_polygon():
    frame = _frame(
        [
            ("00001", 21.0, 105.8, 10.0),
            ("00002", 21.0, 105.8, 12.0),
            ("00003", 21.0, 105.8, 8.0),
            ("00004", 21.05, 105.85, 20.0),
        ]
    )
    layer = approximate_layer(frame)
    assert len(layer) == 4
    assert layer.is_valid.all() and (layer.geom_type == "Polygon").all()
    projected = layer.to_crs(ALBERS_VN).geometry.values
    assert (shapely.area(projected[:3]) > 1e5).all()
    for i in range(3):
        for j in range(i + 1, 3):
            assert projected[i].intersection(projected[j]).area < 1.0
    point = gpd.GeoSeries(_points(frame[:1]), crs=4326).to_crs(ALBERS_VN).values[0]
    assert (shapely.distance(projected[:3], point) <= SPREAD_RADIUS_M + 1e-6).all()


@pytest.mark.parametrize("k", [2, 3, 5])
def test_spread_duplicates(k):
    xy = np.array([[1000.0, 2000.0]] * k + [[5000.0, 5000.0]])
    out = spread_duplicates(xy)
    assert len(np.unique(out, axis=0)) == k + 1
    distances = np.hypot(*(out[:k] - xy[0]).T)
    assert np.allclose(distances, SPREAD_RADIUS_M)
    assert (out[k] == xy[k]).all()


def test_single_commune_is_its_disc():
    layer = approximate_layer(_frame([("00001", 21.0, 105.8, np.pi)]))
    area = layer.to_crs(ALBERS_VN).area.iloc[0]
    assert area == pytest.approx(np.pi * (RADIUS_FACTOR * 1000) ** 2, rel=0.01)


@pytest.mark.parametrize(
    ("lat", "area", "message"),
    [(np.nan, 1.0, "lat, lon and area_km2"), (21.0, 0.0, "positive area_km2")],
)
def test_bad_registry_rows_are_refused(lat, area, message):
    frame = _frame([("00001", lat, 105.8, area), ("00002", 21.1, 105.9, 5.0)])
    with pytest.raises(ValueError, match=message):
        approximate_layer(frame)
