"""Delegation services on both back ends: validation, role scope, transitions,
concurrency, verification, follow-ups, commune confirmation, audit rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from dashboard import delegations as dlg
from dashboard.accounts import principal_of
from dashboard.auth import SYSTEM, Forbidden
from dashboard.core.errors import Conflict
from dashboard.delegations import (
    DelegationDraft,
    DelegationError,
    ExposedCommune,
    MemberInput,
    StopInput,
)
from dashboard.store.models.core import AuditEntry, User
from dashboard.store.models.delegations import (
    Delegation,
    DelegationMember,
    FollowUp,
    TaskVerification,
)
from dashboard.store.models.plans import (
    CommunePlan,
    PlanTask,
    PlanTemplate,
    StormEvent,
)
from tests.support.race import send_twice_at_once

T0 = datetime(2025, 7, 20, 12, 0, tzinfo=UTC)
ETA = datetime(2025, 7, 21, 1, 0, tzinfo=UTC)
DONG_CHAU, HONG_VU, PHO_HIEN = "13003", "13159", "11953"
BA_DINH = "00004"  # Hà Nội

USERS = {
    # username: (role, province codes, commune, disabled, display name)
    "lead33": ("province", "33", None, False, "Nguyễn Thị Hương"),
    "lead33b": ("province", "33", None, False, "Trần Văn Bình"),
    "lead33x": ("province", "33", None, True, "Tài khoản đã khóa"),
    "staff01": ("province", "01", None, False, "Ban Chỉ huy Hà Nội"),
    "dongchau": ("commune", "", DONG_CHAU, False, "UBND xã Đồng Châu"),
    "phohien": ("commune", "", PHO_HIEN, False, "UBND phường Phố Hiến"),
    "volunteer": ("volunteer", "", None, False, "Đoàn viên"),
    "admin": ("admin", "", None, False, "Quản trị"),
}


class World:
    """Accounts, a storm event, Đồng Châu's plan with two tasks, principals."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        with ctx.transaction() as s:
            for name, (role, codes, commune, disabled, display) in USERS.items():
                s.add(
                    User(
                        username=name,
                        display_name=display,
                        password_hash="-",
                        role=role,
                        province_codes=codes,
                        commune_code=commune,
                        disabled=disabled,
                        created_at=T0,
                    )
                )
            event = StormEvent(
                name="Bão số 3 (Wipha)",
                storm_id="2025197N14131",
                is_drill=True,
                status="active",
                created_at=T0,
                created_by="system",
            )
            template = PlanTemplate(
                name="Ven biển", updated_at=T0, updated_by="system", version=1
            )
            s.add_all([event, template])
            s.flush()
            plan = CommunePlan(
                event_id=event.id,
                commune_code=DONG_CHAU,
                province_code="33",
                template_id=template.id,
                eta_utc=ETA,
                risk_level=3,
                activated_at=T0,
                activated_by="system",
                updated_at=T0,
            )
            other = CommunePlan(
                event_id=event.id,
                commune_code=PHO_HIEN,
                province_code="33",
                template_id=template.id,
                eta_utc=ETA,
                activated_at=T0,
                activated_by="system",
                updated_at=T0,
            )
            s.add_all([plan, other])
            s.flush()
            tasks = [
                self._task(plan, 1, "Kêu gọi tàu thuyền vào nơi tránh trú"),
                self._task(plan, 2, "Sơ tán hộ dân ở nhà yếu"),
                self._task(other, 1, "Kiểm tra đê"),
            ]
            s.add_all(tasks)
            s.flush()
            self.event_id = event.id
            self.task_ids = [t.id for t in tasks]
            self.p = {
                name: principal_of(s.scalar(select(User).where(User.username == name)))
                for name in USERS
            }

    @staticmethod
    def _task(plan, position, title):
        return PlanTask(
            plan_id=plan.id,
            event_id=plan.event_id,
            commune_code=plan.commune_code,
            province_code="33",
            position=position,
            title_vi=title,
            title_en=title,
            pillar="command",
            priority=1,
            deadline_kind="before_eta",
            offset_hours=-12,
            deadline_utc=ETA - timedelta(hours=12),
            evidence="none",
            status="todo",
            updated_at=T0,
            updated_by="system",
        )


