"""Readiness board, national summary and one tick on a national storm event.

Built on SQLite (a temporary data directory) and on PostgreSQL (a throwaway
server started here with :func:`tests.support.postgres.start_server`, stopped at the
end), each through :func:`dashboard.context.open_context`:

* the Wipha drill advisory is stored (:func:`dashboard.scenario.ensure_drill_forecast`)
  and a storm event opened for it (:func:`~dashboard.plans.activation.open_event_for_forecast`);
* **all 3,321 communes** are activated through the real service
  (:func:`~dashboard.plans.activation.activate_plans`, one transaction, the
  starter template) with the drill's exposure (level-6 arrival, closest
  approach, wind and risk from :func:`dashboard.situation.exposure_table` on
  the registry points). Every commune gets the profiles ``coastal,riverine``,
  so 25 of the starter's 26 tasks apply (all but the mountain-only one):
  83,025 ``plan_tasks`` rows. Communes without a level-6 arrival keep it
  empty (deadlines then count from the closest approach);
* the statuses are then mixed in bulk (one ORM bulk ``UPDATE`` by primary
  key, not 50,000 calls of ``update_task``): each commune draws a progress
  level from Beta(2, 2); about 45 % done (with the evidence the task asks
  for), 16 % in progress, 29 % to do, 4 % blocked and 6 % not applicable
  (both with a reason), each changed row with ``version`` 2 and one audit row
  and, for done / not applicable, one progress row, as the service would write;
* PostgreSQL gets an ``ANALYZE`` (what autovacuum does after such a load);
  SQLite is left as the app leaves it (no ``ANALYZE``).

Then, per back end, the median of several timed runs after one warm-up:

``readiness_board_province``
    :func:`~dashboard.plans.readiness.province_board` for Thanh Hoá (38,
    166 communes, 4,150 tasks) as its province staff, vs naive: every task
    (and plan) of the event read with ``pd.read_sql`` and grouped per commune
    in pandas for that province (same columns; results checked equal).
``readiness_national_summary``
    :func:`~dashboard.plans.readiness.national_summary` vs naive: every task
    of the event read with ``pd.read_sql`` and grouped per province.
``readiness_tick``
    One :func:`~dashboard.plans.tasks.update_task` (a commune leader marks a
    to-do task done with a note: authorise, validate, compare-and-set write,
    progress row, audit row) in its own committed transaction, vs naive: the
    same change made by reading the commune's whole plan into pandas, changing
    the row and writing every task row back (25 ``UPDATE``\\ s, no version
    check) plus one audit row, in one committed transaction.

Each run ticks a different task (one per commune), so every tick changes a row.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, func, insert, select, text, update

from dashboard import audit, registry, scenario, situation
from dashboard.auth import SYSTEM, Principal, Role, require_work_commune
from dashboard.bootstrap import open_context
from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.core.clock import Clock
from dashboard.events import open_event_for_forecast
from dashboard.plans.activation import CommuneExposure, activate_plans
from dashboard.plans.model import (
    OPEN_STATUSES,
    PILLARS,
    PRIORITY_WEIGHTS,
    priority_score,
)
from dashboard.plans.readiness import national_summary, province_board
from dashboard.plans.tasks import update_task
from dashboard.plans.templates import ensure_starter
from dashboard.scenario.drill import DRILL_CLOCK, drill_forecast
from dashboard.store.models.core import AuditEntry
from dashboard.store.models.plans import PlanProgress, PlanTask
from tests.support.postgres import start_server

PROVINCE = "38"  # Thanh Hoá: 166 communes (2nd to Hồ Chí Minh City), on Wipha's path
PROFILES = frozenset({"coastal", "riverine"})  # 25 of the starter's 26 tasks
TASKS_PER_COMMUNE = 25
CLOCK = DRILL_CLOCK + timedelta(hours=12)
REPEATS = 7
NAIVE_REPEATS = 3
SEED = 20250720
STAFF = Principal(
    username="bench_staff_38", role=Role.PROVINCE, province_codes=frozenset({PROVINCE})
)
NA_REASON = "Không có hạng mục này ở xã"
BLOCKED_REASON = "Chưa có phương tiện, chờ huyện hỗ trợ"


def _log(message: str) -> None:
    print(f"readiness_board: {message}", file=sys.stderr, flush=True)


def _leader(commune_code: str) -> Principal:
    return Principal(
        username=f"leader_{commune_code}", role=Role.COMMUNE, commune_code=commune_code
    )


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000.0, 2)


# -- building the event ----------------------------------------------------------------


def _when(value: object) -> datetime | None:
    return None if pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def _exposures(table: pd.DataFrame) -> list[CommuneExposure]:
    """Every commune's exposure (``activation.exposures`` would pass NaT on)."""
    return [
        CommuneExposure(
            commune_code=row.commune_code,
            eta_utc=_when(row.level6_eta_utc),
            closest_utc=_when(row.closest_approach_utc),
            max_wind_level=int(row.max_wind_level),
            risk_level=int(row.risk_level),
        )
        for row in table.itertuples(index=False)
    ]


