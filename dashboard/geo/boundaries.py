"""Read a commune boundary file and reconcile it with the commune registry.

Accepted formats
----------------
* GeoJSON (``.geojson``, ``.json``). A file without a ``crs`` member is taken
  as WGS 84 (RFC 7946); an old-style ``crs`` member is honoured.
* GeoPackage (``.gpkg``). One polygon layer, or a layer named explicitly. A
  layer without a declared CRS is refused.
* Zipped Shapefile (``.zip`` holding ``.shp``, ``.shx``, ``.dbf`` and
  ``.prj``). A shapefile without ``.prj`` is refused: its CRS is unknown.

Everything is reprojected to EPSG:4326. The commune code column is found among
:data:`CODE_COLUMN_ALIASES` (compared ignoring case, ``_``, ``-`` and spaces),
renamed ``commune_code`` and normalised to a 5-digit string (``4`` and
``"4"`` become ``"00004"``).

Checks (:func:`validate`)
-------------------------
A file is refused with :class:`BoundaryError` when it has no features, no code
column, a feature without a code or without a geometry, a geometry that is not
a (Multi)Polygon, a coordinate outside Vietnam's plausible bounding box (this
catches a wrong or missing CRS, e.g. VN-2000 / UTM metres labelled as degrees),
an invalid geometry, a duplicated code, or a code that is not in the registry.
All failed checks are listed in one message.

**Invalid geometries are refused, not repaired.** ``make_valid`` turns a
bow-tie into two triangles and a self-overlapping ring into something else
again: a silent repair could hide a broken export. :func:`repair_invalid` is
offered for a caller who wants to repair explicitly (and tell the user).

A partial file (e.g. one province) is accepted; the communes it does not cover
are listed in the report (:attr:`ReconciliationReport.missing_codes`).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from dashboard.core.errors import Invalid
from dashboard.geo import WGS84

Progress = Callable[[float, str], None]

#: Accepted names of the commune code column, most specific first. Compared
#: after :func:`_normalise_name` (``maXa``, ``MA_XA`` and ``ma-xa`` all match
#: ``ma_xa``). ``commune_co`` is ``commune_code`` cut to the shapefile's
#: 10-character limit.
CODE_COLUMN_ALIASES: tuple[str, ...] = (
    "commune_code",
    "commune_co",
    "ma_xa",
    "ma_phuong_xa",
    "maphuongxa",
    "ward_code",
    "xa_code",
    "code",
)

#: Plausible extent of Vietnam in EPSG:4326 (west, south, east, north), with a
#: margin around the national layer's [102.14, 7.18, 117.83, 23.39] (the east
#: and south edges are Trường Sa).
VIETNAM_BBOX: tuple[float, float, float, float] = (101.5, 6.0, 118.5, 24.0)

MAX_LISTED = 10

_SUFFIXES = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage"}
_POLYGONAL = {"Polygon", "MultiPolygon"}


class BoundaryError(Invalid):
    """A boundary file that cannot be imported; the message says why (in
    English, for logs and the command line); ``key`` says it for people."""

    default_key = "boundaries.err.unreadable"


@dataclass(frozen=True)
class ReconciliationReport:
    """What an accepted boundary file covers, compared with the registry.

    Attributes
    ----------
    n_features : int
        Features in the file.
    n_matched : int
        Features whose code is a registry commune.
    n_provinces : int
        Provinces with at least one matched commune.
    unknown_codes : tuple of str
        Codes not in the registry (only non-empty with ``allow_unknown``).
    missing_codes : tuple of str
        Registry communes without a polygon in the file.
    code_column : str
        The file's column that held the commune codes.
    source_crs : str
        The file's CRS before reprojection to EPSG:4326.
    province_codes : tuple of str
        The provinces with at least one matched commune.
    """

    n_features: int
    n_matched: int
    n_provinces: int
    unknown_codes: tuple[str, ...]
    missing_codes: tuple[str, ...]
    code_column: str
    source_crs: str
    province_codes: tuple[str, ...] = field(default=())

    @property
    def is_complete(self) -> bool:
        """True when every registry commune has a polygon."""
        return not self.missing_codes

    def summary(self) -> str:
        """A short English description for the CLI or the admin page."""
        parts = [
            f"{self.n_features:,} features read ({self.source_crs}, "
            f"codes from column '{self.code_column}').",
            f"{self.n_matched:,} communes matched in "
            f"{self.n_provinces} {_plural(self.n_provinces, 'province')}.",
        ]
        if self.unknown_codes:
            parts.append(
                f"{len(self.unknown_codes):,} unknown "
                f"{_plural(len(self.unknown_codes), 'code')} ignored: "
                f"{_listing(self.unknown_codes)}."
            )
        if self.missing_codes:
            parts.append(
                f"{len(self.missing_codes):,} "
                f"{_plural(len(self.missing_codes), 'commune')} "
                "without a polygon (partial file)."
            )
        else:
            parts.append("Every commune has a polygon.")
        return " ".join(parts)


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def _listing(items: Sequence[str], limit: int = MAX_LISTED) -> str:
    """``a, b, c`` or ``a, b, … and 12 more``."""
    shown = ", ".join(str(i) for i in items[:limit])
    extra = len(items) - limit
    return f"{shown} and {extra} more" if extra > 0 else shown


def _report(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), message)


def _scaled(progress: Progress | None, start: float, stop: float) -> Progress | None:
    """A callback mapping a sub-task's [0, 1] onto [start, stop] of *progress*."""
    if progress is None:
        return None
    return lambda f, msg: progress(start + (stop - start) * f, msg)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def read_boundary_file(
    path: str | Path,
    *,
    layer: str | None = None,
    progress: Progress | None = None,
) -> gpd.GeoDataFrame:
    """Read a boundary file into EPSG:4326 with a normalised ``commune_code``.

    Parameters
    ----------
    path
        A ``.geojson``/``.json``, ``.gpkg`` or ``.zip`` (zipped Shapefile).
    layer
        GeoPackage layer; by default the only polygon layer.
    progress
        Called as ``progress(fraction, message)`` at each stage.

    Returns
    -------
    GeoDataFrame
        All the file's columns, with the code column renamed ``commune_code``.
        ``attrs["code_column"]`` names the original column and
        ``attrs["source_crs"]`` the file's CRS.

    Raises
    ------
    BoundaryError
        Unsupported or unreadable file, missing CRS, no code column.
    """
    path = Path(path)
    _report(progress, 0.0, f"Reading {path.name}")
    frame = _read_any(path, layer)
    _report(progress, 0.6, "Reprojecting to EPSG:4326")
    source_crs = _crs_label(frame.crs)
    frame = _to_wgs84(frame, path)
    _report(progress, 0.8, "Finding the commune code column")
    code_column = find_code_column(frame.columns) if len(frame) else "commune_code"
    if len(frame):
        frame = frame.rename(columns={code_column: "commune_code"})
        frame["commune_code"] = normalise_codes(frame["commune_code"])
    frame.attrs["code_column"] = code_column
    frame.attrs["source_crs"] = source_crs
    _report(progress, 1.0, f"Read {len(frame):,} features")
    return frame


