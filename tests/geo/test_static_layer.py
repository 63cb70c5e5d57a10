"""The static commune layer file: quantised, delta-encoded, lossless on the grid."""

from __future__ import annotations

import gzip
import json

import geopandas as gpd
import pytest
import shapely

from dashboard import registry
from dashboard.geo import static_layer
from dashboard.geo.approximate import approximate_layer


def _frame(geoms, approximate=None):
    n = len(geoms)
    return gpd.GeoDataFrame(
        {
            "commune_code": [f"{i:05d}" for i in range(n)],
            "commune_name": [f"Xã <{i}> & co" for i in range(n)],
            "approximate": approximate or [False] * n,
        },
        geometry=geoms,
        crs="EPSG:4326",
    )


def test_round_trip_on_the_display_grid_is_exact():
    square = shapely.Polygon(
        [(105.9, 20.5), (106.0, 20.5), (106.0, 20.6), (105.9, 20.6)],
        [[(105.95, 20.55), (105.96, 20.55), (105.96, 20.56)]],
    )
    two = shapely.MultiPolygon([square, shapely.box(107.0, 21.0, 107.001, 21.002)])
    frame = _frame([square, two], approximate=[False, True])
    decoded = static_layer.decode_layer(static_layer.encode_layer(frame))
    assert list(decoded["commune_code"]) == ["00000", "00001"]
    assert list(decoded["commune_name"]) == ["Xã <0> & co", "Xã <1> & co"]
    assert list(decoded["approximate"]) == [False, True]
    for got, want in zip(decoded.geometry, frame.geometry, strict=True):
        assert shapely.equals_exact(
            shapely.normalize(got), shapely.normalize(want), 1e-9
        )


def test_a_speck_smaller_than_the_grid_keeps_a_finer_scale():
    speck = shapely.box(106.00001, 20.00001, 106.0004, 20.0004)
    body = static_layer.encode_layer(_frame([speck]))
    assert json.loads(body)["fine"] == {"0": static_layer.FINE_SCALE}
    decoded = static_layer.decode_layer(body).geometry[0]
    assert decoded.area == pytest.approx(speck.area, rel=1e-3)


def test_national_approximate_layer_is_small_and_gzipped():
    frame = (
        approximate_layer(registry.communes())
        .merge(registry.communes()[["commune_code", "commune_name"]], on="commune_code")
        .assign(approximate=True)
    )
    file = static_layer.layer_file(frame)
    assert gzip.decompress(file.gzipped) == file.body
    assert len(json.loads(file.body)["c"]) == 3321
    assert len(file.gzipped) < len(file.body) / 2
    assert file.etag == f'"{file.digest}"'


@pytest.mark.parametrize(
    ("name", "parsed"),
    [
        ("communes.abc123.json", (None, "abc123")),
        ("33.abc123.json", ("33", "abc123")),
        ("../x.abc.json", None),
        ("communes.abc.json.gz", None),
        ("communes.a-b.json", None),
        ("evil.abc.json", None),
    ],
)
def test_file_names(name, parsed):
    assert static_layer.parse_file_name(name) == parsed
    if parsed:
        assert static_layer.file_name(*parsed) == name
