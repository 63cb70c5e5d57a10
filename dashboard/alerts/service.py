"""CAP alert workflow: draft → approve → publish, typed and audited.

Authorization is enforced here (never only in the UI): province staff of the
alert's province, and admins, draft, approve and publish; commune leaders and
volunteers are refused. Every draft, approval and publication writes an audit
row (object type ``cap_alert``, object id the CAP identifier) in the caller's
transaction. Only published alerts are public: :func:`published_alerts` and
:func:`published_xml` (the Atom feed and the download) never return a draft or
an approved-but-unpublished alert.

A draft can be rebuilt (same identifier: same storm, province and advisory)
until it is published; rebuilding an approved draft sends it back to
``draft``, so what is published is always what was approved. Publishing
validates the XML against the CAP 1.2 schema once more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dashboard import audit
from dashboard.alerts.cap import (
    AlertRef,
    CapAlert,
    alert_identifier,
    build_province_alert,
    validate,
)
from dashboard.auth import (
    Principal,
    can_manage_province,
    is_staff,
    require,
)
from dashboard.core.clock import Clock, scenario_now
from dashboard.core.errors import Conflict, Invalid
from dashboard.core.time import as_utc_or_none
from dashboard.plans.templates import TaskSpec
from dashboard.store.models.alerts import CapAlertRow
from dashboard.storms.model import Forecast

OBJECT = "cap_alert"
STATES = ("draft", "approved", "published")


class AlertError(Invalid):
    """A request the workflow refuses (wrong state, already published …)."""


@dataclass(frozen=True)
class AlertView:
    """One stored alert, without its XML."""

    id: int
    identifier: str
    sender: str
    province_code: str
    storm_id: str
    storm_name: str
    advisory_utc: datetime
    state: str
    cap_status: str
    msg_type: str
    sent: datetime
    expires: datetime
    risk_level: int
    severity: str
    urgency: str
    certainty: str
    headline_vi: str
    headline_en: str
    commune_count: int
    created_at: datetime
    created_by: str
    approved_at: datetime | None
    approved_by: str | None
    published_at: datetime | None
    published_by: str | None
    version: int


def _view(row: CapAlertRow) -> AlertView:
    return AlertView(
        id=row.id,
        identifier=row.identifier,
        sender=row.sender,
        province_code=row.province_code,
        storm_id=row.storm_id,
        storm_name=row.storm_name,
        advisory_utc=as_utc_or_none(row.advisory_utc),  # type: ignore[arg-type]
        state=row.state,
        cap_status=row.cap_status,
        msg_type=row.msg_type,
        sent=as_utc_or_none(row.sent),  # type: ignore[arg-type]
        expires=as_utc_or_none(row.expires),  # type: ignore[arg-type]
        risk_level=row.risk_level,
        severity=row.severity,
        urgency=row.urgency,
        certainty=row.certainty,
        headline_vi=row.headline_vi,
        headline_en=row.headline_en,
        commune_count=row.commune_count,
        created_at=as_utc_or_none(row.created_at),  # type: ignore[arg-type]
        created_by=row.created_by,
        approved_at=as_utc_or_none(row.approved_at),
        approved_by=row.approved_by,
        published_at=as_utc_or_none(row.published_at),
        published_by=row.published_by,
        version=row.version,
    )


def _summary(row: CapAlertRow) -> dict[str, object]:
    return {
        "state": row.state,
        "province": row.province_code,
        "storm": row.storm_id,
        "status": row.cap_status,
        "msgType": row.msg_type,
        "risk_level": row.risk_level,
        "severity": row.severity,
        "urgency": row.urgency,
        "communes": row.commune_count,
    }


def can_manage_alerts(actor: Principal, province_code: str) -> bool:
    """Province staff of *province_code* and admins (never communes, volunteers)."""
    return is_staff(actor) and can_manage_province(actor, province_code)


def _require_manage(actor: Principal, province_code: str, what: str) -> None:
    require(
        can_manage_alerts(actor, province_code),
        f"{what} CAP alerts of province {province_code}",
    )


def alert_url(base_url: str, identifier: str) -> str:
    """The stable URL of a published alert's XML under *base_url*."""
    return f"{base_url.rstrip('/')}/alerts/{quote(identifier, safe='@.-_')}.xml"


def _row(session: Session, alert_id: int) -> CapAlertRow:
    row = session.get(CapAlertRow, alert_id)
    if row is None:
        raise AlertError(f"no alert {alert_id}")
    return row


def _check_version(row: CapAlertRow, expected_version: int | None) -> None:
    if expected_version is not None and row.version != expected_version:
        raise Conflict(
            f"alert {row.identifier} changed (version {row.version}, "
            f"you read {expected_version})"
        )


