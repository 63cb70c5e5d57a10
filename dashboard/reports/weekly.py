"""The province's weekly report to the Ministry (issue 14, part 1).

For one ISO week (``"2025-W29"``, Monday 00:00 to Monday 00:00 **Vietnam
time**, like :func:`dashboard.feedback.week_start`) and one province:

* per commune × category: items **raised** (first raised during the week),
  **answered** (distinct items that got an answer during the week),
  **forwarded** (distinct items forwarded to a ministry during the week) and
  **open** (waiting for the province — received or assigned — at the end of
  the week, whenever they were raised: the backlog);
* the oldest unanswered items at the end of the week;
* the time to answer (median and mean hours, from the start of the item's
  cycle — its raise or latest reopen — to each answer given in the week);
* the items forwarded to a ministry during the week;
* the province's own summary text (saved per province and week, see
  :func:`save_summary`).

The status of an item at the end of a past week is rebuilt from the audit log
(``feedback.raise/assign/answer/close/reopen`` rows), so a report printed
later says what was true that week. For the current week the cut-off is
*now*. Renderers (text, PDF, XLSX, DOCX) are in
:mod:`dashboard.reports.weekly_render`.

Authorization: admins read every province; province staff their provinces;
commune leaders and volunteers are refused. :func:`national_rollup` is for
admins only.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dashboard import audit, registry
from dashboard.auth import (
    Forbidden,
    Principal,
    Role,
    can_manage_province,
    can_read_province,
    is_staff,
    require,
)
from dashboard.core.clock import Clock
from dashboard.core.errors import Conflict, Invalid
from dashboard.core.time import VIETNAM_OFFSET, as_utc_or_none, utc_now
from dashboard.reports.forwards import ForwardView
from dashboard.reports.forwards import view as forward_view
from dashboard.store.models.aar import FeedbackForward, WeeklyReportNote
from dashboard.store.models.core import AuditEntry
from dashboard.store.models.feedback import CATEGORIES, FeedbackItem

__all__ = [
    "CATEGORY_LABELS_VI",
    "OLDEST_LIMIT",
    "CellCounts",
    "NationalRollup",
    "OpenItem",
    "ReportError",
    "SummaryNote",
    "WeeklyReport",
    "current_iso_week",
    "get_summary",
    "national_rollup",
    "save_summary",
    "week_bounds",
    "weekly_report",
]

OLDEST_LIMIT = 10
MAX_SUMMARY = 4000
WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")
OBJECT_TYPE = "feedback_item"
#: Status an item has after each audited feedback action.
_STATUS_AFTER = {
    "feedback.raise": "received",
    "feedback.assign": "assigned",
    "feedback.answer": "answered",
    "feedback.close": "closed",
    "feedback.reopen": "received",
}
_CYCLE_START = ("feedback.raise", "feedback.reopen")
AWAITING = ("received", "assigned")
CATEGORY_LABELS_VI = {
    "staffing": "Nhân lực",
    "equipment": "Trang thiết bị",
    "funding": "Kinh phí",
    "procedure": "Thủ tục",
    "infrastructure": "Hạ tầng",
    "other": "Khác",
}
STATUS_LABELS_VI = {
    "received": "Mới tiếp nhận",
    "assigned": "Đã giao xử lý",
    "answered": "Đã trả lời",
    "closed": "Đã đóng",
}


class ReportError(Invalid):
    """Input the report refuses; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


# --------------------------------------------------------------------------- #
# weeks


def week_bounds(iso_week: str) -> tuple[datetime, datetime]:
    """UTC start and end of the ISO week (Monday 00:00 Vietnam time, twice).

    Raises :class:`ReportError` (field ``week``) for anything but ``YYYY-Www``
    naming a real week.
    """
    match = WEEK_PATTERN.match(str(iso_week).strip())
    if not match:
        raise ReportError("week", f"{iso_week!r} is not an ISO week like 2025-W29")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise ReportError("week", f"{year} has no week {week}") from exc
    start = datetime.combine(monday, time(), UTC) - VIETNAM_OFFSET
    return start, start + timedelta(weeks=1)


