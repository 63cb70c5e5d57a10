"""The situation report as an XLSX workbook."""

from __future__ import annotations

import io
from datetime import datetime

from dashboard.core.text import safe_row
from dashboard.core.time import to_vietnam_time
from dashboard.i18n import translate
from dashboard.plans.model import PILLARS
from dashboard.reports.sitrep.model import Sitrep

SHEETS = ("summary", "exposed", "readiness", "delegations", "requests")


def _naive_vn(value: datetime | None) -> datetime | None:
    """Excel has no time zones: cells hold Vietnam time (headings say so)."""
    local = to_vietnam_time(value) if value is not None else None
    return None if local is None else local.replace(tzinfo=None)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


#: Columns whose values are codes, and the catalog prefix that names them.
_CODED = {
    ("delegations", "status"): "dlg.status.",
    ("requests", "category"): "feedback.category.",
    ("requests", "urgency"): "feedback.urgency.",
    ("requests", "status"): "feedback.status.",
    ("summary", "value"): "sitrep.xlsx.value.",
}


def _label(key: str, lang: str) -> str:
    text = translate(key, lang)
    return text if text != key else key.rsplit(".", 1)[-1]


def _localise(wb, lang: str) -> None:
    """Sheet names, headings and coded values in *lang* (keys stay stable)."""
    for ws in wb.worksheets:
        sheet = ws.title
        header = [cell.value for cell in ws[1]]
        coded = {
            i: _CODED[(sheet, name)]
            for i, name in enumerate(header)
            if (sheet, name) in _CODED
        }
        for cell in ws[1]:
            cell.value = _label(f"sitrep.xlsx.col.{cell.value}", lang)
        for row in ws.iter_rows(min_row=2):
            if sheet == "summary":
                row[0].value = _label(f"sitrep.xlsx.item.{row[0].value}", lang)
            for i, prefix in coded.items():
                value = row[i].value
                if isinstance(value, str) and value:
                    key = prefix + value
                    text = translate(key, lang)
                    row[i].value = text if text != key else value
            for cell in row:
                if isinstance(cell.value, bool):
                    cell.value = translate(f"sitrep.xlsx.{cell.value}", lang)
        ws.title = _label(f"sitrep.xlsx.sheet.{sheet}", lang)[:31]


def sitrep_xlsx(s: Sitrep, lang: str | None = None) -> bytes:
    """The report as a workbook: ``summary`` (key figures, report time,
    advisory), ``exposed``, ``readiness``, ``delegations``, ``requests``.

    Readiness is in percent (one decimal); times are Vietnam time except
    where a heading says UTC. Every cell goes through
    :func:`~dashboard.core.text.safe_row`: a feedback title, storm or event
    name starting with ``=`` is text, never a formula.
    With *lang* (the page passes the reader's
    language) sheet names, headings, summary items and coded values
    (statuses, categories) are in that language; without it they stay the
    stable keys above, for scripts.
    """
    from openpyxl import Workbook

    wb = Workbook()
    summary = wb.active
    summary.title = "summary"
    f = s.forecast
    pairs: list[tuple[str, object]] = [
        ("province_code", s.province_code),
        ("province_name", s.province_name),
        ("report_time_vietnam", _naive_vn(s.generated_utc)),
        ("report_time_utc", s.generated_utc.replace(tzinfo=None)),
        ("scenario", s.mode),
        ("drill_name", s.drill_name if s.is_drill else ""),
        ("scenario_clock_vietnam", _naive_vn(s.clock_utc)),
        ("storm_name", f.storm_name if f else ""),
        ("storm_id", f.storm_id if f else ""),
        ("forecast_agency", f.agency if f else ""),
        ("forecast_product", f.product if f else ""),
        ("forecast_issued_vietnam", _naive_vn(f.issued_utc) if f else None),
        ("forecast_issued_utc", f.issued_utc.replace(tzinfo=None) if f else None),
        ("event", s.event_name),
        ("exposed_communes", s.exposed_total),
        *((f"exposed_risk_{lvl}", n) for lvl, n in s.exposed_by_risk.items()),
        ("communes_with_plans", len(s.communes)),
        ("tasks", s.tasks),
        ("tasks_done", s.done),
        ("readiness_percent", _pct(s.readiness)),
        *((f"readiness_{p}_percent", _pct(s.readiness_by_pillar[p])) for p in PILLARS),
        ("overdue_tasks", s.overdue_tasks),
        ("blocked_tasks", s.blocked_tasks),
        *((f"delegations_{k}", n) for k, n in s.delegations_by_status.items()),
        ("urgent_requests", len(s.urgent_requests)),
        ("urgent_requests_overdue", s.urgent_overdue),
    ]
    summary.append(["item", "value"])
    for key, value in pairs:
        summary.append(safe_row([key, value]))

    def sheet(name: str, header: list[str], rows: list[list[object]]) -> None:
        ws = wb.create_sheet(name)
        ws.append(header)
        for row in rows:
            ws.append(safe_row(row))
        ws.freeze_panes = "A2"

    sheet(
        "exposed",
        [
            "commune_code",
            "commune_name",
            "risk_level",
            "max_wind_level",
            "level6_eta_vietnam",
            "in_cone",
            "readiness_percent",
        ],
        [
            [
                c.commune_code,
                c.commune_name,
                c.risk_level,
                c.max_wind_level,
                _naive_vn(c.level6_eta_utc),
                c.in_cone,
                _pct(c.readiness),
            ]
            for c in s.exposed
        ],
    )
    sheet(
        "readiness",
        [
            "commune_code",
            "commune_name",
            "risk_level",
            "max_wind_level",
            "eta_vietnam",
            "tasks",
            "done",
            "overdue",
            "blocked",
            "readiness_percent",
            *(f"readiness_{p}_percent" for p in PILLARS),
        ],
        [
            [
                c.commune_code,
                c.commune_name,
                c.risk_level,
                c.max_wind_level,
                _naive_vn(c.eta_utc),
                c.tasks,
                c.done,
                c.overdue,
                c.blocked,
                _pct(c.readiness),
                *(_pct(c.pillars[p]) for p in PILLARS),
            ]
            for c in s.communes
        ],
    )
    sheet(
        "delegations",
        [
            "id",
            "name",
            "status",
            "leader",
            "leader_phone",
            "communes",
            "planned_arrival_vietnam",
        ],
        [
            [
                d.id,
                d.name,
                d.status,
                d.leader_name,
                d.leader_phone,
                ", ".join(d.communes),
                _naive_vn(d.planned_arrival_utc),
            ]
            for d in s.delegations
        ],
    )
    sheet(
        "requests",
        [
            "id",
            "commune",
            "category",
            "urgency",
            "title",
            "status",
            "raised_vietnam",
            "due_vietnam",
            "overdue",
        ],
        [
            [
                r.id,
                r.commune_name,
                r.category,
                r.urgency,
                r.title,
                r.status,
                _naive_vn(r.raised_at),
                _naive_vn(r.due_utc),
                r.overdue,
            ]
            for r in s.urgent_requests
        ],
    )
    if lang is not None:
        _localise(wb, lang)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
