"""Issue 11, finding 9: scope overreach.

The national plan template, the installation's mode and the drill clock are
admin-only; a commune leader's readiness board holds their commune only.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dashboard import audit, scenario
from dashboard.auth import SYSTEM, Forbidden, Role
from dashboard.plans.activation import planned_communes
from dashboard.plans.readiness import progress_over_time, province_board
from dashboard.plans.templates import (
    ensure_starter,
    export_template,
    import_template,
    save_template,
    template_tasks,
)
from dashboard.scenario.drill import DRILL_CLOCK
from dashboard.store.models.core import AppSetting
from dashboard.store.models.plans import PlanTemplate
from tests.support.auth import add_user, sign_in
from tests.support.plans_helpers import CLOCK, DONG_CHAU, OTHER_33, make_setup


@pytest.fixture
def staff(ctx):
    add_user(ctx, "hy.staff", Role.PROVINCE, provinces=("33",))
    return sign_in(ctx, "hy.staff")


def _audit_count(ctx) -> int:
    with ctx.sessions() as session:
        return len(audit.entries(session, SYSTEM))


def test_province_staff_cannot_rewrite_the_national_template(ctx, staff):
    with ctx.transaction() as session:
        starter = ensure_starter(session)
        before = template_tasks(session, starter)
        text = export_template(session, starter, "yaml")
    audits = _audit_count(ctx)
    with pytest.raises(Forbidden), ctx.transaction() as session:
        save_template(session, staff, "storm_starter", before[:1], expected_version=1)
    with pytest.raises(Forbidden), ctx.transaction() as session:
        import_template(session, staff, text, "yaml", name="storm_starter")
    with ctx.sessions() as session:
        assert template_tasks(session, starter) == before
        assert session.get(PlanTemplate, starter).version == 1
        assert session.scalar(select(func.count()).select_from(PlanTemplate)) == 1
    assert _audit_count(ctx) == audits


def test_province_staff_cannot_switch_the_installation_to_live(ctx, staff):
    with pytest.raises(Forbidden), ctx.transaction() as session:
        scenario.set_live(session, staff)
    with ctx.sessions() as session:
        assert scenario.current(session).is_drill
        assert session.scalar(select(func.count()).select_from(AppSetting)) == 0


def test_province_staff_cannot_move_everyones_drill_clock(ctx, staff):
    with pytest.raises(Forbidden), ctx.transaction() as session:
        scenario.set_drill_clock(session, staff, CLOCK.replace(hour=18))
    with ctx.sessions() as session:
        assert scenario.current(session).clock_utc == DRILL_CLOCK
        assert session.scalar(select(func.count()).select_from(AppSetting)) == 0


def test_an_admin_still_can(ctx):
    add_user(ctx, "root", Role.ADMIN)
    admin = sign_in(ctx, "root")
    with ctx.transaction() as session:
        scenario.set_drill_clock(session, admin, CLOCK.replace(hour=18))
        scenario.set_live(session, admin)
    with ctx.sessions() as session:
        assert not scenario.current(session).is_drill


def test_a_commune_leader_sees_only_their_commune_on_the_board(ctx):
    setup = make_setup(ctx)
    add_user(ctx, "dc.leader", Role.COMMUNE, commune=DONG_CHAU)
    leader = sign_in(ctx, "dc.leader")
    with ctx.sessions() as session:
        board = province_board(session, leader, setup.event_id, "33", CLOCK)
        communes = planned_communes(session, leader, setup.event_id, "33")
        progress = progress_over_time(session, leader, setup.event_id, "33")
        staff_board = province_board(session, SYSTEM, setup.event_id, "33", CLOCK)
    assert list(board["commune_code"]) == [DONG_CHAU]
    assert communes == [DONG_CHAU]
    assert set(staff_board["commune_code"]) == {DONG_CHAU, OTHER_33}
    # The leader's chart follows their commune's weight only.
    assert len(progress) == 1 and progress["readiness"].iloc[0] == 0.0


def test_a_commune_leader_cannot_read_another_province(ctx):
    setup = make_setup(ctx)
    add_user(ctx, "dc.leader", Role.COMMUNE, commune=DONG_CHAU)
    leader = sign_in(ctx, "dc.leader")
    with ctx.sessions() as session, pytest.raises(Forbidden):
        province_board(session, leader, setup.event_id, "22", CLOCK)
