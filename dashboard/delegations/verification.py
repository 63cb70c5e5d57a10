"""Delegations verify the commune's plan tasks (kept apart from the commune's
own status).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import audit
from dashboard.auth import (
    Principal,
    require_manage_province,
)
from dashboard.core.clock import Clock, scenario_now
from dashboard.core.time import as_utc_or_none
from dashboard.delegations.common import (
    _communes,
    _load,
    _require_read,
    _text,
)

# --------------------------------------------------------------------------
# Verification of plan tasks
from dashboard.delegations.model import PlanTaskInfo, VerificationView
from dashboard.delegations.rules import (
    MAX_TEXT,
    VERIFICATION_RESULTS,
    DelegationError,
)
from dashboard.store.models.delegations import (
    TaskVerification,
)
from dashboard.store.models.plans import PlanTask


def _verification_view(v: TaskVerification) -> VerificationView:
    return VerificationView(
        v.delegation_id,
        v.plan_task_id,
        v.commune_code,
        v.result,
        v.note,
        v.verified_by,
        as_utc_or_none(v.verified_at),
    )


def verify_task(
    session: Session,
    actor: Principal,
    delegation_id: int,
    plan_task_id: int,
    result: str,
    note: str = "",
    clock: Clock | None = None,
) -> VerificationView:
    """Mark a covered commune's plan task ``verified`` or ``problem_found``.

    The commune's own task status is not touched. ``problem_found`` needs a
    note; the delegation must be on site (or back, to correct its record).
    """
    row = _load(session, delegation_id)
    require_manage_province(actor, row.province_code)
    if result not in VERIFICATION_RESULTS:
        raise DelegationError(
            "bad_result", "result", f"result must be one of {VERIFICATION_RESULTS}"
        )
    note = _text(note, "note", MAX_TEXT, required=result == "problem_found")
    if row.status not in ("on_site", "returned"):
        raise DelegationError(
            "not_on_site", "status", "tasks are verified on site (check in first)"
        )
    task = session.get(PlanTask, plan_task_id)
    covered = {c.commune_code for c in _communes(session, row.id)}
    if task is None or task.event_id != row.event_id:
        raise DelegationError(
            "task_not_found", "task", f"no plan task {plan_task_id} in this storm event"
        )
    if task.commune_code not in covered:
        raise DelegationError(
            "commune_not_covered",
            "task",
            f"task {plan_task_id} belongs to commune {task.commune_code}, which "
            "the delegation does not cover",
            commune=task.commune_code,
        )
    found = session.scalar(
        select(TaskVerification).where(
            TaskVerification.delegation_id == row.id,
            TaskVerification.plan_task_id == plan_task_id,
        )
    )
    old = None if found is None else {"result": found.result, "note": found.note}
    at = scenario_now(session, clock)
    if found is None:
        found = TaskVerification(
            delegation_id=row.id,
            plan_task_id=plan_task_id,
            commune_code=task.commune_code,
            result=result,
            note=note,
            verified_by=actor.username,
            verified_at=at,
        )
        session.add(found)
    else:
        found.result, found.note = result, note
        found.verified_by, found.verified_at = actor.username, at
    session.flush()
    audit.record(
        session,
        actor,
        "verify_task",
        "plan_task",
        str(plan_task_id),
        old=old,
        new={"result": result, "note": note, "delegation": row.id},
    )
    return _verification_view(found)


def verifications(
    session: Session, actor: Principal, delegation_id: int
) -> list[VerificationView]:
    row = _load(session, delegation_id)
    _require_read(actor, row, session)
    rows = session.scalars(
        select(TaskVerification)
        .where(TaskVerification.delegation_id == delegation_id)
        .order_by(TaskVerification.plan_task_id)
    )
    return [_verification_view(v) for v in rows]


def tasks_to_verify(
    session: Session, actor: Principal, delegation_id: int, commune_code: str
) -> list[PlanTaskInfo]:
    """The plan tasks of a covered commune, with this delegation's verification."""
    row = _load(session, delegation_id)
    _require_read(actor, row, session)
    if commune_code not in {c.commune_code for c in _communes(session, row.id)}:
        raise DelegationError(
            "commune_not_covered",
            "commune",
            f"delegation {row.id} does not cover commune {commune_code}",
            commune=commune_code,
        )
    done = {
        v.plan_task_id: _verification_view(v)
        for v in session.scalars(
            select(TaskVerification).where(TaskVerification.delegation_id == row.id)
        )
    }
    tasks = session.scalars(
        select(PlanTask)
        .where(PlanTask.event_id == row.event_id, PlanTask.commune_code == commune_code)
        .order_by(PlanTask.position, PlanTask.id)
    )
    return [
        PlanTaskInfo(
            t.id,
            t.commune_code,
            t.position,
            t.title_vi,
            t.title_en,
            t.pillar,
            t.priority,
            t.status,
            as_utc_or_none(t.deadline_utc),
            done.get(t.id),
        )
        for t in tasks
    ]
