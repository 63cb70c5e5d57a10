"""Test kit for feeds: a real local HTTP server with scripted replies, and
small literal GDACS event lists.

Used by ``test_feeds.py``, ``test_forecasts.py``, ``test_feed_polling.py`` and
``test_cli.py``.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.helpers import shared_file

# -- the local server ---------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One scripted answer.

    ``delay`` stalls before the status line; ``stall_after`` bytes of the body
    are sent, then the server stalls ``stall`` seconds. ``length`` overrides
    the announced Content-Length; ``announce_length=False`` sends none (the
    body ends when the connection closes). ``drip`` sends the body one byte
    every ``drip`` seconds (a slow-loris server).
    """

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    delay: float = 0.0
    stall_after: int | None = None
    stall: float = 0.0
    length: int | None = None
    announce_length: bool = True
    drip: float = 0.0


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]


class FeedServer:
    """Scripted replies per path; every request is recorded."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.seen: list[Seen] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.owner = self

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, *replies: Reply) -> str:
        """Answer *path* with *replies* in turn (the last one repeats)."""
        with self._lock:
            self.routes[path] = list(replies)
        return self.url(path)

    def next_reply(self, path: str, headers: dict[str, str]) -> Reply:
        with self._lock:
            self.seen.append(Seen(path, headers))
            replies = self.routes.get(path)
            if not replies:
                return Reply(
                    status=404, body=b"no such path", content_type="text/plain"
                )
            return replies.pop(0) if len(replies) > 1 else replies[0]

    def count(self, path: str) -> int:
        with self._lock:
            return sum(1 for s in self.seen if s.path == path)

    def last_headers(self, path: str) -> dict[str, str]:
        with self._lock:
            return next(s.headers for s in reversed(self.seen) if s.path == path)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: FeedServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that gave up (time-outs) reset the connection: not an error."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        owner = self.server.owner
        reply = owner.next_reply(
            self.path, {k.lower(): v for k, v in self.headers.items()}
        )
        self.close_connection = True
        if reply.delay and owner.stopping.wait(reply.delay):
            return
        try:
            self._send(reply, owner.stopping)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(self, reply: Reply, stopping: threading.Event) -> None:
        if reply.etag is not None and self.headers.get("If-None-Match") == reply.etag:
            self.send_response(304)
            self.send_header("ETag", reply.etag)
            self.send_header("Connection", "close")
            self.end_headers()
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        if reply.etag is not None:
            self.send_header("ETag", reply.etag)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.announce_length:
            length = len(reply.body) if reply.length is None else reply.length
            self.send_header("Content-Length", str(length))
        self.send_header("Connection", "close")
        self.end_headers()
        if reply.drip:
            for i in range(len(reply.body)):
                self.wfile.write(reply.body[i : i + 1])
                self.wfile.flush()
                if stopping.wait(reply.drip):
                    return
            return
        if reply.stall_after is None:
            self.wfile.write(reply.body)
            return
        self.wfile.write(reply.body[: reply.stall_after])
        self.wfile.flush()
        if not stopping.wait(reply.stall):
            self.wfile.write(reply.body[reply.stall_after :])


@contextmanager
def running_server() -> Iterator[FeedServer]:
    """A :class:`FeedServer` on a free port of 127.0.0.1, in a thread."""
    server = FeedServer()
    thread = threading.Thread(
        target=server.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.httpd.shutdown()
        server.httpd.server_close()
        thread.join(timeout=5)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- literal products -----------------------------------------------------------


def gdacs_event(
    eventid: Any,
    name: str,
    lon: float,
    lat: float,
    todate: str = "2026-08-21T18:00:00",
    datemodified: str | None = None,
    country: str = "",
) -> dict[str, Any]:
    """One ``Point_Centroid`` feature of a GDACS TC event list."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "eventtype": "TC",
            "eventid": eventid,
            "episodeid": 1,
            "eventname": name,
            "Class": "Point_Centroid",
            "alertlevel": "Green",
            "country": country,
            "iso3": "",
            "affectedcountries": [],
            "source": "JTWC",
            "fromdate": "2026-08-19T00:00:00",
            "todate": todate,
            "datemodified": datemodified or todate,
        },
    }


def event_list(*events: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(events)}).encode()


# A storm in the East Sea and one far away in the Atlantic.
EAST_SEA = gdacs_event(9001, "KIM-26", 112.0, 16.0)
ATLANTIC = gdacs_event(9002, "ANNA-26", -40.0, 25.0)
SMALL_LIST = event_list(EAST_SEA, ATLANTIC)
OUT_OF_RANGE = event_list(gdacs_event(9003, "BAD-26", 108.0, 123.0))
HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head>"
    b"<body><h1>Service temporarily unavailable</h1></body></html>"
)
GARBAGE = bytes(range(256)) * 8


def gdacs_sample() -> bytes:
    return shared_file(
        "storms", "gdacs", "gdacs_eventlist_TC_2026-08-21T20Z.json"
    ).read_bytes()
