"""The real boundary files in ../shared (skipped when absent, failing under CI)."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from dashboard import registry
from dashboard.geo import ALBERS_VN
from dashboard.geo.boundaries import ReconciliationReport, load
from dashboard.geo.display import build_display_layer, layer_to_geojson
from tests.support.helpers import shared_file

pytestmark = pytest.mark.shared_data

NATIONAL = ("boundaries", "vn_communes_2025_simplified.geojson")
PAYLOAD_LIMIT = 2_400_000
# Hạ Long Bay wards (hundreds of islets each) and Phú Định (HCMC).
TRICKY_CODES = ["06652", "06685", "06688", "06709", "06793", "27427"]


@pytest.fixture(scope="module")
def registry_frame() -> pd.DataFrame:
    return registry.communes()


@pytest.fixture(scope="module")
def national(registry_frame) -> tuple[gpd.GeoDataFrame, ReconciliationReport]:
    return load(shared_file(*NATIONAL), registry_frame)


@pytest.fixture(scope="module")
def display(national) -> gpd.GeoDataFrame:
    return build_display_layer(national[0])


@pytest.fixture(scope="module")
def area_change(national, display) -> pd.DataFrame:
    source = national[0].to_crs(ALBERS_VN).area.to_numpy() / 1e6
    shown = display.to_crs(ALBERS_VN).area.to_numpy() / 1e6
    return pd.DataFrame(
        {"source_km2": source, "change": np.abs(shown / source - 1)},
        index=display["commune_code"],
    )


def test_national_file_matches_every_commune(national):
    frame, report = national
    assert report.n_features == 3321
    assert report.n_matched == 3321
    assert report.n_provinces == 34
    assert report.missing_codes == ()
    assert report.unknown_codes == ()
    assert report.code_column == "commune_code"
    assert report.source_crs == "EPSG:4326"
    assert frame["commune_code"].str.fullmatch(r"\d{5}").all()


@pytest.mark.parametrize(
    ("name", "n_matched", "province"),
    [
        ("communes_33_hung_yen_2025.geojson", 104, "33"),
        ("communes_48_da_nang_2025.geojson", 94, "48"),
        ("communes_22_quang_ninh_2025.geojson", 54, "22"),
    ],
)
def test_province_file_validates_as_partial(registry_frame, name, n_matched, province):
    _, report = load(shared_file("boundaries", name), registry_frame)
    assert report.n_matched == n_matched
    assert report.n_provinces == 1
    assert report.province_codes == (province,)
    assert len(report.missing_codes) == 3321 - n_matched
    assert f"{3321 - n_matched:,} communes without a polygon" in report.summary()


def test_display_layer_keeps_every_commune(national, display):
    assert list(display["commune_code"]) == list(national[0]["commune_code"])
    assert display.is_valid.all()
    assert not display.is_empty.any()
    assert set(display.geom_type) <= {"Polygon", "MultiPolygon"}


def test_display_layer_is_much_lighter(national, display):
    before = shapely.get_num_coordinates(national[0].geometry.values).sum()
    after = shapely.get_num_coordinates(display.geometry.values).sum()
    assert after < before / 5


def test_communes_over_5_km2_keep_their_area(area_change):
    large = area_change[area_change["source_km2"] > 5]
    worst = large["change"].nlargest(3)
    assert (large["change"] <= 0.15).all(), worst.to_dict()


@pytest.mark.parametrize("code", TRICKY_CODES)
def test_island_wards_keep_their_area(area_change, code):
    assert area_change.loc[code, "change"] <= 0.10


def test_display_layer_stays_edge_matched(national, display):
    """No more mismatched edges than the source's own overlaps leave."""
    source = national[0].geometry.values
    plain = shapely.set_precision(shapely.coverage_simplify(source, 0.005), 0.001)
    expected = (~shapely.is_empty(shapely.coverage_invalid_edges(plain))).sum()
    got = (
        ~shapely.is_empty(shapely.coverage_invalid_edges(display.geometry.values))
    ).sum()
    assert got <= expected


def test_national_payload_fits(national, display):
    names = national[0].set_index("commune_code")["commune_name"].str.slice(0, 40)
    properties = pd.DataFrame(
        {"c": names.index, "n": names.to_numpy()}, index=names.index
    )
    text = layer_to_geojson(display, properties, decimals=3)
    assert len(text.encode("utf-8")) < PAYLOAD_LIMIT
    features = json.loads(text)["features"]
    assert len(features) == 3321
    assert features[0]["properties"] == {"c": "00004", "n": "Phường Ba Đình"}
    assert all(set(f["properties"]) == {"c", "n"} for f in features)
