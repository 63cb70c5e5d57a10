"""The verification set and the wind_skill benchmark (scores are printed, not asserted)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks import wind_skill


def test_station_table_loads_one_row_per_station_and_storm() -> None:
    stations = wind_skill.load_stations()
    assert {"wipha_2025", "yagi_2024"} <= set(stations["storm"])
    assert not stations.duplicated(["storm", "lat", "lon"]).any()
    assert stations["sustained_level"].between(0, 18).all()
    assert stations[["lat", "lon"]].notna().all().all()
    assert (
        stations["lat"].between(8, 24).all() and stations["lon"].between(102, 110).all()
    )
    # A station reported twice keeps its strongest report (reports give the
    # strongest wind so far).
    wipha = stations[stations["storm"] == "wipha_2025"].set_index("station")
    assert wipha.loc["Bạch Long Vĩ", "sustained_level"] == 10


def test_level_of_kt_covers_the_whole_scale() -> None:
    levels = wind_skill.level_of_kt(np.array([0.0, 10.0, 21.0, 34.0, 64.0, 130.0]))
    assert levels.tolist() == [0, 3, 6, 8, 12, 18]


def test_benchmark_runs_on_one_storm() -> None:
    lines = wind_skill.run(["wipha_2025"])
    names = {line["name"] for line in lines}
    assert {
        "wind_skill_bias_all",
        "wind_skill_mae_all",
        "wind_skill_over2_all",
    } <= names
    assert "wind_skill_mae_wipha_2025" in names
    for line in lines:
        json.dumps(line)  # one JSON object per line in benchmarks/run.py
        assert set(line) == {"name", "value", "unit", "baseline", "baseline_label"}
    by_name = {line["name"]: line for line in lines}
    assert by_name["wind_skill_mae_all"]["value"] >= 0
    assert by_name["wind_skill_mae_all"]["baseline"] >= 0


def test_storm_without_a_track_is_skipped_and_named() -> None:
    table, skipped = wind_skill.scored(["kajiki_2025"])
    assert table.empty
    assert skipped and skipped[0].startswith("kajiki_2025")


@pytest.mark.shared_data
def test_yagi_comes_from_the_shared_ibtracs_file() -> None:
    if not wind_skill.SHARED_IBTRACS.exists():
        pytest.skip("../shared is not beside the checkout")
    track = wind_skill.storm_forecast("yagi_2024")
    assert track.forecast is not None and track.forecast.storm_name == "YAGI"
    assert any(p.rmw_nm for p in track.forecast.points)
