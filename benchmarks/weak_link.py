"""Bytes and time on a weak link, in Debian's Chromium against the real server.

Starts the app (demo data, Wipha drill) on a free port behind a byte-counting
proxy (:class:`tests.browser.netmeter.ByteCounter`: every byte the server
sends, HTTP compression and websocket deflate included), throttles Chromium
to 2 Mbit/s with 300 ms latency, and measures:

* ``landing_payload_first`` / ``_returning``: bytes until the sign-in form
  is usable, signed out, on a first visit and again from the same browser.
  Baseline: the situation map page (the landing page before: the sign-in
  form sat under the national map), first visit, same server.
* ``map_first_paint`` / ``map_visit_bytes``: seconds and bytes from opening
  the app to the national commune layer drawn, for an admin, on a returning
  visit (the session cookie signs in; bundle and layer come from the browser
  cache); baseline: the first visit of the same browser, sign-in included.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.netmeter import ByteCounter, throttle
from tests.browser.streamlit_page import MAP_FRAME, sign_in, wait_for_app
from tests.support import servers
from tests.support.helpers import REPO_ROOT
from tests.support.postgres import free_port

KB = 1000


def _start(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DASHBOARD_DATA_DIR": str(data_dir), "DASHBOARD_DEMO": "1"}
    process = subprocess.Popen(
        servers.app_command(port),
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    if servers.wait_healthy(url, process):
        return process, url
    process.terminate()
    raise SystemExit("the app server did not start")


def _form_ready(page) -> None:
    page.get_by_label("Tên đăng nhập").wait_for(timeout=120_000)
    wait_for_app(page, timeout=120_000)


def _map_drawn(page) -> None:
    page.frame_locator(MAP_FRAME).locator(
        ".leaflet-container[data-communes]"
    ).first.wait_for(state="attached", timeout=180_000)


def _visit(context, proxy, path: str, until) -> tuple[int, float]:
    page = context.new_page()
    throttle(page)
    proxy.reset()
    start = time.monotonic()
    page.goto(proxy.url + path)
    until(page)
    seconds = time.monotonic() - start
    page.wait_for_timeout(500)  # let the last websocket frames arrive
    sent = proxy.reset()
    page.close()
    return sent, seconds


def run() -> list[dict]:
    if not CHROMIUM.exists():
        raise SystemExit("Debian's chromium is missing (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        process, url = _start(Path(tmp) / "data")
        try:
            with ByteCounter(url) as proxy, sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                # Signed out: landing page, first and returning; the old landing.
                context = browser.new_context(viewport={"width": 360, "height": 740})
                landing_first, _ = _visit(context, proxy, "/", _form_ready)
                landing_again, _ = _visit(context, proxy, "/", _form_ready)
                context.close()
                context = browser.new_context(viewport={"width": 360, "height": 740})
                old_landing, _ = _visit(context, proxy, "/map", _map_drawn)
                context.close()

                # An admin's national map: first visit (with sign-in), returning.
                context = browser.new_context(viewport={"width": 1300, "height": 900})

                def sign_in_then_map(page) -> None:
                    _form_ready(page)
                    sign_in(page, "demo-admin", "demo-admin-pw")
                    _map_drawn(page)

                map_bytes, map_first = _visit(context, proxy, "/", sign_in_then_map)
                map_bytes_again, map_again = _visit(context, proxy, "/", _map_drawn)
                context.close()
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
    label = "2 Mbit/s, 300 ms; bytes the server sent"
    return [
        {
            "name": "landing_payload_first",
            "value": round(landing_first / KB, 1),
            "unit": "kB",
            "baseline": round(old_landing / KB, 1),
            "baseline_label": f"map page as landing (sign-in form under the map), first visit; {label}",
        },
        {
            "name": "landing_payload_returning",
            "value": round(landing_again / KB, 1),
            "unit": "kB",
            "baseline": round(landing_first / KB, 1),
            "baseline_label": f"same landing page, first visit; {label}",
        },
        {
            "name": "map_first_paint",
            "value": round(map_again, 1),
            "unit": "s",
            "baseline": round(map_first, 1),
            "baseline_label": f"first visit of the same browser (bundle, sign-in, layer over the link); value: returning visit to the national map with the storm; {label}",
        },
        {
            "name": "map_visit_bytes",
            "value": round(map_bytes_again / KB, 1),
            "unit": "kB",
            "baseline": round(map_bytes / KB, 1),
            "baseline_label": f"first visit (sign-in, bundle, national layer, storm); value: returning visit; {label}",
        },
    ]
