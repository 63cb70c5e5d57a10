"""The province situation report (sitrep): one click, three formats.

:func:`build_sitrep` gathers, for one province at one moment, what the pages
show: the scenario (drill or live) and its clock, the storm advisory in use,
the communes exposed to it by risk level, readiness overall and per pillar,
delegations under way, overdue tasks and the urgent requests still waiting
for the province. It calls the same services the pages call (scenario,
situation, readiness board, delegations, feedback) and only reshapes their
results, so the report always matches the live board.

The renderers turn the plain :class:`Sitrep` into a PDF (DejaVu Sans, so the
Vietnamese diacritics are right), an XLSX workbook, and a short plain text for
the leadership's chat group. The report time (Vietnam time and UTC) and the
advisory used are printed on every format.

Which storm and which event
    The storm is picked as the situation map picks it: in a drill, the drill
    advisory at the drill clock; live, the newest advisory per storm that
    concerns Vietnam and whose track is not stale. The event is the newest
    active event of the scenario's kind (drill or live), preferring one with
    plans in the province and one of the storm shown; the advisory then is the
    one of the event's storm when there is one.

Times
    The scenario clock decides what is overdue among plan tasks (a drill
    behaves like the real thing, as on the board); the report time *now*
    (real time) decides which commune requests are overdue, since requests
    are raised in real time even during a drill.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
from fpdf.fonts import FontFace

from dashboard import feedback, forecasts, registry, scenario, situation
from dashboard.auth import Principal, can_read_province, is_staff, require
from dashboard.context import AppContext
from dashboard.core.pdf import FONT, new_document
from dashboard.core.time import to_vietnam_time
from dashboard.delegations import list_delegations
from dashboard.geo import layers
from dashboard.i18n import translate
from dashboard.plans.activation import EventInfo, active_events
from dashboard.plans.model import PILLARS
from dashboard.plans.readiness import province_board, province_totals

#: How many communes the short lists (PDF, text) name.
TOP_EXPOSED = 10
TOP_OVERDUE = 5
#: Delegation statuses the report counts, in display order.
DELEGATION_STATUSES = ("on_site", "en_route", "planned")
#: The chat text is kept under this many characters.
TEXT_LIMIT = 1500


# --------------------------------------------------------------------------- #
# the data


@dataclass(frozen=True)
class ForecastUsed:
    """The advisory the report is based on."""

    forecast_id: int
    storm_id: str
    storm_name: str
    agency: str
    product: str
    issued_utc: datetime
    is_drill: bool


@dataclass(frozen=True)
class ExposedCommune:
    """One commune exposed to the storm (level-6 winds or in the cone)."""

    commune_code: str
    commune_name: str
    risk_level: int
    max_wind_level: int
    level6_eta_utc: datetime | None
    in_cone: bool
    #: Its readiness on the board (0-1), or ``None`` without an activated plan.
    readiness: float | None


@dataclass(frozen=True)
class CommuneReadiness:
    """One row of the province board."""

    commune_code: str
    commune_name: str
    risk_level: int
    max_wind_level: int
    eta_utc: datetime | None
    tasks: int
    done: int
    overdue: int
    blocked: int
    readiness: float
    #: Pillar → readiness (0-1); ``None`` when the commune has no task of it.
    pillars: dict[str, float | None]


@dataclass(frozen=True)
class DelegationLine:
    id: int
    name: str
    status: str
    leader_name: str
    leader_phone: str
    communes: tuple[str, ...]
    planned_arrival_utc: datetime


@dataclass(frozen=True)
class RequestLine:
    id: int
    commune_name: str
    category: str
    urgency: str
    title: str
    status: str
    raised_at: datetime
    due_utc: datetime | None
    overdue: bool


@dataclass(frozen=True)
class Sitrep:
    """A province's situation at one moment, as plain data."""

    province_code: str
    province_name: str
    generated_utc: datetime
    mode: str  # scenario.DRILL or scenario.LIVE
    drill_name: str
    clock_utc: datetime
    forecast: ForecastUsed | None
    event_id: int | None
    event_name: str
    #: Every exposed commune of the province, most exposed first.
    exposed: tuple[ExposedCommune, ...]
    #: Risk level → number of exposed communes (levels with none are left out).
    exposed_by_risk: dict[int, int]
    #: The province board, highest priority score first.
    communes: tuple[CommuneReadiness, ...]
    #: Province readiness (0-1) as the board shows it; ``None`` without plans.
    readiness: float | None
    readiness_by_pillar: dict[str, float | None]
    tasks: int
    done: int
    overdue_tasks: int
    blocked_tasks: int
    delegations: tuple[DelegationLine, ...]
    delegations_by_status: dict[str, int]
    urgent_requests: tuple[RequestLine, ...]
    built_by: str = field(default="")

    @property
    def is_drill(self) -> bool:
        return self.mode == scenario.DRILL

    @property
    def generated_vietnam(self) -> datetime:
        return to_vietnam_time(self.generated_utc)  # type: ignore[return-value]

    @property
    def exposed_total(self) -> int:
        return len(self.exposed)

    @property
    def most_exposed(self) -> tuple[ExposedCommune, ...]:
        return self.exposed[:TOP_EXPOSED]

    @property
    def most_overdue(self) -> tuple[CommuneReadiness, ...]:
        """Communes with overdue tasks, most overdue first (at most 5)."""
        late = sorted(
            (c for c in self.communes if c.overdue > 0),
            key=lambda c: (-c.overdue, c.readiness, c.commune_code),
        )
        return tuple(late[:TOP_OVERDUE])

    @property
    def urgent_overdue(self) -> int:
        return sum(1 for r in self.urgent_requests if r.overdue)


