"""Tables of commune feedback (issue 7, part 1).

A *feedback item* is a difficulty, recommendation or request that a commune
leader raises to the province. Province staff move it through the workflow
``received → assigned → answered → closed`` (a reopen sends it back to
``received``). The province code is denormalised so the province queue is one
indexed query; ``version`` implements optimistic concurrency (SQLAlchemy's
``version_id_col``: every UPDATE names the version it read).

Notification badges use counters rather than clocks: ``raise_count`` grows
each time the commune raises or reopens the item, ``answer_count`` each time
the province answers it. A *seen marker* stores, per user and item, the
counters that user has seen; an item is new for them while the item's counter
is larger than the marker's.
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
)
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.core.time import UTCDateTime
from dashboard.store.models.core import Base

TZ = UTCDateTime()

CATEGORIES = (
    "staffing",
    "equipment",
    "funding",
    "procedure",
    "infrastructure",
    "other",
)
#: Most pressing last; the queue sorts by the reverse of this order.
URGENCIES = ("normal", "urgent", "critical")
STATUSES = ("received", "assigned", "answered", "closed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class FeedbackItem(Base):
    __tablename__ = "feedback_items"
    __table_args__ = (
        Index("ix_feedback_items_province_status", "province_code", "status"),
        Index("ix_feedback_items_commune", "commune_code"),
        CheckConstraint(_in("category", CATEGORIES), name="ck_feedback_category"),
        CheckConstraint(_in("urgency", URGENCIES), name="ck_feedback_urgency"),
        CheckConstraint(_in("status", STATUSES), name="ck_feedback_status"),
        CheckConstraint("attachment_size >= 0", name="ck_feedback_attachment_size"),
        # A resend of the same draft (same author, same key) is stored once.
        Index("uq_feedback_items_client_key", "created_by", "client_key", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5), nullable=False)
    province_code: Mapped[str] = mapped_column(String(2), nullable=False)
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    urgency: Mapped[str] = mapped_column(String(8), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    # Relative to the data directory ("feedback/<uuid>.png"); "" = none.
    attachment_path: Mapped[str] = mapped_column(
        String(255), nullable=False, default=""
    )
    attachment_name: Mapped[str] = mapped_column(
        String(255), nullable=False, default=""
    )
    attachment_mime: Mapped[str] = mapped_column(
        String(100), nullable=False, default=""
    )
    attachment_size: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="received")
    department: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    owner: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    due_utc: Mapped[datetime | None] = mapped_column(TZ, nullable=True)
    answer: Mapped[str] = mapped_column(Text, nullable=False, default="")
    reopen_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    # The idempotency key the author's browser sent with the draft (or none).
    client_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Start of the current cycle: the first raise, or the latest reopen.
    raised_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    assigned_at: Mapped[datetime | None] = mapped_column(TZ, nullable=True)
    assigned_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(TZ, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(TZ, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    raise_count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    answer_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class FeedbackSeen(Base):
    """What one user has seen of one item (for the notification badge)."""

    __tablename__ = "feedback_seen"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_items.id", ondelete="CASCADE"), primary_key=True
    )
    seen_raise: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    seen_answer: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    seen_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
