"""Page (admin, province staff): forecast sources, uploads, the NCHMF bulletin form."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import forecasts
from dashboard.core.errors import DashboardError
from dashboard.storms import feeds
from dashboard.storms.parsers import FORMATS, nchmf
from dashboard.ui import cache, session
from dashboard.ui.errors import error_message
from dashboard.ui.format import UPLOAD_LIMIT_MB, local_time, product_label
from dashboard.ui.markdown import escape
from dashboard.ui.session import t


def _feeds() -> None:
    st.subheader(t("forecasts.feeds"))
    ctx = cache.context()
    if st.button(t("forecasts.fetch_now"), icon=":material/sync:"):
        with st.spinner(t("forecasts.fetching")):
            outcomes = forecasts.poll_feeds(ctx, feeds.load_feeds())
        for outcome in outcomes:
            if outcome.ok:
                st.success(
                    t(
                        "forecasts.fetched",
                        feed=escape(outcome.feed),
                        new=len(outcome.new_ids),
                    )
                )
            else:
                st.error(
                    t(
                        "forecasts.fetch_failed",
                        feed=escape(outcome.feed),
                        error=escape(outcome.error),
                    )
                )
    with ctx.sessions() as db:
        statuses = forecasts.feed_statuses(db)
    if not statuses:
        st.caption(t("forecasts.never_fetched"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("forecasts.col.feed"): [s.feed for s in statuses],
                t("forecasts.col.last_success"): [
                    local_time(s.last_success_at) for s in statuses
                ],
                t("forecasts.col.last_attempt"): [
                    local_time(s.last_attempt_at) for s in statuses
                ],
                t("forecasts.col.failures"): [s.consecutive_failures for s in statuses],
                t("forecasts.col.error"): [s.last_error or "" for s in statuses],
            }
        ),
        hide_index=True,
    )


def _store(data: bytes, name: str, fmt: str | None) -> None:
    try:
        with cache.context().transaction() as db:
            ids = forecasts.ingest_product(
                db, session.principal(), data, name, format=fmt
            )
    except DashboardError as exc:
        st.error(t("forecasts.refused", reason=error_message(exc)))
        return
    st.success(t("forecasts.stored", count=len(ids)))


def _upload() -> None:
    st.subheader(t("forecasts.upload"))
    st.caption(t("forecasts.upload_help"))
    upload = st.file_uploader(
        t("forecasts.upload_file"),
        key="forecast_file",
        help=t("ui.upload_limit", mb=UPLOAD_LIMIT_MB),
        max_upload_size=UPLOAD_LIMIT_MB,
    )
    fmt = st.selectbox(
        t("forecasts.format"),
        [None, *FORMATS],
        format_func=lambda f: t("forecasts.detect") if f is None else f,
        key="forecast_format",
        placeholder=t("ui.choose"),
    )
    if upload is not None and st.button(t("forecasts.store"), type="primary"):
        _store(upload.getvalue(), upload.name, fmt)


def _nchmf_form() -> None:
    st.subheader(t("forecasts.nchmf"))
    st.caption(t("forecasts.nchmf_help"))
    st.download_button(
        t("forecasts.template"),
        nchmf.template_csv().encode("utf-8"),
        file_name="nchmf_bulletin_template.csv",
        mime="text/csv",
    )
    empty = pd.DataFrame(
        {column: pd.Series(dtype="string") for column in nchmf.COLUMNS}
    )
    edited = st.data_editor(
        empty,
        num_rows="dynamic",
        key="nchmf_rows",
        hide_index=True,
        column_config={
            column: st.column_config.TextColumn(t(f"forecasts.nchmf.col.{column}"))
            for column in nchmf.COLUMNS
        },
    )
    if st.button(t("forecasts.nchmf_save"), key="nchmf_save"):
        rows = edited.dropna(how="all")
        if rows.empty:
            st.error(t("forecasts.nchmf_empty"))
            return
        _store(rows.to_csv(index=False).encode("utf-8"), "nchmf_form.csv", "nchmf")


def _history() -> None:
    st.subheader(t("forecasts.history"))
    with cache.context().sessions() as db:
        latest = forecasts.latest_forecasts(db)
        rows = [
            info for storm in latest for info in forecasts.history(db, storm.storm_id)
        ]
    if not rows:
        st.caption(t("forecasts.none_stored"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("forecasts.col.storm"): [r.storm_name for r in rows],
                t("forecasts.col.source"): [r.source for r in rows],
                t("forecasts.col.product"): [product_label(r.product) for r in rows],
                t("forecasts.col.issued"): [local_time(r.issued_utc) for r in rows],
                t("forecasts.col.received"): [local_time(r.received_at) for r in rows],
                t("forecasts.col.origin"): [r.origin for r in rows],
                t("forecasts.col.drill"): [r.is_drill for r in rows],
            }
        ),
        hide_index=True,
    )


def render() -> None:
    st.title(t("page.forecasts"))
    _feeds()
    _upload()
    _nchmf_form()
    _history()


if __name__ == "__main__":  # run as a page by st.navigation
    render()
