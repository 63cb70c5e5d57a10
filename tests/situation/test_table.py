"""The Wipha drill exposure: the embedded default scenario, end to end."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboard import situation
from dashboard.scenario.drill import DRILL_CLOCK, drill_forecast
from dashboard.storms import wind


def test_drill_forecast_is_wipha_at_the_clock():
    forecast = drill_forecast(DRILL_CLOCK)
    assert forecast.storm_name == "WIPHA"
    assert forecast.issued_utc == DRILL_CLOCK
    assert all(p.valid_utc <= DRILL_CLOCK for p in forecast.past)
    assert all(p.valid_utc > DRILL_CLOCK for p in forecast.forecast)
    assert forecast.wind_averaging_minutes == 1


@pytest.mark.parametrize(
    ("province", "name"),
    [
        ("22", "Quảng Ninh"),
        ("31", "Hải Phòng"),
        ("33", "Hưng Yên"),
        ("37", "Ninh Bình"),
    ],
)
def test_coastal_provinces_get_level_8_or_more(wipha_table, province, name):
    rows = wipha_table[wipha_table["province_code"] == province]
    assert rows["province_name"].iloc[0] == name
    # Communes on the sea, open to it in every direction (no land reduction
    # whatever the wind), nearest to the track. The wind model reduces wind
    # over land, so the nearest communes further inland may get level 7
    # (NCHMF: level 6-7 inland, 8+ on the coast); since holland-fetch-v2 so
    # may a commune on the sea when the wind blows from the land over all of
    # it (Nghĩa Lâm, Ninh Bình: 7), but never less (NCHMF: 7-8 on the coast).
    codes = rows["commune_code"].to_numpy()
    inland = wind.commune_inland_km(codes)
    on_sea = inland == 0
    assert (rows[on_sea].nsmallest(10, "min_distance_km")["max_wind_level"] >= 7).all()
    open_all_round = on_sea & (wind.commune_fetch_km(codes, inland).max(axis=1) == 0)
    coastal = rows[open_all_round].nsmallest(10, "min_distance_km")
    assert len(coastal) >= 2
    assert (coastal["max_wind_level"] >= 8).all()
    assert coastal["level8_eta_utc"].notna().all()
    # Arrivals come after the drill clock and before the storm's last position.
    assert (coastal["level8_eta_utc"] >= DRILL_CLOCK).all()
    assert (coastal["level8_eta_utc"] <= datetime(2025, 7, 22, 18, tzinfo=UTC)).all()


def test_arrival_order_follows_the_track(wipha_table):
    # Wipha came from the east: Quảng Ninh's coast gets level 8 before Ninh Bình's.
    first = wipha_table.groupby("province_code")["level8_eta_utc"].min()
    assert first["22"] < first["31"] <= first["37"]
    assert first["22"] < first["33"]


def test_far_south_is_not_exposed(wipha_table):
    south = wipha_table[wipha_table["province_code"].isin(["79", "96", "92"])]
    assert (south["max_wind_level"] == 0).all()
    assert south["level6_eta_utc"].isna().all()


def test_level_6_arrives_before_level_8(wipha_table):
    both = wipha_table.dropna(subset=["level6_eta_utc", "level8_eta_utc"])
    assert len(both) > 50  # 81 communes reach level 8 (103 without the direction)
    assert (both["level6_eta_utc"] <= both["level8_eta_utc"]).all()


def test_exposure_csv_has_the_documented_columns(wipha_table):
    text = situation.exposure_csv(wipha_table)
    header = text.splitlines()[0].split(",")
    assert header == situation.EXPOSURE_COLUMNS
    assert len(text.splitlines()) == 3321 + 1
    assert "Z," in text  # ISO 8601 UTC times