def _status_rows(
    tasks: list[Any], event_id: int
) -> tuple[list[dict], list[dict], list[dict]]:
    """Task updates, audit rows and progress rows of the status mix."""
    rng = random.Random(SEED)
    progress_of: dict[int, float] = {}
    updates, audits, progress = [], [], []
    for t in tasks:
        level = progress_of.setdefault(t.plan_id, rng.betavariate(2, 2))
        u = rng.random()
        if u < 0.06:
            status, reason = "not_applicable", NA_REASON
        elif u < 0.10:
            status, reason = "blocked", BLOCKED_REASON
        else:
            v = rng.random()
            if v < level:
                status = "done"
            elif v < level + (1 - level) * 0.35:
                status = "in_progress"
            else:
                continue  # stays to do, as activated
            reason = ""
        note, number, photo = "", None, ""
        if status == "done":
            if t.evidence == "note":
                note = "Đã hoàn thành, đã báo cáo huyện"
            elif t.evidence == "number":
                number = float(rng.randint(1, 500))
            elif t.evidence == "photo":
                photo = f"plans/{event_id}/{t.commune_code}/{t.id}.jpg"
        at = CLOCK - timedelta(minutes=rng.randint(5, 36 * 60))
        who = f"leader_{t.commune_code}"
        updates.append(
            {
                "id": t.id,
                "status": status,
                "reason": reason,
                "evidence_note": note,
                "evidence_number": number,
                "evidence_photo": photo,
                "updated_at": at,
                "updated_by": who,
                "version": 2,
            }
        )
        audits.append(
            {
                "at": at,
                "actor": who,
                "actor_role": "commune",
                "action": "update",
                "object_type": "plan_task",
                "object_id": str(t.id),
                "old_value": '{"status": "todo", "version": 1}',
                "new_value": f'{{"status": "{status}", "version": 2}}',
                "reason": reason,
            }
        )
        if status in ("done", "not_applicable"):
            w = float(PRIORITY_WEIGHTS.get(t.priority, 1))
            progress.append(
                {
                    "event_id": event_id,
                    "province_code": t.province_code,
                    "commune_code": t.commune_code,
                    "task_id": t.id,
                    "at": at,
                    "done_delta": w if status == "done" else 0.0,
                    "applicable_delta": -w if status == "not_applicable" else 0.0,
                }
            )
    return updates, audits, progress


