"""The app server, started in-process, for the ``rerun_throughput`` benchmark.

    python -m benchmarks.rerun_server [--naive-map] [--profile FILE] -- <streamlit run options>

Runs ``streamlit run dashboard/server.py`` as ``dashboard run`` does (from the
checkout, so ``.streamlit/config.toml`` applies; the caller passes the
environment), but in this process so that it can first:

* ``--naive-map``: draw the map the way it was drawn before the static layer
  (commit 19a0ca9) and before this benchmark: the whole commune layer inline
  in the map's HTML (its GeoJSON text cached per layer, scope, highlight and
  risk, as ``cache.risk_layer_geojson`` did), the storm as one folium element
  per track point, line, area and tooltip, and the map's HTML (about 2.5 MB
  for the nation) rendered again and sent on every rerun. This is the
  benchmark's baseline.
* ``--profile FILE``: profile the server with :mod:`cProfile` between
  ``SIGUSR1`` (start) and ``SIGUSR2`` (stop and write *FILE*\\ ``.1``, then
  ``.2``…): the main thread (event loop: websocket, sessions, compression)
  and every script run. cProfile counts wall time per thread, so calls that
  release the GIL (sockets, SQLite, ``os.urandom``) also show the time spent
  waiting to get it back.
"""

from __future__ import annotations

import argparse
import cProfile
import html
import os
import pstats
import signal
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def naive_map() -> None:
    """Patch the map panel to render the naive map on every rerun."""
    import folium
    import streamlit as st

    from dashboard.geo import layers, static_layer
    from dashboard.situation import mapview
    from dashboard.ui import cache
    from dashboard.ui.components import map_panel

    @st.cache_resource(show_spinner=False, max_entries=64)
    def risk_layer_geojson(
        version: str,
        province_code: str | None,
        highlight: str | None,
        risk: tuple[tuple[str, int], ...],
    ) -> str:
        text, _bounds = layers.layer_geojson(
            cache.commune_geometries(version),
            province_code=province_code,
            highlight=highlight,
            risk=dict(risk),
        )
        return text

    def inline_layer(url: str, risk: dict[str, int], highlight: str | None) -> str:
        # url is /layers/{version}/{scope}.{digest}.json (cache.layer_url)
        _, _, version, name = url.split("/")
        parsed = static_layer.parse_file_name(name)
        assert parsed is not None, url
        return risk_layer_geojson(
            version, parsed[0], highlight, tuple(sorted(risk.items()))
        )

    def folium_storm(m: folium.Map, overlay, labels) -> None:
        """The storm as it was drawn before (one folium element each)."""
        if overlay.cone:
            folium.GeoJson(
                overlay.cone,
                name=labels["cone"],
                style_function=lambda _f: dict(mapview.CONE_STYLE),
                interactive=False,
            ).add_to(m)
        for level in sorted(overlay.wind_areas):
            colour = mapview.WIND_COLOURS.get(level, "#dc2626")
            folium.GeoJson(
                overlay.wind_areas[level],
                style_function=lambda _f, colour=colour: {
                    "color": colour,
                    "weight": 2,
                    "fillColor": colour,
                    "fillOpacity": 0.08,
                },
                interactive=False,
            ).add_to(m)
        for line, dash in ((overlay.past_line, None), (overlay.forecast_line, "8 6")):
            if len(line) > 1:
                folium.PolyLine(
                    line, color="#111827", weight=3, dash_array=dash
                ).add_to(m)
        for point in overlay.points:
            text = labels["point"].format(
                time=labels["time"](point.valid_utc),
                level="–" if point.level is None else point.level,
            )
            folium.CircleMarker(
                [point.lat, point.lon],
                radius=5 if point.is_forecast else 3,
                color="#111827",
                weight=1,
                fill=True,
                fill_color="#ffffff" if point.is_forecast else "#111827",
                fill_opacity=1,
                tooltip=html.escape(text),
            ).add_to(m)
        if overlay.centre:
            folium.CircleMarker(
                list(overlay.centre),
                radius=9,
                color="#b91c1c",
                weight=3,
                fill=True,
                fill_color="#fecaca",
                fill_opacity=0.9,
                tooltip=html.escape(labels["centre"]),
            ).add_to(m)

    # map_panel builds the map with mapview.StaticCommuneLayer(url, risk,
    # highlight) (build_map inlines a str layer) and mapview.add_storm, and
    # draws with st_folium itself whenever rendered_map gives nothing.
    mapview.StaticCommuneLayer = inline_layer  # type: ignore[misc,assignment]
    mapview.add_storm = folium_storm
    map_panel.rendered_map = lambda *_args: {}  # type: ignore[assignment]


class Profiler:
    """cProfile of the main thread and of every script run, on signals."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.dumps = 0
        self.on = False
        self.main = cProfile.Profile()
        self.runs: list[cProfile.Profile] = []
        self.lock = threading.Lock()

    def install(self) -> None:
        from streamlit.runtime.scriptrunner import script_runner

        original = script_runner.ScriptRunner._run_script
        profiler = self

        def run_script(runner, *args, **kwargs):
            if not profiler.on:
                return original(runner, *args, **kwargs)
            prof = cProfile.Profile()
            prof.enable()
            try:
                return original(runner, *args, **kwargs)
            finally:
                prof.disable()
                with profiler.lock:
                    profiler.runs.append(prof)

        script_runner.ScriptRunner._run_script = run_script
        signal.signal(signal.SIGUSR1, self.start)
        signal.signal(signal.SIGUSR2, self.stop)

    def start(self, *_args) -> None:
        self.main = cProfile.Profile()
        self.on = True
        self.main.enable()

    def stop(self, *_args) -> None:
        # In the signal handler (the event loop's thread): only swap the
        # profiles; merging them takes seconds, so a thread writes the file.
        self.main.disable()
        self.on = False
        with self.lock:
            runs, self.runs = self.runs, []
        self.dumps += 1
        out = f"{self.out}.{self.dumps}"
        threading.Thread(target=self._write, args=(self.main, runs, out)).start()

    @staticmethod
    def _write(main: cProfile.Profile, runs: list[cProfile.Profile], out: str) -> None:
        stats = pstats.Stats(main)
        for prof in runs:
            stats.add(prof)
        stats.dump_stats(out + ".part")
        os.replace(out + ".part", out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--naive-map", action="store_true")
    parser.add_argument("--profile", type=Path)
    parser.add_argument("streamlit_args", nargs="*")
    args = parser.parse_args(argv)
    os.chdir(ROOT)  # .streamlit/config.toml, as dashboard run does
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if args.naive_map:
        naive_map()
    if args.profile:
        Profiler(args.profile).install()
    from streamlit.web import cli

    server = str(ROOT / "dashboard" / "server.py")
    sys.argv = ["streamlit", "run", server, *args.streamlit_args]
    cli.main()


if __name__ == "__main__":
    main()
