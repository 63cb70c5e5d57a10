"""End to end: a commune raises a request, the province answers, the commune reads it.

Two browser contexts (two people): the commune leader of Đồng Châu and the
Hưng Yên province staff, on one app server.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard.auth import Role
from dashboard.ui.navigation import PAGES_BY_ROLE
from tests.browser.streamlit_page import sign_in, wait_for_app
from tests.support.helpers import require

pytestmark = pytest.mark.browser

TITLE = "Thiếu máy bơm tiêu úng thôn Đông"
ANSWER = "Sở Nông nghiệp và Môi trường điều 2 máy bơm trước 17 giờ."


def open_feedback(page: Page, url: str, username: str, password: str) -> None:
    page.goto(url)
    wait_for_app(page)
    sign_in(page, username, password)
    page.locator("[data-testid='stSidebarNavLink']").filter(
        has_text="Kiến nghị của xã"
    ).click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Kiến nghị của xã").first).to_be_visible(
        timeout=60_000
    )


def choose(page: Page, label: str, option: str | re.Pattern[str]) -> None:
    page.get_by_label(label).click()
    page.get_by_role("option", name=option).click()
    wait_for_app(page)


def test_commune_raises_province_answers_commune_reads(
    page: Page, browser: Browser, app_server, offline
):
    require(
        "feedback" in PAGES_BY_ROLE[Role.COMMUNE]
        and "feedback" in PAGES_BY_ROLE[Role.PROVINCE],
        "the feedback page is not registered in dashboard/ui/navigation.py yet",
    )
    # 1. The commune leader raises a request.
    open_feedback(page, app_server.url, "demo-commune", "demo-commune-pw")
    choose(page, "Mức độ khẩn", "Khẩn")
    page.get_by_label("Tiêu đề", exact=True).fill(TITLE)
    page.get_by_label("Nội dung", exact=True).fill(
        "Mưa lớn, 3 thôn ngập sâu 0,5 m; cần 2 máy bơm."
    )
    page.get_by_role("button", name="Gửi lên tỉnh").click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"Đã gửi kiến nghị #\d+"))).to_be_visible()

    # 2. The province sees it, with a badge, and triages it.
    staff_context = browser.new_context()
    staff = staff_context.new_page()
    try:
        open_feedback(staff, app_server.url, "demo-province", "demo-province-pw")
        badge = staff.locator(".st-key-feedback_badge")
        expect(badge).to_contain_text(re.compile(r"[1-9]\d* kiến nghị mới"))
        choose(staff, "Xem kiến nghị", re.compile(re.escape(TITLE)))
        detail = staff.locator(".st-key-feedback_detail")
        expect(detail).to_contain_text(TITLE)
        expect(detail).to_contain_text("Xã Đồng Châu")
        expect(detail).to_contain_text("Khẩn")
        department = staff.get_by_label("Sở, ngành xử lý")
        department.click()
        department.fill("Sở Nông nghiệp và Môi trường")
        department.press("Enter")
        staff.get_by_role("button", name="Giao xử lý", exact=True).click()
        wait_for_app(staff)
        expect(
            staff.get_by_text(re.compile(r"Đã giao xử lý kiến nghị #\d+"))
        ).to_be_visible()
        expect(detail).to_contain_text("Sở Nông nghiệp và Môi trường")
        staff.get_by_label("Nội dung trả lời").fill(ANSWER)
        staff.get_by_role("button", name="Gửi trả lời", exact=True).click()
        wait_for_app(staff)
        expect(
            staff.get_by_text(re.compile(r"Đã trả lời kiến nghị #\d+"))
        ).to_be_visible()
    finally:
        staff_context.close()

    # 3. The commune opens the page again and reads the answer.
    page.reload()  # the session cookie keeps the leader signed in
    wait_for_app(page)
    answer = page.locator(".st-key-feedback_answer")
    expect(answer).to_contain_text(ANSWER, timeout=30_000)
    expect(page.locator(".st-key-feedback_detail")).to_contain_text("Đã trả lời")
