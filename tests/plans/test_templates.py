"""Plan templates: the starter set, CSV/YAML round trips, broken files."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dashboard.auth import Forbidden
from dashboard.plans.model import PILLARS, PROFILES
from dashboard.plans.templates import (
    TemplateFormatError,
    ensure_starter,
    export_template,
    import_template,
    parse_csv,
    parse_yaml,
    read_starter,
    save_template,
    template_tasks,
    to_csv,
    to_yaml,
)
from dashboard.store.models.core import AuditEntry
from dashboard.store.models.plans import PlanTemplate, TemplateTask
from tests.support.plans_helpers import ADMIN, COMMUNE, PROVINCE_33, VOLUNTEER


def test_starter_template_covers_every_pillar_and_the_domain_facts():
    name, _, tasks = read_starter()
    assert name == "storm_starter"
    assert 22 <= len(tasks) <= 30
    assert {t.pillar for t in tasks} == set(PILLARS)
    titles = " ".join(t.title_vi for t in tasks)
    for fact in (
        "tàu thuyền",
        "cấm biển",
        "sơ tán",
        "đê",
        "3 ngày",
        "2 lần",
        "Vệ sinh",
    ):
        assert fact in titles, fact
    assert {p for t in tasks for p in t.profiles} == set(PROFILES)
    assert any(t.deadline_kind == "after_storm" for t in tasks)
    assert all(t.evidence_unit for t in tasks if t.evidence == "number")


def test_round_trips_keep_every_field():
    name, description, tasks = read_starter()
    assert parse_csv(to_csv(tasks)) == tasks
    assert parse_yaml(to_yaml(name, description, tasks)) == (name, description, tasks)


GOOD_ROW = (
    "title_vi,title_en,pillar,priority,deadline_kind,offset_hours,evidence,"
    "evidence_unit,profiles\n"
    "Kêu gọi tàu,Call boats,forces,1,before_eta,-24,number,tàu,coastal\n"
)


@pytest.mark.parametrize(
    ("line", "row", "field"),
    [
        ("Tàu,Boats,army,1,before_eta,-24,none,,", 2, "pillar"),
        ("Tàu,Boats,forces,5,before_eta,-24,none,,", 2, "priority"),
        ("Tàu,Boats,forces,1,before_eta,+6,none,,", 2, "offset_hours"),
        ("Tàu,Boats,forces,1,after_storm,-6,none,,", 2, "offset_hours"),
        ("Tàu,Boats,forces,1,soon,-6,none,,", 2, "deadline_kind"),
        ("Tàu,Boats,forces,1,before_eta,abc,none,,", 2, "offset_hours"),
        ("Tàu,Boats,forces,1,before_eta,-6,video,,", 2, "evidence"),
        ("Tàu,Boats,forces,1,before_eta,-6,number,,", 2, "evidence_unit"),
        ("Tàu,Boats,forces,1,before_eta,-6,none,,desert", 2, "profiles"),
        (",Boats,forces,1,before_eta,-6,none,,", 2, "title_vi"),
    ],
)
def test_broken_csv_names_row_and_field(line, row, field):
    with pytest.raises(TemplateFormatError) as err:
        parse_csv(GOOD_ROW + line + "\n")
    assert err.value.row == row and err.value.field == field
    assert f"row {row}" in str(err.value) and field in str(err.value)


@pytest.mark.parametrize(
    "text",
    ["name: x\ntasks: [", "- just a list", "name: x\ntasks: 3", "tasks: []\n"],
)
def test_broken_yaml_is_refused(text):
    with pytest.raises(TemplateFormatError):
        parse_yaml(text)


def test_import_stores_nothing_on_error(ctx):
    bad = GOOD_ROW + "Tàu,Boats,forces,9,before_eta,-6,none,,\n"
    with ctx.transaction() as s:
        ensure_starter(s)
    with ctx.sessions() as s:
        before = s.scalar(select(func.count()).select_from(TemplateTask))
    with ctx.transaction() as s, pytest.raises(TemplateFormatError, match="row 2"):
        import_template(s, ADMIN, bad, "csv", name="Hưng Yên")
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(TemplateTask)) == before
        assert s.scalar(select(func.count()).select_from(PlanTemplate)) == 1


def test_import_export_round_trip_in_the_store(ctx):
    with ctx.transaction() as s:
        starter = ensure_starter(s)
        text = export_template(s, starter, "yaml")
        copy = import_template(s, ADMIN, text, "yaml", name="copy")
        csv_copy = import_template(
            s, ADMIN, export_template(s, starter, "csv"), "csv", name="csv"
        )
    with ctx.sessions() as s:
        assert template_tasks(s, copy) == template_tasks(s, starter)
        assert template_tasks(s, csv_copy) == template_tasks(s, starter)
        audits = s.scalars(
            select(AuditEntry.action).where(AuditEntry.object_type == "plan_template")
        ).all()
    assert audits == ["create", "create"]


def test_editing_is_versioned_audited_and_scoped(ctx):
    with ctx.transaction() as s:
        starter = ensure_starter(s)
        tasks = template_tasks(s, starter)[:3]
        save_template(s, ADMIN, "storm_starter", tasks, expected_version=1)
    with ctx.sessions() as s:
        row = s.get(PlanTemplate, starter)
        assert row.version == 2 and row.updated_by == ADMIN.username
        assert len(template_tasks(s, starter)) == 3
    with ctx.transaction() as s, pytest.raises(ValueError, match="version 2"):
        save_template(s, ADMIN, "storm_starter", tasks[:1], expected_version=1)
    for who in (PROVINCE_33, COMMUNE, VOLUNTEER):  # the templates are national
        with ctx.transaction() as s, pytest.raises(Forbidden):
            save_template(s, who, "storm_starter", tasks[:1])
