"""Measuring a page on a weak link: bytes on the wire, and a throttled network.

:class:`ByteCounter` is a TCP proxy in front of the app server that counts
every byte the server sends, so HTTP compression *and* the websocket's
permessage-deflate are measured as they really are (the DevTools protocol
reports websocket payloads decompressed). :func:`throttle` applies Chromium's
network conditions through the DevTools protocol.
"""

from __future__ import annotations

import socket
import threading
from urllib.parse import urlparse

MBIT = 1_000_000 / 8  # bytes per second


class ByteCounter:
    """``with ByteCounter(url) as proxy:`` then browse ``proxy.url``."""

    def __init__(self, target_url: str) -> None:
        parsed = urlparse(target_url)
        self.target = (parsed.hostname, parsed.port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.down = 0
        self._lock = threading.Lock()
        self._closed = False

    def __enter__(self) -> ByteCounter:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._closed = True
        self.listener.close()

    def reset(self) -> int:
        """Bytes counted so far, and start again from zero."""
        with self._lock:
            value, self.down = self.down, 0
        return value

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            threading.Thread(
                target=self._pipe, args=(client, server, False), daemon=True
            ).start()
            threading.Thread(
                target=self._pipe, args=(server, client, True), daemon=True
            ).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, count: bool) -> None:
        try:
            while chunk := src.recv(65536):
                if count:
                    with self._lock:
                        self.down += len(chunk)
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def throttle(page, mbit: float = 2.0, latency_ms: int = 300) -> None:
    """Chromium's network emulation for *page*: *mbit* both ways, *latency_ms*."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": latency_ms,
            "downloadThroughput": mbit * MBIT,
            "uploadThroughput": mbit * MBIT,
        },
    )
