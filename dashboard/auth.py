"""Roles, the signed-in principal, and the authorization rules.

Every service function takes the acting :class:`Principal` and calls one of the
``require_*`` checks below before touching the store. The UI only *reflects*
these rules (it hides what a role cannot do); hiding is never the protection.

Roles
-----
``admin``
    Everything, everywhere.
``province``
    Provincial command staff, scoped to one or more province codes.
``commune``
    A commune leader, scoped to exactly one commune code.
``volunteer``
    Youth-union volunteer: reads the outreach library, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dashboard import registry
from dashboard.core.errors import Forbidden


class Role(StrEnum):
    ADMIN = "admin"
    PROVINCE = "province"
    COMMUNE = "commune"
    VOLUNTEER = "volunteer"


@dataclass(frozen=True)
class Principal:
    """Who is acting: a signed-in user, or the command line (``system``)."""

    username: str
    role: Role
    display_name: str = ""
    province_codes: frozenset[str] = frozenset()
    commune_code: str | None = None
    user_id: int | None = None
    is_demo: bool = False

    @property
    def commune_province(self) -> str | None:
        if self.commune_code is None:
            return None
        return str(registry.commune(self.commune_code)["province_code"])

    def home_provinces(self) -> frozenset[str]:
        """Provinces this principal works in (empty for admin: all)."""
        if self.role is Role.PROVINCE:
            return self.province_codes
        if self.role is Role.COMMUNE and self.commune_province:
            return frozenset({self.commune_province})
        return frozenset()


#: The operator at the command line, who administers the installation.
SYSTEM = Principal(username="system", role=Role.ADMIN, display_name="command line")


def can_read_province(p: Principal, province_code: str) -> bool:
    if p.role is Role.ADMIN:
        return True
    if p.role is Role.PROVINCE:
        return province_code in p.province_codes
    if p.role is Role.COMMUNE:
        return p.commune_province == province_code
    return False


def can_manage_province(p: Principal, province_code: str) -> bool:
    """Create or change province-level things: plans, delegations, templates."""
    if p.role is Role.ADMIN:
        return True
    return p.role is Role.PROVINCE and province_code in p.province_codes


def can_read_commune(p: Principal, commune_code: str) -> bool:
    if p.role is Role.COMMUNE:
        return p.commune_code == commune_code
    province = str(registry.commune(commune_code)["province_code"])
    return can_read_province(p, province)


def can_work_commune(p: Principal, commune_code: str) -> bool:
    """Tick tasks and report for a commune: its leader, its province, admin."""
    if p.role is Role.COMMUNE:
        return p.commune_code == commune_code
    province = str(registry.commune(commune_code)["province_code"])
    return can_manage_province(p, province)


def require(allowed: bool, what: str) -> None:
    """Raise :class:`Forbidden` naming *what* when not *allowed*."""
    if not allowed:
        raise Forbidden(f"not allowed: {what}")


def is_staff(p: Principal) -> bool:
    """Admins and province staff: the command centre's roles."""
    return p.role in (Role.ADMIN, Role.PROVINCE)


def require_staff(p: Principal, what: str) -> None:
    """Raise :class:`Forbidden` unless *p* is admin or province staff."""
    require(is_staff(p), what)


def require_admin(p: Principal, what: str) -> None:
    require(p.role is Role.ADMIN, f"{what} (needs the admin role, you are {p.role})")


def require_read_commune(p: Principal, commune_code: str) -> None:
    require(can_read_commune(p, commune_code), f"read commune {commune_code}")


def require_work_commune(p: Principal, commune_code: str) -> None:
    require(can_work_commune(p, commune_code), f"change commune {commune_code}")


def require_manage_province(p: Principal, province_code: str) -> None:
    require(can_manage_province(p, province_code), f"manage province {province_code}")


def validate_scope(
    role: Role, province_codes: frozenset[str], commune_code: str | None
) -> None:
    """Check that a user's scope fits the role and names real places.

    Raises
    ------
    ValueError
        Naming the wrong value.
    """
    known_provinces = registry.province_codes()
    if role is Role.PROVINCE:
        if not province_codes:
            raise ValueError("a province account needs at least one province code")
        unknown = sorted(province_codes - known_provinces)
        if unknown:
            raise ValueError(f"unknown province code(s): {', '.join(unknown)}")
    elif province_codes:
        raise ValueError(f"a {role} account takes no province codes")
    if role is Role.COMMUNE:
        if not commune_code:
            raise ValueError("a commune account needs a commune code")
        if commune_code not in registry.commune_codes():
            raise ValueError(f"unknown commune code: {commune_code}")
    elif commune_code:
        raise ValueError(f"a {role} account takes no commune code")