@pytest.fixture
def world(ctx) -> World:
    return World(ctx)


def draft(**changes) -> DelegationDraft:
    base = DelegationDraft(
        name="Đoàn công tác số 1 — Sở Nông nghiệp",
        leader_username="lead33",
        leader_phone="0912 345 678",
        planned_departure_utc=T0 + timedelta(hours=1),
        planned_arrival_utc=T0 + timedelta(hours=3),
        communes=(
            StopInput(DONG_CHAU),
            StopInput(HONG_VU, T0 + timedelta(hours=5)),
        ),
        members=(
            MemberInput("Lê Văn Đức", "Phó đoàn", "+84 98.765.4321"),
            MemberInput("Phạm Thị Ngọc Ánh", "Thư ký", "0243-826-1234"),
        ),
        instructions="Kiểm tra phương án sơ tán; đôn đốc neo đậu tàu thuyền.",
        equipment="Áo phao, loa cầm tay, đèn pin",
        reporting_location="Trụ sở UBND tỉnh",
    )
    return replace(base, **changes)


def create(world, actor="lead33", **changes):
    with world.ctx.transaction() as s:
        return dlg.create_delegation(
            s, world.p[actor], world.event_id, "33", draft(**changes), clock=T0
        )


def count(world, model) -> int:
    with world.ctx.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def audit_rows(world, object_type="delegation", object_id=None):
    with world.ctx.sessions() as s:
        query = select(AuditEntry).where(AuditEntry.object_type == object_type)
        if object_id is not None:
            query = query.where(AuditEntry.object_id == str(object_id))
        return list(s.scalars(query.order_by(AuditEntry.id)))


def call(world, fn, actor, *args, **kwargs):
    with world.ctx.transaction() as s:
        return fn(
            s, world.p[actor] if isinstance(actor, str) else actor, *args, **kwargs
        )


# --------------------------------------------------------------------------
# Create and validate


def test_create_normalises_and_audits(world):
    view = create(world)
    assert view.status == "planned" and view.version == 1
    assert view.leader_name == "Nguyễn Thị Hương"
    assert view.leader_phone == "0912345678"
    assert [m.phone for m in view.members] == ["0987654321", "02438261234"]
    # A stop without its own time takes the delegation's planned arrival.
    assert [(c.commune_code, c.planned_arrival_utc) for c in view.communes] == [
        (DONG_CHAU, T0 + timedelta(hours=3)),
        (HONG_VU, T0 + timedelta(hours=5)),
    ]
    assert view.communes[0].commune_name == "Xã Đồng Châu"
    (row,) = audit_rows(world, object_id=view.id)
    assert row.action == "create" and row.actor == "lead33"
    assert "Lê Văn Đức" in row.new_value
    with world.ctx.sessions() as s:
        again = dlg.get_delegation(s, world.p["lead33"], view.id)
    assert again == view


