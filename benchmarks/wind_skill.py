"""Benchmark: wind levels of the model against what stations measured.

``data/verification/station_winds.csv`` holds station reports ("cấp N, giật
cấp M") quoted from NCHMF bulletins for past storms (see its README). For each
storm whose IBTrACS track is available (the drill file for Wipha 2025, the
shared IBTrACS extract for the others), the track is replayed as a perfect
forecast (the clock at its first position) and each station gets the largest
sustained level over the whole track at its point:

* new model: :mod:`dashboard.storms.wind` (``holland-fetch-v2``) at the
  station point (no commune-size pad), with the station's upwind land fetch
  per sector (``data/coast/station_fetch_km.csv``), on the track with the
  **WMO intensity** (RSMC Tokyo's 10-minute wind as its 1-minute equivalent,
  ``ibtracs.parse(..., winds="wmo")``) and the USA radii and RMW
  (docs/wind-model.md §2). The best track is an analysis: its positions are
  replayed as analysed, so the Kaplan-DeMaria decay (meant for forecasts that
  hold the intensity over land) does not touch them;
* previous model (baseline): ``compute_exposure(..., wind_model="rankine-quadrant-v0")``
  at the same point on the JTWC (``winds="usa"``) track, i.e. the levels the
  dashboard used to show;
* ``*_no_direction`` lines: ``holland-land-v1``, the new model with the land
  reduction by the distance to the nearest sea whatever the wind direction;
* ``*_usa_winds`` lines: the new model on the JTWC 1-minute track, to show
  what the intensity source alone changes.

A station reported several times during a storm counts once, with the
largest reported level (the reports give the strongest wind so far). A
station whose last report was issued before the centre's closest approach
has only a lower bound of its peak: the headline scores it as a censored
observation (:data:`SCORING_RULE`: a model above the bound is not an error,
a model below it is). The ``*_as_exact`` lines score every report as the
exact peak (the rule before), and ``complete`` leaves those stations out.
Storms without a track in the data (Kajiki 2025) are skipped and named in the
label. Scores, per storm and overall, one JSON line each: ``bias`` (mean of
model − observed level), ``mae`` (mean absolute error), ``over2`` (stations
over-warned by two levels or more), for the coast (≤ 5 km inland) and inland
separately, and the same for gust levels (the previous model had none: its
baseline is its sustained level + 2, the usual step in NCHMF bulletins).

``python benchmarks/wind_skill.py`` also draws ``docs/wind-verification.png``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dashboard.config import REPO_ROOT
from dashboard.scenario.drill import DRILL_FILE
from dashboard.storms import wind
from dashboard.storms.beaufort import scale
from dashboard.storms.exposure import LEGACY_WIND_MODEL, compute_exposure
from dashboard.storms.model import Forecast
from dashboard.storms.parsers import ibtracs
from dashboard.storms.track import interpolate_track

STATIONS_FILE = REPO_ROOT / "data" / "verification" / "station_winds.csv"
SHARED_IBTRACS = (
    REPO_ROOT.parent
    / "shared"
    / "data"
    / "storms"
    / "ibtracs"
    / "ibtracs_v04r01_vietnam_storms_compact.csv"
)
COAST_KM = 5.0
WINDS = "wmo"
"""Intensity source of the verification tracks (``ibtracs`` ``winds=``)."""
NO_TRACK_NOTE = {
    "kajiki_2025": (
        "no track offline: not in the shared IBTrACS extract; the GDACS event "
        "list has one position only and no NCHMF facts file exists for it"
    ),
}
UNIT = "Beaufort levels"


def level_of_kt(speed_kt: np.ndarray) -> np.ndarray:
    """Beaufort level 0-18 of speeds in kt (the whole scale, not only >= 6)."""
    bounds = np.array([band.ms_min for band in scale()[1:]])
    ms = np.round(np.asarray(speed_kt, dtype=float) * wind.MS_PER_KT, 1)
    return np.searchsorted(bounds, ms, side="right")


def load_stations(path: Path = STATIONS_FILE) -> pd.DataFrame:
    """One row per (storm, station) with a position: the largest reported levels.

    Columns: ``storm, station, lat, lon, sustained_level, gust_level`` (NaN
    when never given), ``reports`` (rows merged), ``last_report_utc`` (the
    latest bulletin time, NaT when none is given), ``source_url`` (of the
    strongest report).
    """
    with Path(path).open(encoding="utf-8", newline="") as handle:
        frame = pd.DataFrame(list(csv.DictReader(handle)))
    for column in ("lat", "lon", "sustained_level", "gust_level"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame["observed_utc"] = pd.to_datetime(
        frame["observed_utc"].replace("", None), utc=True, errors="coerce"
    )
    frame = frame.dropna(subset=["lat", "lon", "sustained_level"])
    frame = frame.sort_values("sustained_level", ascending=False)
    # One station = one position: names differ between sources ("Hải Phòng
    # (Phù Liễn?)" and "Phù Liễn" share coordinates); keep the strongest name.
    frame["_key"] = (
        frame["lat"].round(3).astype(str) + "," + frame["lon"].round(3).astype(str)
    )
    grouped = frame.groupby(["storm", "_key"], sort=True)
    out = (
        grouped.agg(
            station=("station", "first"),
            lat=("lat", "first"),
            lon=("lon", "first"),
            sustained_level=("sustained_level", "max"),
            gust_level=("gust_level", "max"),
            reports=("lat", "size"),
            last_report_utc=("observed_utc", "max"),
            source_url=("source_url", "first"),
        )
        .reset_index()
        .drop(columns="_key")
    )
    out["sustained_level"] = out["sustained_level"].astype(int)
    return out


@dataclass(frozen=True)
class StormTrack:
    storm: str
    forecast: Forecast | None
    note: str


def storm_forecast(
    storm: str, ibtracs_path: Path = SHARED_IBTRACS, winds: str = WINDS
) -> StormTrack:
    """Best track of ``name_season`` as a perfect forecast (clock at its start).

    The drill file for Wipha 2025, *ibtracs_path* for the others; *winds* is
    the intensity source (``ibtracs`` ``winds=``: "wmo" or "usa").
    """
    name, _, season = storm.rpartition("_")
    if storm == "wipha_2025":
        data = DRILL_FILE.read_bytes()
    elif ibtracs_path.exists():
        data = ibtracs_path.read_bytes()
    else:
        return StormTrack(storm, None, f"{ibtracs_path} missing")
    rows = ibtracs.read_rows(data)
    try:
        chosen = ibtracs.select_storm(rows, name=name.upper(), season=int(season))
    except Exception as exc:  # no such storm in the file
        note = NO_TRACK_NOTE.get(storm, "no IBTrACS track")
        return StormTrack(storm, None, f"{note} ({exc.__class__.__name__})")
    first = ibtracs._time(chosen[0])
    points = [ibtracs.row_to_point(r, first, winds) for r in chosen]
    points = [p for p in points if p.valid_utc.hour % 3 == 0]
    forecast = Forecast(
        storm_id=chosen[0]["SID"],
        storm_name=name.upper(),
        source=f"IBTrACS best track ({winds} winds; perfect forecast)",
        issued_utc=first,
        wind_averaging_minutes=ibtracs.WIND_CHOICES[winds],
        points=tuple(points),
        product="verification",
    )
    return StormTrack(storm, forecast, "")


def analysed(forecast: Forecast) -> Forecast:
    """The same track with every position marked analysed (not forecast).

    A best track is an analysis: the decay envelope, meant for forecasts that
    hold the intensity over land, must not change it (docs/wind-model.md §3).
    """
    points = tuple(replace(p, is_forecast=False) for p in forecast.points)
    return replace(forecast, points=points)


def new_model_winds(
    stations: pd.DataFrame, forecast: Forecast, directional: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance inland, largest sustained and gust level of the new model at stations.

    *directional*: the land reduction by the upwind fetch of the sector the
    wind comes from (``holland-fetch-v2``); otherwise by the distance inland
    in every direction (``holland-land-v1``).
    """
    lat = stations["lat"].to_numpy(dtype=float)
    lon = stations["lon"].to_numpy(dtype=float)
    inland = wind.inland_km_at(lat, lon)
    fetch_km = wind.point_fetch_km(lat, lon) if directional else None
    track = interpolate_track(analysed(forecast))
    sustained, gust = wind.max_winds(
        track, lat, lon, inland, forecast.wind_averaging_minutes, fetch_km=fetch_km
    )
    return inland, level_of_kt(sustained), level_of_kt(gust)


