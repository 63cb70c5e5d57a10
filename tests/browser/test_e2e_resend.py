"""End to end on a 360 × 740 phone: a feedback item whose send is lost with the
signal is sent again by the page itself once the signal is back — no second
tap — and stored exactly once, also when it was the server's answer that was
lost (the draft's key makes the resend return the stored item).

Chromium's offline mode alone does not lose anything: it holds the
websocket's frames and delivers them when it is back online. So the test
also routes Streamlit's websocket through Playwright
(``page.route_web_socket``), loses what crosses it while the signal is
gone, and drops the connection, as a phone losing its signal does.
"""

from __future__ import annotations

import re
import time
import uuid

import pytest
import sqlalchemy
from playwright.sync_api import Page, WebSocketRoute, expect

from tests.browser.streamlit_page import sign_in, wait_for_app
from tests.browser.test_e2e_foundation import wait_for_cookie

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
APP = "[data-testid='stApp']"
SENT = re.compile(r"Đã gửi kiến nghị #(\d+)")
#: Every text the draft state under a field shows, in order (a test probe).
RECORD_STATES = """() => {
  window.__states = [];
  new MutationObserver(() => {
    document.querySelectorAll('.draft-state').forEach((el) => {
      const last = window.__states[window.__states.length - 1];
      if (el.textContent && el.textContent !== last) {
        window.__states.push(el.textContent);
      }
    });
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "has_touch": True}


class Link:
    """The page's Streamlit websocket, through Playwright: what crosses it
    can be lost (towards the server, towards the page) and it can drop."""

    def __init__(self, page: Page) -> None:
        self.lose_up = self.lose_down = False
        self.last_lost = 0.0  # time.monotonic() of the last message lost
        self.routes: list[tuple[WebSocketRoute, WebSocketRoute]] = []
        page.route_web_socket(re.compile(r"/_stcore/stream"), self._route)

    def _route(self, ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        self.routes.append((ws, server))
        ws.on_message(lambda m: self._pass(m, server, self.lose_up))
        server.on_message(lambda m: self._pass(m, ws, self.lose_down))

    def _pass(self, message: str | bytes, to: WebSocketRoute, lose: bool) -> None:
        if lose:
            self.last_lost = time.monotonic()
        else:
            to.send(message)

    def quiet_for(self, page: Page, seconds: float) -> None:
        """Wait until messages were lost and then none for *seconds*."""
        while not self.last_lost or time.monotonic() - self.last_lost < seconds:
            page.wait_for_timeout(200)

    def drop(self) -> None:
        for ws, server in self.routes:
            ws.close()
            server.close()
        self.routes.clear()


def stored(app_server, title: str) -> list[int]:
    """Ids of the feedback items with *title* in the app's store."""
    engine = sqlalchemy.create_engine(
        f"sqlite:///{app_server.data_dir.resolve() / 'dashboard.db'}"
    )
    with engine.connect() as conn:
        ids = conn.execute(
            sqlalchemy.text("SELECT id FROM feedback_items WHERE title = :t"),
            {"t": title},
        ).scalars()
        result = list(ids)
    engine.dispose()
    return result


def open_form(page: Page, url: str) -> str:
    """Sign in as the commune leader, type an item; return its title."""
    page.goto(url)
    wait_for_app(page)
    sign_in(page, "demo-commune", "demo-commune-pw")
    wait_for_cookie(page, "dashboard_session")
    page.goto(url + "/feedback")
    wait_for_app(page)
    title = f"Cần máy bơm thôn Đông {uuid.uuid4().hex[:6]}"
    page.get_by_label("Tiêu đề", exact=True).fill(title)
    page.get_by_label("Nội dung", exact=True).fill("Ba thôn ngập 0,5 m.")
    states = page.locator(".draft-state")
    expect(states).to_have_count(2)
    expect(states.first).to_have_text(re.compile("Chưa gửi"))
    page.evaluate(RECORD_STATES)
    return title


def pending(page: Page) -> list[str]:
    return page.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('draft-pending:'))"
    )


def lose_the_link(page: Page, link: Link) -> None:
    link.drop()
    expect(page.locator(APP)).not_to_have_attribute(
        "data-test-connection-state", "CONNECTED"
    )


def sent_once_by_the_page(page: Page, app_server, title: str) -> None:
    """Back online, with no tap: the item is stored once and the state says so."""
    message = page.get_by_text(SENT)
    expect(message).to_be_visible(timeout=60_000)
    expect(page.locator(".draft-state").first).to_have_text("Đã gửi")
    page.wait_for_timeout(3000)  # nothing more is sent
    ids = stored(app_server, title)
    assert ids == [int(SENT.search(message.inner_text()).group(1))]
    assert "Đang gửi lại…" in page.evaluate("() => window.__states")
    assert pending(page) == []


def test_a_send_lost_offline_is_sent_again_once_back_online(page: Page, app_server):
    link = Link(page)
    title = open_form(page, app_server.url)
    page.context.set_offline(True)
    link.lose_up = True
    page.get_by_role("button", name="Gửi lên tỉnh").tap()
    lose_the_link(page, link)
    assert pending(page) == ["draft-pending:fb_new"]
    expect(page.locator(".draft-state").first).to_have_text(re.compile("Chưa gửi"))
    page.wait_for_timeout(2000)
    assert stored(app_server, title) == []  # the tap was lost
    link.lose_up = False
    page.context.set_offline(False)
    sent_once_by_the_page(page, app_server, title)


def test_a_resend_after_a_lost_answer_is_stored_once(page: Page, app_server):
    link = Link(page)
    title = open_form(page, app_server.url)
    link.lose_down = True
    page.get_by_role("button", name="Gửi lên tỉnh").tap()
    # The server stores it and answers; the answer is lost, then the link.
    # (Dropped while the server is still drawing the page, Streamlit's page
    # breaks on the half of the run it missed: "Bad delta path".)
    link.quiet_for(page, 3)
    assert len(stored(app_server, title)) == 1
    lose_the_link(page, link)
    link.lose_down = False
    # The page sends it again with the same key: the server returns the
    # stored item (the "sent" message comes from that second answer).
    sent_once_by_the_page(page, app_server, title)
