"""Page: after-action review — which communes were ready when the wind came,
and the damage form.

Province staff and admins see the per-commune review of a storm event (and
export it); they and commune leaders fill in the damage form (a leader only
for their own commune). Volunteers are turned away.

The services check every role themselves.
"""

from __future__ import annotations

import streamlit as st

from dashboard import registry
from dashboard.aar import damage as dmg
from dashboard.aar import review
from dashboard.auth import Principal, Role
from dashboard.core.errors import Conflict, DashboardError
from dashboard.store.models.aar import DAMAGE_FIELDS
from dashboard.ui import cache, session
from dashboard.ui.components.province_picker import pick_province
from dashboard.ui.errors import show_error
from dashboard.ui.markdown import escape
from dashboard.ui.session import t

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _review(p: Principal, province: str, event_id: int, event_name: str) -> None:
    threshold = st.slider(
        t("aar.page.threshold"),
        min_value=50,
        max_value=100,
        value=int(review.READY_THRESHOLD * 100),
        step=5,
        key="aar_threshold",
    )
    ctx = cache.context()
    try:
        with ctx.sessions() as db:
            frame = review.after_action(
                db, p, province, event_id, threshold=threshold / 100
            )
    except DashboardError as exc:
        show_error(exc)
        return
    if frame.empty:
        st.info(t("aar.page.empty"))
        return
    s = review.summary(frame)
    cols = st.columns(4)
    cols[0].metric(t("aar.page.ready"), s["ready"])
    cols[1].metric(t("aar.page.not_ready"), s["not_ready"])
    cols[2].metric(t("aar.page.unknown"), s["unknown"])
    cols[3].metric(t("aar.col.people_evacuated"), s["people_evacuated"])
    if s["not_ready"]:
        names = frame.loc[frame["ready_in_time"] == False, "commune_name"]  # noqa: E712
        st.warning(t("aar.page.not_ready_list", communes=escape(", ".join(names))))
    lang = session.lang()
    st.dataframe(review.export_frame(frame, lang), hide_index=True)
    title = f"{event_name} – {registry.provinces().set_index('province_code').loc[province, 'province_name']}"
    csv_col, xlsx_col = st.columns(2)
    csv_col.download_button(
        t("aar.page.csv"),
        review.to_csv(frame, lang),
        file_name=f"rut_kinh_nghiem_{province}_{event_id}.csv",
        mime="text/csv",
        key="aar_csv",
    )
    xlsx_col.download_button(
        t("aar.page.xlsx"),
        review.to_xlsx(frame, lang, title=title),
        file_name=f"rut_kinh_nghiem_{province}_{event_id}.xlsx",
        mime=XLSX_MIME,
        key="aar_xlsx",
    )


def _damage_form(p: Principal, event_id: int, communes: list[str]) -> None:
    st.subheader(t("aar.page.damage"))
    if not communes:
        st.caption(t("aar.page.no_commune"))
        return
    names = registry.communes().set_index("commune_code")["commune_name"]
    commune = (
        communes[0]
        if len(communes) == 1
        else st.selectbox(
            t("aar.page.commune"),
            communes,
            placeholder=t("ui.choose"),
            format_func=lambda c: names.get(c, c),
            key="aar_commune",
        )
    )
    ctx = cache.context()
    with ctx.sessions() as db:
        current = dmg.get_damage(db, p, event_id, commune)
    if current is not None:
        st.caption(
            t(
                "aar.page.reported_by",
                user=escape(current.reported_by),
                version=escape(str(current.version)),
            )
        )
    with st.form(f"aar_damage_{event_id}_{commune}"):
        values = {
            name: st.number_input(
                t(f"aar.col.{name}"),
                min_value=0,
                max_value=dmg.MAX_COUNT,
                step=1,
                value=int(getattr(current, name)) if current else 0,
            )
            for name in DAMAGE_FIELDS
        }
        notes = st.text_area(
            t("aar.col.damage_notes"),
            value=current.notes if current else "",
            max_chars=dmg.MAX_NOTES,
        )
        if st.form_submit_button(t("aar.page.save"), type="primary"):
            try:
                with ctx.transaction() as db:
                    dmg.record_damage(
                        db,
                        p,
                        event_id,
                        commune,
                        notes=notes,
                        expected_version=current.version if current else None,
                        **values,
                    )
            except Conflict:
                st.error(t("aar.page.conflict"))
            except DashboardError as exc:
                show_error(exc)
            else:
                st.success(t("aar.page.saved"))


def render() -> None:
    st.title(t("page.after_action"))
    p = session.principal()
    if p is None or p.role is Role.VOLUNTEER:
        st.info(t("aar.page.not_allowed"))
        return
    st.caption(t("aar.page.intro"))
    ctx = cache.context()
    with ctx.sessions() as db:
        events = review.recent_events(db)
    if not events:
        st.info(t("aar.page.no_event"))
        return
    labels = {
        e[0]: e[1] + (f" ({t('aar.page.drill')})" if e[2] else "") for e in events
    }
    event_id = st.selectbox(
        t("aar.page.event"),
        list(labels),
        placeholder=t("ui.choose"),
        format_func=labels.get,
        key="aar_event",
    )
    if p.role is Role.COMMUNE:
        _damage_form(p, event_id, [p.commune_code] if p.commune_code else [])
        return
    province = pick_province(p, "aar_province", label_key="aar.page.province")
    _review(p, province, event_id, labels[event_id])
    communes = sorted(
        registry.communes()
        .loc[lambda f: f["province_code"] == province, "commune_code"]
        .tolist()
    )
    _damage_form(p, event_id, communes)


if __name__ == "__main__":  # run as a page by st.navigation
    render()
