"""End to end (issue 11, finding 1): an account disabled from elsewhere is
signed out of its open tab at the tab's next action.

The probe: a disabled admin kept working in an open tab (and created an
admin). Here the account is disabled with ``dashboard users disable`` (another
process, like another admin's session) while the tab stays open; the tab's
next interaction shows the sign-in form and the notice, and the session
cookie is gone.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.streamlit_page import sign_in, wait_for_app

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password"


def _cookie(page: Page) -> bool:
    return any(c["name"] == "dashboard_session" for c in page.context.cookies())


def test_a_disabled_account_is_signed_out_of_its_open_tab(
    page: Page, app_server, offline
):
    added = app_server.cli(
        "users",
        "add",
        "tran.binh",
        "--name",
        "Trần Văn Bình",
        "--role",
        "province",
        "--province",
        "33",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stderr
    page.goto(app_server.url)
    wait_for_app(page)
    sign_in(page, "tran.binh", PASSWORD)
    expect(page.get_by_text("Trần Văn Bình")).to_be_visible(timeout=30_000)
    for _ in range(150):  # the cookie arrives through the one-time ticket
        if _cookie(page):
            break
        page.wait_for_timeout(100)
    assert _cookie(page)

    disabled = app_server.cli("users", "disable", "tran.binh")
    assert disabled.returncode == 0, disabled.stderr
    page.wait_for_timeout(2_500)  # past the other-process recheck (2 s)

    # The tab's next action: switch the language.
    page.locator("[data-testid='stSidebar']").get_by_text("English", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("You have been signed out")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Trần Văn Bình")).to_have_count(0)
    for _ in range(100):
        if not _cookie(page):
            break
        page.wait_for_timeout(100)
    assert not _cookie(page)
    # A reload does not bring the account back.
    page.reload()
    wait_for_app(page)
    expect(page.get_by_text("Trần Văn Bình")).to_have_count(0)