BAD_DRAFTS = [
    ({"name": "  "}, "required", "name"),
    ({"leader_phone": "12345"}, "bad_phone", "leader_phone"),
    (
        {"members": (MemberInput("Lê Văn Đức", "", "0112345678"),)},
        "bad_phone",
        "member 1 phone",
    ),
    (
        {"members": (MemberInput("A", "", "0912345678"), MemberInput("B", "", ""))},
        "bad_phone",
        "member 2 phone",
    ),
    ({"members": (MemberInput(" ", "", "0912345678"),)}, "required", "member 1 name"),
    (
        {"planned_departure_utc": T0 + timedelta(hours=3)},
        "departure_after_arrival",
        "departure",
    ),
    (
        {"planned_departure_utc": T0 + timedelta(hours=4)},
        "departure_after_arrival",
        "departure",
    ),
    (
        {"planned_return_utc": T0 + timedelta(hours=2)},
        "return_before_arrival",
        "return",
    ),
    (
        {"communes": (StopInput(DONG_CHAU, T0),)},
        "stop_before_departure",
        "communes",
    ),
    (
        {"communes": (StopInput(BA_DINH),)},
        "commune_outside_province",
        "communes",
    ),
    ({"communes": (StopInput("99999"),)}, "unknown_commune", "communes"),
    (
        {"communes": (StopInput(DONG_CHAU), StopInput(DONG_CHAU))},
        "duplicate_commune",
        "communes",
    ),
    ({"communes": ()}, "no_communes", "communes"),
    ({"leader_username": "nobody"}, "leader_unknown", "leader"),
    ({"leader_username": "staff01"}, "leader_not_province", "leader"),
    ({"leader_username": "lead33x"}, "leader_not_province", "leader"),
    ({"leader_username": "dongchau"}, "leader_not_province", "leader"),
    (
        {"planned_arrival_utc": datetime(2025, 7, 20, 15, 0)},
        "naive_time",
        "arrival",
    ),
]


@pytest.mark.parametrize(("changes", "code", "field"), BAD_DRAFTS)
def test_invalid_drafts_are_refused_naming_the_field(world, changes, code, field):
    with pytest.raises(DelegationError) as caught:
        create(world, **changes)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert field in str(caught.value)
    assert count(world, Delegation) == 0
    assert count(world, DelegationMember) == 0
    assert audit_rows(world) == []


def test_unknown_event_is_refused(world):
    with world.ctx.transaction() as s, pytest.raises(DelegationError, match="event"):
        dlg.create_delegation(s, world.p["lead33"], 999, "33", draft())


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("admin", True),
        ("lead33", True),
        ("lead33b", True),
        ("staff01", False),
        ("dongchau", False),
        ("volunteer", False),
    ],
)
def test_only_province_staff_of_the_province_create(world, actor, allowed):
    if allowed:
        assert create(world, actor=actor).created_by == actor
        return
    with pytest.raises(Forbidden):
        create(world, actor=actor)
    assert count(world, Delegation) == 0


@pytest.mark.parametrize("actor", ["staff01", "dongchau", "volunteer"])
def test_outsiders_cannot_change_or_cancel(world, actor):
    view = create(world)
    with pytest.raises(Forbidden):
        call(world, dlg.update_delegation, actor, view.id, 1, draft(name="X"))
    with pytest.raises(Forbidden):
        call(world, dlg.cancel_delegation, actor, view.id, 1, "không cần")
    with pytest.raises(Forbidden):
        call(world, dlg.check_in, actor, view.id, 1)
    assert call(world, dlg.get_delegation, "lead33", view.id).version == 1


def test_update_changes_fields_keeps_confirmations_and_audits(world):
    view = create(world)
    call(world, dlg.confirm_visit, "dongchau", view.id, DONG_CHAU, clock=T0)
    changed = call(
        world,
        dlg.update_delegation,
        "lead33b",
        view.id,
        1,
        draft(
            name="Đoàn số 1 (bổ sung)",
            communes=(StopInput(DONG_CHAU, T0 + timedelta(hours=4)),),
        ),
    )
    assert changed.version == 2 and changed.name == "Đoàn số 1 (bổ sung)"
    assert changed.commune_codes == (DONG_CHAU,)
    assert changed.communes[0].planned_arrival_utc == T0 + timedelta(hours=4)
    assert changed.communes[0].confirmed_by == "dongchau"
    update = audit_rows(world, object_id=view.id)[-1]
    assert update.action == "update" and update.actor == "lead33b"
    assert "Đoàn công tác số 1" in update.old_value
    assert "bổ sung" in update.new_value


# --------------------------------------------------------------------------
# Status transitions


