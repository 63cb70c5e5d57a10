"""End to end: sign-in, the offline map, staying signed in, escaping."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.streamlit_page import (
    MAP_FRAME,
    map_content,
    map_frame,
    sign_in,
    wait_for_app,
)

pytestmark = pytest.mark.browser


def communes_drawn(page: Page) -> int:
    """How many commune polygons Leaflet holds in the map iframe."""
    frame = map_content(page)
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=60_000)
    expect(frame.locator(".leaflet-overlay-pane canvas")).to_be_attached(timeout=30_000)
    # The geometry arrives as a static file after the map starts.
    expect(frame.locator(".leaflet-container[data-communes]")).to_be_attached(
        timeout=60_000
    )
    handle = map_frame(page).element_handle()
    inner = handle.content_frame()
    return inner.evaluate(
        """() => {
            let n = 0;
            for (const key of Object.keys(window)) {
                const v = window[key];
                if (key.includes("commune_layer") && v instanceof L.GeoJSON) {
                    n += v.getLayers().length;
                }
            }
            return n;
        }"""
    )


def test_commune_leader_sees_the_map_offline(page: Page, app_server, offline):
    page.goto(app_server.url)
    wait_for_app(page)
    expect(page.get_by_text("DEMO").first).to_be_visible()
    sign_in(page, "demo-commune", "demo-commune-pw")
    expect(page.get_by_text("Xã Đồng Châu · Hưng Yên")).to_be_visible(timeout=30_000)
    # The commune leader's map is the province of Hưng Yên: 104 communes.
    assert communes_drawn(page) == 104
    # Leaflet came from our server; nothing the map needed was fetched outside.
    assert not [url for url in offline.blocked if "leaflet" in url or "jquery" in url]


def wait_for_cookie(page: Page, name: str, seconds: float = 15) -> None:
    """Wait until the browser holds cookie *name* (set by a fetch after sign-in)."""
    for _ in range(int(seconds * 10)):
        if any(c["name"] == name for c in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"cookie {name} was never set")


def test_session_survives_reload_until_sign_out(page: Page, app_server, offline):
    page.goto(app_server.url)
    wait_for_app(page)
    sign_in(page, "demo-province", "demo-province-pw")
    badge = page.get_by_text("Ban Chỉ huy tỉnh Hưng Yên (demo)")
    expect(badge).to_be_visible(timeout=30_000)
    # The browser stores the HttpOnly session cookie right after signing in.
    wait_for_cookie(page, "dashboard_session")
    page.reload()
    wait_for_app(page)
    expect(badge).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Đăng xuất").click()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
    page.reload()
    wait_for_app(page)
    expect(page.get_by_text("Ban Chỉ huy tỉnh Hưng Yên (demo)")).to_have_count(0)


def test_wrong_password_is_refused(page: Page, app_server, offline):
    page.goto(app_server.url)
    wait_for_app(page)
    sign_in(page, "demo-commune", "not the password")
    expect(page.get_by_text("Sai tên đăng nhập hoặc mật khẩu.")).to_be_visible()


def test_volunteer_sees_only_outreach(page: Page, app_server, offline):
    page.goto(app_server.url)
    wait_for_app(page)
    sign_in(page, "demo-volunteer", "demo-volunteer-pw")
    expect(page.get_by_role("heading", name="Tài liệu tuyên truyền")).to_be_visible()
    # Asking for the map by its address does not show it (and the cookie
    # keeps the volunteer signed in across the new page load).
    page.goto(app_server.url + "/map")
    wait_for_app(page)
    expect(page.get_by_text("Đoàn viên tình nguyện (demo)")).to_be_visible()
    expect(page.locator(MAP_FRAME)).to_have_count(0)
