"""The feedback page with Streamlit's AppTest: commune and province roles.

The module shares one data directory, so each test works in its own commune
or province (or asserts on its own item ids) and never on global counts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard import feedback as fb
from dashboard import registry
from dashboard.auth import Principal, Role
from dashboard.bootstrap import open_context
from dashboard.config import load_settings
from dashboard.i18n import translate
from dashboard.scenario import DRILL_CLOCK
from dashboard.ui.markdown import escape
from tests.support.apptest import open_view

pytestmark = pytest.mark.usefixtures("ui_environment")


def vi(key: str, **params) -> str:
    return translate(key, "vi", **params)


@pytest.fixture
def store():
    context = open_context(load_settings())
    yield context
    context.engine.dispose()


def leader(code: str, username: str) -> Principal:
    return Principal(username, Role.COMMUNE, f"UBND {code}", commune_code=code)


def staff(province: str, username: str) -> Principal:
    return Principal(username, Role.PROVINCE, f"BCH {province}", frozenset({province}))


def button(at, label: str):
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r} among {[b.label for b in at.button]}"
    return matches[0]


def labelled(widgets, label: str):
    matches = [w for w in widgets if w.label == label]
    assert matches, f"no widget {label!r} among {[w.label for w in widgets]}"
    return matches[0]


def texts(at) -> str:
    parts = [m.value for m in at.markdown]
    parts += [e.value for e in (*at.success, *at.error, *at.warning, *at.info)]
    parts += [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def raise_direct(store, who: Principal, title: str, urgency: str = "urgent"):
    with store.transaction() as s:
        return fb.raise_item(
            s,
            who,
            commune_code=who.commune_code,
            category="equipment",
            urgency=urgency,
            title=title,
            text="Cần 200 áo phao.",
        )


def test_the_commune_leader_raises_an_item_from_the_form(store):
    me = leader("13003", "ui-commune-raise")
    at = open_view("feedback", me)
    assert not at.exception, at.exception
    assert at.title[0].value == vi("page.feedback")
    at.selectbox(key="fb_new_category_0").set_value("infrastructure")
    at.selectbox(key="fb_new_urgency_0").set_value("critical")
    at.text_input(key="fb_new_title_0").input("Đê bao thôn 3 sạt lở <b>")
    at.text_area(key="fb_new_text_0").input("Cần 500 bao cát trước 18 giờ.")
    button(at, vi("feedback.send")).click()
    at.run()
    assert not at.exception, at.exception
    assert "Đã gửi kiến nghị #" in at.success[0].value
    with store.sessions() as s:
        mine = fb.list_items(s, me)
    titles = {i.title: i for i in mine}
    item = titles["Đê bao thôn 3 sạt lở <b>"]
    assert (item.category, item.urgency, item.status) == (
        "infrastructure",
        "critical",
        "received",
    )
    # A fresh, empty form replaces the sent one; the item is in the list.
    assert at.text_input(key="fb_new_title_1").value == ""
    frame = at.dataframe[0].value
    assert item.id in list(frame["#"])


def test_a_resend_with_the_drafts_key_is_stored_once(store):
    """The page sends the key the browser put in the hidden input; the same
    draft sent again from a new session returns the stored item."""
    me = leader("11953", "ui-commune-resend")  # Phường Phố Hiến
    key = "0b9f3c1e-7d2a-4c5b-9e8f-1a2b3c4d5e6f"
    said = []
    for _ in range(2):
        at = open_view("feedback", me)
        at.text_input(key="fb_new_title_0").input("Thiếu bao cát")
        at.text_area(key="fb_new_text_0").input("Cần 500 bao cát.")
        at.text_input(key="draftkey_fb_new_0").input(key)
        button(at, vi("feedback.send")).click()
        at.run()
        assert not at.exception, at.exception
        said.append(at.success[0].value)
    with store.sessions() as s:
        mine = fb.list_items(s, me)
    assert len(mine) == 1
    assert said == [vi("feedback.raised", id=mine[0].id)] * 2


def test_a_missing_title_is_named_and_nothing_is_stored(store):
    me = leader("11977", "ui-commune-invalid")
    at = open_view("feedback", me)
    at.text_area(key="fb_new_text_0").input("Nội dung mà không có tiêu đề.")
    button(at, vi("feedback.send")).click()
    at.run()
    assert not at.exception, at.exception
    assert "«Tiêu đề»" in at.error[0].value
    # The typed text is kept for the user to fix the title.
    assert at.text_area(key="fb_new_text_0").value == "Nội dung mà không có tiêu đề."
    with store.sessions() as s:
        assert fb.list_items(s, me) == []


def test_province_triages_and_the_commune_reads_the_answer(store):
    # Hải Phòng (31): no other test of this module works there.
    commune = leader("10507", "ui-hp-commune")
    province = staff("31", "ui-hp-staff")
    item = raise_direct(store, commune, "Thiếu máy phát điện", urgency="critical")
    at = open_view("feedback", province)
    assert not at.exception, at.exception
    assert vi("feedback.badge.new_items", count=1) in texts(at)
    queue = at.dataframe[0].value
    assert list(queue["#"]) == [item.id]
    assert list(queue[vi("feedback.col.new")]) == ["●"]
    # Opening the item marks it seen: the badge is gone on the same run.
    at.selectbox(key="fb_province_pick").set_value(item.id).run()
    assert not at.exception, at.exception
    assert f"#{item.id} · Thiếu máy phát điện" in [h.value for h in at.subheader]
    assert vi("feedback.badge.new_items", count=1) not in texts(at)
    with store.sessions() as s:
        assert fb.unseen_count(s, province) == 0
    # Assign.
    labelled(at.selectbox, vi("feedback.field.department")).set_value("Sở Công Thương")
    labelled(at.text_input, vi("feedback.field.owner")).input("Phạm Văn Đức")
    button(at, vi("feedback.assign")).click()
    at.run()
    assert not at.exception, at.exception
    assert vi("feedback.done.assign", id=item.id) in texts(at)
    with store.sessions() as s:
        now = fb.get_item(s, province, item.id)
    assert (now.status, now.department, now.owner) == (
        "assigned",
        "Sở Công Thương",
        "Phạm Văn Đức",
    )
    # One clock: in the drill the default due time follows the drill clock,
    # not the wall clock (no 2026 date during the Wipha drill).
    assert now.due_utc is not None
    assert DRILL_CLOCK < now.due_utc < DRILL_CLOCK + timedelta(days=7)
    assert now.assigned_at is not None and now.assigned_at == DRILL_CLOCK
    # Answer.
    labelled(at.text_area, vi("feedback.field.answer")).input("Điện lực sẽ cấp 2 máy.")
    button(at, vi("feedback.answer")).click()
    at.run()
    assert not at.exception, at.exception
    with store.sessions() as s:
        assert fb.get_item(s, province, item.id).status == "answered"
        assert fb.unseen_count(s, commune) == 1
    # The commune's page opens the answered item and shows the answer.
    at = open_view("feedback", commune)
    assert not at.exception, at.exception
    assert at.selectbox(key="fb_commune_pick").value == item.id
    answer = [e.value for e in at.success if "Điện lực" in e.value]
    assert answer and escape("Điện lực sẽ cấp 2 máy.") in answer[0]
    with store.sessions() as s:
        assert fb.unseen_count(s, commune) == 0


def test_a_stale_form_shows_a_conflict_and_writes_nothing(store):
    commune = leader("10525", "ui-conflict-commune")
    province = staff("31", "ui-conflict-staff")
    item = raise_direct(store, commune, "Xin hỗ trợ thủ tục")
    at = open_view("feedback", province)
    at.selectbox(key="fb_province_pick").set_value(item.id).run()
    # Meanwhile a colleague assigns it.
    with store.transaction() as s:
        fb.assign(
            s,
            staff("31", "ui-colleague"),
            item.id,
            item.version,
            department="Sở Nội vụ",
            owner="Lê Thị E",
            due_utc=datetime.now(UTC) + timedelta(days=1),
        )
    labelled(at.selectbox, vi("feedback.field.department")).set_value("Sở Tài chính")
    button(at, vi("feedback.assign")).click()
    at.run()
    assert not at.exception, at.exception
    assert escape("ui-colleague") in at.warning[0].value
    assert "changed by" not in at.warning[0].value  # no English on the page
    with store.sessions() as s:
        assert fb.get_item(s, province, item.id).department == "Sở Nội vụ"
    # The detail now shows the colleague's assignment and the form keeps what
    # the user chose; a second, deliberate submit applies on top.
    assert "Sở Nội vụ" in texts(at)
    assert labelled(at.selectbox, vi("feedback.field.department")).value == (
        "Sở Tài chính"
    )
    button(at, vi("feedback.assign")).click()
    at.run()
    assert not at.warning, [w.value for w in at.warning]
    with store.sessions() as s:
        assert fb.get_item(s, province, item.id).department == "Sở Tài chính"


def test_the_queue_of_another_province_is_empty(store):
    commune = leader("13003", "ui-scope-commune")
    item = raise_direct(store, commune, "Chỉ Hưng Yên thấy")
    at = open_view("feedback", staff("01", "ui-hanoi-staff"))
    assert not at.exception, at.exception
    shown = [list(d.value["#"]) for d in at.dataframe if "#" in d.value.columns]
    assert all(item.id not in ids for ids in shown)


def test_weekly_summary_tab_counts_the_items(store):
    commune = leader("10532", "ui-summary-commune")
    for title in ("A", "B"):
        raise_direct(store, commune, f"Tổng hợp {title}")
    at = open_view("feedback", staff("31", "ui-summary-staff"))
    assert not at.exception, at.exception
    raised = vi("feedback.summary.raised")
    tables = [d.value for d in at.dataframe if raised in d.value.columns]
    assert len(tables) == 1
    table = tables[0]
    rows = table.set_index(vi("feedback.col.commune"))
    name = registry.commune("10532")["commune_name"]
    assert rows.loc[name, raised] == 2
    assert rows.loc[name, vi("feedback.category.equipment")] == 2


@pytest.mark.parametrize(
    "who", [None, Principal("ui-vol", Role.VOLUNTEER, "Đoàn viên")], ids=["anon", "vol"]
)
def test_outsiders_get_a_notice_only(who):
    at = open_view("feedback", who)
    assert not at.exception, at.exception
    assert at.info[0].value == vi("feedback.not_allowed")
    assert len(at.button) == 0
