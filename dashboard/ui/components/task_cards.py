"""The commune checklist as cards, for phones.

One card per task: the title in full, "còn 5 giờ" / "quá hạn 2 giờ", a
priority mark, the status, and large buttons. "Xong" opens exactly the
evidence the task asks for (a note, a number with its unit, a photo: uploaded,
or taken on the spot with "Chụp ảnh", see :mod:`~dashboard.ui.components.camera`);
"Vướng mắc" and "Không áp dụng" ask for the reason. Overdue and
high-priority tasks come first, then the rest by pillar
(:func:`dashboard.plans.field.card_order`). After a save the whole page
reruns so the readiness header is right at once.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard.auth import Principal
from dashboard.core.clock import Clock
from dashboard.core.errors import Conflict, DashboardError
from dashboard.plans.field import card_order, hours_left
from dashboard.plans.model import REASON_STATUSES
from dashboard.plans.photos import PhotoRefused
from dashboard.plans.tasks import TaskView, update_task
from dashboard.ui import cache, session
from dashboard.ui.components import camera, drafts
from dashboard.ui.errors import error_message
from dashboard.ui.markdown import escape
from dashboard.ui.session import t

OPEN = "plans.card.open"  # (task id, status) whose form is open
#: Plain characters, not Markdown directives: card text is escaped as a whole.
STATUS_ICONS = {
    "todo": "⬜",
    "in_progress": "⏳",
    "done": "✅",
    "not_applicable": "➖",
    "blocked": "⛔",
}


def deadline_words(task: TaskView, clock: Clock) -> str:
    left = hours_left(task, clock)
    if left is None:
        return t("plans.deadline.none")
    if left < 0:
        return t("field.overdue_hours", hours=-left)
    return t("field.left_hours", hours=left)


def _open(task_id: int, status: str) -> None:
    st.session_state[OPEN] = (task_id, status)


def _close() -> None:
    opened = st.session_state.pop(OPEN, None)
    if opened:
        camera.close(camera_key(opened[0]))


def camera_key(task_id: int) -> str:
    return f"card_camera_{task_id}"


def _save(
    p: Principal,
    task: TaskView,
    say: Callable[[str, str], None],
    conflict_text: Callable[[TaskView, Conflict], str],
    **changes,
) -> bool:
    ctx = cache.context()
    title = escape(task.title(session.lang()))
    try:
        with ctx.transaction() as db:
            update_task(
                db, p, task.id, task.version, data_dir=ctx.settings.data_dir, **changes
            )
    except Conflict as exc:
        if already_stored(exc.current, changes):
            # The same change sent again (a resend after a dropped link):
            # it is stored once, and that is what the user wanted.
            say("success", t("plans.saved", title=title))
            return True
        say("warning", conflict_text(task, exc))
        return False
    except PhotoRefused as exc:
        params = {k: escape(str(v)) for k, v in exc.params.items()}
        say("error", t("plans.error", title=title, message=t(exc.key, **params)))
        return False
    except DashboardError as exc:
        say("error", t("plans.error", title=title, message=error_message(exc)))
        return False
    say("success", t("plans.saved", title=title))
    return True


def already_stored(current: dict, changes: dict) -> bool:
    """True when the task as stored already holds every requested change."""
    fields = {"status": "status", "reason": "reason", "note": "evidence_note"}
    for name, value in changes.items():
        if name == "photo":
            return False  # a new photo is never "the same"
        if name == "number":
            stored = current.get("evidence_number")
            if stored is None or value is None or float(stored) != float(value):
                return False
            continue
        if str(current.get(fields.get(name, name)) or "") != str(value or ""):
            return False
    return True


def _evidence_form(
    p: Principal, task: TaskView, status: str, say, conflict_text, on_saved
) -> None:
    """The form for *status*: exactly the evidence (done) or the reason."""
    key = f"card_form_{task.id}_{status}"
    with st.form(key, border=False):
        changes: dict = {"status": status}
        if status in REASON_STATUSES:
            changes["reason"] = st.text_area(
                t("plans.col.reason"),
                value=task.reason,
                max_chars=500,
                key=f"card_reason_{task.id}",
            )
        elif task.evidence == "note":
            changes["note"] = st.text_area(
                t("plans.col.note"),
                value=task.evidence_note,
                max_chars=2000,
                key=f"card_note_{task.id}",
            )
        elif task.evidence == "number":
            changes["number"] = st.number_input(
                f"{t('plans.col.number')} ({escape(task.evidence_unit)})",
                min_value=0.0,
                value=task.evidence_number,
                key=f"card_number_{task.id}",
            )
        elif task.evidence == "photo":
            photo = st.file_uploader(
                t("plans.photo.file"),
                type=["jpg", "jpeg", "png", "webp"],
                key=f"card_photo_{task.id}",
                help=t("field.photo_help"),
            )
            taken = camera.chosen(camera.capture(camera_key(task.id)), photo)
            changes["photo"] = taken.data if taken is not None else None
        left, right = st.columns(2)
        sent = left.form_submit_button(
            t("field.save"),
            type="primary",
            icon=":material/send:",
            key=f"card_send_{task.id}_{status}",
        )
        cancelled = right.form_submit_button(t("field.cancel"))
    drafts.keep(f"card_note_{task.id}", f"card_reason_{task.id}")
    drafts.form(
        f"card_{task.id}",
        send=f"card_send_{task.id}_{status}",
        names=(f"card_note_{task.id}", f"card_reason_{task.id}"),
    )
    if cancelled:
        _close()
        st.rerun()
    if sent:
        if _save(p, task, say, conflict_text, **changes):
            _close()
            drafts.sent(f"card_note_{task.id}", f"card_reason_{task.id}")
        on_saved()


def render(
    p: Principal,
    tasks: list[TaskView],
    clock: Clock,
    editable: bool,
    say: Callable[[str, str], None],
    conflict_text: Callable[[TaskView, Conflict], str],
    on_saved: Callable[[], None],
) -> None:
    lang = session.lang()
    opened = st.session_state.get(OPEN)
    for task in card_order(tasks, clock):
        overdue = task.is_overdue(clock)
        with st.container(border=True, key=f"task_card_{task.id}"):
            mark = "🔴 " if task.priority == 1 else ""
            st.markdown(mark + f"**{escape(task.title(lang))}**")
            deadline = deadline_words(task, clock)
            status = t(f"plans.status.{task.status}")
            st.markdown(
                escape(f"{STATUS_ICONS[task.status]} {status}")
                + " · "
                + ("⚠️ " if overdue else "")
                + f"**{escape(deadline)}**"
                + (f" · {t('field.high_priority')}" if task.priority == 1 else "")
            )
            if task.reason:
                st.caption(f"{t('plans.col.reason')}: {escape(task.reason)}")
            if task.evidence_note:
                st.caption(escape(task.evidence_note))
            if not editable:
                continue
            if opened and opened[0] == task.id:
                _evidence_form(p, task, opened[1], say, conflict_text, on_saved)
                continue
            cols = st.columns(2)
            if task.status != "done" and task.evidence == "none":
                cols[0].button(
                    t("field.mark_done"),
                    key=f"card_done_{task.id}",
                    type="primary",
                    icon=":material/check:",
                    on_click=_quick,
                    args=(p, task, "done", say, conflict_text),
                )
            elif task.status != "done":
                cols[0].button(
                    t("field.mark_done"),
                    key=f"card_done_{task.id}",
                    type="primary",
                    icon=":material/check:",
                    on_click=_open,
                    args=(task.id, "done"),
                )
            if task.status == "todo":
                cols[1].button(
                    t("plans.status.in_progress"),
                    key=f"card_progress_{task.id}",
                    on_click=_quick,
                    args=(p, task, "in_progress", say, conflict_text),
                )
            cols = st.columns(2)
            if task.status != "blocked":
                cols[0].button(
                    t("field.mark_blocked"),
                    key=f"card_blocked_{task.id}",
                    icon=":material/report:",
                    on_click=_open,
                    args=(task.id, "blocked"),
                )
            if task.status != "not_applicable":
                cols[1].button(
                    t("plans.status.not_applicable"),
                    key=f"card_na_{task.id}",
                    on_click=_open,
                    args=(task.id, "not_applicable"),
                )


def _quick(p, task, status, say, conflict_text) -> None:
    _save(p, task, say, conflict_text, status=status)
