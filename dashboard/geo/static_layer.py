"""The commune layer as a static, versioned, compressed file.

The browser fetches the geometry once (``/layers/{version}/{name}.{digest}.json``,
served by :mod:`dashboard.server` with ``immutable`` cache headers) and keeps it
between visits; each rerun of the map sends only the styling (risk level per
commune code) and the storm.

Format (quantised, delta-encoded JSON, decoded by the map's script)::

    {"f": 1, "k": 1000,            # format, scale: coordinate = integer / k
     "c": ["00001", ...],          # commune codes
     "n": ["Phường Ba Đình", ...], # names
     "a": [0, 1, ...],             # 1 = approximate area (dashed)
     "g": [[[[x0, y0, dx1, dy1, ...], hole...], polygon2...], ...],
     "fine": {"12": 1000000}}      # scale for geometries that k would spoil

Every ring is its first point in integer units followed by the differences
to the previous point, so most numbers have one to three digits. The display
layer is already snapped to a 0.001° grid (:mod:`dashboard.geo.display`), so
``k = 1000`` loses nothing for it. The national layer is about 0.75 MB of
JSON and 0.24 MB gzipped (the same geometry as plain GeoJSON: 2.2 MB and
0.38 MB).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

FORMAT = 1
SCALE = 1000
FINE_SCALE = 1_000_000
NATIONAL = "communes"


@dataclass(frozen=True)
class LayerFile:
    """One encoded layer: raw JSON, its gzip, and a content digest (ETag)."""

    body: bytes
    gzipped: bytes
    digest: str

    @property
    def etag(self) -> str:
        return f'"{self.digest}"'


def _ring(coords: np.ndarray, scale: int) -> list[int]:
    q = np.round(np.asarray(coords)[:, :2] * scale).astype(np.int64)
    return q[0].tolist() + np.diff(q, axis=0).ravel().tolist()


def _polygons(geom: shapely.Geometry, scale: int) -> list[list[list[int]]]:
    if geom is None or geom.is_empty:
        return []
    parts = [geom] if geom.geom_type == "Polygon" else list(geom.geoms)
    return [
        [_ring(p.exterior.coords, scale)]
        + [_ring(i.coords, scale) for i in p.interiors]
        for p in parts
        if p.geom_type == "Polygon"
    ]


def _spoilt(geoms: np.ndarray, scale: int) -> np.ndarray:
    """Geometries that rounding to 1/scale would make invalid or of no area."""
    rounded = shapely.transform(geoms, lambda xy: np.round(xy * scale) / scale)
    return (shapely.area(geoms) > 0) & (
        ~shapely.is_valid(rounded) | (shapely.area(rounded) == 0)
    )


def encode_layer(frame: pd.DataFrame) -> bytes:
    """Encode communes (``commune_code``, ``commune_name``, ``approximate``,
    ``geometry`` in EPSG:4326) in the quantised format described above."""
    geoms = np.asarray(frame["geometry"].to_numpy(), dtype=object)
    spoilt = _spoilt(geoms, SCALE) if len(geoms) else np.zeros(0, dtype=bool)
    g = [
        _polygons(geom, FINE_SCALE if bad else SCALE)
        for geom, bad in zip(geoms, spoilt, strict=True)
    ]
    data = {
        "f": FORMAT,
        "k": SCALE,
        "c": [str(c) for c in frame["commune_code"]],
        "n": [str(n) for n in frame["commune_name"]],
        "a": [int(bool(a)) for a in frame["approximate"]],
        "g": g,
        "fine": {str(i): FINE_SCALE for i in np.flatnonzero(spoilt)},
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def decode_layer(body: bytes) -> gpd.GeoDataFrame:
    """The inverse of :func:`encode_layer` (tests; the browser does the same)."""
    data = json.loads(body)
    geoms = []
    for i, polygons in enumerate(data["g"]):
        scale = data["fine"].get(str(i), data["k"])
        shells = []
        for rings in polygons:
            coords = [np.cumsum(np.reshape(r, (-1, 2)), axis=0) / scale for r in rings]
            shells.append(shapely.Polygon(coords[0], coords[1:]))
        geoms.append(shapely.MultiPolygon(shells) if len(shells) > 1 else shells[0])
    return gpd.GeoDataFrame(
        {
            "commune_code": data["c"],
            "commune_name": data["n"],
            "approximate": [bool(a) for a in data["a"]],
        },
        geometry=geoms,
        crs="EPSG:4326",
    )


def layer_file(frame: pd.DataFrame) -> LayerFile:
    body = encode_layer(frame)
    return LayerFile(
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        digest=hashlib.sha256(body).hexdigest()[:16],
    )


def file_name(scope: str | None, digest: str) -> str:
    """``communes.<digest>.json`` for the nation, ``<province>.<digest>.json``."""
    return f"{scope or NATIONAL}.{digest}.json"


def parse_file_name(name: str) -> tuple[str | None, str] | None:
    """(province code or None, digest) from a file name, or None if malformed."""
    parts = name.split(".")
    if len(parts) != 3 or parts[2] != "json":
        return None
    scope, digest = parts[0], parts[1]
    if not digest.isalnum() or not (scope == NATIONAL or scope.isdigit()):
        return None
    return (None if scope == NATIONAL else scope), digest
