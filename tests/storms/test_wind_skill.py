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
    assert "no track offline" in skipped[0]


@pytest.mark.shared_data
def test_yagi_comes_from_the_shared_ibtracs_file() -> None:
    if not wind_skill.SHARED_IBTRACS.exists():
        pytest.skip("../shared is not beside the checkout")
    track = wind_skill.storm_forecast("yagi_2024")
    assert track.forecast is not None and track.forecast.storm_name == "YAGI"
    assert any(p.rmw_nm for p in track.forecast.points)


def _point(forecast, when: str):
    return next(p for p in forecast.points if p.valid_utc.isoformat().startswith(when))


def test_wmo_winds_are_rsmc_tokyo_10_minute_as_1_minute_with_usa_radii() -> None:
    """winds="wmo": WMO_WIND (10-min) / 0.93, TOKYO_WIND on 3-hourly rows,
    USA_WIND where RSMC Tokyo gives none; radii and RMW stay the USA ones."""
    from dashboard.scenario.drill import DRILL_FILE
    from dashboard.storms.parsers import ibtracs

    data = DRILL_FILE.read_bytes()
    usa = ibtracs.parse(data, winds="usa")
    wmo = ibtracs.parse(data, winds="wmo")
    assert wmo.wind_averaging_minutes == 1 == usa.wind_averaging_minutes
    synoptic = _point(wmo, "2025-07-21T18")
    assert synoptic.vmax_kt == pytest.approx(55 / 0.93)  # WMO_WIND 55 (JTWC 51)
    assert synoptic.r34_nm == _point(usa, "2025-07-21T18").r34_nm
    assert synoptic.rmw_nm == _point(usa, "2025-07-21T18").rmw_nm
    assert _point(wmo, "2025-07-21T21").vmax_kt == pytest.approx(53 / 0.93)
    assert _point(wmo, "2025-07-22T09").vmax_kt == 35  # no Tokyo wind: USA
    details = {d["valid_utc"]: d for d in wmo.extra["point_details"]}
    assert details["2025-07-21T18:00:00Z"]["wind_source"].startswith("WMO_WIND")
    assert details["2025-07-21T21:00:00Z"]["wind_source"].startswith("TOKYO_WIND")
    assert details["2025-07-22T09:00:00Z"]["wind_source"].startswith("USA_WIND")


def test_wmo_winds_of_a_1_minute_agency_are_not_converted() -> None:
    from dashboard.storms.parsers import ibtracs

    row = {"WMO_WIND": "100", "WMO_AGENCY": "hurdat_atl", "USA_WIND": "100"}
    assert ibtracs.wmo_wind_1min(row)[0] == 100
    row["WMO_AGENCY"] = "tokyo"
    assert ibtracs.wmo_wind_1min(row)[0] == pytest.approx(100 / 0.93)


def test_benchmark_scores_a_subset_with_both_intensity_sources() -> None:
    """The CI check of the scoring: Wipha only, WMO and JTWC intensities, the
    stations whose last report preceded the closest approach flagged."""
    table, skipped = wind_skill.scored(["wipha_2025"])
    assert not skipped and len(table) == 14
    assert {"new_level", "usa_level", "old_level", "complete"} <= set(table.columns)
    # Cát Bà's last report (04h on 22/7) came before the centre passed it.
    flagged = table.set_index("station")["complete"]
    assert not flagged["Cát Bà"] and flagged["Bạch Long Vĩ"]
    lines = {line["name"]: line for line in wind_skill.run(["wipha_2025"])}
    for name in ("bias", "mae", "over2"):
        assert f"wind_skill_{name}_wipha_2025" in lines
        assert f"wind_skill_{name}_wipha_2025_usa_winds" in lines
        assert f"wind_skill_{name}_complete" in lines
    # The headline scores the early reports as lower bounds (censored); the
    # "_as_exact" lines keep the previous rule, every report as the peak.
    errors = table["new_level"] - table["sustained_level"]
    censored = errors.where(table["complete"], errors.clip(upper=0))
    assert lines["wind_skill_mae_all"]["value"] == round(censored.abs().mean(), 2)
    assert lines["wind_skill_over2_all"]["value"] == (censored >= 2).sum()
    assert lines["wind_skill_mae_all_as_exact"]["value"] == round(
        errors.abs().mean(), 2
    )
    assert lines["wind_skill_over2_all_as_exact"]["value"] == (errors >= 2).sum()
    assert "lower bounds" in lines["wind_skill_mae_all"]["baseline_label"]
    assert "exact" in lines["wind_skill_mae_all_as_exact"]["baseline_label"]
    v1 = table["v1_level"] - table["sustained_level"]
    v1 = v1.where(table["complete"], v1.clip(upper=0))
    assert lines["wind_skill_bias_all_no_direction"]["value"] == round(v1.mean(), 2)


def test_censored_error_counts_only_under_forecasts_of_a_lower_bound() -> None:
    model = np.array([9, 9, 5, 8])
    observed = np.array([7, 7, 7, 8])
    complete = np.array([True, False, False, False])
    # Exact report: +2. Lower bound 7: 9 may be right (0), 5 is at least 2 short.
    assert wind_skill.censored_error(model, observed, complete).tolist() == [
        2,
        0,
        -2,
        0,
    ]
    s = wind_skill.scores(wind_skill.censored_error(model, observed, complete))
    assert s == {"bias": 0.0, "mae": 1.0, "over2": 1.0, "n": 4.0}


def test_analysed_replay_is_not_decayed() -> None:
    """A best track is an analysis: the Kaplan-DeMaria cap must not touch it."""
    from dashboard.storms import wind
    from dashboard.storms.track import interpolate_track

    forecast = wind_skill.storm_forecast("wipha_2025").forecast
    assert forecast is not None
    track = interpolate_track(wind_skill.analysed(forecast))
    assert not track.is_forecast.any()
    assert (wind.decay_factor(track) == 1.0).all()
