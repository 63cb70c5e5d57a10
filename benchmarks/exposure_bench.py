"""Benchmark: per-commune exposure on the national commune layer.

Times :func:`dashboard.storms.exposure.compute_exposure` on the 3,321 communes
of ``../shared/data/boundaries/vn_communes_2025_simplified.geojson`` against a
naive baseline measured in the same run: one ``geopandas.sjoin`` of the
national layer with each hourly level-8 (34-kt) wind-area polygon of
:mod:`dashboard.storms.cone`. The baseline only answers "which communes are in
the level-8 area at each hour"; the measured function answers that for four
levels plus the cone, distances, ETAs and risk levels. The label also gives
the time of the previous wind model (``rankine-quadrant-v0``) on the same input.

The forecast is synthetic: storm WIPHA 2025 (IBTrACS ``2025197N14131``, JTWC
1-minute winds and 34-kt radii from the ``USA_*`` columns, synoptic hours
only), read from the shared IBTrACS extract, with the clock at
2025-07-20 12:00 UTC; later best-track positions play the forecast. They end
on 2025-07-22 12:00 UTC, so the forecast is 48 h long (49 hourly samples), not
five days. A second entry times the whole analysed track (clock at its start,
2025-07-18 12:00 UTC, 97 hourly samples), closer to a 5-day forecast's size.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from dashboard.config import REPO_ROOT
from dashboard.core.clock import Clock
from dashboard.storms.cone import wind_areas
from dashboard.storms.exposure import LEGACY_WIND_MODEL, compute_exposure
from dashboard.storms.model import QUADRANTS, Forecast, Radii, TrackPoint
from dashboard.storms.track import interpolate_track, split_at
from dashboard.storms.wind import WIND_MODEL_ID

SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
COMMUNES_FILE = SHARED_DATA / "boundaries" / "vn_communes_2025_simplified.geojson"
IBTRACS_FILE = (
    SHARED_DATA / "storms" / "ibtracs" / "ibtracs_v04r01_vietnam_storms_compact.csv"
)
WIPHA_SID = "2025197N14131"
CLOCK = datetime(2025, 7, 20, 12, tzinfo=UTC)
REPEATS = 7
BASELINE_BUDGET_S = 60.0
BASELINE_SAMPLE = 5


def _radii(row: pd.Series, threshold: int) -> Radii | None:
    values = [row.get(f"USA_R{threshold}_{q.upper()}") for q in QUADRANTS]
    if any(pd.isna(v) for v in values):
        return None
    return Radii(*(float(v) for v in values))


def wipha_forecast(
    clock: Clock = CLOCK, path: Path = IBTRACS_FILE, sid: str = WIPHA_SID
) -> Forecast:
    """A synthetic forecast from IBTrACS best-track rows of one storm.

    Rows before *clock* are past positions, the others the "forecast".
    """
    frame = pd.read_csv(path, skiprows=[1], dtype={"SID": str}, low_memory=False)
    frame = frame[(frame["SID"] == sid) & frame["USA_LAT"].notna()].copy()
    frame["valid"] = pd.to_datetime(frame["ISO_TIME"]).dt.tz_localize(UTC)
    frame = frame[frame["valid"].dt.hour % 6 == 0]  # 3-hourly rows are interpolations
    points = []
    for _, row in frame.iterrows():
        valid = row["valid"].to_pydatetime()
        lead = (valid - clock).total_seconds() / 3600.0
        points.append(
            TrackPoint(
                valid_utc=valid,
                lead_hours=lead,
                lat=float(row["USA_LAT"]),
                lon=float(row["USA_LON"]),
                vmax_kt=None if pd.isna(row["USA_WIND"]) else float(row["USA_WIND"]),
                mslp_hpa=None if pd.isna(row["USA_PRES"]) else float(row["USA_PRES"]),
                r34_nm=_radii(row, 34),
                r50_nm=_radii(row, 50),
                r64_nm=_radii(row, 64),
                is_forecast=lead >= 0,
                rmw_nm=(
                    float(row["USA_RMW"])
                    if pd.notna(row.get("USA_RMW")) and row["USA_RMW"] > 0
                    else None
                ),
            )
        )
    name = str(frame["NAME"].iloc[0]) if len(frame) else ""
    return Forecast(
        storm_id=sid,
        storm_name=name,
        source="IBTrACS (synthetic forecast)",
        issued_utc=clock,
        wind_averaging_minutes=1,
        points=tuple(points),
        product="benchmark",
    )


def load_communes(path: Path = COMMUNES_FILE) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The national layer and the exposure input (representative points, area)."""
    layer = gpd.read_file(path, engine="pyogrio")
    points = layer.geometry.representative_point()
    communes = pd.DataFrame(
        {
            "commune_code": layer["commune_code"].to_numpy(),
            "lat": points.y.to_numpy(),
            "lon": points.x.to_numpy(),
            "area_km2": layer["geom_area_km2"].to_numpy(dtype=float),
        }
    )
    return layer, communes


