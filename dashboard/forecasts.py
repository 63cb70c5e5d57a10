"""Forecast history: storing advisories, polling feeds, reading what is current.

Every advisory is stored once and kept forever (the ``forecasts`` table is the
forecast history). The stored payload is the canonical model
(:meth:`~dashboard.storms.model.Forecast.as_dict`); its SHA-256 dedupes, so
polling a feed that repeats itself stores nothing new.

Polling never damages what is stored: a feed that times out, answers with an
error or serves broken data only records the error in ``feed_status`` (and
the log), and the last good forecast of every storm stays the latest one.
New advisories and the feed's status are written in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from dashboard import audit
from dashboard.auth import SYSTEM, Principal, Role, require
from dashboard.context import AppContext
from dashboard.store.schema import FeedStatus, StoredForecast
from dashboard.storms.feeds import FeedConfig, FeedError, fetch, make_session
from dashboard.storms.filtering import concerns_vietnam
from dashboard.storms.model import Forecast, ForecastError, forecast_from_dict

log = logging.getLogger(__name__)

DRILL_PREFIX = "drill\n"
"""Prefixed to the canonical JSON before hashing a drill advisory, so that a
drill copy of a real advisory is stored separately (and stays a drill)."""


class ForecastNotFound(LookupError):
    """No stored forecast has this id."""


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

    def age(self, now: datetime | None = None) -> timedelta:
        """Time since the advisory was issued (at *now*, default the clock)."""
        return (now or datetime.now(UTC)) - self.issued_utc


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


@dataclass(frozen=True)
class FeedOutcome:
    """What one poll of one feed did.

    Attributes
    ----------
    status
        ``"stored"`` (new body read; ``new_ids`` may still be empty when every
        advisory was already stored), ``"not_modified"`` (HTTP 304) or
        ``"failed"`` (``error`` says why; nothing stored changed).
    forecast_ids
        Ids of every advisory of the body that concerns Vietnam, new or not.
    new_ids
        Ids of the advisories stored by this poll.
    dropped
        Storms of the body that do not concern Vietnam.
    """

    feed: str
    status: str
    forecast_ids: tuple[int, ...] = ()
    new_ids: tuple[int, ...] = ()
    dropped: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status != "failed"


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


def _utc(value: datetime) -> datetime:
    """Aware UTC (SQLite hands back naive datetimes; they were stored as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


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
    now: datetime,
) -> StoredForecast:
    return StoredForecast(
        storm_id=forecast.storm_id,
        storm_name=_clip(forecast.storm_name, 100),
        source=forecast.source,
        product=_clip(forecast.product, 64),
        issued_utc=_utc(forecast.issued_utc),
        received_at=now,
        origin=_clip(origin, 500),
        sha256=sha,
        is_drill=is_drill,
        concerns_vietnam=concerns_vietnam(forecast),
        payload=payload,
    )


def _audit_value(row: StoredForecast) -> dict[str, Any]:
    return {
        "storm_id": row.storm_id,
        "storm_name": row.storm_name,
        "source": row.source,
        "product": row.product,
        "issued_utc": row.issued_utc.isoformat(),
        "origin": row.origin,
        "is_drill": row.is_drill,
        "sha256": row.sha256,
    }


def _store_one(
    session: Session,
    actor: Principal,
    forecast: Forecast,
    origin: str,
    is_drill: bool,
    now: datetime,
) -> tuple[int, bool]:
    """``(id, is_new)`` of *forecast*, inserting it when not yet stored."""
    _check_sizes(forecast)
    payload = canonical_json(forecast)
    sha = payload_sha256(payload, is_drill=is_drill)
    existing = _existing_id(session, sha)
    if existing is not None:
        return existing, False
    row = _new_row(forecast, payload, sha, origin, is_drill, now)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "ingest",
        "forecast",
        str(row.id),
        new=_audit_value(row),
        at=now,
    )
    return row.id, True


def _store(
    session: Session,
    actor: Principal,
    forecasts: Iterable[Forecast],
    origin: str,
    is_drill: bool,
    now: datetime,
) -> list[tuple[int, bool]]:
    require(
        actor.role in (Role.ADMIN, Role.PROVINCE),
        f"store forecasts (needs the admin or province role, you are {actor.role})",
    )
    return [_store_one(session, actor, f, origin, is_drill, now) for f in forecasts]


