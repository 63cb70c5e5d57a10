"""Issue 11, findings 3 and 8, against the real server (started like the
browser tests start it, on loopback):

* ``POST /auth/session`` streams its body and stops at 16 KiB with 413; a
  200 MB body leaves the server's resident memory where it was (the probe:
  a 300 MB body cost +1 GB).
* Login CSRF: the endpoint refuses another origin (same host, another port),
  a missing origin, and anything but a fresh one-time cookie ticket.
"""

from __future__ import annotations

import http.client
import socket
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from dashboard import accounts
from dashboard.server import MAX_BODY
from tests.browser.conftest import AppServer, start_app, stop_app

SECRET = "endpoint-test-secret"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = start_app(
        tmp_path_factory.mktemp("endpoints") / "data",
        {"DASHBOARD_SECRET_KEY": SECRET},
    )
    yield app
    stop_app(app)


def _port(app: AppServer) -> int:
    return urlparse(app.url).port


def _post(app, body: bytes | str, headers: dict[str, str], method="POST"):
    connection = http.client.HTTPConnection("127.0.0.1", _port(app), timeout=30)
    try:
        connection.request(method, "/auth/session", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("set-cookie")
    finally:
        connection.close()


def _ticket() -> str:
    token = accounts._serializer(SECRET).dumps("a-session-id")
    return accounts.cookie_ticket(token, SECRET)


def _own(app) -> dict[str, str]:
    return {"Origin": app.url, "Content-Type": "text/plain"}


# -- login CSRF ----------------------------------------------------------------------------


def test_another_port_on_the_same_host_is_refused(server):
    """The probe: a page on the same host, another port, replaced a signed-in
    user's session with the attacker's."""
    other = f"http://127.0.0.1:{_port(server) + 1}"
    status, cookie = _post(server, _ticket(), {"Origin": other})
    assert (status, cookie) == (403, None)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "null"},
        {"Origin": "https://127.0.0.1:{port}"},
        {"Referer": "http://evil.example/page"},
    ],
    ids=["none", "null", "https", "foreign-referer"],
)
def test_missing_or_foreign_origin_is_refused(server, headers):
    headers = {k: v.format(port=_port(server)) for k, v in headers.items()}
    status, cookie = _post(server, _ticket(), headers)
    assert (status, cookie) == (403, None)


def test_a_signed_session_token_is_not_a_ticket(server):
    """The old endpoint took any signed session token: the attacker's own."""
    token = accounts._serializer(SECRET).dumps("attackers-session")
    status, cookie = _post(server, token, _own(server))
    assert (status, cookie) == (400, None)


def test_a_ticket_works_once_from_the_own_origin(server):
    ticket = _ticket()
    status, cookie = _post(server, ticket, _own(server))
    assert status == 204
    assert cookie.startswith("dashboard_session=") and "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "samesite=strict" in cookie.lower()
    assert _post(server, ticket, _own(server)) == (400, None)  # replayed


def test_a_same_origin_referer_is_enough(server):
    status, _ = _post(server, _ticket(), {"Referer": server.url + "/map"})
    assert status == 204


def test_sign_out_from_another_origin_is_refused(server):
    other = f"http://localhost:{_port(server)}"  # another host name
    assert _post(server, "", {"Origin": other}, method="DELETE") == (403, None)


# -- body size -----------------------------------------------------------------------------


def test_a_body_over_the_limit_is_refused(server):
    status, cookie = _post(server, "x" * (MAX_BODY + 1), _own(server))
    assert (status, cookie) == (413, None)


def _server_pid(app: AppServer) -> int:
    """The Streamlit process (``dashboard run`` starts it as a child)."""
    pid = app.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return int(children[0]) if children else pid


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _stream(app: AppServer, total: int, chunked: bool) -> bytes:
    """Send a *total*-byte body; stop when the server stops listening."""
    host = f"127.0.0.1:{_port(app)}"
    head = (
        f"POST /auth/session HTTP/1.1\r\nHost: {host}\r\nOrigin: {app.url}\r\n"
        "Content-Type: text/plain\r\n"
    )
    head += (
        "Transfer-Encoding: chunked\r\n\r\n"
        if chunked
        else f"Content-Length: {total}\r\n\r\n"
    )
    block = b"A" * MB
    frame = (f"{len(block):x}\r\n".encode() + block + b"\r\n") if chunked else block
    reply = b""
    with socket.create_connection(("127.0.0.1", _port(app)), timeout=20) as sock:
        sock.sendall(head.encode())
        try:
            for _ in range(total // MB):
                sock.sendall(frame)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass
        try:
            reply = sock.recv(200)
        except (ConnectionResetError, TimeoutError):
            pass
    return reply


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "length"])
def test_a_200_mb_body_leaves_memory_bounded(server, chunked):
    pid = _server_pid(server)
    _post(server, _ticket(), _own(server))  # warm up the route
    before = _rss_mb(pid)
    started = time.monotonic()
    reply = _stream(server, 200 * MB, chunked)
    time.sleep(0.5)
    growth = _rss_mb(pid) - before
    assert growth < 50, f"resident memory grew by {growth:.0f} MB"
    assert time.monotonic() - started < 60
    if reply:
        assert reply.startswith(b"HTTP/1.1 413"), reply
