"""Authorization rules: roles and scopes."""

from __future__ import annotations

import pytest

from dashboard.auth import (
    SYSTEM,
    Forbidden,
    Principal,
    Role,
    can_manage_province,
    can_read_commune,
    can_read_province,
    can_work_commune,
    require_work_commune,
    validate_scope,
)

ADMIN = SYSTEM
HUNG_YEN = Principal("hy", Role.PROVINCE, province_codes=frozenset({"33"}))
TWO_PROVINCES = Principal("two", Role.PROVINCE, province_codes=frozenset({"22", "31"}))
DONG_CHAU = Principal("dc", Role.COMMUNE, commune_code="13003")  # Hưng Yên
TRA_DOC = Principal("td", Role.COMMUNE, commune_code="20920")  # Đà Nẵng
VOLUNTEER = Principal("v", Role.VOLUNTEER)

# (principal, commune, can read, can work)
COMMUNE_RULES = [
    (ADMIN, "13003", True, True),
    (ADMIN, "20920", True, True),
    (HUNG_YEN, "13003", True, True),
    (HUNG_YEN, "12862", True, True),
    (HUNG_YEN, "20920", False, False),
    (TWO_PROVINCES, "06978", True, True),  # Ba Chẽ, Quảng Ninh
    (TWO_PROVINCES, "13003", False, False),
    (DONG_CHAU, "13003", True, True),
    (DONG_CHAU, "12862", False, False),  # a neighbour in the same province
    (TRA_DOC, "13003", False, False),
    (VOLUNTEER, "13003", False, False),
]


@pytest.mark.parametrize(("who", "commune", "read", "work"), COMMUNE_RULES)
def test_commune_rules(who, commune, read, work):
    assert can_read_commune(who, commune) is read
    assert can_work_commune(who, commune) is work


@pytest.mark.parametrize(
    ("who", "province", "read", "manage"),
    [
        (ADMIN, "48", True, True),
        (HUNG_YEN, "33", True, True),
        (HUNG_YEN, "22", False, False),
        (TWO_PROVINCES, "31", True, True),
        (DONG_CHAU, "33", True, False),  # a commune reads its province, manages nothing
        (VOLUNTEER, "33", False, False),
    ],
)
def test_province_rules(who, province, read, manage):
    assert can_read_province(who, province) is read
    assert can_manage_province(who, province) is manage


def test_denial_names_the_object():
    with pytest.raises(Forbidden, match="change commune 12862"):
        require_work_commune(DONG_CHAU, "12862")


@pytest.mark.parametrize(
    ("role", "provinces", "commune", "message"),
    [
        (Role.PROVINCE, frozenset(), None, "at least one province"),
        (Role.PROVINCE, frozenset({"99"}), None, "unknown province code.*99"),
        (Role.COMMUNE, frozenset(), None, "needs a commune code"),
        (Role.COMMUNE, frozenset(), "06970", "unknown commune code: 06970"),
        (Role.VOLUNTEER, frozenset({"33"}), None, "takes no province codes"),
        (Role.ADMIN, frozenset(), "13003", "takes no commune code"),
    ],
)
def test_scope_must_fit_the_role(role, provinces, commune, message):
    with pytest.raises(ValueError, match=message):
        validate_scope(role, provinces, commune)


def test_home_provinces():
    assert DONG_CHAU.home_provinces() == {"33"}
    assert TWO_PROVINCES.home_provinces() == {"22", "31"}
    assert ADMIN.home_provinces() == frozenset()
