"""Forecast storage and feed polling on both back ends (SQLite and PostgreSQL).

The feeds are served by the real local HTTP server of ``tests/feedkit.py``.
Every fault must leave the last good forecast in use and be recorded in
``feed_status``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from dashboard import audit, forecasts
from dashboard.auth import SYSTEM, Forbidden, Principal, Role
from dashboard.core.errors import NotFound
from dashboard.store.models.core import StoredForecast
from dashboard.storms.feeds import FeedConfig, make_session
from dashboard.storms.model import Forecast, ForecastError, TrackPoint
from tests.support.feedkit import (
    ATLANTIC,
    EAST_SEA,
    GARBAGE,
    HTML_PAGE,
    OUT_OF_RANGE,
    SMALL_LIST,
    Reply,
    event_list,
    gdacs_event,
    gdacs_sample,
)

T0 = datetime(2026, 8, 21, 21, 0, tzinfo=UTC)
T1 = T0 + timedelta(minutes=10)
T2 = T0 + timedelta(minutes=20)
T3 = T0 + timedelta(minutes=30)
PROVINCE = Principal("ha.tinh", Role.PROVINCE, province_codes=frozenset({"42"}))


# -- helpers ---------------------------------------------------------------------


@pytest.fixture
def http() -> Iterator[requests.Session]:
    session = make_session(retries=1, backoff_factor=0.001)
    yield session
    session.close()


def feed_at(url: str, name: str = "gdacs-test", **options: Any) -> FeedConfig:
    settings: dict[str, Any] = {
        "format": "gdacs",
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
    }
    return FeedConfig(name=name, url=url, **(settings | options))


def advisory(
    storm_id: str = "WP182026",
    issued: datetime = T0,
    lat: float = 16.0,
    lon: float = 112.0,
    name: str = "KIM",
) -> Forecast:
    """A two-point JTWC-like advisory (analysis + 24 h forecast)."""
    return Forecast(
        storm_id=storm_id,
        storm_name=name,
        source="JTWC",
        issued_utc=issued,
        wind_averaging_minutes=1,
        points=(
            TrackPoint(issued, 0.0, lat, lon, vmax_kt=65, is_forecast=False),
            TrackPoint(
                issued + timedelta(hours=24), 24.0, lat + 1, lon - 2, vmax_kt=80
            ),
        ),
        product="test advisory",
    )


def store(ctx, items, actor=SYSTEM, origin="upload.txt", **kwargs) -> list[int]:
    with ctx.transaction() as session:
        return forecasts.store_forecasts(session, actor, items, origin, **kwargs)


def latest(ctx, **kwargs) -> list[forecasts.StoredForecastInfo]:
    with ctx.sessions() as session:
        return forecasts.latest_forecasts(session, **kwargs)


def row_count(ctx) -> int:
    with ctx.sessions() as session:
        return session.scalar(select(func.count()).select_from(StoredForecast))


def status_of(ctx, feed: str) -> forecasts.FeedStatusInfo:
    with ctx.sessions() as session:
        return next(s for s in forecasts.feed_statuses(session) if s.feed == feed)


def payload_of(ctx, forecast_id: int) -> dict[str, Any]:
    with ctx.sessions() as session:
        return forecasts.forecast(session, forecast_id).as_dict()


# -- storing ------------------------------------------------------------------------


def test_each_advisory_is_stored_once_and_audited(ctx):
    items = [advisory("WP182026"), advisory("WP192026", lat=18.0)]
    first = store(ctx, items, clock=T0)
    again = store(ctx, [items[1], items[0], items[0]], clock=T1)
    assert len(set(first)) == 2
    assert again == [first[1], first[0], first[0]]
    assert row_count(ctx) == 2
    with ctx.sessions() as session:
        entries = audit.entries(session, SYSTEM, object_type="forecast")
    assert sorted(int(e.object_id) for e in entries) == sorted(first)
    assert {e.action for e in entries} == {"ingest"}
    assert {json.loads(e.new_value)["storm_id"] for e in entries} == {
        "WP182026",
        "WP192026",
    }


def test_drill_copy_of_a_real_advisory_is_a_separate_drill_row(ctx):
    (real,) = store(ctx, [advisory()])
    (drill,) = store(ctx, [advisory()], is_drill=True)
    assert drill != real
    assert [f.id for f in latest(ctx, include_drill=False)] == [real]
    with ctx.sessions() as session:
        rows = forecasts.history(session, "WP182026")
    assert {(r.id, r.is_drill) for r in rows} == {(real, False), (drill, True)}


def test_province_staff_may_store(ctx):
    assert len(store(ctx, [advisory()], actor=PROVINCE)) == 1


@pytest.mark.parametrize(
    "actor",
    [
        Principal("leader", Role.COMMUNE, commune_code="13003"),
        Principal("helper", Role.VOLUNTEER),
    ],
)
def test_commune_and_volunteer_may_not_store(ctx, actor):
    with pytest.raises(Forbidden, match="admin or province role"):
        store(ctx, [advisory()], actor=actor)
    assert row_count(ctx) == 0


def test_stored_advisory_reads_back_identical(ctx):
    item = advisory()
    (fid,) = store(ctx, [item], clock=T1, origin="wp1826web.txt")
    assert payload_of(ctx, fid) == item.as_dict()
    (info,) = latest(ctx)
    assert (info.storm_name, info.source, info.product) == (
        "KIM",
        "JTWC",
        "test advisory",
    )
    assert (info.issued_utc, info.received_at, info.origin) == (T0, T1, "wp1826web.txt")
    assert info.concerns_vietnam
    assert info.age(T0 + timedelta(hours=3)) == timedelta(hours=3)


def test_unknown_forecast_id(ctx):
    with ctx.sessions() as session, pytest.raises(NotFound, match="id 999"):
        forecasts.forecast(session, 999)


def test_storm_id_longer_than_the_column_is_refused(ctx):
    with pytest.raises(ForecastError, match="storm id"):
        store(ctx, [advisory(storm_id="X" * 65)])
    assert row_count(ctx) == 0


def test_latest_is_the_newest_advisory_of_each_storm(ctx):
    # Stored out of order: the later advisory arrives first.
    (a_late,) = store(ctx, [advisory("A", issued=T0 + timedelta(hours=6))])
    (a_early,) = store(ctx, [advisory("A", issued=T0)])
    (b,) = store(ctx, [advisory("B", issued=T0 + timedelta(hours=3))])
    assert [(f.storm_id, f.id) for f in latest(ctx)] == [("A", a_late), ("B", b)]
    with ctx.sessions() as session:
        assert [h.id for h in forecasts.history(session, "A")] == [a_late, a_early]
        assert forecasts.history(session, "nothing") == []


def test_drill_advisories_can_be_left_out_of_latest(ctx):
    (real,) = store(ctx, [advisory("A", issued=T0)])
    (drill,) = store(ctx, [advisory("A", issued=T1)], is_drill=True)
    (drill_only,) = store(ctx, [advisory("D", issued=T0)], is_drill=True)
    assert {f.id for f in latest(ctx)} == {drill, drill_only}
    assert [f.id for f in latest(ctx, include_drill=False)] == [real]


def test_latest_can_leave_out_storms_far_from_vietnam(ctx):
    (near,) = store(ctx, [advisory("NEAR")])
    store(ctx, [advisory("FAR", lat=25.0, lon=-40.0)])
    assert len(latest(ctx)) == 2
    assert [f.id for f in latest(ctx, vietnam_only=True)] == [near]


# -- polling: success ------------------------------------------------------------------


@pytest.mark.shared_data
def test_poll_stores_the_vietnam_storms_of_the_real_gdacs_list(ctx, server, http):
    url = server.serve("/events", Reply(body=gdacs_sample(), etag='"v1"'))
    feed = feed_at(url)
    outcome = forecasts.poll_feed(ctx, feed, http, clock=T0)
    assert (outcome.status, len(outcome.new_ids), outcome.dropped) == ("stored", 14, 86)
    current = latest(ctx)
    assert len(current) == 14
    assert {f.origin for f in current} == {url}
    assert "GDACS-1001307" in {f.storm_id for f in current}
    status = status_of(ctx, feed.name)
    assert (status.last_attempt_at, status.last_success_at) == (T0, T0)
    assert (status.consecutive_failures, status.last_error, status.etag) == (
        0,
        None,
        '"v1"',
    )

    again = forecasts.poll_feed(ctx, feed, http, clock=T1)
    assert again.status == "not_modified"
    assert server.last_headers("/events")["if-none-match"] == '"v1"'
    assert row_count(ctx) == 14
    assert status_of(ctx, feed.name).last_success_at == T1


def test_a_repeated_body_stores_nothing_new(ctx, server, http):
    feed = feed_at(server.serve("/events", Reply(body=SMALL_LIST)))
    first = forecasts.poll_feed(ctx, feed, http, clock=T0)
    second = forecasts.poll_feed(ctx, feed, http, clock=T1)
    assert (first.status, second.status) == ("stored", "stored")
    assert first.new_ids == first.forecast_ids
    assert len(first.new_ids) == 1
    assert second.new_ids == ()
    assert second.forecast_ids == first.forecast_ids
    assert row_count(ctx) == 1


def test_a_new_advisory_becomes_the_latest(ctx, server, http):
    moved = gdacs_event(9001, "KIM-26", 110.5, 17.0, todate="2026-08-22T00:00:00")
    url = server.serve("/events", Reply(body=SMALL_LIST), Reply(body=event_list(moved)))
    feed = feed_at(url)
    (old,) = forecasts.poll_feed(ctx, feed, http, clock=T0).new_ids
    (new,) = forecasts.poll_feed(ctx, feed, http, clock=T1).new_ids
    assert [f.id for f in latest(ctx)] == [new]
    assert payload_of(ctx, new)["points"][0]["lon"] == 110.5
    with ctx.sessions() as session:
        assert [h.id for h in forecasts.history(session, "GDACS-9001")] == [new, old]


def test_poll_feeds_goes_on_after_a_failing_feed(ctx, server, http):
    bad = feed_at(server.serve("/bad", Reply(status=503)), name="bad")
    good = feed_at(server.serve("/good", Reply(body=SMALL_LIST)), name="good")
    outcomes = forecasts.poll_feeds(ctx, [bad, good], http, clock=T0)
    assert [(o.feed, o.status) for o in outcomes] == [
        ("bad", "failed"),
        ("good", "stored"),
    ]
    assert not outcomes[0].ok
    with ctx.sessions() as session:
        statuses = forecasts.feed_statuses(session)
    assert [(s.feed, s.consecutive_failures) for s in statuses] == [
        ("bad", 1),
        ("good", 0),
    ]
    assert "HTTP 503" in (statuses[0].last_error or "")


def test_poll_without_a_session_makes_its_own(ctx, server):
    feed = feed_at(server.serve("/events", Reply(body=SMALL_LIST)))
    assert forecasts.poll_feed(ctx, feed, clock=T0).status == "stored"
    assert server.last_headers("/events")["user-agent"].startswith("vn-storm-dashboard")


def test_a_changed_url_does_not_reuse_the_old_etag(ctx, server, http):
    old = feed_at(server.serve("/old", Reply(body=SMALL_LIST, etag='"old"')))
    forecasts.poll_feed(ctx, old, http, clock=T0)
    new = feed_at(server.serve("/new", Reply(body=SMALL_LIST, etag='"old"')))
    assert forecasts.poll_feed(ctx, new, http, clock=T1).status == "stored"
    assert "if-none-match" not in server.last_headers("/new")
    assert status_of(ctx, new.name).url == new.url


# -- polling: faults keep the last good forecast ------------------------------------------

FAULTS = [
    pytest.param(
        Reply(delay=30), {"read_timeout": 0.2}, "timed out after 0.2 s", id="timeout"
    ),
    pytest.param(Reply(status=500), {}, "HTTP 500", id="http-500"),
    pytest.param(
        Reply(body=HTML_PAGE, content_type="text/html"),
        {},
        "an HTML page instead of data",
        id="html-200",
    ),
    pytest.param(
        Reply(body=SMALL_LIST[:150]), {}, "truncated JSON", id="truncated-json"
    ),
    pytest.param(Reply(body=b""), {}, "empty body", id="empty"),
    pytest.param(
        Reply(body=GARBAGE, content_type="application/octet-stream"),
        {},
        "binary data instead of a storm product",
        id="garbage",
    ),
    pytest.param(
        Reply(body=SMALL_LIST, stall_after=100, stall=30),
        {"read_timeout": 0.2},
        "timed out after 0.2 s while reading the body",
        id="slow-body",
    ),
    pytest.param(
        Reply(body=SMALL_LIST * 50, announce_length=False),
        {"max_bytes": 2048},
        "larger than 2 KB",
        id="oversized",
    ),
    pytest.param(
        Reply(body=OUT_OF_RANGE),
        {},
        "values out of range: event 9003: latitude 123.0 is impossible",
        id="out-of-range",
    ),
]


@pytest.mark.parametrize(("fault", "options", "expected"), FAULTS)
def test_a_fault_keeps_the_last_good_forecast(
    ctx, server, http, caplog, fault, options, expected
):
    good = Reply(body=SMALL_LIST, etag='"good"')
    feed = feed_at(server.url("/events"), **options)
    server.serve("/events", good)
    (good_id,) = forecasts.poll_feed(ctx, feed, http, clock=T0).new_ids
    before = latest(ctx)
    before_payload = payload_of(ctx, good_id)

    server.serve("/events", fault)
    with caplog.at_level(logging.WARNING, logger="dashboard.forecasts"):
        outcome = forecasts.poll_feed(ctx, feed, http, clock=T1)
    assert outcome.status == "failed"
    assert expected in (outcome.error or "")
    assert any(
        feed.name in r.getMessage() and expected in r.getMessage()
        for r in caplog.records
    )
    assert latest(ctx) == before
    assert payload_of(ctx, good_id) == before_payload
    assert row_count(ctx) == 1
    status = status_of(ctx, feed.name)
    assert expected in (status.last_error or "")
    assert (status.consecutive_failures, status.last_attempt_at) == (1, T1)
    assert (status.last_success_at, status.etag) == (T0, '"good"')

    forecasts.poll_feed(ctx, feed, http, clock=T2)
    assert status_of(ctx, feed.name).consecutive_failures == 2
    assert latest(ctx) == before

    server.serve("/events", good)
    assert forecasts.poll_feed(ctx, feed, http, clock=T3).status == "not_modified"
    recovered = status_of(ctx, feed.name)
    assert (recovered.consecutive_failures, recovered.last_error) == (0, None)
    assert recovered.last_success_at == T3


def test_a_store_failure_rolls_back_the_whole_body(ctx, server, http):
    too_long = gdacs_event("9" * 70, "LONG-26", 111.0, 15.0)
    url = server.serve(
        "/events", Reply(body=event_list(EAST_SEA, too_long), etag='"x"')
    )
    outcome = forecasts.poll_feed(ctx, feed_at(url), http, clock=T0)
    assert outcome.status == "failed"
    assert "storm id" in (outcome.error or "")
    assert row_count(ctx) == 0  # KIM-26 was valid but is rolled back with the rest
    status = status_of(ctx, "gdacs-test")
    assert (status.consecutive_failures, status.etag, status.last_success_at) == (
        1,
        None,
        None,
    )
    with ctx.sessions() as session:
        assert audit.entries(session, SYSTEM, object_type="forecast") == []


def test_an_unexpected_error_is_recorded_too(ctx, server, http, monkeypatch):
    feed = feed_at(server.serve("/events", Reply(body=SMALL_LIST)))
    (good_id,) = forecasts.poll_feed(ctx, feed, http, clock=T0).new_ids

    def broken_fetch(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(forecasts.polling, "fetch", broken_fetch)
    outcome = forecasts.poll_feed(ctx, feed, http, clock=T1)
    assert outcome.status == "failed"
    assert "unexpected error" in (outcome.error or "")
    assert "parser bug" in (status_of(ctx, feed.name).last_error or "")
    assert [f.id for f in latest(ctx)] == [good_id]


def test_atlantic_storms_are_not_stored(ctx, server, http):
    feed = feed_at(server.serve("/events", Reply(body=event_list(ATLANTIC))))
    outcome = forecasts.poll_feed(ctx, feed, http, clock=T0)
    assert (outcome.status, outcome.forecast_ids, outcome.dropped) == ("stored", (), 1)
    assert row_count(ctx) == 0
    assert status_of(ctx, feed.name).last_success_at == T0