def store_forecasts(
    session: Session,
    actor: Principal,
    forecasts: Iterable[Forecast],
    origin: str,
    *,
    is_drill: bool = False,
    now: datetime | None = None,
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
    now
        Reception time (default: the clock).

    Returns
    -------
    list[int]
        The id of each advisory, in order; an advisory already stored keeps
        (and returns) its existing id and is not audited again.

    Raises
    ------
    PermissionDenied
        For commune and volunteer accounts.
    ForecastError
        When a storm id or source is empty or longer than 64 characters.
    """
    at = _utc(now or datetime.now(UTC))
    return [i for i, _ in _store(session, actor, forecasts, origin, is_drill, at)]


# -- polling --------------------------------------------------------------------


def _status_row(session: Session, feed: FeedConfig) -> FeedStatus:
    row = session.get(FeedStatus, feed.name)
    if row is None:
        row = FeedStatus(feed=feed.name, url=feed.url, consecutive_failures=0)
        session.add(row)
    row.url = feed.url
    return row


def _validators(ctx: AppContext, feed: FeedConfig) -> tuple[str | None, str | None]:
    """The stored ETag/Last-Modified, unless the feed's URL changed since."""
    with ctx.sessions() as session:
        row = session.get(FeedStatus, feed.name)
        if row is None or row.url != feed.url:
            return None, None
        return row.etag, row.last_modified


def _record_success(
    ctx: AppContext,
    feed: FeedConfig,
    forecasts: Sequence[Forecast],
    validators: tuple[str | None, str | None],
    now: datetime,
) -> list[tuple[int, bool]]:
    """Store the advisories and mark the feed healthy, in one transaction."""
    with ctx.transaction() as session:
        stored = _store(session, SYSTEM, forecasts, feed.url, False, now)
        row = _status_row(session, feed)
        row.last_attempt_at = now
        row.last_success_at = now
        row.last_error = None
        row.consecutive_failures = 0
        row.etag = _fits(validators[0], 255)
        row.last_modified = _fits(validators[1], 64)
    return stored


def _record_failure(
    ctx: AppContext, feed: FeedConfig, error: str, now: datetime
) -> None:
    """Count the failure; the validators stay, so nothing good is lost."""
    try:
        with ctx.transaction() as session:
            row = _status_row(session, feed)
            row.last_attempt_at = now
            row.last_error = _clip(error, 2000)
            row.consecutive_failures = (row.consecutive_failures or 0) + 1
    except Exception:
        log.exception("feed %s: could not record its failure", feed.name)


def _failed(
    ctx: AppContext, feed: FeedConfig, error: str, now: datetime
) -> FeedOutcome:
    log.warning("feed %s failed: %s", feed.name, error)
    _record_failure(ctx, feed, error, now)
    return FeedOutcome(feed=feed.name, status="failed", error=error)


def _poll(
    ctx: AppContext, feed: FeedConfig, session: requests.Session, now: datetime
) -> FeedOutcome:
    etag, last_modified = _validators(ctx, feed)
    result = fetch(session, feed, etag=etag, last_modified=last_modified)
    validators = (result.etag, result.last_modified)
    stored = _record_success(ctx, feed, result.forecasts, validators, now)
    ids = tuple(i for i, _ in stored)
    new = tuple(i for i, is_new in stored if is_new)
    if result.status == "not_modified":
        log.info("feed %s: not modified", feed.name)
        return FeedOutcome(feed=feed.name, status="not_modified")
    log.info(
        "feed %s: %d bytes, %d storm(s) for Vietnam (%d new), %d other(s) dropped",
        feed.name,
        result.n_bytes,
        len(ids),
        len(new),
        result.dropped,
    )
    return FeedOutcome(
        feed=feed.name,
        status="stored",
        forecast_ids=ids,
        new_ids=new,
        dropped=result.dropped,
    )


def poll_feed(
    ctx: AppContext,
    feed: FeedConfig,
    session: requests.Session | None = None,
    now: datetime | None = None,
) -> FeedOutcome:
    """Fetch one feed, store its new advisories and record its status.

    Parameters
    ----------
    ctx
        The open store.
    feed
        The feed to poll.
    session
        HTTP session (default: a new :func:`~dashboard.storms.feeds.make_session`).
    now
        Time of the attempt (default: the clock).

    Returns
    -------
    FeedOutcome
        Never raises for a feed or store failure: the outcome is ``"failed"``,
        the error is logged and written to ``feed_status`` and everything
        already stored stays as it was.
    """
    at = _utc(now or datetime.now(UTC))
    own = session is None
    http = make_session() if session is None else session
    try:
        return _poll(ctx, feed, http, at)
    except FeedError as exc:
        return _failed(ctx, feed, str(exc), at)
    except ForecastError as exc:
        return _failed(ctx, feed, f"{feed.name}: unreadable data: {exc}", at)
    except Exception as exc:  # a parser bug or the store: still keep the old data
        log.exception("feed %s: unexpected failure", feed.name)
        return _failed(ctx, feed, f"{feed.name}: unexpected error: {exc!r}", at)
    finally:
        if own:
            http.close()


def poll_feeds(
    ctx: AppContext,
    feeds: Iterable[FeedConfig],
    session: requests.Session | None = None,
    now: datetime | None = None,
) -> list[FeedOutcome]:
    """:func:`poll_feed` for each feed in turn, sharing one HTTP session."""
    own = session is None
    http = make_session() if session is None else session
    try:
        return [poll_feed(ctx, feed, http, now) for feed in feeds]
    finally:
        if own:
            http.close()


# -- reading ----------------------------------------------------------------------

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
        issued_utc=_utc(row.issued_utc),
        received_at=_utc(row.received_at),
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
    ForecastNotFound
        When no advisory has this id.
    ForecastError
        When the stored payload no longer reads as a forecast.
    """
    payload = session.scalar(
        select(StoredForecast.payload).where(StoredForecast.id == forecast_id)
    )
    if payload is None:
        raise ForecastNotFound(f"no stored forecast with id {forecast_id}")
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


def _optional_utc(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


def feed_statuses(session: Session) -> list[FeedStatusInfo]:
    """The recorded status of every feed ever polled, by feed name."""
    rows = session.scalars(select(FeedStatus).order_by(FeedStatus.feed))
    return [
        FeedStatusInfo(
            feed=row.feed,
            url=row.url,
            last_attempt_at=_optional_utc(row.last_attempt_at),
            last_success_at=_optional_utc(row.last_success_at),
            last_error=row.last_error,
            consecutive_failures=row.consecutive_failures,
            etag=row.etag,
            last_modified=row.last_modified,
        )
        for row in rows
    ]


__all__ = [
    "FeedOutcome",
    "FeedStatusInfo",
    "ForecastNotFound",
    "StoredForecastInfo",
    "canonical_json",
    "feed_statuses",
    "forecast",
    "history",
    "latest_forecasts",
    "payload_sha256",
    "poll_feed",
    "poll_feeds",
    "store_forecasts",
]


def ingest_product(
    session: Session,
    actor: Principal,
    data: bytes,
    name: str,
    *,
    format: str | None = None,
) -> list[int]:
    """Parse an uploaded or typed-in product and store its advisories.

    Every storm in the product is kept (an operator who uploads it means it),
    in the caller's transaction.

    Raises
    ------
    ForecastError
        When the product cannot be read; nothing is stored.
    dashboard.auth.PermissionDenied
        For roles other than admin and province staff.
    """
    from dashboard.storms.parsers import parse

    require(actor.role in (Role.ADMIN, Role.PROVINCE), "add forecasts")
    found = parse(data, format=format, name_hint=name)
    if not found:
        raise ForecastError(f"{name}: the product holds no storm")
    return store_forecasts(session, actor, found, f"upload:{name}"[:500])


def poll_due(
    ctx: AppContext,
    feeds: Sequence[FeedConfig],
    interval: timedelta,
    now: datetime | None = None,
) -> list[FeedOutcome]:
    """Poll the feeds whose last attempt is older than *interval*.

    Called by every app server on a timer; the shared ``feed_status`` rows make
    the servers take turns instead of each hitting the feed.
    """
    now = now or datetime.now(UTC)
    with ctx.sessions() as session:
        last = {s.feed: s.last_attempt_at for s in feed_statuses(session)}
    due = [
        f for f in feeds if last.get(f.name) is None or now - last[f.name] >= interval
    ]
    return poll_feeds(ctx, due, now=now) if due else []
