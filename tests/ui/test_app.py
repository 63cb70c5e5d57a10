"""Every page as every role, with Streamlit's AppTest (no browser)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from dashboard.auth import Principal, Role
from dashboard.bootstrap import open_context
from dashboard.config import load_settings
from dashboard.i18n import translate
from dashboard.store.models.core import User
from dashboard.ui.navigation import PAGES, PAGES_BY_ROLE
from tests.support.helpers import REPO_ROOT

APP = str(REPO_ROOT / "dashboard" / "app.py")

PRINCIPALS: dict[str, Principal | None] = {
    "anonymous": None,
    "admin": Principal("demo-admin", Role.ADMIN, "Quản trị (demo)", is_demo=True),
    "province": Principal(
        "demo-province", Role.PROVINCE, "Ban Chỉ huy", province_codes=frozenset({"33"})
    ),
    "two_provinces": Principal(
        "qn-hp",
        Role.PROVINCE,
        "Quảng Ninh + Hải Phòng",
        province_codes=frozenset({"22", "31"}),
    ),
    "commune": Principal("demo-commune", Role.COMMUNE, "UBND xã", commune_code="13003"),
    "volunteer": Principal("demo-volunteer", Role.VOLUNTEER, "Đoàn viên"),
}

CASES = [
    (who, key)
    for who, principal in PRINCIPALS.items()
    for key in PAGES_BY_ROLE[principal.role if principal else None]
]


pytestmark = pytest.mark.usefixtures("ui_environment")


def open_app(principal: Principal | None, lang: str = "vi") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if principal is not None:
        at.session_state["auth.principal"] = principal
    at.session_state["lang"] = lang
    return at.run()


def open_page(principal: Principal | None, key: str, lang: str = "vi") -> AppTest:
    at = open_app(principal, lang)
    at.switch_page(str(PAGES[key].path.relative_to(REPO_ROOT / "dashboard")))
    return at.run()


@pytest.mark.parametrize(("who", "key"), CASES)
def test_every_page_runs_for_every_role(who, key):
    at = open_page(PRINCIPALS[who], key)
    assert not at.exception, at.exception
    assert at.title[0].value == translate(PAGES[key].title_key, "vi")


@pytest.mark.parametrize(
    ("who", "key"),
    [
        (who, key)
        for who, principal in PRINCIPALS.items()
        for key in PAGES
        if key not in PAGES_BY_ROLE[principal.role if principal else None]
    ],
)
def test_pages_outside_the_role_are_not_registered(who, key):
    at = open_app(PRINCIPALS[who])
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page(str(PAGES[key].path.relative_to(REPO_ROOT / "dashboard")))


def test_english_titles():
    at = open_page(PRINCIPALS["admin"], "users", lang="en")
    assert at.title[0].value == "Accounts"


def test_demo_banner_lists_the_accounts_when_signed_out():
    at = open_app(None)
    banner = at.warning[0].value
    assert "DEMO" in banner
    for username in ("demo-admin", "demo-province", "demo-commune", "demo-volunteer"):
        assert username in banner


def test_sign_in_form_signs_in_and_refuses_a_wrong_password():
    at = open_page(None, "map")
    at.text_input(key="signin_username").input("demo-commune")
    at.text_input(key="signin_password").input("wrong password")
    at.button[0].click().run()
    assert at.error[0].value == translate("signin.error.bad_credentials")
    assert "auth.principal" not in at.session_state

    at.text_input(key="signin_password").input("demo-commune-pw")
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["auth.principal"].commune_code == "13003"


def test_signed_out_landing_is_the_sign_in_form_and_a_storm_line_without_map():
    at = open_app(None)
    assert not at.exception
    assert at.title[0].value == translate("page.signin")
    assert at.text_input(key="signin_username") is not None
    assert any("WIPHA" in m.value for m in at.markdown)
    assert not at.get("component_instance")  # no map component


def test_map_list_view_skips_the_map_and_is_remembered():
    at = open_page(PRINCIPALS["admin"], "map")
    assert at.get("component_instance")
    at.toggle(key="map_list_view").set_value(True).run()
    assert not at.exception
    assert not at.get("component_instance")
    assert at.session_state["map_list_view_saved"] is True


def test_commune_leader_map_shows_their_commune():
    at = open_page(PRINCIPALS["commune"], "map")
    assert any("Xã Đồng Châu" in s.value for s in at.subheader)


def test_search_without_diacritics_on_the_map_page():
    at = open_page(PRINCIPALS["admin"], "map")
    at.text_input(key="map_search").input("tra doc").run()
    table = next(d.value for d in at.dataframe if "commune_name" in d.value.columns)
    assert "Xã Trà Đốc" in set(table["commune_name"])


# A real admin: demo accounts cannot create accounts (tests/security/test_demo.py).
REAL_ADMIN = Principal("root", Role.ADMIN, "Quản trị")


def test_admin_adds_an_account_through_the_form():
    at = open_page(REAL_ADMIN, "users")
    form_inputs = at.text_input
    form_inputs[0].input("hoa.tran")
    form_inputs[1].input("Trần Thị Hoa")
    at.selectbox[0].select("commune")
    form_inputs[3].input("12862")
    form_inputs[4].input("a long enough password")
    at.button[0].click().run()
    assert not at.exception
    assert not at.error, at.error[0].value
    ctx = open_context(load_settings())
    with ctx.sessions() as session:
        user = session.scalar(select(User).where(User.username == "hoa.tran"))
    assert user is not None and user.commune_code == "12862"


def test_wrong_value_in_the_account_form_names_the_problem():
    at = open_page(REAL_ADMIN, "users")
    at.text_input[0].input("bad.commune")
    at.text_input[1].input("Someone")
    at.selectbox[0].select("commune")
    at.text_input[3].input("99999")
    at.text_input[4].input("a long enough password")
    at.button[0].click().run()
    assert "99999" in at.error[0].value
