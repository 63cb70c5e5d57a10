"""Issue 11, finding 2: demo mode must not leak into a real installation.

Demo accounts read and tick but never create, enable or change accounts,
templates or the installation's mode; what is created in demo mode is demo
and refused once demo mode is off; ``dashboard run`` is a real installation
unless asked for the demo.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from dashboard import accounts, cli, scenario
from dashboard.accounts import NewUser, SignInError
from dashboard.auth import Forbidden, Role
from dashboard.plans import tasks
from dashboard.plans.templates import (
    export_template,
    import_template,
    list_templates,
    save_template,
    template_tasks,
)
from dashboard.scenario.drill import DRILL_CLOCK
from dashboard.store.models.core import User
from dashboard.store.models.plans import PlanTask
from tests.support.auth import add_user, counts, sign_in
from tests.support.helpers import REPO_ROOT

NEW_ADMIN = NewUser("mallory", "Backdoor admin", "a long enough password", Role.ADMIN)


def _demo(demo_ctx, username: str):
    return sign_in(demo_ctx, username, f"{username}-pw", demo_mode=True)


def _readonly(info) -> None:
    assert info.value.key == "errors.demo_readonly"


def test_the_demo_admin_cannot_create_an_admin(demo_ctx):
    admin = _demo(demo_ctx, "demo-admin")
    before = counts(demo_ctx)
    with pytest.raises(Forbidden) as info, demo_ctx.transaction() as session:
        accounts.create_user(session, admin, NEW_ADMIN)
    _readonly(info)
    assert counts(demo_ctx) == before


@pytest.mark.parametrize(
    "action",
    [
        lambda s, p: accounts.set_disabled(s, p, "demo-commune", True),
        lambda s, p: accounts.set_disabled(s, p, "demo-commune", False),
        lambda s, p: accounts.update_user(s, p, "demo-volunteer", role=Role.ADMIN),
        lambda s, p: accounts.set_password(s, p, "demo-province", "a new password!"),
        lambda s, p: accounts.revoke_user_sessions(s, p, "demo-province"),
    ],
    ids=["disable", "enable", "promote", "password", "revoke"],
)
def test_the_demo_admin_cannot_change_accounts(demo_ctx, action):
    admin = _demo(demo_ctx, "demo-admin")
    before = counts(demo_ctx)
    with pytest.raises(Forbidden) as info, demo_ctx.transaction() as session:
        action(session, admin)
    _readonly(info)
    assert counts(demo_ctx) == before


@pytest.mark.parametrize("who", ["demo-admin", "demo-province"])
def test_demo_accounts_cannot_change_the_national_template(demo_ctx, who):
    actor = _demo(demo_ctx, who)
    with demo_ctx.sessions() as session:
        starter = list_templates(session)[0]
        text = export_template(session, starter.id, "yaml")
        before = template_tasks(session, starter.id)
    with pytest.raises(Forbidden), demo_ctx.transaction() as session:
        save_template(session, actor, starter.name, before[:1])
    with pytest.raises(Forbidden), demo_ctx.transaction() as session:
        import_template(session, actor, text, "yaml", name="copy")
    with demo_ctx.sessions() as session:
        assert template_tasks(session, starter.id) == before
        assert [t.name for t in list_templates(session)] == [starter.name]


def test_the_demo_admin_cannot_switch_the_installation_to_live(demo_ctx):
    admin = _demo(demo_ctx, "demo-admin")
    with pytest.raises(Forbidden) as info, demo_ctx.transaction() as session:
        scenario.set_live(session, admin)
    _readonly(info)
    with pytest.raises(Forbidden), demo_ctx.transaction() as session:
        scenario.set_drill_clock(session, admin, DRILL_CLOCK)
    with demo_ctx.sessions() as session:
        assert scenario.current(session).is_drill


def test_the_demo_commune_leader_still_reads_and_ticks(demo_ctx):
    leader = _demo(demo_ctx, "demo-commune")
    with demo_ctx.sessions() as session:
        task = session.scalar(
            select(PlanTask)
            .where(PlanTask.commune_code == leader.commune_code)
            .order_by(PlanTask.id)
            .limit(1)
        )
    with demo_ctx.transaction() as session:
        done = tasks.update_task(
            session, leader, task.id, task.version, status="in_progress"
        )
    assert done.status == "in_progress"


def test_an_account_created_in_demo_mode_is_demo_and_dies_with_it(demo_ctx):
    """A real admin signed in while demo mode is on creates an account: it is
    a demo account, refused once demo mode is off."""
    add_user(demo_ctx, "root", Role.ADMIN)
    admin = sign_in(demo_ctx, "root", demo_mode=True)
    with demo_ctx.transaction() as session:
        accounts.create_user(session, admin, NEW_ADMIN)
    with demo_ctx.sessions() as session:
        assert session.scalar(select(User.is_demo).where(User.username == "mallory"))
    with pytest.raises(SignInError) as info:
        sign_in(demo_ctx, "mallory", "a long enough password", demo_mode=False)
    assert info.value.reason == "demo_off"


def test_a_demo_session_is_refused_once_demo_mode_is_off(demo_ctx):
    tab = _demo(demo_ctx, "demo-province")
    token = accounts._serializer("security-test-secret").dumps(tab.session_id)
    with demo_ctx.sessions() as session:
        assert (
            accounts.resume_session(
                session, token, "security-test-secret", demo_mode=False
            )
            is None
        )


def _run_env(argv: list[str], env_demo: str | None) -> str:
    environ = {} if env_demo is None else {"DASHBOARD_DEMO": env_demo}
    args = cli.build_parser().parse_args(["run", *argv])
    return cli.run_environment(args, environ)["DASHBOARD_DEMO"]


@pytest.mark.parametrize(
    ("argv", "env_demo", "expected"),
    [
        ([], None, "0"),  # was "1": the probe's installation started in demo mode
        (["--no-demo"], "1", "0"),
        (["--demo"], None, "1"),
        ([], "1", "1"),
    ],
)
def test_dashboard_run_is_a_real_installation_by_default(argv, env_demo, expected):
    assert _run_env(argv, env_demo) == expected


def test_scripts_run_sh_asks_for_the_demo():
    script = Path(REPO_ROOT / "scripts" / "run.sh").read_text()
    assert "run --headless --demo" in script