def _flush(session: Session, row: CapAlertRow) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(f"alert {row.identifier} changed meanwhile") from exc


# -- writes ------------------------------------------------------------------


def save_draft(
    session: Session, actor: Principal, alert: CapAlert, clock: Clock | None = None
) -> AlertView:
    """Store *alert* as a draft (or rebuild the draft with its identifier).

    Raises
    ------
    Forbidden
        Unless province staff of the alert's province or admin.
    CapValidationError
        When the message is not valid CAP 1.2.
    AlertError
        When an alert with this identifier is already published.
    """
    _require_manage(actor, alert.province_code, "draft")
    validate(alert.xml)
    clock = scenario_now(session, clock)
    row = session.scalar(
        select(CapAlertRow).where(CapAlertRow.identifier == alert.identifier)
    )
    fields = {
        "sender": alert.sender,
        "province_code": alert.province_code,
        "storm_id": alert.storm_id,
        "storm_name": alert.storm_name,
        "advisory_utc": alert.advisory_utc,
        "cap_status": alert.status,
        "msg_type": alert.msg_type,
        "sent": alert.sent,
        "expires": alert.expires,
        "risk_level": alert.risk_level,
        "severity": alert.severity,
        "urgency": alert.urgency,
        "certainty": alert.certainty,
        "headline_vi": alert.headline_vi,
        "headline_en": alert.headline_en,
        "commune_count": alert.commune_count,
        "xml": alert.xml.decode("utf-8"),
    }
    if row is None:
        row = CapAlertRow(
            identifier=alert.identifier,
            state="draft",
            created_at=clock,
            created_by=actor.username,
            **fields,
        )
        session.add(row)
        session.flush()
        audit.record(
            session, actor, "draft", OBJECT, row.identifier, new=_summary(row), at=clock
        )
        return _view(row)
    if row.state == "published":
        raise AlertError(f"alert {row.identifier} is already published")
    old = _summary(row)
    for name, value in fields.items():
        setattr(row, name, value)
    row.state = "draft"
    row.approved_at = None
    row.approved_by = None
    row.created_at = clock
    row.created_by = actor.username
    _flush(session, row)
    audit.record(
        session, actor, "redraft", OBJECT, row.identifier, old, _summary(row), at=clock
    )
    return _view(row)


def _advance(
    session: Session,
    actor: Principal,
    alert_id: int,
    expected_version: int | None,
    clock: Clock | None,
    *,
    action: str,
    from_state: str,
    to_state: str,
) -> AlertView:
    """Move an alert one step (draft → approved → published), stamped on the
    scenario clock and audited; the caller's checks ran on the same row."""
    row = _row(session, alert_id)
    _require_manage(actor, row.province_code, action)
    _check_version(row, expected_version)
    if row.state != from_state:
        raise AlertError(
            f"alert {row.identifier} is {row.state}: only "
            f"{'an' if from_state[0] in 'aeiou' else 'a'} {from_state} alert "
            f"can be {to_state}"
        )
    if to_state == "published":
        validate(row.xml.encode("utf-8"))
    at = scenario_now(session, clock)
    old = _summary(row)
    row.state = to_state
    setattr(row, f"{to_state}_at", at)
    setattr(row, f"{to_state}_by", actor.username)
    _flush(session, row)
    audit.record(
        session, actor, action, OBJECT, row.identifier, old, _summary(row), at=at
    )
    return _view(row)


def approve(
    session: Session,
    actor: Principal,
    alert_id: int,
    expected_version: int | None = None,
    clock: Clock | None = None,
) -> AlertView:
    """Approve a draft (province staff of its province, or admin); audited."""
    return _advance(
        session,
        actor,
        alert_id,
        expected_version,
        clock,
        action="approve",
        from_state="draft",
        to_state="approved",
    )


def publish(
    session: Session,
    actor: Principal,
    alert_id: int,
    expected_version: int | None = None,
    clock: Clock | None = None,
) -> AlertView:
    """Publish an approved alert (province staff or admin); validated, audited.

    Raises
    ------
    AlertError
        When the alert is not approved (a draft is never published).
    CapValidationError
        When the stored message is not valid CAP 1.2.
    """
    return _advance(
        session,
        actor,
        alert_id,
        expected_version,
        clock,
        action="publish",
        from_state="approved",
        to_state="published",
    )


