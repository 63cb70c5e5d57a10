"""The commune registry: the official 34 provinces and 3,321 communes."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import registry
from dashboard.core.text import fold, matches
from dashboard.registry import Correction, apply_corrections
from tests.support.helpers import shared_file


def test_counts_match_the_official_list():
    communes = registry.communes()
    assert len(communes) == 3321
    assert communes["commune_code"].is_unique
    assert communes["commune_code"].str.fullmatch(r"\d{5}").all()
    assert communes["commune_type"].value_counts().to_dict() == {
        "xã": 2611,
        "phường": 697,
        "đặc khu": 13,
    }
    assert len(registry.provinces()) == 34


def test_every_commune_has_a_point_and_an_area():
    communes = registry.communes()
    assert communes[["lat", "lon", "area_km2"]].notna().all().all()
    assert communes["lat"].between(7, 24).all()
    assert communes["lon"].between(102, 118).all()
    assert (communes["area_km2"] > 0).all()


@pytest.mark.parametrize(
    ("code", "name", "province_code"),
    [
        ("06978", "Xã Ba Chẽ", "22"),  # corrected from 06970
        ("20920", "Xã Trà Đốc", "48"),
        ("20923", "Xã Trà Tân", "48"),
        ("23227", "Xã Trà Tân", "68"),  # same name, other province
        ("26368", "Phường Long Thành", "75"),  # became a ward in 2026
    ],
)
def test_known_communes(code, name, province_code):
    row = registry.commune(code)
    assert row["commune_name"] == name
    assert row["province_code"] == province_code


def test_stale_code_is_gone():
    with pytest.raises(KeyError, match="06970"):
        registry.commune("06970")


def test_dong_nai_is_a_city():
    row = registry.provinces().set_index("province_code").loc["75"]
    assert row["province_full_name"] == "Thành phố Đồng Nai"


def test_registry_matches_the_real_boundary_attributes():
    attributes = pd.read_csv(
        shared_file("boundaries", "vn_communes_2025_attributes.csv"),
        dtype={"commune_code": str, "province_code": str},
    )
    ours = registry.communes().set_index("commune_code")
    theirs = attributes.set_index("commune_code")
    assert set(ours.index) == set(theirs.index)
    assert (ours.loc[theirs.index, "province_code"] == theirs["province_code"]).all()
    assert (ours.loc[theirs.index, "commune_type"] == theirs["commune_type"]).all()
    per_province = ours.groupby("province_code").size()
    assert per_province.to_dict() == theirs.groupby("province_code").size().to_dict()


def test_stale_correction_is_refused():
    frame = pd.DataFrame(
        {"commune_code": ["00001"], "commune_type": ["Phường"], "commune_name": ["P"]}
    )
    with pytest.raises(ValueError, match="expects 'Xã'"):
        apply_corrections(
            frame, [Correction("00001", "commune_type", "Xã", "Phường", "")]
        )


@pytest.mark.parametrize(
    ("query", "expected_code"),
    [
        ("tra doc", "20920"),
        ("Trà Đốc", "20920"),
        ("TRA DOC", "20920"),
        ("ba che", "06978"),
        ("dong trach", "19159"),
    ],
)
def test_search_ignores_diacritics(query, expected_code):
    assert expected_code in set(registry.search(query)["commune_code"])


def test_search_can_be_limited_to_a_province():
    hits = registry.search("tra tan", province_code="68")
    assert list(hits["commune_code"]) == ["23227"]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Xã Trà Đốc", "xa tra doc"),
        ("Đặc khu Hoàng Sa", "dac khu hoang sa"),
        ("  Phường   Hồng Gai ", "phuong hong gai"),
        ("Thuỵ", "thuy"),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_matches_needs_every_word():
    assert matches("tra doc", "Xã Trà Đốc")
    assert not matches("tra doc hue", "Xã Trà Đốc")
