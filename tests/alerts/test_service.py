"""The CAP alert workflow on the real store: draft → approve → publish.

Authorization per role, the audit rows, and the rule that nothing but a
published alert reaches the Atom feed or the public download.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from dashboard import audit, situation
from dashboard.alerts import cap, service
from dashboard.alerts.atom import CAP_MIME, atom_feed, feed_path, published_feed
from dashboard.auth import SYSTEM, Forbidden, Principal, Role
from dashboard.core.errors import Conflict
from dashboard.scenario.drill import DRILL_CLOCK, drill_forecast
from tests.alerts.conftest import HUNG_YEN, SENDER

BASE = "https://canhbao.example.vn"
ATOM = {"a": "http://www.w3.org/2005/Atom"}
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)

STAFF = Principal("hy_staff", Role.PROVINCE, province_codes=frozenset({HUNG_YEN}))
OTHER_STAFF = Principal("qn_staff", Role.PROVINCE, province_codes=frozenset({"22"}))
VOLUNTEER = Principal("vol", Role.VOLUNTEER)


def _commune_leader(drill) -> Principal:
    code = str(drill.exposed(HUNG_YEN)["commune_code"].iloc[0])
    return Principal("leader", Role.COMMUNE, commune_code=code)


@pytest.fixture(scope="module")
def alert(drill, drill_name):
    built = cap.build_province_alert(
        drill.forecast,
        drill.table,
        HUNG_YEN,
        DRILL_CLOCK,
        SENDER,
        is_drill=True,
        drill_name=drill_name,
        web=service.alert_url(BASE, "x"),
    )
    assert built is not None
    return built


def _feed_entries(xml: bytes) -> list[etree._Element]:
    return etree.fromstring(xml).findall("a:entry", ATOM)


def _public(ctx) -> tuple[list[service.AlertView], bytes]:
    with ctx.sessions() as session:
        alerts = service.published_alerts(session, HUNG_YEN)
    return alerts, atom_feed(alerts, BASE, HUNG_YEN, "Hưng Yên")


def _actions(ctx, identifier: str) -> list[tuple[str, str]]:
    with ctx.sessions() as session:
        rows = audit.entries(
            session, SYSTEM, object_type=service.OBJECT, object_id=identifier
        )
    return [(r.action, r.actor) for r in reversed(rows)]


def test_draft_approve_publish_and_the_feed(ctx, alert):
    with ctx.transaction() as session:
        draft = service.save_draft(session, STAFF, alert, clock=NOW)
    assert (draft.state, draft.cap_status, draft.msg_type) == (
        "draft",
        "Exercise",
        "Alert",
    )
    assert draft.commune_count == alert.commune_count

    # a draft is neither in the feed nor downloadable
    alerts, feed = _public(ctx)
    assert alerts == [] and _feed_entries(feed) == []
    with ctx.sessions() as session:
        assert service.published_xml(session, alert.identifier) is None

    with ctx.transaction() as session:
        approved = service.approve(
            session, STAFF, draft.id, draft.version, clock=NOW + timedelta(minutes=5)
        )
    assert (approved.state, approved.approved_by) == ("approved", "hy_staff")
    # approved but not yet published: still not public
    alerts, feed = _public(ctx)
    assert alerts == [] and _feed_entries(feed) == []

    with ctx.transaction() as session:
        published = service.publish(
            session, STAFF, draft.id, approved.version, clock=NOW + timedelta(minutes=9)
        )
    assert published.state == "published"
    assert published.published_at == NOW + timedelta(minutes=9)

    alerts, feed = _public(ctx)
    assert [a.identifier for a in alerts] == [alert.identifier]
    (entry,) = _feed_entries(feed)
    link = entry.find("a:link", ATOM)
    assert link.get("type") == CAP_MIME
    assert link.get("href") == service.alert_url(BASE, alert.identifier)
    assert entry.findtext("a:id", namespaces=ATOM) == link.get("href")
    assert entry.findtext("a:updated", namespaces=ATOM) == "2026-12-01T03:09:00Z"
    with ctx.sessions() as session:
        served = service.published_xml(session, alert.identifier)
    assert served == alert.xml
    cap.validate(served)

    assert _actions(ctx, alert.identifier) == [
        ("draft", "hy_staff"),
        ("approve", "hy_staff"),
        ("publish", "hy_staff"),
    ]


def test_a_draft_is_never_published_without_approval(ctx, alert):
    with ctx.transaction() as session:
        draft = service.save_draft(session, STAFF, alert, clock=NOW)
    with pytest.raises(service.AlertError, match="only an approved"):
        with ctx.transaction() as session:
            service.publish(session, STAFF, draft.id)
    alerts, feed = _public(ctx)
    assert alerts == [] and _feed_entries(feed) == []
    assert [a for a, _ in _actions(ctx, alert.identifier)] == ["draft"]


def test_the_feed_function_refuses_unpublished_alerts(ctx, alert):
    with ctx.transaction() as session:
        service.save_draft(session, STAFF, alert, clock=NOW)
    with ctx.sessions() as session:
        drafts = service.list_alerts(session, STAFF, HUNG_YEN)
    assert [d.state for d in drafts] == ["draft"]
    with pytest.raises(ValueError, match="not published"):
        atom_feed(drafts, BASE)


def test_rebuilding_an_approved_draft_needs_a_new_approval(ctx, alert):
    with ctx.transaction() as session:
        draft = service.save_draft(session, STAFF, alert, clock=NOW)
        service.approve(session, STAFF, draft.id, clock=NOW)
    with ctx.transaction() as session:
        again = service.save_draft(session, STAFF, alert, clock=NOW)
    assert (again.id, again.state, again.approved_by) == (draft.id, "draft", None)
    with ctx.transaction() as session:
        service.approve(session, SYSTEM, draft.id, clock=NOW)
        service.publish(session, SYSTEM, draft.id, clock=NOW)
    with pytest.raises(service.AlertError, match="already published"):
        with ctx.transaction() as session:
            service.save_draft(session, STAFF, alert, clock=NOW)
    assert _actions(ctx, alert.identifier) == [
        ("draft", "hy_staff"),
        ("approve", "hy_staff"),
        ("redraft", "hy_staff"),
        ("approve", "system"),
        ("publish", "system"),
    ]


def test_stale_version_is_refused(ctx, alert):
    with ctx.transaction() as session:
        draft = service.save_draft(session, STAFF, alert, clock=NOW)
    with ctx.transaction() as session:  # someone else approves meanwhile
        service.approve(session, SYSTEM, draft.id, draft.version, clock=NOW)
    with pytest.raises(Conflict), ctx.transaction() as session:
        service.publish(session, STAFF, draft.id, expected_version=draft.version)
    alerts, _ = _public(ctx)
    assert alerts == []


@pytest.mark.parametrize("who", ["other_province", "commune", "volunteer"])
def test_only_province_staff_and_admins_draft_approve_publish(ctx, alert, drill, who):
    actor = {
        "other_province": OTHER_STAFF,
        "commune": _commune_leader(drill),
        "volunteer": VOLUNTEER,
    }[who]
    with pytest.raises(Forbidden), ctx.transaction() as session:
        service.save_draft(session, actor, alert, clock=NOW)
    with ctx.transaction() as session:
        draft = service.save_draft(session, STAFF, alert, clock=NOW)
    for step in (service.approve, service.publish):
        with pytest.raises(Forbidden), ctx.transaction() as session:
            step(session, actor, draft.id, clock=NOW)
    with pytest.raises(Forbidden), ctx.sessions() as session:
        service.list_alerts(session, actor, HUNG_YEN)
    with pytest.raises(Forbidden), ctx.sessions() as session:
        service.draft_xml(session, actor, draft.id)
    with ctx.sessions() as session:
        (row,) = service.list_alerts(session, STAFF, HUNG_YEN)
    assert row.state == "draft"
    assert [a for a, _ in _actions(ctx, alert.identifier)] == ["draft"]


def test_admin_may_do_everything(ctx, alert):
    with ctx.transaction() as session:
        draft = service.save_draft(session, SYSTEM, alert, clock=NOW)
        service.approve(session, SYSTEM, draft.id, clock=NOW)
        service.publish(session, SYSTEM, draft.id, clock=NOW)
    alerts, _ = _public(ctx)
    assert [a.published_by for a in alerts] == ["system"]


def test_next_advisory_is_an_update_referencing_the_published_alert(
    ctx, alert, drill, drill_name
):
    with ctx.transaction() as session:
        first = service.save_draft(session, STAFF, alert, clock=NOW)
        service.approve(session, STAFF, first.id, clock=NOW)
        service.publish(session, STAFF, first.id, clock=NOW)

    clock = DRILL_CLOCK + timedelta(hours=6)
    forecast = drill_forecast(clock)
    table = situation.exposure_table(
        forecast, situation.commune_points(drill.polygons), clock
    )
    with ctx.transaction() as session:
        second = service.draft_province_alert(
            session,
            STAFF,
            forecast,
            table,
            HUNG_YEN,
            clock,
            SENDER,
            BASE,
            is_drill=True,
            drill_name=drill_name,
            clock=NOW + timedelta(hours=6),
        )
    assert second is not None and second.identifier != alert.identifier
    assert second.msg_type == "Update"
    with ctx.sessions() as session:
        xml = service.draft_xml(session, STAFF, second.id)
    cap.validate(xml)
    doc = etree.fromstring(xml)
    ns = {"c": cap.CAP_NS}
    assert doc.findtext("c:references", namespaces=ns) == (
        f"{SENDER},{alert.identifier},{cap.cap_time(alert.sent)}"
    )
    assert doc.findtext("c:info/c:web", namespaces=ns) == service.alert_url(
        BASE, second.identifier
    )
    # only the published first alert is public until the update is approved
    alerts, _ = _public(ctx)
    assert [a.identifier for a in alerts] == [alert.identifier]


def test_discarding_a_draft_is_audited(ctx, alert):
    with ctx.transaction() as session:
        draft = service.save_draft(session, STAFF, alert, clock=NOW)
    with ctx.transaction() as session:
        service.discard_draft(session, STAFF, draft.id, reason="wrong advisory")
    with ctx.sessions() as session:
        assert service.list_alerts(session, STAFF, HUNG_YEN) == []
    assert [a for a, _ in _actions(ctx, alert.identifier)] == ["draft", "discard"]


def test_published_feed_of_all_provinces_and_of_one(ctx, alert):
    with ctx.transaction() as session:
        draft = service.save_draft(session, STAFF, alert, clock=NOW)
        service.approve(session, STAFF, draft.id, clock=NOW)
        service.publish(session, STAFF, draft.id, clock=NOW)
    with ctx.sessions() as session:
        everything = published_feed(session, BASE, lang="en")
        hung_yen = published_feed(session, BASE, HUNG_YEN)
        other = published_feed(session, BASE, "22")
        with pytest.raises(KeyError):
            published_feed(session, BASE, "99")
    root = etree.fromstring(everything)
    assert (
        root.findtext("a:title", namespaces=ATOM)
        == "Storm alerts (CAP) – all provinces"
    )
    assert (
        root.find("a:link[@rel='self']", ATOM).get("href") == BASE + "/alerts/feed.atom"
    )
    assert len(_feed_entries(everything)) == 1
    assert len(_feed_entries(hung_yen)) == 1
    assert _feed_entries(other) == []
    assert etree.fromstring(hung_yen).findtext("a:id", namespaces=ATOM) == (
        BASE + feed_path(HUNG_YEN)
    )
    assert feed_path(HUNG_YEN) == "/alerts/feed/33.atom"
