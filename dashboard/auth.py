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

Revocation
----------
A principal signed in through :mod:`dashboard.accounts` carries the
account's version stamp (``users.auth_version``), its session id and a
*verifier* bound to the store it came from. Every check below that takes a
principal (``can_*``, ``is_staff``, ``require_*``) first calls
:func:`require_active`, which re-reads the account and the session and raises
:class:`Forbidden` with the key ``errors.signed_out`` when the account was
disabled, deleted, re-scoped, given a new password, or the session was
revoked, expired or left idle. Every service authorises through these checks,
so a disabled account stops working at its next service call, in every open
tab. The answer is memoised for :data:`RECHECK_SECONDS` per principal, and
forgotten at once when this process commits a revocation
(:func:`note_revocation`), so only another server process can lag, by at
most that long.

Demo accounts (``is_demo``) read and tick but never administer:
:func:`require_not_demo` refuses them with ``errors.demo_readonly``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
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
    #: ``users.auth_version`` when the principal was made.
    auth_version: int = 0
    #: The browser session behind this principal (None outside the app).
    session_id: str | None = None
    #: Signed in while the installation ran in demo mode.
    demo_mode: bool = False
    #: Re-reads the account; raises Forbidden when it no longer holds.
    verifier: Callable[[Principal], None] | None = field(
        default=None, compare=False, repr=False
    )

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

#: How long a successful check of one principal is trusted (other processes).
RECHECK_SECONDS = 2.0

_memo: dict[tuple[object, ...], tuple[float, int]] = {}
_memo_lock = threading.Lock()
_generation = 0


def note_revocation() -> None:
    """Forget every memoised check (called after a revocation is committed)."""
    global _generation
    with _memo_lock:
        _generation += 1
        _memo.clear()


def signed_out(what: str) -> Forbidden:
    return Forbidden(
        f"not allowed: {what} (the account or session is no longer valid)",
        key="errors.signed_out",
    )


def require_active(p: Principal) -> None:
    """Refuse a principal whose account or session no longer holds.

    The command line (no ``user_id``) is always active. A user's principal
    without a verifier cannot be checked and is refused (fail closed).
    """
    if p.user_id is None:
        return
    if p.verifier is None:
        raise signed_out("unverifiable principal")
    key = (p.user_id, p.auth_version, p.session_id, p.demo_mode, id(p.verifier))
    now = time.monotonic()
    with _memo_lock:
        seen = _memo.get(key)
        generation = _generation
    if seen is not None and seen[1] == generation and now - seen[0] < RECHECK_SECONDS:
        return
    p.verifier(p)
    with _memo_lock:
        if generation == _generation:
            _memo[key] = (now, generation)


def can_read_province(p: Principal, province_code: str) -> bool:
    require_active(p)
    if p.role is Role.ADMIN:
        return True
    if p.role is Role.PROVINCE:
        return province_code in p.province_codes
    if p.role is Role.COMMUNE:
        return p.commune_province == province_code
    return False


def can_manage_province(p: Principal, province_code: str) -> bool:
    """Create or change province-level things: plans, delegations, templates."""
    require_active(p)
    if p.role is Role.ADMIN:
        return True
    return p.role is Role.PROVINCE and province_code in p.province_codes


def can_read_commune(p: Principal, commune_code: str) -> bool:
    require_active(p)
    if p.role is Role.COMMUNE:
        return p.commune_code == commune_code
    province = str(registry.commune(commune_code)["province_code"])
    return can_read_province(p, province)


def can_work_commune(p: Principal, commune_code: str) -> bool:
    """Tick tasks and report for a commune: its leader, its province, admin."""
    require_active(p)
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
    require_active(p)
    return p.role in (Role.ADMIN, Role.PROVINCE)


def require_staff(p: Principal, what: str) -> None:
    """Raise :class:`Forbidden` unless *p* is admin or province staff."""
    require(is_staff(p), what)


def require_admin(p: Principal, what: str) -> None:
    require_active(p)
    require(p.role is Role.ADMIN, f"{what} (needs the admin role, you are {p.role})")


def require_not_demo(p: Principal, what: str) -> None:
    """Refuse demo accounts: they read and tick, they never administer."""
    require_active(p)
    if p.is_demo:
        raise Forbidden(
            f"not allowed: {what} (demo accounts cannot change the installation)",
            key="errors.demo_readonly",
        )


def require_installation_admin(p: Principal, what: str) -> None:
    """Accounts, national templates, the installation's mode and drill clock:
    a real (non-demo) admin only."""
    require_not_demo(p, what)
    require_admin(p, what)


def require_read_province(p: Principal, province_code: str) -> None:
    require(can_read_province(p, province_code), f"read province {province_code}")


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
