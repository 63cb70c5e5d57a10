"""The alerts page with Streamlit's AppTest: draft, approve, publish."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboard.alerts.atom import published_feed
from dashboard.auth import Principal, Role
from dashboard.bootstrap import open_context
from dashboard.i18n import translate
from dashboard.store.models.alerts import CapAlertRow
from tests.support.apptest import open_view

pytestmark = pytest.mark.usefixtures("ui_environment")

STAFF = Principal(
    "staff33", Role.PROVINCE, "Cán bộ tỉnh", province_codes=frozenset({"33"})
)


def vi(key: str, **params) -> str:
    return translate(key, "vi", **params)


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_staff_draft_approve_and_publish_and_only_then_the_feed_has_it():
    at = open_view("alerts", STAFF)
    assert not at.exception, at.exception
    button(at, vi("alerts.page.draft")).click().run()
    assert not at.exception, at.exception
    ctx = open_context()
    with ctx.sessions() as s:
        (row,) = s.scalars(select(CapAlertRow)).all()
        assert (row.state, row.province_code) == ("draft", "33")
        assert published_feed(s, "http://x").count(b"<entry") == 0

    button(at, vi("alerts.page.approve")).click().run()
    assert not at.exception, at.exception
    with ctx.sessions() as s:
        assert s.get(CapAlertRow, row.id).state == "approved"
        assert published_feed(s, "http://x").count(b"<entry") == 0

    button(at, vi("alerts.page.publish")).click().run()
    assert not at.exception, at.exception
    with ctx.sessions() as s:
        assert s.get(CapAlertRow, row.id).state == "published"
        feed = published_feed(s, "http://x", "33")
    assert feed.count(b"<entry") == 1
    assert row.identifier.encode() in feed
    ctx.engine.dispose()


def test_a_commune_leader_is_turned_away():
    leader = Principal("c", Role.COMMUNE, "UBND xã", commune_code="13003")
    at = open_view("alerts", leader)
    assert not at.exception, at.exception
    assert at.info[0].value == vi("alerts.page.signin")
    assert not [b for b in at.button if b.label == vi("alerts.page.draft")]
