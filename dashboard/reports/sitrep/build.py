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
    One clock: the scenario clock decides what is overdue, among plan tasks
    and among urgent requests alike (a drill behaves like the real thing, as
    on the board and the feedback page). The report time *now* (real time)
    is printed beside it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from dashboard import feedback, forecasts, registry, scenario, situation
from dashboard.auth import Principal, can_read_province, is_staff, require
from dashboard.context import AppContext
from dashboard.core.clock import Clock
from dashboard.core.errors import NotFound
from dashboard.delegations import list_delegations
from dashboard.events import EventInfo, active_events
from dashboard.plans.model import PILLARS
from dashboard.plans.readiness import province_board, province_totals
from dashboard.reports.sitrep.model import (
    DELEGATION_STATUSES,
    CommuneReadiness,
    DelegationLine,
    ExposedCommune,
    ForecastUsed,
    RequestLine,
    Sitrep,
)


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
        raise NotFound(f"no province {code!r}")
    return str(names[code])


def build_sitrep(
    ctx: AppContext,
    actor: Principal,
    province_code: str,
    clock: Clock | None = None,
) -> Sitrep:
    """The situation report of *province_code* at *clock* (default: real time).

    Admins and the province's own staff only.

    Raises
    ------
    Forbidden
        For any other role or another province's staff.
    ValueError
        For an unknown province or a naive *clock*.
    """
    require(
        is_staff(actor) and can_read_province(actor, province_code),
        f"build the situation report of province {province_code}",
    )
    province_name = _province_name(province_code)
    if clock is not None and clock.tzinfo is None:
        raise ValueError("the report time must carry a time zone")
    clock = (clock or datetime.now(UTC)).astimezone(UTC)

    with ctx.sessions() as session:
        sc = scenario.current(session, clock=clock)
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
        requests = feedback.open_urgent(
            session, actor, province_code, clock=sc.clock_utc
        )

    info = None
    if infos:
        same = [i for i in infos if event is not None and i.storm_id == event.storm_id]
        info = (same or infos)[0]

    exposed: list[ExposedCommune] = []
    if info is not None:
        with ctx.sessions() as session:
            advisory = forecasts.forecast(session, info.id)
        points = situation.layer_points(ctx)
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
        generated_utc=clock,
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
                overdue=v.overdue(clock),
            )
            for v in requests
        ),
        built_by=actor.username,
    )
