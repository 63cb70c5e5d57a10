"""Storm events, proposing exposed communes, activating plans, moving deadlines.

Deadlines are absolute (UTC) once a plan is activated: a ``before_eta`` task
is due at the commune's level-6 wind arrival plus its (negative) offset, an
``after_storm`` task at the closest approach plus its offset. A commune with
no level-6 arrival in the forecast (only in the cone) counts from its closest
approach for both kinds; with neither, its deadlines stay empty.

When a newer forecast moves a commune's arrival, :func:`apply_forecast` moves
every *open* task's deadline (todo, in progress, blocked) with it; finished
tasks keep theirs. Moving a deadline does not bump a task's ``version``: it
touches only ``deadline_utc``, which no user edits, so a tick in flight is
not refused because the storm moved. Each moved plan gets one audit row
(old → new arrival, the tasks moved).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dashboard import audit, registry
from dashboard.auth import (
    Principal,
    can_manage_province,
    can_read_province,
    require,
    require_manage_province,
    require_read_commune,
    require_staff,
)
from dashboard.core.clock import scenario_now
from dashboard.core.errors import NotFound
from dashboard.events import EventInfo, event_info
from dashboard.plans.model import (
    OPEN_STATUSES,
    PlanError,
    applies,
    due_now,
    join_profiles,
    split_profiles,
    utc,
)
from dashboard.plans.templates import ensure_starter, template_tasks
from dashboard.situation.exposed import exposed_communes
from dashboard.store.models.plans import CommunePlan, PlanTask, StormEvent


@dataclass(frozen=True)
class CommuneExposure:
    """What activation needs from one commune's exposure row."""

    commune_code: str
    eta_utc: datetime | None
    closest_utc: datetime | None
    max_wind_level: int
    risk_level: int


def _ts(value: object) -> datetime | None:
    # pd.NaT is an instance of datetime, so test for "missing" first.
    if value is None or pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    return utc(value)  # type: ignore[arg-type]


def exposures(table: pd.DataFrame) -> dict[str, CommuneExposure]:
    """Commune code → :class:`CommuneExposure` from an exposure table
    (:func:`dashboard.situation.exposure_table`)."""
    out = {}
    for row in table.itertuples(index=False):
        out[row.commune_code] = CommuneExposure(
            commune_code=row.commune_code,
            eta_utc=_ts(row.level6_eta_utc),
            closest_utc=_ts(row.closest_approach_utc),
            max_wind_level=int(row.max_wind_level),
            risk_level=int(row.risk_level),
        )
    return out


def deadline(
    kind: str, offset_hours: float, eta: datetime | None, closest: datetime | None
) -> datetime | None:
    """The absolute deadline of a task (see the module docstring)."""
    base = eta if kind == "before_eta" and eta is not None else closest
    if base is None:
        base = eta
    if base is None:
        return None
    return base + timedelta(hours=float(offset_hours))


# -- proposing ------------------------------------------------------------------------


def propose_communes(
    table: pd.DataFrame,
    profiles: dict[str, frozenset[str]],
    province_code: str | None = None,
) -> pd.DataFrame:
    """The communes to activate: the exposed ones
    (:func:`dashboard.situation.exposed_communes`).

    Returns the exposure rows (most exposed first) with a ``profiles`` column
    (comma-separated guess) added.
    """
    rows = exposed_communes(table, province_code).copy()
    rows["profiles"] = [
        join_profiles(profiles.get(c, frozenset())) for c in rows["commune_code"]
    ]
    return rows.reset_index(drop=True)


# -- activating -----------------------------------------------------------------------


def activate_plans(
    session: Session,
    actor: Principal,
    event_id: int,
    communes: Iterable[CommuneExposure],
    profiles: dict[str, frozenset[str] | str],
    template_id: int | None = None,
    now: datetime | None = None,
) -> list[int]:
    """Activate one plan per commune (province staff of its province, admin).

    Every commune is authorised before anything is written; a commune that
    already has a plan for the event is skipped.

    Returns
    -------
    list[int]
        Ids of the plans created.
    """
    items = list(communes)
    for item in items:
        province = str(registry.commune(item.commune_code)["province_code"])
        require_manage_province(actor, province)
    event = session.get(StormEvent, event_id)
    if event is None:
        raise NotFound(f"no storm event {event_id}")
    if event.status != "active":
        raise PlanError(f"storm event {event_id} is {event.status}")
    template_id = template_id or ensure_starter(session)
    specs = template_tasks(session, template_id)
    if not specs:
        raise PlanError(f"plan template {template_id} has no tasks")
    existing = set(
        session.scalars(
            select(CommunePlan.commune_code).where(CommunePlan.event_id == event_id)
        )
    )
    at = scenario_now(session, now)
    created = []
    for item in items:
        if item.commune_code in existing:
            continue
        existing.add(item.commune_code)
        raw = profiles.get(item.commune_code, frozenset())
        prof = split_profiles(raw) if isinstance(raw, str) else frozenset(raw)
        province = str(registry.commune(item.commune_code)["province_code"])
        plan = CommunePlan(
            event_id=event_id,
            commune_code=item.commune_code,
            province_code=province,
            template_id=template_id,
            profiles=join_profiles(prof),
            eta_utc=item.eta_utc,
            closest_utc=item.closest_utc,
            max_wind_level=item.max_wind_level,
            risk_level=item.risk_level,
            activated_at=at,
            activated_by=actor.username,
            updated_at=at,
        )
        session.add(plan)
        session.flush()
        tasks = [s for s in specs if applies(",".join(s.profiles), prof)]
        session.add_all(
            PlanTask(
                plan_id=plan.id,
                event_id=event_id,
                commune_code=item.commune_code,
                province_code=province,
                position=position,
                title_vi=s.title_vi,
                title_en=s.title_en,
                guidance_vi=s.guidance_vi,
                guidance_en=s.guidance_en,
                pillar=s.pillar,
                priority=s.priority,
                deadline_kind=s.deadline_kind,
                offset_hours=s.offset_hours,
                deadline_utc=due_now(
                    deadline(
                        s.deadline_kind, s.offset_hours, item.eta_utc, item.closest_utc
                    ),
                    at,
                ),
                evidence=s.evidence,
                evidence_unit=s.evidence_unit,
                status="todo",
                updated_at=at,
                updated_by=actor.username,
                version=1,
            )
            for position, s in enumerate(tasks, start=1)
        )
        session.flush()
        audit.record(
            session,
            actor,
            "activate",
            "commune_plan",
            str(plan.id),
            new={
                "event_id": event_id,
                "commune_code": item.commune_code,
                "profiles": plan.profiles,
                "template_id": template_id,
                "eta_utc": item.eta_utc,
                "tasks": len(tasks),
            },
            at=at,
        )
        created.append(plan.id)
    return created