def current_iso_week(clock: Clock | None = None) -> str:
    """The ISO week (Vietnam time) holding *clock*."""
    local = utc_now(clock) + VIETNAM_OFFSET
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def province_names(code: str) -> tuple[str, str]:
    """(short name, full name) of a province: ("Hưng Yên", "Tỉnh Hưng Yên")."""
    frame = registry.provinces().set_index("province_code")
    if code not in frame.index:
        raise ReportError("province", f"unknown province code {code!r}")
    row = frame.loc[code]
    return str(row["province_name"]), str(row["province_full_name"])


# --------------------------------------------------------------------------- #
# the report


@dataclass(frozen=True)
class CellCounts:
    """One commune × category line of the report."""

    commune_code: str
    commune_name: str
    category: str
    raised: int
    answered: int
    forwarded: int
    open: int


@dataclass(frozen=True)
class OpenItem:
    """An item waiting for the province at the end of the week."""

    id: int
    commune_code: str
    commune_name: str
    category: str
    urgency: str
    title: str
    status: str
    waiting_since: datetime
    age_hours: float


@dataclass(frozen=True)
class WeeklyReport:
    province_code: str
    province_name: str
    province_full_name: str
    iso_week: str
    start_utc: datetime
    end_utc: datetime
    #: End of the counting window: the week's end, or *now* in the current week.
    as_of_utc: datetime
    rows: tuple[CellCounts, ...]
    oldest_unanswered: tuple[OpenItem, ...]
    #: Hours from cycle start to each answer given during the week.
    answer_hours: tuple[float, ...]
    forwarded_items: tuple[ForwardView, ...]
    summary_text: str = ""
    #: Items open at the end of the week (all of them, not just the oldest).
    open_total: int = 0

    @property
    def median_hours_to_answer(self) -> float | None:
        return statistics.median(self.answer_hours) if self.answer_hours else None

    @property
    def mean_hours_to_answer(self) -> float | None:
        return statistics.fmean(self.answer_hours) if self.answer_hours else None

    @property
    def totals(self) -> dict[str, int]:
        return {
            "raised": sum(r.raised for r in self.rows),
            "answered": sum(r.answered for r in self.rows),
            "forwarded": sum(r.forwarded for r in self.rows),
            "open": sum(r.open for r in self.rows),
        }

    def by_category(self) -> dict[str, dict[str, int]]:
        """Totals per category (every category, zeros included)."""
        out = {
            c: {"raised": 0, "answered": 0, "forwarded": 0, "open": 0}
            for c in CATEGORIES
        }
        for r in self.rows:
            for key in out[r.category]:
                out[r.category][key] += getattr(r, key)
        return out

    def frame(self) -> pd.DataFrame:
        """The commune × category lines as a table."""
        columns = [
            "commune_code",
            "commune_name",
            "category",
            "raised",
            "answered",
            "forwarded",
            "open",
        ]
        return pd.DataFrame(
            [[getattr(r, c) for c in columns] for r in self.rows], columns=columns
        )

    @property
    def week_label(self) -> str:
        """ "14/07/2025 – 20/07/2025" (Vietnam dates)."""
        first = (self.start_utc + VIETNAM_OFFSET).date()
        last = first + timedelta(days=6)
        return f"{first:%d/%m/%Y} – {last:%d/%m/%Y}"


def _require_reader(actor: Principal, province_code: str) -> None:
    require(
        is_staff(actor) and can_read_province(actor, province_code),
        f"read the weekly report of province {province_code} (province staff "
        f"or admin; you are {actor.role})",
    )


