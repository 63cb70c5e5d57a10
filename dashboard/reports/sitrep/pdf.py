"""The situation report as a PDF (DejaVu Sans, so the diacritics are right)."""

from __future__ import annotations

from dashboard.core.pdf import add_table, new_document
from dashboard.plans.model import PILLARS
from dashboard.reports.sitrep.format import (
    _delegations_line,
    _forecast_line,
    _header_lines,
    _readiness_line,
    _requests_line,
    _risk_counts,
    _t,
    percent,
    vn_time,
)
from dashboard.reports.sitrep.model import Sitrep


def sitrep_pdf(s: Sitrep, lang: str = "vi") -> bytes:
    """The report as a PDF (A4), with the report time and advisory on top."""
    t = _t(lang)
    title = t("sitrep.title", province=s.province_name)
    doc = new_document(
        title,
        printed_at=s.generated_vietnam,
        note=_forecast_line(s, lang)[:90],
    )
    doc.heading(title, size=15)
    for line in _header_lines(s, lang):
        doc.paragraph(line, size=9)

    doc.heading(t("sitrep.section.exposure"), size=12)
    doc.paragraph(t("sitrep.exposed_total", count=s.exposed_total))
    if s.exposed_by_risk:
        doc.paragraph(_risk_counts(s, lang))
    if s.most_exposed:
        doc.paragraph(t("sitrep.most_exposed", count=len(s.most_exposed)), size=9)
        add_table(
            doc,
            [
                t("sitrep.col.commune"),
                t("sitrep.col.risk"),
                t("sitrep.col.wind"),
                t("sitrep.col.eta6"),
                t("sitrep.col.readiness"),
            ],
            [
                [
                    c.commune_name,
                    t(f"risk.{c.risk_level}"),
                    str(c.max_wind_level),
                    vn_time(c.level6_eta_utc),
                    percent(c.readiness),
                ]
                for c in s.most_exposed
            ],
            (60, 30, 20, 40, 30),
        )

    doc.heading(t("sitrep.section.readiness"), size=12)
    doc.paragraph(_readiness_line(s, lang))
    if s.communes:
        add_table(
            doc,
            [t("sitrep.col.pillar"), t("sitrep.col.readiness")],
            [
                [t(f"plans.pillar.{p}"), percent(s.readiness_by_pillar[p])]
                for p in PILLARS
            ],
            (120, 60),
        )

    doc.heading(t("sitrep.section.overdue"), size=12)
    doc.paragraph(
        t("sitrep.overdue_total", count=s.overdue_tasks, blocked=s.blocked_tasks)
    )
    if s.most_overdue:
        add_table(
            doc,
            [
                t("sitrep.col.commune"),
                t("sitrep.col.overdue"),
                t("sitrep.col.blocked"),
                t("sitrep.col.readiness"),
            ],
            [
                [c.commune_name, str(c.overdue), str(c.blocked), percent(c.readiness)]
                for c in s.most_overdue
            ],
            (80, 30, 30, 40),
        )

    doc.heading(t("sitrep.section.delegations"), size=12)
    doc.paragraph(_delegations_line(s, lang))
    if s.delegations:
        add_table(
            doc,
            [
                t("sitrep.col.delegation"),
                t("sitrep.col.status"),
                t("sitrep.col.leader"),
                t("sitrep.col.communes"),
            ],
            [
                [
                    d.name,
                    t(f"dlg.status.{d.status}"),
                    f"{d.leader_name} {d.leader_phone}".strip(),
                    ", ".join(d.communes),
                ]
                for d in s.delegations
            ],
            (45, 35, 45, 55),
        )

    doc.heading(t("sitrep.section.requests"), size=12)
    doc.paragraph(_requests_line(s, lang))
    if s.urgent_requests:
        add_table(
            doc,
            [
                t("sitrep.col.commune"),
                t("sitrep.col.urgency"),
                t("sitrep.col.title"),
                t("sitrep.col.due"),
            ],
            [
                [
                    r.commune_name,
                    t(f"feedback.urgency.{r.urgency}"),
                    r.title,
                    vn_time(r.due_utc)
                    + (f" ({t('sitrep.overdue')})" if r.overdue else ""),
                ]
                for r in s.urgent_requests
            ],
            (45, 25, 70, 40),
        )
    doc.paragraph(t("sitrep.footer", user=s.built_by or "—"), size=7)
    return doc.output_bytes()