TRANSITION_CASES = [
    # (steps before, final step, expected status or error code)
    ([], "depart", "en_route"),
    ([], "check_in", "on_site"),
    (["depart"], "check_in", "on_site"),
    (["check_in"], "check_out", "returned"),
    (["depart", "check_in"], "check_out", "returned"),
    ([], "cancel", "cancelled"),
    (["depart"], "cancel", "cancelled"),
    ([], "check_out", "bad_transition"),
    (["depart"], "depart", "bad_transition"),
    (["depart"], "check_out", "bad_transition"),
    (["check_in"], "depart", "bad_transition"),
    (["check_in"], "check_in", "bad_transition"),
    (["check_in"], "cancel", "bad_transition"),
    (["check_in", "check_out"], "check_in", "bad_transition"),
    (["check_in", "check_out"], "cancel", "bad_transition"),
    (["cancel"], "depart", "bad_transition"),
    (["cancel"], "check_in", "bad_transition"),
    (["cancel"], "cancel", "bad_transition"),
]


def step(world, name, view):
    actions = {
        "depart": lambda: call(world, dlg.depart, "lead33", view.id, view.version),
        "check_in": lambda: call(world, dlg.check_in, "lead33", view.id, view.version),
        "check_out": lambda: call(
            world, dlg.check_out, "lead33", view.id, view.version, "Đạt yêu cầu"
        ),
        "cancel": lambda: call(
            world,
            dlg.cancel_delegation,
            "lead33",
            view.id,
            view.version,
            "Bão đổi hướng",
        ),
    }
    return actions[name]()


@pytest.mark.parametrize(("before", "final", "expected"), TRANSITION_CASES)
def test_status_transitions(world, before, final, expected):
    view = create(world)
    for name in before:
        view = step(world, name, view)
    if expected in dlg.STATUSES:
        after = step(world, final, view)
        assert after.status == expected
        assert after.version == view.version + 1
        return
    with pytest.raises(DelegationError) as caught:
        step(world, final, view)
    assert caught.value.code == expected
    assert call(world, dlg.get_delegation, "lead33", view.id).status == view.status


def test_check_in_and_out_record_times_findings_and_audit(world):
    view = create(world)
    on_site = call(
        world, dlg.check_in, "lead33", view.id, 1, clock=T0 + timedelta(hours=3)
    )
    assert on_site.checked_in_at == T0 + timedelta(hours=3)
    back = call(
        world,
        dlg.check_out,
        "lead33",
        view.id,
        2,
        "Thiếu 20 áo phao",
        clock=T0 + timedelta(hours=6),
    )
    assert back.status == "returned"
    assert back.checked_out_at == T0 + timedelta(hours=6)
    assert back.findings == "Thiếu 20 áo phao"
    actions = [r.action for r in audit_rows(world, object_id=view.id)]
    assert actions == ["create", "check_in", "check_out"]
    assert "Thiếu 20 áo phao" in audit_rows(world, object_id=view.id)[-1].new_value


@pytest.mark.parametrize(("actor", "allowed"), [("lead33b", False), ("admin", True)])
def test_only_the_leader_checks_in(world, actor, allowed):
    view = create(world)
    if allowed:
        assert call(world, dlg.check_in, actor, view.id, 1).status == "on_site"
        return
    with pytest.raises(Forbidden, match="leader"):
        call(world, dlg.check_in, actor, view.id, 1)


def test_cancel_needs_a_reason(world):
    view = create(world)
    with pytest.raises(DelegationError) as caught:
        call(world, dlg.cancel_delegation, "lead33", view.id, 1, "  ")
    assert caught.value.field == "reason"
    done = call(world, dlg.cancel_delegation, "lead33", view.id, 1, "Bão đổi hướng")
    assert done.cancel_reason == "Bão đổi hướng"
    assert audit_rows(world, object_id=view.id)[-1].reason == "Bão đổi hướng"


