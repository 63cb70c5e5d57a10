"""Download storm products from configured web feeds (no database, no UI).

A feed is a URL serving one storm product (by default the GDACS tropical
cyclone event list). :func:`fetch` downloads it with a conditional GET,
refuses anything that is not a usable product, parses it with
:func:`dashboard.storms.parsers.parse` and keeps the storms that concern
Vietnam. Every failure raises :class:`FeedError` whose message starts with
the feed name and says in plain words what went wrong, so it can be shown to
an operator as is.

Configuration
-------------
:func:`load_feeds` reads a YAML list of feeds::

    - name: gdacs-tc
      url: https://www.gdacs.org/gdacsapi/api/events/geteventlist/MAP?eventtype=TC
      format: gdacs          # optional; detected from the content when absent
      connect_timeout: 10    # seconds, optional
      read_timeout: 30       # seconds, optional
      total_timeout: 30      # seconds for the whole fetch, optional
      max_bytes: 5242880     # optional

The file is the ``path`` argument, else ``$DASHBOARD_FEEDS_FILE``; without
either, :data:`DEFAULT_FEEDS` is used.
"""

from __future__ import annotations

import inspect
import json
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import requests
import yaml
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util import Retry

from dashboard.storms.filtering import concerns_vietnam
from dashboard.storms.model import Forecast, ForecastError
from dashboard.storms.parsers import FORMATS, parse
from dashboard.storms.parsers._common import looks_like_html

FEEDS_FILE_ENV = "DASHBOARD_FEEDS_FILE"
USER_AGENT = (
    "vn-storm-dashboard/0.1 (storm-readiness dashboard for Vietnam; "
    f"python-requests/{requests.__version__})"
)
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_TOTAL_TIMEOUT = 30.0
"""Seconds one fetch may take in all (connection, retries, the whole body): a
server dripping one byte at a time cannot hold a poller for longer."""
RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_RETRY_AFTER_S = 60
"""Longest ``Retry-After`` wait honoured (a feed asking for more fails now)."""
CHUNK_BYTES = 64 * 1024
NAME_MAX = 64
"""Longest feed name (the ``feed_status.feed`` column)."""
REFUSED_TYPES = ("text/html", "application/xhtml+xml", "image/", "audio/", "video/")


class FeedError(Exception):
    """A feed could not be fetched or read.

    ``str(error)`` is ``"<feed name>: <what is wrong>"``.
    """

    def __init__(self, feed: str, problem: str) -> None:
        super().__init__(f"{feed}: {problem}")
        self.feed = feed
        self.problem = problem


class FeedConfigError(ValueError):
    """The feeds file is unreadable or names an invalid feed."""


@dataclass(frozen=True)
class FeedConfig:
    """One configured feed.

    Attributes
    ----------
    name
        Short unique name (at most 64 characters), the key of its status.
    url
        ``http`` or ``https`` URL of the product.
    format
        One of :data:`dashboard.storms.parsers.FORMATS`, or ``None`` to detect
        the format from the content.
    connect_timeout, read_timeout
        Seconds to wait for the connection, and between bytes of the answer.
    total_timeout
        Seconds the whole fetch may take (the overall deadline): past it the
        download is abandoned, however steadily the bytes trickle in.
    max_bytes
        Larger answers are refused.
    """

    name: str
    url: str
    format: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_bytes: int = DEFAULT_MAX_BYTES
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT

    def __post_init__(self) -> None:
        problems = _config_problems(self)
        if problems:
            raise FeedConfigError(f"feed {self.name!r}: {'; '.join(problems)}")

    @property
    def timeout(self) -> tuple[float, float]:
        """The ``(connect, read)`` timeout pair given to requests (neither
        longer than the overall deadline)."""
        return (
            min(self.connect_timeout, self.total_timeout),
            min(self.read_timeout, self.total_timeout),
        )


