"""Tables of CAP alerts (issue #14): drafts, approvals, publications.

One row per CAP message (``identifier`` is unique: one storm, province and
advisory). ``state`` moves ``draft`` → ``approved`` → ``published``; a
published row is never changed again (its ``xml`` is what was served). The
CAP ``status`` (Actual/Exercise) and ``msgType`` are kept beside the XML so
the feed and the lists need no XML parsing. Who drafted, approved and
published is on the row; the audit log has the full history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.core.time import UTCDateTime
from dashboard.store.models.core import Base

TZ = UTCDateTime()


class CapAlertRow(Base):
    __tablename__ = "cap_alerts"
    __table_args__ = (
        Index("ix_cap_alerts_province_state", "province_code", "state"),
        Index("ix_cap_alerts_state_published", "state", "published_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identifier: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)
    sender: Mapped[str] = mapped_column(String(200), nullable=False)
    province_code: Mapped[str] = mapped_column(String(2), nullable=False)
    storm_id: Mapped[str] = mapped_column(String(64), nullable=False)
    storm_name: Mapped[str] = mapped_column(String(200), nullable=False)
    advisory_utc: Mapped[datetime] = mapped_column(TZ, nullable=False)
    # draft | approved | published
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    # CAP <status> (Actual | Exercise) and <msgType> (Alert | Update).
    cap_status: Mapped[str] = mapped_column(String(16), nullable=False)
    msg_type: Mapped[str] = mapped_column(String(8), nullable=False)
    sent: Mapped[datetime] = mapped_column(TZ, nullable=False)
    expires: Mapped[datetime] = mapped_column(TZ, nullable=False)
    risk_level: Mapped[int] = mapped_column(Integer, nullable=False)
    severity: Mapped[str] = mapped_column(String(16), nullable=False)
    urgency: Mapped[str] = mapped_column(String(16), nullable=False)
    certainty: Mapped[str] = mapped_column(String(16), nullable=False)
    headline_vi: Mapped[str] = mapped_column(String(300), nullable=False)
    headline_en: Mapped[str] = mapped_column(String(300), nullable=False)
    commune_count: Mapped[int] = mapped_column(Integer, nullable=False)
    # The CAP message itself (UTF-8 XML).
    xml: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    approved_at: Mapped[datetime | None] = mapped_column(TZ, nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(TZ, nullable=True)
    published_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