def model_levels(
    stations: pd.DataFrame, forecast: Forecast, legacy_forecast: Forecast | None = None
) -> pd.DataFrame:
    """Add ``inland_km``, new and previous model levels for one storm's stations.

    *forecast* feeds the new model, *legacy_forecast* (default: *forecast*)
    the previous one.
    """
    out = stations.copy()
    lat = out["lat"].to_numpy(dtype=float)
    lon = out["lon"].to_numpy(dtype=float)
    inland, new_level, new_gust = new_model_winds(out, forecast)
    out["inland_km"] = inland
    # A report issued before the centre's closest approach gives the strongest
    # wind *so far*: a lower bound of the storm's peak there (README caveat 1).
    track = interpolate_track(forecast)
    distance = wind.great_circle_km(lat, lon, track.lat, track.lon)
    closest = pd.to_datetime(track.times[distance.argmin(axis=1)]).tz_localize("UTC")
    out["closest_utc"] = closest
    out["complete"] = ~(out["last_report_utc"] < closest)
    out["new_level"] = new_level
    out["new_gust_level"] = new_gust
    out["v1_level"] = new_model_winds(out, forecast, directional=False)[1]
    legacy_forecast = legacy_forecast or forecast
    points = pd.DataFrame(
        {"commune_code": out["station"].to_numpy(), "lat": lat, "lon": lon}
    )
    clock = legacy_forecast.points[0].valid_utc
    legacy = compute_exposure(
        legacy_forecast, points, clock, wind_model=LEGACY_WIND_MODEL
    )
    # The previous model reports 0 below level 6: count that as level 5 at most.
    out["old_level"] = np.maximum(legacy["max_wind_level"].to_numpy(), 0)
    out.loc[out["old_level"] == 0, "old_level"] = np.minimum(
        out.loc[out["old_level"] == 0, "new_level"], 5
    )
    return out


