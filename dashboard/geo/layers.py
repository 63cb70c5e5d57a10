"""Commune boundary layers: importing a file, and the layer the map draws.

An import is all-or-nothing. The file is read and validated first (nothing is
written until it passes); then its files are written into a fresh folder and
the ``boundary_layers`` row, the folder's final name and the audit row are
committed together. A rejected file changes nothing.

Until real boundaries are imported, the map draws *approximate* commune areas
built from the registry points (:func:`dashboard.geo.approximate.approximate_layer`)
and says so in its legend.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy import select

from dashboard import audit, registry
from dashboard.auth import Principal, require_admin
from dashboard.context import AppContext
from dashboard.core import files
from dashboard.geo.approximate import approximate_layer
from dashboard.geo.boundaries import ReconciliationReport, load
from dashboard.geo.display import build_display_layer, layer_to_geojson
from dashboard.store.models.core import BoundaryLayer

Progress = Callable[[float, str], None]

APPROXIMATE_VERSION = "approximate"
FULL_FILE = "communes.parquet"
DISPLAY_FILE = "display.parquet"


@dataclass(frozen=True)
class LayerInfo:
    """Which commune layer is in use. ``version`` keys every cache."""

    version: str
    imported: bool
    source_name: str = ""
    imported_at: datetime | None = None
    imported_by: str = ""
    directory: Path | None = None
    n_matched: int = 0


@dataclass(frozen=True)
class ImportResult:
    report: ReconciliationReport
    layer: LayerInfo


def current_layer(ctx: AppContext) -> LayerInfo:
    """The newest imported layer, or the approximate one."""
    with ctx.sessions() as session:
        row = session.scalar(
            select(BoundaryLayer).order_by(BoundaryLayer.id.desc()).limit(1)
        )
    if row is None:
        return LayerInfo(version=APPROXIMATE_VERSION, imported=False)
    return _info(ctx, row)


def layer_by_version(ctx: AppContext, version: str) -> LayerInfo:
    """The layer a version string names (as produced by :func:`current_layer`).

    Raises
    ------
    KeyError
        When no such layer exists.
    """
    if version == APPROXIMATE_VERSION:
        return LayerInfo(version=APPROXIMATE_VERSION, imported=False)
    layer_id = int(version.removeprefix("v").split("-", 1)[0])
    with ctx.sessions() as session:
        row = session.get(BoundaryLayer, layer_id)
    if row is None:
        raise KeyError(f"no boundary layer {version}")
    return _info(ctx, row)


def _info(ctx: AppContext, row: BoundaryLayer) -> LayerInfo:
    return LayerInfo(
        version=f"v{row.id}-{row.sha256[:12]}",
        imported=True,
        source_name=row.source_name,
        imported_at=row.imported_at,
        imported_by=row.imported_by,
        directory=ctx.settings.data_dir / row.directory,
        n_matched=row.n_matched,
    )


def _merge_with_current(
    ctx: AppContext, incoming: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """A partial file (e.g. one province at full detail) updates only its own
    communes: the others keep their polygons from the layer in use."""
    current = current_layer(ctx)
    if not current.imported or current.directory is None:
        return incoming
    previous = gpd.read_parquet(current.directory / FULL_FILE)
    kept = previous[~previous["commune_code"].isin(incoming["commune_code"])]
    merged = pd.concat([kept, incoming.to_crs(previous.crs)], ignore_index=True)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=previous.crs)


def _province_count(codes: pd.Series) -> int:
    frame = registry.communes()
    return int(frame.loc[frame["commune_code"].isin(codes), "province_code"].nunique())


def report_dict(report: ReconciliationReport, listed: int = 50) -> dict[str, object]:
    """The report as JSON-ready data (long code lists cut to *listed*)."""
    return {
        "n_features": report.n_features,
        "n_matched": report.n_matched,
        "n_provinces": report.n_provinces,
        "n_missing": len(report.missing_codes),
        "unknown_codes": list(report.unknown_codes[:listed]),
        "missing_codes": list(report.missing_codes[:listed]),
        "code_column": report.code_column,
        "source_crs": report.source_crs,
        "summary": report.summary(),
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_boundaries(
    ctx: AppContext,
    actor: Principal,
    path: Path,
    *,
    source_name: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate *path* and make it the current commune layer.

    Raises
    ------
    dashboard.geo.boundaries.BoundaryError
        When the file is refused; the message names the problem and nothing
        is stored.
    dashboard.auth.Forbidden
        When *actor* is not an admin.
    """
    require_admin(actor, "import boundaries")
    report_progress = progress or (lambda _fraction, _stage: None)
    frame, report = load(
        path,
        registry.communes(),
        progress=lambda fraction, stage: report_progress(0.6 * fraction, stage),
    )
    matched = frame[frame["commune_code"].isin(registry.commune_codes())]
    matched = _merge_with_current(ctx, matched[["commune_code", "geometry"]])
    report_progress(0.65, "Simplifying the display layer")
    display = build_display_layer(matched)

    report_progress(0.85, "Saving the layer")
    root = files.private_dir(ctx.settings.data_dir, ctx.settings.boundaries_dir.name)
    incoming = root / f".incoming-{uuid.uuid4().hex}"
    incoming.mkdir(mode=files.DIR_MODE)
    try:
        matched.to_parquet(incoming / FULL_FILE)
        display.to_parquet(incoming / DISPLAY_FILE)
        for written in (incoming / FULL_FILE, incoming / DISPLAY_FILE):
            written.chmod(files.FILE_MODE)  # 0600, whatever the umask
        with ctx.transaction() as session:
            row = BoundaryLayer(
                imported_at=datetime.now().astimezone(),
                imported_by=actor.username,
                source_name=source_name or path.name,
                sha256=_sha256(path),
                n_features=report.n_features,
                n_matched=len(matched),
                n_provinces=_province_count(matched["commune_code"]),
                report=json.dumps(report_dict(report), ensure_ascii=False),
                directory="",
            )
            session.add(row)
            session.flush()
            final = root / f"v{row.id}"
            row.directory = str(final.relative_to(ctx.settings.data_dir))
            audit.record(
                session,
                actor,
                "import",
                "boundary_layer",
                str(row.id),
                new={
                    "source": row.source_name,
                    "sha256": row.sha256,
                    **report_dict(report),
                },
            )
            incoming.rename(final)
            info = _info(ctx, row)
    except BaseException:
        shutil.rmtree(incoming, ignore_errors=True)
        raise
    report_progress(1.0, "Done")
    return ImportResult(report=report, layer=info)