# --------------------------------------------------------------------------- #
# building


def _pick_event(
    events: list[EventInfo],
    with_plans: set[int],
    storms: set[str],
) -> EventInfo | None:
    if not events:
        return None

    def rank(e: EventInfo) -> tuple[bool, bool, int]:
        return (e.id in with_plans, e.storm_id in storms, e.id)

    return max(events, key=rank)


def _ts(value: object) -> datetime | None:
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _num(value: object) -> float | None:
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return None
    return float(value)  # type: ignore[arg-type]


def _province_name(code: str) -> str:
    names = registry.provinces().set_index("province_code")["province_name"]
    if code not in names.index:
        raise ValueError(f"no province {code!r}")
    return str(names[code])


def build_sitrep(
    ctx: AppContext,
    actor: Principal,
    province_code: str,
    now: datetime | None = None,
) -> Sitrep:
    """The situation report of *province_code* at *now* (default: real time).

    Admins and the province's own staff only.

    Raises
    ------
    Forbidden
        For any other role or another province's staff.
    ValueError
        For an unknown province or a naive *now*.
    """
    require(
        is_staff(actor) and can_read_province(actor, province_code),
        f"build the situation report of province {province_code}",
    )
    province_name = _province_name(province_code)
    if now is not None and now.tzinfo is None:
        raise ValueError("the report time must carry a time zone")
    now = (now or datetime.now(UTC)).astimezone(UTC)

    with ctx.sessions() as session:
        sc = scenario.current(session, now=now)
    infos = scenario.shown_forecasts(ctx, sc)
    with ctx.sessions() as session:
        events = active_events(session, is_drill=sc.is_drill)
        with_plans = set()
        for e in events:
            board = province_board(session, actor, e.id, province_code, sc.clock_utc)
            if not board.empty:
                with_plans.add(e.id)
        event = _pick_event(events, with_plans, {i.storm_id for i in infos})
        board = (
            province_board(session, actor, event.id, province_code, sc.clock_utc)
            if event is not None
            else pd.DataFrame()
        )
        dels = (
            list_delegations(session, actor, province_code, event.id)
            if event is not None
            else []
        )
        requests = feedback.open_urgent(session, actor, province_code, now=now)

    info = None
    if infos:
        same = [i for i in infos if event is not None and i.storm_id == event.storm_id]
        info = (same or infos)[0]

    exposed: list[ExposedCommune] = []
    if info is not None:
        with ctx.sessions() as session:
            advisory = forecasts.forecast(session, info.id)
        points = situation.commune_points(
            layers.full_polygons(layers.current_layer(ctx))
        )
        table = situation.exposure_table(advisory, points, sc.clock_utc)
        rows = situation.exposed_communes(table, province_code)
        ready = (
            dict(zip(board["commune_code"], board["readiness"], strict=True))
            if not board.empty
            else {}
        )
        exposed = [
            ExposedCommune(
                commune_code=r.commune_code,
                commune_name=r.commune_name,
                risk_level=int(r.risk_level),
                max_wind_level=int(r.max_wind_level),
                level6_eta_utc=_ts(r.level6_eta_utc),
                in_cone=bool(r.in_cone),
                readiness=_num(ready.get(r.commune_code)),
            )
            for r in rows.itertuples(index=False)
        ]
    by_risk: dict[int, int] = {}
    for c in exposed:
        by_risk[c.risk_level] = by_risk.get(c.risk_level, 0) + 1

    communes = tuple(
        CommuneReadiness(
            commune_code=r["commune_code"],
            commune_name=r["commune_name"],
            risk_level=int(r["risk_level"]),
            max_wind_level=int(r["max_wind_level"]),
            eta_utc=_ts(r["eta_utc"]),
            tasks=int(r["tasks"]),
            done=int(r["done"]),
            overdue=int(r["overdue"]),
            blocked=int(r["blocked"]),
            readiness=float(r["readiness"]),
            pillars={p: _num(r[f"readiness_{p}"]) for p in PILLARS},
        )
        for r in board.to_dict("records")
    )
    overall, pillars = province_totals(board)
    delegation_lines = tuple(
        DelegationLine(
            id=d.id,
            name=d.name,
            status=d.status,
            leader_name=d.leader_name,
            leader_phone=d.leader_phone,
            communes=tuple(c.commune_name for c in d.communes),
            planned_arrival_utc=d.planned_arrival_utc,
        )
        for d in dels
        if d.status in DELEGATION_STATUSES
    )
    return Sitrep(
        province_code=province_code,
        province_name=province_name,
        generated_utc=now,
        mode=sc.mode,
        drill_name=sc.drill_name,
        clock_utc=sc.clock_utc,
        forecast=None
        if info is None
        else ForecastUsed(
            forecast_id=info.id,
            storm_id=info.storm_id,
            storm_name=info.storm_name,
            agency=info.source,
            product=info.product or info.origin,
            issued_utc=info.issued_utc,
            is_drill=info.is_drill,
        ),
        event_id=None if event is None else event.id,
        event_name="" if event is None else event.name,
        exposed=tuple(exposed),
        exposed_by_risk=dict(sorted(by_risk.items(), reverse=True)),
        communes=communes,
        readiness=overall,
        readiness_by_pillar=pillars,
        tasks=sum(c.tasks for c in communes),
        done=sum(c.done for c in communes),
        overdue_tasks=sum(c.overdue for c in communes),
        blocked_tasks=sum(c.blocked for c in communes),
        delegations=delegation_lines,
        delegations_by_status={
            s: sum(1 for d in delegation_lines if d.status == s)
            for s in DELEGATION_STATUSES
        },
        urgent_requests=tuple(
            RequestLine(
                id=v.id,
                commune_name=v.commune_name,
                category=v.category,
                urgency=v.urgency,
                title=v.title,
                status=v.status,
                raised_at=v.raised_at,
                due_utc=v.due_utc,
                overdue=v.overdue(now),
            )
            for v in requests
        ),
        built_by=actor.username,
    )


