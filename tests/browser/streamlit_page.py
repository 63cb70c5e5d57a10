"""Waiting for a Streamlit page the way Streamlit's own e2e tests do."""

from __future__ import annotations

from playwright.sync_api import Page, expect

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def wait_for_app(page: Page, timeout: float = 60_000) -> None:
    page.wait_for_selector("[data-testid='stAppViewContainer']", timeout=timeout)
    page.wait_for_timeout(300)  # a rerun may not have started yet
    expect(
        page.locator("[data-testid='stApp'][data-test-script-state='notRunning']")
    ).to_be_attached(timeout=timeout)


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    wait_for_app(page)


def map_frame(page: Page):
    """The map's iframe, once the old one (kept while the map re-renders) is gone."""
    frame = page.locator(MAP_FRAME)
    expect(frame).to_have_count(1, timeout=60_000)
    return frame


def map_content(page: Page):
    """A frame locator inside the map's iframe (see :func:`map_frame`)."""
    map_frame(page)
    return page.frame_locator(MAP_FRAME)