def test_returned_delegation_cannot_be_edited(world):
    view = create(world)
    view = call(world, dlg.check_in, "lead33", view.id, 1)
    view = call(world, dlg.check_out, "lead33", view.id, 2)
    with pytest.raises(DelegationError) as caught:
        call(world, dlg.update_delegation, "lead33", view.id, 3, draft())
    assert caught.value.code == "closed"


# --------------------------------------------------------------------------
# Optimistic concurrency


@pytest.mark.parametrize(
    "write",
    [
        lambda w, id_: call(
            w, dlg.update_delegation, "lead33", id_, 1, draft(name="Y")
        ),
        lambda w, id_: call(w, dlg.cancel_delegation, "lead33", id_, 1, "lý do"),
        lambda w, id_: call(w, dlg.check_in, "lead33", id_, 1),
        lambda w, id_: call(w, dlg.depart, "lead33", id_, 1),
    ],
    ids=["update", "cancel", "check_in", "depart"],
)
def test_stale_version_is_refused_and_nothing_written(world, write):
    view = create(world)
    call(world, dlg.update_delegation, "lead33b", view.id, 1, draft(name="Mới"))
    audit_before = len(audit_rows(world))
    with pytest.raises(Conflict) as caught:
        write(world, view.id)
    assert (caught.value.expected, caught.value.current) == (1, 2)
    now = call(world, dlg.get_delegation, "lead33", view.id)
    assert (now.name, now.status, now.version) == ("Mới", "planned", 2)
    assert len(audit_rows(world)) == audit_before


# --------------------------------------------------------------------------
# Reading and the commune side


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("admin", True),
        ("lead33b", True),
        ("dongchau", True),
        ("phohien", False),
        ("staff01", False),
        ("volunteer", False),
    ],
)
def test_read_scope(world, actor, allowed):
    view = create(world)
    if allowed:
        assert call(world, dlg.get_delegation, actor, view.id).id == view.id
        return
    with pytest.raises(Forbidden):
        call(world, dlg.get_delegation, actor, view.id)


def test_commune_lists_only_delegations_covering_it(world):
    mine = create(world)
    create(world, name="Đoàn số 2", communes=(StopInput(PHO_HIEN),))
    seen = call(world, dlg.list_delegations, "dongchau", "33", world.event_id)
    assert [v.id for v in seen] == [mine.id]
    assert len(call(world, dlg.list_delegations, "lead33", "33", world.event_id)) == 2
    with pytest.raises(Forbidden):
        call(world, dlg.list_delegations, "staff01", "33")
    with pytest.raises(Forbidden):
        call(world, dlg.delegations_for_commune, "phohien", DONG_CHAU)


def test_commune_leader_confirms_the_visit(world):
    view = create(world)
    at = T0 + timedelta(hours=3)
    done = call(world, dlg.confirm_visit, "dongchau", view.id, DONG_CHAU, clock=at)
    stop = done.communes[0]
    assert (stop.confirmed_by, stop.confirmed_at) == ("dongchau", at)
    assert done.communes[1].confirmed_at is None
    # A second confirmation keeps the first and writes nothing.
    again = call(world, dlg.confirm_visit, "dongchau", view.id, DONG_CHAU, clock=T0)
    assert again.communes[0].confirmed_at == at
    confirms = [r for r in audit_rows(world) if r.action == "confirm_visit"]
    assert len(confirms) == 1 and confirms[0].actor == "dongchau"


@pytest.mark.parametrize(
    ("actor", "commune", "error"),
    [
        ("lead33", DONG_CHAU, Forbidden),
        ("phohien", DONG_CHAU, Forbidden),
        ("phohien", PHO_HIEN, DelegationError),
        ("volunteer", DONG_CHAU, Forbidden),
    ],
)
def test_only_the_covered_commune_confirms(world, actor, commune, error):
    view = create(world)
    with pytest.raises(error):
        call(world, dlg.confirm_visit, actor, view.id, commune)
    assert all(
        c.confirmed_at is None
        for c in call(world, dlg.get_delegation, "lead33", view.id).communes
    )


