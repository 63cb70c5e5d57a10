"""After-action review: were the communes ready when the wind came?

For one storm event and one province, one row per commune that had a plan or
reported damage:

* **exposure** — the maximum wind level, the risk level and the level-6
  arrival (ETA) the commune's plan was last set to (activation, then every
  newer forecast applied with ``apply_forecast``), or the *exposures* given
  (e.g. from the final forecast);
* **readiness at the ETA** — the priority-weighted share of applicable tasks
  done at the moment level-6 winds arrived, rebuilt from the plan progress
  log (``plan_progress``: one row each time a task enters or leaves ``done``
  or ``not_applicable``, written by :func:`dashboard.plans.tasks.update_task`):
  ``Σ done weight up to the ETA / (Σ task weight + Σ applicability changes up
  to the ETA)``, the same formula as
  :func:`dashboard.plans.readiness.progress_over_time`; and readiness now;
* **delegations on site** — provincial delegations covering the commune, not
  cancelled, that had checked in (or whose visit the commune had confirmed)
  by the ETA;
* **damage** — the commune's damage report (:mod:`dashboard.aar.damage`);
* **ready in time** — ``readiness_at_eta ≥ threshold`` (default
  :data:`READY_THRESHOLD` = 0.8, i.e. 80 % of the weighted tasks done when the
  wind came); ``None`` when the commune had no plan or level-6 winds never
  reached it.

Rows are sorted "not ready" first, then by wind level, so the answer to
"which communes were not ready when the wind came" is the top of the table.
Province staff of the province and admins only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Float, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session

from dashboard import registry
from dashboard.auth import Principal, can_read_province, is_staff, require
from dashboard.core.errors import Invalid, NotFound
from dashboard.core.time import VIETNAM_OFFSET, as_utc_or_none
from dashboard.i18n import translate
from dashboard.plans.activation import CommuneExposure
from dashboard.plans.model import PRIORITY_WEIGHTS
from dashboard.plans.readiness import share
from dashboard.reports.cells import frame_to_csv, frame_to_xlsx
from dashboard.store.models.aar import DAMAGE_FIELDS, DamageReport
from dashboard.store.models.delegations import Delegation, DelegationCommune
from dashboard.store.models.plans import CommunePlan, PlanProgress, PlanTask, StormEvent

__all__ = [
    "AAR_COLUMNS",
    "READY_THRESHOLD",
    "after_action",
    "export_frame",
    "latest_event",
    "recent_events",
    "summary",
    "to_csv",
    "to_xlsx",
]

#: Share of the weighted tasks that had to be done at the level-6 arrival.
READY_THRESHOLD = 0.8

AAR_COLUMNS = [
    "commune_code",
    "commune_name",
    "max_wind_level",
    "risk_level",
    "eta_utc",
    "has_plan",
    "tasks",
    "done_by_eta",
    "readiness_at_eta",
    "readiness_now",
    "delegations_on_site",
    *DAMAGE_FIELDS,
    "damage_notes",
    "damage_reported",
    "ready_in_time",
]


INT_COLUMNS = [
    "max_wind_level",
    "risk_level",
    "tasks",
    "done_by_eta",
    "delegations_on_site",
    *DAMAGE_FIELDS,
]


def latest_event(
    session: Session, storm_id: str, is_drill: bool | None = None
) -> int | None:
    """The newest storm event of *storm_id* (active or not), or ``None``."""
    query = select(StormEvent.id).where(StormEvent.storm_id == storm_id)
    if is_drill is not None:
        query = query.where(StormEvent.is_drill.is_(is_drill))
    return session.scalar(query.order_by(StormEvent.id.desc()).limit(1))


def recent_events(session: Session, limit: int = 20) -> list[tuple[int, str, bool]]:
    """(id, name, is_drill) of the newest storm events, active or not (events
    are not secret; the data read for them is checked per province)."""
    rows = session.execute(
        select(StormEvent.id, StormEvent.name, StormEvent.is_drill)
        .order_by(StormEvent.id.desc())
        .limit(limit)
    )
    return [(r.id, r.name, bool(r.is_drill)) for r in rows]


def _weight():
    return cast(
        case(
            *((PlanTask.priority == p, w) for p, w in PRIORITY_WEIGHTS.items()),
            else_=1,
        ),
        Float,
    )


def after_action(
    session: Session,
    actor: Principal,
    province_code: str,
    event_id: int,
    *,
    threshold: float = READY_THRESHOLD,
    exposures: Mapping[str, CommuneExposure] | None = None,
) -> pd.DataFrame:
    """One row per commune (columns :data:`AAR_COLUMNS`), not-ready first.

    *exposures* (commune code → exposure) replaces the plans' ETA and wind
    level for the communes it names, and adds communes without a plan.

    Raises
    ------
    Forbidden
        Commune leaders, volunteers, staff of another province.
    LookupError
        No such storm event.
    """
    require(
        is_staff(actor) and can_read_province(actor, province_code),
        f"read the after-action review of province {province_code} (province "
        f"staff or admin; you are {actor.role})",
    )
    if not 0 < float(threshold) <= 1:
        raise Invalid("threshold must be in (0, 1]", field="threshold")
    if session.get(StormEvent, event_id) is None:
        raise NotFound(f"no storm event {event_id}")
    exposures = dict(exposures or {})

    plans = {
        p.commune_code: p
        for p in session.scalars(
            select(CommunePlan).where(
                CommunePlan.event_id == event_id,
                CommunePlan.province_code == province_code,
            )
        )
    }
    totals = {
        r.commune_code: r
        for r in session.execute(
            select(
                PlanTask.commune_code,
                func.count().label("tasks"),
                func.sum(_weight()).label("w_total"),
            )
            .where(
                PlanTask.event_id == event_id,
                PlanTask.province_code == province_code,
            )
            .group_by(PlanTask.commune_code)
        )
    }
    now_sums = {
        r.commune_code: r
        for r in session.execute(
            select(
                PlanTask.commune_code,
                func.sum(case((PlanTask.status == "done", _weight()), else_=0.0)).label(
                    "w_done"
                ),
                func.sum(
                    case((PlanTask.status != "not_applicable", _weight()), else_=0.0)
                ).label("w_applicable"),
            )
            .where(
                PlanTask.event_id == event_id,
                PlanTask.province_code == province_code,
            )
            .group_by(PlanTask.commune_code)
        )
    }
    progress: dict[str, list[Any]] = defaultdict(list)
    for r in session.execute(
        select(
            PlanProgress.commune_code,
            PlanProgress.task_id,
            PlanProgress.at,
            PlanProgress.done_delta,
            PlanProgress.applicable_delta,
        )
        .where(
            PlanProgress.event_id == event_id,
            PlanProgress.province_code == province_code,
        )
        .order_by(PlanProgress.at, PlanProgress.id)
    ):
        progress[r.commune_code].append(r)
    visits: dict[str, list[tuple[datetime | None, datetime | None]]] = defaultdict(list)
    for r in session.execute(
        select(
            DelegationCommune.commune_code,
            Delegation.checked_in_at,
            DelegationCommune.confirmed_at,
        )
        .join(Delegation, Delegation.id == DelegationCommune.delegation_id)
        .where(
            Delegation.event_id == event_id,
            Delegation.province_code == province_code,
            Delegation.status != "cancelled",
            or_(
                Delegation.checked_in_at.is_not(None),
                DelegationCommune.confirmed_at.is_not(None),
            ),
        )
    ):
        visits[r.commune_code].append(
            (as_utc_or_none(r.checked_in_at), as_utc_or_none(r.confirmed_at))
        )
    damage = {
        d.commune_code: d
        for d in session.scalars(
            select(DamageReport).where(
                and_(
                    DamageReport.event_id == event_id,
                    DamageReport.province_code == province_code,
                )
            )
        )
    }
    in_province = {
        code
        for code, e in exposures.items()
        if _province_of(code) == province_code and e is not None
    }
    codes = sorted(set(plans) | set(damage) | in_province)

    rows = []
    for code in codes:
        plan = plans.get(code)
        exposure = exposures.get(code)
        if exposure is not None:
            eta = as_utc_or_none(exposure.eta_utc)
            wind, risk = exposure.max_wind_level, exposure.risk_level
        elif plan is not None:
            eta = as_utc_or_none(plan.eta_utc)
            wind, risk = plan.max_wind_level, plan.risk_level
        else:
            eta, wind, risk = None, None, None
        total = totals.get(code)
        ready_at_eta = done_by_eta = None
        if plan is not None and total is not None and eta is not None:
            w_done = 0.0
            w_applicable = float(total.w_total or 0.0)
            done_tasks: dict[int, int] = defaultdict(int)
            for change in progress.get(code, []):
                if as_utc_or_none(change.at) > eta:
                    break
                w_done += float(change.done_delta)
                w_applicable += float(change.applicable_delta)
                if change.done_delta:
                    done_tasks[change.task_id] += 1 if change.done_delta > 0 else -1
            ready_at_eta = share(w_done, w_applicable)
            done_by_eta = sum(1 for v in done_tasks.values() if v > 0)
        elif plan is not None and total is None and eta is not None:
            ready_at_eta, done_by_eta = 1.0, 0  # nothing to do
        current = now_sums.get(code)
        ready_now = (
            share(current.w_done, current.w_applicable)
            if current is not None
            else (1.0 if plan is not None else None)
        )
        on_site = None
        if eta is not None:
            on_site = sum(
                1
                for checked_in, confirmed in visits.get(code, [])
                if (checked_in is not None and checked_in <= eta)
                or (confirmed is not None and confirmed <= eta)
            )
        report = damage.get(code)
        rows.append(
            {
                "commune_code": code,
                "commune_name": registry.commune_name(code),
                "max_wind_level": wind,
                "risk_level": risk,
                "eta_utc": eta,
                "has_plan": plan is not None,
                "tasks": int(total.tasks) if total is not None else 0,
                "done_by_eta": done_by_eta,
                "readiness_at_eta": ready_at_eta,
                "readiness_now": ready_now,
                "delegations_on_site": on_site,
                **{
                    name: (getattr(report, name) if report else None)
                    for name in DAMAGE_FIELDS
                },
                "damage_notes": report.notes if report else "",
                "damage_reported": report is not None,
                "ready_in_time": None
                if ready_at_eta is None
                else bool(ready_at_eta >= float(threshold) - 1e-9),
            }
        )
    frame = pd.DataFrame(rows, columns=AAR_COLUMNS)
    # Whole numbers stay whole with gaps (pandas' nullable Int64: <NA>, not NaN).
    frame = frame.astype(dict.fromkeys(INT_COLUMNS, "Int64"))
    frame["eta_utc"] = pd.to_datetime(frame["eta_utc"], utc=True)
    for column in ("readiness_at_eta", "readiness_now"):
        frame[column] = frame[column].astype(float)
    if frame.empty:
        return frame
    rank = frame["ready_in_time"].map({False: 0, None: 1, True: 2}).fillna(1)
    frame = frame.assign(_rank=rank, _wind=frame["max_wind_level"].fillna(-1))
    frame = frame.sort_values(
        ["_rank", "_wind", "commune_code"], ascending=[True, False, True]
    )
    return frame.drop(columns=["_rank", "_wind"]).reset_index(drop=True)


def _province_of(code: str) -> str | None:
    try:
        return str(registry.commune(code)["province_code"])
    except KeyError:
        return None


def summary(frame: pd.DataFrame) -> dict[str, Any]:
    """Counts for the page's headline: communes, ready, not ready, no ETA,
    damage totals, and the codes of the communes not ready in time."""
    ready = frame["ready_in_time"]
    return {
        "communes": len(frame),
        "ready": int((ready == True).sum()),  # noqa: E712 — object column of bools/None
        "not_ready": int((ready == False).sum()),  # noqa: E712
        "unknown": int(ready.isna().sum()),
        "not_ready_codes": frame.loc[ready == False, "commune_code"].tolist(),  # noqa: E712
        **{name: int(frame[name].fillna(0).sum()) for name in DAMAGE_FIELDS},
        "damage_reported": int(frame["damage_reported"].sum()),
    }


# --------------------------------------------------------------------------- #
# export


def _local(value: Any) -> str:
    if value is None or value is pd.NaT or pd.isna(value):
        return ""
    return f"{pd.Timestamp(value).to_pydatetime().astimezone(UTC) + VIETNAM_OFFSET:%d/%m/%Y %H:%M}"


def export_frame(frame: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The review for people: translated headers, Vietnam times, percentages,
    yes/no flags."""

    def yes_no(value: Any) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return translate("aar.value.unknown", lang)
        return translate("aar.value.yes" if value else "aar.value.no", lang)

    def percent(value: Any) -> float | None:
        if value is None or pd.isna(value):
            return None
        return round(float(value) * 100, 1)

    out = frame.copy()
    out["eta_utc"] = out["eta_utc"].map(_local)
    for column in ("readiness_at_eta", "readiness_now"):
        out[column] = out[column].map(percent)
    for column in ("has_plan", "damage_reported", "ready_in_time"):
        out[column] = out[column].map(yes_no)
    out = out.astype(object).where(out.notna(), None)
    return out.rename(columns={c: translate(f"aar.col.{c}", lang) for c in AAR_COLUMNS})


def to_csv(frame: pd.DataFrame, lang: str = "vi") -> bytes:
    """UTF-8 CSV (with BOM, for Excel), text cells neutralised."""
    return frame_to_csv(export_frame(frame, lang))


def to_xlsx(frame: pd.DataFrame, lang: str = "vi", title: str = "") -> bytes:
    """One sheet; *title* lines above the table; text cells neutralised."""
    return frame_to_xlsx(
        export_frame(frame, lang),
        translate("aar.sheet", lang),
        preamble=[title] if title else (),
    )
