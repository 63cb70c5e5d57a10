"""New-item badges: what each principal has not seen yet."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dashboard.auth import (
    Principal,
    Role,
    require,
)
from dashboard.core.clock import Clock
from dashboard.core.time import utc_now

# --------------------------------------------------------------------------- #
# notifications
from dashboard.feedback.reading import _new_condition, _scope_filter
from dashboard.store.models.feedback import (
    FeedbackItem,
    FeedbackSeen,
)


def unseen_count(session: Session, actor: Principal) -> int:
    """The number for the actor's badge.

    Province staff (and admins, nationwide): items not closed whose latest
    raise or reopen they have not seen. Commune leaders: their commune's items
    with an answer they have not seen. Volunteers: always 0.
    """
    if actor.role is Role.VOLUNTEER:
        return 0
    scope = _scope_filter(actor)
    query = (
        select(func.count())
        .select_from(FeedbackItem)
        .outerjoin(
            FeedbackSeen,
            and_(
                FeedbackSeen.item_id == FeedbackItem.id,
                FeedbackSeen.username == actor.username,
            ),
        )
        .where(_new_condition(actor))
    )
    if scope is not None:
        query = query.where(scope)
    return int(session.scalar(query) or 0)


def _upsert_seen(
    session: Session,
    username: str,
    rows: list[tuple[int, int | None, int | None]],
    clock: Clock,
) -> None:
    """Record (item id, raise counter, answer counter) as seen; ``None`` keeps
    the stored value. Counters never go back."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # The larger of two values: GREATEST on PostgreSQL, two-argument MAX on SQLite.
    larger = func.greatest if dialect == "postgresql" else func.max
    for item_id, seen_raise, seen_answer in rows:
        statement = insert(FeedbackSeen).values(
            username=username,
            item_id=item_id,
            seen_raise=seen_raise or 0,
            seen_answer=seen_answer or 0,
            seen_at=clock,
        )
        updates: dict[str, Any] = {"seen_at": clock}
        if seen_raise is not None:
            updates["seen_raise"] = larger(
                FeedbackSeen.seen_raise, statement.excluded.seen_raise
            )
        if seen_answer is not None:
            updates["seen_answer"] = larger(
                FeedbackSeen.seen_answer, statement.excluded.seen_answer
            )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["username", "item_id"], set_=updates
            )
        )


def mark_seen(
    session: Session,
    actor: Principal,
    item_ids: Iterable[int] | None = None,
    clock: Clock | None = None,
) -> int:
    """Mark items as seen by the actor (``None``: every item that is new for
    them); returns how many were new. Not audited: it changes no item, only
    this user's badge."""
    if actor.role is Role.VOLUNTEER:
        return 0
    scope = _scope_filter(actor)
    query = select(
        FeedbackItem.id, FeedbackItem.raise_count, FeedbackItem.answer_count
    ).outerjoin(
        FeedbackSeen,
        and_(
            FeedbackSeen.item_id == FeedbackItem.id,
            FeedbackSeen.username == actor.username,
        ),
    )
    if scope is not None:
        query = query.where(scope)
    if item_ids is None:
        query = query.where(_new_condition(actor))
    else:
        wanted = sorted({int(i) for i in item_ids})
        if not wanted:
            return 0
        query = query.where(FeedbackItem.id.in_(wanted))
    rows = session.execute(query).all()
    if item_ids is not None:
        missing = sorted(set(wanted) - {r.id for r in rows})
        require(not missing, f"read feedback #{', #'.join(map(str, missing))}")
    new_before = unseen_count(session, actor)
    _upsert_seen(
        session,
        actor.username,
        [(r.id, r.raise_count, r.answer_count) for r in rows],
        utc_now(clock),
    )
    return new_before - unseen_count(session, actor)
