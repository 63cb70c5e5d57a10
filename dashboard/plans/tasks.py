"""Ticking plan tasks: statuses, evidence, optimistic concurrency, history.

:func:`update_task` authorises (the commune's leader, its province's staff,
admins), validates (reason for ``not_applicable``/``blocked``; the evidence
the task asks for before ``done``), writes with a compare-and-set on
``version`` and audits, all in the caller's transaction. The write is one
``UPDATE … WHERE id = :id AND version = :read`` so two writers can never both
win, on SQLite and PostgreSQL alike; the loser gets :class:`Conflict`
with the current values and nothing is written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import String, cast, or_, select, update
from sqlalchemy.orm import Session

from dashboard import audit
from dashboard.auth import Principal, require_read_commune, require_work_commune
from dashboard.core.clock import Clock, scenario_now
from dashboard.core.errors import NotFound
from dashboard.core.time import as_utc_or_none
from dashboard.plans.model import (
    MAX_NOTE,
    MAX_REASON,
    OPEN_STATUSES,
    REASON_STATUSES,
    STATUSES,
    EvidenceError,
    PlanError,
    task_conflict,
    weight,
)
from dashboard.plans.photos import remove_photo, remove_unless_committed, store_photo
from dashboard.store.models.core import AuditEntry
from dashboard.store.models.plans import CommunePlan, PlanProgress, PlanTask

_UNSET: Any = object()


@dataclass(frozen=True)
class TaskView:
    """A plan task as read (``version`` is what a write must name)."""

    id: int
    plan_id: int
    event_id: int
    commune_code: str
    province_code: str
    position: int
    title_vi: str
    title_en: str
    guidance_vi: str
    guidance_en: str
    pillar: str
    priority: int
    deadline_kind: str
    offset_hours: float
    deadline_utc: datetime | None
    evidence: str
    evidence_unit: str
    status: str
    reason: str
    evidence_note: str
    evidence_number: float | None
    evidence_photo: str
    updated_at: datetime
    updated_by: str
    version: int

    def is_overdue(self, clock: Clock) -> bool:
        return (
            self.status in OPEN_STATUSES
            and self.deadline_utc is not None
            and self.deadline_utc < clock
        )

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_vi

    def guidance(self, lang: str) -> str:
        return self.guidance_en if lang == "en" else self.guidance_vi


_FIELDS = tuple(TaskView.__dataclass_fields__)


def _view(row: PlanTask) -> TaskView:
    values = {f: getattr(row, f) for f in _FIELDS}
    values["deadline_utc"] = as_utc_or_none(row.deadline_utc)
    values["updated_at"] = as_utc_or_none(row.updated_at)
    return TaskView(**values)


def _state(row: PlanTask | TaskView) -> dict[str, Any]:
    return {
        "status": row.status,
        "reason": row.reason,
        "evidence_note": row.evidence_note,
        "evidence_number": row.evidence_number,
        "evidence_photo": row.evidence_photo,
        "version": row.version,
        "updated_by": row.updated_by,
        "updated_at": as_utc_or_none(row.updated_at),
    }


def get_task(session: Session, actor: Principal, task_id: int) -> TaskView:
    row = session.get(PlanTask, task_id)
    if row is None:
        raise NotFound(f"no plan task {task_id}")
    require_read_commune(actor, row.commune_code)
    return _view(row)


def plan_tasks(session: Session, actor: Principal, plan_id: int) -> list[TaskView]:
    """Every task of one commune plan, in template order."""
    plan = session.get(CommunePlan, plan_id)
    if plan is None:
        raise NotFound(f"no commune plan {plan_id}")
    require_read_commune(actor, plan.commune_code)
    rows = session.scalars(
        select(PlanTask)
        .where(PlanTask.plan_id == plan_id)
        .order_by(PlanTask.position, PlanTask.id)
    )
    return [_view(r) for r in rows]


def _check(
    task: PlanTask,
    status: str,
    reason: str,
    note: str,
    number: float | None,
    photo: str,
) -> None:
    if status not in STATUSES:
        raise PlanError(
            f"unknown status {status!r} (use {', '.join(STATUSES)})",
            key="plans.err.bad_status",
            field="status",
            value=status,
        )
    if status in REASON_STATUSES and not reason.strip():
        raise PlanError(
            f"the status {status} needs a reason",
            key="plans.err.reason_required",
            field="reason",
            status=status,
        )
    if len(reason) > MAX_REASON:
        raise PlanError(
            f"the reason is longer than {MAX_REASON} characters",
            key="errors.too_long",
            field="reason",
            limit=MAX_REASON,
            length=len(reason),
        )
    if len(note) > MAX_NOTE:
        raise EvidenceError(
            f"the note is longer than {MAX_NOTE} characters",
            key="errors.too_long",
            field="note",
            limit=MAX_NOTE,
            length=len(note),
        )
    if number is not None and (not math.isfinite(number) or number < 0):
        raise EvidenceError(
            "the number must be 0 or more", key="plans.err.negative", field="number"
        )
    if status != "done":
        return
    if task.evidence == "note" and not note.strip():
        raise EvidenceError(
            "this task needs a note before it is done",
            key="plans.err.needs_note",
            field="note",
        )
    if task.evidence == "number" and number is None:
        raise EvidenceError(
            f"this task needs a number ({task.evidence_unit}) before it is done",
            key="plans.err.needs_number",
            field="number",
            unit=task.evidence_unit or "",
        )
    if task.evidence == "photo" and not photo:
        raise EvidenceError(
            "this task needs a photo before it is done",
            key="plans.err.needs_photo",
            field="photo",
        )


def _progress(
    session: Session, task: PlanTask, old: str, new: str, at: datetime
) -> None:
    w = float(weight(task.priority))
    done = (new == "done") - (old == "done")
    applicable = (old == "not_applicable") - (new == "not_applicable")
    if done or applicable:
        session.add(
            PlanProgress(
                event_id=task.event_id,
                province_code=task.province_code,
                commune_code=task.commune_code,
                task_id=task.id,
                at=at,
                done_delta=w * done,
                applicable_delta=w * applicable,
            )
        )


def update_task(
    session: Session,
    actor: Principal,
    task_id: int,
    expected_version: int,
    *,
    status: str | None = None,
    reason: str | None = None,
    note: str | None = None,
    number: float | None = _UNSET,
    photo: bytes | None = None,
    data_dir: Path | None = None,
    clock: Clock | None = None,
) -> TaskView:
    """Change a task's status and/or evidence; return it as written.

    Parameters
    ----------
    expected_version
        The ``version`` the caller read.
    status, reason, note, number
        New values; ``None`` (``number``: not given) keeps the stored one.
        ``number=None`` given explicitly clears the number.
    photo
        New photo bytes (stored under *data_dir*, see
        :mod:`dashboard.plans.photos`); the file is removed again unless the
        caller's transaction commits.

    Raises
    ------
    Forbidden
        The actor may not work on this commune.
    PlanError, EvidenceError
        A rule refuses the change; nothing is written.
    Conflict
        The task changed since *expected_version* was read; nothing is written.
    """
    task = session.get(PlanTask, task_id)
    if task is None:
        raise NotFound(f"no plan task {task_id}")
    require_work_commune(actor, task.commune_code)
    if task.version != expected_version:
        raise task_conflict(task_id, expected_version, _state(task))
    new_status = task.status if status is None else status
    new_reason = task.reason if reason is None else reason.strip()
    new_note = task.evidence_note if note is None else note.strip()
    new_number = task.evidence_number if number is _UNSET else number
    if new_number is not None:
        new_number = float(new_number)
    if photo is not None and data_dir is None:
        raise PlanError("a photo needs the data directory to be stored in")
    pending_photo = task.evidence_photo or ("pending" if photo is not None else "")
    _check(task, new_status, new_reason, new_note, new_number, pending_photo)
    if new_status not in REASON_STATUSES and reason is None:
        new_reason = task.reason if new_status == task.status else ""
    stored = None
    if photo is not None:
        assert data_dir is not None
        stored = store_photo(data_dir, task.event_id, task.commune_code, photo)
        remove_unless_committed(session, data_dir, stored.path)
    new_photo = stored.path if stored else task.evidence_photo
    old = _state(task)
    at = scenario_now(session, clock)
    values = {
        "status": new_status,
        "reason": new_reason,
        "evidence_note": new_note,
        "evidence_number": new_number,
        "evidence_photo": new_photo,
        "updated_at": at,
        "updated_by": actor.username,
        "version": expected_version + 1,
    }
    result = session.execute(
        update(PlanTask)
        .where(PlanTask.id == task_id, PlanTask.version == expected_version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        if stored is not None and data_dir is not None:
            remove_photo(data_dir, stored.path)
        session.expire(task)
        current = session.get(PlanTask, task_id)
        raise task_conflict(task_id, expected_version, _state(current))  # type: ignore[arg-type]
    session.expire(task)
    task = session.get(PlanTask, task_id)
    assert task is not None
    _progress(session, task, old["status"], new_status, at)
    changed_old = {k: v for k, v in old.items() if values.get(k, v) != v}
    changed_new = {k: values[k] for k in changed_old}
    audit.record(
        session,
        actor,
        "update",
        "plan_task",
        str(task_id),
        old=changed_old | {"version": expected_version},
        new=changed_new | {"version": expected_version + 1},
        reason=new_reason,
        at=at,
    )
    return _view(task)


# -- history -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    actor_role: str
    action: str
    object_type: str
    object_id: str
    old_value: str | None
    new_value: str | None
    reason: str


def _entries(session: Session, query) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            as_utc_or_none(e.at),  # type: ignore[arg-type]
            e.actor,
            e.actor_role,
            e.action,
            e.object_type,
            e.object_id,
            e.old_value,
            e.new_value,
            e.reason,
        )
        for e in session.scalars(query)
    ]


def task_history(
    session: Session, actor: Principal, task_id: int
) -> list[HistoryEntry]:
    """Audit rows of one task and of its plan (deadline moves), newest first."""
    task = session.get(PlanTask, task_id)
    if task is None:
        raise NotFound(f"no plan task {task_id}")
    require_read_commune(actor, task.commune_code)
    query = (
        select(AuditEntry)
        .where(
            or_(
                (AuditEntry.object_type == "plan_task")
                & (AuditEntry.object_id == str(task_id)),
                (AuditEntry.object_type == "commune_plan")
                & (AuditEntry.object_id == str(task.plan_id)),
            )
        )
        .order_by(AuditEntry.id.desc())
    )
    return _entries(session, query)


def commune_history(
    session: Session, actor: Principal, plan_id: int, limit: int = 1000
) -> list[HistoryEntry]:
    """Audit rows of one commune plan and all its tasks, newest first."""
    plan = session.get(CommunePlan, plan_id)
    if plan is None:
        raise NotFound(f"no commune plan {plan_id}")
    require_read_commune(actor, plan.commune_code)
    task_ids = select(cast(PlanTask.id, String)).where(PlanTask.plan_id == plan_id)
    query = (
        select(AuditEntry)
        .where(
            or_(
                (AuditEntry.object_type == "plan_task")
                & AuditEntry.object_id.in_(task_ids),
                (AuditEntry.object_type == "commune_plan")
                & (AuditEntry.object_id == str(plan_id)),
            )
        )
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    return _entries(session, query)
