"""Shared helpers of the delegation services: loading, views, versions,
authorization checks, draft validation, writing members and stops.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dashboard import registry
from dashboard.auth import (
    Principal,
    Role,
    can_read_province,
    require,
    require_manage_province,
)
from dashboard.core.time import as_utc_or_none

# --------------------------------------------------------------------------
# Helpers
from dashboard.delegations.model import (
    CommuneView,
    DelegationDraft,
    DelegationView,
    MemberInput,
    MemberView,
    StopInput,
)
from dashboard.delegations.rules import (
    MAX_COMMUNES,
    MAX_MEMBERS,
    MAX_NAME,
    MAX_TEXT,
    DelegationError,
    check_times,
    normalise_phone,
    stale,
)
from dashboard.store.models.core import User
from dashboard.store.models.delegations import (
    Delegation,
    DelegationCommune,
    DelegationMember,
)


def _text(value: str, field: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DelegationError("required", field, "must not be empty")
    if len(value) > limit:
        raise DelegationError(
            "too_long", field, f"must have at most {limit} characters", limit=limit
        )
    return value


def _load(session: Session, delegation_id: int) -> Delegation:
    row = session.get(Delegation, delegation_id)
    if row is None:
        raise DelegationError(
            "not_found", "delegation", f"no delegation {delegation_id}"
        )
    return row


def _members(session: Session, delegation_id: int) -> list[DelegationMember]:
    return list(
        session.scalars(
            select(DelegationMember)
            .where(DelegationMember.delegation_id == delegation_id)
            .order_by(DelegationMember.position, DelegationMember.id)
        )
    )


def _communes(session: Session, delegation_id: int) -> list[DelegationCommune]:
    return list(
        session.scalars(
            select(DelegationCommune)
            .where(DelegationCommune.delegation_id == delegation_id)
            .order_by(DelegationCommune.position, DelegationCommune.id)
        )
    )


def _view(session: Session, row: Delegation) -> DelegationView:
    leader = session.scalar(select(User).where(User.username == row.leader_username))
    arrival = as_utc_or_none(row.planned_arrival_utc)
    return DelegationView(
        id=row.id,
        event_id=row.event_id,
        province_code=row.province_code,
        name=row.name,
        leader_username=row.leader_username,
        leader_name=leader.display_name if leader else row.leader_username,
        leader_phone=row.leader_phone,
        instructions=row.instructions,
        equipment=row.equipment,
        reporting_location=row.reporting_location,
        planned_departure_utc=as_utc_or_none(row.planned_departure_utc),
        planned_arrival_utc=arrival,
        planned_return_utc=as_utc_or_none(row.planned_return_utc),
        status=row.status,
        cancel_reason=row.cancel_reason,
        departed_at=as_utc_or_none(row.departed_at),
        checked_in_at=as_utc_or_none(row.checked_in_at),
        checked_out_at=as_utc_or_none(row.checked_out_at),
        findings=row.findings,
        version=row.version,
        created_by=row.created_by,
        created_at=as_utc_or_none(row.created_at),
        updated_by=row.updated_by,
        updated_at=as_utc_or_none(row.updated_at),
        members=tuple(
            MemberView(m.name, m.role, m.phone) for m in _members(session, row.id)
        ),
        communes=tuple(
            CommuneView(
                c.commune_code,
                registry.commune_name(c.commune_code),
                as_utc_or_none(c.planned_arrival_utc) or arrival,
                c.confirmed_by,
                as_utc_or_none(c.confirmed_at),
            )
            for c in _communes(session, row.id)
        ),
    )


def _snapshot(view: DelegationView) -> dict[str, Any]:
    """The audited value of a delegation."""
    return {
        "name": view.name,
        "event_id": view.event_id,
        "province_code": view.province_code,
        "leader": view.leader_username,
        "leader_phone": view.leader_phone,
        "status": view.status,
        "cancel_reason": view.cancel_reason,
        "planned_departure_utc": view.planned_departure_utc,
        "planned_arrival_utc": view.planned_arrival_utc,
        "planned_return_utc": view.planned_return_utc,
        "instructions": view.instructions,
        "equipment": view.equipment,
        "reporting_location": view.reporting_location,
        "findings": view.findings,
        "members": [[m.name, m.role, m.phone] for m in view.members],
        "communes": [[c.commune_code, c.planned_arrival_utc] for c in view.communes],
        "version": view.version,
    }


def _check_version(what: str, current: int, expected: int) -> None:
    if current != expected:
        raise stale(what, expected, current)


def _flush(session: Session, what: str, expected: int) -> None:
    """Flush; a concurrent update (version moved under us) becomes Conflict."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise stale(what, expected, -1) from exc


def _is_leader(actor: Principal, row: Delegation) -> bool:
    return actor.role is Role.PROVINCE and actor.username == row.leader_username