def test_cancelled_delegation_cannot_be_confirmed(world):
    view = create(world)
    call(world, dlg.cancel_delegation, "lead33", view.id, 1, "Bão đổi hướng")
    with pytest.raises(DelegationError) as caught:
        call(world, dlg.confirm_visit, "dongchau", view.id, DONG_CHAU)
    assert caught.value.code == "closed"


# --------------------------------------------------------------------------
# Verification of plan tasks


def test_verification_is_separate_from_the_commune_status(world):
    view = create(world)
    first, second, elsewhere = world.task_ids
    with pytest.raises(DelegationError) as caught:
        call(world, dlg.verify_task, "lead33", view.id, first, "verified")
    assert caught.value.code == "not_on_site"
    call(world, dlg.check_in, "lead33", view.id, 1)
    done = call(world, dlg.verify_task, "lead33", view.id, first, "verified", clock=T0)
    assert (done.result, done.verified_by) == ("verified", "lead33")
    call(
        world,
        dlg.verify_task,
        "lead33b",
        view.id,
        second,
        "problem_found",
        "Chưa có danh sách hộ",
    )
    # Changing a verification updates it (one row per task) and is audited.
    call(world, dlg.verify_task, "lead33", view.id, first, "problem_found", "Thiếu tàu")
    with world.ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(TaskVerification)) == 2
        assert {t.status for t in s.scalars(select(PlanTask))} == {"todo"}
    listed = call(world, dlg.tasks_to_verify, "dongchau", view.id, DONG_CHAU)
    assert [(t.id, t.verification.result) for t in listed] == [
        (first, "problem_found"),
        (second, "problem_found"),
    ]
    rows = audit_rows(world, "plan_task", first)
    assert [r.action for r in rows] == ["verify_task", "verify_task"]
    assert '"verified"' in rows[1].old_value and "Thiếu tàu" in rows[1].new_value
    with pytest.raises(DelegationError) as caught:
        call(world, dlg.verify_task, "lead33", view.id, elsewhere, "verified")
    assert caught.value.code == "commune_not_covered"


@pytest.mark.parametrize(
    ("result", "note", "code"),
    [("problem_found", "", "required"), ("ok", "", "bad_result")],
)
def test_verification_rules(world, result, note, code):
    view = create(world)
    call(world, dlg.check_in, "lead33", view.id, 1)
    with pytest.raises(DelegationError) as caught:
        call(world, dlg.verify_task, "lead33", view.id, world.task_ids[0], result, note)
    assert caught.value.code == code
    assert count(world, TaskVerification) == 0


@pytest.mark.parametrize("actor", ["staff01", "dongchau", "volunteer"])
def test_outsiders_cannot_verify(world, actor):
    view = create(world)
    call(world, dlg.check_in, "lead33", view.id, 1)
    with pytest.raises(Forbidden):
        call(world, dlg.verify_task, actor, view.id, world.task_ids[0], "verified")
    assert count(world, TaskVerification) == 0


# --------------------------------------------------------------------------
# Follow-up items


def test_followups_from_raise_to_done(world):
    view = create(world)
    due = T0 + timedelta(hours=8)
    item = call(
        world,
        dlg.raise_followup,
        "lead33",
        view.id,
        DONG_CHAU,
        "Bổ sung 20 áo phao",
        "Sở Nông nghiệp",
        due,
    )
    assert (item.status, item.owner, item.due_utc) == ("open", "Sở Nông nghiệp", due)
    assert item.commune_name == "Xã Đồng Châu"
    board = call(world, dlg.open_followups, "lead33b", "33")
    assert [f.text for f in board] == ["Bổ sung 20 áo phao"]
    assert call(world, dlg.open_followups, "dongchau", "33")[0].id == item.id
    assert call(world, dlg.open_followups, "phohien", "33") == []
    with pytest.raises(Forbidden):
        call(world, dlg.open_followups, "staff01", "33")
    with pytest.raises(Forbidden):
        call(world, dlg.set_followup_status, "phohien", item.id, 1, "done")
    closed = call(world, dlg.set_followup_status, "dongchau", item.id, 1, "done")
    assert closed.status == "done" and closed.version == 2
    assert call(world, dlg.open_followups, "lead33", "33", world.event_id) == []
    with pytest.raises(Conflict):
        call(world, dlg.set_followup_status, "lead33", item.id, 1, "open")
    assert [r.action for r in audit_rows(world, "followup", item.id)] == [
        "create",
        "status",
    ]


