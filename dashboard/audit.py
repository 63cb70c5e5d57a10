"""The append-only audit log: who changed what, when, old value → new value.

Rows are only ever inserted; the database refuses UPDATE and DELETE on the
table (triggers installed by the first migration).

Every write service records here, so :func:`record` is also the last line of
revocation: it refuses (``errors.signed_out``) an actor whose account or
session no longer holds, and the caller's transaction rolls back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.auth import Principal, require_active, require_admin
from dashboard.core.clock import scenario_now
from dashboard.store.models.core import AuditEntry


def _encode(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(
    session: Session,
    actor: Principal,
    action: str,
    object_type: str,
    object_id: str,
    old: Any = None,
    new: Any = None,
    reason: str = "",
    at: datetime | None = None,
) -> AuditEntry:
    """Append one row, in the caller's transaction (so it commits with the change).

    Raises
    ------
    Forbidden
        ``errors.signed_out`` when *actor* was disabled, changed or signed out.
    """
    require_active(actor)
    entry = AuditEntry(
        at=scenario_now(session, at),
        actor=actor.username,
        actor_role=str(actor.role),
        action=action,
        object_type=object_type,
        object_id=object_id,
        old_value=_encode(old),
        new_value=_encode(new),
        reason=reason,
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class Change:
    """One row for :func:`rows` (the arguments of :func:`record`)."""

    action: str
    object_type: str
    object_id: str
    old: Any = None
    new: Any = None
    reason: str = ""


def rows(
    actor: Principal, changes: Iterable[Change], at: datetime | None = None
) -> list[dict[str, Any]]:
    """The ``audit_log`` rows (column → value) :func:`record` would write for
    each change, for the caller to insert in bulk in its transaction (e.g.
    activation: one row per plan)."""
    when = at or datetime.now(UTC)
    return [
        {
            "at": when,
            "actor": actor.username,
            "actor_role": str(actor.role),
            "action": c.action,
            "object_type": c.object_type,
            "object_id": c.object_id,
            "old_value": _encode(c.old),
            "new_value": _encode(c.new),
            "reason": c.reason,
        }
        for c in changes
    ]


def entries(
    session: Session,
    actor: Principal,
    object_type: str | None = None,
    object_id: str | None = None,
    limit: int = 500,
) -> list[AuditEntry]:
    """Newest first. Only admins read the whole log; others read per object
    through the services that know the object's scope."""
    require_admin(actor, "read the whole audit log")
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    return list(session.scalars(query))
