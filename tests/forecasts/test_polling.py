"""Polling from the app: feeds are polled when due, failures are shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard import forecasts, scenario
from dashboard.auth import SYSTEM
from dashboard.bootstrap import open_context
from dashboard.config import load_settings
from dashboard.storms.feeds import FeedConfig
from tests.support.apptest import open_view
from tests.support.feedkit import SMALL_LIST, Reply, running_server

NOW = datetime(2026, 8, 21, 20, 0, tzinfo=UTC)


def feed(url: str) -> FeedConfig:
    return FeedConfig(name="test-feed", url=url, format="gdacs", read_timeout=2.0)


def test_feeds_are_polled_only_when_due(ctx):
    with running_server() as server:
        url = server.serve("/events", Reply(body=SMALL_LIST))
        first = forecasts.poll_due(ctx, [feed(url)], timedelta(minutes=15), clock=NOW)
        soon = forecasts.poll_due(
            ctx, [feed(url)], timedelta(minutes=15), clock=NOW + timedelta(minutes=5)
        )
        later = forecasts.poll_due(
            ctx, [feed(url)], timedelta(minutes=15), clock=NOW + timedelta(minutes=16)
        )
        requests_made = server.count("/events")
    assert [o.status for o in first] == ["stored"]
    assert soon == []
    assert [o.status for o in later] == ["stored"]
    assert requests_made == 2


@pytest.mark.usefixtures("ui_environment")
def test_live_map_says_a_feed_is_down_and_keeps_the_last_forecast(
    tmp_path, monkeypatch
):
    ctx = open_context(load_settings())
    with ctx.transaction() as session:
        scenario.set_live(session, SYSTEM)
    with running_server() as server:
        url = server.serve(
            "/events", Reply(status=500, body=b"oops", content_type="text/plain")
        )
        feeds_file = tmp_path / "feeds.yaml"
        feeds_file.write_text(
            f"- name: test-feed\n  url: {url}\n  format: gdacs\n  read_timeout: 2\n",
            encoding="utf-8",
        )
        monkeypatch.setenv("DASHBOARD_FEEDS_FILE", str(feeds_file))
        at = open_view("map_page", None)
    assert not at.exception
    warnings = [w.value.replace("\\", "") for w in at.warning]  # unescape Markdown
    assert any("test-feed" in w and "HTTP 500" in w for w in warnings), warnings
    with ctx.transaction() as session:
        scenario.set_drill_clock(session, SYSTEM, scenario.DRILL_CLOCK)
