"""What the delegation services take and return: inputs and views."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from dashboard.delegations.rules import (
    LeaderWindow,
    Stop,
)

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
