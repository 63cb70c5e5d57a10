"""What a situation report holds: plain data, built by
:mod:`~dashboard.reports.sitrep.build` and rendered by the pdf, xlsx and text
modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from dashboard import scenario
from dashboard.core.time import to_vietnam_time

TOP_EXPOSED = 10
TOP_OVERDUE = 5
#: Delegation statuses the report counts, in display order.
DELEGATION_STATUSES = ("on_site", "en_route", "planned")
#: The chat text is kept under this many characters.
TEXT_LIMIT = 1500


@dataclass(frozen=True)
class ForecastUsed:
    """The advisory the report is based on."""

    forecast_id: int
    storm_id: str
    storm_name: str
    agency: str
    product: str
    issued_utc: datetime
    is_drill: bool


@dataclass(frozen=True)
class ExposedCommune:
    """One commune exposed to the storm (:func:`dashboard.situation.exposed_communes`)."""

    commune_code: str
    commune_name: str
    risk_level: int
    max_wind_level: int
    level6_eta_utc: datetime | None
    in_cone: bool
    #: Its readiness on the board (0-1), or ``None`` without an activated plan.
    readiness: float | None


@dataclass(frozen=True)
class CommuneReadiness:
    """One row of the province board."""

    commune_code: str
    commune_name: str
    risk_level: int
    max_wind_level: int
    eta_utc: datetime | None
    tasks: int
    done: int
    overdue: int
    blocked: int
    readiness: float
    #: Pillar → readiness (0-1); ``None`` when the commune has no task of it.
    pillars: dict[str, float | None]


@dataclass(frozen=True)
class DelegationLine:
    id: int
    name: str
    status: str
    leader_name: str
    leader_phone: str
    communes: tuple[str, ...]
    planned_arrival_utc: datetime


@dataclass(frozen=True)
class RequestLine:
    id: int
    commune_name: str
    category: str
    urgency: str
    title: str
    status: str
    raised_at: datetime
    due_utc: datetime | None
    overdue: bool


@dataclass(frozen=True)
class Sitrep:
    """A province's situation at one moment, as plain data."""

    province_code: str
    province_name: str
    generated_utc: datetime
    mode: str  # scenario.DRILL or scenario.LIVE
    drill_name: str
    clock_utc: datetime
    forecast: ForecastUsed | None
    event_id: int | None
    event_name: str
    #: Every exposed commune of the province, most exposed first.
    exposed: tuple[ExposedCommune, ...]
    #: Risk level → number of exposed communes (levels with none are left out).
    exposed_by_risk: dict[int, int]
    #: The province board, highest priority score first.
    communes: tuple[CommuneReadiness, ...]
    #: Province readiness (0-1) as the board shows it; ``None`` without plans.
    readiness: float | None
    readiness_by_pillar: dict[str, float | None]
    tasks: int
    done: int
    overdue_tasks: int
    blocked_tasks: int
    delegations: tuple[DelegationLine, ...]
    delegations_by_status: dict[str, int]
    urgent_requests: tuple[RequestLine, ...]
    built_by: str = field(default="")

    @property
    def is_drill(self) -> bool:
        return self.mode == scenario.DRILL

    @property
    def generated_vietnam(self) -> datetime:
        return to_vietnam_time(self.generated_utc)  # type: ignore[return-value]

    @property
    def exposed_total(self) -> int:
        return len(self.exposed)

    @property
    def most_exposed(self) -> tuple[ExposedCommune, ...]:
        return self.exposed[:TOP_EXPOSED]

    @property
    def most_overdue(self) -> tuple[CommuneReadiness, ...]:
        """Communes with overdue tasks, most overdue first (at most 5)."""
        late = sorted(
            (c for c in self.communes if c.overdue > 0),
            key=lambda c: (-c.overdue, c.readiness, c.commune_code),
        )
        return tuple(late[:TOP_OVERDUE])

    @property
    def urgent_overdue(self) -> int:
        return sum(1 for r in self.urgent_requests if r.overdue)
