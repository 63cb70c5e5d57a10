"""The authorisation matrix: every write service × every role, in and out of
scope, and disabled, on SQLite and PostgreSQL.

Each actor is a real signed-in principal (see :mod:`tests.support.auth`).
Each case runs in a session that is rolled back; a refused case must raise
:class:`Forbidden` with the expected message key and leave nothing pending in
the session and nothing new in the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from dashboard import accounts, scenario
from dashboard.accounts import NewUser
from dashboard.auth import Forbidden, Principal, Role
from dashboard.bootstrap import open_context
from dashboard.config import Settings
from dashboard.plans import tasks
from dashboard.plans.templates import (
    ensure_starter,
    export_template,
    import_template,
    save_template,
    template_tasks,
)
from dashboard.scenario.drill import DRILL_CLOCK
from dashboard.store.models.plans import PlanTask
from tests.conftest import new_postgres_database
from tests.support.auth import add_user, counts, disable, sign_in
from tests.support.plans_helpers import DONG_CHAU, OTHER_33, make_setup

OK = "ok"
FORBIDDEN = "errors.forbidden"
DEMO = "errors.demo_readonly"
GONE = "errors.signed_out"


@dataclass
class World:
    ctx: object
    actors: dict[str, Principal]
    task_id: int
    template_id: int
    template_yaml: str


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def world(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("matrix")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'store.db'}"
    else:
        url = new_postgres_database(request.getfixturevalue("postgres_server"))
    ctx = open_context(
        Settings(data_dir=folder / "data", database_url=url, demo_mode=False)
    )
    setup = make_setup(ctx)
    people = {
        "admin": ("root", Role.ADMIN, {}),
        "demo_admin": ("demo.root", Role.ADMIN, {"is_demo": True}),
        "province_in": ("hy.staff", Role.PROVINCE, {"provinces": ("33",)}),
        "province_out": ("qn.staff", Role.PROVINCE, {"provinces": ("22",)}),
        "commune_in": ("dc.leader", Role.COMMUNE, {"commune": DONG_CHAU}),
        "commune_out": ("th.leader", Role.COMMUNE, {"commune": OTHER_33}),
        "volunteer": ("vol", Role.VOLUNTEER, {}),
        "disabled_admin": ("gone.root", Role.ADMIN, {}),
        "disabled_province": ("gone.staff", Role.PROVINCE, {"provinces": ("33",)}),
        "disabled_commune": ("gone.leader", Role.COMMUNE, {"commune": DONG_CHAU}),
    }
    actors = {}
    for key, (username, role, scope) in people.items():
        add_user(ctx, username, role, **scope)
        actors[key] = sign_in(ctx, username, demo_mode=key == "demo_admin")
    for key in ("disabled_admin", "disabled_province", "disabled_commune"):
        disable(ctx, actors[key].username)
    add_user(ctx, "target", Role.VOLUNTEER)
    with ctx.transaction() as session:
        template_id = ensure_starter(session)
        text = export_template(session, template_id, "yaml")
    task = setup.tasks(ctx, DONG_CHAU)[0]
    yield World(ctx, actors, task.id, template_id, text)
    ctx.engine.dispose()


def _task(world, s, p):
    row = s.get(PlanTask, world.task_id)
    return tasks.update_task(s, p, row.id, row.version, status="in_progress")


#: Every write service, called with the actor on a target in province 33 /
#: commune 13003 (Đồng Châu).
SERVICES: dict[str, Callable] = {
    "accounts.create_user": lambda w, s, p: accounts.create_user(
        s, p, NewUser("newbie", "New", "a long enough password", Role.ADMIN)
    ),
    "accounts.set_disabled": lambda w, s, p: accounts.set_disabled(
        s, p, "target", True
    ),
    "accounts.update_user": lambda w, s, p: accounts.update_user(
        s, p, "target", role=Role.ADMIN
    ),
    "accounts.set_password": lambda w, s, p: accounts.set_password(
        s, p, "target", "a brand new password"
    ),
    "accounts.revoke_user_sessions": lambda w, s, p: accounts.revoke_user_sessions(
        s, p, "target"
    ),
    "templates.save_template": lambda w, s, p: save_template(
        s, p, "storm_starter", template_tasks(s, w.template_id)[:2]
    ),
    "templates.import_template": lambda w, s, p: import_template(
        s, p, w.template_yaml, "yaml", name="copy"
    ),
    "scenario.set_drill_clock": lambda w, s, p: scenario.set_drill_clock(
        s, p, DRILL_CLOCK
    ),
    "scenario.set_live": lambda w, s, p: scenario.set_live(s, p),
    "plans.update_task": _task,
}

ADMIN_ONLY = {name for name in SERVICES if not name.startswith("plans.")}


def expected(service: str, actor: str) -> str:
    if actor.startswith("disabled"):
        return GONE
    if actor == "admin":
        return OK
    if actor == "demo_admin":
        return DEMO if service in ADMIN_ONLY else OK
    if service in ADMIN_ONLY:
        return FORBIDDEN
    # plans.update_task: the commune's leader, its province, admin.
    return OK if actor in {"province_in", "commune_in"} else FORBIDDEN


ACTORS = [
    "admin",
    "demo_admin",
    "province_in",
    "province_out",
    "commune_in",
    "commune_out",
    "volunteer",
    "disabled_admin",
    "disabled_province",
    "disabled_commune",
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("service", sorted(SERVICES))
def test_matrix(world, service, actor):
    want = expected(service, actor)
    principal = world.actors[actor]
    before = counts(world.ctx)
    with world.ctx.sessions() as session:
        if want == OK:
            SERVICES[service](world, session, principal)
            session.rollback()
            return
        with pytest.raises(Forbidden) as info:
            SERVICES[service](world, session, principal)
        assert info.value.key == want, str(info.value)
        assert not (session.new or session.dirty or session.deleted)
        session.rollback()
    assert counts(world.ctx) == before


def test_the_matrix_lists_every_account_template_and_mode_writer():
    """A new write service in these modules must join the matrix."""
    import inspect

    from dashboard.plans import templates
    from dashboard.scenario import clock

    writers = {
        f"accounts.{n}"
        for n in (
            "create_user",
            "set_disabled",
            "update_user",
            "set_password",
            "revoke_user_sessions",
        )
    }
    for module, prefix in ((templates, "templates"), (clock, "scenario")):
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_"):
                source = inspect.getsource(fn)
                if (
                    "require_installation_admin" in source
                    or "_require_editor" in source
                ):
                    writers.add(f"{prefix}.{name}")
    assert writers <= set(SERVICES), sorted(writers - set(SERVICES))


def test_revoke_session_is_admin_only(world):
    target = world.actors["volunteer"]
    for actor in ACTORS:
        if actor == "admin":
            continue
        with world.ctx.sessions() as session, pytest.raises(Forbidden) as info:
            accounts.revoke_session(session, world.actors[actor], target.session_id)
        assert info.value.key == expected("accounts.revoke_user_sessions", actor)
    with world.ctx.sessions() as session:
        listed = accounts.list_sessions(session, world.actors["admin"])
    assert target.session_id in {s.session_id for s in listed}
