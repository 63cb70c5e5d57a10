"""The ASGI server: Streamlit plus the few plain HTTP routes the app needs.

* ``/vendor/leaflet/*`` and ``/vendor/jquery/*`` serve Leaflet and jQuery from
  the installed XStatic packages, so maps work with no internet.
* ``/layers/{version}/{scope}.{digest}.json`` serves the commune layer as a
  static, gzipped, immutable file the browser keeps (:mod:`dashboard.ui.serving`);
  Streamlit's own frontend bundle is served gzipped too
  (:class:`~dashboard.ui.serving.PrecompressedStatic`).
* ``POST /auth/session`` turns a signed session token into an HttpOnly cookie
  (the Streamlit websocket cannot set cookies); ``DELETE`` clears it.

Start it with ``dashboard run`` (``streamlit run dashboard/server.py``).
"""

from __future__ import annotations

import streamlit as st
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from xstatic.pkg import jquery, leaflet

from dashboard.accounts import SESSION_LIFETIME
from dashboard.config import load_settings
from dashboard.ui.serving import PrecompressedStatic, layer_route
from dashboard.ui.session import COOKIE_NAME

_SETTINGS = load_settings()


async def session_cookie(request: Request) -> Response:
    if request.method == "DELETE":
        response = Response(status_code=204)
        response.delete_cookie(COOKIE_NAME, path="/")
        return response
    token = (await request.body()).decode("ascii", errors="replace").strip()
    try:
        URLSafeTimedSerializer(_SETTINGS.secret_key(), salt="dashboard-session").loads(
            token, max_age=int(SESSION_LIFETIME.total_seconds())
        )
    except BadSignature:
        return Response("invalid session token", status_code=400)
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
        Route("/layers/{version}/{name}", layer_route, methods=["GET", "HEAD"]),
    ],
    middleware=[Middleware(PrecompressedStatic)],
)
