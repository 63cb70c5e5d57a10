"""The weak-link HTTP pieces: the static layer route and gzipped Streamlit assets."""

from __future__ import annotations

import asyncio
import gzip
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import geopandas as gpd
import pytest
import shapely
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from dashboard.geo import static_layer
from dashboard.ui import serving


@dataclass
class Reply:
    status_code: int
    headers: dict[str, str]
    raw: bytes

    @property
    def content(self) -> bytes:
        if self.headers.get("content-encoding") == "gzip":
            return gzip.decompress(self.raw)
        return self.raw

    @property
    def text(self) -> str:
        return self.content.decode()


class AsgiClient:
    """A minimal ASGI client (Starlette's needs an extra package)."""

    def __init__(self, app) -> None:
        self.app = app

    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        scope = {
            "type": "http",
            "method": "GET",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "scheme": "http",
            "server": ("test", 80),
            "headers": [
                (k.lower().encode(), v.encode()) for k, v in (headers or {}).items()
            ],
        }
        sent: list[dict] = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        # A thread of its own: Playwright's browser tests, earlier in the same
        # run, leave an event loop running in the main thread.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, self.app(scope, receive, send)).result()
        start = sent[0]
        return Reply(
            start["status"],
            {k.decode(): v.decode() for k, v in start["headers"]},
            b"".join(m.get("body", b"") for m in sent[1:]),
        )


@pytest.fixture
def layer_client(monkeypatch):
    frame = gpd.GeoDataFrame(
        {"commune_code": ["00001"], "commune_name": ["A"], "approximate": [False]},
        geometry=[shapely.box(106, 20, 106.1, 20.1)],
        crs="EPSG:4326",
    )
    file = static_layer.layer_file(frame)
    calls = []

    def fake_layer_file(version, province):
        calls.append((version, province))
        if version != "v1-abc":
            raise KeyError(version)
        return file

    from dashboard.ui import cache

    monkeypatch.setattr(cache, "layer_file", fake_layer_file)
    app = Starlette(routes=[Route("/layers/{version}/{name}", serving.layer_route)])
    return AsgiClient(app), file, calls


def test_layer_is_gzipped_immutable_and_revalidates(layer_client):
    client, file, calls = layer_client
    url = f"/layers/v1-abc/33.{file.digest}.json"
    r = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert r.headers["etag"] == file.etag
    assert r.content == file.body
    assert int(r.headers["content-length"]) == len(file.gzipped)
    assert calls == [("v1-abc", "33")]
    again = client.get(url, headers={"If-None-Match": file.etag})
    assert again.status_code == 304 and again.content == b""
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == file.body


@pytest.mark.parametrize(
    "path",
    [
        "/layers/v1-abc/communes.0000.json",  # an older digest
        "/layers/v9-zzz/communes.0000.json",  # no such layer
        "/layers/v1-abc/secret.txt",
    ],
)
def test_unknown_layers_are_not_found(layer_client, path):
    client, _, _ = layer_client
    assert client.get(path).status_code == 404


@pytest.fixture
def static_client(tmp_path):
    bundle = tmp_path / "static" / "js"
    bundle.mkdir(parents=True)
    (bundle / "main.abc.js").write_text("console.log('hello');\n" * 500)
    (bundle / "tiny.js").write_text("1")
    (tmp_path / "secret.js").write_text("x" * 5000)

    async def inner(request):
        return PlainTextResponse("from streamlit")

    app = Starlette(routes=[Route("/{path:path}", inner)])
    return AsgiClient(serving.PrecompressedStatic(app, tmp_path)), bundle


def test_streamlit_bundle_is_served_gzipped_once(static_client):
    client, bundle = static_client
    r = client.get("/static/js/main.abc.js", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert "javascript" in r.headers["content-type"]
    assert "immutable" in r.headers["cache-control"]
    assert r.text == (bundle / "main.abc.js").read_text()
    assert int(r.headers["content-length"]) == len(
        gzip.compress((bundle / "main.abc.js").read_bytes(), 9, mtime=0)
    )


@pytest.mark.parametrize(
    ("path", "encoding"),
    [
        ("/static/js/main.abc.js", "identity"),  # client without gzip
        ("/static/js/tiny.js", "gzip"),  # too small to gain
        ("/static/js/missing.js", "gzip"),
        ("/static/../secret.js", "gzip"),
        ("/other", "gzip"),
    ],
)
def test_everything_else_goes_to_streamlit(static_client, path, encoding):
    client, _ = static_client
    r = client.get(path, headers={"Accept-Encoding": encoding})
    assert "content-encoding" not in r.headers
