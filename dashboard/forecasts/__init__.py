"""Forecast history: storing advisories, polling feeds, product uploads.

May import: store, auth, audit, storms, context.
"""

from dashboard.forecasts.polling import FeedOutcome, poll_due, poll_feed, poll_feeds
from dashboard.forecasts.store import (
    DRILL_PREFIX,
    FeedStatusInfo,
    StoredForecastInfo,
    canonical_json,
    feed_statuses,
    forecast,
    history,
    latest_forecasts,
    payload_sha256,
    store_forecasts,
)
from dashboard.forecasts.uploads import ingest_product

__all__ = [
    "DRILL_PREFIX",
    "FeedOutcome",
    "FeedStatusInfo",
    "StoredForecastInfo",
    "canonical_json",
    "feed_statuses",
    "forecast",
    "history",
    "ingest_product",
    "latest_forecasts",
    "payload_sha256",
    "poll_due",
    "poll_feed",
    "poll_feeds",
    "store_forecasts",
]
