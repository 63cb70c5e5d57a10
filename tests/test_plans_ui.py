"""AppTest of the plans and readiness pages on the demo data (Wipha drill)."""

from __future__ import annotations

import pytest

from dashboard.auth import Principal, Role
from dashboard.config import load_settings
from dashboard.context import open_context
from dashboard.plans.demo import seed_demo_plans
from tests.apptest import open_view

pytestmark = pytest.mark.usefixtures("ui_environment")

COMMUNE = Principal("demo-commune", Role.COMMUNE, "UBND xã", commune_code="13003")
PROVINCE = Principal(
    "demo-province", Role.PROVINCE, "Ban Chỉ huy", province_codes=frozenset({"33"})
)
VOLUNTEER = Principal("demo-volunteer", Role.VOLUNTEER, "Đoàn viên")


@pytest.fixture(scope="module")
def seeded(ui_environment):
    ctx = open_context(load_settings())  # demo mode seeds the drill plans
    assert seed_demo_plans(ctx) == []  # already there: seeding is idempotent
    ctx.engine.dispose()


def test_commune_leader_sees_the_checklist_by_pillar(seeded):
    at = open_view("plans", COMMUNE)
    assert not at.exception, at.exception
    headings = [s.value for s in at.subheader]
    assert "Chỉ huy tại chỗ" in headings and "Hậu cần tại chỗ" in headings
    assert "Sẵn sàng 0%" in at.markdown[0].value


def test_english_checklist(seeded):
    at = open_view("plans", COMMUNE, lang="en")
    assert not at.exception
    assert "On-the-spot command" in [s.value for s in at.subheader]


def test_province_board_lists_the_demo_communes(seeded):
    at = open_view("readiness", PROVINCE)
    assert not at.exception, at.exception
    assert any("104 xã" in m.value for m in at.markdown)


def test_volunteer_is_turned_away(seeded):
    at = open_view("readiness", VOLUNTEER)
    assert not at.exception
    assert at.info[0].value.startswith("Trang này dành cho")