def _config_problems(feed: FeedConfig) -> list[str]:
    problems = []
    if not feed.name or len(feed.name) > NAME_MAX:
        problems.append(f"the name must have 1 to {NAME_MAX} characters")
    if not feed.url.startswith(("http://", "https://")):
        problems.append(f"url {feed.url!r} is not an http(s) URL")
    if feed.format is not None and feed.format not in FORMATS:
        problems.append(f"unknown format {feed.format!r} (known: {', '.join(FORMATS)})")
    if min(feed.connect_timeout, feed.read_timeout, feed.total_timeout) <= 0:
        problems.append("timeouts must be positive")
    if feed.max_bytes <= 0:
        problems.append("max_bytes must be positive")
    return problems


DEFAULT_FEEDS: tuple[FeedConfig, ...] = (
    FeedConfig(
        name="gdacs-tc",
        url="https://www.gdacs.org/gdacsapi/api/events/geteventlist/MAP?eventtype=TC",
        format="gdacs",
    ),
)
"""The GDACS tropical-cyclone event list (see FORMATS.md §4)."""


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch` got.

    Attributes
    ----------
    status
        ``"ok"`` (a new body was read) or ``"not_modified"`` (HTTP 304: the
        forecasts already stored are current; ``forecasts`` is empty).
    forecasts
        Parsed forecasts of the storms that concern Vietnam.
    dropped
        How many parsed storms were left out because they do not.
    etag, last_modified
        Validators for the next conditional GET (the previous ones on 304
        when the server repeats none).
    n_bytes
        Size of the body read.
    """

    status: str
    forecasts: tuple[Forecast, ...] = ()
    dropped: int = 0
    etag: str | None = None
    last_modified: str | None = None
    n_bytes: int = 0
    content_type: str = ""
    final_url: str = ""


# -- configuration ----------------------------------------------------------


def _feed_from(entry: Any, index: int) -> FeedConfig:
    if not isinstance(entry, Mapping):
        raise FeedConfigError(f"feed #{index + 1} is not a mapping of name, url, ...")
    known = {f.name for f in fields(FeedConfig)}
    unknown = sorted(set(entry) - known)
    if unknown:
        raise FeedConfigError(
            f"feed #{index + 1}: unknown key(s) {', '.join(map(str, unknown))}"
        )
    if "name" not in entry or "url" not in entry:
        raise FeedConfigError(f"feed #{index + 1} needs a name and a url")
    try:
        return FeedConfig(
            name=str(entry["name"]),
            url=str(entry["url"]),
            format=None if entry.get("format") is None else str(entry["format"]),
            connect_timeout=float(entry.get("connect_timeout", 10.0)),
            read_timeout=float(entry.get("read_timeout", 30.0)),
            max_bytes=int(entry.get("max_bytes", DEFAULT_MAX_BYTES)),
            total_timeout=float(entry.get("total_timeout", DEFAULT_TOTAL_TIMEOUT)),
        )
    except (TypeError, ValueError) as exc:
        if isinstance(exc, FeedConfigError):
            raise
        raise FeedConfigError(f"feed #{index + 1}: {exc}") from exc


def load_feeds(path: str | Path | None = None) -> tuple[FeedConfig, ...]:
    """The configured feeds.

    Parameters
    ----------
    path
        YAML file holding a list of feeds (or a mapping with a ``feeds``
        list); ``None`` reads ``$DASHBOARD_FEEDS_FILE`` when set, otherwise
        returns :data:`DEFAULT_FEEDS`.

    Raises
    ------
    FeedConfigError
        When the file is missing, not YAML, or describes an invalid feed.
    """
    if path is None:
        env = os.environ.get(FEEDS_FILE_ENV, "").strip()
        if not env:
            return DEFAULT_FEEDS
        path = env
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FeedConfigError(f"cannot read feeds file {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise FeedConfigError(f"feeds file {path} is not valid YAML: {exc}") from exc
    if isinstance(doc, Mapping):
        doc = doc.get("feeds")
    if not isinstance(doc, list):
        raise FeedConfigError(f"feeds file {path} must hold a list of feeds")
    feeds = tuple(_feed_from(entry, i) for i, entry in enumerate(doc))
    names = [f.name for f in feeds]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise FeedConfigError(f"feeds file {path}: duplicate name(s) {duplicates}")
    return feeds


# -- HTTP ---------------------------------------------------------------------


def _retry(retries: int, backoff_factor: float) -> Retry:
    options: dict[str, Any] = {
        "total": retries,
        "backoff_factor": backoff_factor,
        "status_forcelist": RETRY_STATUSES,
        "allowed_methods": frozenset({"GET"}),
        "respect_retry_after_header": True,
        # Hand the last error response back so fetch() can say "HTTP 503".
        "raise_on_status": False,
    }
    if "retry_after_max" in inspect.signature(Retry).parameters:
        options["retry_after_max"] = MAX_RETRY_AFTER_S
    return Retry(**options)


def make_session(retries: int = 3, backoff_factor: float = 0.5) -> requests.Session:
    """A ``requests`` session that retries transient failures of GET requests.

    Parameters
    ----------
    retries
        Retries after the first attempt, for connection errors, read
        time-outs and HTTP 429/500/502/503/504 (honouring ``Retry-After``,
        up to :data:`MAX_RETRY_AFTER_S`).
    backoff_factor
        Wait ``backoff_factor * 2 ** (n - 1)`` seconds before retry *n*
        (tests pass a tiny value).
    """
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=_retry(retries, backoff_factor))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _size(n_bytes: int) -> str:
    """``5242880`` → ``5 MB``; ``1500`` → ``1.46 KB``; ``900`` → ``900 bytes``."""
    if n_bytes >= 1024 * 1024:
        return f"{n_bytes / (1024 * 1024):.3g} MB"
    if n_bytes >= 1024:
        return f"{n_bytes / 1024:.3g} KB"
    return f"{n_bytes} bytes"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """*exc*, its wrapped arguments, ``reason`` and ``__cause__`` chain."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, MaxRetryError) and current.reason is not None:
            stack.append(current.reason)
        stack.extend(a for a in current.args if isinstance(a, BaseException))
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                stack.append(linked)


def _request_problem(exc: requests.RequestException, feed: FeedConfig) -> str:
    """Plain words for a failure of the request itself (before any body)."""
    causes = list(_causes(exc))
    # NewConnectionError subclasses ConnectTimeoutError: test it first.
    if any(isinstance(c, NewConnectionError) for c in causes):
        return "could not connect (the server refused or is unreachable)"
    if any(isinstance(c, ConnectTimeoutError) for c in causes) or isinstance(
        exc, requests.ConnectTimeout
    ):
        return f"could not connect within {_seconds(feed.connect_timeout)}"
    if any(isinstance(c, ReadTimeoutError) for c in causes) or isinstance(
        exc, requests.ReadTimeout
    ):
        return f"timed out after {_seconds(feed.read_timeout)} waiting for an answer"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"secure connection failed: {exc}"
    if isinstance(exc, requests.TooManyRedirects):
        return "too many redirects"
    if isinstance(
        exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema
    ):
        return f"invalid URL {feed.url!r}"
    return f"request failed: {exc}"


def _body_problem(exc: Exception, feed: FeedConfig, got: int) -> str:
    """Plain words for a failure while the body was being read."""
    causes = list(_causes(exc))
    if any(isinstance(c, ReadTimeoutError) for c in causes):
        return (
            f"timed out after {_seconds(feed.read_timeout)} while reading the "
            f"body (got {_size(got)})"
        )
    if any(isinstance(c, ProtocolError) for c in causes):
        return f"the connection broke off after {_size(got)} (truncated transfer)"
    return f"reading the body failed after {_size(got)}: {exc}"


def _conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {"Accept": "application/json, application/geo+json, text/plain, */*"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _http_status_problem(response: requests.Response) -> str:
    reason = f" {response.reason}" if response.reason else ""
    retries = getattr(response.raw, "retries", None)
    history = len(retries.history) if retries is not None and retries.history else 0
    plural = "retry" if history == 1 else "retries"
    after = f" (after {history} {plural})" if history else ""
    return f"HTTP {response.status_code}{reason}{after}"


def _check_content_type(feed: FeedConfig, content_type: str) -> None:
    media = content_type.split(";", 1)[0].strip().lower()
    if media in ("text/html", "application/xhtml+xml"):
        raise FeedError(feed.name, f"an HTML page instead of data ({media})")
    if media.startswith(REFUSED_TYPES):
        raise FeedError(
            feed.name, f"unexpected content type {media}, not a storm product"
        )


def _declared_length(response: requests.Response) -> int | None:
    try:
        return int(response.headers["Content-Length"])
    except (KeyError, ValueError):
        return None


def _wait_at_most(response: requests.Response, seconds: float) -> None:
    """Let the next socket read wait no longer than *seconds* (best effort:
    the socket, where urllib3 and http.client keep it; otherwise the read
    timeout, itself at most the deadline, bounds the wait)."""
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    if sock is None:  # handed over to http.client: its buffered socket reader
        reader = getattr(getattr(response.raw, "_fp", None), "fp", None)
        sock = getattr(getattr(reader, "raw", None), "_sock", None)
    if sock is not None:
        try:
            sock.settimeout(max(0.01, seconds))
        except OSError:
            pass


def _chunks(
    response: requests.Response, feed: FeedConfig, deadline: float
) -> Iterator[bytes]:
    """The body as it arrives (``read1`` yields partial data before a stall);
    no read waits past *deadline*."""
    raw = response.raw
    if not hasattr(raw, "read1"):  # urllib3 before 2.3
        yield from response.iter_content(CHUNK_BYTES)
        return
    while True:
        left = deadline - time.monotonic()
        _wait_at_most(response, min(feed.timeout[1], left))
        chunk = raw.read1(CHUNK_BYTES, decode_content=True)
        if not chunk:
            return
        yield chunk


def _past_deadline(feed: FeedConfig, got: int) -> FeedError:
    return FeedError(
        feed.name,
        f"gave up after {_seconds(feed.total_timeout)} in all (the overall "
        f"deadline; got {_size(got)}, the server sends too slowly)",
    )


def _read_body(response: requests.Response, feed: FeedConfig, deadline: float) -> bytes:
    """The body, streamed, refusing more than ``feed.max_bytes`` and giving up
    at *deadline* (a :func:`time.monotonic` value)."""
    declared = _declared_length(response)
    limit = _size(feed.max_bytes)
    if declared is not None and declared > feed.max_bytes:
        raise FeedError(
            feed.name, f"larger than {limit} (the server announces {_size(declared)})"
        )
    chunks: list[bytes] = []
    got = 0
    try:
        for chunk in _chunks(response, feed, deadline):
            got += len(chunk)
            if got > feed.max_bytes:
                raise FeedError(feed.name, f"larger than {limit}")
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise _past_deadline(feed, got)
    except (requests.RequestException, HTTPError) as exc:
        if time.monotonic() >= deadline - 0.05:  # the read waited until it
            raise _past_deadline(feed, got) from exc
        raise FeedError(feed.name, _body_problem(exc, feed, got)) from exc
    return b"".join(chunks)


def _sniff(feed: FeedConfig, body: bytes) -> None:
    """Refuse an empty body, an HTML page served as data, or binary garbage."""
    if not body.strip():
        raise FeedError(feed.name, "empty body")
    head = body[:1024]
    if looks_like_html(head.decode("utf-8", errors="replace")):
        raise FeedError(feed.name, "an HTML page instead of data")
    is_utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if b"\x00" in head and not is_utf16:
        raise FeedError(feed.name, "binary data instead of a storm product")


_LITERALS = ("true", "false", "null")


def _json_truncated(body: bytes) -> bool:
    """Whether *body* is JSON that stops before the document is complete."""
    text = body.decode("utf-8", errors="replace").strip()
    if not text.startswith(("{", "[")):
        return False
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg.startswith("Unterminated string"):
            return True
        rest = text[exc.pos :]
        return not rest or any(word.startswith(rest) for word in _LITERALS)
    return False


def _parse_problem(exc: ForecastError, body: bytes) -> str:
    message = str(exc)
    if _json_truncated(body):
        return f"truncated JSON (the document stops after {_size(len(body))})"
    if "impossible" in message or "out of range" in message:
        return f"values out of range: {message}"
    return f"unreadable data: {message}"


def _parse(feed: FeedConfig, body: bytes) -> list[Forecast]:
    name_hint = feed.url.rsplit("/", 1)[-1].split("?", 1)[0]
    try:
        return parse(body, format=feed.format, name_hint=name_hint)
    except ForecastError as exc:
        raise FeedError(feed.name, _parse_problem(exc, body)) from exc
    except Exception as exc:  # a parser bug must not pass as a network error
        problem = f"the parser failed on this data ({type(exc).__name__}: {exc})"
        raise FeedError(feed.name, problem) from exc


def _get(
    session: requests.Session, feed: FeedConfig, headers: dict[str, str]
) -> requests.Response:
    try:
        return session.get(feed.url, headers=headers, timeout=feed.timeout, stream=True)
    except requests.RequestException as exc:
        raise FeedError(feed.name, _request_problem(exc, feed)) from exc


def fetch(
    session: requests.Session,
    feed: FeedConfig,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchResult:
    """Download and parse one feed.

    Parameters
    ----------
    session
        From :func:`make_session` (retries and User-Agent).
    feed
        The feed to read.
    etag, last_modified
        Validators of the last successful fetch, sent as ``If-None-Match`` /
        ``If-Modified-Since``.

    Returns
    -------
    FetchResult
        ``status="not_modified"`` on HTTP 304, else the forecasts of the
        storms that concern Vietnam.

    Raises
    ------
    FeedError
        Naming the feed and what is wrong: a time-out, an HTTP error, an HTML
        page, an empty, oversized, truncated or unreadable body, values out of
        range, or past the overall deadline (``feed.total_timeout``).
    """
    deadline = time.monotonic() + feed.total_timeout
    response = _get(session, feed, _conditional_headers(etag, last_modified))
    with response:
        if time.monotonic() > deadline:
            raise _past_deadline(feed, 0)
        if response.status_code == 304:
            return FetchResult(
                status="not_modified",
                etag=response.headers.get("ETag") or etag,
                last_modified=response.headers.get("Last-Modified") or last_modified,
                final_url=response.url,
            )
        if response.status_code != 200:
            raise FeedError(feed.name, _http_status_problem(response))
        content_type = response.headers.get("Content-Type", "")
        _check_content_type(feed, content_type)
        body = _read_body(response, feed, deadline)
        new_etag = response.headers.get("ETag")
        new_last_modified = response.headers.get("Last-Modified")
        final_url = response.url
    _sniff(feed, body)
    parsed = _parse(feed, body)
    kept = tuple(f for f in parsed if concerns_vietnam(f))
    return FetchResult(
        status="ok",
        forecasts=kept,
        dropped=len(parsed) - len(kept),
        etag=new_etag,
        last_modified=new_last_modified,
        n_bytes=len(body),
        content_type=content_type,
        final_url=final_url,
    )


def download(url: str, *, session: requests.Session | None = None) -> bytes:
    """The raw body at *url*, with the same time-outs, retries and size limit as
    a feed (for ``dashboard forecast parse URL``).

    Raises
    ------
    FeedError
        Naming what went wrong.
    """
    feed = FeedConfig(name=url, url=url)
    session = session or make_session()
    deadline = time.monotonic() + feed.total_timeout
    response = _get(session, feed, {})
    with response:
        if response.status_code != 200:
            raise FeedError(feed.name, _http_status_problem(response))
        body = _read_body(response, feed, deadline)
    _sniff(feed, body)
    return body


__all__ = [
    "DEFAULT_FEEDS",
    "FEEDS_FILE_ENV",
    "FeedConfig",
    "FeedConfigError",
    "FeedError",
    "FetchResult",
    "download",
    "fetch",
    "load_feeds",
    "make_session",
]
