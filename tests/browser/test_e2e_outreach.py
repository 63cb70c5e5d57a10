"""End to end: a volunteer finds an item by searching without diacritics and
downloads its light version from the desktop list, in Debian's Chromium."""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from tests.browser.streamlit_page import sign_in, wait_for_app
from tests.support.helpers import REPO_ROOT

pytestmark = pytest.mark.browser

SEED = (
    "from dashboard.bootstrap import open_context\n"
    "from dashboard.outreach.starter import seed_starter_content\n"
    "seed_starter_content(open_context())\n"
)


@pytest.fixture(scope="module")
def seeded_server(app_server):
    # Idempotent: a no-op once start-up seeds the starter content itself.
    subprocess.run(
        [sys.executable, "-c", SEED],
        env=app_server.env,
        cwd=REPO_ROOT,
        check=True,
        timeout=300,
    )
    return app_server


def test_volunteer_finds_and_downloads_a_light_version(
    page: Page, seeded_server, offline, tmp_path
):
    page.goto(seeded_server.url)
    wait_for_app(page)
    sign_in(page, "demo-volunteer", "demo-volunteer-pw")
    expect(page.get_by_role("heading", name="Tài liệu tuyên truyền")).to_be_visible()
    # The desktop list (phones get cards: tests/browser/test_e2e_phone_cards.py).
    phone_mode = page.get_by_role("switch", name="Chế độ điện thoại")
    expect(phone_mode).to_be_checked()
    page.get_by_text("Chế độ điện thoại").click()  # its label: the input is hidden
    wait_for_app(page)
    expect(phone_mode).not_to_be_checked()
    search = page.get_by_label("Tìm tài liệu")
    search.fill("tui do khan cap")
    search.press("Enter")
    wait_for_app(page)
    card = (
        page.locator("[class*='st-key-outreach_item_']")
        .filter(has_text="Túi đồ khẩn cấp cho gia đình")
        .filter(has_not_text="PDF")
        .first
    )
    expect(card).to_be_visible()
    expect(card).to_contain_text("kB")  # the size is always shown
    card.get_by_role("button", name="Mở").click()
    wait_for_app(page)
    button = page.get_by_role("button", name="Tải bản nhẹ")
    expect(button).to_be_visible()
    label = button.inner_text()
    with page.expect_download() as info:
        button.click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    data = path.read_bytes()
    assert path.suffix in {".png", ".jpg", ".webp"}
    assert (
        data[:8] == b"\x89PNG\r\n\x1a\n"
        or data[:3] == b"\xff\xd8\xff"
        or data[8:12] == b"WEBP"
    )
    assert 1_000 < len(data) <= 100 * 1024
    shown_kb = float(label.split("(")[1].split()[0])
    assert abs(shown_kb - len(data) / 1000) <= 1  # the label told the truth
    assert not offline.blocked
