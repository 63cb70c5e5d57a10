"""Extra plan tables (migration 0007): the progress log behind the charts.

:class:`PlanProgress` gets one row each time a plan task enters or leaves the
``done`` or ``not_applicable`` status, with the weight it adds to (or takes
from) its commune's numerator and denominator. Summing the deltas up to a time
gives the weighted readiness at that time, so "progress over time" is a query
over status *changes*, never over every task. Rows are only inserted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.store.schema import Base


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
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # + weight when the task becomes done, - weight when it stops being done.
    done_delta: Mapped[float] = mapped_column(Float, nullable=False, default=0)
    # - weight when the task becomes not applicable, + weight when it comes back.
    applicable_delta: Mapped[float] = mapped_column(Float, nullable=False, default=0)
