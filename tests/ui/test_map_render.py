"""The map is rendered once and its component arguments sent again.

``map_panel`` records what ``st_folium`` hands to its component instead of
drawing it (only while rendering for the cache), and draws those arguments
on later reruns. That is only right if the arguments are the same as
``st_folium`` would send for an equal map, which this checks.
"""

from __future__ import annotations

import pytest
from streamlit_folium import st_folium

from dashboard.situation import mapview
from dashboard.ui.components import map_panel


def small_map():
    layer = mapview.StaticCommuneLayer(
        "/layers/v1-abc/33.0123abcd.json", {"12345": 3}, "12345"
    )
    return mapview.build_map(layer, (105.0, 20.0, 106.0, 21.0))


def draw(m):
    return st_folium(
        m,
        height=map_panel.MAP_HEIGHT,
        use_container_width=True,
        returned_objects=list(map_panel.RETURNED),
        key="map-test",
    )


@pytest.fixture
def drawn(monkeypatch) -> list[dict]:
    calls: list[dict] = []

    def component(**kwargs):
        calls.append(kwargs)
        return {"last_object_clicked_tooltip": None}

    monkeypatch.setattr(map_panel, "_component", component)
    return calls


def record(m) -> dict:
    recorded: dict = {}
    map_panel._recording.sink = recorded
    try:
        assert draw(m) is None
    finally:
        map_panel._recording.sink = None
    return recorded


def test_recording_draws_nothing_and_keeps_st_folium_s_arguments(drawn):
    recorded = record(small_map())
    assert drawn == []
    assert {"script", "header", "html", "key", "default", "css_links"} <= set(recorded)
    assert 'fetch("/layers/v1-abc/33.0123abcd.json"' in recorded["script"]


def test_an_equal_map_drawn_by_st_folium_sends_the_same_arguments(drawn):
    recorded = record(small_map())
    draw(small_map())  # not recording: straight to the component
    (sent,) = drawn
    assert sent.pop("on_change") is not None
    recorded.pop("on_change")
    assert sent == recorded


def test_the_recorded_map_is_drawn_with_its_component_key(drawn):
    recorded = record(small_map())
    recorded.pop("on_change")
    result = map_panel._show_map("map-test", recorded)
    assert result == {"last_object_clicked_tooltip": None}
    (sent,) = drawn
    assert sent["key"] == recorded["key"]
    assert callable(sent["on_change"])
    assert {k: v for k, v in sent.items() if k != "on_change"} == recorded
