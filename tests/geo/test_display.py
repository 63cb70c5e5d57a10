"""Display layer and GeoJSON text on small hand-made layers."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from dashboard.geo.display import build_display_layer, layer_to_geojson

XSS_NAME = "<img src=x onerror=alert(1)>"


def _wiggly_pair() -> gpd.GeoDataFrame:
    """Two communes sharing a zig-zag border of 200 vertices, plus a speck."""
    ys = np.linspace(21.0, 21.2, 200)
    border = [(105.5 + 0.002 * np.sin(k), y) for k, y in enumerate(ys)]
    west = shapely.Polygon([(105.3, 21.2), (105.3, 21.0), *border])
    east = shapely.Polygon([*border, (105.7, 21.2), (105.7, 21.0)][::-1])
    speck = shapely.box(105.8, 21.0, 105.8004, 21.0004)  # collapses on a 0.001 grid
    return gpd.GeoDataFrame(
        {"commune_code": ["00001", "00002", "00003"], "extra": [1, 2, 3]},
        geometry=[west, east.normalize(), speck],
        crs="EPSG:4326",
    )


@pytest.fixture
def pair() -> gpd.GeoDataFrame:
    return _wiggly_pair()


def test_display_layer_keeps_only_code_and_geometry(pair):
    layer = build_display_layer(pair)
    assert list(layer.columns) == ["commune_code", "geometry"]
    assert list(layer["commune_code"]) == ["00001", "00002", "00003"]
    assert layer.crs == "EPSG:4326"


def test_neighbours_stay_edge_matched(pair):
    layer = build_display_layer(pair, tolerance_deg=0.005, precision_deg=0.001)
    west, east = layer.geometry.iloc[0], layer.geometry.iloc[1]
    assert shapely.get_num_coordinates(west) < 100  # really simplified
    assert bool(shapely.coverage_is_valid(layer.geometry.values[:2]))
    assert west.intersection(east).area == pytest.approx(0, abs=1e-12)
    assert west.union(east).area == pytest.approx(west.area + east.area, rel=1e-9)


def test_no_commune_is_lost_and_all_are_valid(pair):
    layer = build_display_layer(pair, tolerance_deg=0.005, precision_deg=0.001)
    assert not layer.is_empty.any()
    assert layer.is_valid.all()
    assert set(layer.geom_type) <= {"Polygon", "MultiPolygon"}
    speck = layer.geometry.iloc[2]
    assert speck.area == pytest.approx(pair.geometry.iloc[2].area, rel=0.05)


def test_precision_snaps_coordinates(pair):
    layer = build_display_layer(pair, tolerance_deg=0.005, precision_deg=0.01)
    coords = shapely.get_coordinates(layer.geometry.values[:2])
    assert np.allclose(coords, np.round(coords, 2), atol=1e-9)


def test_reprojects_to_wgs84(pair):
    layer = build_display_layer(pair.to_crs("EPSG:32648"), precision_deg=0)
    assert layer.crs == "EPSG:4326"
    assert layer.total_bounds == pytest.approx(pair.total_bounds, abs=1e-6)


def test_islands_are_refined_when_they_carry_the_area():
    """A commune of many islets keeps its area; its mainland neighbour is unharmed."""
    islets = [
        shapely.box(106.0 + 0.01 * i, 20.9, 106.0 + 0.01 * i + 0.003, 20.903)
        for i in range(30)
    ]
    coast = shapely.box(106.0, 20.95, 106.3, 21.0)
    bay = shapely.MultiPolygon([coast, *islets])
    inland = shapely.box(106.0, 21.0, 106.3, 21.1)
    frame = gpd.GeoDataFrame(
        {"commune_code": ["10001", "10002"]}, geometry=[bay, inland], crs="EPSG:4326"
    )
    layer = build_display_layer(frame, tolerance_deg=0.005, precision_deg=0.001)
    assert layer.geometry.iloc[0].area == pytest.approx(bay.area, rel=0.10)
    assert shapely.get_num_geometries(layer.geometry.iloc[0]) == 31
    assert bool(shapely.coverage_is_valid(layer.geometry.values))


def test_geojson_is_compact_and_rounded(pair):
    layer = build_display_layer(pair, tolerance_deg=0.0001, precision_deg=0)
    text = layer_to_geojson(layer, None, decimals=3)
    assert " " not in text
    assert text.startswith('{"type":"FeatureCollection","features":[{"type":"Feature"')
    data = json.loads(text)
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 3
    assert all(f["properties"] == {} for f in data["features"])
    decimals = [len(n.split(".")[1]) for n in re.findall(r"\d+\.\d+", text)]
    assert max(decimals) == 4  # the speck: 3 decimals would erase it


@pytest.mark.parametrize("decimals", [2, 3, 4, 5])
def test_decimals_are_respected(pair, decimals):
    layer = build_display_layer(pair[:2], tolerance_deg=0.0001, precision_deg=0)
    text = layer_to_geojson(layer, None, decimals=decimals)
    places = [len(n.split(".")[1]) for n in re.findall(r"\d+\.\d+", text)]
    assert max(places) == decimals


def test_only_the_given_properties_are_written(pair):
    layer = build_display_layer(pair)
    properties = pd.DataFrame(
        {
            "c": ["00003", "00001", "00002"],
            "n": ["Speck", XSS_NAME, "Đông"],
            "r": [np.int64(2), np.nan, 1.5],
        },
        index=["00003", "00001", "00002"],
    )
    text = layer_to_geojson(layer, properties, decimals=3)
    features = json.loads(text)["features"]
    assert [f["properties"] for f in features] == [
        {"c": "00001", "n": XSS_NAME, "r": None},
        {"c": "00002", "n": "Đông", "r": 1.5},
        {"c": "00003", "n": "Speck", "r": 2},
    ]
    assert "extra" not in text
    assert "Đông" in text  # UTF-8, not \\u escapes
    assert "<" not in text and ">" not in text  # safe inside <script>


def test_missing_properties_are_an_error(pair):
    layer = build_display_layer(pair)
    properties = pd.DataFrame({"n": ["a"]}, index=["00001"])
    with pytest.raises(KeyError, match="00002"):
        layer_to_geojson(layer, properties, decimals=3)


def test_geometry_round_trips(pair):
    layer = build_display_layer(pair)
    features = json.loads(layer_to_geojson(layer, None, decimals=3))["features"]
    for feature, geom in zip(features, layer.geometry, strict=True):
        parsed = shapely.from_geojson(json.dumps(feature["geometry"]))
        assert parsed.equals(geom)


def test_rounding_never_erases_a_commune(pair):
    layer = build_display_layer(pair)
    features = json.loads(layer_to_geojson(layer, None, decimals=2))["features"]
    speck = shapely.from_geojson(json.dumps(features[2]["geometry"]))
    assert speck.is_valid
    assert speck.area == pytest.approx(pair.geometry.iloc[2].area, rel=0.05)
