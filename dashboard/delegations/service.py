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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dashboard import audit, registry
from dashboard.auth import (
    Forbidden,
    Principal,
    Role,
    can_manage_province,
    can_read_province,
    require,
    require_manage_province,
    require_read_commune,
    require_staff,
    require_work_commune,
)
from dashboard.delegations.rules import (
    ACTIVE_STATUSES,
    FOLLOWUP_STATUSES,
    MAX_COMMUNES,
    MAX_MEMBERS,
    MAX_NAME,
    MAX_TEXT,
    VERIFICATION_RESULTS,
    CoverageWarning,
    DelegationError,
    ExposedCommune,
    LeaderWindow,
    Stop,
    check_times,
    check_transition,
    coverage_warnings,
    normalise_phone,
    stale,
)
from dashboard.store.models.core import User
from dashboard.store.models.delegations import (
    Delegation,
    DelegationCommune,
    DelegationMember,
    FollowUp,
    TaskVerification,
)
from dashboard.store.models.plans import PlanTask, StormEvent

OBJECT = "delegation"


# --------------------------------------------------------------------------
# Inputs and views


@dataclass(frozen=True)
class MemberInput:
    name: str
    role: str = ""
    phone: str = ""


@dataclass(frozen=True)
class StopInput:
    commune_code: str
    #: ``None``: the delegation's planned arrival.
    planned_arrival_utc: datetime | None = None


@dataclass(frozen=True)
class DelegationDraft:
    """What province staff fill in (ICS 204 blocks: resources, assignment, times)."""

    name: str
    leader_username: str
    leader_phone: str
    planned_departure_utc: datetime
    planned_arrival_utc: datetime
    communes: Sequence[StopInput]
    members: Sequence[MemberInput] = ()
    instructions: str = ""
    equipment: str = ""
    reporting_location: str = ""
    planned_return_utc: datetime | None = None


@dataclass(frozen=True)
class MemberView:
    name: str
    role: str
    phone: str


@dataclass(frozen=True)
class CommuneView:
    commune_code: str
    commune_name: str
    planned_arrival_utc: datetime
    confirmed_by: str | None
    confirmed_at: datetime | None


@dataclass(frozen=True)
class DelegationView:
    id: int
    event_id: int
    province_code: str
    name: str
    leader_username: str
    leader_name: str
    leader_phone: str
    instructions: str
    equipment: str
    reporting_location: str
    planned_departure_utc: datetime
    planned_arrival_utc: datetime
    planned_return_utc: datetime | None
    status: str
    cancel_reason: str
    departed_at: datetime | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    findings: str
    version: int
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    members: tuple[MemberView, ...]
    communes: tuple[CommuneView, ...]

    @property
    def commune_codes(self) -> tuple[str, ...]:
        return tuple(c.commune_code for c in self.communes)

    def window(self) -> tuple[datetime, datetime]:
        """Departure to return (or, without a return time, the last arrival)."""
        end = self.planned_return_utc or max(
            [self.planned_arrival_utc, *(c.planned_arrival_utc for c in self.communes)]
        )
        return self.planned_departure_utc, end

    def stops(self) -> list[Stop]:
        return [
            Stop(self.id, self.name, c.commune_code, c.planned_arrival_utc, self.status)
            for c in self.communes
        ]

    def leader_window(self) -> LeaderWindow:
        start, end = self.window()
        return LeaderWindow(
            self.id, self.name, self.leader_username, start, end, self.status
        )


@dataclass(frozen=True)
class VerificationView:
    delegation_id: int
    plan_task_id: int
    commune_code: str
    result: str
    note: str
    verified_by: str
    verified_at: datetime


@dataclass(frozen=True)
class PlanTaskInfo:
    """A commune's plan task as the delegation reviews it (read-only)."""

    id: int
    commune_code: str
    position: int
    title_vi: str
    title_en: str
    pillar: str
    priority: int
    status: str
    deadline_utc: datetime | None
    verification: VerificationView | None


