"""The one rule for which communes a storm exposes.

A commune is *exposed* when its risk level is 1 or more: it lies in the
uncertainty cone, or level-6 winds reach it (or would, if the storm kept to
its usual track error). These are exactly the communes the situation map
colours, and every page, report, alert and command lists these and no others:
the map's ranking, the activation proposals, the delegations' coverage, the
situation report, the CAP alerts and ``dashboard exposure``.
"""

from __future__ import annotations

import pandas as pd

#: The lowest risk level that counts as exposed.
EXPOSED_MIN_RISK = 1


def exposed_mask(table: pd.DataFrame) -> pd.Series:
    """True for the rows of an exposure table that are exposed."""
    return table["risk_level"] >= EXPOSED_MIN_RISK


def exposed_communes(
    table: pd.DataFrame, province_code: str | None = None
) -> pd.DataFrame:
    """The exposed rows of *table* (in its order: most exposed first), of one
    province when *province_code* is given."""
    rows = table[exposed_mask(table)]
    if province_code is not None:
        rows = rows[rows["province_code"] == province_code]
    return rows