def scored(
    storms: list[str] | None = None, path: Path = STATIONS_FILE
) -> tuple[pd.DataFrame, list[str]]:
    """Station table with model levels for every storm with a track; skipped notes."""
    stations = load_stations(path)
    wanted = storms or sorted(stations["storm"].unique())
    frames, skipped = [], []
    for storm in wanted:
        subset = stations[stations["storm"] == storm]
        if subset.empty:
            continue
        track = storm_forecast(storm, winds=WINDS)
        if track.forecast is None:
            skipped.append(f"{storm} ({len(subset)} stations: {track.note})")
            continue
        legacy = storm_forecast(storm, winds="usa").forecast
        frame = model_levels(subset, track.forecast, legacy)
        if legacy is not None:
            # The new model on the JTWC 1-minute track (intensity source only).
            frame["usa_level"] = new_model_winds(subset, legacy)[1]
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return table, skipped


def censored_error(
    model: np.ndarray, observed: np.ndarray, complete: np.ndarray
) -> np.ndarray:
    """Model − observed level, with incomplete reports scored as lower bounds.

    A station whose last report came before the centre's closest approach
    observed *at least* its level (:data:`SCORING_RULE`): a model above it is
    not an error (0), a model below it is an error of its full size.
    """
    error = np.asarray(model, dtype=float) - np.asarray(observed, dtype=float)
    return np.where(np.asarray(complete, dtype=bool), error, np.minimum(error, 0.0))


SCORING_RULE = (
    "reports issued before the centre's closest approach are lower bounds "
    "(censored): a model level above one counts 0, below it counts in full"
)
EXACT_RULE = "every report scored as the station's exact peak"


def scores(error: np.ndarray) -> dict[str, float]:
    error = np.asarray(error, dtype=float)
    if error.size == 0:
        return {"bias": float("nan"), "mae": float("nan"), "over2": 0.0, "n": 0.0}
    return {
        "bias": round(float(error.mean()), 2),
        "mae": round(float(np.abs(error).mean()), 2),
        "over2": float((error >= 2).sum()),
        "n": float(error.size),
    }


def group_scores(
    group: pd.DataFrame, column: str, exact: bool = False
) -> dict[str, float]:
    """Scores of the sustained levels in *column* against the reports of *group*:
    censored (:func:`censored_error`) unless *exact*."""
    model = group[column].to_numpy()
    observed = group["sustained_level"].to_numpy()
    if exact:
        return scores(model - observed)
    return scores(censored_error(model, observed, group["complete"].to_numpy()))


