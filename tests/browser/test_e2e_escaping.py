"""End to end: text from a file or a user never runs as HTML in the browser."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import start_app, stop_app
from tests.browser.streamlit_page import (
    map_content,
    map_frame,
    sign_in,
    wait_for_app,
)
from tests.support.helpers import shared_file

pytestmark = pytest.mark.browser

EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def evil_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("evil") / "data"
    source = json.loads(
        shared_file("boundaries", "communes_33_hung_yen_2025.geojson").read_text(
            "utf-8"
        )
    )
    for feature in source["features"]:
        feature["properties"]["commune_name"] = EVIL
        feature["properties"]["commune_short_name"] = EVIL
    boundary_file = data.parent / "evil.geojson"
    boundary_file.write_text(json.dumps(source), encoding="utf-8")
    server = start_app(data)
    done = server.cli("boundaries", "import", str(boundary_file))
    assert done.returncode == 0, done.stderr
    done = server.cli(
        "users",
        "add",
        "evil.user",
        "--name",
        EVIL,
        "--role",
        "commune",
        "--commune",
        "13003",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert done.returncode == 0, done.stderr
    yield server
    stop_app(server)


def test_nothing_from_a_file_or_a_user_runs(page: Page, evil_server, offline):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(evil_server.url)
    wait_for_app(page)
    sign_in(page, "evil.user", "a long enough password")
    # The name is shown as typed, as text.
    expect(page.locator("[data-testid='stSidebar']").get_by_text(EVIL)).to_be_visible()
    frame = map_content(page)
    expect(frame.locator(".leaflet-overlay-pane canvas")).to_be_attached(timeout=60_000)
    # Hover over the commune in the middle of the map so its tooltip opens.
    map_frame(page).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = map_frame(page).bounding_box()
    for dx in (-2, 0, 2):
        page.mouse.move(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2)
        page.wait_for_timeout(100)
    tooltip = frame.locator(".leaflet-tooltip")
    expect(tooltip).to_have_count(1, timeout=10_000)
    expect(tooltip).to_have_text("Xã Đồng Châu · 13003")
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0
    assert frame.locator("img[src='x']").count() == 0
