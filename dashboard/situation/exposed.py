"""The one rule for which communes a storm exposes.

A commune is *exposed* when the forecast brings it winds of level 6 or more
(Beaufort, 2-minute mean) at some hour from now on: its risk level is 3 or
more. That is the area Quyết định 18/2021/QĐ-TTg, Art. 42, calls affected,
and the area NCHMF's bulletins describe ("vùng gió mạnh cấp 6"). Every page,
report, alert and command lists these and no others: the map's ranking, the
activation proposals, the delegations' coverage, the situation report, the
CAP alerts and ``dashboard exposure``.

Risk levels 1 and 2 are this dashboard's *watch* levels, not exposure: the
commune is in the uncertainty cone (1), or level-6 winds would reach it if
the storm kept to its usual track error (2). The map colours them so that
staff can see where a shift of the track would matter, and
:func:`watched_communes` lists them, but nothing is activated, assigned or
alerted for them. (Until December 2026 they counted as exposed: for Wipha at
the drill clock, 1,363 communes with ``holland-fetch-v2``, 612 of them never
forecast to see level 6; now 751, in the provinces the bulletins named.)
"""

from __future__ import annotations

import pandas as pd

#: The lowest risk level that counts as exposed: level-6 winds forecast.
EXPOSED_MIN_RISK = 3

#: The lowest risk level the map colours (the watch levels and up).
WATCH_MIN_RISK = 1


def exposed_mask(table: pd.DataFrame) -> pd.Series:
    """True for the rows of an exposure table that are exposed."""
    return table["risk_level"] >= EXPOSED_MIN_RISK


def _of_province(rows: pd.DataFrame, province_code: str | None) -> pd.DataFrame:
    if province_code is None:
        return rows
    return rows[rows["province_code"] == province_code]


def exposed_communes(
    table: pd.DataFrame, province_code: str | None = None
) -> pd.DataFrame:
    """The exposed rows of *table* (in its order: most exposed first), of one
    province when *province_code* is given."""
    return _of_province(table[exposed_mask(table)], province_code)


def watched_communes(
    table: pd.DataFrame, province_code: str | None = None
) -> pd.DataFrame:
    """The rows at a watch level (risk 1 or 2: in the cone, or level 6 only
    if the track shifts), of one province when *province_code* is given."""
    risk = table["risk_level"]
    rows = table[(risk >= WATCH_MIN_RISK) & (risk < EXPOSED_MIN_RISK)]
    return _of_province(rows, province_code)
