"""The ``dashboard`` command line, called in-process."""

from __future__ import annotations

import csv
import io
import json

import pytest

from dashboard import forecasts
from dashboard.bootstrap import open_context
from dashboard.cli import main
from dashboard.config import load_settings
from tests.support.feedkit import Reply, running_server
from tests.support.helpers import shared_file


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DASHBOARD_DATABASE_URL", raising=False)
    monkeypatch.delenv("DASHBOARD_DEMO", raising=False)


def test_forecast_parse_json_gives_the_canonical_model(capsys):
    source = shared_file("storms", "jtwc_18W_2026", "wp1826_warning004.tcw")
    assert main(["forecast", "parse", str(source), "--json"]) == 0
    model = json.loads(capsys.readouterr().out)
    assert model["source"] == "JTWC" and model["wind_averaging_minutes"] == 1
    analysis = next(p for p in model["points"] if p["lead_hours"] == 0)
    # Warning 004: "T000 208N 1088E 035 R034 000 NE QD 050 SE QD 050 SW QD 040 NW QD"
    assert analysis["valid_utc"] == "2026-08-21T12:00:00Z"
    assert (analysis["lat"], analysis["lon"], analysis["vmax_kt"]) == (
        20.8,
        108.8,
        35.0,
    )
    assert analysis["r34_nm"] == {"ne": 0.0, "se": 50.0, "sw": 50.0, "nw": 40.0}
    assert set(analysis) == {
        "valid_utc",
        "lead_hours",
        "lat",
        "lon",
        "vmax_kt",
        "gust_kt",
        "mslp_hpa",
        "r34_nm",
        "r50_nm",
        "r64_nm",
        "is_forecast",
        "rmw_nm",  # radius of maximum wind (None when the product gives none)
    }


def test_forecast_parse_refuses_garbage_with_a_clear_message(tmp_path, capsys):
    junk = tmp_path / "junk.txt"
    junk.write_text("<html><body>502 Bad Gateway</body></html>")
    assert main(["forecast", "parse", str(junk)]) == 1
    assert "HTML" in capsys.readouterr().err


def test_clock_needs_an_ibtracs_file(capsys):
    source = shared_file("storms", "jtwc_18W_2026", "wp1826_warning004.tcw")
    assert main(["forecast", "parse", str(source), "--clock", "2026-08-21T12:00Z"]) == 1
    assert "IBTrACS" in capsys.readouterr().err


def test_exposure_defaults_to_the_wipha_drill(capsys):
    assert main(["exposure"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 3321
    by_code = {r["commune_code"]: r for r in rows}
    dong_chau = by_code["13003"]
    assert int(dong_chau["max_wind_level"]) >= 8
    assert dong_chau["level8_eta_utc"].startswith("2025-07-21T")
    saigon = [r for r in rows if r["province_code"] == "79"]
    assert all(r["max_wind_level"] == "0" for r in saigon)


def test_exposure_with_real_boundaries_and_an_ibtracs_forecast(tmp_path, capsys):
    out = tmp_path / "exposure.csv"
    args = [
        "exposure",
        "--forecast",
        str(
            shared_file(
                "storms", "ibtracs", "ibtracs_v04r01_vietnam_storms_compact.csv"
            )
        ),
        "--storm",
        "2024244N09137",
        "--clock",
        "2024-09-06T00:00Z",
        "--boundaries",
        str(shared_file("boundaries", "communes_22_quang_ninh_2025.geojson")),
        "--output",
        str(out),
    ]
    assert main(args) == 0
    rows = {r["commune_code"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    # Yagi (2024) made landfall on Quảng Ninh and Hải Phòng at typhoon strength.
    quang_ninh = [r for r in rows.values() if r["province_code"] == "22"]
    assert max(int(r["max_wind_level"]) for r in quang_ninh) >= 12


def test_exposure_needs_one_storm(capsys):
    source = shared_file(
        "storms", "ibtracs", "ibtracs_v04r01_vietnam_storms_compact.csv"
    )
    assert (
        main(["exposure", "--forecast", str(source), "--clock", "2025-07-20T12:00Z"])
        == 1
    )
    error = capsys.readouterr().err
    assert "YAGI" in error and "WIPHA" in error


def test_forecast_fetch_stores_then_keeps_the_last_good_forecast(tmp_path, capsys):
    sample = shared_file("storms", "gdacs", "gdacs_eventlist_TC_2026-08-21T20Z.json")
    feeds_file = tmp_path / "feeds.yaml"
    with running_server() as server:
        url = server.serve(
            "/events",
            Reply(body=sample.read_bytes()),
            Reply(
                status=200, body=b"<html>maintenance</html>", content_type="text/html"
            ),
        )
        feeds_file.write_text(
            f"- name: test-gdacs\n  url: {url}\n  format: gdacs\n", encoding="utf-8"
        )
        assert main(["forecast", "fetch", "--feeds", str(feeds_file)]) == 0
        first = capsys.readouterr().out
        assert "test-gdacs: stored, 14 new advisories" in first
        assert main(["forecast", "fetch", "--feeds", str(feeds_file)]) == 1
        second = capsys.readouterr().err
    assert "HTML page instead of data" in second and "unchanged" in second
    ctx = open_context(load_settings())
    with ctx.sessions() as session:
        latest = forecasts.latest_forecasts(session)
        status = forecasts.feed_statuses(session)[0]
    assert len(latest) == 14
    assert status.consecutive_failures == 1 and "HTML" in status.last_error


def test_forecast_parse_reads_a_url(capsys):
    sample = shared_file("storms", "jtwc_18W_2026", "wp1826_warning004.tcw")
    with running_server() as server:
        url = server.serve(
            "/wp1826.tcw", Reply(body=sample.read_bytes(), content_type="text/plain")
        )
        assert main(["forecast", "parse", url]) == 0
    assert "EIGHTEEN (18W) from JTWC" in capsys.readouterr().out


def test_forecast_parse_names_a_failing_url(capsys):
    with running_server() as server:
        url = server.serve(
            "/gone", Reply(status=404, body=b"", content_type="text/plain")
        )
        assert main(["forecast", "parse", url]) == 1
    assert "404" in capsys.readouterr().err
