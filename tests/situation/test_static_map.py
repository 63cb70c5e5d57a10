"""The map's script carries styling only; the geometry comes from the static file."""

from __future__ import annotations

from dashboard.situation import mapview


def test_map_html_holds_the_url_and_the_styling_but_no_geometry():
    layer = mapview.StaticCommuneLayer(
        "/layers/v1-abc/33.0123abcd.json",
        {"12345": 3, "23456": 0, "</script>": 2},
        "12345",
    )
    html = mapview.map_html(mapview.build_map(layer, (105.0, 20.0, 106.0, 21.0)))
    assert 'fetch("/layers/v1-abc/33.0123abcd.json"' in html
    assert '"12345": 3' in html
    assert "23456" not in html  # level 0 is the default: not sent
    assert '</script>"' not in html and "\\u003c/script\\u003e" in html
    assert 'highlight = "12345"' in html
    assert "coordinates" not in html.split("fetch(")[0]
    assert len(html.encode()) < 12_000
