"""A light commune layer for the map, and its compact GeoJSON text.

Simplification
--------------
:func:`build_display_layer` simplifies the whole layer at once with
``shapely.coverage_simplify`` (Visvalingam-Whyatt on the coverage's edges:
a shared edge is simplified once, so neighbours stay edge-matched), then snaps
coordinates to a grid with ``shapely.set_precision`` (identical vertices snap
identically, so matching survives). A commune that collapses, turns invalid
or whose area moves by more than ``max_area_change`` is redone:

1. its *isolated* parts (islands that touch no other commune) are simplified
   again at ``tolerance / 2``, ``/ 4``, ``/ 8``, then left unsimplified. This
   keeps edge-matching, and it is what Hạ Long Bay's wards need: with
   hundreds of karst islets each, they lose up to a quarter of their area
   at the full tolerance;
2. if that is not enough and the commune is at least ``min_area_km2`` (or
   collapsed), the whole commune is simplified on its own at the smaller
   tolerances, then taken unsimplified. Its shared edges then differ slightly
   from its neighbours' (thin slivers). Smaller communes (dense city wards)
   keep their coverage-simplified shape instead, so they stay edge-matched.

Every output geometry is a valid, non-empty Polygon or MultiPolygon.

Chosen numbers (national layer)
-------------------------------
Measured on ``../shared/data/boundaries/vn_communes_2025_simplified.geojson``
(3,321 communes, 812,825 vertices, 21.9 MB):

* ``tolerance_deg = 0.005`` (VW triangles under ≈ 0.3 km² are dropped; edges
  move by a few hundred metres at most, under a pixel at province zoom) and
  ``precision_deg = 0.001`` (≈ 110 m grid; 3 decimals in the GeoJSON).
* Result: 110,601 vertices; :func:`layer_to_geojson` with properties ``c``
  (code) and ``n`` (name ≤ 40 characters) gives 2,269,087 bytes (2.27 MB) of
  GeoJSON text. ``tolerance 0.0045`` would give 2.44 MB, ``0.004`` 2.62 MB
  and ``precision 0.0001`` about 2.5 MB: all over the 2.4 MB budget.
* Area (equal-area projection): every commune over 5 km² within 10 % of its
  source area (worst 9.9 %). 11 communes were refined, all through their
  islands (Hạ Long Bay wards, Bạch Long Vĩ, Cồn Cỏ, An Giang islets), so
  the layer has no more non-matching edges than the plain coverage result
  (the 140 left come from overlaps in the source). Central city wards of
  1-3 km² may change by up to 23 %.
* Time: 1.3-1.9 s to build, 0.1 s to serialise (2 cores); reading and
  validating the file takes 0.8 s.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard.geo import WGS84

TOLERANCE_DEG = 0.005
PRECISION_DEG = 0.001
MAX_AREA_CHANGE = 0.10
MIN_AREA_KM2 = 5.0
_KM_PER_DEG = 111.32
DECIMALS = 3

_REFINE_STEPS = (2, 4, 8)
_POLYGONAL_IDS = (3, 6)


def build_display_layer(
    gdf: gpd.GeoDataFrame,
    tolerance_deg: float = TOLERANCE_DEG,
    precision_deg: float = PRECISION_DEG,
    max_area_change: float = MAX_AREA_CHANGE,
    min_area_km2: float = MIN_AREA_KM2,
) -> gpd.GeoDataFrame:
    """Simplify a commune layer for display.

    Parameters
    ----------
    gdf
        Commune polygons in EPSG:4326 (other CRSs are reprojected) with a
        ``commune_code`` column.
    tolerance_deg
        Coverage simplification tolerance, degrees (≈ √ of the largest
        triangle area removed).
    precision_deg
        Grid size the coordinates are snapped to, degrees (0 for none).
    max_area_change
        Largest relative area change accepted before a commune is refined.
    min_area_km2
        Communes smaller than this are refined only through their islands
        (or when they collapse), so that dense city wards stay edge-matched.

    Returns
    -------
    GeoDataFrame
        ``commune_code`` and ``geometry`` only, same rows and order.
    """
    if gdf.crs is not None and not gdf.crs.equals(WGS84):
        gdf = gdf.to_crs(WGS84)
    source = np.asarray(gdf.geometry.values, dtype=object)
    coverage = shapely.coverage_simplify(source, tolerance_deg)
    simplified = _snap(coverage, precision_deg)
    bad = ~(_usable(simplified) & _area_kept(simplified, source, max_area_change))
    if bad.any():
        refiner = _Refiner(source, tolerance_deg, precision_deg, max_area_change)
        large = approximate_km2(source) >= min_area_km2
        for i in np.flatnonzero(bad):
            simplified[i] = refiner.refine(i, coverage[i], simplified[i], large[i])
    return gpd.GeoDataFrame(
        {"commune_code": gdf["commune_code"].to_numpy()},
        geometry=gpd.GeoSeries(simplified, crs=WGS84),
    )


def approximate_km2(geoms: np.ndarray) -> np.ndarray:
    """Areas in km² of lon/lat geometries, scaled by cos(latitude) (±1 %)."""
    lat = shapely.get_y(shapely.centroid(geoms))
    return shapely.area(geoms) * _KM_PER_DEG**2 * np.cos(np.radians(lat))


def _snap(geoms: np.ndarray | shapely.Geometry, precision: float) -> np.ndarray:
    """Coordinates on a grid of *precision* (valid output; may collapse)."""
    if precision <= 0:
        return geoms
    return shapely.set_precision(geoms, precision)


def _usable(candidate: np.ndarray | shapely.Geometry) -> np.ndarray:
    """Non-empty, valid (Multi)Polygon."""
    return (
        np.isin(shapely.get_type_id(candidate), _POLYGONAL_IDS)
        & ~shapely.is_empty(candidate)
        & shapely.is_valid(candidate)
    )


def _area_kept(
    candidate: np.ndarray | shapely.Geometry,
    source: np.ndarray | shapely.Geometry,
    max_area_change: float,
) -> np.ndarray:
    """True where the area is within *max_area_change* of the source's."""
    area = shapely.area(source)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.abs(shapely.area(candidate) / area - 1)
    return (change <= max_area_change) | (area == 0)


