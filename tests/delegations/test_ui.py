"""The delegations page with Streamlit's AppTest: province staff and the commune."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from dashboard import delegations as dlg
from dashboard.auth import SYSTEM, Principal, Role
from dashboard.bootstrap import open_context
from dashboard.i18n import translate
from dashboard.scenario.drill import DRILL_CLOCK
from dashboard.store.models.delegations import Delegation, FollowUp, TaskVerification
from dashboard.store.models.plans import CommunePlan, PlanTask, PlanTemplate
from tests.support.apptest import open_view

pytestmark = pytest.mark.usefixtures("ui_environment")

PROVINCE = Principal(
    "demo-province",
    Role.PROVINCE,
    "Ban Chỉ huy tỉnh Hưng Yên (demo)",
    province_codes=frozenset({"33"}),
)
OTHER_STAFF = Principal(
    "lead33b", Role.PROVINCE, "Trần Văn Bình", province_codes=frozenset({"33"})
)
COMMUNE = Principal("demo-commune", Role.COMMUNE, "UBND xã", commune_code="13003")
VOLUNTEER = Principal("demo-volunteer", Role.VOLUNTEER, "Đoàn viên")
WIPHA = "2025197N14131"


def vi(key: str, **params) -> str:
    return translate(key, "vi", **params)


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def markdown_text(at) -> str:
    """The page's Markdown with the escapes of user text removed."""
    return re.sub(r"\\(.)", r"\1", "\n".join(m.value for m in at.markdown))


def dong_chau_visit(
    name: str, *, arrive_after: int = 2, with_secretary: bool = False
) -> dlg.DelegationDraft:
    """A delegation led by demo-province to Đồng Châu (13003), leaving an hour
    after the drill clock and arriving *arrive_after* hours after it."""
    members = [dlg.MemberInput("Phạm Thị Ánh", "Thư ký", "0987654321")]
    return dlg.DelegationDraft(
        name=name,
        leader_username="demo-province",
        leader_phone="0912345678",
        planned_departure_utc=DRILL_CLOCK + timedelta(hours=1),
        planned_arrival_utc=DRILL_CLOCK + timedelta(hours=arrive_after),
        communes=[dlg.StopInput("13003")],
        members=members if with_secretary else (),
    )


def open_event_with_a_plan() -> int:
    """The Wipha drill event and Đồng Châu's plan with a task (the demo seeding
    of the plans feature may have made both already)."""
    ctx = open_context()
    with ctx.transaction() as s:
        event_id = dlg.ensure_event(s, SYSTEM, WIPHA, "Ứng phó bão WIPHA", None, True)
        mine = select(PlanTask.id).where(
            PlanTask.event_id == event_id, PlanTask.commune_code == "13003"
        )
        if s.scalar(mine.limit(1)) is None:
            template = PlanTemplate(
                name="Ven biển (thử)", updated_at=DRILL_CLOCK, updated_by="t"
            )
            s.add(template)
            s.flush()
            plan = CommunePlan(
                event_id=event_id,
                commune_code="13003",
                province_code="33",
                template_id=template.id,
                eta_utc=datetime(2025, 7, 21, 1, tzinfo=UTC),
                activated_at=DRILL_CLOCK,
                activated_by="t",
                updated_at=DRILL_CLOCK,
            )
            s.add(plan)
            s.flush()
            s.add(
                PlanTask(
                    plan_id=plan.id,
                    event_id=event_id,
                    commune_code="13003",
                    province_code="33",
                    position=1,
                    title_vi="Kêu gọi tàu thuyền vào nơi tránh trú",
                    title_en="Call boats into shelter",
                    pillar="command",
                    priority=1,
                    deadline_kind="before_eta",
                    offset_hours=-12,
                    evidence="none",
                    updated_at=DRILL_CLOCK,
                    updated_by="t",
                )
            )
    ctx.engine.dispose()
    return event_id