def discard_draft(
    session: Session,
    actor: Principal,
    alert_id: int,
    reason: str = "",
    clock: Clock | None = None,
) -> None:
    """Delete an unpublished draft (audited with its summary and *reason*)."""
    row = _row(session, alert_id)
    _require_manage(actor, row.province_code, "discard")
    if row.state == "published":
        raise AlertError(f"alert {row.identifier} is published and stays")
    old = _summary(row)
    identifier = row.identifier
    session.delete(row)
    session.flush()
    audit.record(
        session, actor, "discard", OBJECT, identifier, old=old, reason=reason, at=clock
    )


# -- reads -------------------------------------------------------------------


def previous_references(
    session: Session, storm_id: str, province_code: str, before_identifier: str = ""
) -> list[AlertRef]:
    """The latest published alert of this storm and province, as a reference.

    An Update references the message it replaces (CAP 1.2 §3.2.1); the chain
    of earlier messages is reachable from there.
    """
    query = (
        select(CapAlertRow)
        .where(
            CapAlertRow.storm_id == storm_id,
            CapAlertRow.province_code == province_code,
            CapAlertRow.state == "published",
            CapAlertRow.identifier != before_identifier,
        )
        .order_by(CapAlertRow.published_at.desc(), CapAlertRow.id.desc())
        .limit(1)
    )
    return [
        AlertRef(r.sender, r.identifier, as_utc_or_none(r.sent))  # type: ignore[arg-type]
        for r in session.scalars(query)
    ]


def draft_province_alert(
    session: Session,
    actor: Principal,
    forecast: Forecast,
    exposure_table: pd.DataFrame,
    province_code: str,
    alert_clock: Clock,
    sender: str,
    base_url: str,
    *,
    is_drill: bool = False,
    drill_name: str = "",
    polygons: pd.DataFrame | None = None,
    tasks: Iterable[TaskSpec] | None = None,
    clock: Clock | None = None,
) -> AlertView | None:
    """Build the province's CAP message and store it as a draft.

    Earlier published alerts of the storm and province make it an Update; its
    ``<web>`` is the alert's stable URL under *base_url*. None when no commune
    of the province is exposed. *alert_clock* is the scenario time the message
    describes (that of *exposure_table*); *clock* stamps the draft, as in
    :func:`save_draft`.
    """
    _require_manage(actor, province_code, "draft")
    identifier = alert_identifier(
        sender, forecast.storm_id, province_code, forecast.issued_utc
    )
    alert = build_province_alert(
        forecast,
        exposure_table,
        province_code,
        alert_clock,
        sender,
        is_drill=is_drill,
        drill_name=drill_name,
        references=previous_references(
            session, forecast.storm_id, province_code, identifier
        ),
        polygons=polygons,
        tasks=tasks,
        web=alert_url(base_url, identifier),
    )
    if alert is None:
        return None
    return save_draft(session, actor, alert, clock=clock)


def list_alerts(
    session: Session,
    actor: Principal,
    province_code: str,
    states: Iterable[str] = STATES,
) -> list[AlertView]:
    """Alerts of a province in *states*, newest first (its staff and admins)."""
    _require_manage(actor, province_code, "read")
    wanted = list(states)
    unknown = sorted(set(wanted) - set(STATES))
    if unknown:
        raise AlertError(f"unknown state(s): {', '.join(unknown)}")
    query = (
        select(CapAlertRow)
        .where(
            CapAlertRow.province_code == province_code,
            CapAlertRow.state.in_(wanted),
        )
        .order_by(CapAlertRow.created_at.desc(), CapAlertRow.id.desc())
    )
    return [_view(r) for r in session.scalars(query)]


def draft_xml(session: Session, actor: Principal, alert_id: int) -> bytes:
    """The XML of any alert of the actor's province (for review before approval)."""
    row = _row(session, alert_id)
    _require_manage(actor, row.province_code, "read")
    return row.xml.encode("utf-8")


def published_alerts(
    session: Session, province_code: str | None = None, limit: int = 100
) -> list[AlertView]:
    """Published alerts, newest first (public: the Atom feed's entries)."""
    query = select(CapAlertRow).where(CapAlertRow.state == "published")
    if province_code:
        query = query.where(CapAlertRow.province_code == province_code)
    query = query.order_by(
        CapAlertRow.published_at.desc(), CapAlertRow.id.desc()
    ).limit(limit)
    return [_view(r) for r in session.scalars(query)]


def published_xml(session: Session, identifier: str) -> bytes | None:
    """The XML of a published alert (public download); None for anything else."""
    row = session.scalar(
        select(CapAlertRow).where(
            CapAlertRow.identifier == identifier, CapAlertRow.state == "published"
        )
    )
    return row.xml.encode("utf-8") if row is not None else None
