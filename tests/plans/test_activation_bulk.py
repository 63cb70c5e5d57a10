"""Bulk activation writes exactly what row-by-row activation wrote, on both stores.

The reference (``tests/support/activation_reference.py``, also the baseline
of the ``activation`` benchmark) is the activation as it was before the bulk
rewrite: one ORM plan, its tasks and its audit row per commune. Both run on the same database, for two events of the
same storm, and every plan, task and per-plan audit row is compared (ids
mapped to commune codes; the bulk way writes in commune-code order, the old
one in the order given).
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, timedelta

import pytest
from sqlalchemy import func, select, text

from dashboard import scenario
from dashboard.auth import Forbidden
from dashboard.events import open_event_for_forecast
from dashboard.plans.activation import CommuneExposure, activate_plans
from dashboard.plans.templates import ensure_starter, template_tasks
from dashboard.store.models.core import AuditEntry
from dashboard.store.models.plans import CommunePlan, PlanTask, StormEvent
from tests.support.activation_reference import activate_row_by_row
from tests.support.plans_helpers import (
    ADMIN,
    CLOCK,
    CLOSEST,
    ETA,
    PROVINCE_22,
    PROVINCE_33,
)

# Four communes of Hưng Yên (33), three of Quảng Ninh (22).
C33 = ("11953", "11977", "11980", "11983")
C22 = ("06652", "06658", "06661")

COMMUNES = [
    CommuneExposure(C33[0], ETA, CLOSEST, 9, 3),
    CommuneExposure(C22[0], ETA + timedelta(hours=2), CLOSEST, 8, 2),
    CommuneExposure(C33[1], None, CLOSEST + timedelta(hours=1), 5, 1),  # cone only
    CommuneExposure(C33[2], None, None, 0, 0),  # neither: no deadlines
    CommuneExposure(C22[1], ETA - timedelta(hours=3), CLOSEST, 11, 4),
    CommuneExposure(C33[0], ETA, CLOSEST, 9, 3),  # twice: skipped
    CommuneExposure(C33[3], ETA, CLOSEST - timedelta(hours=1), 7, 2),
    CommuneExposure(C22[2], ETA, CLOSEST, 6, 1),
]
PROFILES: dict[str, frozenset[str] | str] = {
    C33[0]: "coastal,riverine",  # a string, as the demo seeds them
    C22[0]: frozenset({"island", "coastal"}),
    C33[1]: frozenset({"urban"}),
    C33[2]: "mountain",
    C22[1]: "",
    C33[3]: frozenset({"riverine", "mountain"}),
    # C22[2]: none given
}
DISTINCT = 7


def _events(ctx) -> tuple[int, int]:
    """Two active events of the drill storm (a second one added by hand)."""
    forecast_id, _ = scenario.ensure_drill_forecast(
        ctx, scenario.Scenario(scenario.DRILL, CLOCK)
    )
    with ctx.transaction() as s:
        ensure_starter(s)
        first = open_event_for_forecast(s, ADMIN, forecast_id, clock=CLOCK).id
        second = StormEvent(
            name="second",
            storm_id="x",
            forecast_id=forecast_id,
            is_drill=True,
            status="active",
            created_at=CLOCK,
            created_by="admin1",
        )
        s.add(second)
        s.flush()
        return first, second.id


def _written(ctx, event_id: int) -> dict:
    """Everything activation wrote for the event, ids replaced by commune codes."""
    with ctx.sessions() as s:
        plans = s.scalars(
            select(CommunePlan).where(CommunePlan.event_id == event_id)
        ).all()
        code = {p.id: p.commune_code for p in plans}
        tasks = s.scalars(
            select(PlanTask).where(PlanTask.event_id == event_id).order_by(PlanTask.id)
        ).all()
        audits = s.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.object_type == "commune_plan",
                AuditEntry.object_id.in_([str(i) for i in code]),
            )
            .order_by(AuditEntry.id)
        ).all()

    def columns(row, skip):
        return {
            c.name: getattr(row, c.name) for c in row.__table__.c if c.name not in skip
        }

    def entry(a: AuditEntry) -> dict:
        new = json.loads(a.new_value)
        assert new.pop("event_id") == event_id
        return {
            **columns(a, {"id", "object_id", "new_value"}),
            "commune": code[int(a.object_id)],
            "new": new,
        }

    return {
        "plans": sorted(
            (columns(p, {"id", "event_id"}) for p in plans),
            key=lambda p: p["commune_code"],
        ),
        "tasks": sorted(
            (
                columns(t, {"id", "event_id"}) | {"plan_id": code[t.plan_id]}
                for t in tasks
            ),
            key=lambda t: (t["commune_code"], t["position"]),
        ),
        "audits": sorted((entry(a) for a in audits), key=lambda a: a["commune"]),
    }


def _raw(ctx, event_id: int) -> list:
    """Times as the database holds them (text on SQLite), bypassing the ORM."""
    with ctx.sessions() as s:
        return s.execute(
            text(
                "SELECT t.commune_code, t.position, t.deadline_utc, t.updated_at, "
                "p.eta_utc, p.closest_utc, p.activated_at, p.updated_at "
                "FROM plan_tasks t JOIN commune_plans p ON p.id = t.plan_id "
                "WHERE t.event_id = :e ORDER BY t.commune_code, t.position"
            ),
            {"e": event_id},
        ).all()


def test_bulk_activation_writes_what_row_by_row_activation_wrote(ctx):
    bulk_event, old_event = _events(ctx)
    calls: list[tuple[int, int]] = []
    with ctx.transaction() as s:
        created = activate_plans(
            s,
            ADMIN,
            bulk_event,
            COMMUNES,
            PROFILES,
            clock=CLOCK,
            progress=lambda done, total: calls.append((done, total)),
            batch_size=3,
        )
    with ctx.transaction() as s:
        reference = activate_row_by_row(
            s, ADMIN, old_event, COMMUNES, PROFILES, clock=CLOCK
        )
    assert len(created) == len(reference) == DISTINCT
    bulk, old = _written(ctx, bulk_event), _written(ctx, old_event)
    assert bulk == old
    assert _raw(ctx, bulk_event) == _raw(ctx, old_event)
    # Returned in the order given (ids are given in commune-code order).
    with ctx.sessions() as s:
        code_of = dict(
            s.execute(
                select(CommunePlan.id, CommunePlan.commune_code).where(
                    CommunePlan.event_id == bulk_event
                )
            ).all()
        )
    given = list(dict.fromkeys(c.commune_code for c in COMMUNES))
    assert [code_of[i] for i in created] == given
    assert [code_of[i] for i in sorted(created)] == sorted(given)
    # Literal spot checks, so that both cannot be wrong the same way.
    plans = {p["commune_code"]: p for p in bulk["plans"]}
    assert plans[C22[0]]["profiles"] == "coastal,island"
    assert plans[C22[2]]["profiles"] == ""
    assert {p["province_code"] for p in bulk["plans"]} == {"22", "33"}
    by_commune: dict[str, list[dict]] = {}
    for task in bulk["tasks"]:
        by_commune.setdefault(task["commune_code"], []).append(task)
    assert len(by_commune[C33[0]]) == 25  # all but the mountain-only task
    assert [t["position"] for t in by_commune[C33[0]]] == list(range(1, 26))
    assert all(t["deadline_utc"] is None for t in by_commune[C33[2]])
    # A deadline already past at activation is "due now" (the clock).
    for task in by_commune[C33[1]]:  # no level-6 arrival: both kinds count
        assert task["deadline_utc"].replace(tzinfo=UTC) == max(
            CLOCK, CLOSEST + timedelta(hours=1 + task["offset_hours"])
        )
    for task in by_commune[C33[0]]:
        base = ETA if task["deadline_kind"] == "before_eta" else CLOSEST
        assert task["deadline_utc"].replace(tzinfo=UTC) == max(
            CLOCK, base + timedelta(hours=task["offset_hours"])
        )
        assert (task["status"], task["version"], task["updated_by"]) == (
            "todo",
            1,
            "admin1",
        )
    first = next(a for a in bulk["audits"] if a["commune"] == C33[0])
    assert (first["action"], first["actor"], first["actor_role"], first["commune"]) == (
        "activate",
        "admin1",
        "admin",
        C33[0],
    )
    assert first["new"]["tasks"] == 25 and first["new"]["profiles"] == (
        "coastal,riverine"
    )
    assert [a["new"]["tasks"] for a in bulk["audits"]] == [
        len(by_commune[c]) for c in sorted(given)
    ]
    # One summary row on the event for the call (the row-by-row way had none).
    with ctx.sessions() as s:
        summary = s.scalars(
            select(AuditEntry).where(
                AuditEntry.object_type == "storm_event",
                AuditEntry.object_id == str(bulk_event),
                AuditEntry.action == "activate_plans",
            )
        ).all()
    assert len(summary) == 1
    assert json.loads(summary[0].new_value) == {
        "plans": DISTINCT,
        "tasks": len(bulk["tasks"]),
        "template_id": plans[C33[0]]["template_id"],
        "skipped": 1,
    }
    # Progress: one call per batch of 3 communes, up to the total.
    assert calls == [(3, DISTINCT), (6, DISTINCT), (7, DISTINCT)]


def _counts(ctx, event_id: int) -> tuple[int, int, int]:
    with ctx.sessions() as s:
        return (
            s.scalar(select(func.count()).where(CommunePlan.event_id == event_id)),
            s.scalar(select(func.count()).where(PlanTask.event_id == event_id)),
            s.scalar(select(func.count()).select_from(AuditEntry)),
        )


def test_activating_again_writes_nothing(ctx):
    event_id, _ = _events(ctx)
    with ctx.transaction() as s:
        first = activate_plans(s, ADMIN, event_id, COMMUNES[:3], PROFILES, clock=CLOCK)
    before = _counts(ctx, event_id)
    calls: list[tuple[int, int]] = []
    with ctx.transaction() as s:
        again = activate_plans(
            s,
            ADMIN,
            event_id,
            COMMUNES[:3],
            PROFILES,
            clock=CLOCK,
            progress=lambda *a: calls.append(a),
        )
    assert len(first) == 3 and again == []
    assert _counts(ctx, event_id) == before  # not even a summary audit row
    assert calls == [(0, 0)]
    # The rest is added; the ones already planned are skipped, not duplicated.
    with ctx.transaction() as s:
        rest = activate_plans(
            s,
            ADMIN,
            event_id,
            COMMUNES,
            PROFILES,
            clock=CLOCK,
            progress=lambda *a: calls.append(a),
            batch_size=2,
        )
    assert len(rest) == DISTINCT - 3 and not set(rest) & set(first)
    assert calls[1:] == [(2, 4), (4, 4)]
    plans, tasks, _ = _counts(ctx, event_id)
    assert plans == DISTINCT
    with ctx.sessions() as s:
        per_plan = s.execute(
            select(
                PlanTask.plan_id, func.count(), func.count(PlanTask.position.distinct())
            )
            .where(PlanTask.event_id == event_id)
            .group_by(PlanTask.plan_id)
        ).all()
    assert len(per_plan) == DISTINCT
    assert all(n == distinct for _, n, distinct in per_plan)
    assert sum(n for _, n, _ in per_plan) == tasks


def test_nothing_is_written_when_one_commune_is_refused(ctx):
    event_id, _ = _events(ctx)
    before = _counts(ctx, event_id)
    mixed = [COMMUNES[0], COMMUNES[1]]  # Hưng Yên then Quảng Ninh
    with ctx.transaction() as s, pytest.raises(Forbidden, match="22"):
        activate_plans(s, PROVINCE_33, event_id, mixed, PROFILES, clock=CLOCK)
    with ctx.transaction() as s, pytest.raises(KeyError, match="99999"):
        activate_plans(
            s,
            PROVINCE_22,
            event_id,
            [COMMUNES[1], CommuneExposure("99999", ETA, CLOSEST, 1, 1)],
            PROFILES,
            clock=CLOCK,
        )
    assert _counts(ctx, event_id) == before


def test_concurrent_activations_do_not_duplicate(ctx):
    event_id, _ = _events(ctx)
    threads_n = 4
    barrier = threading.Barrier(threads_n)
    results: dict[int, object] = {}

    def work(i: int) -> None:
        # Each thread given another order.
        order = COMMUNES[i % 3 :] + COMMUNES[: i % 3]
        barrier.wait()
        try:
            with ctx.transaction() as s:
                results[i] = activate_plans(
                    s, ADMIN, event_id, order, PROFILES, clock=CLOCK, batch_size=2
                )
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=work, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Every call succeeds (the one that comes second skips what the first
    # planned; all write in commune-code order, so no deadlock).
    assert not [r for r in results.values() if isinstance(r, Exception)], results
    created = [i for r in results.values() if isinstance(r, list) for i in r]
    assert len(created) == len(set(created)) == DISTINCT
    plans, tasks, _ = _counts(ctx, event_id)
    assert plans == DISTINCT
    with ctx.sessions() as s:
        codes = s.scalars(
            select(CommunePlan.commune_code).where(CommunePlan.event_id == event_id)
        ).all()
        activate_rows = s.scalars(
            select(AuditEntry.new_value).where(
                AuditEntry.object_type == "commune_plan",
                AuditEntry.action == "activate",
            )
        ).all()
    assert sorted(codes) == sorted({c.commune_code for c in COMMUNES})
    assert len(activate_rows) == DISTINCT
    assert tasks == sum(json.loads(v)["tasks"] for v in activate_rows)


def test_an_activation_waiting_on_another_skips_what_it_planned(ctx):
    """The second activation reads no plans yet, then its insert waits for the
    first transaction (row locks on PostgreSQL, the write lock on SQLite) and
    skips every commune the first planned (the event/commune constraint)."""
    event_id, _ = _events(ctx)
    second: dict[str, object] = {}

    def work() -> None:
        try:
            with ctx.transaction() as s:
                second["created"] = activate_plans(
                    s, ADMIN, event_id, COMMUNES, PROFILES, clock=CLOCK
                )
        except Exception as exc:
            second["created"] = exc

    with ctx.transaction() as s:
        first = activate_plans(s, ADMIN, event_id, COMMUNES[:4], PROFILES, clock=CLOCK)
        thread = threading.Thread(target=work)
        thread.start()
        time.sleep(0.5)  # let it reach its insert (it is correct either way)
    thread.join()
    assert len(first) == 4
    rest = second["created"]
    assert isinstance(rest, list), rest
    assert len(rest) == DISTINCT - 4 and not set(rest) & set(first)
    plans, _, _ = _counts(ctx, event_id)
    assert plans == DISTINCT


TRICKY = "Tab\there, newline\nthere, CR\r\nback\\slash, \\N, \\t literal, Đồng Châu ☂"


def test_task_texts_and_numbers_are_stored_as_in_the_template(ctx):
    """Tabs, newlines, backslashes and ``\\N`` survive the bulk path (COPY on
    PostgreSQL), as do fractional offsets."""
    from dashboard.plans.templates import save_template

    event_id, _ = _events(ctx)
    tasks = [
        {
            "title_vi": "Kiểm tra \\ đê",
            "title_en": "Check\tdykes",
            "guidance_vi": TRICKY,
            "guidance_en": "\\N",
            "pillar": "forces",
            "priority": 1,
            "deadline_kind": "before_eta",
            "offset_hours": -0.1,
            "evidence": "number",
            "evidence_unit": "người\tngày",
        },
        {
            "title_vi": "Báo cáo",
            "title_en": "Report",
            "pillar": "information",
            "priority": 3,
            "deadline_kind": "after_storm",
            "offset_hours": 12.75,
            "evidence": "none",
        },
    ]
    with ctx.transaction() as s:
        template_id = save_template(s, ADMIN, "Tricky", tasks, clock=CLOCK)
        specs = template_tasks(s, template_id)
        activate_plans(
            s,
            ADMIN,
            event_id,
            COMMUNES[:2],
            {},
            template_id=template_id,
            clock=CLOCK,
        )
    assert "\t" in specs[0].guidance_vi or "\n" in specs[0].guidance_vi
    with ctx.sessions() as s:
        stored = s.scalars(
            select(PlanTask)
            .where(PlanTask.event_id == event_id)
            .order_by(PlanTask.commune_code, PlanTask.position)
        ).all()
    assert len(stored) == 4
    for task, spec in zip(stored, specs * 2, strict=True):
        assert (
            task.title_vi,
            task.title_en,
            task.guidance_vi,
            task.guidance_en,
            task.evidence_unit,
            task.offset_hours,
            task.priority,
        ) == (
            spec.title_vi,
            spec.title_en,
            spec.guidance_vi,
            spec.guidance_en,
            spec.evidence_unit,
            spec.offset_hours,
            spec.priority,
        )
        assert task.template_task_id is None and task.evidence_number is None
    eta = {c.commune_code: c.eta_utc for c in COMMUNES[:2]}
    first = stored[0]  # 06652, arrival ETA + 2 h
    assert first.deadline_utc.replace(tzinfo=UTC) == eta[first.commune_code] + (
        timedelta(hours=-0.1)
    )


def test_a_batch_without_any_arrival_or_approach(ctx):
    """Every time of the batch missing (all-NULL columns)."""
    event_id, _ = _events(ctx)
    nothing = [CommuneExposure(code, None, None, 0, 0) for code in C33[:2]]
    with ctx.transaction() as s:
        created = activate_plans(s, ADMIN, event_id, nothing, {}, clock=CLOCK)
    assert len(created) == 2
    with ctx.sessions() as s:
        plans = s.scalars(
            select(CommunePlan).where(CommunePlan.event_id == event_id)
        ).all()
        deadlines = s.scalars(
            select(PlanTask.deadline_utc).where(PlanTask.event_id == event_id)
        ).all()
    assert [(p.eta_utc, p.closest_utc) for p in plans] == [(None, None)] * 2
    assert deadlines and set(deadlines) == {None}
