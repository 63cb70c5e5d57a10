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

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import itemgetter

import pandas as pd
from sqlalchemy import Connection, Table, insert, select, update
from sqlalchemy.orm import Session

from dashboard import audit, registry
from dashboard.auth import (
    Principal,
    Role,
    can_manage_province,
    can_read_province,
    require,
    require_manage_province,
    require_read_commune,
    require_staff,
)
from dashboard.core.clock import Clock, scenario_now
from dashboard.core.errors import NotFound
from dashboard.core.time import as_utc_or_none
from dashboard.events import EventInfo, event_info
from dashboard.plans.model import (
    OPEN_STATUSES,
    PlanError,
    applies,
    due_now,
    join_profiles,
    split_profiles,
)
from dashboard.plans.templates import TaskSpec, ensure_starter, template_tasks
from dashboard.situation.exposed import exposed_communes
from dashboard.store.models.core import AuditEntry
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
    return as_utc_or_none(value)  # type: ignore[arg-type]


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

#: Communes written per batch (one progress call each): about 6,000 task rows.
BATCH_COMMUNES = 250

#: ``progress(done, total)``: communes activated so far, communes to activate.
Progress = Callable[[int, int], None]


def _authorise(actor: Principal, codes: Iterable[str]) -> dict[str, str]:
    """Commune code → province code, each province checked once: raises
    ``Forbidden`` (or ``KeyError`` for an unknown code, like
    :func:`dashboard.registry.commune`) at the first commune refused."""
    frame = registry.communes()
    known = dict(zip(frame["commune_code"], frame["province_code"], strict=True))
    out: dict[str, str] = {}
    allowed: set[str] = set()
    for code in codes:
        if code not in known:
            raise KeyError(f"unknown commune code {code!r}")
        province = out[code] = str(known[code])
        if province not in allowed:
            require_manage_province(actor, province)
            allowed.add(province)
    return out


def _insert_plans(session: Session, rows: list[dict]) -> dict[str, int]:
    """Insert plans (all with the same keys) skipping any commune already
    planned for the event (``uq_plan_event_commune``), e.g. by a concurrent
    activation; returns commune code → id of the plans inserted.

    On PostgreSQL with psycopg one ``INSERT … SELECT`` from ``unnest`` of one
    array per column (a dozen parameters instead of a dozen per row);
    elsewhere a multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING``.
    """
    table = CommunePlan.__table__
    conn = session.connection()
    dialect = conn.dialect
    returning = "RETURNING id, commune_code"
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        columns = list(rows[0])
        quote = dialect.identifier_preparer.quote
        arrays = ", ".join(
            f"%(c{i})s::{table.c[name].type.compile(dialect)}[]"
            for i, name in enumerate(columns)
        )
        result = conn.exec_driver_sql(
            f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, columns))}) "
            f"SELECT * FROM unnest({arrays}) "
            f"ON CONFLICT (event_id, commune_code) DO NOTHING {returning}",
            {f"c{i}": [row[name] for row in rows] for i, name in enumerate(columns)},
        )
    else:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        statement = (
            dialect_insert(table)
            .on_conflict_do_nothing(index_elements=["event_id", "commune_code"])
            .returning(table.c.id, table.c.commune_code)
        )
        result = conn.execute(statement, rows)
    return {code: plan_id for plan_id, code in result}


