"""Tiny hand-made boundary fixtures for the geo tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dashboard import registry

# Three Hà Nội wards and one Hưng Yên commune, from the registry.
CODES = ("00004", "00008", "00025", "12004")

Ring = list[list[float]]


def point(code: str) -> tuple[float, float]:
    """(lon, lat) of a commune's registry point."""
    row = registry.commune(code)
    return float(row["lon"]), float(row["lat"])


def square(lon: float, lat: float, half: float = 0.004) -> Ring:
    """A closed counter-clockwise square ring centred on (lon, lat)."""
    return [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]


def bow_tie(lon: float, lat: float, half: float = 0.004) -> Ring:
    """A self-intersecting ring (two triangles meeting at the centre)."""
    return [
        [lon - half, lat - half],
        [lon + half, lat + half],
        [lon + half, lat - half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]


def feature(
    properties: dict[str, Any], ring: Ring | None, kind: str = "Polygon"
) -> dict[str, Any]:
    if ring is None:
        geometry = None
    elif kind == "Polygon":
        geometry = {"type": "Polygon", "coordinates": [ring]}
    elif kind == "Point":
        geometry = {"type": "Point", "coordinates": ring[0]}
    else:
        geometry = {"type": "LineString", "coordinates": ring}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def collection(features: list[dict[str, Any]], crs: str | None = None) -> str:
    data: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(data, ensure_ascii=False)


def good_features(codes: tuple[str, ...] = CODES) -> list[dict[str, Any]]:
    """One small square per code around its registry point."""
    return [
        feature({"commune_code": c, "commune_name": f"Commune {c}"}, square(*point(c)))
        for c in codes
    ]


def write(tmp_path: Path, text: str, name: str = "boundaries.geojson") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
