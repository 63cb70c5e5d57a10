"""Helpers of the delegations page: running a service call with its message,
the storm, the event and the exposure the page works on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from dashboard import delegations as dlg
from dashboard import scenario, situation
from dashboard.auth import Forbidden, Principal
from dashboard.core.errors import Conflict
from dashboard.core.time import VIETNAM_TZ, to_vietnam_time
from dashboard.forecasts import StoredForecastInfo
from dashboard.geo import layers
from dashboard.i18n import catalog
from dashboard.ui import cache, session
from dashboard.ui.components import drafts
from dashboard.ui.components.province_picker import pick_province
from dashboard.ui.errors import error_message
from dashboard.ui.markdown import escape
from dashboard.ui.session import t

FLASH = "dlg.flash"
RED = "background-color: #ffcdd2; color: #b71c1c"
_MEMBER_FIELD = re.compile(r"^member (\d+) (name|role|phone)$")


# --------------------------------------------------------------------------
# Small helpers


def _field_label(field: str) -> str:
    match = _MEMBER_FIELD.match(field)
    if match:
        return t(f"dlg.field.member_{match.group(2)}", n=match.group(1))
    if field.startswith("arrival at "):
        return t("dlg.field.stop_arrival", commune=field.removeprefix("arrival at "))
    key = f"dlg.field.{field}"
    return t(key) if key in catalog(session.lang()) else field


def _error_text(exc: dlg.DelegationError) -> str:
    key = f"dlg.err.{exc.code}"
    if key not in catalog(session.lang()):
        return error_message(exc)
    params = {k: escape(v) for k, v in exc.params.items()}
    return f"{_field_label(exc.field)}: {t(key, **params)}"


def _run(
    action: Callable[[Session], Any],
    done_key: str,
    stored_drafts: tuple[str, ...] = (),
) -> bool:
    """Run *action* in one transaction; say how it went on the next run.
    On success the browser drops the drafts named *stored_drafts*."""
    try:
        with cache.context().transaction() as db:
            action(db)
    except dlg.DelegationError as exc:
        st.error(_error_text(exc), icon=":material/error:")
        return False
    except Conflict:
        st.warning(t("dlg.stale"), icon=":material/sync_problem:")
        return False
    except Forbidden as exc:
        st.error(error_message(exc), icon=":material/block:")
        return False
    st.session_state[FLASH] = t(done_key)
    drafts.sent(*stored_drafts)
    st.rerun()
    return True


def _flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def _status(status: str) -> str:
    return t(f"dlg.status.{status}")


def _to_utc(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=VIETNAM_TZ).astimezone(UTC)


def _datetime_inputs(label: str, default: datetime, key: str) -> datetime:
    local = to_vietnam_time(default)
    left, right = st.columns(2)
    day = left.date_input(label, value=local.date(), key=f"{key}_date")
    clock = right.time_input(
        t("dlg.form.time"),
        value=local.time().replace(second=0, microsecond=0),
        key=f"{key}_time",
        step=timedelta(minutes=15),
    )
    return _to_utc(day, clock)


def _now(sc: scenario.Scenario) -> datetime:
    """Times recorded by actions: the drill clock in a drill, else the real time."""
    return sc.clock_utc if sc.is_drill else datetime.now(UTC)


# --------------------------------------------------------------------------
# Storm, event, exposure


def _storm(sc: scenario.Scenario) -> StoredForecastInfo | None:
    infos = scenario.shown_forecasts(cache.context(), sc)
    if len(infos) <= 1:
        return infos[0] if infos else None
    return st.selectbox(
        t("storm.choose"),
        infos,
        format_func=lambda i: f"{i.storm_name} ({i.source})",
        key="dlg_storm",
        placeholder=t("ui.choose"),
    )


def _exposure(
    info: StoredForecastInfo, sc: scenario.Scenario, province: str
) -> pd.DataFrame:
    layer = layers.current_layer(cache.context())
    table = cache.exposure(info.id, layer.version, sc.clock_utc)
    return table[table["province_code"] == province]


def _etas(table: pd.DataFrame) -> dict[str, datetime | None]:
    return {
        code: None if pd.isna(eta) else pd.Timestamp(eta).to_pydatetime()
        for code, eta in zip(
            table["commune_code"], table["level6_eta_utc"], strict=True
        )
    }


def _exposed(table: pd.DataFrame) -> list[dlg.ExposedCommune]:
    etas = _etas(table)
    rows = situation.exposed_communes(table)
    return [
        dlg.ExposedCommune(code, int(risk), etas[code], name)
        for code, risk, name in zip(
            rows["commune_code"], rows["risk_level"], rows["commune_name"], strict=True
        )
    ]


def _province(p: Principal) -> str:
    return pick_province(p, "dlg_province") or ""
