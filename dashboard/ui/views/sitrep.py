"""Page: the province situation report ("Báo cáo nhanh") in three formats.

One click builds the report (:func:`dashboard.reports.sitrep.build_sitrep`, the same
services the other pages use); the page shows the short text, ready to copy,
and offers the PDF, the XLSX workbook and the text as downloads. The report is
kept in the session until rebuilt, so downloading does not rebuild it.
"""

from __future__ import annotations

import streamlit as st

from dashboard.auth import is_staff
from dashboard.core.errors import DashboardError
from dashboard.reports.sitrep import (
    Sitrep,
    build_sitrep,
    sitrep_pdf,
    sitrep_text,
    sitrep_xlsx,
    vn_time,
)
from dashboard.ui import cache, session
from dashboard.ui.components.province_picker import pick_province
from dashboard.ui.errors import show_error
from dashboard.ui.session import t

_REPORT = "sitrep_report"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file_stem(report: Sitrep) -> str:
    return (
        f"bao_cao_nhanh_{report.province_code}_{report.generated_vietnam:%Y%m%d_%H%M}"
    )


def render() -> None:
    st.title(t("page.sitrep"))
    p = session.principal()
    if p is None or not is_staff(p):
        st.info(t("sitrep.page.signin"))
        return
    st.caption(t("sitrep.page.intro"))
    province = pick_province(p, "sitrep_province", label_key="sitrep.page.province")
    if st.button(t("sitrep.page.build"), type="primary", key="sitrep_build"):
        try:
            st.session_state[_REPORT] = build_sitrep(cache.context(), p, province)
        except DashboardError as exc:
            show_error(exc)
            return
    report: Sitrep | None = st.session_state.get(_REPORT)
    if report is None or report.province_code != province:
        return
    lang = session.lang()
    text = sitrep_text(report, lang)
    st.success(t("sitrep.page.built", time=vn_time(report.generated_utc)))
    st.caption(t("sitrep.page.text"))
    st.code(text, language=None, wrap_lines=True)
    stem = _file_stem(report)
    pdf, xlsx, txt = st.columns(3)
    pdf.download_button(
        t("sitrep.page.pdf"),
        sitrep_pdf(report, lang),
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        key="sitrep_pdf",
        icon=":material/picture_as_pdf:",
    )
    xlsx.download_button(
        t("sitrep.page.xlsx"),
        sitrep_xlsx(report, lang),
        file_name=f"{stem}.xlsx",
        mime=XLSX_MIME,
        key="sitrep_xlsx",
        icon=":material/table:",
    )
    txt.download_button(
        t("sitrep.page.txt"),
        text.encode("utf-8"),
        file_name=f"{stem}.txt",
        mime="text/plain",
        key="sitrep_txt",
        icon=":material/chat:",
    )


if __name__ == "__main__":  # run as a page by st.navigation
    render()
