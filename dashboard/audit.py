"""The append-only audit log: who changed what, when, old value → new value.

Rows are only ever inserted; the database refuses UPDATE and DELETE on the
table (triggers installed by the first migration).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.auth import Principal, Role, require
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
    """Append one row, in the caller's transaction (so it commits with the change)."""
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


def entries(
    session: Session,
    actor: Principal,
    object_type: str | None = None,
    object_id: str | None = None,
    limit: int = 500,
) -> list[AuditEntry]:
    """Newest first. Only admins read the whole log; others read per object
    through the services that know the object's scope."""
    require(actor.role is Role.ADMIN, "read the whole audit log")
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    return list(session.scalars(query))
