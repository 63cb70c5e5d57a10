"""Demo mode: one account per role on Hưng Yên (province 33), struck by Wipha
in July 2025, and its coastal commune Đồng Châu (13003).

These accounts carry ``is_demo``; with demo mode off none of them can sign in
(:func:`dashboard.accounts.authenticate` refuses them), and the app shows the
banner listing them only in demo mode. Their passwords are public on purpose:
they are printed in the banner.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.accounts import NewUser, create_user
from dashboard.auth import SYSTEM, Role
from dashboard.store.models.core import User

DEMO_PROVINCE = "33"
DEMO_COMMUNE = "13003"

DEMO_ACCOUNTS: tuple[NewUser, ...] = (
    NewUser("demo-admin", "Quản trị (demo)", "demo-admin-pw", Role.ADMIN, is_demo=True),
    NewUser(
        "demo-province",
        "Ban Chỉ huy tỉnh Hưng Yên (demo)",
        "demo-province-pw",
        Role.PROVINCE,
        province_codes=frozenset({DEMO_PROVINCE}),
        is_demo=True,
    ),
    NewUser(
        "demo-commune",
        "UBND xã Đồng Châu (demo)",
        "demo-commune-pw",
        Role.COMMUNE,
        commune_code=DEMO_COMMUNE,
        is_demo=True,
    ),
    NewUser(
        "demo-volunteer",
        "Đoàn viên tình nguyện (demo)",
        "demo-volunteer-pw",
        Role.VOLUNTEER,
        is_demo=True,
    ),
)


def seed_demo_accounts(session: Session) -> list[str]:
    """Create the demo accounts that do not exist yet; return their usernames."""
    existing = set(session.scalars(select(User.username)))
    created = []
    for account in DEMO_ACCOUNTS:
        if account.username not in existing:
            create_user(session, SYSTEM, account)
            created.append(account.username)
    return created
