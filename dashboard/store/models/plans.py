"""Tables of response plans (issue: plans and readiness).

A *template* is a reusable list of tasks. A *storm event* (a real storm or a
drill) gets one *commune plan* per activated commune, whose *plan tasks* are
copies of the template's tasks with absolute deadlines. Plan tasks carry the
commune and province codes (denormalised) so the province board is one
indexed query; ``version`` implements optimistic concurrency (a write names
the version it read, and fails if someone else changed the row meanwhile).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.core.time import UTCDateTime
from dashboard.store.models.core import Base

TZ = UTCDateTime()


class PlanTemplate(Base):
    __tablename__ = "plan_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)


class TemplateTask(Base):
    __tablename__ = "template_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("plan_templates.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    title_vi: Mapped[str] = mapped_column(String(300), nullable=False)
    title_en: Mapped[str] = mapped_column(String(300), nullable=False)
    guidance_vi: Mapped[str] = mapped_column(Text, nullable=False, default="")
    guidance_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # command | forces | materials | logistics | information
    pillar: Mapped[str] = mapped_column(String(16), nullable=False)
    # 1 (highest) .. 3
    priority: Mapped[int] = mapped_column(Integer, nullable=False, default=2)
    # before_eta: deadline = level-6 ETA + offset_hours (offset negative);
    # after_storm: deadline = closest approach + offset_hours (offset positive).
    deadline_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    offset_hours: Mapped[float] = mapped_column(Float, nullable=False, default=0)
    # none | note | number | photo
    evidence: Mapped[str] = mapped_column(String(8), nullable=False, default="none")
    evidence_unit: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    # Comma-separated profiles it applies to (empty = every commune):
    # coastal, riverine, mountain, urban, island.
    profiles: Mapped[str] = mapped_column(String(100), nullable=False, default="")


class StormEvent(Base):
    """A storm the province responds to (real or drill)."""

    __tablename__ = "storm_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    storm_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    forecast_id: Mapped[int | None] = mapped_column(
        ForeignKey("forecasts.id"), nullable=True
    )
    is_drill: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)


class CommunePlan(Base):
    """One commune's activated plan for a storm event."""

    __tablename__ = "commune_plans"
    __table_args__ = (
        UniqueConstraint("event_id", "commune_code", name="uq_plan_event_commune"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("storm_events.id"), nullable=False)
    commune_code: Mapped[str] = mapped_column(String(5), nullable=False)
    province_code: Mapped[str] = mapped_column(String(2), nullable=False, index=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("plan_templates.id"), nullable=False
    )
    profiles: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    # The level-6 wind arrival and closest approach the deadlines count from.
    eta_utc: Mapped[datetime | None] = mapped_column(TZ, nullable=True)
    closest_utc: Mapped[datetime | None] = mapped_column(TZ, nullable=True)
    max_wind_level: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    risk_level: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    activated_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    activated_by: Mapped[str] = mapped_column(String(64), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(TZ, nullable=False)


class PlanTask(Base):
    __tablename__ = "plan_tasks"
    __table_args__ = (
        Index("ix_plan_tasks_event_province", "event_id", "province_code"),
        Index("ix_plan_tasks_plan", "plan_id"),
        Index("ix_plan_tasks_event_commune", "event_id", "commune_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("commune_plans.id"), nullable=False)
    event_id: Mapped[int] = mapped_column(ForeignKey("storm_events.id"), nullable=False)
    commune_code: Mapped[str] = mapped_column(String(5), nullable=False)
    province_code: Mapped[str] = mapped_column(String(2), nullable=False)
    template_task_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    title_vi: Mapped[str] = mapped_column(String(300), nullable=False)
    title_en: Mapped[str] = mapped_column(String(300), nullable=False)
    guidance_vi: Mapped[str] = mapped_column(Text, nullable=False, default="")
    guidance_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    pillar: Mapped[str] = mapped_column(String(16), nullable=False)
    priority: Mapped[int] = mapped_column(Integer, nullable=False)
    deadline_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    offset_hours: Mapped[float] = mapped_column(Float, nullable=False)
    deadline_utc: Mapped[datetime | None] = mapped_column(TZ, nullable=True)
    evidence: Mapped[str] = mapped_column(String(8), nullable=False)
    evidence_unit: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    # todo | in_progress | done | not_applicable | blocked
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="todo")
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    evidence_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    evidence_number: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Path of the photo relative to the data directory (never in the database).
    evidence_photo: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    updated_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


# Extra plan tables (migration 0007): the progress log behind the charts.
#
# :class:`PlanProgress` gets one row each time a plan task enters or leaves the
# ``done`` or ``not_applicable`` status, with the weight it adds to (or takes
# from) its commune's numerator and denominator. Summing the deltas up to a time
# gives the weighted readiness at that time, so "progress over time" is a query
# over status *changes*, never over every task. Rows are only inserted.
class PlanProgress(Base):
    __tablename__ = "plan_progress"
    __table_args__ = (
        Index("ix_plan_progress_event_province_at", "event_id", "province_code", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("storm_events.id"), nullable=False)
    province_code: Mapped[str] = mapped_column(String(2), nullable=False)
    commune_code: Mapped[str] = mapped_column(String(5), nullable=False)
    task_id: Mapped[int] = mapped_column(Integer, nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # + weight when the task becomes done, - weight when it stops being done.
    done_delta: Mapped[float] = mapped_column(Float, nullable=False, default=0)
    # - weight when the task becomes not applicable, + weight when it comes back.
    applicable_delta: Mapped[float] = mapped_column(Float, nullable=False, default=0)