def _lines(
    name: str, value: dict[str, float], baseline: dict[str, float], label: str
) -> list[dict[str, Any]]:
    return [
        {
            "name": f"wind_skill_{metric}_{name}",
            "value": value[metric],
            "unit": unit,
            "baseline": baseline[metric],
            "baseline_label": label,
        }
        for metric, unit in (("bias", UNIT), ("mae", UNIT), ("over2", "stations"))
    ]


def run(
    storms: list[str] | None = None, path: Path = STATIONS_FILE
) -> list[dict[str, Any]]:
    """Skill lines (see the module docstring)."""
    table, skipped = scored(storms, path)
    note = f"; skipped: {', '.join(skipped)}" if skipped else ""
    results: list[dict[str, Any]] = []
    if table.empty:
        return results
    groups: list[tuple[str, pd.DataFrame]] = [("all", table)]
    groups += [(s, g) for s, g in table.groupby("storm", sort=True)]
    groups += [
        ("coast", table[table["inland_km"] <= COAST_KM]),
        ("inland", table[table["inland_km"] > COAST_KM]),
        # Stations whose last report came after the centre's closest approach
        # (the others' reports are lower bounds of their peak).
        ("complete", table[table["complete"]]),
    ]
    for label, group in groups:
        lower = int((~group["complete"]).sum())

        new = group_scores(group, "new_level")
        old = group_scores(group, "old_level")
        rule = f"{SCORING_RULE} ({lower} of {int(new['n'])} here)"
        what = (
            f"{int(new['n'])} stations ({label}); {rule}; new model "
            f"{wind.WIND_MODEL_ID} vs previous {LEGACY_WIND_MODEL} (JTWC winds); "
            f"new model on the WMO (10-min as 1-min) intensity with USA radii; "
            f"model = max over the best track at the station point{note}"
        )
        results += _lines(label, new, old, f"previous model; {what}")
        if label != "complete":
            results += _lines(
                f"{label}_as_exact",
                group_scores(group, "new_level", exact=True),
                group_scores(group, "old_level", exact=True),
                f"previous model; {EXACT_RULE}, also the {lower} lower bounds; "
                f"{int(new['n'])} stations ({label}){note}",
            )
        if label == "all":
            results += _lines(
                f"{label}_no_direction",
                group_scores(group, "v1_level"),
                old,
                f"previous model; new model without the wind direction "
                f"({wind.PREVIOUS_WIND_MODEL_ID}: land reduction by the distance "
                f"to the nearest sea); {rule}{note}",
            )
        if label not in ("coast", "inland", "complete") and "usa_level" in group:
            usa = group_scores(group, "usa_level")
            results += _lines(
                f"{label}_usa_winds",
                usa,
                old,
                f"previous model; new model fed the JTWC 1-minute intensity "
                f"instead of the WMO one; {int(usa['n'])} stations ({label}); "
                f"{rule}{note}",
            )
        gusts = group.dropna(subset=["gust_level"])
        if len(gusts):
            observed_gust = gusts["gust_level"].to_numpy()
            gust_complete = gusts["complete"].to_numpy()
            g = scores(
                censored_error(
                    gusts["new_gust_level"].to_numpy(), observed_gust, gust_complete
                )
            )
            # The previous model had no gusts: score "its level + 2", the usual
            # step between sustained and gust levels in NCHMF bulletins.
            g_old = scores(
                censored_error(
                    gusts["old_level"].to_numpy() + 2, observed_gust, gust_complete
                )
            )
            lines = [("", g, g_old, SCORING_RULE)]
            if label == "all":
                exact = scores(gusts["new_gust_level"].to_numpy() - observed_gust)
                exact_old = scores(gusts["old_level"].to_numpy() + 2 - observed_gust)
                lines.append(("_as_exact", exact, exact_old, EXACT_RULE))
            for suffix, value, baseline, rule in lines:
                for metric in ("bias", "mae"):
                    results.append(
                        {
                            "name": f"wind_skill_gust_{metric}_{label}{suffix}",
                            "value": value[metric],
                            "unit": UNIT,
                            "baseline": baseline[metric],
                            "baseline_label": (
                                f"previous model's level + 2 (it had no gusts); "
                                f"{int(value['n'])} stations with a gust report "
                                f"({label}); {rule}"
                            ),
                        }
                    )
    return results


