"""The one province picker of every page.

Admins choose any province (or, where a page has a national view, the whole
country); province staff work in their own provinces and get a picker only
when they have several; a commune leader's province is their commune's.
"""

from __future__ import annotations

from functools import cache as memo

import streamlit as st

from dashboard import registry, scenario, situation
from dashboard.auth import Principal, Role
from dashboard.geo import layers
from dashboard.ui import cache
from dashboard.ui.session import t


@memo
def _names() -> dict[str, str]:
    provinces = registry.provinces()
    return dict(
        zip(provinces["province_code"], provinces["province_name"], strict=True)
    )


def province_name(code: str) -> str:
    return _names().get(code, code)


def provinces_of(p: Principal) -> list[str]:
    """The provinces *p* may pick, in registry order for admins."""
    if p.role is Role.ADMIN:
        return list(_names())
    if p.role is Role.COMMUNE:
        return [p.commune_province] if p.commune_province else []
    return sorted(p.province_codes)


def most_exposed_province() -> str | None:
    """The province with the most exposed communes under the storms shown now
    (``None`` without a storm): where a page opens for an admin."""
    ctx = cache.context()
    with ctx.sessions() as db:
        sc = scenario.current(db)
    infos = scenario.shown_forecasts(ctx, sc)
    if not infos:
        return None
    version = layers.current_layer(ctx).version
    counts: dict[str, int] = {}
    for info in infos:
        table = cache.exposure(info.id, version, sc.clock_utc)
        exposed = situation.exposed_communes(table)
        for code in exposed["province_code"]:
            counts[str(code)] = counts.get(str(code), 0) + 1
    return max(counts, key=lambda c: counts[c]) if counts else None


def _safe_most_exposed() -> str | None:
    try:
        return most_exposed_province()
    except Exception:  # pragma: no cover - a page still opens without it
        return None


def pick_province(
    p: Principal | None,
    key: str,
    *,
    label_key: str = "map.province",
    national: bool = False,
    default: str | None = None,
) -> str | None:
    """The province a page works on; ``None`` is the whole country (only with
    *national*, and for admins or a signed-out visitor).

    *default* (e.g. the most exposed province) is preselected when *p* may
    pick it.
    """
    if (
        default is None
        and not national
        and p is not None
        and p.role is not Role.COMMUNE
    ):
        # Land on the most exposed province (among one's own for province
        # staff) rather than the first of the list (Hà Nội).
        default = _safe_most_exposed()
    if p is None or p.role is Role.ADMIN:
        codes: list[str | None] = list(_names()) if p is not None else []
        if national:
            codes = [None, *codes]
        if not codes:
            return None
        index = codes.index(default) if default in codes else 0
        return st.selectbox(
            t(label_key),
            codes,
            index=index,
            format_func=lambda c: t("scope.national") if c is None else _names()[c],
            key=key,
            placeholder=t("ui.choose"),
        )
    codes = provinces_of(p)
    if len(codes) <= 1:
        return codes[0] if codes else None
    index = codes.index(default) if default in codes else 0
    return st.selectbox(
        t(label_key),
        codes,
        index=index,
        format_func=province_name,
        key=key,
        placeholder=t("ui.choose"),
    )
