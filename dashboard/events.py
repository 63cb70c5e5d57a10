"""Storm events: one storm's response, shared by plans and delegations.

A *storm event* (a real storm or a drill) groups the commune plans and the
delegations of one storm. Both features open events through
:func:`open_event`, which reuses the newest active event of the same storm
and the same kind (drill or live) instead of opening a second one, so either
feature may open it first and both attach to one event.

May import: store, auth, audit, core. Imported by plans and delegations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import audit
from dashboard.auth import Principal, require_staff
from dashboard.core.clock import Clock, scenario_now
from dashboard.core.errors import Invalid, NotFound
from dashboard.store.models.core import StoredForecast
from dashboard.store.models.plans import StormEvent

MAX_NAME = 200


@dataclass(frozen=True)
class EventInfo:
    id: int
    name: str
    storm_id: str
    forecast_id: int | None
    is_drill: bool
    status: str
    created_at: datetime


def event_info(row: StormEvent) -> EventInfo:
    return EventInfo(
        row.id,
        row.name,
        row.storm_id,
        row.forecast_id,
        row.is_drill,
        row.status,
        row.created_at,
    )


def find_event(
    session: Session, storm_id: str, is_drill: bool | None = None
) -> int | None:
    """The newest active event of *storm_id* (of that kind when given), or None."""
    query = select(StormEvent.id).where(
        StormEvent.storm_id == storm_id, StormEvent.status == "active"
    )
    if is_drill is not None:
        query = query.where(StormEvent.is_drill.is_(is_drill))
    return session.scalar(query.order_by(StormEvent.id.desc()).limit(1))


def open_event(
    session: Session,
    actor: Principal,
    storm_id: str,
    name: str,
    *,
    forecast_id: int | None = None,
    is_drill: bool = False,
    clock: Clock | None = None,
    reason: str = "",
) -> EventInfo:
    """The active event of *storm_id*, opened (and audited) when there is none.

    Province staff and admins only.
    """
    require_staff(actor, "open a storm event (province staff)")
    name = (name or "").strip()
    if not name:
        raise Invalid("name: is required", key="errors.required", field="name")
    found = find_event(session, storm_id, is_drill)
    if found is not None:
        return get_event(session, found)
    at = scenario_now(session, clock)
    row = StormEvent(
        name=name[:MAX_NAME],
        storm_id=storm_id,
        forecast_id=forecast_id,
        is_drill=is_drill,
        status="active",
        created_at=at,
        created_by=actor.username,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "storm_event",
        str(row.id),
        new={
            "name": row.name,
            "storm_id": storm_id,
            "forecast_id": forecast_id,
            "is_drill": is_drill,
        },
        reason=reason,
        at=at,
    )
    return event_info(row)


def open_event_for_forecast(
    session: Session,
    actor: Principal,
    forecast_id: int,
    name: str | None = None,
    clock: Clock | None = None,
) -> EventInfo:
    """:func:`open_event` for the storm of a stored forecast (same kind)."""
    require_staff(actor, "open a storm event (province staff)")
    forecast = session.get(StoredForecast, forecast_id)
    if forecast is None:
        raise NotFound(f"no stored forecast {forecast_id}")
    return open_event(
        session,
        actor,
        forecast.storm_id,
        name or f"{forecast.storm_name} ({forecast.storm_id})",
        forecast_id=forecast_id,
        is_drill=forecast.is_drill,
        clock=clock,
    )


def get_event(session: Session, event_id: int) -> EventInfo:
    row = session.get(StormEvent, event_id)
    if row is None:
        raise NotFound(f"no storm event {event_id}")
    return event_info(row)


def active_events(session: Session, is_drill: bool | None = None) -> list[EventInfo]:
    """Active events, newest first (events are not secret)."""
    query = select(StormEvent).where(StormEvent.status == "active")
    if is_drill is not None:
        query = query.where(StormEvent.is_drill.is_(is_drill))
    return [
        event_info(r) for r in session.scalars(query.order_by(StormEvent.id.desc()))
    ]
