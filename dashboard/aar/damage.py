"""Damage and incidents a commune reports once a storm has passed.

One report per commune and storm event: people evacuated, houses damaged,
deaths, injured, missing (whole numbers, 0 or more) and free notes. The
commune's leader reports for their own commune; province staff of its
province (and admins) report or correct for any of its communes; volunteers
and other communes are refused. A correction names the ``version`` it read
(:class:`Conflict` otherwise, nothing written). Every write is audited in
the caller's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dashboard import audit, registry
from dashboard.auth import (
    Principal,
    can_read_province,
    can_work_commune,
    is_staff,
    require,
    require_read_commune,
)
from dashboard.core.clock import Clock
from dashboard.core.errors import Conflict, Invalid
from dashboard.core.time import as_utc
from dashboard.store.models.aar import DAMAGE_FIELDS, DamageReport
from dashboard.store.models.plans import StormEvent

__all__ = [
    "DAMAGE_FIELDS",
    "MAX_COUNT",
    "DamageError",
    "DamageView",
    "damage_reports",
    "get_damage",
    "record_damage",
    "validate_counts",
]

OBJECT_TYPE = "damage_report"
#: No commune evacuates or loses more than this; a larger number is a typo.
MAX_COUNT = 10_000_000
MAX_NOTES = 5000
THOUSANDS = re.compile(r"^\d{1,3}([. ]\d{3})+$")


class DamageError(Invalid):
    """A damage report the rules refuse; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class DamageView:
    id: int
    event_id: int
    storm_id: str
    province_code: str
    commune_code: str
    commune_name: str
    people_evacuated: int
    houses_damaged: int
    deaths: int
    injured: int
    missing: int
    notes: str
    reported_by: str
    reported_at: datetime
    version: int

    @property
    def casualties(self) -> int:
        return self.deaths + self.injured + self.missing


def _view(row: DamageReport) -> DamageView:
    try:
        name = str(registry.commune(row.commune_code)["commune_name"])
    except KeyError:
        name = row.commune_code
    return DamageView(
        id=row.id,
        event_id=row.event_id,
        storm_id=row.storm_id,
        province_code=row.province_code,
        commune_code=row.commune_code,
        commune_name=name,
        people_evacuated=row.people_evacuated,
        houses_damaged=row.houses_damaged,
        deaths=row.deaths,
        injured=row.injured,
        missing=row.missing,
        notes=row.notes,
        reported_by=row.reported_by,
        reported_at=as_utc(row.reported_at),
        version=row.version,
    )


def _count(field: str, value: object) -> int:
    """A whole number ≥ 0 (an int, or text of digits from a form)."""
    if isinstance(value, bool):
        raise DamageError(field, "must be a whole number, not true/false")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise DamageError(field, "is required (write 0 for none)")
        if THOUSANDS.match(text):  # "1.250" or "1 250": thousands separators
            text = re.sub(r"[., ]", "", text)
        if text.startswith("-") and text[1:].isdigit():
            raise DamageError(field, f"must be 0 or more, got {text}")
        if not text.isdigit():
            raise DamageError(field, f"must be a whole number, got {value.strip()!r}")
        number = int(text)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        raise DamageError(field, f"must be a whole number, got {value!r}")
    if number < 0:
        raise DamageError(field, f"must be 0 or more, got {number}")
    if number > MAX_COUNT:
        raise DamageError(
            field, f"{number} is more than {MAX_COUNT:,}; check the figure"
        )
    return number


def validate_counts(values: Mapping[str, object]) -> dict[str, int]:
    """The five figures, cleaned; :class:`DamageError` names the first bad one."""
    return {name: _count(name, values.get(name)) for name in DAMAGE_FIELDS}


def _snapshot(row: DamageReport) -> dict[str, Any]:
    return {
        **{name: getattr(row, name) for name in DAMAGE_FIELDS},
        "notes": row.notes,
        "version": row.version,
    }