def _build(ctx: AppContext, table: pd.DataFrame) -> tuple[int, dict[str, int]]:
    """Activate every commune and mix the statuses; the event id and the mix."""
    start = time.perf_counter()
    forecast_id, _ = scenario.ensure_drill_forecast(
        ctx, scenario.Scenario(scenario.DRILL, DRILL_CLOCK)
    )
    with ctx.transaction() as session:
        ensure_starter(session)
        event = open_event_for_forecast(
            session, SYSTEM, forecast_id, "Benchmark: national storm"
        )
        communes = _exposures(table)
        activate_plans(
            session,
            SYSTEM,
            event.id,
            communes,
            {c.commune_code: PROFILES for c in communes},
        )
    activated = time.perf_counter() - start
    with ctx.transaction() as session:
        tasks = session.execute(
            select(
                PlanTask.id,
                PlanTask.plan_id,
                PlanTask.commune_code,
                PlanTask.province_code,
                PlanTask.priority,
                PlanTask.evidence,
            )
            .where(PlanTask.event_id == event.id)
            .order_by(PlanTask.id)
        ).all()
        if len(tasks) != len(communes) * TASKS_PER_COMMUNE:
            raise SystemExit(f"expected {len(communes)} × 25 tasks, got {len(tasks)}")
        updates, audits, progress = _status_rows(tasks, event.id)
        session.execute(update(PlanTask), updates)
        session.execute(insert(AuditEntry), audits)
        session.execute(insert(PlanProgress), progress)
    if ctx.engine.dialect.name == "postgresql":
        with ctx.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("ANALYZE")
            )
    with ctx.sessions() as session:
        mix = dict(
            session.execute(
                select(PlanTask.status, func.count())
                .where(PlanTask.event_id == event.id)
                .group_by(PlanTask.status)
            ).all()
        )
    _log(
        f"{ctx.engine.dialect.name}: {len(communes)} communes, {len(tasks)} tasks "
        f"activated in {activated:.1f} s, statuses mixed in "
        f"{time.perf_counter() - start - activated:.1f} s: {mix}"
    )
    return event.id, mix


# -- the naive way ---------------------------------------------------------------------


def _all_tasks(ctx: AppContext, event_id: int) -> pd.DataFrame:
    with ctx.engine.connect() as conn:
        return pd.read_sql(
            text("SELECT * FROM plan_tasks WHERE event_id = :e"),
            conn,
            params={"e": event_id},
        )


def _flags(tasks: pd.DataFrame, clock: Clock) -> pd.DataFrame:
    deadline = pd.to_datetime(tasks["deadline_utc"], utc=True, format="mixed")
    w = tasks["priority"].map(PRIORITY_WEIGHTS).fillna(1).astype(float)
    done = tasks["status"] == "done"
    return tasks.assign(
        is_done=done.astype(int),
        is_overdue=(
            tasks["status"].isin(OPEN_STATUSES)
            & deadline.notna()
            & (deadline < pd.Timestamp(clock))
        ).astype(int),
        is_blocked=(tasks["status"] == "blocked").astype(int),
        w_done=w.where(done, 0.0),
        w_applicable=w.where(tasks["status"] != "not_applicable", 0.0),
        updated=pd.to_datetime(tasks["updated_at"], utc=True, format="mixed"),
    )


def _share(frame: pd.DataFrame) -> pd.Series:
    applicable = frame["w_applicable"]
    return (frame["w_done"] / applicable.where(applicable > 0)).fillna(1.0)


def _naive_board(ctx: AppContext, event_id: int, clock: Clock) -> pd.DataFrame:
    tasks = _all_tasks(ctx, event_id)
    with ctx.engine.connect() as conn:
        plans = pd.read_sql(
            text("SELECT * FROM commune_plans WHERE event_id = :e"),
            conn,
            params={"e": event_id},
        )
    tasks = _flags(tasks[tasks["province_code"] == PROVINCE], clock)
    plans = plans[plans["province_code"] == PROVINCE]
    sums = tasks.groupby("plan_id").agg(
        tasks=("id", "size"),
        done=("is_done", "sum"),
        overdue=("is_overdue", "sum"),
        blocked=("is_blocked", "sum"),
        w_done=("w_done", "sum"),
        w_applicable=("w_applicable", "sum"),
        last_update=("updated", "max"),
    )
    sums["readiness"] = _share(sums)
    per_pillar = tasks.groupby(["plan_id", "pillar"])[["w_done", "w_applicable"]].sum()
    pillars = _share(per_pillar).unstack("pillar").add_prefix("readiness_")
    board = plans.rename(columns={"id": "plan_id"}).join(sums, on="plan_id")
    board = board.join(pillars, on="plan_id")
    eta = pd.to_datetime(board["eta_utc"], utc=True, format="mixed")
    board["hours_left"] = (eta - pd.Timestamp(clock)).dt.total_seconds() / 3600.0
    names = registry.communes().set_index("commune_code")["commune_name"]
    board["commune_name"] = board["commune_code"].map(names)
    board["score"] = [
        priority_score(w, h, r)
        for w, h, r in zip(
            board["max_wind_level"],
            board["hours_left"],
            board["readiness"],
            strict=True,
        )
    ]
    return board.sort_values(
        ["score", "commune_code"], ascending=[False, True], ignore_index=True
    )


