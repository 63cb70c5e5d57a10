"""Plans on SQLite and PostgreSQL: activation, deadlines, ticking, scope, audit."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dashboard import scenario
from dashboard.auth import Forbidden
from dashboard.core.errors import Conflict
from dashboard.core.time import as_utc_or_none as utc
from dashboard.plans import EvidenceError, PlanError
from dashboard.plans.activation import activate_plans, apply_forecast
from dashboard.plans.photos import resolve
from dashboard.plans.readiness import commune_readiness, province_board
from dashboard.plans.tasks import commune_history, get_task, task_history, update_task
from dashboard.plans.templates import read_starter
from dashboard.store.models.core import AuditEntry
from dashboard.store.models.plans import CommunePlan, PlanProgress, PlanTask
from tests.support.plans_helpers import (
    ADMIN,
    CLOCK,
    CLOSEST,
    COMMUNE,
    DONG_CHAU,
    ETA,
    HA_TU_22,
    OTHER_33,
    OTHER_COMMUNE,
    PROVINCE_22,
    PROVINCE_33,
    VOLUNTEER,
    exposure,
    jpeg_bytes,
    make_setup,
)


def _audit(ctx, object_type, object_id):
    with ctx.sessions() as s:
        return list(
            s.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.object_type == object_type,
                    AuditEntry.object_id == str(object_id),
                )
                .order_by(AuditEntry.id)
            )
        )


def _tick(ctx, actor, task, **kw):
    with ctx.transaction() as s:
        return update_task(
            s, actor, task.id, task.version, data_dir=ctx.settings.data_dir, **kw
        )


# -- activation --------------------------------------------------------------------


def test_activation_gives_each_commune_its_tasks_with_absolute_deadlines(ctx):
    setup = make_setup(ctx)
    _, _, specs = read_starter()
    coastal = setup.tasks(ctx, DONG_CHAU)
    urban = setup.tasks(ctx, OTHER_33)
    # Coastal tasks (boats, sea ban) only for the coastal commune.
    assert any("tàu thuyền" in t.title_vi for t in coastal)
    assert not any("tàu thuyền" in t.title_vi for t in urban)
    every = [s for s in specs if not s.profiles]
    assert len(urban) >= len(every)
    for task in coastal:
        base = ETA if task.deadline_kind == "before_eta" else CLOSEST
        planned = base + timedelta(hours=task.offset_hours)
        # A deadline already past at activation is "due now" (the clock).
        assert task.deadline_utc.replace(tzinfo=base.tzinfo) == max(planned, CLOCK)
        assert task.status == "todo" and task.version == 1
    rows = _audit(ctx, "commune_plan", setup.plans[DONG_CHAU])
    assert rows[0].action == "activate" and rows[0].actor == "admin1"
    assert json.loads(rows[0].new_value)["tasks"] == len(coastal)


def test_activating_twice_skips_existing_plans(ctx):
    setup = make_setup(ctx)
    with ctx.transaction() as s:
        again = activate_plans(
            s, ADMIN, setup.event_id, [exposure(DONG_CHAU)], {DONG_CHAU: "coastal"}
        )
    assert again == []
    with ctx.sessions() as s:
        count = s.scalar(
            select(func.count()).where(CommunePlan.event_id == setup.event_id)
        )
    assert count == 3


def test_province_staff_cannot_activate_another_province(ctx):
    setup = make_setup(ctx, codes=(DONG_CHAU,))
    with ctx.transaction() as s, pytest.raises(Forbidden):
        activate_plans(
            s, PROVINCE_33, setup.event_id, [exposure(HA_TU_22)], {HA_TU_22: "urban"}
        )
    with ctx.transaction() as s:
        created = activate_plans(
            s, PROVINCE_33, setup.event_id, [exposure(OTHER_33)], {OTHER_33: "urban"}
        )
    assert len(created) == 1


def test_new_forecast_moves_open_deadlines_only_and_is_audited(ctx):
    setup = make_setup(ctx)
    done_task = setup.task(ctx, DONG_CHAU, "none")
    _tick(ctx, COMMUNE, done_task, status="done")
    before = {t.id: t.deadline_utc for t in setup.tasks(ctx, DONG_CHAU)}
    newer, _ = scenario.ensure_drill_forecast(
        ctx, scenario.Scenario(scenario.DRILL, CLOCK + timedelta(hours=6))
    )
    with ctx.transaction() as s:
        moved = apply_forecast(
            s, PROVINCE_33, setup.event_id, newer, {DONG_CHAU: exposure(DONG_CHAU, -6)}
        )
    assert moved == {DONG_CHAU: timedelta(hours=-6)}
    for task in setup.tasks(ctx, DONG_CHAU):
        if task.id == done_task.id:
            assert task.deadline_utc == before[task.id]
        elif before[task.id] is not None and utc(before[task.id]) > CLOCK:
            assert task.deadline_utc == before[task.id] - timedelta(hours=6)
        # (a task "due now" since activation gets its planned deadline, moved)
        assert task.version == (2 if task.id == done_task.id else 1)
    rows = _audit(ctx, "commune_plan", setup.plans[DONG_CHAU])
    assert rows[-1].action == "move_deadlines"
    assert len(json.loads(rows[-1].new_value)["tasks_moved"]) == len(before) - 1
    # The province staff of 33 did not touch Quảng Ninh's plan.
    assert _audit(ctx, "commune_plan", setup.plans[HA_TU_22])[-1].action == "activate"


# -- ticking ------------------------------------------------------------------------------


STATUSES = ["todo", "in_progress", "done", "not_applicable", "blocked"]


@pytest.mark.parametrize("old", STATUSES)
@pytest.mark.parametrize("new", STATUSES)
def test_every_status_transition(ctx, old, new):
    setup = make_setup(ctx, codes=(DONG_CHAU,))
    task = setup.task(ctx, DONG_CHAU, "none")
    if old != "todo":
        task_view = _tick(ctx, COMMUNE, task, status=old, reason="r0")
    else:
        with ctx.sessions() as s:
            task_view = get_task(s, COMMUNE, task.id)
    with ctx.transaction() as s:
        result = update_task(
            s,
            COMMUNE,
            task.id,
            task_view.version,
            status=new,
            reason="because" if new in ("not_applicable", "blocked") else None,
        )
    assert result.status == new
    assert result.version == task_view.version + 1
    row = _audit(ctx, "plan_task", task.id)[-1]
    assert row.actor == "dc-leader" and row.actor_role == "commune"
    assert json.loads(row.new_value)["version"] == result.version
    if old != new:
        assert json.loads(row.old_value)["status"] == old
        assert json.loads(row.new_value)["status"] == new


@pytest.mark.parametrize("status", ["not_applicable", "blocked"])
def test_reason_required(ctx, status):
    setup = make_setup(ctx, codes=(DONG_CHAU,))
    task = setup.task(ctx, DONG_CHAU, "none")
    with pytest.raises(PlanError, match="reason"):
        _tick(ctx, COMMUNE, task, status=status, reason="  ")
    assert setup.task(ctx, DONG_CHAU, "none").status == "todo"
    assert _audit(ctx, "plan_task", task.id) == []


def test_note_evidence(ctx):
    setup = make_setup(ctx, codes=(DONG_CHAU,))
    task = setup.task(ctx, DONG_CHAU, "note")
    with pytest.raises(EvidenceError, match="note"):
        _tick(ctx, COMMUNE, task, status="done")
    done = _tick(ctx, COMMUNE, task, status="done", note="Họp lúc 7h, đủ 12 người")
    assert done.evidence_note == "Họp lúc 7h, đủ 12 người"


def test_number_evidence(ctx):
    setup = make_setup(ctx, codes=(DONG_CHAU,))
    task = setup.task(ctx, DONG_CHAU, "number")
    with pytest.raises(EvidenceError):
        _tick(ctx, COMMUNE, task, status="done")
    with pytest.raises(EvidenceError, match="0 or more"):
        _tick(ctx, COMMUNE, task, status="done", number=-1)
    done = _tick(ctx, COMMUNE, task, status="done", number=215)
    assert done.evidence_number == 215.0 and done.evidence_unit


def test_photo_evidence_stored_on_disk_reencoded(ctx):
    setup = make_setup(ctx, codes=(DONG_CHAU,))
    task = setup.task(ctx, DONG_CHAU, "photo")
    with pytest.raises(EvidenceError, match="photo"):
        _tick(ctx, COMMUNE, task, status="done")
    with pytest.raises(EvidenceError, match="not a readable image"):
        _tick(ctx, COMMUNE, task, status="done", photo=b"GIF89a not really")
    big = jpeg_bytes((3000, 2000), fmt="PNG")
    done = _tick(ctx, COMMUNE, task, status="done", photo=big)
    path = resolve(ctx.settings.data_dir, done.evidence_photo)
    assert path is not None and path.suffix == ".jpg"
    from PIL import Image

    with Image.open(path) as image:
        assert image.format == "JPEG" and max(image.size) == 1600
    thumb = path.with_name(path.stem + "_thumb.jpg")
    assert thumb.exists()
    # Never in the database: only the relative path.
    assert not done.evidence_photo.startswith("/")


def test_conflict_keeps_the_first_write_and_reports_current_values(ctx):
    setup = make_setup(ctx, codes=(DONG_CHAU,))
    task = setup.task(ctx, DONG_CHAU, "none")
    _tick(ctx, COMMUNE, task, status="in_progress")
    with pytest.raises(Conflict) as err:
        _tick(ctx, PROVINCE_33, task, status="blocked", reason="no fuel")
    assert err.value.current["status"] == "in_progress"
    assert err.value.current["updated_by"] == "dc-leader"
    assert err.value.current["version"] == 2
    assert setup.task(ctx, DONG_CHAU, "none").status == "in_progress"
    assert len(_audit(ctx, "plan_task", task.id)) == 1


# -- scope ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "code"),
    [
        (OTHER_COMMUNE, DONG_CHAU),  # another commune's leader
        (VOLUNTEER, DONG_CHAU),  # volunteers never tick
        (PROVINCE_22, DONG_CHAU),  # another province
        (PROVINCE_33, HA_TU_22),
        (COMMUNE, OTHER_33),
    ],
)
def test_scope_refuses_and_writes_nothing(ctx, actor, code):
    setup = make_setup(ctx)
    task = setup.task(ctx, code, "none")
    with pytest.raises(Forbidden):
        _tick(ctx, actor, task, status="done")
    assert setup.task(ctx, code, "none").status == "todo"
    assert _audit(ctx, "plan_task", task.id) == []


@pytest.mark.parametrize("actor", [COMMUNE, PROVINCE_33, ADMIN])
def test_allowed_actors_tick(ctx, actor):
    setup = make_setup(ctx, codes=(DONG_CHAU,))
    task = setup.task(ctx, DONG_CHAU, "none")
    assert _tick(ctx, actor, task, status="done").updated_by == actor.username


def test_history_readable_in_scope_only(ctx):
    setup = make_setup(ctx)
    task = setup.task(ctx, DONG_CHAU, "none")
    _tick(ctx, COMMUNE, task, status="in_progress")
    with ctx.sessions() as s:
        rows = task_history(s, PROVINCE_33, task.id)
        assert [r.action for r in rows] == ["update", "activate"]
        assert len(commune_history(s, COMMUNE, setup.plans[DONG_CHAU])) == 2
        for who in (OTHER_COMMUNE, PROVINCE_22, VOLUNTEER):
            with pytest.raises(Forbidden):
                task_history(s, who, task.id)


def test_overdue_and_readiness_follow_the_scenario_clock(ctx):
    setup = make_setup(ctx, codes=(DONG_CHAU,))
    plan = setup.plans[DONG_CHAU]
    with ctx.sessions() as s:
        early = commune_readiness(s, COMMUNE, plan, CLOCK - timedelta(days=3))
        late = commune_readiness(s, COMMUNE, plan, CLOSEST + timedelta(days=5))
    assert early["overdue"] == 0
    assert late["overdue"] == late["tasks"]
    task = setup.task(ctx, DONG_CHAU, "none")
    _tick(ctx, COMMUNE, task, status="done")
    with ctx.sessions() as s:
        after = commune_readiness(s, COMMUNE, plan, CLOSEST + timedelta(days=5))
        board = province_board(s, PROVINCE_33, setup.event_id, "33", CLOCK)
        progress = s.scalar(select(func.count()).select_from(PlanProgress))
    assert after["overdue"] == late["overdue"] - 1
    assert 0 < after["readiness"] < 1
    assert board.loc[0, "done"] == 1
    assert progress == 1


def test_tasks_keep_their_commune_and_province(ctx):
    setup = make_setup(ctx)
    with ctx.sessions() as s:
        rows = s.execute(
            select(PlanTask.commune_code, PlanTask.province_code).distinct()
        ).all()
    assert set(rows) == {(DONG_CHAU, "33"), (OTHER_33, "33"), (HA_TU_22, "22")}
    assert setup.event_id > 0


def test_a_commune_without_level_6_winds_can_be_activated(ctx):
    # Only in the cone: no level-6 arrival (NaT in the exposure table), so
    # "before ETA" deadlines count from the closest approach instead.
    import pandas as pd

    from dashboard.plans.activation import exposures

    setup = make_setup(ctx, codes=(DONG_CHAU,))
    table = pd.DataFrame(
        {
            "commune_code": [HA_TU_22],
            "level6_eta_utc": [pd.NaT],
            "closest_approach_utc": [pd.Timestamp(CLOSEST)],
            "max_wind_level": [0],
            "risk_level": [1],
        }
    )
    (found,) = exposures(table).values()
    assert found.eta_utc is None and found.closest_utc == CLOSEST
    with ctx.transaction() as s:
        created = activate_plans(s, ADMIN, setup.event_id, [found], {HA_TU_22: ""})
    assert len(created) == 1
    with ctx.sessions() as s:
        tasks = list(
            s.scalars(select(PlanTask).where(PlanTask.commune_code == HA_TU_22))
        )
    assert tasks and all(t.deadline_utc is not None for t in tasks)


def test_a_fresh_activation_has_nothing_overdue(ctx):
    """Issue 15: 855 tasks were overdue right after activation because
    deadlines like ETA − 48 h had passed; they are now "due now"."""
    setup = make_setup(ctx, codes=(DONG_CHAU,))
    plan = setup.plans[DONG_CHAU]
    with ctx.sessions() as s:
        assert commune_readiness(s, COMMUNE, plan, CLOCK)["overdue"] == 0
        deadlines = list(
            s.scalars(select(PlanTask.deadline_utc).where(PlanTask.plan_id == plan))
        )
    assert any(d is not None and utc(d) == CLOCK for d in deadlines)  # due now
    assert all(d is None or utc(d) >= CLOCK for d in deadlines)