def test_volunteers_are_sent_away():
    at = open_view("delegations", VOLUNTEER)
    assert not at.exception
    assert at.info[0].value == vi("dlg.signin")
    assert not at.tabs


def test_province_staff_open_the_event_create_check_in_and_verify():
    open_event_with_a_plan()
    at = open_view("delegations", PROVINCE)
    assert not at.exception, at.exception
    assert not any(b.key == "dlg_open_event" for b in at.button)
    uncovered = vi(
        "dlg.warn.uncovered", commune="Xã Đồng Châu", risk=vi("risk.3"), min_risk=3
    )
    assert uncovered in markdown_text(at)
    summary = at.error[0].value
    assert " xã bị ảnh hưởng chưa có đoàn" in summary
    before = int(summary.split()[0])
    assert before >= 1

    # A bad phone number is refused, naming the field; nothing is created.
    at.text_input(key="dlg_new_name").input("Đoàn công tác số 1")
    at.text_input(key="dlg_new_leader_phone").input("12345")
    at.multiselect(key="dlg_new_communes").select("13003")
    at.text_area(key="dlg_new_members").input("Lê Văn Đức; Phó đoàn; 0987 654 321")
    button(at, vi("dlg.form.submit")).click().run()
    assert any(vi("dlg.field.leader_phone") in e.value for e in at.error)
    ctx = open_context()
    with ctx.sessions() as s:
        assert s.scalar(select(Delegation.id)) is None

    at.text_input(key="dlg_new_leader_phone").input("0912 345 678")
    button(at, vi("dlg.form.submit")).click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == vi("dlg.created")
    assert uncovered not in markdown_text(at)
    assert at.error[0].value.startswith(f"{before - 1} xã bị ảnh hưởng chưa có đoàn")
    zalo = at.code[0].value
    assert "ĐOÀN CÔNG TÁC: Đoàn công tác số 1" in zalo and len(zalo) <= 1000
    assert "Lê Văn Đức (Phó đoàn) 0987654321" in zalo

    with ctx.sessions() as s:
        delegation = s.scalar(select(Delegation))
    at.button(key=f"dlg_check_in_{delegation.id}").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == vi("dlg.done.check_in")
    with ctx.sessions() as s:
        row = s.get(Delegation, delegation.id)
        assert row.status == "on_site"
        assert row.checked_in_at.replace(tzinfo=UTC) == DRILL_CLOCK  # drill clock

    # On site: verify the commune's task as "problem found" with a note.
    with ctx.sessions() as s:
        task_status = s.scalar(
            select(PlanTask.status)
            .where(PlanTask.commune_code == "13003")
            .order_by(PlanTask.position, PlanTask.id)
            .limit(1)
        )
    at.radio(key=f"dlg_verify_result_{delegation.id}").set_value("problem_found")
    at.text_input(key=f"dlg_verify_note_{delegation.id}").input("Còn 3 tàu ngoài khơi")
    button(at, vi("dlg.verify.submit")).click().run()
    assert not at.exception, at.exception
    with ctx.sessions() as s:
        check = s.scalar(select(TaskVerification))
        assert (check.result, check.note) == ("problem_found", "Còn 3 tàu ngoài khơi")
        assert check.commune_code == "13003"
        assert s.get(PlanTask, check.plan_task_id).status == task_status
    ctx.engine.dispose()


def test_other_staff_do_not_get_the_leader_buttons():
    open_event_with_a_plan()
    at = open_view("delegations", OTHER_STAFF)
    assert not at.exception, at.exception
    assert not [b for b in at.button if (b.key or "").startswith("dlg_check_")]
    assert not [b for b in at.button if (b.key or "").startswith("dlg_depart_")]


