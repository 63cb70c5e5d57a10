"""Page: provincial readiness: activate plans, the board, progress, exports.

Nothing here is cached across reruns: the board is one ``GROUP BY`` query per
run, so a tick made on any app server sharing the store shows at once.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard import scenario
from dashboard.auth import Principal, Role, is_staff
from dashboard.core.clock import Clock
from dashboard.core.errors import DashboardError
from dashboard.delegations import list_delegations
from dashboard.delegations.rules import presence_by_commune
from dashboard.events import active_events, open_event_for_forecast
from dashboard.geo import layers
from dashboard.plans.activation import (
    activate_plans,
    apply_forecast,
    exposures,
    planned_communes,
    propose_communes,
)
from dashboard.plans.export import board_csv, board_xlsx
from dashboard.plans.model import PILLARS, PROFILES, split_profiles
from dashboard.plans.profiles import guess_profiles
from dashboard.plans.readiness import (
    national_summary,
    progress_over_time,
    province_board,
    province_totals,
)
from dashboard.plans.templates import (
    ensure_starter,
    export_template,
    import_template,
    list_templates,
)
from dashboard.ui import cache, session
from dashboard.ui.components.province_picker import pick_province
from dashboard.ui.errors import error_message, show_error
from dashboard.ui.format import UPLOAD_LIMIT_MB, local_time, wind_level
from dashboard.ui.markdown import escape
from dashboard.ui.session import t


@st.cache_resource(show_spinner=False, max_entries=4)
def _profiles(version: str) -> dict[str, frozenset[str]]:
    """Guessed profiles per boundary layer (geography only, never plan data)."""
    return guess_profiles(cache.commune_points(version))


def _profile_label(text: str) -> str:
    return ", ".join(t(f"readiness.profile.{x}") for x in split_profiles(text))


def _activation(p: Principal, province: str, sc: scenario.Scenario) -> int | None:
    """Activation controls; returns the event to show."""
    ctx = cache.context()
    infos = scenario.shown_forecasts(ctx, sc)
    with ctx.sessions() as db:
        events = active_events(db, is_drill=sc.is_drill)
    if not infos and not events:
        st.info(t("readiness.no_storm"))
        return None
    info = infos[0] if infos else None
    event_id = events[0].id if events else None
    if len(events) > 1:
        event_id = st.selectbox(
            t("plans.event"),
            [e.id for e in events],
            format_func=lambda i: next(e.name for e in events if e.id == i),
            key="readiness_event",
            placeholder=t("ui.choose"),
        )
    if info is None:
        return event_id
    version = layers.current_layer(ctx).version
    table = cache.exposure(info.id, version, sc.clock_utc)
    with st.expander(t("readiness.activate"), icon=":material/playlist_add:"):
        st.caption(t("readiness.activate.help"))
        proposed = propose_communes(table, _profiles(version), province)
        done: list[str] = []
        if event_id is not None:
            with ctx.sessions() as db:
                done = planned_communes(db, p, event_id, province)
        proposed = proposed[~proposed["commune_code"].isin(done)]
        if proposed.empty:
            st.caption(t("readiness.activate.none"))
        else:
            view = pd.DataFrame(
                {
                    "pick": True,
                    "commune": proposed["commune_name"],
                    "wind": proposed["max_wind_level"].map(wind_level),
                    "eta": proposed["level6_eta_utc"].map(local_time),
                    "profiles": [
                        [x for x in PROFILES if x in split_profiles(s)]
                        for s in proposed["profiles"]
                    ],
                }
            )
            chosen = st.data_editor(
                view,
                key=f"activate_{province}_{info.id}",
                hide_index=True,
                num_rows="fixed",
                disabled=["commune", "wind", "eta"],
                column_config={
                    "pick": st.column_config.CheckboxColumn(
                        t("readiness.activate.pick")
                    ),
                    "commune": t("readiness.col.commune"),
                    "wind": t("readiness.col.wind"),
                    "eta": t("readiness.col.eta"),
                    "profiles": st.column_config.MultiselectColumn(
                        t("readiness.activate.profiles"),
                        options=list(PROFILES),
                        format_func=lambda x: t(f"readiness.profile.{x}"),
                    )
                    if hasattr(st.column_config, "MultiselectColumn")
                    else st.column_config.ListColumn(t("readiness.activate.profiles")),
                },
            )
            picked = proposed[chosen["pick"].to_numpy()]
            profiles = {
                c: frozenset(x or [])
                for c, x in zip(
                    proposed["commune_code"], chosen["profiles"], strict=True
                )
            }
            if st.button(
                t("readiness.activate.button", count=len(picked)),
                type="primary",
                disabled=picked.empty,
                key="activate_button",
            ):
                try:
                    bar = st.progress(
                        0.0,
                        text=t(
                            "readiness.activate.progress", done=0, total=len(picked)
                        ),
                    )

                    def show(done: int, total: int) -> None:
                        bar.progress(
                            done / total if total else 1.0,
                            text=t(
                                "readiness.activate.progress", done=done, total=total
                            ),
                        )

                    with ctx.transaction() as db:
                        ensure_starter(db)
                        if event_id is None:
                            event_id = open_event_for_forecast(db, p, info.id).id
                        created = activate_plans(
                            db,
                            p,
                            event_id,
                            exposures(picked).values(),
                            {c: profiles[c] for c in picked["commune_code"]},
                            progress=show,
                            batch_size=25,
                        )
                    bar.empty()
                    st.success(t("readiness.activate.done", count=len(created)))
                except DashboardError as exc:
                    show_error(exc)
        if event_id is not None and st.button(
            t("readiness.apply_forecast"), key="apply_forecast"
        ):
            with ctx.transaction() as db:
                moved = apply_forecast(db, p, event_id, info.id, table)
            st.success(t("readiness.apply_forecast.done", count=len(moved)))
    return event_id


def _board(p: Principal, event_id: int, province: str, clock: Clock) -> None:
    ctx = cache.context()
    with ctx.sessions() as db:
        board = province_board(db, p, event_id, province, clock)
        progress = progress_over_time(db, p, event_id, province)
        presence = presence_by_commune(
            (d.status, d.commune_codes)
            for d in list_delegations(db, p, province, event_id)
        )
    st.subheader(t("readiness.board"))
    st.caption(t("readiness.score_help"))
    if board.empty:
        st.info(t("plans.no_communes"))
        return
    overall, _pillars = province_totals(board)
    st.markdown(
        t(
            "readiness.total",
            percent=round(100 * (overall or 0)),
            communes=len(board),
            overdue=int(board["overdue"].sum()),
        )
    )
    cols = st.columns(3)
    risks = cols[0].multiselect(
        t("readiness.filter.risk"),
        sorted(board["risk_level"].unique()),
        format_func=lambda r: t(f"risk.{int(r)}"),
        key="readiness_risk",
        placeholder=t("ui.choose_many"),
    )
    pillar = cols[1].selectbox(
        t("readiness.filter.pillar"),
        [None, *PILLARS],
        format_func=lambda x: (
            t("readiness.filter.pillar_all") if x is None else t(f"plans.pillar.{x}")
        ),
        key="readiness_pillar",
        placeholder=t("ui.choose"),
    )
    overdue_only = cols[2].toggle(
        t("readiness.filter.overdue"), key="readiness_overdue"
    )
    rows = board
    if risks:
        rows = rows[rows["risk_level"].isin(risks)]
    if overdue_only:
        rows = rows[rows["overdue"] > 0]
    if pillar:
        rows = rows.sort_values(f"readiness_{pillar}", kind="stable")
    view = pd.DataFrame(
        {
            t("readiness.col.commune"): rows["commune_name"],
            t("readiness.col.score"): rows["score"],
            t("readiness.col.readiness"): (rows["readiness"] * 100).round(0),
            **{
                t(f"plans.pillar.{x}"): (rows[f"readiness_{x}"] * 100).round(0)
                for x in PILLARS
            },
            t("readiness.col.delegation"): rows["commune_code"].map(
                lambda c: t(f"dlg.status.{presence[c]}") if c in presence else "—"
            ),
            t("readiness.col.overdue"): rows["overdue"],
            t("readiness.col.blocked"): rows["blocked"],
            t("readiness.col.wind"): rows["max_wind_level"].map(wind_level),
            t("readiness.col.risk"): rows["risk_level"].map(
                lambda r: t(f"risk.{int(r)}")
            ),
            t("readiness.col.eta"): rows["eta_utc"].map(local_time),
            t("readiness.col.last_update"): rows["last_update"].map(local_time),
            t("readiness.activate.profiles"): rows["profiles"].map(_profile_label),
        }
    )
    percent = st.column_config.ProgressColumn(format="%d%%", min_value=0, max_value=100)
    st.dataframe(
        view,
        hide_index=True,
        key="readiness_board",
        column_config={t("readiness.col.readiness"): percent},
    )
    left, right = st.columns(2)
    left.download_button(
        t("readiness.export.csv"),
        board_csv(rows),
        file_name=f"readiness_{province}.csv",
        mime="text/csv",
        key="export_csv",
    )
    right.download_button(
        t("readiness.export.xlsx"),
        board_xlsx(rows),
        file_name=f"readiness_{province}.xlsx",
        key="export_xlsx",
    )
    st.subheader(t("readiness.chart"))
    if len(progress) < 2:
        st.caption(t("readiness.chart.empty"))
    else:
        chart = progress.assign(
            at=progress["at"].dt.tz_convert("Asia/Ho_Chi_Minh").dt.tz_localize(None),
            readiness=(progress["readiness"] * 100).round(1),
        ).set_index("at")
        st.line_chart(chart, y="readiness", height=220)


def _national(p: Principal, event_id: int, clock: Clock) -> None:
    with cache.context().sessions() as db:
        summary = national_summary(db, p, event_id, clock)
    if summary.empty:
        return
    with st.expander(t("readiness.national"), icon=":material/public:"):
        st.dataframe(
            pd.DataFrame(
                {
                    t("readiness.col.province"): summary["province_name"],
                    t("readiness.col.communes"): summary["communes"],
                    t("readiness.col.readiness"): (summary["readiness"] * 100).round(0),
                    t("readiness.col.overdue"): summary["overdue"],
                    t("readiness.col.blocked"): summary["blocked"],
                }
            ),
            hide_index=True,
            key="national_summary",
        )


def _templates(p: Principal) -> None:
    ctx = cache.context()
    with st.expander(t("readiness.templates"), icon=":material/description:"):
        with ctx.transaction() as db:
            ensure_starter(db)
            templates = list_templates(db)
            texts = {
                x.id: (
                    export_template(db, x.id, "yaml"),
                    export_template(db, x.id, "csv"),
                )
                for x in templates
            }
        for info in templates:
            st.markdown(f"**{escape(info.name)}** · {info.n_tasks} · v{info.version}")
            a, b = st.columns(2)
            a.download_button(
                t("readiness.templates.download_yaml"),
                texts[info.id][0],
                file_name=f"{info.name}.yaml",
                key=f"tpl_yaml_{info.id}",
            )
            b.download_button(
                t("readiness.templates.download_csv"),
                texts[info.id][1],
                file_name=f"{info.name}.csv",
                key=f"tpl_csv_{info.id}",
            )
        if p.role is not Role.ADMIN or p.is_demo:
            return  # templates are national: real admins only import them
        with st.form("template_import", clear_on_submit=True):
            upload = st.file_uploader(
                t("readiness.templates.upload"),
                type=["yaml", "yml", "csv"],
                help=t("ui.upload_limit", mb=UPLOAD_LIMIT_MB),
                max_upload_size=UPLOAD_LIMIT_MB,
            )
            name = st.text_input(t("readiness.templates.name"))
            sent = st.form_submit_button(t("readiness.templates.import"))
        if sent and upload is not None:
            fmt = "csv" if upload.name.lower().endswith(".csv") else "yaml"
            try:
                with ctx.transaction() as db:
                    import_template(db, p, upload.getvalue(), fmt, name=name or None)
                st.success(t("readiness.templates.imported"))
            except DashboardError as exc:
                st.error(t("readiness.templates.error", message=error_message(exc)))


def render() -> None:
    st.title(t("page.readiness"))
    p = session.principal()
    if p is None or not is_staff(p):
        st.info(t("readiness.signin"))
        return
    ctx = cache.context()
    with ctx.sessions() as db:
        sc = scenario.current(db, clock=datetime.now(UTC))
    province = pick_province(p, "readiness_province", label_key="plans.province")
    event_id = _activation(p, province, sc)
    if event_id is None:
        return
    _board(p, event_id, province, sc.clock_utc)
    _national(p, event_id, sc.clock_utc)
    _templates(p)


if __name__ == "__main__":  # run as a page by st.navigation
    render()
