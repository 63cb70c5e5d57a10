"""End to end on a 360 × 740 phone: a commune leader works the checklist as
cards — reads a deadline, ticks a task done with a note, marks one blocked —
with no horizontal scrolling; a draft survives a dropped connection and is
sent once; axe-core finds no serious accessibility violation."""

from __future__ import annotations

import re

import pytest
import sqlalchemy
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.streamlit_page import sign_in, wait_for_app
from tests.browser.test_e2e_foundation import wait_for_cookie

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
MEETING = "Họp Ban Chỉ huy phòng thủ dân sự xã"
REPORT = "Báo cáo tình hình chuẩn bị lên Ban Chỉ huy tỉnh"
NOTE = "Đã họp lúc 8 giờ, trực 24/24"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "has_touch": True}


def no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert widths[0] == widths[1] == PHONE["width"], widths


def card(page: Page, title: str):
    return page.locator("[class*='st-key-task_card_']").filter(has_text=title).first


def open_plans(page: Page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    no_horizontal_scroll(page)
    sign_in(page, "demo-commune", "demo-commune-pw")
    wait_for_cookie(page, "dashboard_session")  # the next page load signs in
    page.goto(url + "/plans")
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"\d+/25 việc xong"))).to_be_visible(
        timeout=60_000
    )


def header_done(page: Page) -> int:
    text = page.get_by_text(re.compile(r"\d+/25 việc xong")).inner_text()
    return int(re.search(r"(\d+)/25 việc xong", text).group(1))


