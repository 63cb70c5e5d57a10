"""Page: a commune's response plan: the checklist by pillar, evidence, PDF, history.

Each pillar's checklist is a ``st.data_editor`` inside its own fragment. The
editor's input always comes from the store; its ``on_change`` callback reads
``edited_rows``, writes each changed task (with the version it was shown) and
bumps a revision number that is part of the editor's key, so the next run
shows a fresh editor over fresh data: the editor's output is never fed back
as its input (streamlit#7749). Nothing is cached: every run reads the store.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard import registry, scenario
from dashboard.auth import Principal, Role, can_work_commune
from dashboard.core.clock import Clock
from dashboard.core.errors import Conflict, DashboardError
from dashboard.core.time import as_utc_or_none, to_vietnam_time
from dashboard.plans.activation import events_for_commune, plan_for_commune
from dashboard.plans.export import checklist_pdf
from dashboard.plans.field import plan_status_text
from dashboard.plans.history import describe_all
from dashboard.plans.model import PILLARS, STATUSES
from dashboard.plans.photos import PhotoRefused, resolve
from dashboard.plans.readiness import commune_readiness
from dashboard.plans.tasks import (
    HistoryEntry,
    TaskView,
    commune_history,
    plan_tasks,
    task_history,
    update_task,
)
from dashboard.ui import cache, session
from dashboard.ui.components import copy_text, phone, task_cards
from dashboard.ui.errors import error_message
from dashboard.ui.format import local_time
from dashboard.ui.markdown import escape
from dashboard.ui.session import t

MESSAGES = "plans.messages"
STALE_HEADER = "plans.stale_header"


def deadline_text(task: TaskView) -> str:
    """``trước 06:00 21/7 (ETA − 24 h)``."""
    if task.deadline_utc is None:
        return t("plans.deadline.none")
    local = to_vietnam_time(task.deadline_utc)
    time = f"{local:%H:%M} {local.day}/{local.month}"
    hours = f"{abs(task.offset_hours):g}"
    if task.deadline_kind == "after_storm":
        return t("plans.deadline.after", time=time, hours=hours)
    if task.offset_hours == 0:
        return t("plans.deadline.at_eta", time=time)
    return t("plans.deadline.before", time=time, hours=hours)


def evidence_text(task: TaskView) -> str:
    return t(f"plans.evidence.{task.evidence}", unit=task.evidence_unit)


def _revision(plan_id: int) -> int:
    return st.session_state.setdefault(f"plans.rev.{plan_id}", 0)


def _bump(plan_id: int) -> None:
    st.session_state[f"plans.rev.{plan_id}"] = _revision(plan_id) + 1


def _say(kind: str, text: str, pillar: str) -> None:
    """Queue a message for the pillar's fragment (it reruns alone after an edit)."""
    st.session_state.setdefault(f"{MESSAGES}.{pillar}", []).append((kind, text))


def _conflict_text(task: TaskView, exc: Conflict) -> str:
    cur = exc.current
    details = []
    if cur.get("reason"):
        details.append(f" — {cur['reason']}")
    if cur.get("evidence_note"):
        details.append(f" — {cur['evidence_note']}")
    if cur.get("evidence_number") is not None:
        details.append(f" — {cur['evidence_number']:g} {task.evidence_unit}")
    return t(
        "plans.conflict",
        title=escape(task.title(session.lang())),
        who=escape(cur.get("updated_by", "")),
        time=local_time(cur.get("updated_at")),
        status=t(f"plans.status.{cur.get('status')}"),
        details=escape("".join(details)),
    )


def save_edits(
    actor: Principal, plan_id: int, shown: list[TaskView], edited: dict
) -> list[tuple[str, str]]:
    """Write the editor's ``edited_rows`` (row position → changed columns).

    Each row is written with the version it was shown at; returns the
    messages to show (kind, text). Used by the ``on_change`` callback and
    directly by tests.
    """
    ctx = cache.context()
    out: list[tuple[str, str]] = []
    for position, changes in sorted(edited.items(), key=lambda kv: int(kv[0])):
        task = shown[int(position)]
        kwargs: dict = {}
        if "status" in changes:
            kwargs["status"] = changes["status"]
        if "note" in changes:
            kwargs["note"] = changes["note"] or ""
        if "reason" in changes:
            kwargs["reason"] = changes["reason"] or ""
        if "number" in changes:
            value = changes["number"]
            kwargs["number"] = None if value is None or pd.isna(value) else value
        title = escape(task.title(session.lang()))
        try:
            with ctx.transaction() as db:
                update_task(
                    db,
                    actor,
                    task.id,
                    task.version,
                    data_dir=ctx.settings.data_dir,
                    **kwargs,
                )
            out.append(("success", t("plans.saved", title=title)))
        except Conflict as exc:
            out.append(("warning", _conflict_text(task, exc)))
        except DashboardError as exc:
            out.append(
                ("error", t("plans.error", title=title, message=error_message(exc)))
            )
    return out


