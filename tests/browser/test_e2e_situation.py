"""End to end: the Wipha drill on the situation map — time slider, commune detail."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.streamlit_page import (
    map_content,
    map_frame,
    sign_in,
    wait_for_app,
)

pytestmark = pytest.mark.browser


def test_province_staff_step_through_time_and_open_a_commune(
    page: Page, app_server, offline
):
    page.goto(app_server.url)
    wait_for_app(page)
    sign_in(page, "demo-province", "demo-province-pw")
    expect(page.get_by_text("DIỄN TẬP: đang phát lại bão WIPHA")).to_be_visible(
        timeout=60_000
    )
    # The time slider starts at the drill clock: 19:00 20/07/2025 Vietnam time.
    slider = page.get_by_role("slider")
    expect(slider).to_have_attribute("aria-valuetext", "19:00 20/07/2025")
    frame = map_content(page)
    expect(frame.locator(".leaflet-overlay-pane")).to_be_attached(timeout=60_000)
    slider.focus()
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    wait_for_app(page)
    expect(slider).to_have_attribute("aria-valuetext", "01:00 21/07/2025")
    # The map was redrawn for the new hour and still shows the province.
    expect(frame.locator(".leaflet-overlay-pane canvas")).to_be_attached(timeout=60_000)
    # Click the middle of the map: a commune of Hưng Yên opens its detail.
    map_box = map_frame(page)
    map_box.scroll_into_view_if_needed()
    box = map_box.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    details = page.locator(".st-key-commune_details")
    expect(details).to_contain_text("Hưng Yên", timeout=30_000)
    expect(details).to_contain_text("Gió mạnh nhất dự kiến")
    expect(details).to_contain_text(re.compile(r"Gió cấp 8 đến: .*(2[01]/07/2025|—)"))
    # The ranking table lists the exposed communes of the province.
    expect(page.get_by_role("heading", name="Các xã bị ảnh hưởng")).to_be_visible()