def full_polygons(layer: LayerInfo) -> gpd.GeoDataFrame | None:
    """The imported polygons at full detail (``None`` for the approximate layer)."""
    if not layer.imported or layer.directory is None:
        return None
    return gpd.read_parquet(layer.directory / FULL_FILE)


def commune_geometries(ctx: AppContext, layer: LayerInfo) -> gpd.GeoDataFrame:
    """Display geometry per commune (``commune_code``, ``geometry``), EPSG:4326.

    Communes missing from a partial import are filled with their approximate
    areas so the map never has holes where a commune exists.
    """
    approx = approximate_layer(registry.communes())[["commune_code", "geometry"]]
    if not layer.imported or layer.directory is None:
        return approx.assign(approximate=True)
    imported = gpd.read_parquet(layer.directory / DISPLAY_FILE)
    missing = approx[~approx["commune_code"].isin(imported["commune_code"])]
    combined = pd.concat(
        [imported.assign(approximate=False), missing.assign(approximate=True)],
        ignore_index=True,
    )
    return gpd.GeoDataFrame(combined, geometry="geometry", crs="EPSG:4326")


def scoped_frame(
    geometries: gpd.GeoDataFrame, province_code: str | None = None
) -> gpd.GeoDataFrame:
    """Display geometry with names and province, for the nation or one province."""
    names = registry.communes()[["commune_code", "commune_name", "province_code"]]
    frame = geometries.merge(names, on="commune_code", how="inner")
    if province_code:
        frame = frame[frame["province_code"] == province_code]
    return frame


def layer_bounds(
    frame: gpd.GeoDataFrame, highlight: str | None = None
) -> tuple[float, float, float, float]:
    """Bounds to fit: the whole *frame*, or the highlighted commune and its
    neighbours."""
    codes = frame["commune_code"]
    focus = frame[codes == highlight] if highlight else frame
    minx, miny, maxx, maxy = (focus if len(focus) else frame).total_bounds
    if highlight and len(focus):
        # Show the commune with its neighbours around it.
        pad = max(maxx - minx, maxy - miny, 0.05)
        minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    return float(minx), float(miny), float(maxx), float(maxy)


def layer_geojson(
    geometries: gpd.GeoDataFrame,
    *,
    province_code: str | None = None,
    highlight: str | None = None,
    risk: Mapping[str, int] | None = None,
) -> tuple[str, tuple[float, float, float, float]]:
    """GeoJSON text for the map and the bounds to fit.

    Properties: ``c`` code, ``n`` name, ``r`` risk level 0–5 (from *risk*),
    ``a`` 1 for an approximate area, ``h`` 1 for the highlighted commune.
    (The app sends the geometry as a static file instead, see
    :mod:`dashboard.geo.static_layer`; this inline form stays for exports.)
    """
    frame = scoped_frame(geometries, province_code)
    codes = frame["commune_code"]
    properties = pd.DataFrame(
        {
            "c": codes,
            "n": frame["commune_name"],
            "r": codes.map(risk or {}).fillna(0).astype(int),
            "a": frame["approximate"].astype(int),
            "h": (codes == highlight).astype(int),
        }
    ).set_index(codes)
    text = layer_to_geojson(frame[["commune_code", "geometry"]], properties)
    return text, layer_bounds(frame, highlight)
