"""Bytes the outreach library page sends to a phone, ours vs a naive page.

Measured for real: the app server (``dashboard run``) is started on a fresh
data directory holding 50 Vietnamese materials (the 12 Vietnamese starter
items plus 38 infographics rendered like them, so 42 of the 50 have an image),
and Debian's Chromium (``/usr/bin/chromium``), driven by Playwright, signs in
as ``demo-volunteer``. Chrome's DevTools protocol counts every byte received:
HTTP responses (``encodedDataLength``: bytes on the wire, headers included)
and websocket frames (Streamlit's protobuf messages). The connection is
throttled (400 kbit/s down, 150 kbit/s up, 300 ms latency) while measuring.

What is measured: a reload of the library page by a returning user, until
every thumbnail has loaded, before any file is opened. Streamlit's own
JavaScript bundle is content-hashed and cached "immutable" after the first
visit, so it is not re-sent; its first-visit size is given in the label
(the same for every page of the app).

Naive baseline, measured in the same run on the same 50 items: a Streamlit
page listing them with the full-size images inline (``st.image`` of each
original file) and the same title and facts.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support import servers

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
N_ITEMS = 50
KB = 1000
THROTTLE = {
    "offline": False,
    "latency": 300,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 150_000 / 8,
}

NAIVE_PAGE = """
import streamlit as st
from dashboard.bootstrap import open_context
from dashboard.auth import SYSTEM
from dashboard.outreach import catalog

ctx = open_context()
st.title("Tài liệu tuyên truyền")
for m in catalog.search(ctx, SYSTEM, language="vi", limit=50):
    with st.container(border=True):
        if m.mime.startswith("image/"):
            st.image(catalog.read_variant(ctx, m, "main"))
        st.markdown(f"**{m.title}**  \\n{m.hazard} · {m.stage} · {m.size} B")
"""


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seed(env: dict[str, str]) -> None:
    code = f"""
from dashboard.bootstrap import open_context
from dashboard.auth import SYSTEM
from dashboard.outreach import catalog, starter
ctx = open_context()
starter.seed_starter_content(ctx)
n = len(catalog.search(ctx, SYSTEM, language="vi"))
base = [c for c in starter.cards("vi") if c.key != "beaufort"]
i = 0
while n < {N_ITEMS}:
    card = base[i % len(base)]
    title = f"{{card.title}} – thôn {{i + 1}}"
    copy = starter.Card(**{{**card.__dict__, "title": title}})
    catalog.publish(ctx, SYSTEM, catalog.MaterialInput(
        title=title, kind="infographic_image", hazard=card.hazard, stage=card.stage,
        audience=card.audience, language="vi", description=card.description),
        starter.render_png(copy))
    n += 1
    i += 1
"""
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)


def _start(
    env: dict[str, str], script: Path | None, log: Path
) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    if script is None:
        command = servers.app_command(port)
    else:
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ]
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    if servers.wait_healthy(url, process):
        return process, url
    _stop(process)
    raise SystemExit(f"the server did not start:\n{log.read_text()}")


def _stop(process: subprocess.Popen) -> None:
    """Stop the server (``dashboard run`` execs Streamlit, so this is it)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


class Meter:
    """Counts bytes received through the DevTools protocol."""

    def __init__(self, page) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.http: dict[str, int] = {}
        self.urls: dict[str, str] = {}
        self.ws = 0
        self.on = False
        self.cdp.on("Network.requestWillBeSent", self._request)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.webSocketFrameReceived", self._frame)

    def _request(self, event) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]

    def _finished(self, event) -> None:
        if self.on:
            self.http[event["requestId"]] = int(event["encodedDataLength"])

    def _frame(self, event) -> None:
        if not self.on:
            return
        response = event["response"]
        payload = response["payloadData"]
        if response.get("opcode") == 2:
            self.ws += len(base64.b64decode(payload))
        else:
            self.ws += len(payload.encode())

    def start(self, throttle: bool) -> None:
        self.http, self.ws, self.on = {}, 0, True
        if throttle:
            self.cdp.send("Network.emulateNetworkConditions", THROTTLE)

    def stop(self) -> dict[str, int]:
        self.on = False
        self.cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": 0,
                "downloadThroughput": -1,
                "uploadThroughput": -1,
            },
        )
        bundle = sum(
            v
            for k, v in self.http.items()
            if "/static/" in self.urls.get(k, "")
            and "/app/static/" not in self.urls.get(k, "")
        )
        return {
            "total": sum(self.http.values()) + self.ws,
            "bundle": bundle,
            "ws": self.ws,
        }


def _settle(page) -> None:
    from tests.browser.streamlit_page import wait_for_app

    wait_for_app(page, timeout=180_000)
    page.wait_for_function(
        "Array.from(document.images).every(i => i.complete)", timeout=180_000
    )
    page.wait_for_timeout(1500)  # let the last websocket messages arrive


def _measure(url: str, sign_in: bool) -> tuple[dict[str, int], dict[str, int], int]:
    from playwright.sync_api import sync_playwright

    from tests.browser.streamlit_page import sign_in as do_sign_in

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        meter = Meter(page)
        meter.start(throttle=False)
        page.goto(url)
        _settle(page)
        if sign_in:
            do_sign_in(page, "demo-volunteer", "demo-volunteer-pw")
            _settle(page)
        cold = meter.stop()
        meter.start(throttle=True)
        page.reload()
        _settle(page)
        warm = meter.stop()
        n_images = page.evaluate("document.images.length")
        browser.close()
    return warm, cold, n_images


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        env = {
            **os.environ,
            "DASHBOARD_DATA_DIR": str(data_dir),
            "DASHBOARD_DEMO": "1",
            "PYTHONPATH": str(ROOT),
        }
        _seed(env)
        naive_script = Path(tmp) / "naive_library.py"
        naive_script.write_text(NAIVE_PAGE, encoding="utf-8")
        results = {}
        for name, script in (("ours", None), ("naive", naive_script)):
            process, url = _start(env, script, Path(tmp) / f"{name}.log")
            try:
                results[name] = _measure(url, sign_in=script is None)
            finally:
                _stop(process)
    ours, ours_cold, ours_images = results["ours"]
    naive, naive_cold, _ = results["naive"]
    return [
        {
            "name": "library_page",
            "value": round(ours["total"] / KB, 1),
            "unit": "kB",
            "baseline": round(naive["total"] / KB, 1),
            "baseline_label": (
                f"naive Streamlit list of the same {N_ITEMS} items with full-size "
                f"images inline; both: a returning visitor's reload, throttled, "
                f"until every image loaded (ours: {ours_images} thumbnails, "
                f"websocket {ours['ws'] / KB:.0f} kB; a first visit adds Streamlit's "
                f"JS bundle once: {ours_cold['bundle'] / KB:.0f} kB ours, "
                f"{naive_cold['bundle'] / KB:.0f} kB naive)"
            ),
        }
    ]


if __name__ == "__main__":
    import json

    sys.path.insert(0, str(ROOT))
    for row in run():
        print(json.dumps(row, ensure_ascii=False))
