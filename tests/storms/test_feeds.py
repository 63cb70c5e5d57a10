"""Feed download against a real local HTTP server serving scripted faults
(the server kit is in ``tests/feedkit.py``)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from dashboard.storms import feeds
from dashboard.storms.feeds import (
    DEFAULT_FEEDS,
    FeedConfig,
    FeedConfigError,
    FeedError,
    fetch,
    load_feeds,
    make_session,
)
from tests.support.feedkit import (
    GARBAGE,
    HTML_PAGE,
    OUT_OF_RANGE,
    SMALL_LIST,
    Reply,
    closed_port,
    gdacs_sample,
)

# -- fixtures --------------------------------------------------------------------


@pytest.fixture
def http() -> Iterator[requests.Session]:
    session = make_session(retries=2, backoff_factor=0.001)
    yield session
    session.close()


def feed_at(url: str, **options: Any) -> FeedConfig:
    settings: dict[str, Any] = {
        "format": "gdacs",
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
    }
    return FeedConfig(name="test-feed", url=url, **(settings | options))


def fetch_error(http: requests.Session, feed: FeedConfig) -> str:
    with pytest.raises(FeedError) as info:
        fetch(http, feed)
    assert info.value.feed == feed.name
    message = str(info.value)
    assert message.startswith(f"{feed.name}: ")
    return message


# -- good answers ------------------------------------------------------------------


@pytest.mark.shared_data
def test_real_gdacs_list_keeps_only_the_storms_near_vietnam(server, http):
    body = gdacs_sample()
    url = server.serve("/events", Reply(body=body, etag='"v1"'))
    result = fetch(http, feed_at(url))
    ids = {f.storm_id for f in result.forecasts}
    assert result.status == "ok"
    assert "GDACS-1001307" in ids  # EIGHTEEN-26, over the Gulf of Tonkin
    assert "GDACS-1001281" in ids  # MAYSAK-26, "Viet Nam, China, Laos"
    assert "GDACS-1001303" not in ids  # LALA-26, near Hawaii
    assert len(ids) == 14
    assert result.dropped == 100 - 14
    assert result.n_bytes == len(body)
    assert result.etag == '"v1"'


def test_fetch_without_format_detects_it(server, http):
    url = server.serve("/events", Reply(body=SMALL_LIST))
    result = fetch(http, feed_at(url, format=None))
    assert [f.storm_id for f in result.forecasts] == ["GDACS-9001"]
    assert result.dropped == 1


def test_session_sends_a_clear_user_agent(server, http):
    url = server.serve("/events", Reply(body=SMALL_LIST))
    fetch(http, feed_at(url))
    agent = server.last_headers("/events")["user-agent"]
    assert agent.startswith("vn-storm-dashboard/")
    assert "Vietnam" in agent


def test_matching_etag_gives_not_modified(server, http):
    url = server.serve("/events", Reply(body=SMALL_LIST, etag='"abc"'))
    first = fetch(http, feed_at(url))
    again = fetch(
        http,
        feed_at(url),
        etag=first.etag,
        last_modified="Fri, 21 Aug 2026 20:00:00 GMT",
    )
    headers = server.last_headers("/events")
    assert again.status == "not_modified"
    assert again.forecasts == ()
    assert again.etag == '"abc"'
    assert headers["if-none-match"] == '"abc"'
    assert headers["if-modified-since"] == "Fri, 21 Aug 2026 20:00:00 GMT"


def test_stale_etag_downloads_again(server, http):
    url = server.serve("/events", Reply(body=SMALL_LIST, etag='"new"'))
    result = fetch(http, feed_at(url), etag='"old"')
    assert result.status == "ok"
    assert result.etag == '"new"'
    assert len(result.forecasts) == 1


def test_last_modified_is_returned_for_the_next_request(server, http):
    stamp = "Fri, 21 Aug 2026 20:54:48 GMT"
    url = server.serve(
        "/events", Reply(body=SMALL_LIST, headers={"Last-Modified": stamp})
    )
    assert fetch(http, feed_at(url)).last_modified == stamp


def test_server_error_is_retried_until_it_recovers(server, http):
    url = server.serve(
        "/events",
        Reply(status=500, body=b"oops", content_type="text/plain"),
        Reply(status=502, body=b"oops", content_type="text/plain"),
        Reply(body=SMALL_LIST),
    )
    result = fetch(http, feed_at(url))
    assert server.count("/events") == 3
    assert [f.storm_id for f in result.forecasts] == ["GDACS-9001"]


def test_too_many_requests_honours_retry_after_then_succeeds(server, http):
    url = server.serve(
        "/events",
        Reply(status=429, content_type="text/plain", headers={"Retry-After": "0"}),
        Reply(body=SMALL_LIST),
    )
    assert fetch(http, feed_at(url)).status == "ok"
    assert server.count("/events") == 2


# -- faults ---------------------------------------------------------------------------


def test_http_500_after_retries(server, http):
    url = server.serve(
        "/events", Reply(status=500, body=b"boom", content_type="text/plain")
    )
    message = fetch_error(http, feed_at(url))
    assert "HTTP 500 Internal Server Error" in message
    assert "after 2 retries" in message
    assert server.count("/events") == 3  # first attempt + 2 retries


def test_not_found_is_not_retried(server, http):
    url = server.serve(
        "/events", Reply(status=404, body=b"gone", content_type="text/plain")
    )
    assert "HTTP 404 Not Found" in fetch_error(http, feed_at(url))
    assert server.count("/events") == 1


def test_timeout_waiting_for_the_answer(server, http):
    url = server.serve("/events", Reply(body=SMALL_LIST, delay=30))
    message = fetch_error(http, feed_at(url, read_timeout=0.2))
    assert "timed out after 0.2 s" in message
    assert server.count("/events") == 3  # read time-outs of a GET are retried


def test_timeout_in_the_middle_of_the_body(server, http):
    body = SMALL_LIST
    url = server.serve("/events", Reply(body=body, stall_after=100, stall=30))
    message = fetch_error(http, feed_at(url, read_timeout=0.3))
    assert "timed out after 0.3 s while reading the body (got 100 bytes)" in message


def test_connection_refused(http):
    url = f"http://127.0.0.1:{closed_port()}/events"
    message = fetch_error(http, feed_at(url))
    assert "could not connect (the server refused or is unreachable)" in message


def test_html_error_page_with_status_200(server, http):
    url = server.serve("/events", Reply(body=HTML_PAGE, content_type="text/html"))
    assert "an HTML page instead of data" in fetch_error(http, feed_at(url))


def test_html_page_labelled_as_json_is_sniffed(server, http):
    url = server.serve(
        "/events", Reply(body=HTML_PAGE, content_type="application/json")
    )
    assert "an HTML page instead of data" in fetch_error(
        http, feed_at(url, format=None)
    )


def test_unexpected_content_type(server, http):
    url = server.serve("/events", Reply(body=SMALL_LIST, content_type="image/png"))
    assert "unexpected content type image/png" in fetch_error(http, feed_at(url))


@pytest.mark.parametrize("format", ["gdacs", None])
@pytest.mark.parametrize(
    "body",
    [
        SMALL_LIST[:150],
        b'{"type": "FeatureCollection", "features": [], "x": tr',
        b'{"type": "FeatureCollection", "features": [1, 2',
    ],
    ids=["in-a-string", "in-a-literal", "in-a-list"],
)
def test_truncated_json(server, http, format, body):
    url = server.serve("/events", Reply(body=body))
    message = fetch_error(http, feed_at(url, format=format))
    assert f"truncated JSON (the document stops after {len(body)} bytes)" in message


def test_broken_json_is_not_called_truncated(server, http):
    url = server.serve("/events", Reply(body=b'{"type": "FeatureCollection", x}'))
    message = fetch_error(http, feed_at(url))
    assert "unreadable data: not valid JSON" in message
    assert "truncated" not in message


def test_connection_closed_before_the_announced_length(server, http):
    url = server.serve("/events", Reply(body=SMALL_LIST[:100], length=len(SMALL_LIST)))
    message = fetch_error(http, feed_at(url))
    assert "broke off after 100 bytes (truncated transfer)" in message


def test_empty_body(server, http):
    url = server.serve("/events", Reply(body=b""))
    assert fetch_error(http, feed_at(url)).endswith(": empty body")


def test_whitespace_only_body_is_empty(server, http):
    url = server.serve("/events", Reply(body=b" \r\n\n"))
    assert fetch_error(http, feed_at(url)).endswith(": empty body")


def test_garbage_bytes(server, http):
    url = server.serve(
        "/events", Reply(body=GARBAGE, content_type="application/octet-stream")
    )
    assert "binary data instead of a storm product" in fetch_error(
        http, feed_at(url, format=None)
    )


def test_text_of_no_known_format(server, http):
    url = server.serve(
        "/events", Reply(body=b"hello world\n", content_type="text/plain")
    )
    message = fetch_error(http, feed_at(url, format=None))
    assert "unreadable data: unrecognised content" in message
    assert "'hello world'" in message


def test_oversized_body_announced_by_content_length(server, http):
    url = server.serve("/events", Reply(body=SMALL_LIST))
    message = fetch_error(http, feed_at(url, max_bytes=100))
    assert (
        f"larger than 100 bytes (the server announces {len(SMALL_LIST)} bytes)"
        in message
    )


def test_oversized_body_without_content_length_is_cut_off(server, http):
    body = SMALL_LIST * 200
    url = server.serve("/events", Reply(body=body, announce_length=False))
    message = fetch_error(http, feed_at(url, max_bytes=5 * 1024))
    assert message.endswith(": larger than 5 KB")


def test_default_limit_reads_as_5_mb(server, http):
    url = server.serve("/events", Reply(body=b"{}", length=6 * 1024 * 1024))
    assert "larger than 5 MB" in fetch_error(http, feed_at(url))


def test_values_out_of_range(server, http):
    url = server.serve("/events", Reply(body=OUT_OF_RANGE))
    message = fetch_error(http, feed_at(url))
    assert "values out of range" in message
    assert "latitude 123.0 is impossible" in message


def test_json_of_another_kind(server, http):
    url = server.serve("/events", Reply(body=b'{"status": "maintenance"}'))
    message = fetch_error(http, feed_at(url, format=None))
    assert "unreadable data: a JSON document of no known storm format" in message


# -- session and configuration -------------------------------------------------------


def test_session_retries_only_gets_on_transient_statuses():
    session = make_session(retries=3, backoff_factor=0.25)
    retry = session.get_adapter("https://www.gdacs.org/").max_retries
    assert retry.total == 3
    assert retry.backoff_factor == 0.25
    assert set(retry.status_forcelist) == {429, 500, 502, 503, 504}
    assert set(retry.allowed_methods) == {"GET"}
    assert retry.respect_retry_after_header
    assert session.get_adapter("http://127.0.0.1/").max_retries.total == 3


def test_default_feed_is_the_gdacs_tc_event_list(monkeypatch):
    monkeypatch.delenv(feeds.FEEDS_FILE_ENV, raising=False)
    assert load_feeds() == DEFAULT_FEEDS
    (feed,) = DEFAULT_FEEDS
    assert feed.url == (
        "https://www.gdacs.org/gdacsapi/api/events/geteventlist/MAP?eventtype=TC"
    )
    assert feed.max_bytes == 5 * 1024 * 1024


def test_feeds_file_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "- name: gdacs\n"
        "  url: https://example.org/events\n"
        "  format: gdacs\n"
        "  read_timeout: 5\n"
        "- name: jtwc\n"
        "  url: https://example.org/wp1826web.txt\n"
        "  max_bytes: 20000\n"
    )
    monkeypatch.setenv(feeds.FEEDS_FILE_ENV, str(path))
    gdacs, jtwc = load_feeds()
    assert (gdacs.name, gdacs.format, gdacs.timeout) == ("gdacs", "gdacs", (10.0, 5.0))
    assert (jtwc.format, jtwc.max_bytes) == (None, 20000)


def test_feeds_file_as_mapping(tmp_path):
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n  - {name: a, url: 'http://127.0.0.1/x'}\n")
    assert [f.name for f in load_feeds(path)] == ["a"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- {name: a, url: 'http://x/', format: pdf}\n", "unknown format 'pdf'"),
        ("- {name: a, url: 'ftp://x/'}\n", "is not an http(s) URL"),
        ("- {name: a}\n", "needs a name and a url"),
        ("- {name: a, url: 'http://x/', colour: red}\n", "unknown key(s) colour"),
        ("- {name: a, url: 'http://x/', read_timeout: 0}\n", "must be positive"),
        ("- {name: a, url: 'http://x/'}\n- {name: a, url: 'http://y/'}\n", "duplicate"),
        ("name: [unclosed\n", "not valid YAML"),
        ("just text\n", "must hold a list of feeds"),
    ],
)
def test_bad_feeds_file(tmp_path, text, expected):
    path = tmp_path / "feeds.yaml"
    path.write_text(text)
    with pytest.raises(
        FeedConfigError, match=expected.replace("(", r"\(").replace(")", r"\)")
    ):
        load_feeds(path)


def test_missing_feeds_file(tmp_path):
    with pytest.raises(FeedConfigError, match="cannot read feeds file"):
        load_feeds(tmp_path / "nope.yaml")


def test_gzip_encoded_body_is_decoded(server, http):
    body = gzip.compress(SMALL_LIST)
    url = server.serve(
        "/events", Reply(body=body, headers={"Content-Encoding": "gzip"})
    )
    result = fetch(http, feed_at(url))
    assert [f.storm_id for f in result.forecasts] == ["GDACS-9001"]
    assert result.n_bytes == len(SMALL_LIST)


def test_gzip_bomb_is_refused_by_its_decoded_size(server, http):
    body = gzip.compress(b" " * (1024 * 1024))
    url = server.serve(
        "/events", Reply(body=body, headers={"Content-Encoding": "gzip"})
    )
    assert "larger than 100 KB" in fetch_error(http, feed_at(url, max_bytes=100 * 1024))


def test_a_parser_crash_becomes_a_feed_error(server, http, monkeypatch):
    def crashing_parse(*args: Any, **kwargs: Any) -> None:
        raise KeyError("severity")

    monkeypatch.setattr(feeds, "parse", crashing_parse)
    url = server.serve("/events", Reply(body=SMALL_LIST))
    message = fetch_error(http, feed_at(url))
    assert "the parser failed on this data (KeyError: 'severity')" in message