# -- reading plans --------------------------------------------------------------------


def plan_for_commune(
    session: Session, actor: Principal, event_id: int, commune_code: str
) -> CommunePlan | None:
    require_read_commune(actor, commune_code)
    return session.scalar(
        select(CommunePlan).where(
            CommunePlan.event_id == event_id, CommunePlan.commune_code == commune_code
        )
    )


def events_for_commune(
    session: Session, actor: Principal, commune_code: str
) -> list[EventInfo]:
    """Active events in which *commune_code* has a plan, newest first."""
    require_read_commune(actor, commune_code)
    rows = session.scalars(
        select(StormEvent)
        .join(CommunePlan, CommunePlan.event_id == StormEvent.id)
        .where(CommunePlan.commune_code == commune_code, StormEvent.status == "active")
        .order_by(StormEvent.id.desc())
    )
    return [event_info(r) for r in rows]


def planned_communes(
    session: Session, actor: Principal, event_id: int, province_code: str
) -> list[str]:
    require(can_read_province(actor, province_code), f"read province {province_code}")
    return list(
        session.scalars(
            select(CommunePlan.commune_code)
            .where(
                CommunePlan.event_id == event_id,
                CommunePlan.province_code == province_code,
            )
            .order_by(CommunePlan.commune_code)
        )
    )


# -- a new forecast ----------------------------------------------------------------------


def apply_forecast(
    session: Session,
    actor: Principal,
    event_id: int,
    forecast_id: int,
    table: pd.DataFrame | dict[str, CommuneExposure],
    now: datetime | None = None,
) -> dict[str, timedelta]:
    """Move the deadlines of every plan of the event to a newer forecast.

    Only plans of provinces the actor manages are touched (all for admins and
    the system). Returns commune code → how far its arrival moved (only the
    communes whose arrival or closest approach changed).
    """
    require_staff(
        actor,
        "apply a new forecast to plans",
    )
    by_code = table if isinstance(table, dict) else exposures(table)
    event = session.get(StormEvent, event_id)
    if event is None:
        raise NotFound(f"no storm event {event_id}")
    at = now or datetime.now(UTC)
    moved: dict[str, timedelta] = {}
    plans = session.scalars(
        select(CommunePlan).where(CommunePlan.event_id == event_id)
    ).all()
    for plan in plans:
        if not can_manage_province(actor, plan.province_code):
            continue
        new = by_code.get(plan.commune_code)
        if new is None:
            continue
        old_eta, old_closest = utc(plan.eta_utc), utc(plan.closest_utc)
        if old_eta == new.eta_utc and old_closest == new.closest_utc:
            continue
        tasks = session.scalars(
            select(PlanTask).where(
                PlanTask.plan_id == plan.id, PlanTask.status.in_(OPEN_STATUSES)
            )
        ).all()
        changes = []
        for task in tasks:
            target = deadline(
                task.deadline_kind, task.offset_hours, new.eta_utc, new.closest_utc
            )
            if utc(task.deadline_utc) != target:
                changes.append((task.id, utc(task.deadline_utc), target))
                session.execute(
                    update(PlanTask)
                    .where(PlanTask.id == task.id)
                    .values(deadline_utc=target)
                )
        plan.eta_utc = new.eta_utc
        plan.closest_utc = new.closest_utc
        plan.max_wind_level = new.max_wind_level
        plan.risk_level = new.risk_level
        plan.updated_at = at
        session.flush()
        audit.record(
            session,
            actor,
            "move_deadlines",
            "commune_plan",
            str(plan.id),
            old={"eta_utc": old_eta, "closest_utc": old_closest},
            new={
                "eta_utc": new.eta_utc,
                "closest_utc": new.closest_utc,
                "forecast_id": forecast_id,
                "tasks_moved": [
                    {"task_id": i, "old": o, "new": n} for i, o, n in changes
                ],
            },
            reason=f"new forecast {forecast_id}",
            at=at,
        )
        if old_eta is not None and new.eta_utc is not None:
            moved[plan.commune_code] = new.eta_utc - old_eta
        else:
            moved[plan.commune_code] = timedelta(0)
    event.forecast_id = forecast_id
    session.flush()
    return moved