# --------------------------------------------------------------------------
# Map


def render_map(target: Path = REPO_ROOT / "docs" / "wind-verification.png") -> Path:
    """Stations (observed level) over the commune levels, previous vs new model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import BoundaryNorm, ListedColormap

    from dashboard import situation

    table, _ = scored()
    storms = sorted(table["storm"].unique())
    points = situation.commune_points()
    levels = np.arange(5, 15)
    cmap = ListedColormap(
        [
            "#f2f2f2",
            "#c6e8ff",
            "#7cc7f2",
            "#ffe066",
            "#ffb347",
            "#ff7b39",
            "#e53935",
            "#b0123f",
            "#7b1fa2",
            "#3d0a5a",
        ]
    )
    norm = BoundaryNorm(np.append(levels, 15) - 0.5, cmap.N)
    fig, axes = plt.subplots(
        len(storms),
        3,
        figsize=(16, 4.6 * len(storms)),
        squeeze=False,
        layout="constrained",
    )
    undirected = points.assign(
        inland_km=wind.commune_inland_km(points["commune_code"].to_numpy())
    )
    for row, storm in enumerate(storms):
        forecast = storm_forecast(storm).forecast
        legacy_forecast = storm_forecast(storm, winds="usa").forecast
        assert forecast is not None and legacy_forecast is not None
        clock = forecast.points[0].valid_utc
        replay = analysed(forecast)  # as the stations are scored (§3: no decay)
        new = compute_exposure(replay, points, clock)
        v1 = compute_exposure(replay, undirected, clock)  # distance, any direction
        old = compute_exposure(
            legacy_forecast, points, clock, wind_model=LEGACY_WIND_MODEL
        )
        stations = table[table["storm"] == storm]
        track = interpolate_track(forecast)
        for col, (title, frame, column) in enumerate(
            (
                (f"previous model ({LEGACY_WIND_MODEL})", old, "old_level"),
                (f"{wind.PREVIOUS_WIND_MODEL_ID} (no direction)", v1, "v1_level"),
                (f"new model ({wind.WIND_MODEL_ID})", new, "new_level"),
            )
        ):
            ax = axes[row][col]
            ax.scatter(
                points["lon"],
                points["lat"],
                c=np.maximum(frame["max_wind_level"], 5),
                cmap=cmap,
                norm=norm,
                s=4,
                linewidths=0,
            )
            ax.plot(track.lon, track.lat, color="k", lw=1)
            ax.scatter(
                stations["lon"],
                stations["lat"],
                c=stations["sustained_level"],
                cmap=cmap,
                norm=norm,
                s=90,
                edgecolors="k",
                linewidths=1.2,
                zorder=3,
            )
            for _, s in stations.iterrows():
                error = int(s[column] - s["sustained_level"])
                bound = "" if s["complete"] else "≥"
                ax.annotate(
                    f"{bound}{int(s['sustained_level'])} ({error:+d})",
                    (s["lon"], s["lat"]),
                    xytext=(4, 3),
                    textcoords="offset points",
                    fontsize=7,
                )
            err = group_scores(stations, column)
            exact = group_scores(stations, column, exact=True)
            ax.set_title(
                f"{storm}: {title}\nbias {err['bias']:+.2f}, MAE {err['mae']:.2f} "
                f"(all as exact: {exact['bias']:+.2f}, {exact['mae']:.2f}), "
                f"{len(stations)} stations",
                fontsize=9,
            )
            ax.set_xlim(103.5, 109.5)
            ax.set_ylim(18.3, 23.0)
            ax.set_aspect(1 / np.cos(np.radians(20.5)))
            ax.tick_params(labelsize=7)
    sm = plt.cm.ScalarMappable(cmap=cmap, norm=norm)
    cbar = fig.colorbar(sm, ax=axes, shrink=0.5, ticks=levels)
    cbar.set_label("Beaufort level (cấp); 5 = below level 6")
    fig.suptitle(
        "Max sustained level: communes (dots) vs stations (circles: observed level, "
        "(model − observed) in brackets; ≥: last report before the closest "
        "approach, a lower bound, scored as censored)",
        fontsize=10,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return target


if __name__ == "__main__":
    for item in run():
        print(item)
    print(render_map(), datetime.now(UTC))
