"""Reading delegations: one, a province's, a commune's, leaders, coverage."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.auth import (
    Forbidden,
    Principal,
    Role,
    can_manage_province,
    can_read_province,
    require,
    require_manage_province,
    require_read_commune,
)
from dashboard.delegations.common import _load, _require_read, _view

# --------------------------------------------------------------------------
# Reads
from dashboard.delegations.model import DelegationView
from dashboard.delegations.rules import (
    CoverageWarning,
    ExposedCommune,
    coverage_warnings,
)
from dashboard.store.models.core import User
from dashboard.store.models.delegations import (
    Delegation,
    DelegationCommune,
)


def get_delegation(
    session: Session, actor: Principal, delegation_id: int
) -> DelegationView:
    row = _load(session, delegation_id)
    _require_read(actor, row, session)
    return _view(session, row)


def list_delegations(
    session: Session,
    actor: Principal,
    province_code: str,
    event_id: int | None = None,
) -> list[DelegationView]:
    """Delegations of a province (a commune leader: those covering the commune)."""
    if actor.role is Role.COMMUNE:
        require(
            actor.commune_province == province_code,
            f"read the delegations of province {province_code}",
        )
        return delegations_for_commune(session, actor, actor.commune_code, event_id)
    require(
        can_read_province(actor, province_code),
        f"read the delegations of province {province_code}",
    )
    query = select(Delegation).where(Delegation.province_code == province_code)
    if event_id is not None:
        query = query.where(Delegation.event_id == event_id)
    rows = session.scalars(
        query.order_by(Delegation.planned_departure_utc, Delegation.id)
    )
    return [_view(session, r) for r in rows]


def delegations_for_commune(
    session: Session,
    actor: Principal,
    commune_code: str | None,
    event_id: int | None = None,
) -> list[DelegationView]:
    """Delegations covering one commune: who is coming, and when."""
    if commune_code is None:
        raise Forbidden("not allowed: no commune")
    require_read_commune(actor, commune_code)
    query = (
        select(Delegation)
        .join(DelegationCommune, DelegationCommune.delegation_id == Delegation.id)
        .where(DelegationCommune.commune_code == commune_code)
    )
    if event_id is not None:
        query = query.where(Delegation.event_id == event_id)
    rows = session.scalars(
        query.order_by(Delegation.planned_departure_utc, Delegation.id)
    )
    return [_view(session, r) for r in rows]


def leader_candidates(
    session: Session, actor: Principal, province_code: str
) -> list[tuple[str, str]]:
    """``(username, display name)`` of the active province accounts of a province."""
    require_manage_province(actor, province_code)
    users = session.scalars(
        select(User)
        .where(User.role == str(Role.PROVINCE), User.disabled.is_(False))
        .order_by(User.username)
    )
    return [
        (u.username, u.display_name)
        for u in users
        if province_code in u.province_codes.split(",")
    ]


def coverage(
    session: Session,
    actor: Principal,
    event_id: int,
    province_code: str,
    exposed: Iterable[ExposedCommune],
    min_risk: int,
) -> list[CoverageWarning]:
    """Every coverage and safety warning of a province for one storm event.

    Leader overlaps also count the leaders' delegations in other provinces
    and events (a person cannot be in two places).
    """
    require(
        actor.role is not Role.COMMUNE and can_read_province(actor, province_code),
        f"read the coverage of province {province_code}",
    )
    views = list_delegations(session, actor, province_code, event_id)
    leaders = {v.leader_username for v in views}
    others = session.scalars(
        select(Delegation).where(
            Delegation.leader_username.in_(leaders),
            Delegation.id.notin_([v.id for v in views]),
        )
    )
    windows = [v.leader_window() for v in views]
    windows += [_view(session, r).leader_window() for r in others]
    stops = [s for v in views for s in v.stops()]
    return coverage_warnings(exposed, stops, windows, min_risk)


def can_manage(actor: Principal, province_code: str) -> bool:
    """Whether the UI should offer create/change controls (the services decide)."""
    return can_manage_province(actor, province_code)
