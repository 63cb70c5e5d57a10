"""The storm situation per commune: exposure joined with the registry.

Used by the situation map page and by ``dashboard exposure``. Communes are
represented by a point and an equivalent radius (see
:mod:`dashboard.storms.exposure`): with imported boundaries the point is each
polygon's representative point; with the approximate layer, the registry point.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from dashboard import registry
from dashboard.context import AppContext
from dashboard.core.clock import Clock
from dashboard.core.text import safe_cell
from dashboard.geo import layers
from dashboard.storms.exposure import compute_exposure
from dashboard.storms.model import Forecast

#: Columns of ``dashboard exposure`` output, in order.
EXPOSURE_COLUMNS = [
    "commune_code",
    "commune_name",
    "province_code",
    "in_cone",
    "max_wind_level",
    "max_gust_level",
    "level6_eta_utc",
    "level8_eta_utc",
    "level10_eta_utc",
    "closest_approach_utc",
    "min_distance_km",
    "risk_level",
    "wind_model",
]


def commune_points(polygons: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """``commune_code, lat, lon, area_km2`` for every commune.

    Parameters
    ----------
    polygons
        Real commune polygons (``commune_code``, geometry, EPSG:4326); communes
        missing from it keep their registry point.
    """
    frame = registry.communes()[["commune_code", "lat", "lon", "area_km2"]].copy()
    if polygons is not None and len(polygons):
        points = polygons.geometry.representative_point()
        located = pd.DataFrame(
            {
                "commune_code": polygons["commune_code"].values,
                "x": points.x,
                "y": points.y,
            }
        ).set_index("commune_code")
        frame = frame.set_index("commune_code")
        hit = frame.index.intersection(located.index)
        frame.loc[hit, "lon"] = located.loc[hit, "x"]
        frame.loc[hit, "lat"] = located.loc[hit, "y"]
        frame = frame.reset_index()
    return frame


#: Points of the last boundary layers, by layer version (a version's polygons
#: never change, and computing the points of 3,321 polygons takes a second).
_LAYER_POINTS: dict[str, pd.DataFrame] = {}


def layer_points(ctx: AppContext) -> pd.DataFrame:
    """:func:`commune_points` of the installation's current boundary layer,
    computed once per layer version in this process (do not mutate it)."""
    layer = layers.current_layer(ctx)
    points = _LAYER_POINTS.get(layer.version)
    if points is None:
        points = commune_points(layers.full_polygons(layer))
        if len(_LAYER_POINTS) >= 4:
            _LAYER_POINTS.pop(next(iter(_LAYER_POINTS)))
        _LAYER_POINTS[layer.version] = points
    return points


def exposure_table(
    forecast: Forecast, points: pd.DataFrame, clock: Clock | None = None
) -> pd.DataFrame:
    """Exposure of every commune, with names and provinces, most exposed first."""
    result = compute_exposure(forecast, points, clock)
    names = registry.communes()[
        ["commune_code", "commune_name", "province_code", "province_name"]
    ]
    table = pd.concat(
        [
            points[["commune_code"]],
            result.drop(columns="commune_code", errors="ignore"),
        ],
        axis=1,
    )
    table = table.merge(names, on="commune_code", how="left")
    return table.sort_values(
        ["risk_level", "max_wind_level", "min_distance_km"],
        ascending=[False, False, True],
        kind="stable",
        ignore_index=True,
    )


def exposure_csv(table: pd.DataFrame) -> str:
    """The CSV of ``dashboard exposure`` (times in ISO 8601 UTC)."""
    out = table[EXPOSURE_COLUMNS].copy()
    for column in (
        "level6_eta_utc",
        "level8_eta_utc",
        "level10_eta_utc",
        "closest_approach_utc",
    ):
        out[column] = pd.to_datetime(out[column], utc=True).dt.strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    out["min_distance_km"] = out["min_distance_km"].round(1)
    return out.sort_values("commune_code").map(safe_cell).to_csv(index=False)
