"""Page: the weekly report to the Ministry (province staff; admins also see the
national roll-up).

Everything goes through the services (:mod:`dashboard.reports.weekly`,
:mod:`dashboard.reports.forwards`), which check the role themselves.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard import feedback
from dashboard.auth import Principal, Role
from dashboard.core.clock import Clock
from dashboard.core.errors import Conflict, DashboardError
from dashboard.core.time import VIETNAM_OFFSET
from dashboard.reports import weekly, weekly_render
from dashboard.reports.forwards import MINISTRIES, forward_to_ministry
from dashboard.ui import cache, clock, session
from dashboard.ui.components.province_picker import pick_province
from dashboard.ui.errors import show_error
from dashboard.ui.markdown import escape
from dashboard.ui.session import t

WEEKS_BACK = 8


def _weeks(clock: Clock) -> list[str]:
    """The current ISO week and the ones before it, newest first."""
    return [
        weekly.current_iso_week(clock - timedelta(weeks=k)) for k in range(WEEKS_BACK)
    ]


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _category(code: str) -> str:
    return t(f"weekly.category.{code}")


def _summary_box(p: Principal, province: str, week: str) -> None:
    ctx = cache.context()
    with ctx.sessions() as db:
        note = weekly.get_summary(db, p, province, week)
    st.subheader(t("weekly.page.summary"))
    if note is not None:
        st.caption(t("weekly.page.summary_saved", user=escape(note.updated_by)))
    text = st.text_area(
        t("weekly.page.summary_help"),
        value=note.text if note else "",
        max_chars=weekly.MAX_SUMMARY,
        key=f"weekly_summary_{province}_{week}",
    )
    if st.button(t("weekly.page.save"), key="weekly_save"):
        try:
            with ctx.transaction() as db:
                weekly.save_summary(
                    db, p, province, week, text, note.version if note else None
                )
        except Conflict:
            st.error(t("weekly.page.conflict"))
        except DashboardError as exc:
            show_error(exc)
        else:
            st.success(t("weekly.page.saved"))
            st.rerun()


def _forward_box(p: Principal, province: str) -> None:
    ctx = cache.context()
    with ctx.sessions() as db:
        items = feedback.list_items(
            db,
            p,
            province_code=province,
            statuses=("received", "assigned", "answered"),
        )
    st.subheader(t("weekly.page.forward"))
    if not items:
        st.caption(t("weekly.page.forward_none"))
        return
    with st.form("weekly_forward"):
        item_id = st.selectbox(
            t("weekly.page.forward_item"),
            [i.id for i in items],
            placeholder=t("ui.choose"),
            format_func=lambda i: next(
                f"#{x.id} · {x.commune_name} · {x.title}" for x in items if x.id == i
            ),
        )
        ministry = st.selectbox(
            t("weekly.page.forward_ministry"), MINISTRIES, placeholder=t("ui.choose")
        )
        note = st.text_input(t("weekly.page.forward_note"))
        if st.form_submit_button(t("weekly.page.forward_submit")):
            try:
                with ctx.transaction() as db:
                    forward_to_ministry(db, p, int(item_id), ministry, note)
            except DashboardError as exc:
                show_error(exc)
            else:
                st.success(t("weekly.page.forwarded", ministry=escape(ministry)))


def _report(p: Principal, province: str, week: str) -> None:
    ctx = cache.context()
    try:
        with ctx.sessions() as db:
            report = weekly.weekly_report(db, p, province, week)
    except DashboardError as exc:
        show_error(exc)
        return
    totals = report.totals
    cols = st.columns(5)
    for col, key in zip(
        cols, ("raised", "answered", "forwarded", "open"), strict=False
    ):
        col.metric(t(f"weekly.col.{key}"), totals[key])
    cols[4].metric(t("weekly.page.median_hours"), _hours(report.median_hours_to_answer))
    st.caption(
        t(
            "weekly.page.mean_hours",
            hours=escape(_hours(report.mean_hours_to_answer)),
            count=len(report.answer_hours),
        )
    )

    frame = report.frame()
    if frame.empty:
        st.info(t("weekly.page.empty"))
    else:
        frame["category"] = frame["category"].map(_category)
        st.dataframe(
            frame.rename(columns={c: t(f"weekly.col.{c}") for c in frame.columns}),
            hide_index=True,
        )
    st.subheader(t("weekly.page.oldest"))
    if report.oldest_unanswered:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "#": o.id,
                        t("weekly.col.commune_name"): o.commune_name,
                        t("weekly.col.category"): _category(o.category),
                        t("weekly.col.title"): o.title,
                        t("weekly.col.days"): round(o.age_hours / 24, 1),
                    }
                    for o in report.oldest_unanswered
                ]
            ),
            hide_index=True,
        )
    else:
        st.caption(t("weekly.page.oldest_none"))
    if report.forwarded_items:
        st.subheader(t("weekly.page.forwarded_list"))
        for f in report.forwarded_items:
            st.markdown(
                f"- #{escape(str(f.item_id))} · {escape(f.commune_name)} · {escape(f.title)} "
                f"→ **{escape(f.ministry)}**"
            )

    st.subheader(t("weekly.page.zalo"))
    st.code(weekly_render.to_text(report), language=None, wrap_lines=True)
    buttons = st.columns(4)
    for column, fmt in zip(buttons, ("docx", "pdf", "xlsx", "txt"), strict=True):
        column.download_button(
            t(f"weekly.page.download_{fmt}"),
            weekly_render.render(report, fmt),
            file_name=weekly_render.file_name(report, fmt),
            mime=weekly_render.FORMATS[fmt][0],
            key=f"weekly_download_{fmt}",
        )


def _national(p: Principal, week: str) -> None:
    ctx = cache.context()
    with ctx.sessions() as db:
        rollup = weekly.national_rollup(db, p, week)
    totals = rollup.totals
    cols = st.columns(4)
    for col, key in zip(cols, ("raised", "answered", "forwarded", "open"), strict=True):
        col.metric(t(f"weekly.col.{key}"), totals[key])
    frame = rollup.frame.rename(
        columns={c: t(f"weekly.rollup.{c}") for c in rollup.frame.columns}
    )
    st.dataframe(frame, hide_index=True)
    st.code(weekly_render.rollup_to_text(rollup), language=None, wrap_lines=True)
    st.download_button(
        t("weekly.page.download_xlsx"),
        weekly_render.rollup_to_xlsx(rollup),
        file_name=f"bao_cao_tuan_toan_quoc_{week}.xlsx",
        mime=weekly_render.FORMATS["xlsx"][0],
        key="weekly_rollup_xlsx",
    )


def render() -> None:
    st.title(t("page.weekly_report"))
    p = session.principal()
    if p is None or p.role not in (Role.ADMIN, Role.PROVINCE):
        st.info(t("weekly.page.not_allowed"))
        return
    st.caption(t("weekly.page.intro"))
    now = clock.now()  # the drill clock during a drill
    week = st.selectbox(
        t("weekly.page.week"),
        _weeks(now),
        placeholder=t("ui.choose"),
        index=1,
        format_func=lambda w: f"{w} ({_week_label(w)})",
        key="weekly_week",
    )
    if p.role is Role.ADMIN:
        national, one = st.tabs([t("weekly.page.national"), t("weekly.page.province")])
        with national:
            _national(p, week)
    else:
        one = st.container()
    with one:
        province = pick_province(
            p, "weekly_province", label_key="weekly.page.province_select"
        )
        _report(p, province, week)
        _summary_box(p, province, week)
        _forward_box(p, province)


def _week_label(iso_week: str) -> str:
    start, _ = weekly.week_bounds(iso_week)
    first = (start + VIETNAM_OFFSET).date()
    return f"{first:%d/%m} – {first + timedelta(days=6):%d/%m/%Y}"


if __name__ == "__main__":  # run as a page by st.navigation
    render()
