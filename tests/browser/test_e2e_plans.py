"""End to end: a commune leader ticks a task; the province board shows it —
on one server, and across two app servers sharing one PostgreSQL store."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import start_app, stop_app
from tests.browser.streamlit_page import sign_in, wait_for_app
from tests.conftest import new_postgres_database

pytestmark = pytest.mark.browser

NOTE = "Đã họp Ban Chỉ huy lúc 8 giờ"
VIEWPORT = {"width": 1300, "height": 1000}


def _cell(page: Page, column: int) -> None:
    """Focus row 1, column *column* of the first checklist (the command pillar)."""
    grid = page.locator("[data-testid='stDataFrame']").first
    expect(grid.locator("canvas").first).to_be_visible(timeout=30_000)
    grid.evaluate("e => e.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(500)
    box = grid.locator("canvas").first.bounding_box()
    page.mouse.click(box["x"] + 60, box["y"] + 52)
    for _ in range(column):
        page.keyboard.press("ArrowRight")


def edit(page: Page, text: str) -> None:
    """Type into the cell editor the grid just opened, and commit with Enter.

    The editor overlay takes a moment to open and to take the text, so the
    steps wait for it (the grid is a canvas: there is no element to await).
    """
    page.wait_for_timeout(400)
    page.keyboard.type(text)
    page.wait_for_timeout(400)
    page.keyboard.press("Enter")


def until(page: Page, attempt, check, tries: int = 3) -> None:
    """Drive the grid with *attempt* until *check* holds (canvas editing can
    lose a keystroke when the overlay opens late; the assertion never relaxes)."""
    for n in range(tries):
        attempt()
        try:
            check()
            return
        except AssertionError:
            if n == tries - 1:
                raise


def tick_first_task_with_a_note(page: Page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    sign_in(page, "demo-commune", "demo-commune-pw")
    page.get_by_role("link", name="Phương án ứng phó").click()
    wait_for_app(page)
    # A desktop: the commune leader turns phone mode (cards) off for the grid.
    page.get_by_text("Chế độ điện thoại").click()
    wait_for_app(page)
    expect(page.get_by_text("Sẵn sàng 0% · 0/25 việc xong")).to_be_visible(
        timeout=60_000
    )

    # The first command task ("Họp Ban Chỉ huy …") needs a note before it is done.
    def write_note() -> None:
        _cell(page, 3)  # the note column
        page.keyboard.press("Enter")
        edit(page, NOTE)

    def mark_done() -> None:
        _cell(page, 1)
        page.keyboard.press("Enter")
        edit(page, "Đã xong")
        wait_for_app(page)  # the header counts the tick without a reload

    until(
        page,
        write_note,
        lambda: expect(page.get_by_text("Đã lưu: Họp Ban Chỉ huy")).to_be_visible(
            timeout=15_000
        ),
    )
    until(
        page,
        mark_done,
        lambda: expect(page.get_by_text("1/25 việc xong")).to_be_visible(
            timeout=30_000
        ),
    )


def board_readiness(page: Page, url: str, commune_code: str, sign: bool) -> float:
    """The commune's readiness (%) in the province board's CSV export."""
    if sign:
        page.goto(url)
        wait_for_app(page)
        sign_in(page, "demo-province", "demo-province-pw")
    else:
        page.reload()
        wait_for_app(page)
    page.get_by_role("link", name="Mức sẵn sàng").click()
    wait_for_app(page)
    button = page.get_by_role("button", name="Tải CSV")
    expect(button).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        button.click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = {r["commune_code"]: r for r in csv.DictReader(io.StringIO(text))}
    return float(rows[commune_code]["readiness"])


def test_a_tick_shows_on_the_province_board(browser: Browser, app_server):
    province = browser.new_context(accept_downloads=True).new_page()
    assert board_readiness(province, app_server.url, "13003", sign=True) == 0
    commune = browser.new_context(viewport=VIEWPORT).new_page()
    tick_first_task_with_a_note(commune, app_server.url)
    assert board_readiness(province, app_server.url, "13003", sign=False) > 0


@pytest.fixture
def two_servers(tmp_path, postgres_server):
    url = new_postgres_database(postgres_server)
    shared = {"DASHBOARD_DATABASE_URL": url, "DASHBOARD_SECRET_KEY": "shared-test-key"}
    first = start_app(tmp_path / "a" / "data", shared)
    # Seed the demo store once, before the second server starts.
    seeded = first.cli("users", "list")
    assert seeded.returncode == 0, seeded.stderr
    second = start_app(tmp_path / "b" / "data", shared)
    yield first, second
    stop_app(first)
    stop_app(second)


def test_a_tick_on_one_server_is_seen_on_the_other(browser: Browser, two_servers):
    first, second = two_servers
    province = browser.new_context(accept_downloads=True).new_page()
    assert board_readiness(province, second.url, "13003", sign=True) == 0
    tick_first_task_with_a_note(
        browser.new_context(viewport=VIEWPORT).new_page(), first.url
    )
    assert board_readiness(province, second.url, "13003", sign=False) > 0