def _copy_field(value: object) -> str:
    """*value* as a field of PostgreSQL's ``COPY … FROM STDIN`` text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        text = value
    elif isinstance(value, datetime):
        text = value.isoformat()
    elif isinstance(value, float) and not math.isfinite(value):
        text = (
            "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        )
    elif isinstance(value, int | float) and not isinstance(value, bool):
        text = repr(value)
    else:
        raise TypeError(f"no COPY text for {type(value).__name__}")
    return (
        text.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def _sqlite_insert(
    conn: Connection, table: Table, columns: list[str], rows: list[dict]
) -> None:
    """One executemany of a plain ``INSERT`` with the values SQLAlchemy would
    bind (its column types' bind processors, e.g. datetimes as text), each
    distinct value converted once instead of once per row."""
    dialect = conn.dialect
    converted = []  # (position, bind processor, cache) of the columns needing one
    for i, name in enumerate(columns):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            converted.append((i, process, {}))
    pick = itemgetter(*columns)
    values: list[tuple] = []
    for row in rows:
        picked = pick(row) if len(columns) > 1 else (row[columns[0]],)
        if not converted:
            values.append(picked)
            continue
        value = list(picked)
        for i, process, cache in converted:
            raw = value[i]
            if raw is None:
                continue
            # Equal datetimes of other UTC offsets are not the same text.
            key = (raw, raw.utcoffset()) if isinstance(raw, datetime) else raw
            try:
                value[i] = cache[key]
            except KeyError:
                value[i] = cache[key] = process(raw)
        values.append(tuple(value))
    quote = dialect.identifier_preparer.quote
    conn.exec_driver_sql(
        f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, columns))}) "
        f"VALUES ({', '.join('?' for _ in columns)})",
        values,
    )


def _insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert many rows, all with the same keys, in the session's transaction.

    On PostgreSQL with psycopg one ``COPY … FROM STDIN`` (text format, each
    distinct value of a column encoded once: the template's long texts repeat
    on every commune's tasks); elsewhere one executemany ``INSERT``. The COPY
    bypasses SQLAlchemy's type processing, so only for plain columns (text,
    numbers, datetimes, NULL).
    """
    if not rows:
        return
    conn = session.connection()
    columns = list(rows[0])
    if conn.dialect.name == "sqlite":
        _sqlite_insert(conn, table, columns, rows)
        return
    if conn.dialect.name != "postgresql" or conn.dialect.driver != "psycopg":
        conn.execute(insert(table), rows)
        return
    from psycopg import sql

    caches: list[dict] = [{} for _ in columns]
    lines = []
    for row in rows:
        fields = []
        for cache, name in zip(caches, columns, strict=True):
            value = row[name]
            try:
                field = cache[value]
            except KeyError:
                field = cache[value] = _copy_field(value)
            fields.append(field)
        lines.append("\t".join(fields))
    lines.append("")
    driver = conn.connection.driver_connection
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write("\n".join(lines).encode(driver.info.encoding))


def activate_plans(
    session: Session,
    actor: Principal,
    event_id: int,
    communes: Iterable[CommuneExposure],
    profiles: dict[str, frozenset[str] | str],
    template_id: int | None = None,
    clock: Clock | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_COMMUNES,
) -> list[int]:
    """Activate one plan per commune (province staff of its province, admin).

    Every commune is authorised before anything is written; a commune that
    already has a plan for the event (or twice in *communes*) is skipped, also
    when a concurrent activation plans it first (the insert skips conflicts on
    the event/commune unique constraint).

    Plans, their tasks and their audit rows (one ``activate`` row per plan)
    are written in bulk, *batch_size* communes per batch, in commune-code
    order (so two concurrent activations take their row locks in the same
    order and cannot deadlock); once anything was created, one
    ``activate_plans`` row on the event sums the call up.

    Parameters
    ----------
    progress
        Called after each batch with (communes done, communes to activate),
        the last time with done == total (``(0, 0)`` when there is nothing to
        activate). For a progress bar.

    Returns
    -------
    list[int]
        Ids of the plans created, in the order of *communes*.
    """
    items = list(communes)
    province_of = _authorise(actor, (item.commune_code for item in items))
    event = session.get(StormEvent, event_id)
    if event is None:
        raise NotFound(f"no storm event {event_id}")
    if event.status != "active":
        raise PlanError(f"storm event {event_id} is {event.status}")
    template_id = template_id or ensure_starter(session)
    specs = template_tasks(session, template_id)
    if not specs:
        raise PlanError(f"plan template {template_id} has no tasks")
    session.flush()
    seen = set(
        session.scalars(
            select(CommunePlan.commune_code).where(CommunePlan.event_id == event_id)
        )
    )
    todo: list[tuple[CommuneExposure, frozenset[str]]] = []
    for item in items:
        if item.commune_code in seen:
            continue
        seen.add(item.commune_code)
        raw = profiles.get(item.commune_code, frozenset())
        prof = split_profiles(raw) if isinstance(raw, str) else frozenset(raw)
        todo.append((item, prof))
    order = [item.commune_code for item, _ in todo]
    todo.sort(key=lambda pair: pair[0].commune_code)
    at = scenario_now(session, clock)
    by = actor.username
    # The template's task rows per profile set, all but the per-commune fields.
    applying: dict[frozenset[str], list[tuple[TaskSpec, dict]]] = {}

    def tasks_for(prof: frozenset[str]) -> list[tuple[TaskSpec, dict]]:
        if prof not in applying:
            applying[prof] = [
                (
                    s,
                    {
                        "event_id": event_id,
                        "template_task_id": None,
                        "position": position,
                        "title_vi": s.title_vi,
                        "title_en": s.title_en,
                        "guidance_vi": s.guidance_vi,
                        "guidance_en": s.guidance_en,
                        "pillar": s.pillar,
                        "priority": s.priority,
                        "deadline_kind": s.deadline_kind,
                        "offset_hours": s.offset_hours,
                        "evidence": s.evidence,
                        "evidence_unit": s.evidence_unit,
                        "status": "todo",
                        "reason": "",
                        "evidence_note": "",
                        "evidence_number": None,
                        "evidence_photo": "",
                        "updated_at": at,
                        "updated_by": by,
                        "version": 1,
                    },
                )
                for position, s in enumerate(
                    (s for s in specs if applies(",".join(s.profiles), prof)), start=1
                )
            ]
        return applying[prof]

    total = len(todo)
    created: dict[str, int] = {}
    n_tasks = 0
    for start in range(0, total, max(1, batch_size)):
        batch = todo[start : start + max(1, batch_size)]
        plan_rows = [
            {
                "event_id": event_id,
                "commune_code": item.commune_code,
                "province_code": province_of[item.commune_code],
                "template_id": template_id,
                "profiles": join_profiles(prof),
                "eta_utc": item.eta_utc,
                "closest_utc": item.closest_utc,
                "max_wind_level": item.max_wind_level,
                "risk_level": item.risk_level,
                "activated_at": at,
                "activated_by": by,
                "updated_at": at,
            }
            for item, prof in batch
        ]
        ids = _insert_plans(session, plan_rows)
        task_rows = []
        audits = []
        for item, prof in batch:
            plan_id = ids.get(item.commune_code)
            if plan_id is None:  # planned meanwhile by a concurrent activation
                continue
            code = item.commune_code
            tasks = tasks_for(prof)
            for s, row in tasks:
                task_rows.append(
                    row
                    | {
                        "plan_id": plan_id,
                        "commune_code": code,
                        "province_code": province_of[code],
                        "deadline_utc": due_now(
                            deadline(
                                s.deadline_kind,
                                s.offset_hours,
                                item.eta_utc,
                                item.closest_utc,
                            ),
                            at,
                        ),
                    }
                )
            audits.append(
                audit.Change(
                    "activate",
                    "commune_plan",
                    str(plan_id),
                    new={
                        "event_id": event_id,
                        "commune_code": code,
                        "profiles": join_profiles(prof),
                        "template_id": template_id,
                        "eta_utc": item.eta_utc,
                        "tasks": len(tasks),
                    },
                )
            )
            created[code] = plan_id
        _insert_rows(session, PlanTask.__table__, task_rows)
        _insert_rows(session, AuditEntry.__table__, audit.rows(actor, audits, at))
        n_tasks += len(task_rows)
        if progress is not None:
            progress(start + len(batch), total)
    if progress is not None and total == 0:
        progress(0, 0)
    if created:
        audit.record(
            session,
            actor,
            "activate_plans",
            "storm_event",
            str(event_id),
            new={
                "plans": len(created),
                "tasks": n_tasks,
                "template_id": template_id,
                "skipped": len(items) - len(created),
            },
            at=at,
        )
    return [created[code] for code in order if code in created]


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
    query = (
        select(CommunePlan.commune_code)
        .where(
            CommunePlan.event_id == event_id,
            CommunePlan.province_code == province_code,
        )
        .order_by(CommunePlan.commune_code)
    )
    if actor.role is Role.COMMUNE:  # a leader sees their own commune only
        query = query.where(CommunePlan.commune_code == actor.commune_code)
    return list(session.scalars(query))


# -- a new forecast ----------------------------------------------------------------------


def apply_forecast(
    session: Session,
    actor: Principal,
    event_id: int,
    forecast_id: int,
    table: pd.DataFrame | dict[str, CommuneExposure],
    clock: Clock | None = None,
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
    at = clock or datetime.now(UTC)
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
        old_eta, old_closest = (
            as_utc_or_none(plan.eta_utc),
            as_utc_or_none(plan.closest_utc),
        )
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
            if as_utc_or_none(task.deadline_utc) != target:
                changes.append((task.id, as_utc_or_none(task.deadline_utc), target))
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
