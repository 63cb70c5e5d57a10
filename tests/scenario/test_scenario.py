"""The scenario clock on both back ends: drill by default, audited changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard import audit, scenario
from dashboard.auth import SYSTEM, Forbidden, Principal, Role
from dashboard.scenario.drill import DRILL_CLOCK, DRILL_END

ADMIN = Principal("root", Role.ADMIN)
PROVINCE = Principal("hy", Role.PROVINCE, province_codes=frozenset({"33"}))
COMMUNE = Principal("dc", Role.COMMUNE, commune_code="13003")


def current(ctx) -> scenario.Scenario:
    with ctx.sessions() as session:
        return scenario.current(session, clock=datetime(2026, 11, 27, tzinfo=UTC))


def test_a_fresh_installation_runs_the_wipha_drill(ctx):
    sc = current(ctx)
    assert sc.is_drill and sc.clock_utc == DRILL_CLOCK


def test_admins_move_the_clock_and_it_is_audited(ctx):
    later = DRILL_CLOCK + timedelta(hours=6)
    with ctx.transaction() as session:
        scenario.set_drill_clock(session, ADMIN, later)
    assert current(ctx).clock_utc == later
    with ctx.sessions() as session:
        rows = audit.entries(session, SYSTEM, object_type="setting")
    assert any(
        r.actor == "root" and later.isoformat() in (r.new_value or "") for r in rows
    )


def test_live_mode_uses_the_real_clock(ctx):
    with ctx.transaction() as session:
        scenario.set_live(session, ADMIN)
    sc = current(ctx)
    assert not sc.is_drill and sc.clock_utc == datetime(2026, 11, 27, tzinfo=UTC)


@pytest.mark.parametrize(
    ("clock", "message"),
    [
        (DRILL_END + timedelta(hours=1), "must lie between"),
        (datetime(2025, 7, 20, 12), "time zone"),
    ],
)
def test_a_wrong_clock_is_refused_and_nothing_changes(ctx, clock, message):
    with pytest.raises(ValueError, match=message), ctx.transaction() as session:
        scenario.set_drill_clock(session, ADMIN, clock)
    assert current(ctx).clock_utc == DRILL_CLOCK


@pytest.mark.parametrize("who", [PROVINCE, COMMUNE], ids=["province", "commune"])
def test_only_admins_move_the_installation_clock(ctx, who):
    with pytest.raises(Forbidden), ctx.transaction() as session:
        scenario.set_drill_clock(session, who, DRILL_CLOCK + timedelta(hours=6))
    with pytest.raises(Forbidden), ctx.transaction() as session:
        scenario.set_live(session, who)
    assert current(ctx).clock_utc == DRILL_CLOCK and current(ctx).is_drill


def test_the_drill_advisory_is_stored_once_per_clock(ctx):
    sc = current(ctx)
    first = scenario.active_forecasts(ctx, sc)
    again = scenario.active_forecasts(ctx, sc)
    assert [i.id for i in first] == [i.id for i in again] and len(first) == 1
    assert first[0].is_drill and first[0].storm_name == "WIPHA"
    assert first[0].issued_utc == DRILL_CLOCK


def test_live_storms_leave_the_map_twelve_hours_after_their_track_ends(ctx):
    from dashboard import forecasts
    from dashboard.storms.parsers import parse
    from tests.support.feedkit import SMALL_LIST

    (storm,) = [f for f in parse(SMALL_LIST) if f.storm_id == "GDACS-9001"]
    with ctx.transaction() as session:
        forecasts.store_forecasts(session, SYSTEM, [storm], "test")
    end = storm.points[-1].valid_utc
    shown = scenario.shown_forecasts(ctx, scenario.Scenario(scenario.LIVE, end))
    assert [i.storm_id for i in shown] == ["GDACS-9001"]
    later = end + scenario.STALE_AFTER + timedelta(minutes=1)
    assert scenario.shown_forecasts(ctx, scenario.Scenario(scenario.LIVE, later)) == []