def _audit_rows(
    session: Session, ids: list[int], before: datetime
) -> dict[int, list[tuple[datetime, str]]]:
    """Feedback audit rows (time, action) per item, oldest first, before *before*."""
    out: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    keys = [str(i) for i in ids]
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        query = (
            select(AuditEntry.object_id, AuditEntry.at, AuditEntry.action)
            .where(AuditEntry.object_type == OBJECT_TYPE)
            .where(AuditEntry.object_id.in_(chunk))
            .where(AuditEntry.action.in_(tuple(_STATUS_AFTER)))
            .where(AuditEntry.at < before)
            .order_by(AuditEntry.at, AuditEntry.id)
        )
        for object_id, at, action in session.execute(query):
            out[int(object_id)].append((as_utc_or_none(at), action))  # type: ignore[arg-type]
    return out


def _fallback_events(
    item: FeedbackItem, before: datetime
) -> list[tuple[datetime, str]]:
    """Events from the item's own columns (items written without audit rows)."""
    events = [(as_utc_or_none(item.created_at), "feedback.raise")]
    for column, action in (
        (item.assigned_at, "feedback.assign"),
        (item.answered_at, "feedback.answer"),
        (item.closed_at, "feedback.close"),
    ):
        at = as_utc_or_none(column)
        if at is not None and at < before:
            events.append((at, action))
    return sorted(events, key=lambda e: e[0])  # type: ignore[arg-type,return-value]


def weekly_report(
    session: Session,
    actor: Principal,
    province_code: str,
    iso_week: str,
    summary_text: str = "",
    *,
    clock: Clock | None = None,
    oldest_limit: int = OLDEST_LIMIT,
) -> WeeklyReport:
    """The weekly report of *province_code* for *iso_week*.

    *summary_text* empty: the summary saved with :func:`save_summary` (if any).

    Raises
    ------
    Forbidden
        Commune leaders, volunteers, staff of another province.
    ReportError
        A malformed week, an unknown province, a week that has not begun.
    """
    _require_reader(actor, province_code)
    short_name, full_name = province_names(province_code)
    start, end = week_bounds(iso_week)
    clock = utc_now(clock)
    if clock < start:
        raise ReportError("week", f"{iso_week} has not begun yet")
    cutoff = min(end, clock)

    items = {
        item.id: item
        for item in session.scalars(
            select(FeedbackItem)
            .where(FeedbackItem.province_code == province_code)
            .where(FeedbackItem.created_at < cutoff)
            # Untouched since before the week: its status now is its status
            # then, so it matters only while it waits for the province.
            .where(
                or_(
                    FeedbackItem.updated_at >= start,
                    FeedbackItem.status.in_(AWAITING),
                )
            )
        )
    }
    history = _audit_rows(session, sorted(items), cutoff)
    raised: dict[tuple[str, str], int] = defaultdict(int)
    answered: dict[tuple[str, str], int] = defaultdict(int)
    forwarded: dict[tuple[str, str], int] = defaultdict(int)
    open_: dict[tuple[str, str], int] = defaultdict(int)
    answer_hours: list[float] = []
    waiting: list[OpenItem] = []

    for item_id, item in items.items():
        key = (item.commune_code, item.category)
        created = as_utc_or_none(item.created_at)
        assert created is not None
        if start <= created < cutoff:
            raised[key] += 1
        events = history.get(item_id) or _fallback_events(item, cutoff)
        status = "received"
        cycle_start = created
        answered_this_week = False
        for at, action in events:
            if action in _CYCLE_START:
                cycle_start = at
            if action == "feedback.answer" and start <= at < cutoff:
                answered_this_week = True
                answer_hours.append((at - cycle_start).total_seconds() / 3600.0)
            status = _STATUS_AFTER[action]
        if answered_this_week:
            answered[key] += 1
        if status in AWAITING:
            open_[key] += 1
            waiting.append(
                OpenItem(
                    id=item_id,
                    commune_code=item.commune_code,
                    commune_name=registry.commune_name(item.commune_code),
                    category=item.category,
                    urgency=item.urgency,
                    title=item.title,
                    status=status,
                    waiting_since=cycle_start,
                    age_hours=(cutoff - cycle_start).total_seconds() / 3600.0,
                )
            )

    forwards: list[ForwardView] = []
    forwarded_ids: dict[tuple[str, str], set[int]] = defaultdict(set)
    for row, item in session.execute(
        select(FeedbackForward, FeedbackItem)
        .join(FeedbackItem, FeedbackItem.id == FeedbackForward.item_id)
        .where(FeedbackForward.province_code == province_code)
        .where(FeedbackForward.forwarded_at >= start)
        .where(FeedbackForward.forwarded_at < cutoff)
        .order_by(FeedbackForward.forwarded_at, FeedbackForward.id)
    ):
        forwards.append(forward_view(row, item))
        forwarded_ids[(item.commune_code, item.category)].add(item.id)
    for key, ids in forwarded_ids.items():
        forwarded[key] = len(ids)

    order = {c: i for i, c in enumerate(CATEGORIES)}
    keys = sorted(
        set(raised) | set(answered) | set(forwarded) | set(open_),
        key=lambda k: (k[0], order.get(k[1], len(order)), k[1]),
    )
    rows = tuple(
        CellCounts(
            commune_code=commune,
            commune_name=registry.commune_name(commune),
            category=category,
            raised=raised[(commune, category)],
            answered=answered[(commune, category)],
            forwarded=forwarded[(commune, category)],
            open=open_[(commune, category)],
        )
        for commune, category in keys
    )
    waiting.sort(key=lambda o: (o.waiting_since, o.id))
    if not summary_text.strip():
        note = _load_note(session, province_code, _normal_week(iso_week))
        summary_text = note.text if note else ""
    return WeeklyReport(
        province_code=province_code,
        province_name=short_name,
        province_full_name=full_name,
        iso_week=_normal_week(iso_week),
        start_utc=start,
        end_utc=end,
        as_of_utc=cutoff,
        rows=rows,
        oldest_unanswered=tuple(waiting[: max(0, int(oldest_limit))]),
        answer_hours=tuple(answer_hours),
        forwarded_items=tuple(forwards),
        summary_text=summary_text.strip(),
        open_total=len(waiting),
    )