def _read_any(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    if not path.is_file():
        raise BoundaryError(f"{path.name}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _read_zipped_shapefile(path)
    if suffix not in _SUFFIXES:
        raise BoundaryError(
            f"{path.name}: unsupported file type '{suffix}'; use GeoJSON "
            "(.geojson/.json), GeoPackage (.gpkg) or a zipped Shapefile (.zip)"
        )
    kind = _SUFFIXES[suffix]
    if kind == "GeoPackage":
        layer = layer or _polygon_layer(path)
    frame = _read_with_pyogrio(str(path), f"{path.name} is not valid {kind}", layer)
    if kind == "GeoPackage" and frame.crs is None:
        raise BoundaryError(
            f"{path.name}: layer '{layer}' declares no coordinate reference "
            "system (CRS); set it in QGIS and export again"
        )
    return frame


def _read_with_pyogrio(
    source: str, failure: str, layer: str | None = None
) -> gpd.GeoDataFrame:
    try:
        return pyogrio.read_dataframe(source, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise BoundaryError(f"{failure}: {exc}") from exc


def _polygon_layer(path: Path) -> str:
    """The GeoPackage's only polygon layer (or its only layer)."""
    try:
        layers = pyogrio.list_layers(path)
    except pyogrio.errors.DataSourceError as exc:
        raise BoundaryError(f"{path.name} is not a valid GeoPackage: {exc}") from exc
    if len(layers) == 0:
        raise BoundaryError(f"{path.name}: the GeoPackage has no layers")
    if len(layers) == 1:
        return str(layers[0][0])
    polygonal = [str(n) for n, g in layers if g and "POLYGON" in str(g).upper()]
    if len(polygonal) == 1:
        return polygonal[0]
    names = ", ".join(str(n) for n, _ in layers)
    raise BoundaryError(
        f"{path.name}: the GeoPackage has several layers ({names}); "
        "say which one holds the commune polygons"
    )


def _read_zipped_shapefile(path: Path) -> gpd.GeoDataFrame:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
    except zipfile.BadZipFile as exc:
        raise BoundaryError(f"{path.name} is not a valid zip archive") from exc
    shp = _single_shapefile(path.name, names)
    stem = shp[: -len(".shp")]
    lowered = {n.lower() for n in names}
    missing = [ext for ext in (".shx", ".dbf") if (stem + ext).lower() not in lowered]
    if missing:
        raise BoundaryError(
            f"{path.name}: the shapefile {shp} is incomplete: "
            f"{', '.join(missing)} missing from the zip"
        )
    if (stem + ".prj").lower() not in lowered:
        raise BoundaryError(
            f"{path.name}: the shapefile {shp} has no .prj file, so its "
            "coordinate reference system (CRS) is unknown; add the .prj and zip again"
        )
    frame = _read_with_pyogrio(
        f"/vsizip/{path.resolve()}/{shp}", f"{path.name}: cannot read {shp}"
    )
    if frame.crs is None:
        raise BoundaryError(
            f"{path.name}: the .prj of {shp} names no usable coordinate "
            "reference system (CRS)"
        )
    return frame


def _single_shapefile(archive_name: str, names: Iterable[str]) -> str:
    shapefiles = [
        n
        for n in names
        if n.lower().endswith(".shp") and not Path(n).name.startswith(("._", "."))
    ]
    if not shapefiles:
        raise BoundaryError(f"{archive_name}: the zip holds no .shp file")
    if len(shapefiles) > 1:
        raise BoundaryError(
            f"{archive_name}: the zip holds several shapefiles "
            f"({', '.join(shapefiles)}); zip only the commune layer"
        )
    return shapefiles[0]


def _crs_label(crs: CRS | None) -> str:
    if crs is None:
        return "none (taken as EPSG:4326)"
    epsg = crs.to_epsg()
    if epsg is not None:
        return f"EPSG:{epsg}"
    return crs.to_string()


def _to_wgs84(frame: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326; a CRS-less frame is taken as 4326 (RFC 7946)."""
    if frame.crs is None:
        return frame.set_crs(WGS84)
    if CRS.from_user_input(frame.crs).equals(WGS84, ignore_axis_order=True):
        return frame.set_crs(WGS84, allow_override=True)
    try:
        return frame.to_crs(WGS84)
    except Exception as exc:  # pyproj raises several kinds
        raise BoundaryError(
            f"{path.name}: cannot reproject from {_crs_label(frame.crs)} "
            f"to EPSG:4326: {exc}"
        ) from exc


def _normalise_name(name: str) -> str:
    return re.sub(r"[\s_\-]", "", str(name)).lower()


def find_code_column(columns: Iterable[str]) -> str:
    """Return the column holding commune codes.

    Raises
    ------
    BoundaryError
        When no column matches :data:`CODE_COLUMN_ALIASES`; the message lists
        the columns found.
    """
    columns = [c for c in columns if c != "geometry"]
    by_name = {_normalise_name(c): c for c in columns}
    for alias in CODE_COLUMN_ALIASES:
        if _normalise_name(alias) in by_name:
            return by_name[_normalise_name(alias)]
    found = ", ".join(repr(c) for c in columns) or "none"
    accepted = ", ".join(CODE_COLUMN_ALIASES)
    raise BoundaryError(
        f"no commune code column: expected one of {accepted}; columns found: {found}"
    )


_CODE_PATTERN = re.compile(r"\d{1,5}")


def _normalise_code(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        value = int(value)
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if not text:
        return None
    return text.zfill(5) if _CODE_PATTERN.fullmatch(text) else text


def normalise_codes(values: pd.Series) -> pd.Series:
    """Commune codes as 5-digit strings; blanks become ``None``.

    Integers and digit strings are zero-padded (``4`` → ``"00004"``); other
    text is kept (stripped) so that :func:`validate` can name it as unknown.
    """
    return pd.Series(
        [_normalise_code(v) for v in values], index=values.index, dtype=object
    )


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def validate(
    gdf: gpd.GeoDataFrame,
    registry_frame: pd.DataFrame,
    *,
    allow_unknown: bool = False,
    progress: Progress | None = None,
) -> ReconciliationReport:
    """Check a boundary frame against the registry.

    Parameters
    ----------
    gdf
        As returned by :func:`read_boundary_file` (EPSG:4326, ``commune_code``);
        a frame with another accepted code column name also works.
    registry_frame
        The commune registry (``commune_code``, ``province_code``).
    allow_unknown
        Report codes that are not in the registry instead of refusing them.
    progress
        Called as ``progress(fraction, message)`` at each stage.

    Returns
    -------
    ReconciliationReport

    Raises
    ------
    BoundaryError
        Listing every failed check (see the module docstring).
    """
    _report(progress, 0.0, "Checking the features")
    if len(gdf) == 0:
        raise BoundaryError("the file is empty: it has no features")
    code_column = gdf.attrs.get("code_column") or find_code_column(gdf.columns)
    column = "commune_code" if "commune_code" in gdf.columns else code_column
    codes = normalise_codes(gdf[column])
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    problems: list[str] = []
    missing = _missing_codes_problem(codes)
    if missing:
        problems.append(missing)
    labels = _labels(codes)

    _report(progress, 0.2, "Checking geometry types")
    problems += _geometry_type_problems(geoms, labels)
    polygonal = _polygonal_mask(geoms)

    _report(progress, 0.4, "Checking coordinates")
    problems += _extent_problems(geoms, polygonal, labels, gdf)

    _report(progress, 0.55, "Checking geometry validity")
    problems += _validity_problems(geoms, polygonal, labels)

    _report(progress, 0.8, "Matching codes with the registry")
    known = set(registry_frame["commune_code"])
    present = codes.dropna()
    duplicated = sorted(set(present[present.duplicated()]))
    if duplicated:
        problems.append(
            f"{len(duplicated)} duplicated commune "
            f"{_plural(len(duplicated), 'code')}: {_listing(duplicated)}"
        )
    unknown = sorted(set(present) - known)
    if unknown and not allow_unknown:
        problems.append(
            f"{len(unknown)} unknown commune {_plural(len(unknown), 'code')} "
            f"(not in the registry of {len(known):,} communes): {_listing(unknown)}"
        )
    if problems:
        raise BoundaryError(
            _refusal(problems), key="boundaries.err.problems", count=len(problems)
        )

    matched = set(present) & known
    provinces = sorted(
        set(
            registry_frame.loc[
                registry_frame["commune_code"].isin(matched)
            ].province_code
        )
    )
    report = ReconciliationReport(
        n_features=len(gdf),
        n_matched=len(matched),
        n_provinces=len(provinces),
        unknown_codes=tuple(unknown),
        missing_codes=tuple(sorted(known - matched)),
        code_column=code_column,
        source_crs=gdf.attrs.get("source_crs") or _crs_label(gdf.crs),
        province_codes=tuple(provinces),
    )
    _report(progress, 1.0, f"Checked: {report.n_matched:,} communes matched")
    return report


def _refusal(problems: list[str]) -> str:
    if len(problems) == 1:
        return f"boundary file refused: {problems[0]}"
    listed = "; ".join(f"({i}) {p}" for i, p in enumerate(problems, start=1))
    return f"boundary file refused, {len(problems)} problems: {listed}"


def _labels(codes: pd.Series) -> list[str]:
    """A name per feature for messages: its code, or its row number."""
    return [
        c if isinstance(c, str) else f"row {i + 1}" for i, c in enumerate(codes.values)
    ]


def _missing_codes_problem(codes: pd.Series) -> str | None:
    rows = [i + 1 for i, c in enumerate(codes.values) if c is None]
    if not rows:
        return None
    return f"{len(rows)} {_plural(len(rows), 'feature')} without a commune code " + (
        f"(rows {_listing([str(r) for r in rows])})"
    )


def _polygonal_mask(geoms: np.ndarray) -> np.ndarray:
    types = shapely.get_type_id(geoms)
    return np.isin(types, [3, 6]) & ~shapely.is_empty(geoms)


def _geometry_type_problems(geoms: np.ndarray, labels: list[str]) -> list[str]:
    problems = []
    absent = [
        lab for g, lab in zip(geoms, labels, strict=True) if g is None or g.is_empty
    ]
    if absent:
        problems.append(
            f"{len(absent)} {_plural(len(absent), 'feature')} without a geometry: "
            f"{_listing(absent)}"
        )
    wrong = [
        f"{lab} ({g.geom_type})"
        for g, lab in zip(geoms, labels, strict=True)
        if g is not None and not g.is_empty and g.geom_type not in _POLYGONAL
    ]
    if wrong:
        problems.append(
            f"{len(wrong)} non-polygon {_plural(len(wrong), 'geometry')} "
            f"(communes must be Polygon or MultiPolygon): {_listing(wrong)}"
        )
    return problems


def _extent_problems(
    geoms: np.ndarray, polygonal: np.ndarray, labels: list[str], gdf: gpd.GeoDataFrame
) -> list[str]:
    if not polygonal.any():
        return []
    bounds = shapely.bounds(geoms[polygonal])
    west, south, east, north = VIETNAM_BBOX
    outside = (
        (bounds[:, 0] < west)
        | (bounds[:, 1] < south)
        | (bounds[:, 2] > east)
        | (bounds[:, 3] > north)
        | ~np.isfinite(bounds).all(axis=1)
    )
    if not outside.any():
        return []
    names = np.asarray(labels)[polygonal][outside].tolist()
    box = (
        np.nanmin(bounds[:, :2], axis=0).tolist()
        + np.nanmax(bounds[:, 2:], axis=0).tolist()
    )
    crs = gdf.attrs.get("source_crs") or _crs_label(gdf.crs)
    return [
        f"{len(names)} {_plural(len(names), 'feature')} with coordinates outside "
        f"Vietnam (lon {west}…{east}, lat {south}…{north}) after reprojection: "
        f"{_listing(names)}; the file's extent is "
        f"[{', '.join(f'{v:.6g}' for v in box)}]. The coordinate reference "
        f"system (CRS) is probably wrong or missing: the file declares {crs}"
    ]


def _validity_problems(
    geoms: np.ndarray, polygonal: np.ndarray, labels: list[str]
) -> list[str]:
    invalid = polygonal & ~shapely.is_valid(geoms)
    if not invalid.any():
        return []
    reasons = shapely.is_valid_reason(geoms[invalid])
    names = [
        f"{lab} ({reason})"
        for lab, reason in zip(np.asarray(labels)[invalid], reasons, strict=True)
    ]
    return [
        f"{len(names)} invalid {_plural(len(names), 'geometry')} "
        f"(e.g. self-intersecting rings): {_listing(names)}; fix them in QGIS "
        "(Vector › Geometry Tools › Fix Geometries) and export again"
    ]


def repair_invalid(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Repair invalid polygons with ``make_valid``, keeping polygonal parts.

    Returns
    -------
    (GeoDataFrame, list of str)
        A copy with the repaired geometries, and the codes repaired. A
        geometry whose repair leaves no polygon is left as it was, so that
        :func:`validate` still refuses it.
    """
    out = gdf.copy()
    geoms = np.asarray(out.geometry.values, dtype=object)
    bad = _polygonal_mask(geoms) & ~shapely.is_valid(geoms)
    repaired: list[str] = []
    for i in np.flatnonzero(bad):
        fixed = _polygonal_part(shapely.make_valid(geoms[i]))
        if fixed is not None:
            geoms[i] = fixed
            repaired.append(str(out["commune_code"].iloc[i]))
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=out.crs))
    return out, repaired


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry | None:
    """The polygons in *geom* as one (Multi)Polygon, or None."""
    parts = [
        p for p in shapely.get_parts(geom) if p.geom_type in _POLYGONAL and p.area > 0
    ]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return merged if merged.geom_type in _POLYGONAL else None


def load(
    path: str | Path,
    registry_frame: pd.DataFrame,
    *,
    layer: str | None = None,
    allow_unknown: bool = False,
    progress: Progress | None = None,
) -> tuple[gpd.GeoDataFrame, ReconciliationReport]:
    """Read and validate a boundary file in one call (reading is 60 % of progress).

    Raises
    ------
    BoundaryError
        From :func:`read_boundary_file` or :func:`validate`.
    """
    frame = read_boundary_file(path, layer=layer, progress=_scaled(progress, 0, 0.6))
    report = validate(
        frame,
        registry_frame,
        allow_unknown=allow_unknown,
        progress=_scaled(progress, 0.6, 1.0),
    )
    return frame, report
