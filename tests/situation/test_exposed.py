"""The "exposed" rule on literal tables, and what it gives for the Wipha drill."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import situation

TABLE = pd.DataFrame(
    {
        "commune_code": ["a", "b", "c", "d", "e", "f"],
        "province_code": ["01", "01", "01", "02", "02", "02"],
        "risk_level": [5, 3, 2, 1, 0, 4],
        "max_wind_level": [12, 6, 5, 0, 0, 9],
    }
)


@pytest.mark.parametrize(
    ("province", "exposed", "watched"),
    [
        (None, ["a", "b", "f"], ["c", "d"]),
        ("01", ["a", "b"], ["c"]),
        ("02", ["f"], ["d"]),
        ("99", [], []),
    ],
)
def test_exposed_is_level_six_forecast_and_watch_is_cone_or_shift(
    province, exposed, watched
):
    assert list(situation.exposed_communes(TABLE, province)["commune_code"]) == exposed
    assert list(situation.watched_communes(TABLE, province)["commune_code"]) == watched


def test_wipha_exposes_the_provinces_of_the_bulletins(wipha_table):
    """NCHMF, 21-22 July 2025: level 6 and more on the coast from Quảng Ninh
    to Thanh Hóa and over the Red River delta (Hà Nội, Bắc Ninh, inland
    Hưng Yên). Those provinces are exposed; the northern mountains, which the
    bulletins did not name, are at most watched."""
    exposed = situation.exposed_communes(wipha_table)
    assert (exposed["max_wind_level"] >= 6).all()
    provinces = set(exposed["province_name"])
    named = {"Quảng Ninh", "Hải Phòng", "Hưng Yên", "Ninh Bình", "Thanh Hóa"}
    assert named | {"Hà Nội", "Bắc Ninh"} <= provinces
    for province in ("Thái Nguyên", "Tuyên Quang", "Sơn La", "Lào Cai"):
        assert province not in provinces
    assert set(situation.watched_communes(wipha_table)["province_name"]) & {
        "Thái Nguyên",
        "Sơn La",
    }
    # The five coastal provinces of the bulletins are exposed whole or nearly.
    coast = wipha_table[wipha_table["province_name"].isin(named)]
    assert situation.exposed_mask(coast).mean() > 0.8
    # Far fewer than the 1,395 the cone and the track shift used to add.
    assert len(exposed) < 1000
