"""The Atom 1.0 feed (RFC 4287) of published CAP alerts.

The usual way weather services offer CAP (and the one the WMO Register of
Alerting Authorities and aggregators such as Google Public Alerts read): one
entry per published alert, linking to the alert's XML with type
``application/cap+xml``. The feed is a plain function of the published alerts
(:func:`dashboard.alerts.service.published_alerts`), so it never sees a draft.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from lxml import etree
from sqlalchemy.orm import Session

from dashboard import registry
from dashboard.alerts.service import AlertView, alert_url, published_alerts
from dashboard.i18n import translate

ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MIME = "application/cap+xml"
FEED_MIME = "application/atom+xml"


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str):
    element = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def feed_path(province_code: str | None = None) -> str:
    """Path of the feed under the server: all provinces, or one."""
    return (
        f"/alerts/feed/{province_code}.atom" if province_code else "/alerts/feed.atom"
    )


def atom_feed(
    alerts: Sequence[AlertView],
    base_url: str,
    province_code: str | None = None,
    province_name: str | None = None,
    lang: str = "vi",
    updated: datetime | None = None,
) -> bytes:
    """The Atom feed of *alerts* (published ones; anything else is refused).

    Parameters
    ----------
    alerts
        Published alerts, newest first.
    base_url
        Public root URL of the dashboard (the feed and alerts live under it).
    province_code, province_name
        The feed of one province, or of all when None.
    lang
        Language of the feed's title (entries carry both headlines).
    updated
        Feed update time; default the newest publication (or now when empty).

    Raises
    ------
    ValueError
        When an alert is not published: drafts never reach a feed.
    """
    unpublished = [a.identifier for a in alerts if a.state != "published"]
    if unpublished:
        raise ValueError(f"not published: {', '.join(unpublished)}")
    root = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    root.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    self_url = base_url.rstrip("/") + feed_path(province_code)
    scope = (
        province_name or province_code or translate("alerts.feed.all_provinces", lang)
    )
    _sub(root, "id", self_url)
    _sub(root, "title", translate("alerts.feed.title", lang, scope=scope))
    stamps = [a.published_at for a in alerts if a.published_at is not None]
    newest = updated or (max(stamps) if stamps else datetime.now(UTC))
    _sub(root, "updated", _rfc3339(newest))
    _sub(root, "link", rel="self", href=self_url, type=FEED_MIME)
    author = _sub(root, "author")
    _sub(author, "name", alerts[0].sender if alerts else "dashboard")
    for alert in alerts:
        url = alert_url(base_url, alert.identifier)
        entry = _sub(root, "entry")
        _sub(entry, "id", url)
        _sub(entry, "title", f"{alert.headline_vi} / {alert.headline_en}")
        published = alert.published_at or alert.sent
        _sub(entry, "updated", _rfc3339(published))
        _sub(entry, "published", _rfc3339(published))
        entry_author = _sub(entry, "author")
        _sub(entry_author, "name", alert.sender)
        _sub(entry, "link", rel="alternate", href=url, type=CAP_MIME)
        for term in (alert.cap_status, alert.msg_type, alert.severity):
            _sub(entry, "category", term=term)
        _sub(
            entry,
            "summary",
            f"{alert.headline_en} ({alert.cap_status}, {alert.msg_type}; "
            f"{alert.severity}, {alert.urgency}, {alert.certainty}; "
            f"{alert.commune_count} communes; expires {_rfc3339(alert.expires)})",
        )
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


def published_feed(
    session: Session,
    base_url: str,
    province_code: str | None = None,
    lang: str = "vi",
    limit: int = 100,
) -> bytes:
    """The feed served at :func:`feed_path` (public: published alerts only).

    Raises
    ------
    KeyError
        For an unknown province code.
    """
    name = None
    if province_code is not None:
        names = registry.provinces().set_index("province_code")["province_name"]
        if province_code not in names.index:
            raise KeyError(f"no province {province_code!r}")
        name = str(names[province_code])
    alerts = published_alerts(session, province_code, limit=limit)
    return atom_feed(alerts, base_url, province_code, name, lang=lang)
