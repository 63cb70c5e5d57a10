"""AppTest of the plans and readiness pages on the demo data (Wipha drill)."""

from __future__ import annotations

import pytest

from dashboard.auth import Principal, Role
from dashboard.bootstrap import open_context
from dashboard.config import load_settings
from dashboard.demo.plans import seed_demo_plans
from tests.support.apptest import open_view

pytestmark = pytest.mark.usefixtures("ui_environment")

COMMUNE = Principal("demo-commune", Role.COMMUNE, "UBND xã", commune_code="13003")
PROVINCE = Principal(
    "demo-province", Role.PROVINCE, "Ban Chỉ huy", province_codes=frozenset({"33"})
)
VOLUNTEER = Principal("demo-volunteer", Role.VOLUNTEER, "Đoàn viên")
TABLE = {"phone_mode_saved": False}  # phone mode off: the grid per pillar


@pytest.fixture(scope="module")
def seeded(ui_environment):
    ctx = open_context(load_settings())  # demo mode seeds the drill plans
    assert seed_demo_plans(ctx) == []  # already there: seeding is idempotent
    ctx.engine.dispose()


def test_commune_leader_sees_the_checklist_by_pillar(seeded):
    at = open_view("plans", COMMUNE, state=TABLE)
    assert not at.exception, at.exception
    headings = [s.value for s in at.subheader]
    assert "Chỉ huy tại chỗ" in headings and "Hậu cần tại chỗ" in headings
    assert "Sẵn sàng 0%" in at.markdown[0].value


def test_english_checklist(seeded):
    at = open_view("plans", COMMUNE, lang="en", state=TABLE)
    assert not at.exception
    assert "On-the-spot command" in [s.value for s in at.subheader]


def test_commune_leader_gets_cards_by_default_and_done_asks_for_the_note(seeded):
    at = open_view("plans", COMMUNE)
    assert not at.exception, at.exception
    assert at.toggle(key="phone_mode").value is True
    assert not at.get("arrow_data_frame")  # no grid
    meeting = next(b for b in at.button if b.key.startswith("card_done_"))
    meeting.click().run()
    assert not at.exception, at.exception
    # Exactly the evidence the first task asks for: a note, nothing else.
    assert [a.label for a in at.text_area] == ["Ghi chú"]
    assert not at.number_input
    # The plan as text for Zalo/SMS, under 1,000 characters.
    text = at.code[0].value
    assert text.startswith("Xã Đồng Châu - ") and len(text) <= 1000
    assert "Xong 0/25 việc" in text


def test_province_staff_keep_the_table_by_default(seeded):
    at = open_view("plans", PROVINCE, state={"plans_commune": "13003"})
    assert not at.exception, at.exception
    assert at.toggle(key="phone_mode").value is False


def test_province_board_lists_the_demo_communes(seeded):
    at = open_view("readiness", PROVINCE)
    assert not at.exception, at.exception
    assert any("104 xã" in m.value for m in at.markdown)


def test_volunteer_is_turned_away(seeded):
    at = open_view("readiness", VOLUNTEER)
    assert not at.exception
    assert at.info[0].value.startswith("Trang này dành cho")


def test_the_board_says_which_communes_a_delegation_covers(seeded):
    from datetime import timedelta

    from dashboard.delegations import DelegationDraft, StopInput, create_delegation
    from dashboard.events import active_events
    from dashboard.scenario.drill import DRILL_CLOCK

    ctx = open_context(load_settings())
    with ctx.transaction() as session:
        (event,) = [e for e in active_events(session) if e.is_drill]
        create_delegation(
            session,
            PROVINCE,
            event.id,
            "33",
            DelegationDraft(
                name="Đoàn kiểm tra ven biển",
                leader_username="demo-province",
                leader_phone="0912345678",
                planned_departure_utc=DRILL_CLOCK + timedelta(hours=1),
                planned_arrival_utc=DRILL_CLOCK + timedelta(hours=3),
                communes=[StopInput("13003")],
            ),
        )
    ctx.engine.dispose()
    at = open_view("readiness", PROVINCE)
    assert not at.exception, at.exception
    board = next(d.value for d in at.dataframe if "Đoàn công tác" in d.value.columns)
    covered = board.set_index("Xã/phường")["Đoàn công tác"]
    assert covered["Xã Đồng Châu"] == "Đã lên kế hoạch"
    assert (covered.drop("Xã Đồng Châu") == "—").all()


def test_the_history_reads_as_sentences_not_audit_rows(seeded):
    """The plan's history on the page names the task and says what changed
    in words (plans.history.describe), not ``plan_task 167`` and JSON."""
    from dashboard.plans.activation import events_for_commune, plan_for_commune
    from dashboard.plans.tasks import plan_tasks, update_task
    from tests.support.auth import add_user, sign_in

    ctx = open_context(load_settings())
    add_user(ctx, "xa13003", Role.COMMUNE, commune="13003")
    leader = sign_in(ctx, "xa13003")
    with ctx.transaction() as db:
        (event, *_) = events_for_commune(db, leader, "13003")
        plan = plan_for_commune(db, leader, event.id, "13003")
        task = plan_tasks(db, leader, plan.id)[0]
        update_task(db, leader, task.id, task.version, status="in_progress")
    ctx.engine.dispose()

    at = open_view("plans", leader, state=TABLE)
    assert not at.exception, at.exception
    action, changes = vi_cols("plans.history.col.action", "plans.history.col.changes")
    (history,) = [d.value for d in at.dataframe if changes in d.value.columns]
    row = history[history[action].str.contains(task.title("vi"), regex=False)]
    assert len(row) == 1
    assert "Trạng thái: Chưa làm → Đang làm" in row[changes].iloc[0]
    text = " ".join(history.astype(str).to_numpy().ravel())
    for raw in ("plan_task", "in_progress", '"status"', "version"):
        assert raw not in text


def vi_cols(*keys: str) -> list[str]:
    from dashboard.i18n import translate

    return [translate(k, "vi") for k in keys]
