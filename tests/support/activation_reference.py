"""The plan activation as it was before the bulk rewrite: one plan, its tasks
and one audit row at a time.

The reference the bulk activation is compared with
(``tests/plans/test_activation_bulk.py``) and the baseline of the
``activation`` benchmark (``benchmarks/activation_bench.py``): one copy for both.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import audit, registry
from dashboard.auth import Principal, require_manage_province
from dashboard.core.clock import Clock
from dashboard.core.errors import NotFound
from dashboard.plans.activation import CommuneExposure, deadline
from dashboard.plans.model import (
    PlanError,
    applies,
    due_now,
    join_profiles,
    split_profiles,
)
from dashboard.plans.templates import ensure_starter, template_tasks
from dashboard.store.models.plans import CommunePlan, PlanTask, StormEvent


def activate_row_by_row(
    session: Session,
    actor: Principal,
    event_id: int,
    communes: Iterable[CommuneExposure],
    profiles: dict[str, frozenset[str] | str],
    template_id: int | None = None,
    clock: Clock | None = None,
) -> list[int]:
    """``activate_plans`` as it was before the bulk rewrite (row by row)."""
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
    at = clock or datetime.now(UTC)
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
