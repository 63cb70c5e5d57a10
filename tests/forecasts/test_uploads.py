"""Uploading forecast products: the service on both back ends and the page."""

from __future__ import annotations

import pytest

from dashboard import forecasts
from dashboard.auth import Forbidden, Principal, Role
from dashboard.storms.model import ForecastError
from dashboard.storms.parsers import nchmf
from tests.support.apptest import open_view
from tests.support.helpers import shared_file

PROVINCE = Principal("demo-province", Role.PROVINCE, province_codes=frozenset({"33"}))
VOLUNTEER = Principal("v", Role.VOLUNTEER)

BULLETIN = (
    ",".join(nchmf.COLUMNS)
    + "\n"
    + 'WIPHA,3,13h/20/7/2025,13h/20/7/2025,"20,9","113,3",10-11,13,18,23,112,,4,\n'
    + 'WIPHA,3,13h/20/7/2025,13h/21/7/2025,"20,9","108,6",10,12,18,22,106,,4,\n'
)


def stored(ctx) -> list[forecasts.StoredForecastInfo]:
    with ctx.sessions() as session:
        return forecasts.latest_forecasts(session)


def test_a_real_product_is_stored_once(ctx):
    data = shared_file("storms", "jtwc_18W_2026", "wp1826_warning004.tcw").read_bytes()
    with ctx.transaction() as session:
        first = forecasts.ingest_product(session, PROVINCE, data, "wp1826.tcw")
    with ctx.transaction() as session:
        again = forecasts.ingest_product(session, PROVINCE, data, "wp1826.tcw")
    assert first == again and len(first) == 1
    (info,) = stored(ctx)
    assert info.storm_name == "EIGHTEEN" and info.origin == "upload:wp1826.tcw"


def test_a_typed_in_nchmf_bulletin_is_stored_in_vietnam_time(ctx):
    with ctx.transaction() as session:
        (forecast_id,) = forecasts.ingest_product(
            session, PROVINCE, BULLETIN.encode(), "nchmf_form.csv", format="nchmf"
        )
        forecast = forecasts.forecast(session, forecast_id)
    assert forecast.source == "NCHMF" and forecast.wind_averaging_minutes == 2
    # 13h on 20/7 in Vietnam is 06:00 UTC.
    assert forecast.points[0].valid_utc.hour == 6
    assert forecast.cone_geojson is not None  # the danger zone


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<html><body>Bad gateway</body></html>", "HTML"),
        (BULLETIN.replace('"20,9"', '"123,4"', 1).encode(), "123.4"),
    ],
)
def test_a_broken_product_is_refused_and_nothing_is_stored(ctx, data, message):
    with pytest.raises(ForecastError, match=message), ctx.transaction() as session:
        forecasts.ingest_product(session, PROVINCE, data, "x.csv")
    assert stored(ctx) == []


def test_volunteers_cannot_add_forecasts(ctx):
    data = shared_file("storms", "jtwc_18W_2026", "wp1826_warning004.tcw").read_bytes()
    with pytest.raises(Forbidden), ctx.transaction() as session:
        forecasts.ingest_product(session, VOLUNTEER, data, "wp1826.tcw")
    assert stored(ctx) == []


@pytest.mark.usefixtures("ui_environment")
def test_the_page_names_what_is_wrong_with_an_upload():
    at = open_view("forecasts", PROVINCE)
    at.file_uploader[0].upload("bulletin.txt", b"<html>502</html>", "text/plain")
    at.run()
    next(b for b in at.button if b.label.startswith("Kiểm tra")).click().run()
    assert not at.exception
    assert "HTML" in at.error[0].value and "Không lưu" in at.error[0].value
