"""End-to-end fixtures: the real server on a free port, Debian's Chromium.

Playwright never downloads a browser here: it drives ``/usr/bin/chromium``
from Debian's ``chromium`` package. Every request that leaves the machine is
aborted (the network is "cut off"), and the aborted URLs are recorded so tests
can show the app works without them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.support import servers
from tests.support.helpers import REPO_ROOT, require
from tests.support.postgres import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A synthetic camera, allowed without a prompt: st.camera_input gets a
    # test pattern (pages that never ask for the camera are unaffected).
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require(
        CHROMIUM.exists(), "Debian's chromium is missing (apt-get install chromium)"
    )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@dataclass
class AppServer:
    url: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen | None = None
    log: Path | None = None

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        """Run ``dashboard ...`` against this server's data directory."""
        return subprocess.run(
            [sys.executable, "-m", "dashboard", *args],
            env=self.env,
            cwd=REPO_ROOT,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=600,
        )


def start_app(data_dir: Path, extra_env: dict[str, str] | None = None) -> AppServer:
    port = free_port()
    env = {
        **os.environ,
        "DASHBOARD_DATA_DIR": str(data_dir),
        "DASHBOARD_DEMO": "1",
        **(extra_env or {}),
    }
    server = AppServer(url=f"http://127.0.0.1:{port}", data_dir=data_dir, env=env)
    server.log = data_dir.parent / f"server-{port}.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    server.process = servers.track(
        subprocess.Popen(
            servers.app_command(port),
            env=env,
            cwd=REPO_ROOT,
            stdout=server.log.open("w"),
            stderr=subprocess.STDOUT,
        )
    )
    if servers.wait_healthy(server.url, server.process):
        return server
    servers.stop(server.process)
    pytest.fail(f"the app server did not answer:\n{server.log.read_text()}")


def stop_app(server: AppServer) -> None:
    if server.process is not None:
        servers.stop(server.process)


@pytest.fixture(scope="module")
def app_server(tmp_path_factory) -> Iterator[AppServer]:
    server = start_app(tmp_path_factory.mktemp("app") / "data")
    yield server
    stop_app(server)


@dataclass
class Offline:
    """Records every request the page tried to send off this machine."""

    blocked: list[str] = field(default_factory=list)


@pytest.fixture
def offline(context) -> Offline:
    record = Offline()

    def handle(route):
        host = urlparse(route.request.url).hostname or ""
        if host in {"127.0.0.1", "localhost", "::1"} or route.request.url.startswith(
            ("data:", "blob:", "about:")
        ):
            route.continue_()
        else:
            record.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", handle)
    return record