def record_damage(
    session: Session,
    actor: Principal,
    event_id: int,
    commune_code: str,
    *,
    people_evacuated: object,
    houses_damaged: object,
    deaths: object,
    injured: object,
    missing: object,
    notes: str = "",
    expected_version: int | None = None,
    clock: Clock | None = None,
) -> DamageView:
    """Create or correct the damage report of *commune_code* for the storm event.

    *expected_version*: ``None`` for a first report, else the version read.

    Raises
    ------
    Forbidden
        Unless the commune's leader, its province's staff or an admin.
    DamageError
        ``event`` (unknown), a figure (not a whole number ≥ 0), ``notes``.
    Conflict
        A report exists and *expected_version* is not its version.
    """
    try:
        province_code = str(registry.commune(commune_code)["province_code"])
    except KeyError as exc:
        raise DamageError("commune", f"unknown commune code {commune_code!r}") from exc
    require(
        can_work_commune(actor, commune_code),
        f"report damage for commune {commune_code} (its leader, its province's "
        f"staff or an admin; you are {actor.role})",
    )
    event = session.get(StormEvent, event_id)
    if event is None:
        raise DamageError("event", f"no storm event {event_id}")
    counts = validate_counts(
        {
            "people_evacuated": people_evacuated,
            "houses_damaged": houses_damaged,
            "deaths": deaths,
            "injured": injured,
            "missing": missing,
        }
    )
    if not isinstance(notes, str):
        raise DamageError("notes", "must be text")
    notes = notes.strip()
    if len(notes) > MAX_NOTES:
        raise DamageError("notes", f"is longer than {MAX_NOTES} characters")
    if clock is not None and clock.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    at = (clock or datetime.now(UTC)).astimezone(UTC)
    row = session.scalar(
        select(DamageReport).where(
            DamageReport.event_id == event_id,
            DamageReport.commune_code == commune_code,
        )
    )
    if row is None:
        if expected_version is not None:
            raise Conflict(
                f"the damage report of {commune_code} for event {event_id} "
                "no longer exists"
            )
        row = DamageReport(
            event_id=event_id,
            storm_id=event.storm_id,
            province_code=province_code,
            commune_code=commune_code,
            notes=notes,
            reported_by=actor.username,
            reported_at=at,
            **counts,
        )
        session.add(row)
        old = None
        action = "damage.report"
    else:
        if expected_version != row.version:
            raise Conflict(
                f"the damage report of {commune_code} was changed by "
                f"{row.reported_by} (version {row.version}, you read "
                f"{expected_version})"
            )
        old = _snapshot(row)
        for name, value in counts.items():
            setattr(row, name, value)
        row.notes = notes
        row.reported_by = actor.username
        row.reported_at = at
        action = "damage.correct"
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(
            f"the damage report of {commune_code} was changed meanwhile"
        ) from exc
    audit.record(
        session,
        actor,
        action,
        OBJECT_TYPE,
        str(row.id),
        old=old,
        new=_snapshot(row) | {"event_id": event_id, "commune_code": commune_code},
        at=at,
    )
    return _view(row)


def get_damage(
    session: Session, actor: Principal, event_id: int, commune_code: str
) -> DamageView | None:
    """The commune's report for the event (readers of the commune)."""
    require_read_commune(actor, commune_code)
    row = session.scalar(
        select(DamageReport).where(
            DamageReport.event_id == event_id,
            DamageReport.commune_code == commune_code,
        )
    )
    return _view(row) if row else None


def damage_reports(
    session: Session, actor: Principal, event_id: int, province_code: str
) -> list[DamageView]:
    """Every report of the province for the event (province staff, admins)."""
    require(
        is_staff(actor) and can_read_province(actor, province_code),
        f"read the damage reports of province {province_code}",
    )
    rows = session.scalars(
        select(DamageReport)
        .where(
            DamageReport.event_id == event_id,
            DamageReport.province_code == province_code,
        )
        .order_by(DamageReport.commune_code)
    )
    return [_view(r) for r in rows]