def _naive_summary(ctx: AppContext, event_id: int, clock: Clock) -> pd.DataFrame:
    tasks = _flags(_all_tasks(ctx, event_id), clock)
    out = tasks.groupby("province_code").agg(
        communes=("plan_id", "nunique"),
        tasks=("id", "size"),
        done=("is_done", "sum"),
        overdue=("is_overdue", "sum"),
        blocked=("is_blocked", "sum"),
        w_done=("w_done", "sum"),
        w_applicable=("w_applicable", "sum"),
    )
    out["readiness"] = _share(out)
    names = registry.provinces().set_index("province_code")["province_name"]
    out["province_name"] = out.index.map(names)
    return out.reset_index()


def _check_same(ours: pd.DataFrame, naive: pd.DataFrame, key: str, what: str) -> None:
    columns = ["tasks", "done", "overdue", "blocked", "readiness"]
    if what == "board":
        columns += ["score", *(f"readiness_{p}" for p in PILLARS)]
    a = ours.sort_values(key, ignore_index=True)
    b = naive.sort_values(key, ignore_index=True)
    if list(a[key]) != list(b[key]) or not np.allclose(
        a[columns].to_numpy(float), b[columns].to_numpy(float), equal_nan=True
    ):
        raise SystemExit(f"the naive {what} differs from ours")


def _naive_tick(ctx: AppContext, task: Any) -> None:
    actor = _leader(task.commune_code)
    with ctx.transaction() as session:
        require_work_commune(actor, task.commune_code)
        conn = session.connection()
        plan = pd.read_sql(
            text("SELECT * FROM plan_tasks WHERE plan_id = :p ORDER BY position"),
            conn,
            params={"p": task.plan_id},
        )
        row = plan.index[plan["id"] == task.id][0]
        old = {
            "status": plan.at[row, "status"],
            "version": int(plan.at[row, "version"]),
        }
        at = datetime.now(UTC)
        plan.loc[row, ["status", "evidence_note", "updated_by"]] = [
            "done",
            "Đã xong (naive)",
            actor.username,
        ]
        plan["updated_at"] = plan["updated_at"].astype(object)
        plan.at[row, "updated_at"] = at
        plan.at[row, "version"] = old["version"] + 1
        columns = [
            "status",
            "reason",
            "evidence_note",
            "evidence_number",
            "evidence_photo",
            "deadline_utc",
            "updated_at",
            "updated_by",
            "version",
        ]
        records = (
            plan[["id", *columns]]
            .astype(object)
            .where(plan[["id", *columns]].notna(), None)
            .to_dict("records")
        )
        for record in records:
            for name in ("deadline_utc", "updated_at"):
                if isinstance(record[name], pd.Timestamp):
                    record[name] = record[name].to_pydatetime()
        conn.execute(
            text(
                "UPDATE plan_tasks SET "
                + ", ".join(f"{c} = :{c}" for c in columns)
                + " WHERE id = :id"
            ),
            records,
        )
        audit.record(
            session,
            actor,
            "update",
            "plan_task",
            str(task.id),
            old=old,
            new={"status": "done", "version": old["version"] + 1},
            at=at,
        )


# -- one back end ----------------------------------------------------------------------


def _tick_candidates(ctx: AppContext, event_id: int, n: int) -> list[Any]:
    """*n* to-do tasks of the province, needing no evidence or a note, one per
    commune."""
    with ctx.sessions() as session:
        rows = session.execute(
            select(
                PlanTask.id,
                PlanTask.plan_id,
                PlanTask.commune_code,
                PlanTask.version,
            )
            .where(
                PlanTask.event_id == event_id,
                PlanTask.province_code == PROVINCE,
                PlanTask.status == "todo",
                PlanTask.evidence.in_(("none", "note")),
            )
            .order_by(PlanTask.commune_code, PlanTask.position)
        ).all()
    picked, seen = [], set()
    for row in rows:
        if row.commune_code not in seen:
            seen.add(row.commune_code)
            picked.append(row)
    if len(picked) < n:
        raise SystemExit(f"only {len(picked)} communes with a to-do task to tick")
    return picked[:n]