def _on_change(
    key: str, actor: Principal, plan_id: int, pillar: str, shown: list[TaskView]
):
    state = st.session_state.get(key) or {}
    for kind, text in save_edits(actor, plan_id, shown, state.get("edited_rows", {})):
        _say(kind, text, pillar)
    _bump(plan_id)
    # The readiness header is outside this fragment: rerun the whole page.
    st.session_state[STALE_HEADER] = True


def _frame(tasks: list[TaskView], clock: Clock, lang: str) -> pd.DataFrame:
    # The task and its status first, then what it needs and what was given
    # (evidence, note, number, reason: all visible without scrolling on a
    # desktop); the deadline last. Phones get cards instead.
    return pd.DataFrame(
        {
            "title": [
                ("⚠ " if task.is_overdue(clock) else "") + task.title(lang)
                for task in tasks
            ],
            "status": [task.status for task in tasks],
            "evidence": [evidence_text(task) for task in tasks],
            "note": [task.evidence_note for task in tasks],
            "number": pd.array(
                [task.evidence_number for task in tasks], dtype="Float64"
            ),
            "reason": [task.reason for task in tasks],
            "deadline": [deadline_text(task) for task in tasks],
        }
    )


@st.fragment
def checklist(plan_id: int, pillar: str, clock_iso: str, editable: bool) -> None:
    """One pillar's tasks in an editor (a fragment: editing reruns only this)."""
    p = session.principal()
    if p is None:
        return
    if st.session_state.pop(STALE_HEADER, False):
        st.rerun()  # a tick was saved: redraw the header with the new count
    clock = datetime.fromisoformat(clock_iso)
    ctx = cache.context()
    with ctx.sessions() as db:
        tasks = [x for x in plan_tasks(db, p, plan_id) if x.pillar == pillar]
    if not tasks:
        return
    lang = session.lang()
    st.subheader(t(f"plans.pillar.{pillar}"))
    _messages(pillar)
    key = f"plan_editor_{plan_id}_{pillar}_{_revision(plan_id)}"
    st.data_editor(
        _frame(tasks, clock, lang),
        key=key,
        on_change=_on_change,
        args=(key, p, plan_id, pillar, tasks),
        num_rows="fixed",
        hide_index=True,
        disabled=(
            ["title", "deadline", "evidence"]
            if editable
            else ["title", "deadline", "evidence", "status", "note", "number", "reason"]
        ),
        column_config={
            "title": st.column_config.TextColumn(t("plans.col.title"), width="medium"),
            "deadline": st.column_config.TextColumn(t("plans.col.deadline")),
            "status": st.column_config.SelectboxColumn(
                t("plans.col.status"),
                options=list(STATUSES),
                format_func=lambda s: t(f"plans.status.{s}"),
                required=True,
            ),
            "evidence": st.column_config.TextColumn(t("plans.col.evidence")),
            "note": st.column_config.TextColumn(t("plans.col.note"), max_chars=2000),
            "number": st.column_config.NumberColumn(t("plans.col.number"), min_value=0),
            "reason": st.column_config.TextColumn(t("plans.col.reason"), width="small"),
        },
    )
    photos = [x for x in tasks if x.evidence_photo]
    for task in photos:
        thumb = resolve(ctx.settings.data_dir, task.evidence_photo[:-4] + "_thumb.jpg")
        if thumb is not None:
            st.image(
                str(thumb), caption=task.title(lang), width=160, alt=task.title(lang)
            )


def _messages(scope: str = "page") -> None:
    for kind, text in st.session_state.pop(f"{MESSAGES}.{scope}", []):
        getattr(st, kind)(text)


def _photo_form(p: Principal, plan_id: int, tasks: list[TaskView]) -> None:
    wanted = [x for x in tasks if x.evidence == "photo"]
    with st.expander(t("plans.photo.title"), icon=":material/photo_camera:"):
        if not wanted:
            st.caption(t("plans.photo.none"))
            return
        lang = session.lang()
        with st.form(f"photo_form_{plan_id}", clear_on_submit=True):
            task = st.selectbox(
                t("plans.photo.task"),
                wanted,
                format_func=lambda x: x.title(lang),
                placeholder=t("ui.choose"),
            )
            upload = st.file_uploader(
                t("plans.photo.file"), type=["jpg", "jpeg", "png", "webp"]
            )
            done = st.checkbox(t("plans.photo.mark_done"), value=True)
            sent = st.form_submit_button(t("plans.photo.submit"))
        if sent and upload is not None and task is not None:
            ctx = cache.context()
            title = escape(task.title(lang))
            try:
                with ctx.transaction() as db:
                    update_task(
                        db,
                        p,
                        task.id,
                        task.version,
                        status="done" if done else None,
                        photo=upload.getvalue(),
                        data_dir=ctx.settings.data_dir,
                    )
                _say("success", t("plans.saved", title=title), "page")
            except Conflict as exc:
                _say("warning", _conflict_text(task, exc), "page")
            except PhotoRefused as exc:
                params = {k: escape(str(v)) for k, v in exc.params.items()}
                message = t(exc.key, **params)
                _say("error", t("plans.error", title=title, message=message), "page")
            except DashboardError as exc:
                _say(
                    "error",
                    t("plans.error", title=title, message=error_message(exc)),
                    "page",
                )
            _bump(plan_id)
            st.rerun()


