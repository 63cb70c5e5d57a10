"""App servers the tests start, and the check that none outlives the run.

Every harness that starts a server (``tests/browser/conftest.py``, the
benchmarks) registers it with :func:`track` and stops it with :func:`stop`;
``tests/conftest.py`` calls :func:`leftovers` at the end of the session and
fails the run when a Streamlit server started under it is still alive.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

_TRACKED: list[subprocess.Popen] = []


def app_command(port: int, *options: str) -> list[str]:
    """``dashboard run`` headless on 127.0.0.1:*port* (*options* such as
    ``--demo``): the server every harness starts."""
    return [
        *(sys.executable, "-m", "dashboard", "run", "--headless", *options),
        *("--address", "127.0.0.1", "--port", str(port)),
    ]


def wait_healthy(url: str, process: subprocess.Popen, within: float = 90) -> bool:
    """Poll ``/_stcore/health`` of *url* until it answers ``ok`` (True), the
    process exits or *within* seconds pass (False)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def track(process: subprocess.Popen) -> subprocess.Popen:
    _TRACKED.append(process)
    return process


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM, then SIGKILL after *timeout* seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)
    if process in _TRACKED:
        _TRACKED.remove(process)


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_port_closed(port: int, within: float) -> bool:
    """Poll until nothing listens on *port*, for at most *within* seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not port_open(port):
            return True
        time.sleep(0.1)
    return not port_open(port)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")


def descendant_servers(root: int | None = None) -> list[tuple[int, str]]:
    """(pid, command) of Streamlit servers started (directly or not) by *root*."""
    if not Path("/proc").is_dir():  # pragma: no cover - not Linux
        return []
    tree = _children()
    found, todo = [], list(tree.get(root or os.getpid(), []))
    while todo:
        pid = todo.pop()
        command = _cmdline(pid)
        if "streamlit" in command or " dashboard run" in command:
            found.append((pid, command))
        todo.extend(tree.get(pid, []))
    return found


def leftovers() -> list[str]:
    """Servers still alive; each is stopped so nothing outlives the run."""
    left = [f"{p.pid}: {p.args}" for p in _TRACKED if p.poll() is None]
    for process in list(_TRACKED):
        stop(process, timeout=5)
    for pid, command in descendant_servers():
        left.append(f"{pid}: {command}")
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return left