def _bench(backend: str, settings: Settings, table: pd.DataFrame) -> list[dict]:
    ctx = open_context(settings)
    try:
        event_id, mix = _build(ctx, table)

        def board() -> pd.DataFrame:
            with ctx.sessions() as session:
                return province_board(session, STAFF, event_id, PROVINCE, CLOCK)

        def summary() -> pd.DataFrame:
            with ctx.sessions() as session:
                return national_summary(session, STAFF, event_id, CLOCK)

        _check_same(board(), _naive_board(ctx, event_id, CLOCK), "plan_id", "board")
        _check_same(
            summary(), _naive_summary(ctx, event_id, CLOCK), "province_code", "summary"
        )
        board_ms = _median_ms(board, REPEATS)
        summary_ms = _median_ms(summary, REPEATS)
        naive_board_ms = _median_ms(
            lambda: _naive_board(ctx, event_id, CLOCK), NAIVE_REPEATS
        )
        naive_summary_ms = _median_ms(
            lambda: _naive_summary(ctx, event_id, CLOCK), NAIVE_REPEATS
        )

        candidates = iter(_tick_candidates(ctx, event_id, REPEATS + NAIVE_REPEATS + 2))

        def tick() -> None:
            task = next(candidates)
            with ctx.transaction() as session:
                update_task(
                    session,
                    _leader(task.commune_code),
                    task.id,
                    task.version,
                    status="done",
                    note="Đã xong",
                )

        tick_ms = _median_ms(tick, REPEATS)
        naive_tick_ms = _median_ms(
            lambda: _naive_tick(ctx, next(candidates)), NAIVE_REPEATS
        )
    finally:
        ctx.engine.dispose()
    tasks = sum(mix.values())
    data = (
        f"{backend}: {tasks:,} tasks of 3,321 communes activated by activate_plans, "
        f"statuses mixed in bulk ({mix.get('done', 0) * 100 // tasks} % done)"
    )
    return [
        {
            "name": f"readiness_board_province_{backend}",
            "value": board_ms,
            "unit": "ms",
            "baseline": naive_board_ms,
            "baseline_label": (
                f"naive: pd.read_sql of every task and plan of the event, then "
                f"pandas groupby per commune for Thanh Hoá (ours: province_board, "
                f"166 communes; median of {REPEATS} vs {NAIVE_REPEATS}; {data})"
            ),
        },
        {
            "name": f"readiness_national_summary_{backend}",
            "value": summary_ms,
            "unit": "ms",
            "baseline": naive_summary_ms,
            "baseline_label": (
                f"naive: pd.read_sql of every task of the event, then pandas "
                f"groupby per province (ours: national_summary; median of "
                f"{REPEATS} vs {NAIVE_REPEATS}; {data})"
            ),
        },
        {
            "name": f"readiness_tick_{backend}",
            "value": tick_ms,
            "unit": "ms",
            "baseline": naive_tick_ms,
            "baseline_label": (
                "naive: read the commune's whole plan (25 tasks) with pd.read_sql, "
                "change the row, write all 25 rows back (UPDATE each, no version "
                "check) + 1 audit row, committed (ours: update_task marks a to-do "
                "task done with a note: authorise, validate, compare-and-set, "
                f"progress + audit rows, committed; median of {REPEATS} vs "
                f"{NAIVE_REPEATS}; {data})"
            ),
        },
    ]


def run() -> list[dict]:
    table = situation.exposure_table(
        drill_forecast(DRILL_CLOCK), situation.commune_points(), DRILL_CLOCK
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="readiness-bench-") as tmp:
        data_dir = Path(tmp) / "sqlite"
        results += _bench(
            "sqlite",
            Settings(data_dir, f"sqlite:///{data_dir / 'dashboard.db'}", False),
            table,
        )
        server = start_server()
        if isinstance(server, str):
            _log(f"PostgreSQL skipped: {server}")
            return results
        try:
            admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text("CREATE DATABASE readiness_bench"))
            admin.dispose()
            results += _bench(
                "postgresql",
                Settings(Path(tmp) / "pg", server.url("readiness_bench"), False),
                table,
            )
        finally:
            server.stop()
    return results
