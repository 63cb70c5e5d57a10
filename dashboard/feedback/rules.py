"""Shared checks of the feedback services: validation, scope, loading with
optimistic versioning, saving with audit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dashboard import audit, registry
from dashboard.auth import (
    Principal,
    can_manage_province,
    can_read_commune,
    is_staff,
    require,
)
from dashboard.core.clock import Clock
from dashboard.core.errors import NotFound
from dashboard.core.time import as_utc_or_none

# --------------------------------------------------------------------------- #
# helpers
from dashboard.feedback.model import (
    OBJECT_TYPE,
    TRANSITIONS,
    FeedbackError,
    FeedbackView,
    item_conflict,
)
from dashboard.store.models.feedback import (
    FeedbackItem,
)


def _text(field: str, value: object, limit: int, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise FeedbackError(field, "must be text", key="errors.not_text")
    cleaned = value.strip()
    if required and not cleaned:
        raise FeedbackError(field, "is required", key="errors.required")
    if len(cleaned) > limit:
        raise FeedbackError(
            field,
            f"is {len(cleaned)} characters long; at most {limit} are allowed",
            key="errors.too_long",
            length=len(cleaned),
            limit=limit,
        )
    return cleaned


def _choice(field: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise FeedbackError(
            field,
            f"{value!r} is not one of {', '.join(allowed)}",
            key="errors.not_allowed",
            value=value,
        )
    return str(value)


def _view(item: FeedbackItem, is_new: bool = False) -> FeedbackView:
    return FeedbackView(
        id=item.id,
        commune_code=item.commune_code,
        commune_name=registry.commune_name(item.commune_code),
        province_code=item.province_code,
        category=item.category,
        urgency=item.urgency,
        title=item.title,
        text=item.body,
        status=item.status,
        department=item.department,
        owner=item.owner,
        due_utc=as_utc_or_none(item.due_utc),
        answer=item.answer,
        reopen_reason=item.reopen_reason,
        attachment_name=item.attachment_name,
        attachment_mime=item.attachment_mime,
        attachment_size=item.attachment_size,
        created_at=as_utc_or_none(item.created_at),  # type: ignore[arg-type]
        created_by=item.created_by,
        raised_at=as_utc_or_none(item.raised_at),  # type: ignore[arg-type]
        assigned_at=as_utc_or_none(item.assigned_at),
        assigned_by=item.assigned_by,
        answered_at=as_utc_or_none(item.answered_at),
        answered_by=item.answered_by,
        closed_at=as_utc_or_none(item.closed_at),
        closed_by=item.closed_by,
        raise_count=item.raise_count,
        answer_count=item.answer_count,
        updated_at=as_utc_or_none(item.updated_at),  # type: ignore[arg-type]
        updated_by=item.updated_by,
        version=item.version,
        is_new=is_new,
    )


def _snapshot(item: FeedbackItem) -> dict[str, Any]:
    return {
        "status": item.status,
        "department": item.department,
        "owner": item.owner,
        "due_utc": as_utc_or_none(item.due_utc).isoformat() if item.due_utc else None,
        "answer": item.answer,
        "version": item.version,
        "updated_by": item.updated_by,
        "updated_at": as_utc_or_none(item.updated_at).isoformat()
        if item.updated_at
        else None,
    }


def _is_triager(actor: Principal) -> bool:
    return is_staff(actor)


def _load(session: Session, item_id: int) -> FeedbackItem:
    item = session.get(FeedbackItem, item_id)
    if item is None:
        raise NotFound(f"no feedback item #{item_id}")
    return item


def _load_for_change(
    session: Session, actor: Principal, item_id: int, expected_version: int
) -> FeedbackItem:
    item = _load(session, item_id)
    require(
        can_read_commune(actor, item.commune_code),
        f"change feedback #{item_id} of commune {item.commune_code}",
    )
    if item.version != expected_version:
        raise item_conflict(item_id, expected_version, _snapshot(item))
    return item


def _require_triage(actor: Principal, item: FeedbackItem, action: str) -> None:
    require(
        can_manage_province(actor, item.province_code),
        f"{action} feedback #{item.id} (needs province staff of "
        f"{item.province_code} or an admin, you are {actor.role})",
    )


def _require_status(item: FeedbackItem, action: str) -> None:
    allowed = TRANSITIONS[action]
    if item.status not in allowed:
        raise FeedbackError(
            "status",
            f"cannot {action} feedback #{item.id}: it is {item.status} "
            f"(allowed from {', '.join(allowed)})",
            key="feedback.err.bad_status",
            item_id=item.id,
        )


def _save(
    session: Session,
    actor: Principal,
    item: FeedbackItem,
    action: str,
    old: dict[str, Any],
    expected_version: int,
    clock: Clock,
    reason: str = "",
) -> FeedbackView:
    item_id = item.id
    item.updated_at = clock
    item.updated_by = actor.username
    try:
        session.flush()
    except StaleDataError as exc:  # changed between our read and our write
        raise item_conflict(
            item_id,
            expected_version,
            {"version": "newer", "updated_by": "another user", "status": "changed"},
        ) from exc
    audit.record(
        session,
        actor,
        f"feedback.{action}",
        OBJECT_TYPE,
        str(item.id),
        old=old,
        new=_snapshot(item),
        reason=reason,
        at=clock,
    )
    return _view(item)
