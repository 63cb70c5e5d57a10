"""Polling forecast feeds: fetch, parse, store, and record each feed's health.

Polling never damages what is stored: a feed that times out, answers with an
error or serves broken data only records the error in ``feed_status`` (and
the log), and the last good forecast of every storm stays the latest one.
New advisories and the feed's status are written in one transaction.

App servers take turns: :func:`poll_due` first claims a due feed's
``feed_status`` row with one ``UPDATE … SET last_attempt_at = :now WHERE
last_attempt_at IS NULL OR last_attempt_at <= :now - interval`` and only the
server whose update changed the row fetches (a database lease: exactly one
fetch per due feed, however many servers poll at the same moment).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests
from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from dashboard.auth import SYSTEM
from dashboard.context import AppContext
from dashboard.core.clock import Clock
from dashboard.core.time import as_utc
from dashboard.forecasts.store import _clip, _fits, _store, feed_statuses
from dashboard.store import db
from dashboard.store.models.core import FeedStatus
from dashboard.storms.feeds import FeedConfig, FeedError, fetch, make_session
from dashboard.storms.model import Forecast, ForecastError

log = logging.getLogger(__name__)


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
    clock: Clock,
) -> list[tuple[int, bool]]:
    """Store the advisories and mark the feed healthy, in one transaction."""
    with ctx.transaction() as session:
        stored = _store(session, SYSTEM, forecasts, feed.url, False, clock)
        row = _status_row(session, feed)
        row.last_attempt_at = clock
        row.last_success_at = clock
        row.last_error = None
        row.consecutive_failures = 0
        row.etag = _fits(validators[0], 255)
        row.last_modified = _fits(validators[1], 64)
    return stored


def _record_failure(
    ctx: AppContext, feed: FeedConfig, error: str, clock: Clock
) -> None:
    """Count the failure; the validators stay, so nothing good is lost."""
    try:
        with ctx.transaction() as session:
            row = _status_row(session, feed)
            row.last_attempt_at = clock
            row.last_error = _clip(error, 2000)
            row.consecutive_failures = (row.consecutive_failures or 0) + 1
    except Exception:
        log.exception("feed %s: could not record its failure", feed.name)


def _failed(ctx: AppContext, feed: FeedConfig, error: str, clock: Clock) -> FeedOutcome:
    log.warning("feed %s failed: %s", feed.name, error)
    _record_failure(ctx, feed, error, clock)
    return FeedOutcome(feed=feed.name, status="failed", error=error)


def _poll(
    ctx: AppContext, feed: FeedConfig, session: requests.Session, clock: Clock
) -> FeedOutcome:
    etag, last_modified = _validators(ctx, feed)
    result = fetch(session, feed, etag=etag, last_modified=last_modified)
    validators = (result.etag, result.last_modified)
    stored = _record_success(ctx, feed, result.forecasts, validators, clock)
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
    clock: Clock | None = None,
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
    clock
        Time of the attempt (default: the clock).

    Returns
    -------
    FeedOutcome
        Never raises for a feed or store failure: the outcome is ``"failed"``,
        the error is logged and written to ``feed_status`` and everything
        already stored stays as it was.
    """
    at = as_utc(clock or datetime.now(UTC))
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
    clock: Clock | None = None,
) -> list[FeedOutcome]:
    """:func:`poll_feed` for each feed in turn, sharing one HTTP session."""
    own = session is None
    http = make_session() if session is None else session
    try:
        return [poll_feed(ctx, feed, http, clock) for feed in feeds]
    finally:
        if own:
            http.close()


# -- reading ----------------------------------------------------------------------


def claim_feed(
    ctx: AppContext, feed: FeedConfig, interval: timedelta, clock: Clock
) -> bool:
    """Take this poll of *feed* if it is due; ``False`` when it is not due or
    another app server took it first.

    The ``feed_status`` row is created if missing (``ON CONFLICT DO
    NOTHING``), then claimed with a conditional ``UPDATE`` of its
    ``last_attempt_at``: the database lets exactly one concurrent claimer
    change the row (PostgreSQL re-checks the condition after the row lock,
    SQLite serialises writers), so exactly one server fetches.
    """
    with ctx.transaction() as session:
        session.execute(
            db.insert(session, FeedStatus)
            .values(feed=feed.name, url=feed.url, consecutive_failures=0)
            .on_conflict_do_nothing(index_elements=["feed"])
        )
        claimed = session.execute(
            update(FeedStatus)
            .where(
                FeedStatus.feed == feed.name,
                or_(
                    FeedStatus.last_attempt_at.is_(None),
                    FeedStatus.last_attempt_at <= clock - interval,
                ),
            )
            .values(last_attempt_at=clock)
            .execution_options(synchronize_session=False)
        )
        return claimed.rowcount == 1


def poll_due(
    ctx: AppContext,
    feeds: Sequence[FeedConfig],
    interval: timedelta,
    clock: Clock | None = None,
) -> list[FeedOutcome]:
    """Poll the feeds whose last attempt is older than *interval*.

    Called by every app server on a timer; each due feed is first claimed
    (:func:`claim_feed`), so the servers take turns instead of each hitting
    the feed (and racing to store the same advisories).
    """
    clock = as_utc(clock or datetime.now(UTC))
    with ctx.sessions() as session:  # a cheap read first: most calls find none due
        last = {s.feed: s.last_attempt_at for s in feed_statuses(session)}
    candidates = [
        f for f in feeds if last.get(f.name) is None or clock - last[f.name] >= interval
    ]
    due = []
    for feed in candidates:
        try:
            if claim_feed(ctx, feed, interval, clock):
                due.append(feed)
        except Exception:  # the store is down: nothing to poll into
            log.exception("feed %s: could not claim its poll", feed.name)
    return poll_feeds(ctx, due, clock=clock) if due else []
