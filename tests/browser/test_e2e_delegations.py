"""End to end: in the Wipha drill, province staff send a delegation to an exposed
commune, see its coverage warning disappear, and check in as the leader."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.streamlit_page import sign_in, wait_for_app

pytestmark = pytest.mark.browser

WARNING = "Xã Đồng Châu: rủi ro 3 – lớn, chưa có đoàn công tác nào đến."


def test_province_staff_cover_a_commune_and_check_in(page: Page, app_server, offline):
    page.goto(app_server.url)
    wait_for_app(page)
    sign_in(page, "demo-province", "demo-province-pw")
    page.get_by_role("link", name="Đoàn công tác").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Đoàn công tác")).to_be_visible(
        timeout=60_000
    )
    summary = page.get_by_text(re.compile(r"^\d+ xã bị ảnh hưởng chưa có đoàn"))
    expect(summary).to_be_visible(timeout=60_000)
    before = int(summary.inner_text().split()[0])
    warnings = page.locator(".st-key-dlg_warnings")
    expect(warnings).to_contain_text(WARNING)

    page.get_by_role("tab", name="Cử đoàn mới").click()
    page.get_by_label("Tên đoàn").fill("Đoàn công tác số 1 — Sở Nông nghiệp")
    page.get_by_label("Điện thoại trưởng đoàn").fill("0912 345 678")
    communes = page.get_by_role("combobox", name="Các xã đến làm việc")
    communes.click()
    communes.fill("Đồng Châu")
    page.get_by_role("option", name=re.compile("Xã Đồng Châu")).first.click()
    page.keyboard.press("Escape")
    page.get_by_label("Thành viên (mỗi dòng một người").fill(
        "Lê Văn Đức; Phó đoàn; 0987 654 321"
    )
    page.get_by_role("button", name="Tạo đoàn công tác").click()
    wait_for_app(page)
    expect(page.get_by_text("Đã tạo đoàn công tác.")).to_be_visible(timeout=60_000)

    page.get_by_role("tab", name="Phủ kín các xã").click()
    expect(warnings).to_contain_text("chưa có đoàn công tác nào đến.")
    expect(warnings).not_to_contain_text(WARNING)
    expect(
        page.get_by_text(re.compile(rf"^{before - 1} xã bị ảnh hưởng chưa có đoàn"))
    ).to_be_visible()

    page.get_by_role("tab", name="Danh sách đoàn").click()
    wait_for_app(page)
    check_in = page.get_by_role("button", name="Check-in: đoàn đã đến xã")
    expect(check_in).to_be_visible(timeout=30_000)
    check_in.click()
    wait_for_app(page)
    expect(page.get_by_text("Đã check-in: đoàn đang làm việc tại xã.")).to_be_visible(
        timeout=60_000
    )
    page.get_by_role("tab", name="Danh sách đoàn").click()
    expect(
        page.get_by_text("Đã đến xã (check-in) lúc 19:00 20/07/2025")
    ).to_be_visible()
    # The Zalo text shows the new status.
    expect(page.locator("[data-testid='stCode']").first).to_contain_text(
        "Trạng thái: Đang làm việc tại xã"
    )
