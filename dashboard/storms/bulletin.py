"""NCHMF bulletin statements for land areas, beside (and optionally over) the model.

NCHMF's storm bulletins ("tin bão") state wind levels for named land areas,
e.g. 22 July 2025: "Hà Nội, Bắc Ninh và khu vực nội địa Hưng Yên có gió mạnh
cấp 6, giật cấp 7-8". Those are the official message commune leaders hear.
An operator enters them by hand (:class:`LandStatement`); :func:`apply_statements`
shows them beside the model's levels in the exposure table and, **only where
the operator chose to** (``cap=True``), caps the model's levels for the named
provinces. Every capped row is flagged (``capped_by_bulletin``) and keeps the
model's own value (``model_max_wind_level``, ``model_max_gust_level``): the
cap is never silent.

UI wiring (an entry form and the column in the table) is left to the page
that shows the exposure table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

ETA_LEVELS = (6, 8, 10, 12)


@dataclass(frozen=True)
class LandStatement:
    """One bulletin sentence about land areas.

    Attributes
    ----------
    province_codes
        The provinces it names (2-digit codes). A statement about part of a
        province ("nội địa Hưng Yên") names the province and says so in
        *area_text*; it is then applied to the whole province.
    sustained
        ``(low, high)`` sustained level ("cấp 6" → ``(6, 6)``, "cấp 6-7" → ``(6, 7)``).
    gust
        ``(low, high)`` gust level, or ``None`` when the sentence gives none.
    area_text, source
        The area as written and the bulletin (issuer, time) it comes from.
    cap
        Whether the operator chose to cap the model at ``sustained[1]`` /
        ``gust[1]`` in these provinces.
    """

    province_codes: tuple[str, ...]
    sustained: tuple[int, int]
    gust: tuple[int, int] | None = None
    area_text: str = ""
    source: str = ""
    cap: bool = False

    def __post_init__(self) -> None:
        for pair in (self.sustained, self.gust):
            if pair is not None and not (0 <= pair[0] <= pair[1] <= 18):
                raise ValueError(f"level range {pair} is not low <= high in 0-18")


def _label(pair: tuple[int, int] | None) -> str:
    if pair is None:
        return ""
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}-{pair[1]}"


def apply_statements(
    exposure: pd.DataFrame,
    province_of: Mapping[str, str] | pd.Series,
    statements: Iterable[LandStatement],
) -> pd.DataFrame:
    """The exposure table with the bulletin's levels beside the model's.

    Parameters
    ----------
    exposure
        Output of :func:`dashboard.storms.exposure.compute_exposure` (needs
        ``commune_code``, ``max_wind_level``, ``max_gust_level`` and the ETA
        columns).
    province_of
        commune_code → province_code.
    statements
        The bulletin's land statements; a later statement about the same
        province replaces an earlier one.

    Returns
    -------
    pandas.DataFrame
        A copy with ``bulletin_level``, ``bulletin_gust_level`` (text, "" where
        the bulletin says nothing), ``bulletin_source``, ``capped_by_bulletin``
        (bool), ``model_max_wind_level`` and ``model_max_gust_level``. Where a
        statement has ``cap=True``, ``max_wind_level`` / ``max_gust_level`` are
        lowered to its upper level and the ETAs of levels above it are cleared.
    """
    out = exposure.copy()
    provinces = pd.Series(out["commune_code"].map(province_of), index=out.index)
    out["bulletin_level"] = ""
    out["bulletin_gust_level"] = ""
    out["bulletin_source"] = ""
    out["model_max_wind_level"] = out["max_wind_level"]
    out["model_max_gust_level"] = out["max_gust_level"]
    capped = np.zeros(len(out), bool)
    for statement in statements:
        rows = provinces.isin(statement.province_codes).to_numpy()
        if not rows.any():
            continue
        out.loc[rows, "bulletin_level"] = _label(statement.sustained)
        out.loc[rows, "bulletin_gust_level"] = _label(statement.gust)
        out.loc[rows, "bulletin_source"] = statement.source
        if not statement.cap:
            continue
        top = statement.sustained[1]
        wind = out.loc[rows, "model_max_wind_level"]
        out.loc[rows, "max_wind_level"] = np.minimum(wind, top)
        hit = rows & (out["model_max_wind_level"] > top).to_numpy()
        if statement.gust is not None:
            gust = out.loc[rows, "model_max_gust_level"]
            out.loc[rows, "max_gust_level"] = np.minimum(gust, statement.gust[1])
            hit |= rows & (out["model_max_gust_level"] > statement.gust[1]).to_numpy()
        for level in ETA_LEVELS:
            column = f"level{level}_eta_utc"
            if level > top and column in out:
                out.loc[rows, column] = pd.NaT
        capped |= hit
    out["capped_by_bulletin"] = capped
    return out
