"""Reading feedback: lists, one item, history, open urgent requests."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from dashboard.auth import (
    Forbidden,
    Principal,
    Role,
    can_read_commune,
    can_read_province,
    require,
    require_active,
)
from dashboard.core.clock import Clock
from dashboard.core.time import utc_now

# --------------------------------------------------------------------------- #
# reading
from dashboard.feedback.model import AWAITING_STATUSES, OBJECT_TYPE, FeedbackView
from dashboard.feedback.rules import _choice, _load, _view
from dashboard.store.models.core import AuditEntry
from dashboard.store.models.feedback import (
    CATEGORIES,
    STATUSES,
    URGENCIES,
    FeedbackItem,
    FeedbackSeen,
)


def _scope_filter(actor: Principal) -> ColumnElement[bool] | None:
    """Rows the actor may read (``None``: all of them, for admins)."""
    require_active(actor)
    if actor.role is Role.ADMIN:
        return None
    if actor.role is Role.PROVINCE:
        return FeedbackItem.province_code.in_(sorted(actor.province_codes))
    if actor.role is Role.COMMUNE and actor.commune_code:
        return FeedbackItem.commune_code == actor.commune_code
    raise Forbidden(f"not allowed: read feedback (you are {actor.role})")


def _new_condition(actor: Principal) -> ColumnElement[bool]:
    """SQL: the item is new for *actor* (needs the outer join on FeedbackSeen)."""
    if actor.role is Role.COMMUNE:
        return FeedbackItem.answer_count > func.coalesce(FeedbackSeen.seen_answer, 0)
    return and_(
        FeedbackItem.status != "closed",
        FeedbackItem.raise_count > func.coalesce(FeedbackSeen.seen_raise, 0),
    )


def _urgency_rank() -> ColumnElement[int]:
    return case(
        {u: rank for rank, u in enumerate(reversed(URGENCIES))},
        value=FeedbackItem.urgency,
        else_=len(URGENCIES),
    )


def list_items(
    session: Session,
    actor: Principal,
    *,
    province_code: str | None = None,
    commune_code: str | None = None,
    statuses: Iterable[str] | None = None,
    urgencies: Iterable[str] | None = None,
    categories: Iterable[str] | None = None,
) -> list[FeedbackView]:
    """Items the actor may read, most pressing first.

    Order: not closed before closed, then critical → urgent → normal, then
    the earliest due time (none last), then the oldest raise. A commune
    leader sees their commune's items; province staff their provinces'.

    Raises
    ------
    Forbidden
        For volunteers, or a province/commune outside the actor's scope.
    """
    scope = _scope_filter(actor)
    query = select(FeedbackItem, _new_condition(actor)).outerjoin(
        FeedbackSeen,
        and_(
            FeedbackSeen.item_id == FeedbackItem.id,
            FeedbackSeen.username == actor.username,
        ),
    )
    if scope is not None:
        query = query.where(scope)
    if province_code is not None:
        require(
            can_read_province(actor, province_code), f"read province {province_code}"
        )
        query = query.where(FeedbackItem.province_code == province_code)
    if commune_code is not None:
        require(can_read_commune(actor, commune_code), f"read commune {commune_code}")
        query = query.where(FeedbackItem.commune_code == commune_code)
    for column, values, allowed, name in (
        (FeedbackItem.status, statuses, STATUSES, "status"),
        (FeedbackItem.urgency, urgencies, URGENCIES, "urgency"),
        (FeedbackItem.category, categories, CATEGORIES, "category"),
    ):
        if values is not None:
            chosen = [_choice(name, v, allowed) for v in values]
            query = query.where(column.in_(chosen))
    query = query.order_by(
        case((FeedbackItem.status == "closed", 1), else_=0),
        _urgency_rank(),
        case((FeedbackItem.due_utc.is_(None), 1), else_=0),
        FeedbackItem.due_utc,
        FeedbackItem.raised_at,
        FeedbackItem.id,
    )
    return [_view(item, bool(new)) for item, new in session.execute(query)]


def get_item(session: Session, actor: Principal, item_id: int) -> FeedbackView:
    """One item, if the actor may read it."""
    item = _load(session, item_id)
    require(can_read_commune(actor, item.commune_code), f"read feedback #{item_id}")
    seen = session.get(FeedbackSeen, (actor.username, item_id))
    if actor.role is Role.COMMUNE:
        is_new = item.answer_count > (seen.seen_answer if seen else 0)
    else:
        is_new = item.status != "closed" and item.raise_count > (
            seen.seen_raise if seen else 0
        )
    return _view(item, is_new)


def history(session: Session, actor: Principal, item_id: int) -> list[AuditEntry]:
    """The item's audit rows, oldest first (who did what, when)."""
    item = _load(session, item_id)
    require(can_read_commune(actor, item.commune_code), f"read feedback #{item_id}")
    query = (
        select(AuditEntry)
        .where(AuditEntry.object_type == OBJECT_TYPE)
        .where(AuditEntry.object_id == str(item_id))
        .order_by(AuditEntry.id)
    )
    return list(session.scalars(query))


def open_urgent(
    session: Session,
    actor: Principal,
    province_code: str,
    clock: Clock | None = None,
) -> list[FeedbackView]:
    """Urgent and critical items of a province still waiting for the province
    (received or assigned), most pressing first: for the situation report.

    Use ``view.overdue(now)`` for the ones past their due time.
    """
    require(can_read_province(actor, province_code), f"read province {province_code}")
    utc_now(clock)  # validates an explicit clock
    return list_items(
        session,
        actor,
        province_code=province_code,
        statuses=AWAITING_STATUSES,
        urgencies=("urgent", "critical"),
    )
