"""Forwarding a commune's feedback item to a ministry (issue 14, part 1).

The feedback workflow (``received → assigned → answered → closed``) ends at
the province; some requests are beyond it (funding, national procedures) and
the province forwards them to a ministry. A forward is a recorded fact beside
the item — it does not change the item's status, so the province still
answers the commune (e.g. "đã chuyển Bộ Nông nghiệp và Môi trường").

Only the item's province staff (and admins) forward; commune leaders and
volunteers are refused. Every forward is audited in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import audit, registry
from dashboard.auth import (
    Principal,
    can_manage_province,
    can_read_province,
    is_staff,
    require,
)
from dashboard.core.clock import Clock
from dashboard.core.errors import Invalid, NotFound
from dashboard.core.time import as_utc
from dashboard.store.models.aar import FeedbackForward
from dashboard.store.models.feedback import FeedbackItem

__all__ = [
    "MINISTRIES",
    "ForwardError",
    "ForwardView",
    "forward_to_ministry",
    "forwards_of_item",
]

#: Ministries and ministry-level bodies after the 2025 restructuring (offered
#: as choices; another name may be typed).
MINISTRIES = (
    "Bộ Nội vụ",
    "Bộ Nông nghiệp và Môi trường",
    "Bộ Xây dựng",
    "Bộ Tài chính",
    "Bộ Công Thương",
    "Bộ Y tế",
    "Bộ Giáo dục và Đào tạo",
    "Bộ Khoa học và Công nghệ",
    "Bộ Văn hóa, Thể thao và Du lịch",
    "Bộ Dân tộc và Tôn giáo",
    "Bộ Tư pháp",
    "Bộ Ngoại giao",
    "Bộ Quốc phòng",
    "Bộ Công an",
    "Ngân hàng Nhà nước Việt Nam",
    "Thanh tra Chính phủ",
    "Văn phòng Chính phủ",
)
MAX_MINISTRY = 200
MAX_NOTE = 2000
#: A closed item is settled; forwarding it would reach the ministry too late.
FORWARDABLE_STATUSES = ("received", "assigned", "answered")
OBJECT_TYPE = "feedback_item"


class ForwardError(Invalid):
    """A forward the rules refuse; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class ForwardView:
    id: int
    item_id: int
    province_code: str
    commune_code: str
    commune_name: str
    category: str
    title: str
    ministry: str
    note: str
    forwarded_by: str
    forwarded_at: datetime


def view(row: FeedbackForward, item: FeedbackItem) -> ForwardView:
    return ForwardView(
        id=row.id,
        item_id=row.item_id,
        province_code=row.province_code,
        commune_code=row.commune_code,
        commune_name=registry.commune_name(row.commune_code),
        category=item.category,
        title=item.title,
        ministry=row.ministry,
        note=row.note,
        forwarded_by=row.forwarded_by,
        forwarded_at=as_utc(row.forwarded_at),
    )


def forward_to_ministry(
    session: Session,
    actor: Principal,
    item_id: int,
    ministry: str,
    note: str = "",
    clock: Clock | None = None,
) -> ForwardView:
    """Record that the province forwards feedback item *item_id* to *ministry*.

    Raises
    ------
    LookupError
        No such item.
    Forbidden
        Unless *actor* is an admin or province staff of the item's province.
    ForwardError
        ``ministry`` empty or too long, ``note`` too long, ``status`` (a
        closed item), or ``ministry`` again (already forwarded there).
    """
    item = session.get(FeedbackItem, item_id)
    if item is None:
        raise NotFound(f"no feedback item #{item_id}")
    require(
        is_staff(actor) and can_manage_province(actor, item.province_code),
        f"forward feedback #{item_id} to a ministry (needs province staff of "
        f"{item.province_code} or an admin, you are {actor.role})",
    )
    if not isinstance(ministry, str) or not ministry.strip():
        raise ForwardError("ministry", "is required")
    ministry = " ".join(ministry.split())
    if len(ministry) > MAX_MINISTRY:
        raise ForwardError("ministry", f"is longer than {MAX_MINISTRY} characters")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ForwardError("note", f"is longer than {MAX_NOTE} characters")
    if item.status not in FORWARDABLE_STATUSES:
        raise ForwardError(
            "status", f"feedback #{item_id} is {item.status}; reopen it first"
        )
    already = session.scalar(
        select(FeedbackForward.id).where(
            FeedbackForward.item_id == item_id, FeedbackForward.ministry == ministry
        )
    )
    if already is not None:
        raise ForwardError(
            "ministry", f"feedback #{item_id} was already forwarded to {ministry}"
        )
    if clock is not None and clock.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    at = (clock or datetime.now(UTC)).astimezone(UTC)
    row = FeedbackForward(
        item_id=item_id,
        province_code=item.province_code,
        commune_code=item.commune_code,
        ministry=ministry,
        note=note,
        forwarded_by=actor.username,
        forwarded_at=at,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "feedback.forward",
        OBJECT_TYPE,
        str(item_id),
        new={"ministry": ministry, "note": note, "forward_id": row.id},
        reason=note,
        at=at,
    )
    return view(row, item)


def forwards_of_item(
    session: Session, actor: Principal, item_id: int
) -> list[ForwardView]:
    """The forwards of one item, oldest first (readers of its province)."""
    item = session.get(FeedbackItem, item_id)
    if item is None:
        raise NotFound(f"no feedback item #{item_id}")
    require(
        is_staff(actor) and can_read_province(actor, item.province_code),
        f"read the forwards of feedback #{item_id}",
    )
    rows = session.scalars(
        select(FeedbackForward)
        .where(FeedbackForward.item_id == item_id)
        .order_by(FeedbackForward.forwarded_at, FeedbackForward.id)
    )
    return [view(r, item) for r in rows]
