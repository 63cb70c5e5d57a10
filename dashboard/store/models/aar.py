"""Tables of the weekly report to the Ministry and the after-action review (issue 14).

* :class:`FeedbackForward` — a commune feedback item the province forwards to
  a ministry (the feedback workflow itself has no such step; forwarding does
  not change the item's status, it is a fact recorded beside it).
* :class:`WeeklyReportNote` — the province's own summary text for one ISO
  week, saved as a draft from the page and printed in the report.
* :class:`DamageReport` — what one commune reports after a storm event:
  people evacuated, houses damaged, casualties, notes. One row per commune
  and event, corrected in place (``version``: optimistic concurrency; every
  change is in the audit log).

Created by migration 0008 (which also merges the migration branches).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
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

#: The casualty and damage figures of a damage report (all whole numbers ≥ 0).
DAMAGE_FIELDS = ("people_evacuated", "houses_damaged", "deaths", "injured", "missing")


class FeedbackForward(Base):
    __tablename__ = "feedback_forwards"
    __table_args__ = (
        UniqueConstraint("item_id", "ministry", name="uq_feedback_forward_ministry"),
        Index("ix_feedback_forwards_province_at", "province_code", "forwarded_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_items.id", ondelete="CASCADE"), nullable=False
    )
    province_code: Mapped[str] = mapped_column(String(2), nullable=False)
    commune_code: Mapped[str] = mapped_column(String(5), nullable=False)
    ministry: Mapped[str] = mapped_column(String(200), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    forwarded_by: Mapped[str] = mapped_column(String(64), nullable=False)
    forwarded_at: Mapped[datetime] = mapped_column(TZ, nullable=False)


class WeeklyReportNote(Base):
    __tablename__ = "weekly_report_notes"
    __table_args__ = (
        UniqueConstraint("province_code", "iso_week", name="uq_weekly_note_week"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), nullable=False)
    # "2025-W29"
    iso_week: Mapped[str] = mapped_column(String(8), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class DamageReport(Base):
    __tablename__ = "damage_reports"
    __table_args__ = (
        UniqueConstraint("event_id", "commune_code", name="uq_damage_event_commune"),
        Index("ix_damage_reports_event_province", "event_id", "province_code"),
        *(
            CheckConstraint(f"{name} >= 0", name=f"ck_damage_{name}")
            for name in DAMAGE_FIELDS
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("storm_events.id"), nullable=False)
    storm_id: Mapped[str] = mapped_column(String(64), nullable=False)
    province_code: Mapped[str] = mapped_column(String(2), nullable=False)
    commune_code: Mapped[str] = mapped_column(String(5), nullable=False)
    people_evacuated: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    houses_damaged: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    deaths: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    injured: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    missing: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    reported_by: Mapped[str] = mapped_column(String(64), nullable=False)
    reported_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