@pytest.mark.parametrize(
    ("commune", "text", "owner", "due", "code"),
    [
        (PHO_HIEN, "Việc", "Sở", T0, "commune_not_covered"),
        (DONG_CHAU, " ", "Sở", T0, "required"),
        (DONG_CHAU, "Việc", "", T0, "required"),
        (DONG_CHAU, "Việc", "Sở", datetime(2025, 7, 21), "naive_time"),
    ],
)
def test_followup_rules(world, commune, text, owner, due, code):
    view = create(world)
    with pytest.raises(DelegationError) as caught:
        call(world, dlg.raise_followup, "lead33", view.id, commune, text, owner, due)
    assert caught.value.code == code
    assert count(world, FollowUp) == 0


def test_outsiders_cannot_raise_followups(world):
    view = create(world)
    for actor in ("staff01", "dongchau", "volunteer"):
        with pytest.raises(Forbidden):
            call(world, dlg.raise_followup, actor, view.id, DONG_CHAU, "x", "y", T0)
    assert count(world, FollowUp) == 0


# --------------------------------------------------------------------------
# Coverage through the store


def test_coverage_warnings_follow_the_delegations(world):
    exposed = [
        ExposedCommune(DONG_CHAU, 3, ETA, "Xã Đồng Châu"),
        ExposedCommune(HONG_VU, 3, T0 + timedelta(hours=4), "Xã Hồng Vũ"),
        ExposedCommune(PHO_HIEN, 1, None, "Phường Phố Hiến"),
    ]

    def kinds():
        warnings = call(world, dlg.coverage, "lead33", world.event_id, "33", exposed, 3)
        return sorted((w.kind, w.commune_code) for w in warnings)

    assert kinds() == [("uncovered", DONG_CHAU), ("uncovered", HONG_VU)]
    first = create(world)  # reaches Hồng Vũ at T0+5h, after its level-6 ETA (T0+4h)
    assert kinds() == [("into_storm", HONG_VU)]
    create(
        world,
        name="Đoàn số 2",
        communes=(StopInput(DONG_CHAU),),
        planned_departure_utc=T0 + timedelta(hours=2),
    )
    assert ("leader_overlap", None) in kinds()
    call(world, dlg.cancel_delegation, "lead33", first.id, 1, "Đổi kế hoạch")
    assert kinds() == [("uncovered", HONG_VU)]
    with pytest.raises(Forbidden):
        call(world, dlg.coverage, "dongchau", world.event_id, "33", exposed, 3)


def test_ensure_event_reuses_the_active_event(world):
    assert call(
        world, dlg.ensure_event, "lead33", "2025197N14131", "Wipha", None, True
    ) == (world.event_id)
    new = call(world, dlg.ensure_event, SYSTEM, "OTHER", "Bão khác", is_drill=False)
    assert new != world.event_id
    with world.ctx.sessions() as s:
        assert dlg.find_event(s, "OTHER") == new
    assert audit_rows(world, "storm_event", new)[0].action == "create"
    with pytest.raises(Forbidden):
        call(world, dlg.ensure_event, "dongchau", "THIRD", "x")


