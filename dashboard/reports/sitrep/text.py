"""The situation report as a short plain text for the leadership's chat group."""

from __future__ import annotations

from dashboard.plans.model import PILLARS
from dashboard.reports.sitrep.format import (
    _delegations_line,
    _requests_line,
    _risk_counts,
    _t,
    percent,
    utc_time,
    vn_time,
)
from dashboard.reports.sitrep.model import TEXT_LIMIT, Sitrep


def _names(items: list[str], limit: int) -> str:
    shown = ", ".join(items[:limit])
    more = len(items) - limit
    return f"{shown} (+{more})" if more > 0 else shown


def sitrep_text(s: Sitrep, lang: str = "vi") -> str:
    """A short plain text for the leadership's chat group (under
    :data:`TEXT_LIMIT` characters; long lists are cut with ``+n``)."""
    t = _t(lang)
    lines = [
        t("sitrep.text.title", province=s.province_name),
        t(
            "sitrep.text.time",
            vn=vn_time(s.generated_utc),
            utc=utc_time(s.generated_utc),
        ),
    ]
    if s.is_drill:
        lines.append(t("sitrep.text.drill", clock=vn_time(s.clock_utc)))
    f = s.forecast
    lines.append(
        t("sitrep.no_forecast")
        if f is None
        else t(
            "sitrep.text.forecast",
            name=f.storm_name,
            agency=f.agency,
            issued=vn_time(f.issued_utc),
        )
    )
    exposed = t("sitrep.text.exposed", count=s.exposed_total)
    if s.exposed_by_risk:
        exposed += " (" + _risk_counts(s, lang) + ")"
    lines.append(exposed)
    if s.most_exposed:
        lines.append(
            t(
                "sitrep.text.most_exposed",
                names=_names([c.commune_name for c in s.exposed], 3),
            )
        )
    if s.communes:
        lines.append(
            t("sitrep.text.readiness", percent=percent(s.readiness))
            + " · "
            + " · ".join(
                f"{t(f'sitrep.pillar_short.{p}')} {percent(s.readiness_by_pillar[p])}"
                for p in PILLARS
            )
        )
    else:
        lines.append(t("sitrep.no_plans"))
    overdue = t("sitrep.text.overdue", count=s.overdue_tasks)
    if s.most_overdue:
        overdue += " – " + ", ".join(
            f"{c.commune_name} ({c.overdue})" for c in s.most_overdue[:3]
        )
    lines.append(overdue)
    lines.append(t("sitrep.text.delegations") + " " + _delegations_line(s, lang))
    lines.append(_requests_line(s, lang))
    text = "\n".join(lines)
    if len(text) > TEXT_LIMIT:  # only with absurdly long names
        text = text[: TEXT_LIMIT - 1] + "…"
    return text