def test_commune_leader_ticks_and_blocks_tasks_on_a_phone(page: Page, app_server):
    open_plans(page, app_server.url)
    # Phone mode is on by default for a commune leader: cards, not a grid.
    expect(page.get_by_role("switch", name="Chế độ điện thoại")).to_be_checked()
    meeting = card(page, MEETING)
    expect(meeting).to_be_visible()
    # The deadline in words, e.g. "còn 5 giờ" or "quá hạn 2 giờ".
    expect(meeting).to_contain_text(re.compile(r"còn \d+ giờ|quá hạn \d+ giờ"))
    no_horizontal_scroll(page)
    before = header_done(page)

    # Done opens exactly the evidence the task asks for: a note.
    meeting.get_by_role("button", name="Xong").click()
    wait_for_app(page)
    note = meeting.get_by_label("Ghi chú")
    expect(note).to_be_visible()
    expect(meeting.get_by_label("Số liệu")).to_have_count(0)
    note.fill(NOTE)
    expect(meeting.locator(".draft-state")).to_have_text(re.compile("Chưa gửi"))
    no_horizontal_scroll(page)
    meeting.get_by_role("button", name="Gửi").click()
    wait_for_app(page)
    meeting = card(page, MEETING)
    expect(meeting).to_contain_text("Đã xong")
    expect(meeting).to_contain_text(NOTE)
    # The header counts the tick at once, without a reload.
    expect(page.get_by_text(f"{before + 1}/25 việc xong")).to_be_visible()

    report = card(page, REPORT)
    report.get_by_role("button", name="Vướng mắc").click()
    wait_for_app(page)
    report.get_by_label(re.compile("Lý do")).fill("Mất điện thoại bàn")
    report.get_by_role("button", name="Gửi").click()
    wait_for_app(page)
    expect(card(page, REPORT)).to_contain_text("Vướng mắc")
    expect(card(page, REPORT)).to_contain_text("Mất điện thoại bàn")
    no_horizontal_scroll(page)
    # Targets are at least 44 px tall (among the buttons on screen: elements of
    # a run being replaced are not displayed and have no box).
    heights = page.locator("[class*='st-key-task_card_'] button").evaluate_all(
        "els => els.filter(e => e.getClientRects().length)"
        ".map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, heights


def test_a_draft_survives_a_dropped_connection_and_is_sent_once(page: Page, app_server):
    open_plans(page, app_server.url)
    title = "Thống kê thiệt hại và báo cáo sau bão"
    target = card(page, title)
    target.get_by_role("button", name="Xong").click()
    wait_for_app(page)
    text = "Chưa có thiệt hại, đã kiểm tra 12 thôn"
    target.get_by_label("Ghi chú").fill(text)
    # The link drops mid-form.
    page.context.set_offline(True)
    page.wait_for_timeout(3000)
    assert page.evaluate(
        "() => Object.keys(localStorage).filter(x => x.startsWith('draft:'))"
    )
    # Even a reload (a new session) keeps it: it is in the browser.
    page.context.set_offline(False)
    page.reload()
    wait_for_app(page)
    target = card(page, title)
    target.get_by_role("button", name="Xong").click()
    wait_for_app(page)
    note = target.get_by_label("Ghi chú")
    expect(note).to_have_value(text)
    expect(target.locator(".draft-state")).to_have_text(re.compile("Chưa gửi"))
    target.get_by_role("button", name="Gửi").click()
    wait_for_app(page)
    expect(card(page, title)).to_contain_text("Đã xong")
    # The confirmation is the run's last element: it may land a moment later.
    page.wait_for_function(
        "() => !Object.keys(localStorage).some(x => x.startsWith('draft:'))",
        timeout=10_000,
    )
    # Stored once: one audit row carries that note.
    assert audit_rows_with(app_server, text) == 1


def audit_rows_with(app_server, text: str) -> int:
    engine = sqlalchemy.create_engine(
        f"sqlite:///{app_server.data_dir.resolve() / 'dashboard.db'}"
    )
    with engine.connect() as conn:
        rows = conn.execute(
            sqlalchemy.text("SELECT new_value FROM audit_log WHERE new_value LIKE :q"),
            {"q": f"%{text}%"},
        ).all()
    engine.dispose()
    return len(rows)


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page (WCAG 2.1 AA).

    Checked once the script is idle: while it runs Streamlit fades the old
    elements, which would read as low contrast."""
    wait_for_app(page)
    page.wait_for_timeout(500)
    results = Axe().run(
        page,
        options={
            "runOnly": {
                "type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"],
            },
            "resultTypes": ["violations"],
        },
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_no_serious_accessibility_violations_on_the_phone_pages(page: Page, app_server):
    page.goto(app_server.url)
    wait_for_app(page)
    assert serious_violations(page) == []  # the sign-in landing page
    open_plans(page, app_server.url)
    assert serious_violations(page) == []  # the checklist as cards
    # An open evidence form (the other tests may have closed some tasks).
    page.locator("[class*='st-key-card_blocked_'] button").first.click()
    wait_for_app(page)
    expect(page.get_by_label(re.compile("Lý do"))).to_be_visible()
    assert serious_violations(page) == []  # the evidence form
    page.goto(app_server.url + "/map")
    wait_for_app(page)
    expect(page.locator("iframe[title='streamlit_folium.st_folium']")).to_be_attached(
        timeout=60_000
    )
    assert serious_violations(page) == []  # the map page (Leaflet's frame aside)
    no_horizontal_scroll(page)


def test_library_and_delegations_fit_a_phone(page: Page, app_server):
    """The volunteer's library and the commune's delegation page at 360 px:
    no sideways scrolling, no serious accessibility violation."""
    page.goto(app_server.url)
    wait_for_app(page)
    sign_in(page, "demo-volunteer", "demo-volunteer-pw")
    expect(page.get_by_role("heading", name="Tài liệu tuyên truyền")).to_be_visible(
        timeout=60_000
    )
    no_horizontal_scroll(page)
    assert serious_violations(page) == []
    page.context.clear_cookies()
    page.goto(app_server.url)
    wait_for_app(page)
    sign_in(page, "demo-commune", "demo-commune-pw")
    wait_for_cookie(page, "dashboard_session")
    page.goto(app_server.url + "/delegations")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Đoàn công tác")).to_be_visible(
        timeout=60_000
    )
    no_horizontal_scroll(page)
    assert serious_violations(page) == []
