"""The official list of Vietnam's 34 provinces and 3,321 communes (since 2025-07-01).

The embedded default comes from the MIT-licensed PyPI package
``vietnamadminunits`` (its SQLite ``dataset.db``), which carries every commune
with a geocoded point and the official area. The package lags the official list
in a few places; ``data/registry_corrections.csv`` records each correction we
apply and why (Ba Chẽ's code, Đồng Nai becoming a city in 2026, two missing
areas). Always join on ``commune_code`` (5 digits, a string): names repeat
across provinces.
"""

from __future__ import annotations

import csv
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from dashboard.config import REPO_ROOT
from dashboard.core.text import fold

CORRECTIONS_FILE = REPO_ROOT / "data" / "registry_corrections.csv"

COMMUNE_TYPES = ("xã", "phường", "đặc khu")

COLUMNS = [
    "commune_code",
    "commune_name",
    "commune_short_name",
    "commune_type",
    "province_code",
    "province_name",
    "province_full_name",
    "lat",
    "lon",
    "area_km2",
]


@dataclass(frozen=True)
class Correction:
    """One documented change to the upstream registry."""

    code: str
    field: str
    old: str
    new: str
    reason: str


def _type_from_name(name: str) -> str:
    lowered = name.lower()
    for kind in sorted(COMMUNE_TYPES, key=len, reverse=True):
        if lowered.startswith(kind + " "):
            return kind
    raise ValueError(f"commune name {name!r} has no type prefix")


def _dataset_path() -> Path:
    return Path(str(resources.files("vietnamadminunits") / "data" / "dataset.db"))


def read_corrections(path: Path = CORRECTIONS_FILE) -> list[Correction]:
    """Read the corrections table."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Correction(r["commune_code"], r["field"], r["old"], r["new"], r["reason"])
            for r in csv.DictReader(fh)
        ]


def _read_upstream() -> pd.DataFrame:
    uri = f"file:{_dataset_path()}?mode=ro"
    with sqlite3.connect(uri, uri=True) as con:
        frame = pd.read_sql_query(
            """
            SELECT wardCode AS commune_code, ward AS commune_name,
                   wardShort AS commune_short_name, wardType AS commune_type,
                   provinceCode AS province_code, provinceShort AS province_name,
                   province AS province_full_name, wardLat AS lat, wardLon AS lon,
                   wardAreaKm2 AS area_km2
            FROM admin_units
            """,
            con,
        )
    return frame


def apply_corrections(
    frame: pd.DataFrame, corrections: list[Correction]
) -> pd.DataFrame:
    """Return a copy of *frame* with *corrections* applied.

    Raises
    ------
    ValueError
        When a correction no longer matches the upstream value, so that an
        upstream fix is noticed rather than silently overwritten.
    """
    out = frame.copy()
    for c in corrections:
        if c.field == "province_name":
            mask = out["province_code"] == c.code
            if (
                not (out.loc[mask, "province_full_name"] == c.old).all()
                or not mask.any()
            ):
                raise ValueError(f"registry correction for province {c.code} is stale")
            out.loc[mask, "province_full_name"] = c.new
            continue
        mask = out["commune_code"] == c.code
        if mask.sum() != 1:
            raise ValueError(f"registry correction names unknown commune {c.code}")
        current = out.loc[mask, c.field].iloc[0]
        current_text = "" if pd.isna(current) else str(current)
        if current_text != c.old:
            raise ValueError(
                f"registry correction for {c.code}.{c.field} expects {c.old!r}, "
                f"upstream has {current_text!r}"
            )
        if c.field == "area_km2":
            out.loc[mask, "area_km2"] = float(c.new)
        elif c.field == "commune_type":
            name = out.loc[mask, "commune_name"].iloc[0]
            out.loc[mask, "commune_name"] = c.new + name[len(c.old) :]
            out.loc[mask, "commune_type"] = c.new
        else:
            out.loc[mask, c.field] = c.new
    return out


@lru_cache(maxsize=1)
def communes() -> pd.DataFrame:
    """All communes, one row each, indexed by nothing, sorted by code.

    Columns: ``commune_code, commune_name, commune_short_name, commune_type``
    (``xã``/``phường``/``đặc khu``), ``province_code, province_name,
    province_full_name, lat, lon, area_km2, search_key`` (folded name).
    """
    frame = apply_corrections(_read_upstream(), read_corrections())
    # The upstream ``wardType`` disagrees with the name in a few rows (e.g.
    # "Phường Việt Hòa" typed Xã); the official name prefix is authoritative.
    frame["commune_type"] = frame["commune_name"].map(_type_from_name)
    frame["search_key"] = [
        fold(f"{n} {p}")
        for n, p in zip(frame["commune_name"], frame["province_name"], strict=True)
    ]
    frame = frame.sort_values("commune_code", ignore_index=True)
    return frame[[*COLUMNS, "search_key"]]


@lru_cache(maxsize=1)
def provinces() -> pd.DataFrame:
    """The 34 provinces with their commune counts, sorted by code."""
    frame = communes()
    grouped = frame.groupby("province_code", sort=True).agg(
        province_name=("province_name", "first"),
        province_full_name=("province_full_name", "first"),
        n_communes=("commune_code", "size"),
        lat=("lat", "mean"),
        lon=("lon", "mean"),
    )
    return grouped.reset_index()


def commune_name(code: str) -> str:
    """The commune's name, or *code* itself when it is not an official code
    (a record may outlive a registry correction)."""
    try:
        return str(commune(code)["commune_name"])
    except KeyError:
        return code


def commune(code: str) -> pd.Series:
    """Return one commune's row.

    Raises
    ------
    KeyError
        When *code* is not an official commune code.
    """
    frame = communes()
    hit = frame[frame["commune_code"] == code]
    if hit.empty:
        raise KeyError(f"unknown commune code {code!r}")
    return hit.iloc[0]


def province_codes() -> set[str]:
    return set(provinces()["province_code"])


def commune_codes() -> set[str]:
    return set(communes()["commune_code"])


def search(
    query: str, province_code: str | None = None, limit: int = 20
) -> pd.DataFrame:
    """Communes whose name (and province) contains every word of *query*.

    Diacritics and case are ignored: ``"tra doc"`` finds ``Xã Trà Đốc``.
    """
    frame = communes()
    if province_code:
        frame = frame[frame["province_code"] == province_code]
    words = fold(query).split()
    mask = pd.Series(True, index=frame.index)
    for word in words:
        mask &= frame["search_key"].str.contains(word, regex=False)
    return frame[mask].head(limit)
