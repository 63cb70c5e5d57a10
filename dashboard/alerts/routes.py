"""Public HTTP routes of the alerts: the Atom feeds and each published alert.

* ``/alerts/feed.atom`` — every published alert (newest first);
* ``/alerts/feed/{province}.atom`` — one province's;
* ``/alerts/{identifier}.xml`` — one published CAP message.

Only published alerts are served: a draft or an approved alert that is not
published yet is a 404, whoever asks.
"""

from __future__ import annotations

from functools import cache

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard.alerts.atom import published_feed
from dashboard.alerts.service import published_xml
from dashboard.bootstrap import open_context
from dashboard.context import AppContext

ATOM = "application/atom+xml; charset=utf-8"
CAP = "application/cap+xml; charset=utf-8"


@cache
def _context() -> AppContext:
    return open_context()


def _feed(request: Request) -> Response:
    province = request.path_params.get("province")
    ctx = _context()
    try:
        with ctx.sessions() as session:
            body = published_feed(session, ctx.settings.public_url, province)
    except KeyError:
        return Response("no such province", status_code=404)
    return Response(body, media_type=ATOM, headers={"Cache-Control": "max-age=60"})


def _alert(request: Request) -> Response:
    ctx = _context()
    with ctx.sessions() as session:
        body = published_xml(session, request.path_params["identifier"])
    if body is None:
        return Response("no such published alert", status_code=404)
    return Response(body, media_type=CAP, headers={"Cache-Control": "max-age=300"})


def alert_routes() -> list[Route]:
    return [
        Route("/alerts/feed.atom", _feed, methods=["GET"]),
        Route("/alerts/feed/{province:str}.atom", _feed, methods=["GET"]),
        Route("/alerts/{identifier:str}.xml", _alert, methods=["GET"]),
    ]
