"""The weekly-report and after-action pages with Streamlit's AppTest.

The module shares one data directory, so each test works in its own province
or commune and asserts on its own data only.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import aar
from dashboard import feedback as fb
from dashboard.auth import Principal, Role
from dashboard.bootstrap import open_context
from dashboard.config import load_settings
from dashboard.i18n import translate
from dashboard.reports import weekly
from dashboard.scenario.drill import DRILL_CLOCK
from dashboard.store.models.plans import StormEvent
from tests.support.helpers import REPO_ROOT

pytestmark = pytest.mark.usefixtures("ui_environment")

WEEKLY_PAGE = REPO_ROOT / "dashboard" / "ui" / "views" / "weekly_report.py"
AAR_PAGE = REPO_ROOT / "dashboard" / "ui" / "views" / "after_action.py"


def vi(key: str, **params) -> str:
    return translate(key, "vi", **params)


def open_page(path, principal) -> AppTest:
    at = AppTest.from_file(str(path), default_timeout=120)
    if principal is not None:
        at.session_state["auth.principal"] = principal
    at.session_state["lang"] = "vi"
    return at.run()


@pytest.fixture
def store():
    context = open_context(load_settings())
    yield context
    context.engine.dispose()


def hue_commune() -> str:
    from dashboard import registry

    frame = registry.communes()
    return sorted(frame.loc[frame["province_code"] == "46", "commune_code"])[0]


def test_weekly_page_shows_the_week_and_saves_the_summary(store):
    commune = hue_commune()
    leader = Principal("ui-w-leader", Role.COMMUNE, commune_code=commune)
    staff = Principal("ui-w-staff", Role.PROVINCE, "BCH Huế", frozenset({"46"}))
    with store.transaction() as s:
        item = fb.raise_item(
            s,
            leader,
            commune_code=commune,
            category="funding",
            urgency="urgent",
            title="Thiếu kinh phí gia cố kè",
            text="Cần 2 tỷ đồng.",
        )
    # One clock: during the drill the item is stamped, and the page's weeks
    # are counted, on the drill clock.
    week = weekly.current_iso_week(DRILL_CLOCK)
    at = open_page(WEEKLY_PAGE, staff)
    assert not at.exception, at.exception
    assert at.title[0].value == vi("page.weekly_report")
    at.selectbox(key="weekly_week").set_value(week).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[vi("weekly.col.raised")] == "1"
    assert metrics[vi("weekly.col.open")] == "1"
    assert any("Thiếu kinh phí gia cố kè" in c.value for c in at.code)
    [area] = [a for a in at.text_area if a.label == vi("weekly.page.summary_help")]
    area.set_value("Đề nghị Bộ hỗ trợ kinh phí.").run()
    [save] = [b for b in at.button if b.label == vi("weekly.page.save")]
    save.click().run()
    assert not at.exception, at.exception
    with store.sessions() as s:
        assert weekly.get_summary(s, staff, "46", week).text == (
            "Đề nghị Bộ hỗ trợ kinh phí."
        )
    forward = [b for b in at.button if b.label == vi("weekly.page.forward_submit")]
    assert forward
    forward[0].click().run()
    assert not at.exception, at.exception
    with store.sessions() as s:
        from dashboard.reports.forwards import forwards_of_item

        assert [f.ministry for f in forwards_of_item(s, staff, item.id)] == [
            "Bộ Nội vụ"
        ]


def test_weekly_page_refuses_commune_leaders():
    at = open_page(
        WEEKLY_PAGE, Principal("ui-w-c", Role.COMMUNE, commune_code=hue_commune())
    )
    assert not at.exception, at.exception
    assert [i.value for i in at.info] == [vi("weekly.page.not_allowed")]


def test_aar_page_damage_form_and_review(store):
    commune = hue_commune()
    with store.transaction() as s:
        event = StormEvent(
            name="Bão thử AAR",
            storm_id="AAR-UI",
            is_drill=True,
            status="closed",
            created_at=datetime.now(UTC),
            created_by="system",
        )
        s.add(event)
        s.flush()
        event_id = event.id
    leader = Principal("ui-a-leader", Role.COMMUNE, commune_code=commune)
    at = open_page(AAR_PAGE, leader)
    assert not at.exception, at.exception
    at.selectbox(key="aar_event").set_value(event_id).run()
    inputs = {n.label: n for n in at.number_input}
    inputs[vi("aar.col.people_evacuated")].set_value(120)
    inputs[vi("aar.col.houses_damaged")].set_value(7)
    [notes] = [a for a in at.text_area if a.label == vi("aar.col.damage_notes")]
    notes.set_value("Tốc mái 7 nhà")
    [save] = [b for b in at.button if b.label == vi("aar.page.save")]
    save.click().run()
    assert not at.exception, at.exception
    assert vi("aar.page.saved") in [s.value for s in at.success]
    with store.sessions() as s:
        report = aar.get_damage(s, leader, event_id, commune)
    assert (report.people_evacuated, report.houses_damaged, report.notes) == (
        120,
        7,
        "Tốc mái 7 nhà",
    )

    staff = Principal("ui-a-staff", Role.PROVINCE, "BCH Huế", frozenset({"46"}))
    at = open_page(AAR_PAGE, staff)
    assert not at.exception, at.exception
    at.selectbox(key="aar_event").set_value(event_id).run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[vi("aar.col.people_evacuated")] == "120"
    [table] = at.dataframe
    assert table.value[vi("aar.col.commune_code")].tolist() == [commune]


def test_aar_page_turns_volunteers_away():
    at = open_page(AAR_PAGE, Principal("ui-a-vol", Role.VOLUNTEER))
    assert not at.exception, at.exception
    assert [i.value for i in at.info] == [vi("aar.page.not_allowed")]
