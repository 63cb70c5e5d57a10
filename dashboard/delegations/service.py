"""Delegation services: typed functions ``(session, actor, ...)``, audited.

Authorization is enforced here (never only in the UI):

* province staff of the delegation's province (and admins) create, change and
  cancel delegations, verify plan tasks and raise follow-ups;
* the delegation's leader (a ``province`` account of that province) checks the
  delegation out, in and back (admins may too, to repair a record);
* the commune leader of a covered commune reads the delegation and confirms the
  visit; other communes, other provinces and volunteers are refused.

Every change writes an audit row in the caller's transaction. Writes that
change a delegation or a follow-up name the ``version`` they read and fail with
:class:`Conflict` (nothing written) when someone changed it meanwhile.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dashboard import audit
from dashboard.auth import (
    Principal,
    Role,
    require,
    require_manage_province,
)
from dashboard.core.clock import Clock, scenario_now
from dashboard.delegations.common import (
    _check_version,
    _clean_draft,
    _communes,
    _flush,
    _load,
    _require_leader,
    _snapshot,
    _text,
    _view,
    _write_children,
)

# --------------------------------------------------------------------------
# Storm events (the delegations of one storm)
from dashboard.delegations.model import OBJECT, DelegationDraft, DelegationView
from dashboard.delegations.rules import (
    ACTIVE_STATUSES,
    MAX_TEXT,
    DelegationError,
    check_not_past,
    check_transition,
)
from dashboard.events import open_event
from dashboard.store.models.delegations import (
    Delegation,
)
from dashboard.store.models.plans import StormEvent


def ensure_event(
    session: Session,
    actor: Principal,
    storm_id: str,
    name: str,
    forecast_id: int | None = None,
    is_drill: bool = False,
    clock: Clock | None = None,
) -> int:
    """The active storm event of *storm_id*, opened (audited) when there is none.

    Province staff and admins only. The plans feature opens the same events
    (same reuse rule: active, same storm, same drill flag), so either side may
    open it first and both attach to one event.
    """
    return open_event(
        session,
        actor,
        storm_id,
        name,
        forecast_id=forecast_id,
        is_drill=is_drill,
        clock=clock,
        reason="opened for delegations",
    ).id


# --------------------------------------------------------------------------
# Create, change, cancel


def create_delegation(
    session: Session,
    actor: Principal,
    event_id: int,
    province_code: str,
    draft: DelegationDraft,
    clock: Clock | None = None,
) -> DelegationView:
    """Create a delegation (province staff of *province_code*, admins).

    Raises
    ------
    Forbidden
        Outside the actor's provinces.
    DelegationError
        Naming the field at fault (phone, times, communes, leader …).
    """
    require_manage_province(actor, province_code)
    if session.get(StormEvent, event_id) is None:
        raise DelegationError("no_event", "event", f"no storm event {event_id}")
    columns, members, stops = _clean_draft(session, province_code, draft)
    at = scenario_now(session, clock)
    check_not_past(draft.planned_arrival_utc, at)
    row = Delegation(
        event_id=event_id,
        province_code=province_code,
        status="planned",
        cancel_reason="",
        findings="",
        created_at=at,
        created_by=actor.username,
        updated_at=at,
        updated_by=actor.username,
        **columns,
    )
    session.add(row)
    session.flush()
    _write_children(session, row, members, stops)
    session.flush()
    view = _view(session, row)
    audit.record(session, actor, "create", OBJECT, str(row.id), new=_snapshot(view))
    return view


def update_delegation(
    session: Session,
    actor: Principal,
    delegation_id: int,
    expected_version: int,
    draft: DelegationDraft,
    clock: Clock | None = None,
) -> DelegationView:
    """Change a delegation that is not returned or cancelled.

    Communes kept in the list keep their confirmation of the visit.
    """
    row = _load(session, delegation_id)
    require_manage_province(actor, row.province_code)
    _check_version(f"delegation {row.id}", row.version, expected_version)
    if row.status not in ACTIVE_STATUSES:
        raise DelegationError(
            "closed", "status", f"a {row.status} delegation cannot change"
        )
    columns, members, stops = _clean_draft(session, row.province_code, draft)
    before = _snapshot(_view(session, row))
    for key, value in columns.items():
        setattr(row, key, value)
    row.updated_at = scenario_now(session, clock)
    row.updated_by = actor.username
    _write_children(session, row, members, stops)
    _flush(session, f"delegation {row.id}", expected_version)
    view = _view(session, row)
    audit.record(
        session, actor, "update", OBJECT, str(row.id), old=before, new=_snapshot(view)
    )
    return view


def cancel_delegation(
    session: Session,
    actor: Principal,
    delegation_id: int,
    expected_version: int,
    reason: str,
    clock: Clock | None = None,
) -> DelegationView:
    """Cancel a planned or en-route delegation; the reason is required."""
    row = _load(session, delegation_id)
    require_manage_province(actor, row.province_code)
    _check_version(f"delegation {row.id}", row.version, expected_version)
    reason = _text(reason, "reason", MAX_TEXT, required=True)
    check_transition(row.status, "cancelled")
    old = row.status
    row.status = "cancelled"
    row.cancel_reason = reason
    row.updated_at = scenario_now(session, clock)
    row.updated_by = actor.username
    _flush(session, f"delegation {row.id}", expected_version)
    audit.record(
        session,
        actor,
        "cancel",
        OBJECT,
        str(row.id),
        old={"status": old},
        new={"status": "cancelled", "version": row.version},
        reason=reason,
    )
    return _view(session, row)


# --------------------------------------------------------------------------
# Status: depart, check in, check out


def _transition(
    session: Session,
    actor: Principal,
    delegation_id: int,
    expected_version: int,
    new: str,
    action: str,
    clock: Clock | None,
    findings: str | None = None,
) -> DelegationView:
    row = _load(session, delegation_id)
    _require_leader(actor, row, f"{action} delegation {row.id}")
    _check_version(f"delegation {row.id}", row.version, expected_version)
    check_transition(row.status, new)
    at = scenario_now(session, clock)
    old = {"status": row.status}
    row.status = new
    if new == "en_route":
        row.departed_at = at
    elif new == "on_site":
        row.checked_in_at = at
    elif new == "returned":
        row.checked_out_at = at
        if findings is not None:
            old["findings"] = row.findings
            row.findings = _text(findings, "findings", MAX_TEXT)
    row.updated_at = at
    row.updated_by = actor.username
    _flush(session, f"delegation {row.id}", expected_version)
    new_value: dict[str, Any] = {"status": new, "at": at, "version": row.version}
    if "findings" in old:
        new_value["findings"] = row.findings
    audit.record(session, actor, action, OBJECT, str(row.id), old=old, new=new_value)
    return _view(session, row)


def depart(
    session: Session,
    actor: Principal,
    delegation_id: int,
    expected_version: int,
    clock: Clock | None = None,
) -> DelegationView:
    """The leader reports the delegation on its way (planned → en_route)."""
    return _transition(
        session, actor, delegation_id, expected_version, "en_route", "depart", clock
    )


def check_in(
    session: Session,
    actor: Principal,
    delegation_id: int,
    expected_version: int,
    clock: Clock | None = None,
) -> DelegationView:
    """The leader signs the delegation in on site (→ on_site, check-in time)."""
    return _transition(
        session, actor, delegation_id, expected_version, "on_site", "check_in", clock
    )


def check_out(
    session: Session,
    actor: Principal,
    delegation_id: int,
    expected_version: int,
    findings: str | None = None,
    clock: Clock | None = None,
) -> DelegationView:
    """The leader signs the delegation out (on_site → returned), with findings."""
    return _transition(
        session,
        actor,
        delegation_id,
        expected_version,
        "returned",
        "check_out",
        clock,
        findings,
    )


def record_findings(
    session: Session,
    actor: Principal,
    delegation_id: int,
    expected_version: int,
    findings: str,
    clock: Clock | None = None,
) -> DelegationView:
    """Write the delegation's findings (on site or after return).

    Findings already stored as given are not written again (a resend after
    a dropped connection, whatever version it names): no new version, no
    audit row.
    """
    row = _load(session, delegation_id)
    require_manage_province(actor, row.province_code)
    findings = _text(findings, "findings", MAX_TEXT)
    if row.status in ("on_site", "returned") and findings == row.findings:
        return _view(session, row)
    _check_version(f"delegation {row.id}", row.version, expected_version)
    if row.status not in ("on_site", "returned"):
        raise DelegationError(
            "not_on_site", "status", "findings are written on site (check in first)"
        )
    old = row.findings
    row.findings = findings
    row.updated_at = scenario_now(session, clock)
    row.updated_by = actor.username
    _flush(session, f"delegation {row.id}", expected_version)
    audit.record(
        session,
        actor,
        "findings",
        OBJECT,
        str(row.id),
        old={"findings": old},
        new={"findings": row.findings, "version": row.version},
    )
    return _view(session, row)


# --------------------------------------------------------------------------
# The commune side


def confirm_visit(
    session: Session,
    actor: Principal,
    delegation_id: int,
    commune_code: str,
    clock: Clock | None = None,
) -> DelegationView:
    """The commune leader confirms the delegation's visit (who, when).

    Confirming twice keeps the first confirmation (and writes nothing).
    """
    row = _load(session, delegation_id)
    require(
        actor.role is Role.ADMIN
        or (actor.role is Role.COMMUNE and actor.commune_code == commune_code),
        f"confirm the visit to commune {commune_code} (its commune leader)",
    )
    stop = next(
        (c for c in _communes(session, row.id) if c.commune_code == commune_code), None
    )
    if stop is None:
        raise DelegationError(
            "commune_not_covered",
            "commune",
            f"delegation {row.id} does not cover commune {commune_code}",
            commune=commune_code,
        )
    if row.status == "cancelled":
        raise DelegationError(
            "closed", "status", "a cancelled delegation cannot be confirmed"
        )
    if stop.confirmed_at is None:
        stop.confirmed_by = actor.username
        stop.confirmed_at = scenario_now(session, clock)
        session.flush()
        audit.record(
            session,
            actor,
            "confirm_visit",
            OBJECT,
            str(row.id),
            new={"commune": commune_code, "at": stop.confirmed_at},
        )
    return _view(session, row)
