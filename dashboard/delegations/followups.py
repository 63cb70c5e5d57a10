"""Follow-up items a delegation raises, with an owner and a due time."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import audit, registry
from dashboard.auth import (
    Principal,
    Role,
    can_read_province,
    require,
    require_manage_province,
    require_work_commune,
)
from dashboard.core.clock import Clock, scenario_now
from dashboard.core.time import as_utc_or_none
from dashboard.delegations.common import (
    _check_version,
    _communes,
    _flush,
    _load,
    _require_read,
    _text,
)

# --------------------------------------------------------------------------
# Follow-up items
from dashboard.delegations.model import FollowUpView
from dashboard.delegations.rules import (
    FOLLOWUP_STATUSES,
    MAX_NAME,
    MAX_TEXT,
    DelegationError,
)
from dashboard.store import idempotency
from dashboard.store.models.delegations import (
    Delegation,
    FollowUp,
)


def _followup_view(session: Session, f: FollowUp) -> FollowUpView:
    delegation = session.get(Delegation, f.delegation_id)
    return FollowUpView(
        id=f.id,
        delegation_id=f.delegation_id,
        delegation_name=delegation.name if delegation else "",
        event_id=f.event_id,
        province_code=f.province_code,
        commune_code=f.commune_code,
        commune_name=registry.commune_name(f.commune_code),
        text=f.text,
        owner=f.owner,
        due_utc=as_utc_or_none(f.due_utc),
        status=f.status,
        version=f.version,
        created_by=f.created_by,
        created_at=as_utc_or_none(f.created_at),
    )


def raise_followup(
    session: Session,
    actor: Principal,
    delegation_id: int,
    commune_code: str,
    text: str,
    owner: str,
    due_utc: datetime,
    clock: Clock | None = None,
    client_key: str | None = None,
) -> FollowUpView:
    """Turn a finding or request of the delegation into a follow-up item.

    *client_key* is the draft's idempotency key (see
    :mod:`dashboard.store.idempotency`): when *actor* already raised a
    follow-up under it, that one is returned and nothing is written.
    """
    row = _load(session, delegation_id)
    require_manage_province(actor, row.province_code)
    key = idempotency.clean_key(client_key)
    stored = idempotency.find(session, FollowUp, actor.username, key)
    if stored is not None:
        return _followup_view(session, stored)
    if row.status == "cancelled":
        raise DelegationError(
            "closed", "status", "a cancelled delegation raises no follow-ups"
        )
    if commune_code not in {c.commune_code for c in _communes(session, row.id)}:
        raise DelegationError(
            "commune_not_covered",
            "commune",
            f"delegation {row.id} does not cover commune {commune_code}",
            commune=commune_code,
        )
    text = _text(text, "text", MAX_TEXT, required=True)
    owner = _text(owner, "owner", MAX_NAME, required=True)
    if due_utc is None or due_utc.tzinfo is None:
        raise DelegationError("naive_time", "due", "the due time must carry a zone")
    at = scenario_now(session, clock)
    item, inserted = idempotency.insert_once(
        session,
        FollowUp,
        {
            "delegation_id": row.id,
            "event_id": row.event_id,
            "province_code": row.province_code,
            "commune_code": commune_code,
            "text": text,
            "owner": owner,
            "due_utc": due_utc.astimezone(UTC),
            "status": "open",
            "created_at": at,
            "created_by": actor.username,
            "client_key": key,
            "updated_at": at,
            "updated_by": actor.username,
        },
    )
    if inserted:
        audit.record(
            session,
            actor,
            "create",
            "followup",
            str(item.id),
            new={
                "delegation": row.id,
                "commune": commune_code,
                "text": text,
                "owner": owner,
                "due_utc": item.due_utc,
            },
        )
    return _followup_view(session, item)


def set_followup_status(
    session: Session,
    actor: Principal,
    followup_id: int,
    expected_version: int,
    status: str,
    clock: Clock | None = None,
) -> FollowUpView:
    """Close (``done``) or reopen (``open``) a follow-up: its commune or province."""
    item = session.get(FollowUp, followup_id)
    if item is None:
        raise DelegationError("not_found", "followup", f"no follow-up {followup_id}")
    require_work_commune(actor, item.commune_code)
    _check_version(f"follow-up {item.id}", item.version, expected_version)
    if status not in FOLLOWUP_STATUSES:
        raise DelegationError(
            "bad_status", "status", f"status must be one of {FOLLOWUP_STATUSES}"
        )
    old = item.status
    item.status = status
    item.updated_at = scenario_now(session, clock)
    item.updated_by = actor.username
    _flush(session, f"follow-up {item.id}", expected_version)
    audit.record(
        session,
        actor,
        "status",
        "followup",
        str(item.id),
        old={"status": old},
        new={"status": status, "version": item.version},
    )
    return _followup_view(session, item)


def open_followups(
    session: Session,
    actor: Principal,
    province_code: str,
    event_id: int | None = None,
) -> list[FollowUpView]:
    """Open follow-up items of a province, earliest due first (readiness board).

    A commune leader sees only those of their own commune.
    """
    require(
        can_read_province(actor, province_code),
        f"read the follow-ups of province {province_code}",
    )
    query = select(FollowUp).where(
        FollowUp.province_code == province_code, FollowUp.status == "open"
    )
    if event_id is not None:
        query = query.where(FollowUp.event_id == event_id)
    if actor.role is Role.COMMUNE:
        query = query.where(FollowUp.commune_code == actor.commune_code)
    rows = session.scalars(query.order_by(FollowUp.due_utc, FollowUp.id))
    return [_followup_view(session, f) for f in rows]


def followups(
    session: Session, actor: Principal, delegation_id: int
) -> list[FollowUpView]:
    """Every follow-up (open and done) raised by one delegation."""
    row = _load(session, delegation_id)
    _require_read(actor, row, session)
    query = select(FollowUp).where(FollowUp.delegation_id == row.id)
    if actor.role is Role.COMMUNE:
        query = query.where(FollowUp.commune_code == actor.commune_code)
    rows = session.scalars(query.order_by(FollowUp.due_utc, FollowUp.id))
    return [_followup_view(session, f) for f in rows]