# --------------------------------------------------------------------------- #
# the province's summary text


@dataclass(frozen=True)
class SummaryNote:
    province_code: str
    iso_week: str
    text: str
    version: int
    updated_at: datetime
    updated_by: str


def _normal_week(iso_week: str) -> str:
    week_bounds(iso_week)  # validates
    return str(iso_week).strip()


def _load_note(
    session: Session, province_code: str, iso_week: str
) -> WeeklyReportNote | None:
    return session.scalar(
        select(WeeklyReportNote).where(
            WeeklyReportNote.province_code == province_code,
            WeeklyReportNote.iso_week == iso_week,
        )
    )


def _note_view(row: WeeklyReportNote) -> SummaryNote:
    return SummaryNote(
        province_code=row.province_code,
        iso_week=row.iso_week,
        text=row.text,
        version=row.version,
        updated_at=as_utc_or_none(row.updated_at),  # type: ignore[arg-type]
        updated_by=row.updated_by,
    )


def get_summary(
    session: Session, actor: Principal, province_code: str, iso_week: str
) -> SummaryNote | None:
    """The saved summary text of the province for the week, if any."""
    _require_reader(actor, province_code)
    row = _load_note(session, province_code, _normal_week(iso_week))
    return _note_view(row) if row else None


def save_summary(
    session: Session,
    actor: Principal,
    province_code: str,
    iso_week: str,
    text: str,
    expected_version: int | None = None,
    clock: Clock | None = None,
) -> SummaryNote:
    """Save (a draft of) the province's summary text for the week; audited.

    *expected_version*: ``None`` when the caller saw no saved text, else the
    version it read. A mismatch raises :class:`Conflict`, nothing written.
    """
    require(
        is_staff(actor) and can_manage_province(actor, province_code),
        f"write the weekly summary of province {province_code}",
    )
    province_names(province_code)
    week = _normal_week(iso_week)
    if not isinstance(text, str):
        raise ReportError("summary", "must be text")
    cleaned = text.strip()
    if len(cleaned) > MAX_SUMMARY:
        raise ReportError(
            "summary", f"is {len(cleaned)} characters long; at most {MAX_SUMMARY}"
        )
    at = utc_now(clock)
    row = _load_note(session, province_code, week)
    if row is None:
        if expected_version is not None:
            raise Conflict(f"the summary of {week} no longer exists")
        row = WeeklyReportNote(
            province_code=province_code,
            iso_week=week,
            text=cleaned,
            updated_at=at,
            updated_by=actor.username,
        )
        session.add(row)
        old: dict[str, Any] | None = None
    else:
        if expected_version != row.version:
            raise Conflict(
                f"the summary of {week} was changed by {row.updated_by} "
                f"(version {row.version}, you read {expected_version})"
            )
        old = {"text": row.text, "version": row.version}
        row.text = cleaned
        row.updated_at = at
        row.updated_by = actor.username
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(f"the summary of {week} was changed meanwhile") from exc
    audit.record(
        session,
        actor,
        "weekly_report.summary",
        "weekly_report",
        f"{province_code}/{week}",
        old=old,
        new={"text": row.text, "version": row.version},
        at=at,
    )
    return _note_view(row)