class _Refiner:
    """Redoes the communes that full-tolerance simplification spoilt."""

    def __init__(
        self,
        source: np.ndarray,
        tolerance: float,
        precision: float,
        max_area_change: float,
    ) -> None:
        self.source = source
        self.tree = shapely.STRtree(source)
        self.tolerances = [tolerance / k for k in _REFINE_STEPS] + [0.0]
        self.precision = precision
        self.max_area_change = max_area_change

    def good(self, candidate: shapely.Geometry, original: shapely.Geometry) -> bool:
        return bool(
            _usable(candidate) & _area_kept(candidate, original, self.max_area_change)
        )

    def refine(
        self,
        i: int,
        unsnapped: shapely.Geometry,
        snapped: shapely.Geometry,
        whole_allowed: bool,
    ) -> shapely.Geometry:
        """A better geometry for commune *i* (see the module docstring).

        *unsnapped* and *snapped* are its coverage-simplified geometry before
        and after snapping; *whole_allowed* permits step 2 for a commune that
        did not collapse.
        """
        original = self.source[i]
        best = snapped if _usable(snapped) else None
        for candidate in self._island_candidates(i, unsnapped):
            if self.good(candidate, original):
                return candidate
            if _usable(candidate):
                best = candidate
        if best is not None and not whole_allowed:
            return best
        for tol in self.tolerances:
            candidate = _snap(_simplify(original, tol), self.precision)
            if self.good(candidate, original):
                return candidate
        return best if best is not None else _valid_polygonal(original)

    def _island_candidates(
        self, i: int, unsnapped: shapely.Geometry
    ) -> Iterator[shapely.Geometry]:
        """Commune *i* with its islands simplified less and less."""
        original = self.source[i]
        islands = self._isolated_parts(i)
        if not islands.any() or not _same_parts(unsnapped, original):
            return
        shared = shapely.get_parts(unsnapped)[~islands]
        originals = shapely.get_parts(original)[islands]
        for tol in self.tolerances:
            redone = np.atleast_1d(_simplify(originals, tol))
            yield _snap(shapely.multipolygons([*shared, *redone]), self.precision)

    def _isolated_parts(self, i: int) -> np.ndarray:
        """Mask of commune *i*'s parts that touch no other commune."""
        parts = shapely.get_parts(self.source[i])
        part_index, other = self.tree.query(parts, predicate="intersects")
        touching = np.zeros(len(parts), dtype=bool)
        touching[part_index[other != i]] = True
        return ~touching