def test_commune_leader_sees_who_is_coming_and_confirms():
    event_id = open_event_with_a_plan()
    ctx = open_context()
    with ctx.transaction() as s:
        view = dlg.create_delegation(
            s,
            SYSTEM,
            event_id,
            "33",
            dong_chau_visit("Đoàn kiểm tra đê biển", with_secretary=True),
        )
    at = open_view("delegations", COMMUNE)
    assert not at.exception, at.exception
    text = markdown_text(at)
    assert "Đoàn kiểm tra đê biển" in text and "0912345678" in text
    assert "Phạm Thị Ánh" in text
    assert not at.tabs  # no province controls
    at.button(key=f"dlg_confirm_{view.id}").click().run()
    assert not at.exception, at.exception
    assert vi("dlg.done.confirm") in [s.value for s in at.success]
    with ctx.sessions() as s:
        got = dlg.get_delegation(s, COMMUNE, view.id)
    assert got.communes[0].confirmed_by == "demo-commune"
    assert not any(b.key == f"dlg_confirm_{view.id}" for b in at.button)
    ctx.engine.dispose()


def test_moving_an_arrival_after_the_level6_wind_is_flagged():
    event_id = open_event_with_a_plan()
    ctx = open_context()
    with ctx.transaction() as s:
        view = dlg.create_delegation(
            s,
            SYSTEM,
            event_id,
            "33",
            dong_chau_visit("Đoàn muộn"),
        )
    ctx.engine.dispose()
    at = open_view("delegations", PROVINCE)
    late = "Đoàn muộn dự kiến đến Xã Đồng Châu lúc 10:00 21/07/2025"
    assert late not in markdown_text(at)
    at.selectbox(key="dlg_pick").set_value(view.id).run()
    # Đồng Châu's level-6 ETA is 08:00 21/07 Vietnam time; plan to arrive at 10:00.
    at.date_input(key=f"dlg_arr_{view.id}_13003_date").set_value(date(2025, 7, 21))
    at.time_input(key=f"dlg_arr_{view.id}_13003_time").set_value(time(10, 0))
    button(at, vi("dlg.edit.submit")).click().run()
    assert not at.exception, at.exception
    assert vi("dlg.done.update") in [s.value for s in at.success]
    assert late in markdown_text(at)
    assert "đi vào vùng bão" in markdown_text(at)


@pytest.mark.parametrize("who", [PROVINCE, COMMUNE])
def test_page_runs_in_english(who):
    open_event_with_a_plan()
    at = open_view("delegations", who, lang="en")
    assert not at.exception, at.exception
    assert at.title[0].value == translate("page.delegations", "en")
    assert "Đoàn" not in " ".join(b.label for b in at.button)


def test_a_followup_sent_twice_with_its_drafts_key_is_stored_once():
    """The follow-up form sends the key the browser put in its hidden input;
    the same draft sent again is stored once."""
    event_id = open_event_with_a_plan()
    ctx = open_context()
    with ctx.transaction() as s:
        view = dlg.create_delegation(
            s,
            SYSTEM,
            event_id,
            "33",
            dong_chau_visit("Đoàn kiểm tra neo đậu tàu thuyền"),
        )
    at = open_view("delegations", PROVINCE)
    at.selectbox(key="dlg_pick").set_value(view.id).run()
    key = "5d6e7f80-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
    for _ in range(2):  # the form is emptied after each send
        at.text_area(key=f"dlg_fu_text_{view.id}").input("Bổ sung 20 áo phao")
        at.text_input(key=f"dlg_fu_owner_{view.id}").input("Sở Nông nghiệp")
        at.text_input(key=f"draftkey_dlg_fu_{view.id}").input(key)
        at.button(key=f"dlg_fu_send_{view.id}").click().run()
        assert not at.exception, at.exception
        assert vi("dlg.done.followup_raised") in [s.value for s in at.success]
    with ctx.sessions() as s:
        rows = s.scalars(select(FollowUp).where(FollowUp.delegation_id == view.id))
        assert [(f.text, f.client_key) for f in rows] == [("Bổ sung 20 áo phao", key)]
    ctx.engine.dispose()