# --------------------------------------------------------------------------- #
# formatting (no Streamlit here: renderers run from the command line too)


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


# --------------------------------------------------------------------------- #
# PDF


def _table(doc, headings: list[str], rows: list[list[str]], widths) -> None:
    doc.set_font(FONT, "", 8)
    with doc.table(
        col_widths=widths,
        text_align="LEFT",
        line_height=4.2,
        first_row_as_headings=True,
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
    ) as table:
        head = table.row()
        for text in headings:
            head.cell(text)
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(value)
    doc.ln(2)
    doc.set_font(FONT, "", 10)


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
        _table(
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
        _table(
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
        _table(
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
        _table(
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
        _table(
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


# --------------------------------------------------------------------------- #
# XLSX

SHEETS = ("summary", "exposed", "readiness", "delegations", "requests")


def _naive_vn(value: datetime | None) -> datetime | None:
    """Excel has no time zones: cells hold Vietnam time (headings say so)."""
    local = to_vietnam_time(value) if value is not None else None
    return None if local is None else local.replace(tzinfo=None)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def sitrep_xlsx(s: Sitrep) -> bytes:
    """The report as a workbook: ``summary`` (key figures, report time,
    advisory), ``exposed``, ``readiness``, ``delegations``, ``requests``.

    Readiness is in percent (one decimal); times are Vietnam time except
    where a heading says UTC.
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
        summary.append([key, value])

    def sheet(name: str, header: list[str], rows: list[list[object]]) -> None:
        ws = wb.create_sheet(name)
        ws.append(header)
        for row in rows:
            ws.append(row)
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
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- #
# plain text (chat group)


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