def _median_ms(action: Callable[[], Any], repeats: int = REPEATS) -> float:
    action()  # warm-up
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(timings)


def _baseline_ms(layer: gpd.GeoDataFrame, polygons: list[Any]) -> tuple[float, str]:
    """Total time of one sjoin per polygon; extrapolated when over the budget."""
    frames = [gpd.GeoDataFrame(geometry=[p], crs=layer.crs) for p in polygons]

    def join(frame: gpd.GeoDataFrame) -> None:
        gpd.sjoin(layer, frame, how="inner", predicate="intersects")

    join(frames[0])  # warm-up (builds the spatial index)
    sample = frames[:BASELINE_SAMPLE]
    start = time.perf_counter()
    for frame in sample:
        join(frame)
    per_join = (time.perf_counter() - start) / len(sample)
    if per_join * len(frames) > BASELINE_BUDGET_S:
        return per_join * len(frames) * 1000.0, (
            f"extrapolated from {len(sample)} of {len(frames)} joins"
        )
    start = time.perf_counter()
    for frame in frames:
        join(frame)
    return (time.perf_counter() - start) * 1000.0, f"all {len(frames)} joins timed"


def _entry(
    name: str,
    forecast: Forecast,
    clock: Clock,
    layer: gpd.GeoDataFrame,
    communes: pd.DataFrame,
) -> dict[str, Any]:
    value = _median_ms(lambda: compute_exposure(forecast, communes, clock))
    _, future = split_at(interpolate_track(forecast), clock)
    polygons = [p for p in wind_areas(future, 8) if not p.is_empty] or [
        wind_areas(future, 8)[0]
    ]
    baseline, how = _baseline_ms(layer, polygons)
    previous = _median_ms(
        lambda: compute_exposure(
            forecast, communes, clock, wind_model=LEGACY_WIND_MODEL
        )
    )
    return {
        "name": name,
        "value": round(value, 2),
        "unit": "ms",
        "baseline": round(baseline, 1),
        "baseline_label": (
            f"naive: one geopandas.sjoin of the {len(layer):,} commune polygons per "
            f"hourly cấp-8 wind polygon ({len(polygons)} polygons, cấp-8 only, "
            f"polygon building not timed; {how}); previous wind model "
            f"{LEGACY_WIND_MODEL}: {previous:.1f} ms; measured: compute_exposure "
            f"({WIND_MODEL_ID}), "
            f"{len(communes):,} communes × {len(future)} hourly samples, median of "
            f"{REPEATS}, WIPHA 2025 IBTrACS track, clock {clock:%Y-%m-%d %H:%MZ}"
        ),
    }


def run() -> list[dict[str, Any]]:
    """Measure exposure on the national layer; see the module docstring."""
    layer, communes = load_communes()
    forecast = wipha_forecast(CLOCK)
    whole_clock = forecast.points[0].valid_utc
    return [
        _entry("exposure", forecast, CLOCK, layer, communes),
        _entry(
            "exposure_whole_track",
            wipha_forecast(whole_clock),
            whole_clock,
            layer,
            communes,
        ),
    ]


if __name__ == "__main__":
    for item in run():
        print(item)