def history_frame(
    entries: list[HistoryEntry], titles: dict[str, str], lang: str
) -> pd.DataFrame:
    """The plan's history as people read it (:func:`dashboard.plans.history.describe`):
    the task's title, labels and translated values instead of raw audit rows."""
    lines = describe_all(entries, lang, titles)
    return pd.DataFrame(
        {
            t("plans.history.col.at"): [line.when for line in lines],
            t("plans.history.col.who"): [line.who for line in lines],
            t("plans.history.col.action"): [line.what for line in lines],
            t("plans.history.col.changes"): ["; ".join(line.changes) for line in lines],
            t("plans.history.col.reason"): [line.reason for line in lines],
        }
    )


def _history(p: Principal, plan_id: int, tasks: list[TaskView]) -> None:
    lang = session.lang()
    with st.expander(t("plans.history"), icon=":material/history:"):
        options: list[TaskView | None] = [None, *tasks]
        choice = st.selectbox(
            t("plans.history.task"),
            options,
            placeholder=t("ui.choose"),
            format_func=lambda x: (
                t("plans.history.all") if x is None else x.title(lang)
            ),
            key=f"history_choice_{plan_id}",
        )
        with cache.context().sessions() as db:
            entries = (
                commune_history(db, p, plan_id)
                if choice is None
                else task_history(db, p, choice.id)
            )
        if not entries:
            st.caption(t("plans.history.empty"))
            return
        titles = {str(task.id): task.title(lang) for task in tasks}
        st.dataframe(
            history_frame(entries, titles, lang), hide_index=True, key="plan_history"
        )


def _commune_choice(p: Principal) -> str | None:
    if p.role is Role.COMMUNE:
        return p.commune_code
    communes = registry.communes()
    if p.role is Role.PROVINCE:
        communes = communes[communes["province_code"].isin(p.province_codes)]
    names = dict(zip(communes["commune_code"], communes["commune_name"], strict=True))
    return st.selectbox(
        t("plans.commune"),
        list(names),
        format_func=lambda c: f"{names[c]} · {c}",
        key="plans_commune",
        placeholder=t("ui.choose"),
        index=None,
    )


def render() -> None:
    st.title(t("page.plans"))
    p = session.principal()
    if p is None:
        st.info(t("plans.signin"))
        return
    code = _commune_choice(p)
    if not code:
        return
    ctx = cache.context()
    with ctx.sessions() as db:
        sc = scenario.current(db, clock=datetime.now(UTC))
        events = events_for_commune(db, p, code)
    if not events:
        st.info(t("plans.none"))
        return
    event = (
        events[0]
        if len(events) == 1
        else st.selectbox(
            t("plans.event"),
            events,
            format_func=lambda e: e.name,
            key="plans_event",
            placeholder=t("ui.choose"),
        )
    )
    with ctx.sessions() as db:
        plan = plan_for_commune(db, p, event.id, code)
        assert plan is not None
        tasks = plan_tasks(db, p, plan.id)
        ready = commune_readiness(db, p, plan.id, sc.clock_utc)
    row = registry.commune(code)
    st.subheader(
        f"{escape(row['commune_name'])} · {escape(row['province_name'])}"
        f" — {escape(event.name)}"
    )
    st.markdown(
        t(
            "plans.summary",
            percent=round(100 * float(ready["readiness"] or 0)),
            done=ready["done"],
            tasks=ready["tasks"],
            overdue=ready["overdue"],
        )
        + "  \n"
        + t("plans.eta", time=local_time(as_utc_or_none(plan.eta_utc)))
    )
    editable = can_work_commune(p, code)
    if not editable:
        st.caption(t("plans.read_only"))
    lang = session.lang()
    copy_text.render(
        plan_status_text(row["commune_name"], event.name, tasks, sc.clock_utc, t, lang),
        key="plan_text",
    )
    cards = phone.phone_mode()
    _messages()
    if cards:
        task_cards.render(
            p,
            tasks,
            sc.clock_utc,
            editable,
            say=lambda kind, text: _say(kind, text, "page"),
            conflict_text=_conflict_text,
            on_saved=st.rerun,
        )
    else:
        for pillar in PILLARS:
            checklist(plan.id, pillar, sc.clock_utc.isoformat(), editable)
        if editable:
            _photo_form(p, plan.id, tasks)
    title = t("plans.pdf.title", commune=row["commune_name"])
    st.download_button(
        t("plans.pdf"),
        data=checklist_pdf(
            title,
            f"{row['province_name']} · {event.name}",
            tasks,
            t,
            lang,
            deadline_text,
            printed_at=to_vietnam_time(sc.clock_utc),
        ),
        file_name=f"plan_{code}_{event.id}.pdf",
        mime="application/pdf",
        icon=":material/print:",
        key="plan_pdf",
    )
    _history(p, plan.id, tasks)


if __name__ == "__main__":  # run as a page by st.navigation
    render()
