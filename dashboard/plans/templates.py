"""Plan templates: the starter set, editing, CSV and YAML import/export.

A template is a named list of tasks (:class:`TaskSpec`). The starter template
``storm_starter`` is read from ``data/plan_templates/storm_starter.yaml`` and
seeded into the store the first time plans are used. Province staff and admins
may edit templates and import them; an import is validated entirely first and
a file with any bad row changes nothing (the error names the row and field).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dashboard import audit
from dashboard.auth import Principal, require_installation_admin
from dashboard.config import REPO_ROOT
from dashboard.core.clock import Clock, scenario_now
from dashboard.core.errors import NotFound
from dashboard.core.text import safe_cell, unsafe_cell
from dashboard.plans.model import (
    DEADLINE_KINDS,
    EVIDENCE_KINDS,
    PILLARS,
    PRIORITIES,
    PROFILES,
    PlanError,
    join_profiles,
    split_profiles,
)
from dashboard.store.models.plans import PlanTemplate, TemplateTask

TEMPLATES_DIR = REPO_ROOT / "data" / "plan_templates"
STARTER_FILE = TEMPLATES_DIR / "storm_starter.yaml"
STARTER_NAME = "storm_starter"

#: Columns of a template CSV, in order (``profiles`` is comma-separated).
CSV_FIELDS = (
    "title_vi",
    "title_en",
    "guidance_vi",
    "guidance_en",
    "pillar",
    "priority",
    "deadline_kind",
    "offset_hours",
    "evidence",
    "evidence_unit",
    "profiles",
)
_LIMITS = {"title_vi": 300, "title_en": 300, "evidence_unit": 40}
MAX_TASKS = 200


class TemplateFormatError(PlanError):
    """A template file that cannot be imported; names the row and field."""

    def __init__(self, message: str, row: int | None = None, field: str | None = None):
        self.row = row
        self.field = field
        where = ""
        if row is not None:
            where = f"row {row}"
            if field:
                where += f", field {field!r}"
            where += ": "
        elif field:
            where = f"field {field!r}: "
        super().__init__(where + message)


@dataclass(frozen=True)
class TaskSpec:
    """One task of a template (see the starter YAML for the meaning of fields)."""

    title_vi: str
    title_en: str
    pillar: str
    priority: int
    deadline_kind: str
    offset_hours: float
    evidence: str = "none"
    evidence_unit: str = ""
    guidance_vi: str = ""
    guidance_en: str = ""
    profiles: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class TemplateInfo:
    id: int
    name: str
    description: str
    version: int
    n_tasks: int
    updated_at: datetime
    updated_by: str


# -- validation ------------------------------------------------------------------


def _text(raw: dict[str, Any], name: str, row: int, required: bool) -> str:
    value = raw.get(name)
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise TemplateFormatError("is required", row, name)
    limit = _LIMITS.get(name)
    if limit and len(text) > limit:
        raise TemplateFormatError(f"longer than {limit} characters", row, name)
    return text


def _choice(raw: dict[str, Any], name: str, row: int, allowed: tuple[str, ...]) -> str:
    value = _text(raw, name, row, required=True)
    if value not in allowed:
        raise TemplateFormatError(
            f"{value!r} is not one of {', '.join(allowed)}", row, name
        )
    return value


def _profiles(raw: dict[str, Any], row: int) -> tuple[str, ...]:
    value = raw.get("profiles")
    if value is None or value == "":
        return ()
    items = (
        [str(v).strip() for v in value]
        if isinstance(value, list | tuple)
        else [p.strip() for p in str(value).replace(";", ",").split(",")]
    )
    items = [i for i in items if i]
    unknown = [i for i in items if i not in PROFILES]
    if unknown:
        raise TemplateFormatError(
            f"unknown profile {unknown[0]!r} (use {', '.join(PROFILES)})",
            row,
            "profiles",
        )
    return tuple(p for p in PROFILES if p in items)


def validate_task(raw: dict[str, Any], row: int) -> TaskSpec:
    """One task from a mapping (a CSV row or a YAML item).

    Raises
    ------
    TemplateFormatError
        Naming *row* and the bad field.
    """
    if not isinstance(raw, dict):
        raise TemplateFormatError("is not a mapping of fields", row)
    unknown = sorted(set(raw) - set(CSV_FIELDS) - {"position"})
    if unknown:
        raise TemplateFormatError("unknown field", row, unknown[0])
    try:
        priority = int(str(raw.get("priority", "")).strip())
    except ValueError:
        raise TemplateFormatError(
            f"{raw.get('priority')!r} is not 1, 2 or 3", row, "priority"
        ) from None
    if priority not in PRIORITIES:
        raise TemplateFormatError(f"{priority} is not 1, 2 or 3", row, "priority")
    kind = _choice(raw, "deadline_kind", row, DEADLINE_KINDS)
    try:
        offset = float(str(raw.get("offset_hours", "")).strip())
    except ValueError:
        raise TemplateFormatError(
            f"{raw.get('offset_hours')!r} is not a number of hours", row, "offset_hours"
        ) from None
    if not math.isfinite(offset) or abs(offset) > 24 * 14:
        raise TemplateFormatError("must lie within ±336 hours", row, "offset_hours")
    if kind == "before_eta" and offset > 0:
        raise TemplateFormatError(
            "a deadline before the arrival needs an offset ≤ 0", row, "offset_hours"
        )
    if kind == "after_storm" and offset < 0:
        raise TemplateFormatError(
            "a deadline after the storm needs an offset ≥ 0", row, "offset_hours"
        )
    evidence = _choice(raw, "evidence", row, EVIDENCE_KINDS)
    unit = _text(raw, "evidence_unit", row, required=False)
    if evidence == "number" and not unit:
        raise TemplateFormatError(
            "a number as evidence needs its unit", row, "evidence_unit"
        )
    return TaskSpec(
        title_vi=_text(raw, "title_vi", row, required=True),
        title_en=_text(raw, "title_en", row, required=True),
        guidance_vi=_text(raw, "guidance_vi", row, required=False),
        guidance_en=_text(raw, "guidance_en", row, required=False),
        pillar=_choice(raw, "pillar", row, PILLARS),
        priority=priority,
        deadline_kind=kind,
        offset_hours=offset,
        evidence=evidence,
        evidence_unit=unit if evidence == "number" else "",
        profiles=_profiles(raw, row),
    )


def validate_tasks(rows: list[Any]) -> list[TaskSpec]:
    """Every row, or the first error. Rows are numbered from 1 (data rows)."""
    if not rows:
        raise TemplateFormatError("the template has no tasks")
    if len(rows) > MAX_TASKS:
        raise TemplateFormatError(f"more than {MAX_TASKS} tasks")
    return [validate_task(raw, i) for i, raw in enumerate(rows, start=1)]


# -- file formats -------------------------------------------------------------------


def parse_yaml(data: bytes | str) -> tuple[str, str, list[TaskSpec]]:
    """``(name, description, tasks)`` of a template YAML document."""
    try:
        doc = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise TemplateFormatError(f"not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise TemplateFormatError("the YAML document must be a mapping")
    name = str(doc.get("name") or "").strip()
    if not name or len(name) > 200:
        raise TemplateFormatError("needs 1 to 200 characters", field="name")
    tasks = doc.get("tasks")
    if not isinstance(tasks, list):
        raise TemplateFormatError("must be a list", field="tasks")
    return name, str(doc.get("description") or "").strip(), validate_tasks(tasks)


def parse_csv(data: bytes | str) -> list[TaskSpec]:
    """Tasks of a template CSV (UTF-8, header row with :data:`CSV_FIELDS`)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TemplateFormatError(f"not UTF-8 text: {exc}") from None
    reader = csv.DictReader(io.StringIO(data))
    header = reader.fieldnames or []
    missing = [f for f in ("title_vi", "title_en", "pillar") if f not in header]
    if missing:
        raise TemplateFormatError("missing column", field=missing[0])
    rows: list[dict[str, Any]] = []
    for raw in reader:
        if None in raw:
            raise TemplateFormatError(
                "more cells than columns", row=reader.line_num - 1
            )
        rows.append({k: unsafe_cell(v) for k, v in raw.items() if k is not None})
    return validate_tasks(rows)