@dataclass(frozen=True)
class FollowUpView:
    id: int
    delegation_id: int
    delegation_name: str
    event_id: int
    province_code: str
    commune_code: str
    commune_name: str
    text: str
    owner: str
    due_utc: datetime
    status: str
    version: int
    created_by: str
    created_at: datetime


# --------------------------------------------------------------------------
# Helpers


def _utc(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they are UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise DelegationError("naive_time", "now", "the time must carry a time zone")
    return now.astimezone(UTC)


def _text(value: str, field: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DelegationError("required", field, "must not be empty")
    if len(value) > limit:
        raise DelegationError(
            "too_long", field, f"must have at most {limit} characters", limit=limit
        )
    return value


def _commune_name(code: str) -> str:
    try:
        return str(registry.commune(code)["commune_name"])
    except KeyError:
        return code


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
    arrival = _utc(row.planned_arrival_utc)
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
        planned_departure_utc=_utc(row.planned_departure_utc),
        planned_arrival_utc=arrival,
        planned_return_utc=_utc(row.planned_return_utc),
        status=row.status,
        cancel_reason=row.cancel_reason,
        departed_at=_utc(row.departed_at),
        checked_in_at=_utc(row.checked_in_at),
        checked_out_at=_utc(row.checked_out_at),
        findings=row.findings,
        version=row.version,
        created_by=row.created_by,
        created_at=_utc(row.created_at),
        updated_by=row.updated_by,
        updated_at=_utc(row.updated_at),
        members=tuple(
            MemberView(m.name, m.role, m.phone) for m in _members(session, row.id)
        ),
        communes=tuple(
            CommuneView(
                c.commune_code,
                _commune_name(c.commune_code),
                _utc(c.planned_arrival_utc) or arrival,
                c.confirmed_by,
                _utc(c.confirmed_at),
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


# --------------------------------------------------------------------------
# Storm events (the delegations of one storm)


def find_event(
    session: Session, storm_id: str, is_drill: bool | None = None
) -> int | None:
    """The newest active storm event of *storm_id* (drill or not), or None.

    Events are the plans feature's (``dashboard.plans.activation.create_event``
    opens them); delegations only attach to them.
    """
    query = select(StormEvent.id).where(
        StormEvent.storm_id == storm_id, StormEvent.status == "active"
    )
    if is_drill is not None:
        query = query.where(StormEvent.is_drill.is_(is_drill))
    return session.scalar(query.order_by(StormEvent.id.desc()).limit(1))


def ensure_event(
    session: Session,
    actor: Principal,
    storm_id: str,
    name: str,
    forecast_id: int | None = None,
    is_drill: bool = False,
    now: datetime | None = None,
) -> int:
    """The active storm event of *storm_id*, opened (audited) when there is none.

    Province staff and admins only. The plans feature opens the same events
    (same reuse rule: active, same storm, same drill flag), so either side may
    open it first and both attach to one event.
    """
    require_staff(actor, "open a storm event (province staff)")
    found = find_event(session, storm_id, is_drill)
    if found is not None:
        return found
    event = StormEvent(
        name=_text(name, "name", 200, required=True),
        storm_id=storm_id,
        forecast_id=forecast_id,
        is_drill=is_drill,
        status="active",
        created_at=_now(now),
        created_by=actor.username,
    )
    session.add(event)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "storm_event",
        str(event.id),
        new={"name": event.name, "storm_id": storm_id, "is_drill": is_drill},
        reason="opened for delegations",
    )
    return event.id


# --------------------------------------------------------------------------
# Create, change, cancel


def create_delegation(
    session: Session,
    actor: Principal,
    event_id: int,
    province_code: str,
    draft: DelegationDraft,
    now: datetime | None = None,
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
    at = _now(now)
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
    now: datetime | None = None,
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
    row.updated_at = _now(now)
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
    now: datetime | None = None,
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
    row.updated_at = _now(now)
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
    now: datetime | None,
    findings: str | None = None,
) -> DelegationView:
    row = _load(session, delegation_id)
    _require_leader(actor, row, f"{action} delegation {row.id}")
    _check_version(f"delegation {row.id}", row.version, expected_version)
    check_transition(row.status, new)
    at = _now(now)
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
    now: datetime | None = None,
) -> DelegationView:
    """The leader reports the delegation on its way (planned → en_route)."""
    return _transition(
        session, actor, delegation_id, expected_version, "en_route", "depart", now
    )


def check_in(
    session: Session,
    actor: Principal,
    delegation_id: int,
    expected_version: int,
    now: datetime | None = None,
) -> DelegationView:
    """The leader signs the delegation in on site (→ on_site, check-in time)."""
    return _transition(
        session, actor, delegation_id, expected_version, "on_site", "check_in", now
    )


def check_out(
    session: Session,
    actor: Principal,
    delegation_id: int,
    expected_version: int,
    findings: str | None = None,
    now: datetime | None = None,
) -> DelegationView:
    """The leader signs the delegation out (on_site → returned), with findings."""
    return _transition(
        session,
        actor,
        delegation_id,
        expected_version,
        "returned",
        "check_out",
        now,
        findings,
    )


def record_findings(
    session: Session,
    actor: Principal,
    delegation_id: int,
    expected_version: int,
    findings: str,
    now: datetime | None = None,
) -> DelegationView:
    """Write the delegation's findings (on site or after return)."""
    row = _load(session, delegation_id)
    require_manage_province(actor, row.province_code)
    _check_version(f"delegation {row.id}", row.version, expected_version)
    if row.status not in ("on_site", "returned"):
        raise DelegationError(
            "not_on_site", "status", "findings are written on site (check in first)"
        )
    old = row.findings
    row.findings = _text(findings, "findings", MAX_TEXT)
    row.updated_at = _now(now)
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
    now: datetime | None = None,
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
        stop.confirmed_at = _now(now)
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


# --------------------------------------------------------------------------
# Verification of plan tasks


def _verification_view(v: TaskVerification) -> VerificationView:
    return VerificationView(
        v.delegation_id,
        v.plan_task_id,
        v.commune_code,
        v.result,
        v.note,
        v.verified_by,
        _utc(v.verified_at),
    )


def verify_task(
    session: Session,
    actor: Principal,
    delegation_id: int,
    plan_task_id: int,
    result: str,
    note: str = "",
    now: datetime | None = None,
) -> VerificationView:
    """Mark a covered commune's plan task ``verified`` or ``problem_found``.

    The commune's own task status is not touched. ``problem_found`` needs a
    note; the delegation must be on site (or back, to correct its record).
    """
    row = _load(session, delegation_id)
    require_manage_province(actor, row.province_code)
    if result not in VERIFICATION_RESULTS:
        raise DelegationError(
            "bad_result", "result", f"result must be one of {VERIFICATION_RESULTS}"
        )
    note = _text(note, "note", MAX_TEXT, required=result == "problem_found")
    if row.status not in ("on_site", "returned"):
        raise DelegationError(
            "not_on_site", "status", "tasks are verified on site (check in first)"
        )
    task = session.get(PlanTask, plan_task_id)
    covered = {c.commune_code for c in _communes(session, row.id)}
    if task is None or task.event_id != row.event_id:
        raise DelegationError(
            "task_not_found", "task", f"no plan task {plan_task_id} in this storm event"
        )
    if task.commune_code not in covered:
        raise DelegationError(
            "commune_not_covered",
            "task",
            f"task {plan_task_id} belongs to commune {task.commune_code}, which "
            "the delegation does not cover",
            commune=task.commune_code,
        )
    found = session.scalar(
        select(TaskVerification).where(
            TaskVerification.delegation_id == row.id,
            TaskVerification.plan_task_id == plan_task_id,
        )
    )
    old = None if found is None else {"result": found.result, "note": found.note}
    at = _now(now)
    if found is None:
        found = TaskVerification(
            delegation_id=row.id,
            plan_task_id=plan_task_id,
            commune_code=task.commune_code,
            result=result,
            note=note,
            verified_by=actor.username,
            verified_at=at,
        )
        session.add(found)
    else:
        found.result, found.note = result, note
        found.verified_by, found.verified_at = actor.username, at
    session.flush()
    audit.record(
        session,
        actor,
        "verify_task",
        "plan_task",
        str(plan_task_id),
        old=old,
        new={"result": result, "note": note, "delegation": row.id},
    )
    return _verification_view(found)


def verifications(
    session: Session, actor: Principal, delegation_id: int
) -> list[VerificationView]:
    row = _load(session, delegation_id)
    _require_read(actor, row, session)
    rows = session.scalars(
        select(TaskVerification)
        .where(TaskVerification.delegation_id == delegation_id)
        .order_by(TaskVerification.plan_task_id)
    )
    return [_verification_view(v) for v in rows]


def tasks_to_verify(
    session: Session, actor: Principal, delegation_id: int, commune_code: str
) -> list[PlanTaskInfo]:
    """The plan tasks of a covered commune, with this delegation's verification."""
    row = _load(session, delegation_id)
    _require_read(actor, row, session)
    if commune_code not in {c.commune_code for c in _communes(session, row.id)}:
        raise DelegationError(
            "commune_not_covered",
            "commune",
            f"delegation {row.id} does not cover commune {commune_code}",
            commune=commune_code,
        )
    done = {
        v.plan_task_id: _verification_view(v)
        for v in session.scalars(
            select(TaskVerification).where(TaskVerification.delegation_id == row.id)
        )
    }
    tasks = session.scalars(
        select(PlanTask)
        .where(PlanTask.event_id == row.event_id, PlanTask.commune_code == commune_code)
        .order_by(PlanTask.position, PlanTask.id)
    )
    return [
        PlanTaskInfo(
            t.id,
            t.commune_code,
            t.position,
            t.title_vi,
            t.title_en,
            t.pillar,
            t.priority,
            t.status,
            _utc(t.deadline_utc),
            done.get(t.id),
        )
        for t in tasks
    ]


# --------------------------------------------------------------------------
# Follow-up items


def _followup_view(session: Session, f: FollowUp) -> FollowUpView:
    delegation = session.get(Delegation, f.delegation_id)
    return FollowUpView(
        id=f.id,
        delegation_id=f.delegation_id,
        delegation_name=delegation.name if delegation else "",
        event_id=f.event_id,
        province_code=f.province_code,
        commune_code=f.commune_code,
        commune_name=_commune_name(f.commune_code),
        text=f.text,
        owner=f.owner,
        due_utc=_utc(f.due_utc),
        status=f.status,
        version=f.version,
        created_by=f.created_by,
        created_at=_utc(f.created_at),
    )


def raise_followup(
    session: Session,
    actor: Principal,
    delegation_id: int,
    commune_code: str,
    text: str,
    owner: str,
    due_utc: datetime,
    now: datetime | None = None,
) -> FollowUpView:
    """Turn a finding or request of the delegation into a follow-up item."""
    row = _load(session, delegation_id)
    require_manage_province(actor, row.province_code)
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
    at = _now(now)
    item = FollowUp(
        delegation_id=row.id,
        event_id=row.event_id,
        province_code=row.province_code,
        commune_code=commune_code,
        text=text,
        owner=owner,
        due_utc=due_utc.astimezone(UTC),
        status="open",
        created_at=at,
        created_by=actor.username,
        updated_at=at,
        updated_by=actor.username,
    )
    session.add(item)
    session.flush()
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
    now: datetime | None = None,
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
    item.updated_at = _now(now)
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


# --------------------------------------------------------------------------
# Reads


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