# --------------------------------------------------------------------------- #
# national roll-up


ROLLUP_COLUMNS = [
    "province_code",
    "province_name",
    "raised",
    "answered",
    "forwarded",
    "open",
    "median_hours_to_answer",
    "mean_hours_to_answer",
    "has_summary",
]


@dataclass(frozen=True)
class NationalRollup:
    iso_week: str
    #: One row per province (all 34), columns :data:`ROLLUP_COLUMNS`.
    frame: pd.DataFrame
    #: The reports of provinces with feedback (or a summary) that week.
    reports: dict[str, WeeklyReport] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        return {
            k: int(self.frame[k].sum())
            for k in ("raised", "answered", "forwarded", "open")
        }

    @property
    def median_hours_to_answer(self) -> float | None:
        hours = [h for r in self.reports.values() for h in r.answer_hours]
        return statistics.median(hours) if hours else None


def national_rollup(
    session: Session,
    actor: Principal,
    iso_week: str,
    *,
    clock: Clock | None = None,
) -> NationalRollup:
    """Every province's weekly figures side by side (admins only)."""
    if actor.role is not Role.ADMIN:
        raise Forbidden(
            f"not allowed: read the national weekly roll-up (admin only; "
            f"you are {actor.role})"
        )
    week = _normal_week(iso_week)
    _start, end = week_bounds(week)
    active = set(
        session.scalars(
            select(FeedbackItem.province_code)
            .where(FeedbackItem.created_at < end)
            .distinct()
        )
    ) | set(
        session.scalars(
            select(WeeklyReportNote.province_code).where(
                WeeklyReportNote.iso_week == week
            )
        )
    )
    reports = {
        code: weekly_report(session, actor, code, week, clock=clock)
        for code in sorted(active)
    }
    rows = []
    for p in registry.provinces().sort_values("province_code").itertuples():
        report = reports.get(p.province_code)
        totals = (
            report.totals
            if report
            else dict.fromkeys(("raised", "answered", "forwarded", "open"), 0)
        )
        rows.append(
            {
                "province_code": p.province_code,
                "province_name": p.province_name,
                **totals,
                "median_hours_to_answer": report.median_hours_to_answer
                if report
                else None,
                "mean_hours_to_answer": report.mean_hours_to_answer if report else None,
                "has_summary": bool(report and report.summary_text),
            }
        )
    return NationalRollup(week, pd.DataFrame(rows, columns=ROLLUP_COLUMNS), reports)
