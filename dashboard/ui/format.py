"""Formatting times and wind levels for people (Vietnam time first)."""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd

from dashboard.core.clock import Clock
from dashboard.core.time import to_vietnam_time
from dashboard.storms.beaufort import kmh_range
from dashboard.ui.session import t


def local_time(value: datetime | pd.Timestamp | None) -> str:
    """``19:00 20/07/2025`` in Vietnam time (UTC+7), or an em dash."""
    if value is None or pd.isna(value):
        return "—"
    return f"{to_vietnam_time(value):%H:%M %d/%m/%Y}"


def relative_hours(value: datetime | pd.Timestamp | None, clock: Clock) -> str:
    """``sau 31 giờ`` / ``in 31 h``, ``2 giờ trước`` / ``2 h ago``."""
    if value is None or pd.isna(value):
        return ""
    hours = (pd.Timestamp(value) - pd.Timestamp(clock)).total_seconds() / 3600
    if abs(hours) < 0.5:
        return t("time.now")
    if hours > 0:
        return t("time.in_hours", hours=round(hours))
    return t("time.hours_ago", hours=round(-hours))


def when(value: datetime | pd.Timestamp | None, clock: Clock) -> str:
    """Local time with the relative time: ``19:00 20/07/2025 (sau 31 giờ)``."""
    if value is None or pd.isna(value):
        return "—"
    return f"{local_time(value)} ({relative_hours(value, clock)})"


def wind_level(level: int | None) -> str:
    """``cấp 9 (75–88 km/h)``, or ``dưới cấp 6`` for weaker winds."""
    if level is None or pd.isna(level) or int(level) < 6:
        return t("wind.below_6")
    low, high = kmh_range(int(level))
    speed = f"{low:.0f}–{high:.0f} km/h" if high is not None else f"≥ {low:.0f} km/h"
    return t("wind.level", level=int(level), speed=speed)


#: The upload limit of files without a limit of their own (``server.maxUploadSize``
#: in ``.streamlit/config.toml``), in MB; uploaders say it in the user's language.
UPLOAD_LIMIT_MB = 100


_AS_OF = re.compile(r"^(?P<name>.*?) \((?P<winds>[\w ]+) winds\) as of (?P<when>\S+)$")


def product_label(product: str) -> str:
    """A stored product name for people: ``IBTrACS v04r01 (usa winds) as of
    2025-07-20T12:00:00Z`` → ``IBTrACS v04r01, gió theo usa, tính đến 19:00
    20/07/2025`` (other names are shown as they are: they are data)."""
    match = _AS_OF.match(product or "")
    if not match:
        return product
    try:
        when = datetime.fromisoformat(match["when"].replace("Z", "+00:00"))
    except ValueError:
        return product
    return t(
        "forecasts.product_as_of",
        name=match["name"],
        winds=match["winds"].upper(),
        when=local_time(when),
    )
