"""Page loads per second that one app server completes, 16 clients at once.

The real app server (``dashboard run --headless --demo`` on a free port, a
temporary data directory with the real national commune boundaries of
``../shared`` imported) is driven by raw websocket clients speaking
Streamlit's protocol: each page load opens ``/_stcore/stream`` (a new
session, as a browser reload does, with the cookies a browser would send),
sends a ``rerun_script`` BackMsg naming the page, and waits for the
``script_finished`` ForwardMsg. Sixteen clients load pages back to back for a
fixed time; the rate is the loads completed over the time they took. A load
counts only when the script finished successfully and drew what the page
must show (no exception element; the sign-in form on the landing page, the
map component on the map page), so a page that fails fast cannot look fast.

Signing in is done as a browser does it (:func:`sign_in`): submit the
sign-in form over the websocket, take the one-time cookie ticket out of the
script the page sends back, exchange it at ``POST /auth/session`` (same
``Origin``) for the HttpOnly session cookie, and send that cookie with every
later connection.

* ``rerun_throughput_landing``: the anonymous landing page (the sign-in form
  and the storm line).
* ``rerun_throughput_map``: the national situation map with the Wipha drill
  for a signed-in admin (``demo-admin``: the largest map page).
* ``rerun_server_cpu_landing`` / ``_map``: the app server's CPU time (user +
  system, from ``/proc``) per load in those runs. The rate depends on what
  else the (2-core, shared) machine is doing; this much less.

Baseline, same run, same data and client: the naive way, the map of before
the static layer (:func:`benchmarks.rerun_server.naive_map`: the commune
layer inline in the map's HTML and one folium element per storm point,
rendered again on every rerun), with Streamlit's default source watching and
garbage collection after every run (how the server ran before); for the
landing page, the landing page of that time: the signed-out national map with
the sign-in form. The other savings (cached drill advisory, ranking table,
one feedback count per run) apply to both.

``python -m benchmarks.rerun_throughput --help``: the same measurement for one
server, with options (clients, seconds, the naive map, a cProfile per page).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pstats
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

from benchmarks.common import shared
from tests.support import servers

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 16
SECONDS = 20.0
WARM_LOADS = 3
ADMIN = ("demo-admin", "demo-admin-pw")
#: How the app server ran before this benchmark (Streamlit's defaults): every
#: session watching the sources, a full garbage collection after every run.
NAIVE_SETTINGS = ["--server.fileWatcherType", "auto", "--runner.postScriptGC", "true"]

_FINISHED = ForwardMsg.ScriptFinishedStatus
_TICKET = re.compile(r"fetch\('/auth/session', (\{.*?\})\)")


class LoadFailed(Exception):
    """A page load did not finish as a working page."""


@dataclass
class Load:
    """What one page load received."""

    seconds: float = 0.0
    messages: int = 0
    elements: list[str] = field(default_factory=list)
    widgets: list[object] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    page_script_hash: str = ""


def _ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://", 1) + "/_stcore/stream"


def _rerun(page: str, base_url: str, **client_state) -> BackMsg:
    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = "lang=vi"
    state.page_name = page
    state.context_info.timezone = "Asia/Ho_Chi_Minh"
    state.context_info.timezone_offset = -420
    state.context_info.locale = "vi-VN"
    state.context_info.url = f"{base_url}/{page}?lang=vi"
    for name, value in client_state.items():
        if name == "widgets":
            state.widget_states.widgets.extend(value)
        else:
            setattr(state, name, value)
    return msg


async def _until_finished(ws, load: Load) -> None:
    """Read ForwardMsgs until the script run ends (a rerun it asked for too)."""
    while True:
        msg = ForwardMsg.FromString(await ws.recv())
        load.messages += 1
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            load.page_script_hash = msg.new_session.page_script_hash
        elif kind == "navigation" and msg.navigation.page_script_hash:
            load.page_script_hash = msg.navigation.page_script_hash
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            name = element.WhichOneof("type")
            load.elements.append(name)
            if name == "exception":
                raise LoadFailed(element.exception.message)
            if name == "html":
                load.html.append(element.html.body)
            elif name in ("text_input", "button"):
                load.widgets.append(getattr(element, name))
        elif kind == "script_finished":
            status = msg.script_finished
            if status == _FINISHED.FINISHED_EARLY_FOR_RERUN:
                continue  # st.rerun(): the next run follows on this session
            if status != _FINISHED.FINISHED_SUCCESSFULLY:
                raise LoadFailed(f"script finished with status {status}")
            return


def _headers(base_url: str, cookie: str | None) -> dict[str, str]:
    headers = {"Origin": base_url}
    if cookie:
        headers["Cookie"] = cookie
    return headers


async def page_load(
    base_url: str, page: str = "", cookie: str | None = None, *, keep=None
) -> Load:
    """Open a new session on *page* (``""``: the landing page), run it once.

    *keep* is called with the open websocket and the load, to go on with the
    same session before it closes (used by :func:`sign_in`).
    """
    load = Load()
    start = time.perf_counter()
    async with connect(
        _ws_url(base_url),
        subprotocols=["streamlit"],  # type: ignore[list-item]
        additional_headers=_headers(base_url, cookie),
        max_size=None,
        open_timeout=60,
    ) as ws:
        await ws.send(_rerun(page, base_url).SerializeToString())
        await _until_finished(ws, load)
        load.seconds = time.perf_counter() - start
        if keep is not None:
            await keep(ws, load)
    return load


def _form_widgets(load: Load) -> tuple[str, str, str]:
    """Widget ids of the sign-in form: username, password, submit button."""
    fields = [w for w in load.widgets if w.form_id == "sign_in_form"]
    inputs = [w for w in fields if hasattr(w, "max_chars")]
    buttons = [w for w in fields if getattr(w, "is_form_submitter", False)]
    if len(inputs) != 2 or len(buttons) != 1:
        raise LoadFailed("no sign-in form on the landing page")
    user, password = sorted(inputs, key=lambda w: w.type)  # DEFAULT < PASSWORD
    return user.id, password.id, buttons[0].id


def _ticket(html: Iterable[str]) -> str:
    for body in html:
        found = _TICKET.search(body)
        if found:
            options = json.loads(found.group(1))
            if options.get("method") == "POST":
                return options["body"]
    raise LoadFailed("signing in sent no cookie ticket")


def redeem(base_url: str, ticket: str) -> str:
    """``POST /auth/session`` as the page's script does; the Cookie to send."""
    request = urllib.request.Request(
        f"{base_url}/auth/session",
        data=ticket.encode("ascii"),
        method="POST",
        headers={"Origin": base_url, "Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
    for cookie in cookies:
        name_value = cookie.split(";", 1)[0]
        if name_value.startswith("dashboard_session="):
            return name_value
    raise LoadFailed("/auth/session set no session cookie")


async def sign_in(base_url: str, username: str, password: str) -> str:
    """Sign in through the landing page's form; the session ``Cookie`` value."""
    tickets: list[str] = []

    async def submit(ws, landing: Load) -> None:
        user_id, password_id, submit_id = _form_widgets(landing)
        widgets = [
            WidgetState(id=user_id, string_value=username),
            WidgetState(id=password_id, string_value=password),
            WidgetState(id=submit_id, trigger_value=True),
        ]
        msg = _rerun(
            "", base_url, page_script_hash=landing.page_script_hash, widgets=widgets
        )
        await ws.send(msg.SerializeToString())
        after = Load()
        await _until_finished(ws, after)
        tickets.append(_ticket(after.html))

    await page_load(base_url, "", keep=submit)
    return redeem(base_url, tickets[0])


def _signed_out(load: Load) -> bool:
    return any(w.form_id == "sign_in_form" for w in load.widgets)


def check(load: Load, must_show: str, *, signed_in: bool) -> None:
    """Refuse a load that is not the page asked for: *must_show* (an element
    type) missing, or the sign-in form present when signed in (or absent when
    signed out)."""
    if must_show not in load.elements:
        raise LoadFailed(f"the page drew no {must_show}: {sorted(set(load.elements))}")
    if _signed_out(load) == signed_in:
        raise LoadFailed("signed out" if signed_in else "no sign-in form")


async def throughput(
    base_url: str,
    page: str,
    must_show: str,
    cookie: str | None = None,
    *,
    clients: int = CLIENTS,
    seconds: float = SECONDS,
) -> tuple[float, list[float]]:
    """Loads per second with *clients* loading *page* back to back for
    *seconds* (each finishes the load it started), and every load's time."""
    times: list[float] = []
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        while time.perf_counter() < deadline:
            load = await page_load(base_url, page, cookie)
            check(load, must_show, signed_in=cookie is not None)
            times.append(load.seconds)

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return len(times) / (time.perf_counter() - start), times


@dataclass
class Server:
    url: str
    process: subprocess.Popen

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def cpu_seconds(self) -> float:
        """User and system CPU time of the server process so far (Linux)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1]
        utime, stime = fields.split()[11:13]
        return (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "DASHBOARD_DATA_DIR": str(data_dir), "DASHBOARD_DEMO": "1"}


def import_boundaries(data_dir: Path) -> None:
    """The real national commune boundaries, as an admin imports them."""
    source = shared("boundaries", "vn_communes_2025_simplified.geojson")
    subprocess.run(
        [sys.executable, "-m", "dashboard", "boundaries", "import", str(source)],
        env=server_env(data_dir),
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=600,
    )


def start_server(
    data_dir: Path,
    *,
    naive_map: bool = False,
    profile: Path | None = None,
    log: Path | None = None,
) -> Server:
    """The app server on a free port: ``dashboard run --headless --demo``, or
    the in-process launcher (:mod:`benchmarks.rerun_server`) for the naive
    map or a profile."""
    port = _free_port()
    options = ["--server.address", "127.0.0.1", "--server.port", str(port)]
    if naive_map or profile:
        command = [sys.executable, "-m", "benchmarks.rerun_server"]
        if naive_map:
            command.append("--naive-map")
            options += NAIVE_SETTINGS
        if profile:
            command += ["--profile", str(profile)]
        command += ["--", *options, "--server.headless", "true"]
    else:
        command = servers.app_command(port, "--demo")
    with log.open("w") if log else open(os.devnull, "w") as output:
        process = subprocess.Popen(
            command,
            env=server_env(data_dir),
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process)
    if servers.wait_healthy(server.url, process, within=120):
        return server
    if process.poll() is not None:
        raise SystemExit(f"the app server exited with {process.returncode}")
    server.stop()
    raise SystemExit("the app server did not start")


@dataclass
class Rate:
    """One throughput measurement."""

    loads_per_second: float
    loads: int
    median_seconds: float
    server_cpu_ms_per_load: float


async def _rate(server: Server, page: str, must_show: str, cookie, **options) -> Rate:
    cpu = server.cpu_seconds()
    rate, times = await throughput(server.url, page, must_show, cookie, **options)
    cpu = server.cpu_seconds() - cpu
    times.sort()
    return Rate(rate, len(times), times[len(times) // 2], 1000 * cpu / len(times))


async def measure(
    server: Server,
    landing_page: str,
    *,
    clients: int = CLIENTS,
    seconds: float = SECONDS,
    profile: bool = False,
) -> tuple[Rate, Rate]:
    """(landing page signed out, map page signed in as an admin)."""
    url = server.url
    landing_shows = "text_input"  # the sign-in form
    for _ in range(WARM_LOADS):  # store opened, caches filled: a running server
        load = await page_load(url, landing_page)
        check(load, landing_shows, signed_in=False)
    cookie = await sign_in(url, *ADMIN)
    for _ in range(WARM_LOADS):
        load = await page_load(url, "map", cookie)
        check(load, "component_instance", signed_in=True)
    if profile:
        server.signal(signal.SIGUSR1)
    options = {"clients": clients, "seconds": seconds}
    landing = await _rate(server, landing_page, landing_shows, None, **options)
    if profile:  # one profile per page
        server.signal(signal.SIGUSR2)
        await asyncio.sleep(0.5)  # signals are not delivered in order
        server.signal(signal.SIGUSR1)
    signed_in_map = await _rate(server, "map", "component_instance", cookie, **options)
    if profile:
        server.signal(signal.SIGUSR2)
    return landing, signed_in_map


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        import_boundaries(data_dir)
        server = start_server(data_dir)
        try:
            landing, signed_in_map = asyncio.run(measure(server, ""))
        finally:
            server.stop()
        server = start_server(data_dir, naive_map=True)
        try:
            old_landing, old_map = asyncio.run(measure(server, "map"))
        finally:
            server.stop()
    how = (
        f"{CLIENTS} websocket clients for {SECONDS:.0f} s, each load a new session; "
        "naive: the map's HTML with the commune layer inline and one folium "
        "element per storm point, rendered again on every rerun, and Streamlit's "
        "default source watching and garbage collection after every run (as "
        "before); the other savings of this change apply to both"
    )
    old_landing_page = (
        "the landing page of before sign-in-first: the signed-out national map "
        "with the sign-in form"
    )
    signed_in = "signed in as an admin: national map, Wipha drill"
    return [
        {
            "name": "rerun_throughput_landing",
            "value": round(landing.loads_per_second, 1),
            "unit": "loads/s",
            "baseline": round(old_landing.loads_per_second, 1),
            "baseline_label": f"{old_landing_page}, naive; {how}",
        },
        {
            "name": "rerun_throughput_map",
            "value": round(signed_in_map.loads_per_second, 1),
            "unit": "loads/s",
            "baseline": round(old_map.loads_per_second, 1),
            "baseline_label": f"same page ({signed_in}), naive; {how}",
        },
        {
            "name": "rerun_server_cpu_landing",
            "value": round(landing.server_cpu_ms_per_load, 1),
            "unit": "ms/load",
            "baseline": round(old_landing.server_cpu_ms_per_load, 1),
            "baseline_label": (
                "app server CPU time (user + system) per load in the run above "
                "(less sensitive than the rate to other work on the machine); "
                f"{old_landing_page}, naive"
            ),
        },
        {
            "name": "rerun_server_cpu_map",
            "value": round(signed_in_map.server_cpu_ms_per_load, 1),
            "unit": "ms/load",
            "baseline": round(old_map.server_cpu_ms_per_load, 1),
            "baseline_label": (
                "app server CPU time per load in the run above; same page "
                f"({signed_in}), naive"
            ),
        },
    ]


def _wait_for(path: Path, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.5)


def main(argv: list[str] | None = None) -> None:
    """One server measured (ours, or ``--naive-map``), with its numbers and,
    with ``--profile FILE``, a cProfile of each page (``FILE.1``, ``FILE.2``)."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--profile", type=Path, help="cProfile files (FILE.1, FILE.2)")
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--naive-map", action="store_true", help="the baseline")
    parser.add_argument(
        "--data-dir", type=Path, help="a data directory to use (and keep)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        if not (data_dir / "boundaries").exists():
            import_boundaries(data_dir)
        profile = args.profile.resolve() if args.profile else None
        server = start_server(
            data_dir,
            naive_map=args.naive_map,
            profile=profile,
            log=Path(tmp) / "server.log",
        )
        try:
            landing, signed_in_map = asyncio.run(
                measure(
                    server,
                    "map" if args.naive_map else "",
                    clients=args.clients,
                    seconds=args.seconds,
                    profile=profile is not None,
                )
            )
            for page in (1, 2) if profile else ():
                _wait_for(Path(f"{profile}.{page}"))
        finally:
            server.stop()
    print("landing", landing)
    print("map", signed_in_map)
    for page in (1, 2) if profile else ():
        stats = pstats.Stats(f"{profile}.{page}")
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(50)


if __name__ == "__main__":
    main()
