"""End to end on a weak link (Chromium throttled to 2 Mbit/s, 300 ms):
what the map page costs on a first and a second visit, in bytes on the wire."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.netmeter import ByteCounter, throttle
from tests.browser.streamlit_page import map_content, sign_in, wait_for_app

pytestmark = pytest.mark.browser

KB = 1000


def _map_drawn(page) -> None:
    frame = map_content(page)
    expect(frame.locator(".leaflet-container[data-communes]")).to_be_attached(
        timeout=120_000
    )


def test_second_visit_to_the_map_sends_a_fraction_of_the_first(
    browser: Browser, app_server, record_property
):
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    with ByteCounter(app_server.url) as proxy:
        page = context.new_page()
        throttle(page)
        start = time.monotonic()
        page.goto(proxy.url)
        wait_for_app(page, timeout=120_000)
        sign_in(page, "demo-admin", "demo-admin-pw")
        _map_drawn(page)
        first_seconds = time.monotonic() - start
        first = proxy.reset()
        page.close()

        # Same browser, a day later: the HTTP cache and the session cookie stay.
        page = context.new_page()
        throttle(page)
        start = time.monotonic()
        page.goto(proxy.url)
        wait_for_app(page, timeout=120_000)
        _map_drawn(page)
        second_seconds = time.monotonic() - start
        second = proxy.reset()
        # The national layer of every commune is in the map.
        count = (
            map_content(page)
            .locator(".leaflet-container")
            .get_attribute("data-communes")
        )
        assert int(count) == 3321
    context.close()
    for name, value in (
        ("first_visit_bytes", first),
        ("second_visit_bytes", second),
        ("first_visit_s", round(first_seconds, 1)),
        ("second_visit_s", round(second_seconds, 1)),
    ):
        record_property(name, value)
    print(
        f"map page at 2 Mbit/s, 300 ms: first {first / KB:.0f} kB "
        f"{first_seconds:.1f} s, second {second / KB:.0f} kB {second_seconds:.1f} s"
    )
    assert second < first / 4
