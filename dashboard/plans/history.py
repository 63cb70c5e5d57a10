"""Readable plan history: who did what, what changed from what to what, when
(Vietnam time) — one function the pages and the exports share.

The audit log keeps raw rows (``plan_task 167``, ``update``, a JSON of
columns); :func:`describe` turns each into a :class:`HistoryLine` in the
reader's language: the task's title instead of its id, labels instead of
column names, statuses translated, empty values as an em dash, internals
(``version``, ``updated_at``, ``updated_by``) left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dashboard.core.time import as_utc, vietnam_text
from dashboard.i18n import translate

#: Columns a person reads, in the order they are listed; the rest is internal.
SHOWN = (
    "status",
    "reason",
    "evidence_note",
    "evidence_number",
    "evidence_photo",
    "deadline_utc",
    "eta_utc",
    "closest_utc",
    "profiles",
    "tasks",
)
_TIMES = {"deadline_utc", "eta_utc", "closest_utc"}


@dataclass(frozen=True)
class HistoryLine:
    when: str  # "19:00 20/07/2025", Vietnam time
    who: str
    what: str  # "Cập nhật việc «Kiểm tra loa»"
    changes: tuple[str, ...]  # "Trạng thái: Chưa làm → Đã xong"
    reason: str


def _load(value: str | None) -> dict[str, Any]:
    if not value:
        return {}
    try:
        data = json.loads(value)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _value(name: str, value: Any, lang: str) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if name == "status":
        return translate(f"plans.status.{value}", lang)
    if name in _TIMES:
        try:
            return vietnam_text(as_utc(datetime.fromisoformat(str(value))))
        except ValueError:
            return str(value)
    if name == "evidence_photo":
        return translate("plans.history.photo_attached", lang)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def describe(
    entry: Any, lang: str = "vi", titles: Mapping[str, str] | None = None
) -> HistoryLine:
    """One audit row (a :class:`~dashboard.plans.tasks.HistoryEntry`) for people."""
    titles = titles or {}
    old, new = _load(entry.old_value), _load(entry.new_value)
    if entry.object_type == "plan_task":
        subject = titles.get(str(entry.object_id)) or translate(
            "plans.history.a_task", lang
        )
    else:
        subject = translate("plans.history.the_plan", lang)
    action_key = f"plans.history.action.{entry.action}"
    what = translate(action_key, lang, subject=subject)
    if what == action_key:  # an action without its own sentence
        what = translate("plans.history.action.other", lang, subject=subject)
    changes = []
    for name in SHOWN:
        if name not in old and name not in new:
            continue
        label = translate(f"plans.history.field.{name}", lang)
        before, after = old.get(name), new.get(name)
        if name in old and before != after:
            changes.append(
                f"{label}: {_value(name, before, lang)} → {_value(name, after, lang)}"
            )
        elif name in new:
            changes.append(f"{label}: {_value(name, after, lang)}")
    return HistoryLine(
        when=vietnam_text(entry.at),
        who=entry.actor,
        what=what,
        changes=tuple(changes),
        reason=entry.reason or "",
    )


def describe_all(
    entries: Iterable[Any], lang: str = "vi", titles: Mapping[str, str] | None = None
) -> list[HistoryLine]:
    return [describe(e, lang, titles) for e in entries]
