"""Activating plans: one province and the whole country, on SQLite and PostgreSQL.

Built on SQLite (a temporary data directory) and on PostgreSQL (a throwaway
server started here with :func:`tests.postgres.start_server`, stopped at the
end; when it cannot start, a line on stderr says why and only SQLite runs).
A template database per back end holds the Wipha drill advisory
(:func:`dashboard.scenario.ensure_drill_forecast`), the starter template and
one open storm event; **every timed run gets a fresh copy of it** (SQLite: the
file copied; PostgreSQL: ``CREATE DATABASE … TEMPLATE``), so each activation
starts from an event without plans. The exposure (level-6 arrival, closest
approach, wind and risk) is the drill's, from
:func:`dashboard.situation.exposure_table` on the registry points. Every
commune gets the profiles ``coastal,riverine``: 25 of the starter's 26 tasks.

``activation_national``
    All 3,321 communes (83,025 ``plan_tasks`` rows, 3,321 audit rows) by
    :func:`~dashboard.plans.activation.activate_plans` as the system (admin),
    in one committed transaction.
``activation_province``
    Every exposed commune of Thanh Hoá (38, :func:`propose_communes`: level-6
    wind or inside the cone) by its province staff, committed.

The baseline is the old row-by-row activation (``tests/support/activation_reference.py``,
shared with the test that compares the two): one ``registry.commune`` look-up per commune for the
authorisation and again for the province, an ORM object and a flush per plan,
its tasks added and flushed, one audit row flushed per plan. Ours: per batch
of ``BATCH_COMMUNES`` communes, the plans by one ``INSERT … ON CONFLICT DO
NOTHING RETURNING`` (PostgreSQL: ``INSERT … SELECT FROM unnest`` of one array
per column; SQLite: multi-row), then the tasks and the audit rows by one
``COPY`` each (PostgreSQL) or one executemany ``INSERT`` each (SQLite).

Both write the same rows: after each back end the plans, tasks and per-plan
audit rows of one run of each are compared (ids aside).

Values: median of ``REPEATS`` runs for ours, ``BASELINE_REPEATS`` for the old
way, in seconds, the commit included (the copy of the database is not).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine, select, text

from dashboard import scenario, situation
from dashboard.auth import SYSTEM, Principal, Role
from dashboard.bootstrap import open_context
from dashboard.config import Settings
from dashboard.context import AppContext
from dashboard.events import open_event_for_forecast
from dashboard.plans.activation import (
    BATCH_COMMUNES,
    CommuneExposure,
    activate_plans,
    propose_communes,
)
from dashboard.plans.templates import ensure_starter
from dashboard.scenario.drill import DRILL_CLOCK, drill_forecast
from dashboard.store.models.core import AuditEntry
from dashboard.store.models.plans import CommunePlan, PlanTask
from tests.support.activation_reference import activate_row_by_row
from tests.support.postgres import PostgresServer, start_server

PROVINCE = "38"  # Thanh Hoá: 166 communes, on Wipha's path
PROFILES = frozenset({"coastal", "riverine"})  # 25 of the starter's 26 tasks
STAFF = Principal(
    username="bench_staff_38", role=Role.PROVINCE, province_codes=frozenset({PROVINCE})
)
REPEATS = 5
BASELINE_REPEATS = {"national": 1, "province": 3}
NOW = DRILL_CLOCK
TEMPLATE_DB = "activation_template"


def _log(message: str) -> None:
    print(f"activation: {message}", file=sys.stderr, flush=True)


# -- exposure --------------------------------------------------------------------------


def _when(value: object) -> datetime | None:
    return None if pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def _exposures(table: pd.DataFrame) -> list[CommuneExposure]:
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


# -- fresh databases -------------------------------------------------------------------


class _Store:
    """A migrated template database (drill advisory, starter, one event) and
    fresh copies of it."""

    def __init__(self, backend: str, root: Path, server: PostgresServer | None):
        self.backend = backend
        self.root = root
        self.server = server
        self.copies = 0
        if server is None:
            url = f"sqlite:///{root / 'template.db'}"
        else:
            self._admin(f"CREATE DATABASE {TEMPLATE_DB}")
            url = server.url(TEMPLATE_DB)
        ctx = open_context(Settings(root / "data", url, False))
        try:
            forecast_id, _ = scenario.ensure_drill_forecast(
                ctx, scenario.Scenario(scenario.DRILL, DRILL_CLOCK)
            )
            with ctx.transaction() as session:
                ensure_starter(session)
                self.event_id = open_event_for_forecast(
                    session, SYSTEM, forecast_id, "Benchmark: activation", clock=NOW
                ).id
        finally:
            ctx.engine.dispose()

    def _admin(self, sql: str) -> None:
        assert self.server is not None
        admin = create_engine(self.server.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(sql))
        admin.dispose()

    def fresh(self) -> AppContext:
        self.copies += 1
        if self.server is None:
            path = self.root / f"copy_{self.copies}.db"
            shutil.copyfile(self.root / "template.db", path)
            url = f"sqlite:///{path}"
        else:
            name = f"activation_{self.copies}"
            self._admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}")
            url = self.server.url(name)
        return open_context(Settings(self.root / "data", url, False))


def _activate_once(
    store: _Store,
    fn: Callable[..., list[int]],
    actor: Principal,
    communes: list[CommuneExposure],
) -> tuple[float, AppContext, int]:
    """Seconds for one committed activation on a fresh copy; the copy (open)
    and how many plans were created."""
    ctx = store.fresh()
    profiles = {c.commune_code: PROFILES for c in communes}
    start = time.perf_counter()
    with ctx.transaction() as session:
        created = fn(session, actor, store.event_id, communes, profiles, clock=NOW)
    return time.perf_counter() - start, ctx, len(created)


def _contents(ctx: AppContext, event_id: int) -> tuple[list, list, list]:
    """Plans, tasks and per-plan audit rows of the event, ids replaced by codes."""
    plan_cols = [c for c in CommunePlan.__table__.c if c.name != "id"]
    task_cols = [c for c in PlanTask.__table__.c if c.name not in ("id", "plan_id")]
    with ctx.sessions() as session:
        code_of = dict(
            session.execute(
                select(CommunePlan.id, CommunePlan.commune_code).where(
                    CommunePlan.event_id == event_id
                )
            ).all()
        )
        plans = sorted(
            tuple(r)
            for r in session.execute(
                select(*plan_cols).where(CommunePlan.event_id == event_id)
            )
        )
        tasks = sorted(
            tuple(r)
            for r in session.execute(
                select(*task_cols).where(PlanTask.event_id == event_id)
            )
        )
        audits = sorted(
            (code_of[int(r.object_id)], r.at, r.actor, r.actor_role, r.new_value)
            for r in session.execute(
                select(AuditEntry).where(
                    AuditEntry.object_type == "commune_plan",
                    AuditEntry.action == "activate",
                )
            ).scalars()
        )
    return plans, tasks, audits


def _measure(
    store: _Store, actor: Principal, communes: list[CommuneExposure], scope: str
) -> tuple[float, float, int, int]:
    """Median seconds (ours, old) and plans / tasks written, the rows checked equal."""
    ours, old = [], []
    ours_ctx = old_ctx = None
    plans = 0
    try:
        for _ in range(REPEATS):
            seconds, ctx, plans = _activate_once(store, activate_plans, actor, communes)
            ours.append(seconds)
            if ours_ctx is not None:
                ours_ctx.engine.dispose()
            ours_ctx = ctx
        for _ in range(BASELINE_REPEATS[scope]):
            seconds, ctx, old_plans = _activate_once(
                store, activate_row_by_row, actor, communes
            )
            old.append(seconds)
            if old_ctx is not None:
                old_ctx.engine.dispose()
            old_ctx = ctx
        assert ours_ctx is not None and old_ctx is not None
        mine = _contents(ours_ctx, store.event_id)
        theirs = _contents(old_ctx, store.event_id)
        if old_plans != plans or mine != theirs:
            raise SystemExit(f"{scope}: bulk activation wrote other rows than the old")
    finally:
        for ctx in (ours_ctx, old_ctx):
            if ctx is not None:
                ctx.engine.dispose()
    return statistics.median(ours), statistics.median(old), plans, len(mine[1])


def _bench(store: _Store, table: pd.DataFrame) -> list[dict]:
    national = _exposures(table)
    province = _exposures(propose_communes(table, {}, PROVINCE))
    results = []
    for scope, actor, communes, who in (
        ("national", SYSTEM, national, "the system (admin)"),
        ("province", STAFF, province, "Thanh Hoá's staff"),
    ):
        ours, old, plans, tasks = _measure(store, actor, communes, scope)
        _log(
            f"{store.backend} {scope}: {plans} plans, {tasks} tasks: "
            f"bulk {ours:.2f} s, row by row {old:.2f} s"
        )
        what = (
            "all 3,321 communes"
            if scope == "national"
            else f"the {plans} exposed communes of Thanh Hoá (38)"
        )
        results.append(
            {
                "name": f"activation_{scope}_{store.backend}",
                "value": round(ours, 3),
                "unit": "s",
                "baseline": round(old, 3),
                "baseline_label": (
                    f"old row-by-row activate_plans (an ORM object and a flush per "
                    f"plan, tasks flushed per plan, one audit row flushed per plan, "
                    f"registry look-up per commune) vs ours (per batch of "
                    f"{BATCH_COMMUNES} communes: plans by one INSERT ... ON "
                    f"CONFLICT DO NOTHING RETURNING"
                    f"{' from unnest' if store.backend == 'postgresql' else ''}, "
                    f"tasks and audit rows by "
                    f"{'COPY' if store.backend == 'postgresql' else 'executemany'}"
                    f"); "
                    f"{store.backend}: {what} by {who}, {plans:,} plans, "
                    f"{tasks:,} tasks, committed; median of {REPEATS} vs "
                    f"{BASELINE_REPEATS[scope]} on fresh copies of the database; "
                    f"same rows checked"
                ),
            }
        )
    return results


def run() -> list[dict]:
    table = situation.exposure_table(
        drill_forecast(DRILL_CLOCK), situation.commune_points(), DRILL_CLOCK
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="activation-bench-") as tmp:
        root = Path(tmp) / "sqlite"
        root.mkdir()
        results += _bench(_Store("sqlite", root, None), table)
        server = start_server()
        if isinstance(server, str):
            _log(f"PostgreSQL skipped: {server}")
            return results
        try:
            root = Path(tmp) / "pg"
            root.mkdir()
            results += _bench(_Store("postgresql", root, server), table)
        finally:
            server.stop()
    return results
