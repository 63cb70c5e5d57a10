"""The rerun_throughput benchmark's websocket client against the real server.

No browser: the client speaks Streamlit's protocol itself. It must load the
landing page (a new session, one script run), report a positive rate, and
sign in the way a browser does (form, one-time ticket, ``/auth/session``
cookie) so that the next load is signed in.
"""

from __future__ import annotations

import asyncio
import importlib.util
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.helpers import require

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def client():
    require(
        importlib.util.find_spec("websockets") is not None,
        "the websockets package is missing (pip install -e '.[test]')",
    )
    from benchmarks import rerun_throughput

    return rerun_throughput


def run(coroutine):
    """asyncio.run in a thread of its own: Playwright's browser tests, earlier
    in the same run, leave an event loop running in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_landing_page_loads_and_the_rate_is_positive(client, app_server):
    load = run(client.page_load(app_server.url, ""))
    client.check(load, "text_input", signed_in=False)
    assert load.seconds > 0
    rate, times = run(
        client.throughput(app_server.url, "", "text_input", clients=2, seconds=0.5)
    )
    assert rate > 0
    assert len(times) >= 2


def test_signing_in_gives_the_session_cookie(client, app_server):
    cookie = run(client.sign_in(app_server.url, *client.ADMIN))
    assert cookie.startswith("dashboard_session=")
    # Signed in, the landing page is an admin's first page (the map).
    load = run(client.page_load(app_server.url, "", cookie))
    client.check(load, "component_instance", signed_in=True)
