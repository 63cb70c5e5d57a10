"""Formatting shared by the renderers (no Streamlit: they run from the command
line too).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pandas as pd

from dashboard.core.time import to_vietnam_time
from dashboard.i18n import translate
from dashboard.reports.sitrep.model import Sitrep


def vn_time(value: datetime | None) -> str:
    """``19:00 20/07/2025`` in Vietnam time, or an em dash."""
    if value is None or pd.isna(value):
        return "—"
    return f"{to_vietnam_time(value):%H:%M %d/%m/%Y}"


def utc_time(value: datetime | None) -> str:
    """``12:00 20/07/2025 UTC``, or an em dash."""
    if value is None or pd.isna(value):
        return "—"
    return f"{value.astimezone(UTC):%H:%M %d/%m/%Y} UTC"


def percent(value: float | None) -> str:
    """``42%`` (rounded like the board), or an em dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{round(100 * value)}%"


def _t(lang: str):
    def t(key: str, **params: object) -> str:
        return translate(key, lang, **params)

    return t


def _header_lines(s: Sitrep, lang: str) -> list[str]:
    t = _t(lang)
    lines = [
        t(
            "sitrep.report_time",
            vn=vn_time(s.generated_utc),
            utc=utc_time(s.generated_utc),
        )
    ]
    if s.is_drill:
        lines.append(
            t(
                "sitrep.drill",
                name=s.drill_name,
                clock=vn_time(s.clock_utc),
                utc=utc_time(s.clock_utc),
            )
        )
    else:
        lines.append(t("sitrep.live", clock=vn_time(s.clock_utc)))
    lines.append(_forecast_line(s, lang))
    return lines


def _forecast_line(s: Sitrep, lang: str) -> str:
    t = _t(lang)
    f = s.forecast
    if f is None:
        return t("sitrep.no_forecast")
    return t(
        "sitrep.forecast",
        name=f.storm_name,
        agency=f.agency,
        product=f.product,
        issued=vn_time(f.issued_utc),
        utc=utc_time(f.issued_utc),
    )


def _risk_counts(s: Sitrep, lang: str) -> str:
    t = _t(lang)
    return "; ".join(
        t("sitrep.risk_count", level=t(f"risk.{level}"), count=count)
        for level, count in s.exposed_by_risk.items()
    )


def _readiness_line(s: Sitrep, lang: str) -> str:
    t = _t(lang)
    if not s.communes:
        return t("sitrep.no_plans")
    return t(
        "sitrep.readiness_total",
        percent=percent(s.readiness),
        communes=len(s.communes),
        done=s.done,
        tasks=s.tasks,
    )


def _delegations_line(s: Sitrep, lang: str) -> str:
    n = s.delegations_by_status
    return _t(lang)(
        "sitrep.delegations_counts",
        on_site=n["on_site"],
        en_route=n["en_route"],
        planned=n["planned"],
    )


def _requests_line(s: Sitrep, lang: str) -> str:
    return _t(lang)(
        "sitrep.requests_total",
        count=len(s.urgent_requests),
        overdue=s.urgent_overdue,
    )
