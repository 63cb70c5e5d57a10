"""Pure rules of delegations: statuses, validation, coverage and safety warnings.

No database here: every function works on small inputs so the rules can be
tested (and reused by the UI) on their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dashboard.core.clock import Clock
from dashboard.core.errors import Conflict, Invalid
from dashboard.core.time import vietnam_text

#: Statuses in life order; ``cancelled`` ends a delegation that never finished.
STATUSES = ("planned", "en_route", "on_site", "returned", "cancelled")
#: Allowed transitions (``cancelled`` only through :func:`cancel`, with a reason).
TRANSITIONS: dict[str, frozenset[str]] = {
    "planned": frozenset({"en_route", "on_site", "cancelled"}),
    "en_route": frozenset({"on_site", "cancelled"}),
    "on_site": frozenset({"returned"}),
    "returned": frozenset(),
    "cancelled": frozenset(),
}
#: Statuses in which the delegation still changes (edits, visits).
ACTIVE_STATUSES = ("planned", "en_route", "on_site")
VERIFICATION_RESULTS = ("verified", "problem_found")
FOLLOWUP_STATUSES = ("open", "done")

MAX_NAME = 200
MAX_TEXT = 4000
MAX_MEMBERS = 50
MAX_COMMUNES = 40

# A Vietnamese phone number once spaces, dots and dashes are removed: a mobile
# (0 + 3/5/7/8/9 + 8 digits) or a landline (02 + 9 digits), with 0 or +84.
_PHONE = re.compile(r"^(?:\+84|84|0)((?:[35789]\d{8})|(?:2\d{9}))$")
_SEPARATORS = re.compile(r"[\s.\-()]")


class DelegationError(Invalid):
    """A request the delegation rules refuse.

    Attributes
    ----------
    code
        Stable message id (the UI translates ``dlg.err.<code>``).
    field
        The field at fault (``phone``, ``leader``, ``communes`` …).
    params
        Values for the translated message.
    """

    def __init__(self, code: str, field: str, message: str, **params: Any) -> None:
        super().__init__(f"{field}: {message}")
        self.code = code
        self.field = field
        self.params = params


def stale(what: str, expected: int, current: int) -> Conflict:
    """The :class:`Conflict` of a row changed since the caller read it."""
    return Conflict(
        f"{what} was changed by someone else (you read version {expected}, "
        f"it is now version {current}); reload and try again",
        what=what,
        expected=expected,
        current=current,
    )


def normalise_phone(phone: str, field: str = "phone") -> str:
    """``0912 345 678`` / ``+84 912.345.678`` → ``0912345678``.

    Raises
    ------
    DelegationError
        ``bad_phone`` naming *field* when it is not a Vietnamese number.
    """
    compact = _SEPARATORS.sub("", phone or "")
    match = _PHONE.match(compact)
    if not match:
        raise DelegationError(
            "bad_phone",
            field,
            f"{phone!r} is not a Vietnamese phone number "
            "(10 digits such as 0912 345 678, or +84 912 345 678)",
            phone=phone,
        )
    return "0" + match.group(1)


def check_transition(current: str, new: str) -> None:
    """Raise ``DelegationError('bad_transition')`` unless *current* → *new* is allowed."""
    if new not in STATUSES:
        raise DelegationError("bad_status", "status", f"unknown status {new!r}")
    if new not in TRANSITIONS[current]:
        raise DelegationError(
            "bad_transition",
            "status",
            f"a delegation cannot go from {current} to {new}",
            current=current,
            new=new,
        )


def check_times(
    departure: datetime,
    arrival: datetime,
    ret: datetime | None = None,
    stops: Iterable[tuple[str, datetime | None]] = (),
) -> None:
    """Times carry a zone, departure < arrival ≤ return, each stop after departure."""
    named = [("departure", departure), ("arrival", arrival), ("return", ret)]
    named += [(f"arrival at {code}", when) for code, when in stops]
    for name, value in named:
        if value is not None and value.tzinfo is None:
            raise DelegationError(
                "naive_time", name, "the time must carry a time zone (UTC)"
            )
    if not departure < arrival:
        raise DelegationError(
            "departure_after_arrival",
            "departure",
            "the planned departure must come before the planned arrival",
        )
    if ret is not None and ret < arrival:
        raise DelegationError(
            "return_before_arrival",
            "return",
            "the planned return must not come before the planned arrival",
        )
    for code, when in stops:
        if when is not None and when <= departure:
            raise DelegationError(
                "stop_before_departure",
                "communes",
                f"the planned arrival at commune {code} must come after the departure",
                commune=code,
            )


def check_not_past(arrival: datetime, clock: Clock) -> None:
    """A new delegation arrives after *clock* (the scenario clock): one planned
    entirely in the past would count as coverage it never gave."""
    if arrival < clock:
        raise DelegationError(
            "arrival_in_past",
            "arrival",
            f"the planned arrival {arrival:%Y-%m-%d %H:%M} UTC is before now "
            f"({clock:%Y-%m-%d %H:%M} UTC)",
            value=vietnam_text(arrival),
            now=vietnam_text(clock),
        )


# --------------------------------------------------------------------------
# Coverage and safety warnings


@dataclass(frozen=True)
class CoverageWarning:
    """One coverage or safety warning and its reason.

    ``kind`` is ``uncovered`` (an exposed commune with no delegation),
    ``into_storm`` (planned arrival after the commune's level-6 ETA) or
    ``leader_overlap`` (one leader on two delegations at the same time);
    ``params`` fill the translated message ``dlg.warn.<kind>``.
    """

    kind: str
    reason: str
    commune_code: str | None = None
    delegation_ids: tuple[int, ...] = ()
    params: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ExposedCommune:
    commune_code: str
    risk_level: int
    level6_eta_utc: datetime | None = None
    name: str = ""


@dataclass(frozen=True)
class Stop:
    """A delegation's planned arrival at one commune."""

    delegation_id: int
    delegation_name: str
    commune_code: str
    planned_arrival_utc: datetime | None
    status: str = "planned"


@dataclass(frozen=True)
class LeaderWindow:
    """When a leader is away with a delegation: departure to return (or arrival)."""

    delegation_id: int
    delegation_name: str
    leader_username: str
    start_utc: datetime
    end_utc: datetime
    status: str = "planned"


def _fmt(value: datetime | None) -> str:
    return "—" if value is None else f"{value:%Y-%m-%d %H:%M} UTC"


def uncovered(
    exposed: Iterable[ExposedCommune],
    stops: Iterable[Stop],
    min_risk: int,
) -> list[CoverageWarning]:
    """Communes at or above *min_risk* that no (uncancelled) delegation covers."""
    covered = {s.commune_code for s in stops if s.status != "cancelled"}
    out = []
    for c in sorted(exposed, key=lambda c: (-c.risk_level, c.commune_code)):
        if c.risk_level >= min_risk and c.commune_code not in covered:
            out.append(
                CoverageWarning(
                    "uncovered",
                    f"{c.name or c.commune_code}: risk level {c.risk_level} "
                    f"(at or above {min_risk}) and no delegation covers it",
                    commune_code=c.commune_code,
                    params={
                        "commune": c.name or c.commune_code,
                        "risk": c.risk_level,
                        "min_risk": min_risk,
                    },
                )
            )
    return out


def into_storm(
    stops: Iterable[Stop], etas: Mapping[str, datetime | None]
) -> list[CoverageWarning]:
    """Stops planned to arrive after the commune's level-6 wind arrival.

    Stops of cancelled or returned delegations, stops without a planned time
    and communes without a level-6 ETA are not warned about.
    """
    out = []
    for s in stops:
        if s.status in ("cancelled", "returned"):
            continue
        eta = etas.get(s.commune_code)
        if eta is None or s.planned_arrival_utc is None:
            continue
        if s.planned_arrival_utc > eta:
            late = (s.planned_arrival_utc - eta).total_seconds() / 3600
            out.append(
                CoverageWarning(
                    "into_storm",
                    f"{s.delegation_name} plans to reach {s.commune_code} at "
                    f"{_fmt(s.planned_arrival_utc)}, {late:.0f} h after level-6 "
                    f"winds arrive ({_fmt(eta)}): travelling into the storm",
                    commune_code=s.commune_code,
                    delegation_ids=(s.delegation_id,),
                    params={
                        "delegation": s.delegation_name,
                        "commune": s.commune_code,
                        "arrival": s.planned_arrival_utc,
                        "eta": eta,
                        "hours": round(late),
                    },
                )
            )
    return out


def leader_overlaps(windows: Iterable[LeaderWindow]) -> list[CoverageWarning]:
    """Pairs of uncancelled delegations with the same leader whose windows overlap.

    Windows that only touch (one ends when the other starts) do not overlap.
    """
    live = [
        w
        for w in windows
        if w.status not in ("cancelled", "returned") and w.start_utc < w.end_utc
    ]
    live.sort(key=lambda w: (w.leader_username, w.start_utc, w.delegation_id))
    out = []
    for i, a in enumerate(live):
        for b in live[i + 1 :]:
            if b.leader_username != a.leader_username:
                break
            if b.start_utc < a.end_utc and a.start_utc < b.end_utc:
                out.append(
                    CoverageWarning(
                        "leader_overlap",
                        f"{a.leader_username} leads both {a.delegation_name} "
                        f"({_fmt(a.start_utc)}–{_fmt(a.end_utc)}) and "
                        f"{b.delegation_name} ({_fmt(b.start_utc)}–"
                        f"{_fmt(b.end_utc)}) at the same time",
                        delegation_ids=(a.delegation_id, b.delegation_id),
                        params={
                            "leader": a.leader_username,
                            "first": a.delegation_name,
                            "second": b.delegation_name,
                        },
                    )
                )
    return out


def coverage_warnings(
    exposed: Iterable[ExposedCommune],
    stops: Iterable[Stop],
    windows: Iterable[LeaderWindow],
    min_risk: int,
) -> list[CoverageWarning]:
    """Every warning: uncovered communes, arrivals into the storm, leader overlaps."""
    exposed = list(exposed)
    stops = list(stops)
    etas = {c.commune_code: c.level6_eta_utc for c in exposed}
    return [
        *uncovered(exposed, stops, min_risk),
        *into_storm(stops, etas),
        *leader_overlaps(windows),
    ]


#: Which status a commune shows when several delegations cover it.
_STATUS_RANK = {"on_site": 4, "en_route": 3, "planned": 2, "returned": 1}


def presence_by_commune(
    delegations: Iterable[tuple[str, Iterable[str]]],
) -> dict[str, str]:
    """Commune code → the most advanced status of the delegations covering it.

    *delegations* holds ``(status, commune codes)`` pairs; cancelled
    delegations cover nothing. On site beats en route beats planned beats
    returned (for the readiness board's "delegation" column).
    """
    best: dict[str, str] = {}
    for status, codes in delegations:
        rank = _STATUS_RANK.get(status)
        if rank is None:
            continue
        for code in codes:
            if rank > _STATUS_RANK.get(best.get(code, ""), 0):
                best[code] = status
    return best