def _require_read(actor: Principal, row: Delegation, session: Session) -> None:
    if actor.role is Role.COMMUNE:
        covered = {c.commune_code for c in _communes(session, row.id)}
        require(
            actor.commune_code in covered,
            f"read delegation {row.id} (it does not cover your commune)",
        )
        return
    require(
        actor.role is not Role.COMMUNE and can_read_province(actor, row.province_code),
        f"read delegation {row.id} of province {row.province_code}",
    )


def _require_leader(actor: Principal, row: Delegation, what: str) -> None:
    require_manage_province(actor, row.province_code)
    require(
        actor.role is Role.ADMIN or _is_leader(actor, row),
        f"{what} (only the delegation leader {row.leader_username} may)",
    )


def _check_leader(session: Session, username: str, province_code: str) -> None:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise DelegationError(
            "leader_unknown",
            "leader",
            f"no account named {username!r}",
            leader=username,
        )
    codes = {c for c in user.province_codes.split(",") if c}
    if user.disabled or user.role != Role.PROVINCE or province_code not in codes:
        raise DelegationError(
            "leader_not_province",
            "leader",
            f"{username!r} is not an active province account of province "
            f"{province_code}",
            leader=username,
        )


def _clean_draft(
    session: Session, province_code: str, draft: DelegationDraft
) -> tuple[dict[str, Any], list[MemberInput], list[StopInput]]:
    """Validate a draft; return the delegation's columns, members and stops."""
    name = _text(draft.name, "name", MAX_NAME, required=True)
    _check_leader(session, draft.leader_username, province_code)
    leader_phone = normalise_phone(draft.leader_phone, "leader_phone")
    members = []
    if len(draft.members) > MAX_MEMBERS:
        raise DelegationError(
            "too_many", "members", f"at most {MAX_MEMBERS} members", limit=MAX_MEMBERS
        )
    for index, m in enumerate(draft.members, start=1):
        members.append(
            MemberInput(
                _text(m.name, f"member {index} name", MAX_NAME, required=True),
                _text(m.role, f"member {index} role", MAX_NAME),
                normalise_phone(m.phone, f"member {index} phone"),
            )
        )
    if not draft.communes:
        raise DelegationError("no_communes", "communes", "cover at least one commune")
    if len(draft.communes) > MAX_COMMUNES:
        raise DelegationError(
            "too_many",
            "communes",
            f"at most {MAX_COMMUNES} communes",
            limit=MAX_COMMUNES,
        )
    stops: list[StopInput] = []
    seen: set[str] = set()
    for stop in draft.communes:
        code = stop.commune_code
        if code in seen:
            raise DelegationError(
                "duplicate_commune",
                "communes",
                f"commune {code} is listed twice",
                commune=code,
            )
        seen.add(code)
        try:
            province = str(registry.commune(code)["province_code"])
        except KeyError:
            raise DelegationError(
                "unknown_commune", "communes", f"unknown commune {code}", commune=code
            ) from None
        if province != province_code:
            raise DelegationError(
                "commune_outside_province",
                "communes",
                f"commune {code} is in province {province}, not in the "
                f"delegation's province {province_code}",
                commune=code,
            )
        stops.append(stop)
    check_times(
        draft.planned_departure_utc,
        draft.planned_arrival_utc,
        draft.planned_return_utc,
        [(s.commune_code, s.planned_arrival_utc) for s in stops],
    )
    columns = {
        "name": name,
        "leader_username": draft.leader_username,
        "leader_phone": leader_phone,
        "instructions": _text(draft.instructions, "instructions", MAX_TEXT),
        "equipment": _text(draft.equipment, "equipment", MAX_TEXT),
        "reporting_location": _text(
            draft.reporting_location, "reporting_location", 300
        ),
        "planned_departure_utc": draft.planned_departure_utc.astimezone(UTC),
        "planned_arrival_utc": draft.planned_arrival_utc.astimezone(UTC),
        "planned_return_utc": draft.planned_return_utc.astimezone(UTC)
        if draft.planned_return_utc
        else None,
    }
    return columns, members, stops


def _write_children(
    session: Session,
    row: Delegation,
    members: list[MemberInput],
    stops: list[StopInput],
) -> None:
    for old in _members(session, row.id):
        session.delete(old)
    for index, m in enumerate(members):
        session.add(
            DelegationMember(
                delegation_id=row.id,
                position=index,
                name=m.name,
                role=m.role,
                phone=m.phone,
            )
        )
    existing = {c.commune_code: c for c in _communes(session, row.id)}
    wanted = {s.commune_code for s in stops}
    for code, old in existing.items():
        if code not in wanted:
            session.delete(old)
    for index, stop in enumerate(stops):
        arrival = stop.planned_arrival_utc
        arrival = arrival.astimezone(UTC) if arrival else None
        found = existing.get(stop.commune_code)
        if found is None:
            session.add(
                DelegationCommune(
                    delegation_id=row.id,
                    commune_code=stop.commune_code,
                    position=index,
                    planned_arrival_utc=arrival,
                )
            )
        else:  # keep the commune's confirmation
            found.position = index
            found.planned_arrival_utc = arrival
