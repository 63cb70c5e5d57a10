"""HTTP pieces for weak links: the static commune layer, compressed assets.

* :func:`layer_route` serves ``/layers/{version}/{scope}.{digest}.json``: the
  commune geometry in the quantised format of
  :mod:`dashboard.geo.static_layer`, gzipped once, with an ETag and a year-long
  ``immutable`` cache (the digest in the name changes with the content).
* :class:`PrecompressedStatic` wraps the whole app and answers requests for
  Streamlit's own frontend bundle (``/static/...``) with a gzipped copy made
  once per file and kept in memory. Streamlit 1.67 deliberately leaves that
  route uncompressed (``starlette_gzip_middleware._should_bypass_gzip``:
  compressing per request costs CPU); compressing once and reusing the bytes
  removes that cost, and on a 2 Mbit/s link the 1.1 MB main bundle becomes
  about 0.35 MB.
"""

from __future__ import annotations

import gzip
import mimetypes
import threading
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send
from streamlit import file_util

from dashboard.geo import static_layer
from dashboard.ui import cache

YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={YEAR}, immutable"
_COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "application/wasm",
)
_MIN_SIZE = 1024


def accepts_gzip(headers) -> bool:
    value = headers.get("accept-encoding", "")
    return any(
        part.split(";")[0].strip() in ("gzip", "*") and not part.endswith("q=0")
        for part in value.split(",")
    )


def _compressed_response(
    request: Request,
    body: bytes,
    gzipped: bytes,
    etag: str,
    media_type: str,
    cache_control: str,
) -> Response:
    headers = {"ETag": etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if accepts_gzip(request.headers):
        headers["Content-Encoding"] = "gzip"
        body = gzipped
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(status_code=200, headers=headers, media_type=media_type)
    return Response(body, headers=headers, media_type=media_type)


async def layer_route(request: Request) -> Response:
    """``GET /layers/{version}/{name}``: the commune layer file."""
    parsed = static_layer.parse_file_name(request.path_params["name"])
    if parsed is None:
        return Response("not found", status_code=404)
    province, digest = parsed
    version = request.path_params["version"]
    try:
        file = await run_in_threadpool(cache.layer_file, version, province)
    except (KeyError, ValueError):
        return Response("not found", status_code=404)
    if file.digest != digest:
        return Response("not found", status_code=404)  # an older layer
    return _compressed_response(
        request, file.body, file.gzipped, file.etag, "application/json", IMMUTABLE
    )


class PrecompressedStatic:
    """Serve gzipped copies of Streamlit's hashed frontend files.

    Only ``GET``/``HEAD`` for an existing compressible file under
    ``<streamlit>/static/static/`` from a client that accepts gzip; everything
    else goes to the wrapped app unchanged.
    """

    def __init__(self, app: ASGIApp, directory: str | Path | None = None) -> None:
        self.app = app
        if directory is None:
            directory = file_util.get_static_dir()
        self.root = Path(directory).resolve()
        self._cache: dict[Path, tuple[float, bytes, bytes, str]] = {}
        self._lock = threading.Lock()

    def _file(self, path: str) -> Path | None:
        if not path.startswith("/static/") or ".." in path:
            return None
        candidate = (self.root / path.lstrip("/")).resolve()
        if not candidate.is_relative_to(self.root / "static"):
            return None
        return candidate if candidate.is_file() else None

    def _compressed(self, file: Path) -> tuple[bytes, bytes, str]:
        mtime = file.stat().st_mtime
        with self._lock:
            hit = self._cache.get(file)
        if hit is not None and hit[0] == mtime:
            return hit[1], hit[2], hit[3]
        body = file.read_bytes()
        gzipped = gzip.compress(body, compresslevel=9, mtime=0)
        etag = f'"{int(mtime)}-{len(body)}"'
        with self._lock:
            self._cache[file] = (mtime, body, gzipped, etag)
        return body, gzipped, etag

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        file = self._file(scope["path"])
        media_type = mimetypes.guess_type(file.name)[0] if file else None
        if (
            file is None
            or media_type is None
            or not media_type.startswith(_COMPRESSIBLE)
            or file.stat().st_size < _MIN_SIZE
            or not accepts_gzip(request.headers)
        ):
            await self.app(scope, receive, send)
            return
        body, gzipped, etag = await run_in_threadpool(self._compressed, file)
        if media_type.startswith("text/") or media_type.endswith("javascript"):
            media_type += "; charset=utf-8"
        response = _compressed_response(
            request, body, gzipped, etag, media_type, IMMUTABLE
        )
        await response(scope, receive, send)
