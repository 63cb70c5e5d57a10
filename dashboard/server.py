"""The ASGI server: Streamlit plus the few plain HTTP routes the app needs.

* ``/vendor/leaflet/*`` and ``/vendor/jquery/*`` serve Leaflet and jQuery from
  the installed XStatic packages, so maps work with no internet.
* ``/alerts/…`` serves the published CAP alerts and their Atom feeds
  (:mod:`dashboard.alerts.routes`).
* ``POST /auth/session`` exchanges a one-time cookie ticket (issued to the
  tab that signed in, see :func:`dashboard.accounts.cookie_ticket`) for an
  HttpOnly cookie holding the signed session token (the Streamlit websocket
  cannot set cookies); ``DELETE`` clears it. Both refuse a request whose
  ``Origin`` (or ``Referer``) is not this server's own scheme, host and port
  (login CSRF), with 403.

Every custom endpoint reads its body through :func:`read_body`, which streams
it and stops at :data:`MAX_BODY` bytes with 413, so no request can make the
server hold a large body in memory.
* ``/layers/{version}/{scope}.{digest}.json`` serves the commune layer as a
  static, gzipped, immutable file the browser keeps (:mod:`dashboard.ui.serving`);
  Streamlit's own frontend bundle is served gzipped too
  (:class:`~dashboard.ui.serving.PrecompressedStatic`).

Start it with ``dashboard run`` (``streamlit run dashboard/server.py``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from xstatic.pkg import jquery, leaflet

from dashboard.accounts import SESSION_LIFETIME, redeem_cookie_ticket
from dashboard.alerts.routes import alert_routes
from dashboard.config import load_settings
from dashboard.ui.serving import PrecompressedStatic, layer_route
from dashboard.ui.session import COOKIE_NAME

_SETTINGS = load_settings()


#: The largest request body a custom endpoint accepts (a ticket is ~200 B).
MAX_BODY = 16 * 1024


class BodyTooLarge(Exception):
    """The request body is larger than the endpoint accepts."""


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The request body, read as a stream and abandoned past *limit* bytes.

    Raises
    ------
    BodyTooLarge
        As soon as the declared length or the bytes received exceed *limit*.
    """
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def too_large() -> Response:
    return Response(
        "request body too large",
        status_code=413,
        headers={"Connection": "close"},
    )


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_of(url: str) -> tuple[str, str, int] | None:
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return None
    return parts.scheme, parts.hostname.lower(), port


def same_origin(request: Request) -> bool:
    """True when the request's Origin (else Referer) is this server itself:
    the same scheme, host and port as the request's ``Host``."""
    host = request.headers.get("host")
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not host or not claimed or claimed == "null":
        return False
    mine = _origin_of(f"{request.url.scheme}://{host}/")
    return mine is not None and _origin_of(claimed) == mine


async def session_cookie(request: Request) -> Response:
    if not same_origin(request):
        return Response("cross-origin request refused", status_code=403)
    if request.method == "DELETE":
        response = Response(status_code=204)
        response.delete_cookie(COOKIE_NAME, path="/")
        return response
    try:
        body = await read_body(request)
    except BodyTooLarge:
        return too_large()
    ticket = body.decode("ascii", errors="replace").strip()
    token = redeem_cookie_ticket(ticket, _SETTINGS.secret_key())
    if token is None:
        return Response("invalid or used cookie ticket", status_code=400)
    response = Response(status_code=204)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


app = st.App(
    "app.py",
    routes=[
        Mount(
            "/vendor/leaflet", StaticFiles(directory=leaflet.BASE_DIR), name="leaflet"
        ),
        Mount("/vendor/jquery", StaticFiles(directory=jquery.BASE_DIR), name="jquery"),
        Route("/auth/session", session_cookie, methods=["POST", "DELETE"]),
        *alert_routes(),
        Route("/layers/{version}/{name}", layer_route, methods=["GET", "HEAD"]),
    ],
    middleware=[Middleware(PrecompressedStatic)],
)