def test_leader_candidates_are_active_province_accounts(world):
    assert [u for u, _ in call(world, dlg.leader_candidates, "lead33", "33")] == [
        "lead33",
        "lead33b",
    ]
    with pytest.raises(Forbidden):
        call(world, dlg.leader_candidates, "dongchau", "33")


def test_a_delegation_arriving_before_the_clock_is_refused(world):
    """Issue 15: a delegation entirely in 2020 was accepted and counted as
    coverage; its arrival must not come before the scenario clock."""
    old = datetime(2020, 1, 1, 1, 0, tzinfo=UTC)
    with pytest.raises(DelegationError) as caught:
        create(
            world,
            planned_departure_utc=old,
            planned_arrival_utc=old + timedelta(hours=2),
            communes=(StopInput(DONG_CHAU),),
        )
    assert (caught.value.code, caught.value.field) == ("arrival_in_past", "arrival")
    assert count(world, Delegation) == 0


# --------------------------------------------------------------------------
# A resend of the same draft is stored once

KEY = "0b9f3c1e-7d2a-4c5b-9e8f-1a2b3c4d5e6f"
OTHER_KEY = "5d6e7f80-1a2b-4c3d-8e9f-0a1b2c3d4e5f"


def raise_keyed(world, session, key, actor="lead33", text="Bổ sung 20 áo phao"):
    return dlg.raise_followup(
        session,
        world.p[actor],
        world.delegation_id,
        DONG_CHAU,
        text,
        "Sở Nông nghiệp",
        T0 + timedelta(hours=8),
        client_key=key,
    )


@pytest.fixture
def keyed(world) -> World:
    world.delegation_id = create(world).id
    return world


def test_a_followup_sent_twice_with_one_key_is_stored_once(keyed):
    with keyed.ctx.transaction() as s:
        first = raise_keyed(keyed, s, KEY)
    with keyed.ctx.transaction() as s:
        again = raise_keyed(keyed, s, KEY)
    assert again == first
    assert count(keyed, FollowUp) == 1
    assert len(audit_rows(keyed, "followup")) == 1


def test_followups_with_two_keys_or_none_are_each_stored(keyed):
    with keyed.ctx.transaction() as s:
        ids = {
            raise_keyed(keyed, s, KEY).id,
            raise_keyed(keyed, s, OTHER_KEY).id,
            raise_keyed(keyed, s, None).id,
            raise_keyed(keyed, s, None).id,
        }
    assert len(ids) == 4 == count(keyed, FollowUp)
    assert len(audit_rows(keyed, "followup")) == 4


def test_a_followup_key_belongs_to_its_author(keyed):
    with keyed.ctx.transaction() as s:
        mine = raise_keyed(keyed, s, KEY)
        theirs = raise_keyed(keyed, s, KEY, actor="lead33b")
    assert mine.id != theirs.id and theirs.created_by == "lead33b"


def test_two_sends_of_one_followup_at_once_store_one(keyed):
    first, second = send_twice_at_once(
        keyed.ctx, "delegation_followups", lambda s: raise_keyed(keyed, s, KEY)
    )
    assert second.id == first.id
    assert count(keyed, FollowUp) == 1
    assert len(audit_rows(keyed, "followup")) == 1


def test_findings_sent_again_are_not_written_again(world):
    """A resend of stored findings (even naming the version it was typed
    against, now stale) changes nothing and is not audited twice."""
    view = create(world)
    call(world, dlg.check_in, "lead33", view.id, 1)
    stored = call(world, dlg.record_findings, "lead33b", view.id, 2, "Thiếu 20 áo")
    again = call(world, dlg.record_findings, "lead33b", view.id, 2, " Thiếu 20 áo ")
    assert again.version == stored.version == 3
    assert [r.action for r in audit_rows(world, object_id=view.id)] == [
        "create",
        "check_in",
        "findings",
    ]
    with pytest.raises(Conflict):  # other findings on a stale version
        call(world, dlg.record_findings, "lead33b", view.id, 2, "Khác")
