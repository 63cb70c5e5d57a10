"""Stopping ``dashboard run`` frees the port: the signal reaches the server."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request

import pytest

from tests.support import servers
from tests.support.helpers import REPO_ROOT
from tests.support.postgres import free_port

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_dashboard_run_frees_the_port_within_5_s(tmp_path, signum):
    port = free_port()
    env = {
        **os.environ,
        "DASHBOARD_DATA_DIR": str(tmp_path / "data"),
        "DASHBOARD_DEMO": "1",
        "PYTHONPATH": str(REPO_ROOT),
    }
    log = tmp_path / "server.log"
    process = servers.track(
        subprocess.Popen(
            servers.app_command(port),
            env=env,
            cwd=REPO_ROOT,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
    )
    try:
        deadline = time.monotonic() + 90
        while not servers.port_open(port):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as r:
            assert r.read().strip() == b"ok"
        process.send_signal(signum)
        assert servers.wait_port_closed(port, within=5), "the port is still served"
        process.wait(timeout=5)  # dashboard run exited with the server
        assert servers.descendant_servers() == []
    finally:
        servers.stop(process)
