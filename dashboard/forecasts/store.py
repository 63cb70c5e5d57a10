"""Forecast history: storing advisories and reading what is current.

Every advisory is stored once and kept forever (the ``forecasts`` table is the
forecast history). The stored payload is the canonical model
(:meth:`~dashboard.storms.model.Forecast.as_dict`); its SHA-256 dedupes, so
polling a feed that repeats itself stores nothing new.

Feeds are polled by :mod:`dashboard.forecasts.polling`; uploads come in
through :mod:`dashboard.forecasts.uploads`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from dashboard import audit
from dashboard.auth import Principal, require_staff
from dashboard.core.clock import Clock
from dashboard.core.errors import NotFound
from dashboard.core.time import as_utc, as_utc_or_none
from dashboard.store import db
from dashboard.store.models.core import FeedStatus, StoredForecast
from dashboard.storms.filtering import concerns_vietnam
from dashboard.storms.model import Forecast, ForecastError, forecast_from_dict

log = logging.getLogger(__name__)

DRILL_PREFIX = "drill\n"
"""Prefixed to the canonical JSON before hashing a drill advisory, so that a
drill copy of a real advisory is stored separately (and stays a drill)."""


@dataclass(frozen=True)
class StoredForecastInfo:
    """The metadata of one stored advisory (without its track)."""

    id: int
    storm_id: str
    storm_name: str
    source: str
    product: str
    issued_utc: datetime
    received_at: datetime
    origin: str
    is_drill: bool
    concerns_vietnam: bool

    def age(self, clock: Clock | None = None) -> timedelta:
        """Time since the advisory was issued (at *clock*, default the clock)."""
        return (clock or datetime.now(UTC)) - self.issued_utc


@dataclass(frozen=True)
class FeedStatusInfo:
    """The health of one feed, as recorded by :func:`poll_feed`."""

    feed: str
    url: str
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    consecutive_failures: int
    etag: str | None
    last_modified: str | None


# -- storing ------------------------------------------------------------------


def canonical_json(forecast: Forecast) -> str:
    """The stored payload: :meth:`Forecast.as_dict` as compact sorted JSON."""
    return json.dumps(
        forecast.as_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


def payload_sha256(payload: str, *, is_drill: bool = False) -> str:
    """The dedupe key of an advisory (a drill copy hashes differently)."""
    text = DRILL_PREFIX + payload if is_drill else payload
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fits(value: str | None, limit: int) -> str | None:
    """*value* when it fits its column; a cut validator would be wrong, so ``None``."""
    return value if value is not None and len(value) <= limit else None


def _check_sizes(forecast: Forecast) -> None:
    for what, value in (("storm id", forecast.storm_id), ("source", forecast.source)):
        if not value or len(value) > 64:
            raise ForecastError(f"{what} {value!r} must have 1 to 64 characters")


def _existing_id(session: Session, sha: str) -> int | None:
    return session.scalar(select(StoredForecast.id).where(StoredForecast.sha256 == sha))


def _new_row(
    forecast: Forecast,
    payload: str,
    sha: str,
    origin: str,
    is_drill: bool,
    clock: Clock,
) -> dict[str, Any]:
    return {
        "storm_id": forecast.storm_id,
        "storm_name": _clip(forecast.storm_name, 100),
        "source": forecast.source,
        "product": _clip(forecast.product, 64),
        "issued_utc": as_utc(forecast.issued_utc),
        "received_at": clock,
        "origin": _clip(origin, 500),
        "sha256": sha,
        "is_drill": is_drill,
        "concerns_vietnam": concerns_vietnam(forecast),
        "payload": payload,
    }


def _audit_value(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("storm_id", "storm_name", "source", "product", "origin", "is_drill")
    return {k: row[k] for k in keys} | {
        "issued_utc": row["issued_utc"].isoformat(),
        "sha256": row["sha256"],
    }


def _store_one(
    session: Session,
    actor: Principal,
    forecast: Forecast,
    origin: str,
    is_drill: bool,
    clock: Clock,
) -> tuple[int, bool]:
    """``(id, is_new)`` of *forecast*, inserting it when not yet stored.

    One ``INSERT … ON CONFLICT (sha256) DO NOTHING``: concurrent callers
    storing the same advisory (app servers polling together, 40 sessions
    opening the drill) never raise ``IntegrityError``; one inserts, the
    others read the same id.
    """
    _check_sizes(forecast)
    payload = canonical_json(forecast)
    sha = payload_sha256(payload, is_drill=is_drill)
    existing = _existing_id(session, sha)
    if existing is not None:
        return existing, False
    row = _new_row(forecast, payload, sha, origin, is_drill, clock)
    statement = (
        db.insert(session, StoredForecast)
        .values(**row)
        .on_conflict_do_nothing(index_elements=["sha256"])
        .returning(StoredForecast.id)
    )
    new_id = session.scalar(statement)
    if new_id is None:  # stored meanwhile by a concurrent caller
        existing = _existing_id(session, sha)
        assert existing is not None
        return existing, False
    audit.record(
        session,
        actor,
        "ingest",
        "forecast",
        str(new_id),
        new=_audit_value(row),
        at=clock,
    )
    return new_id, True


def _store(
    session: Session,
    actor: Principal,
    forecasts: Iterable[Forecast],
    origin: str,
    is_drill: bool,
    clock: Clock,
) -> list[tuple[int, bool]]:
    require_staff(
        actor,
        f"store forecasts (needs the admin or province role, you are {actor.role})",
    )
    return [_store_one(session, actor, f, origin, is_drill, clock) for f in forecasts]


def store_forecasts(
    session: Session,
    actor: Principal,
    forecasts: Iterable[Forecast],
    origin: str,
    *,
    is_drill: bool = False,
    clock: Clock | None = None,
) -> list[int]:
    """Store advisories once each, in the caller's transaction.

    Parameters
    ----------
    session
        Open session; the caller commits.
    actor
        Admin or province staff (the feed poller acts as ``SYSTEM``).
    forecasts
        Advisories to store.
    origin
        Where they came from (feed URL, uploaded file name), at most 500
        characters.
    is_drill
        Mark them as exercise material.
    clock
        Reception time (default: the clock).

    Returns
    -------
    list[int]
        The id of each advisory, in order; an advisory already stored keeps
        (and returns) its existing id and is not audited again.

    Raises
    ------
    Forbidden
        For commune and volunteer accounts.
    ForecastError
        When a storm id or source is empty or longer than 64 characters.
    """
    at = as_utc(clock or datetime.now(UTC))
    return [i for i, _ in _store(session, actor, forecasts, origin, is_drill, at)]


_INFO_COLUMNS = (
    StoredForecast.id,
    StoredForecast.storm_id,
    StoredForecast.storm_name,
    StoredForecast.source,
    StoredForecast.product,
    StoredForecast.issued_utc,
    StoredForecast.received_at,
    StoredForecast.origin,
    StoredForecast.is_drill,
    StoredForecast.concerns_vietnam,
)


def _info(row: Row[Any]) -> StoredForecastInfo:
    return StoredForecastInfo(
        id=row.id,
        storm_id=row.storm_id,
        storm_name=row.storm_name,
        source=row.source,
        product=row.product,
        issued_utc=as_utc(row.issued_utc),
        received_at=as_utc(row.received_at),
        origin=row.origin,
        is_drill=row.is_drill,
        concerns_vietnam=row.concerns_vietnam,
    )


def latest_forecasts(
    session: Session, *, include_drill: bool = True, vietnam_only: bool = False
) -> list[StoredForecastInfo]:
    """The newest advisory of every storm (latest issue time; newest id on ties).

    Parameters
    ----------
    include_drill
        ``False`` ignores drill advisories entirely.
    vietnam_only
        ``True`` ignores storms stored with ``concerns_vietnam`` false.

    Returns
    -------
    list[StoredForecastInfo]
        Newest issue time first.
    """
    newest_first = (StoredForecast.issued_utc.desc(), StoredForecast.id.desc())
    rank = func.row_number().over(
        partition_by=StoredForecast.storm_id, order_by=newest_first
    )
    ranked = select(StoredForecast.id, rank.label("rank"))
    if not include_drill:
        ranked = ranked.where(StoredForecast.is_drill.is_(False))
    if vietnam_only:
        ranked = ranked.where(StoredForecast.concerns_vietnam.is_(True))
    sub = ranked.subquery()
    query = (
        select(*_INFO_COLUMNS)
        .join(sub, sub.c.id == StoredForecast.id)
        .where(sub.c.rank == 1)
        .order_by(*newest_first)
    )
    return [_info(row) for row in session.execute(query)]


def forecast(session: Session, forecast_id: int) -> Forecast:
    """The stored advisory *forecast_id* as a :class:`Forecast`.

    Raises
    ------
    NotFound
        When no advisory has this id.
    ForecastError
        When the stored payload no longer reads as a forecast.
    """
    payload = session.scalar(
        select(StoredForecast.payload).where(StoredForecast.id == forecast_id)
    )
    if payload is None:
        raise NotFound(f"no stored forecast with id {forecast_id}")
    return forecast_from_dict(json.loads(payload))


def history(
    session: Session, storm_id: str, *, include_drill: bool = True
) -> list[StoredForecastInfo]:
    """Every stored advisory of *storm_id*, newest issue time first."""
    query = (
        select(*_INFO_COLUMNS)
        .where(StoredForecast.storm_id == storm_id)
        .order_by(StoredForecast.issued_utc.desc(), StoredForecast.id.desc())
    )
    if not include_drill:
        query = query.where(StoredForecast.is_drill.is_(False))
    return [_info(row) for row in session.execute(query)]


def feed_statuses(session: Session) -> list[FeedStatusInfo]:
    """The recorded status of every feed ever polled, by feed name."""
    rows = session.scalars(select(FeedStatus).order_by(FeedStatus.feed))
    return [
        FeedStatusInfo(
            feed=row.feed,
            url=row.url,
            last_attempt_at=as_utc_or_none(row.last_attempt_at),
            last_success_at=as_utc_or_none(row.last_success_at),
            last_error=row.last_error,
            consecutive_failures=row.consecutive_failures,
            etag=row.etag,
            last_modified=row.last_modified,
        )
        for row in rows
    ]