def _simplify(
    geoms: shapely.Geometry | Sequence[shapely.Geometry], tolerance: float
) -> shapely.Geometry | np.ndarray:
    if tolerance <= 0:
        return geoms
    return shapely.coverage_simplify(geoms, tolerance)


def _same_parts(simplified: shapely.Geometry, original: shapely.Geometry) -> bool:
    """True when coverage simplification kept the parts one to one."""
    return shapely.get_num_geometries(simplified) == shapely.get_num_geometries(
        original
    )


def _valid_polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """*geom* made valid, keeping only its polygons."""
    if shapely.is_valid(geom):
        return geom
    fixed = shapely.make_valid(geom)
    polygons = [p for p in shapely.get_parts(fixed) if p.geom_type == "Polygon"]
    return shapely.multipolygons(polygons) if polygons else geom


# --------------------------------------------------------------------------
# GeoJSON text
# --------------------------------------------------------------------------

# JSON string escapes that keep the text safe inside an HTML <script>: the
# decoded values are unchanged.
_HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def layer_to_geojson(
    gdf: gpd.GeoDataFrame,
    properties: pd.DataFrame | None = None,
    decimals: int = DECIMALS,
) -> str:
    """Serialise a display layer as compact GeoJSON text.

    Parameters
    ----------
    gdf
        ``commune_code`` and geometry, EPSG:4326.
    properties
        Indexed by commune code; its columns become each feature's
        properties (values unchanged: a name with ``<`` stays ``<`` once
        parsed). ``None`` gives empty properties.
    decimals
        Coordinates are rounded to this many decimals (except in a geometry
        that rounding would make invalid or of no area).

    Returns
    -------
    str
        A ``FeatureCollection`` without spaces. ``<``, ``>`` and ``&`` in
        property values are written as ``\\u003c`` etc., so the text can be
        embedded in a ``<script>``; whoever renders a property as HTML (a
        tooltip) must still escape it.

    Raises
    ------
    KeyError
        When *properties* lacks a row for a feature's code.
    """
    geometry_texts = _geometry_texts(gdf.geometry.values, decimals)
    property_texts = _property_texts(gdf["commune_code"], properties)
    features = ",".join(
        f'{{"type":"Feature","properties":{p},"geometry":{g}}}'
        for p, g in zip(property_texts, geometry_texts, strict=True)
    )
    return f'{{"type":"FeatureCollection","features":[{features}]}}'


def _geometry_texts(geoms: Sequence[shapely.Geometry], decimals: int) -> list[str]:
    """GeoJSON geometries rounded to *decimals*.

    A geometry that rounding would spoil (a speck narrower than the rounding
    step: invalid or of no area) is written unrounded instead, so no commune
    disappears from the map.
    """
    original = np.asarray(geoms, dtype=object)
    rounded = shapely.transform(original, lambda xy: np.round(xy, decimals))
    spoilt = (shapely.area(original) > 0) & (
        ~shapely.is_valid(rounded) | (shapely.area(rounded) == 0)
    )
    rounded[spoilt] = original[spoilt]
    texts = shapely.to_geojson(rounded)
    return [
        "null" if t is None or shapely.is_empty(g) else t
        for t, g in zip(texts, rounded, strict=True)
    ]


def _property_texts(codes: pd.Series, properties: pd.DataFrame | None) -> list[str]:
    if properties is None or properties.shape[1] == 0:
        return ["{}"] * len(codes)
    missing = pd.Index(codes).difference(properties.index)
    if len(missing):
        raise KeyError(f"no properties for commune codes {list(missing[:10])}")
    rows = properties.loc[codes.to_numpy()]
    columns = [str(c) for c in rows.columns]
    return [
        json.dumps(
            dict(zip(columns, map(_plain, values), strict=True)),
            ensure_ascii=False,
            separators=(",", ":"),
        ).translate(_HTML_SAFE)
        for values in rows.itertuples(index=False, name=None)
    ]


def _plain(value: object) -> object:
    """A JSON-ready Python value (numpy scalars unwrapped, NaN → null)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value