def _as_row(spec: TaskSpec) -> dict[str, Any]:
    row = asdict(spec)
    row["profiles"] = list(spec.profiles)
    return row


def to_yaml(name: str, description: str, tasks: list[TaskSpec]) -> str:
    doc = {
        "name": name,
        "description": description,
        "tasks": [_as_row(t) for t in tasks],
    }
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


def to_csv(tasks: list[TaskSpec]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for task in tasks:
        row = _as_row(task)
        row["profiles"] = ",".join(task.profiles)
        writer.writerow({k: safe_cell(row[k]) for k in CSV_FIELDS})
    return out.getvalue()


def read_starter(path: Path = STARTER_FILE) -> tuple[str, str, list[TaskSpec]]:
    return parse_yaml(path.read_bytes())


# -- store ---------------------------------------------------------------------------------


def _require_editor(actor: Principal, what: str) -> None:
    """Templates are national (every province's plans start from them):
    only a real (non-demo) admin edits them."""
    require_installation_admin(actor, f"{what} (national templates are admin-only)")


def _spec(row: TemplateTask) -> TaskSpec:
    return TaskSpec(
        title_vi=row.title_vi,
        title_en=row.title_en,
        guidance_vi=row.guidance_vi,
        guidance_en=row.guidance_en,
        pillar=row.pillar,
        priority=row.priority,
        deadline_kind=row.deadline_kind,
        offset_hours=row.offset_hours,
        evidence=row.evidence,
        evidence_unit=row.evidence_unit,
        profiles=tuple(p for p in PROFILES if p in split_profiles(row.profiles)),
    )


def _write_tasks(session: Session, template_id: int, tasks: list[TaskSpec]) -> None:
    session.execute(delete(TemplateTask).where(TemplateTask.template_id == template_id))
    for position, spec in enumerate(tasks, start=1):
        values = asdict(spec)
        values["profiles"] = join_profiles(list(spec.profiles))
        session.add(TemplateTask(template_id=template_id, position=position, **values))
    session.flush()


def ensure_starter(session: Session, clock: Clock | None = None) -> int:
    """Seed the starter template once; return its id (no actor: it is data)."""
    found = session.scalar(
        select(PlanTemplate.id).where(PlanTemplate.name == STARTER_NAME)
    )
    if found is not None:
        return found
    name, description, tasks = read_starter()
    at = scenario_now(session, clock)
    row = PlanTemplate(
        name=name,
        description=description,
        is_active=True,
        version=1,
        updated_at=at,
        updated_by="system",
    )
    session.add(row)
    session.flush()
    _write_tasks(session, row.id, tasks)
    return row.id


def list_templates(session: Session) -> list[TemplateInfo]:
    """Active templates, by name (templates are not secret: no actor needed)."""
    rows = session.scalars(
        select(PlanTemplate)
        .where(PlanTemplate.is_active.is_(True))
        .order_by(PlanTemplate.name)
    )
    out = []
    for row in rows:
        n = len(template_tasks(session, row.id))
        out.append(
            TemplateInfo(
                row.id,
                row.name,
                row.description,
                row.version,
                n,
                row.updated_at,
                row.updated_by,
            )
        )
    return out


def template_by_name(session: Session, name: str) -> PlanTemplate | None:
    return session.scalar(select(PlanTemplate).where(PlanTemplate.name == name))


def template_tasks(session: Session, template_id: int) -> list[TaskSpec]:
    rows = session.scalars(
        select(TemplateTask)
        .where(TemplateTask.template_id == template_id)
        .order_by(TemplateTask.position)
    )
    return [_spec(r) for r in rows]


def save_template(
    session: Session,
    actor: Principal,
    name: str,
    tasks: list[TaskSpec] | list[dict[str, Any]],
    description: str = "",
    expected_version: int | None = None,
    clock: Clock | None = None,
) -> int:
    """Create template *name* or replace its task list (province staff, admin).

    Parameters
    ----------
    tasks
        :class:`TaskSpec` objects or raw mappings (validated here).
    expected_version
        For an edit in the app: the version read; when the stored version
        differs, :class:`PlanError` is raised and nothing is written.

    Raises
    ------
    Forbidden, TemplateFormatError, PlanError
    """
    _require_editor(actor, "edit plan templates")
    name = name.strip()
    if not name or len(name) > 200:
        raise TemplateFormatError("needs 1 to 200 characters", field="name")
    specs = validate_tasks(
        [_as_row(t) if isinstance(t, TaskSpec) else t for t in tasks]
    )
    at = scenario_now(session, clock)
    row = template_by_name(session, name)
    old = None
    if row is None:
        row = PlanTemplate(
            name=name,
            description=description,
            is_active=True,
            version=1,
            updated_at=at,
            updated_by=actor.username,
        )
        session.add(row)
        session.flush()
        action = "create"
    else:
        if expected_version is not None and row.version != expected_version:
            raise PlanError(
                f"template {name!r} was changed by {row.updated_by} "
                f"(version {row.version}, you read {expected_version})"
            )
        old = {
            "version": row.version,
            "description": row.description,
            "tasks": [_as_row(t) for t in template_tasks(session, row.id)],
        }
        row.version += 1
        row.description = description or row.description
        row.updated_at = at
        row.updated_by = actor.username
        row.is_active = True
        action = "update"
    _write_tasks(session, row.id, specs)
    audit.record(
        session,
        actor,
        action,
        "plan_template",
        str(row.id),
        old=old,
        new={
            "name": name,
            "version": row.version,
            "description": row.description,
            "tasks": [_as_row(t) for t in specs],
        },
        at=at,
    )
    return row.id


def import_template(
    session: Session,
    actor: Principal,
    data: bytes | str,
    fmt: str,
    name: str | None = None,
    clock: Clock | None = None,
) -> int:
    """Import a YAML or CSV file as template *name* (YAML carries its own name).

    Validates the whole file before writing anything.

    Raises
    ------
    TemplateFormatError
        Naming the first bad row and field; nothing is stored.
    """
    _require_editor(actor, "import plan templates")
    if fmt == "yaml":
        file_name, description, tasks = parse_yaml(data)
        target = (name or file_name).strip()
    elif fmt == "csv":
        if not name:
            raise TemplateFormatError(
                "a CSV import needs a template name", field="name"
            )
        tasks, description, target = parse_csv(data), "", name.strip()
    else:
        raise TemplateFormatError(f"unknown format {fmt!r} (csv or yaml)")
    return save_template(session, actor, target, tasks, description, clock=clock)


def export_template(session: Session, template_id: int, fmt: str) -> str:
    """The template as YAML or CSV text (re-importable)."""
    row = session.get(PlanTemplate, template_id)
    if row is None:
        raise NotFound(f"no plan template {template_id}")
    tasks = template_tasks(session, template_id)
    if fmt == "yaml":
        return to_yaml(row.name, row.description, tasks)
    if fmt == "csv":
        return to_csv(tasks)
    raise ValueError(f"unknown format {fmt!r} (csv or yaml)")
