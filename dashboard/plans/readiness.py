"""Readiness: weighted share of tasks done per commune, the board, the summary.

Readiness of a commune (overall or for one pillar) is
``Σ weight(done) / Σ weight(applicable)``, where a task's weight comes from
its priority (:data:`~dashboard.plans.model.PRIORITY_WEIGHTS`: 1 → 3,
2 → 2, 3 → 1) and *applicable* means every status but ``not_applicable``. A
commune with no applicable task is fully ready (nothing is left to do).
A task is overdue when it is still open (todo, in progress, blocked) and its
deadline is before the scenario clock, so drills behave like the real thing.

The board and the national summary are single ``GROUP BY`` queries run by
the database (the index ``ix_plan_tasks_event_province`` serves the board);
Python only reshapes the small per-commune result. Nothing here is cached:
every call reads the store, so a tick made on another app server shows at
the next rerun.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Float, and_, case, cast, func, select
from sqlalchemy.orm import Session

from dashboard import registry
from dashboard.auth import (
    Principal,
    Role,
    can_read_province,
    require,
    require_read_commune,
    require_staff,
)
from dashboard.core.clock import Clock
from dashboard.core.time import as_utc_or_none
from dashboard.plans.model import (
    OPEN_STATUSES,
    PILLARS,
    PRIORITY_WEIGHTS,
    priority_score,
)
from dashboard.store.models.plans import CommunePlan, PlanProgress, PlanTask

BOARD_COLUMNS = [
    "commune_code",
    "commune_name",
    "province_code",
    "plan_id",
    "profiles",
    "max_wind_level",
    "risk_level",
    "eta_utc",
    "hours_left",
    "tasks",
    "done",
    "overdue",
    "blocked",
    "readiness",
    *(f"readiness_{p}" for p in PILLARS),
    "last_update",
    "score",
]


def _weight_expr():
    return case(
        *((PlanTask.priority == p, w) for p, w in PRIORITY_WEIGHTS.items()),
        else_=1,
    )


def _sums(clock: Clock, *, last_update: bool = True):
    w = cast(_weight_expr(), Float)
    applicable = PlanTask.status != "not_applicable"
    done = PlanTask.status == "done"
    overdue = and_(
        PlanTask.status.in_(OPEN_STATUSES),
        PlanTask.deadline_utc.is_not(None),
        PlanTask.deadline_utc < clock,
    )
    sums = (
        func.count().label("tasks"),
        func.sum(case((done, 1), else_=0)).label("done"),
        func.sum(case((overdue, 1), else_=0)).label("overdue"),
        func.sum(case((PlanTask.status == "blocked", 1), else_=0)).label("blocked"),
        func.sum(case((done, w), else_=0.0)).label("w_done"),
        func.sum(case((applicable, w), else_=0.0)).label("w_applicable"),
    )
    if last_update:
        sums += (func.max(PlanTask.updated_at).label("last_update"),)
    return sums


def share(w_done: float | None, w_applicable: float | None) -> float:
    """Weighted readiness (0-1); 1 when nothing applicable is left."""
    if not w_applicable:
        return 1.0
    return float(w_done or 0.0) / float(w_applicable)


def _clock(clock: Clock) -> datetime:
    return as_utc_or_none(clock)  # type: ignore[return-value]


def _own_commune(actor: Principal) -> str | None:
    """The one commune a commune leader may see on province-wide views."""
    return actor.commune_code if actor.role is Role.COMMUNE else None


def province_board(
    session: Session,
    actor: Principal,
    event_id: int,
    province_code: str,
    clock: Clock,
) -> pd.DataFrame:
    """One row per activated commune of the province, highest score first.

    Columns: :data:`BOARD_COLUMNS` (readiness values are 0-1, ``hours_left``
    is from *clock* to the level-6 arrival). A commune leader's board holds
    their own commune only: the other communes of the province are not theirs
    to see.
    """
    require(can_read_province(actor, province_code), f"read province {province_code}")
    clock = _clock(clock)
    own = _own_commune(actor)
    task_scope = [
        PlanTask.event_id == event_id,
        PlanTask.province_code == province_code,
    ]
    if own is not None:
        task_scope.append(PlanTask.commune_code == own)
    overall = (
        select(PlanTask.plan_id, *_sums(clock))
        .where(*task_scope)
        .group_by(PlanTask.plan_id)
    )
    per_pillar = (
        select(PlanTask.plan_id, PlanTask.pillar, *_sums(clock))
        .where(*task_scope)
        .group_by(PlanTask.plan_id, PlanTask.pillar)
    )
    plans = select(
        CommunePlan.id,
        CommunePlan.commune_code,
        CommunePlan.profiles,
        CommunePlan.max_wind_level,
        CommunePlan.risk_level,
        CommunePlan.eta_utc,
    ).where(
        CommunePlan.event_id == event_id, CommunePlan.province_code == province_code
    )
    if own is not None:
        plans = plans.where(CommunePlan.commune_code == own)
    return _board(session, plans, overall, per_pillar, province_code, clock)


def _board(session, plans, overall, per_pillar, province_code, clock) -> pd.DataFrame:
    sums = {r.plan_id: r for r in session.execute(overall)}
    pillars: dict[int, dict[str, float]] = {}
    for r in session.execute(per_pillar):
        pillars.setdefault(r.plan_id, {})[r.pillar] = share(r.w_done, r.w_applicable)
    names = registry.communes().set_index("commune_code")["commune_name"]
    rows = []
    for p in session.execute(plans):
        s = sums.get(p.id)
        eta = as_utc_or_none(p.eta_utc)
        hours = None if eta is None else (eta - clock).total_seconds() / 3600.0
        ready = share(s.w_done, s.w_applicable) if s else 1.0
        rows.append(
            {
                "commune_code": p.commune_code,
                "commune_name": names.get(p.commune_code, p.commune_code),
                "province_code": province_code,
                "plan_id": p.id,
                "profiles": p.profiles,
                "max_wind_level": p.max_wind_level,
                "risk_level": p.risk_level,
                "eta_utc": eta,
                "hours_left": hours,
                "tasks": int(s.tasks) if s else 0,
                "done": int(s.done or 0) if s else 0,
                "overdue": int(s.overdue or 0) if s else 0,
                "blocked": int(s.blocked or 0) if s else 0,
                "readiness": ready,
                **{
                    f"readiness_{k}": pillars.get(p.id, {}).get(k, float("nan"))
                    for k in PILLARS
                },
                "last_update": as_utc_or_none(s.last_update) if s else None,
                "score": priority_score(p.max_wind_level, hours, ready),
            }
        )
    frame = pd.DataFrame(rows, columns=BOARD_COLUMNS)
    return frame.sort_values(
        ["score", "commune_code"], ascending=[False, True], ignore_index=True
    )


def commune_readiness(
    session: Session, actor: Principal, plan_id: int, clock: Clock
) -> dict[str, float | int | None]:
    """``readiness``, ``readiness_<pillar>``, ``overdue``, ``done``, ``tasks``
    of one plan."""
    plan = session.get(CommunePlan, plan_id)
    if plan is None:
        return {}
    require_read_commune(actor, plan.commune_code)
    clock = _clock(clock)
    s = session.execute(select(*_sums(clock)).where(PlanTask.plan_id == plan_id)).one()
    out: dict[str, float | int | None] = {
        "tasks": int(s.tasks),
        "done": int(s.done or 0),
        "overdue": int(s.overdue or 0),
        "readiness": share(s.w_done, s.w_applicable),
    }
    for r in session.execute(
        select(PlanTask.pillar, *_sums(clock))
        .where(PlanTask.plan_id == plan_id)
        .group_by(PlanTask.pillar)
    ):
        out[f"readiness_{r.pillar}"] = share(r.w_done, r.w_applicable)
    return out


def national_summary(
    session: Session, actor: Principal, event_id: int, clock: Clock
) -> pd.DataFrame:
    """One row per province with activated plans (admin and province staff).

    Columns: ``province_code, province_name, communes, tasks, done, overdue,
    blocked, readiness`` (weighted over all the province's tasks).
    """
    require_staff(
        actor,
        "read the national readiness summary",
    )
    clock = _clock(clock)
    # No count(DISTINCT plan_id) here: it forces a sort of every task row on
    # PostgreSQL; the commune count comes from the (small) plans table instead.
    query = (
        select(PlanTask.province_code, *_sums(clock, last_update=False))
        .where(PlanTask.event_id == event_id)
        .group_by(PlanTask.province_code)
        .order_by(PlanTask.province_code)
    )
    communes = dict(
        session.execute(
            select(CommunePlan.province_code, func.count())
            .where(CommunePlan.event_id == event_id)
            .group_by(CommunePlan.province_code)
        ).all()
    )
    names = registry.provinces().set_index("province_code")["province_name"]
    rows = [
        {
            "province_code": r.province_code,
            "province_name": names.get(r.province_code, r.province_code),
            "communes": int(communes.get(r.province_code, 0)),
            "tasks": int(r.tasks),
            "done": int(r.done or 0),
            "overdue": int(r.overdue or 0),
            "blocked": int(r.blocked or 0),
            "readiness": share(r.w_done, r.w_applicable),
        }
        for r in session.execute(query)
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "province_code",
            "province_name",
            "communes",
            "tasks",
            "done",
            "overdue",
            "blocked",
            "readiness",
        ],
    )


def progress_over_time(
    session: Session, actor: Principal, event_id: int, province_code: str
) -> pd.DataFrame:
    """Weighted readiness of the province after each status change.

    Columns ``at`` (UTC) and ``readiness`` (0-1), starting at activation.
    Built from the progress log (changes only) plus the activated totals.
    """
    require(can_read_province(actor, province_code), f"read province {province_code}")
    own = _own_commune(actor)
    task_scope = [
        PlanTask.event_id == event_id,
        PlanTask.province_code == province_code,
    ]
    change_scope = [
        PlanProgress.event_id == event_id,
        PlanProgress.province_code == province_code,
    ]
    if own is not None:  # a commune leader follows their own commune only
        task_scope.append(PlanTask.commune_code == own)
        change_scope.append(PlanProgress.commune_code == own)
    w = cast(_weight_expr(), Float)
    total, first = session.execute(
        select(func.sum(w), func.min(CommunePlan.activated_at))
        .select_from(PlanTask)
        .join(CommunePlan, CommunePlan.id == PlanTask.plan_id)
        .where(*task_scope)
    ).one()
    if not total:
        return pd.DataFrame(
            {
                "at": pd.Series([], dtype="datetime64[ns, UTC]"),
                "readiness": pd.Series([], dtype=float),
            }
        )
    changes = session.execute(
        select(PlanProgress.at, PlanProgress.done_delta, PlanProgress.applicable_delta)
        .where(*change_scope)
        .order_by(PlanProgress.at, PlanProgress.id)
    ).all()
    ats = [as_utc_or_none(first)] + [as_utc_or_none(c.at) for c in changes]
    done = [0.0] + [float(c.done_delta) for c in changes]
    applicable = [float(total)] + [float(c.applicable_delta) for c in changes]
    frame = pd.DataFrame({"at": pd.to_datetime(ats, utc=True)})
    cum_done = pd.Series(done).cumsum()
    cum_app = pd.Series(applicable).cumsum()
    frame["readiness"] = (cum_done / cum_app.where(cum_app > 0)).fillna(1.0)
    return frame


def province_totals(
    board: pd.DataFrame,
) -> tuple[float | None, dict[str, float | None]]:
    """Province readiness overall and per pillar from a province board.

    Used by the readiness page and the situation report alike. The overall
    figure is the communes' (priority-weighted) readiness averaged with their
    task counts as weights. Each pillar is averaged the same way over the communes
    that have tasks of that pillar. ``None`` when there is nothing to average.
    """
    if board.empty:
        return None, dict.fromkeys(PILLARS)
    tasks = board["tasks"].astype(float)
    overall = float((board["readiness"] * tasks).sum() / max(tasks.sum(), 1.0))
    pillars: dict[str, float | None] = {}
    for pillar in PILLARS:
        values = board[f"readiness_{pillar}"].astype(float)
        known = values.notna()
        weight = tasks[known].sum()
        pillars[pillar] = (
            float((values[known] * tasks[known]).sum() / weight) if weight else None
        )
    return overall, pillars
