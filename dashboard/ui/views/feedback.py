"""Page: commune feedback (difficulties, recommendations, requests).

Commune leaders raise an item and follow it to the answer; province staff
(and admins) triage a queue: assign to a department with an owner and a due
time, answer, close, and read the weekly summary. The rules live in
:mod:`dashboard.feedback`; this page only reflects them.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import feedback as fb
from dashboard.auth import Forbidden, Principal, Role
from dashboard.core.errors import Conflict, DashboardError, NotFound
from dashboard.core.time import VIETNAM_OFFSET, to_vietnam_time
from dashboard.ui import cache, clock, session
from dashboard.ui.components import camera, drafts, feedback_badge
from dashboard.ui.components.province_picker import pick_province
from dashboard.ui.errors import error_message
from dashboard.ui.format import local_time
from dashboard.ui.markdown import escape
from dashboard.ui.session import t

#: Suggestions for the department (data, not UI text: official names).
DEPARTMENTS = (
    "Văn phòng Ban Chỉ huy PCTT-TKCN và PTDS tỉnh",
    "Sở Nông nghiệp và Môi trường",
    "Sở Xây dựng",
    "Sở Tài chính",
    "Sở Nội vụ",
    "Sở Y tế",
    "Sở Công Thương",
    "Bộ Chỉ huy Quân sự tỉnh",
    "Công an tỉnh",
)
_FLASH = "fb_flash"
_ROUND = "fb_form_round"
URGENCY_ICONS = {"normal": "", "urgent": "🟠 ", "critical": "🔴 "}


# --------------------------------------------------------------------------- #
# small helpers


def _flash(kind: str, message: str) -> None:
    st.session_state[_FLASH] = (kind, message)


def _show_flash() -> None:
    kind, message = st.session_state.pop(_FLASH, (None, None))
    if kind == "success":
        st.success(message, icon=":material/check_circle:")
    elif kind == "warning":
        st.warning(message, icon=":material/sync_problem:")
    elif kind == "error":
        st.error(message, icon=":material/error:")


def _refusal(exc: Exception) -> str:
    """A translated message for a refused change (the detail stays visible)."""
    if isinstance(exc, Conflict):
        current = exc.params.get("current") or {}
        status = str(current.get("status") or "")
        return t(
            "feedback.conflict",
            who=escape(str(current.get("updated_by") or "?")),
            status=t(f"feedback.status.{status}") if status else "—",
        )
    if isinstance(exc, fb.AttachmentRefused):  # the file checks' own message
        return t(
            "feedback.invalid",
            field=t("feedback.field.attachment"),
            reason=error_message(exc),
        )
    return error_message(exc)


def _paragraphs(text: str) -> str:
    """User text for ``st.markdown``: escaped, line breaks kept."""
    return "  \n".join(escape(line) for line in text.splitlines())


def duration(value: timedelta | None) -> str:
    """``2 giờ 15 phút`` / ``3 ngày 4 giờ`` / an em dash."""
    if value is None:
        return "—"
    minutes = max(int(value.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return t("feedback.duration.days", days=days, hours=hours)
    if hours:
        return t("feedback.duration.hours", hours=hours, minutes=minutes)
    return t("feedback.duration.minutes", minutes=minutes)


def _label(kind: str, value: str) -> str:
    return t(f"feedback.{kind}.{value}")


def _option(item: fb.FeedbackView) -> str:
    # Only what never changes: a label that changes (status, "new") makes the
    # browser reset the selectbox, closing the item the user is working on.
    return f"#{item.id} · {URGENCY_ICONS[item.urgency]}{item.title}"


def _version_key(item_id: int) -> str:
    return f"fb_version_{item_id}"


def read_version(item: fb.FeedbackView) -> int:
    """The version the user saw when they opened the item.

    Changes name this version, not the one re-read on the rerun that handles
    the click: so a colleague's change in between is refused (Conflict)
    instead of silently overwritten.
    """
    return st.session_state.setdefault(_version_key(item.id), item.version)


def _forget_versions() -> None:
    for key in [k for k in st.session_state if str(k).startswith("fb_version_")]:
        del st.session_state[key]


def _mark_seen(principal: Principal, item: fb.FeedbackView) -> None:
    if not item.is_new:
        return
    with cache.context().transaction() as db:
        marked = fb.mark_seen(db, principal, [item.id])
    if marked:
        # The menu title ("Kiến nghị (2)") was drawn before the item was
        # opened; run again so the menu and the page show the same count.
        st.rerun()


# --------------------------------------------------------------------------- #
# item detail (both roles)


def _attachment(principal: Principal, item: fb.FeedbackView) -> None:
    if not item.has_attachment:
        return
    ctx = cache.context()
    try:
        with ctx.sessions() as db:
            name, mime, data = fb.attachment_file(
                db, principal, item.id, ctx.settings.data_dir
            )
            thumb = fb.attachment_thumbnail(
                db, principal, item.id, ctx.settings.data_dir
            )
    except NotFound:
        st.caption(t("feedback.attachment_missing"))
        return
    if thumb is not None:  # never the original: it may be large
        st.image(thumb, caption=name, width=360)
    st.download_button(
        t("feedback.download", name=escape(name)),
        data,
        file_name=name,
        mime=mime,
        key=f"fb_download_{item.id}",
        icon=":material/attach_file:",
    )


def _timeline(item: fb.FeedbackView) -> None:
    times = item.step_times()
    cols = st.columns(4)
    cols[0].metric(t("feedback.step.to_assign"), duration(times.to_assign))
    cols[1].metric(t("feedback.step.to_answer"), duration(times.to_answer))
    cols[2].metric(t("feedback.step.to_close"), duration(times.to_close))
    cols[3].metric(t("feedback.step.open_for"), duration(times.open_for))


def _details(principal: Principal, item: fb.FeedbackView) -> None:
    if read_version(item) != item.version:
        st.warning(
            t("feedback.changed_meanwhile", who=escape(item.updated_by)),
            icon=":material/sync_problem:",
        )
    with st.container(border=True, key="feedback_detail"):
        st.subheader(f"#{item.id} · {escape(item.title)}", anchor=False)
        st.markdown(
            t(
                "feedback.meta",
                commune=escape(item.commune_name),
                category=_label("category", item.category),
                urgency=_label("urgency", item.urgency),
                status=_label("status", item.status),
                raised=local_time(item.raised_at),
            )
        )
        st.markdown(_paragraphs(item.text))
        if item.reopen_reason and item.status != "closed":
            st.warning(
                t("feedback.reopened_because", reason=_paragraphs(item.reopen_reason)),
                icon=":material/undo:",
            )
        _attachment(principal, item)
        if item.department:
            due = local_time(item.due_utc)
            if item.overdue(clock.now()):
                due = t("feedback.overdue_since", due=due)
            st.markdown(
                t(
                    "feedback.assigned_to",
                    department=escape(item.department),
                    owner=escape(item.owner),
                    due=due,
                )
            )
        if item.answer and item.status in ("answered", "closed"):
            with st.container(key="feedback_answer"):
                st.success(
                    t(
                        "feedback.answer_box",
                        when=local_time(item.answered_at),
                        answer=_paragraphs(item.answer),
                    ),
                    icon=":material/reply:",
                )
        _timeline(item)
        with st.expander(t("feedback.history")):
            with cache.context().sessions() as db:
                rows = fb.history(db, principal, item.id)
            st.dataframe(
                pd.DataFrame(
                    {
                        t("feedback.col.when"): [
                            local_time(
                                r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC)
                            )
                            for r in rows
                        ],
                        t("feedback.col.who"): [r.actor for r in rows],
                        t("feedback.col.action"): [
                            t(f"feedback.action.{r.action.split('.')[-1]}")
                            for r in rows
                        ],
                        t("feedback.col.note"): [r.reason for r in rows],
                    }
                ),
                hide_index=True,
            )


def _submit_action(action: str, principal: Principal, item_id: int) -> None:
    """Form callback (runs once per click, before the page is drawn again).

    Names the version the user saw (:func:`read_version`); after a success or
    a conflict that memory is dropped so the page shows the item as it is now.
    """
    state = st.session_state
    version = state.get(_version_key(item_id))
    if version is None:  # the form was never drawn for this item
        return

    def value(name: str):
        return state.get(f"fb_{name}_{item_id}")

    kwargs: dict[str, object]
    if action == "assign":
        day, hour = value("due_date"), value("due_time")
        due = (
            datetime.combine(day, hour, UTC) - VIETNAM_OFFSET if day and hour else None
        )
        kwargs = {
            "department": value("department") or "",
            "owner": value("owner") or "",
            "due_utc": due,
        }
    elif action == "answer":
        kwargs = {"text": value("answer") or ""}
    elif action == "close":
        kwargs = {"note": value("close_note") or ""}
    else:
        kwargs = {"reason": value("reopen") or ""}
    call = {
        "assign": fb.assign,
        "answer": fb.answer,
        "close": fb.close,
        "reopen": fb.reopen,
    }[action]
    try:
        with cache.context().transaction() as db:
            call(db, principal, item_id, version, **kwargs)
    except fb.FeedbackError as exc:  # fix the input; the version read stands
        _flash("error", _refusal(exc))
        return
    except (Conflict, NotFound, Forbidden) as exc:
        _flash("warning", _refusal(exc))
    else:
        _flash("success", t(f"feedback.done.{action}", id=item_id))
    state.pop(_version_key(item_id), None)


def _reopen_form(principal: Principal, item: fb.FeedbackView) -> None:
    if item.status not in fb.TRANSITIONS["reopen"]:
        return
    with st.form(f"fb_reopen_form_{item.id}"):
        st.text_area(t("feedback.reopen_reason"), key=f"fb_reopen_{item.id}")
        st.form_submit_button(
            t("feedback.reopen"),
            icon=":material/undo:",
            on_click=_submit_action,
            args=("reopen", principal, item.id),
        )


# --------------------------------------------------------------------------- #
# commune leader


def _submit_new(principal: Principal) -> None:
    """Form callback: raise the item; on success start a fresh form."""
    state = st.session_state
    n = state.get(_ROUND, 0)
    given = camera.chosen(
        state.get(f"fb_new_camera_{n}"), state.get(f"fb_new_file_{n}")
    )
    attachment = fb.Attachment(given.name, given.data) if given else None
    ctx = cache.context()
    try:
        with ctx.transaction() as db:
            item = fb.raise_item(
                db,
                principal,
                commune_code=principal.commune_code or "",
                category=state.get(f"fb_new_category_{n}"),
                urgency=state.get(f"fb_new_urgency_{n}"),
                title=state.get(f"fb_new_title_{n}", ""),
                text=state.get(f"fb_new_text_{n}", ""),
                attachment=attachment,
                data_dir=ctx.settings.data_dir,
                client_key=state.get(f"{drafts.KEY_PREFIX}fb_new_{n}"),
            )
    except DashboardError as exc:
        _flash("error", _refusal(exc))
        return
    _flash("success", t("feedback.raised", id=item.id))
    drafts.sent("fb_new_title", "fb_new_text", "fb_new")
    state[_ROUND] = n + 1


def _new_form(principal: Principal) -> None:
    n = st.session_state.get(_ROUND, 0)
    # Enter in the title must not press "Chụp ảnh", the form's first button.
    with st.form(f"fb_new_{n}", border=True, enter_to_submit=False):
        st.subheader(t("feedback.new"), anchor=False)
        cols = st.columns(2)
        cols[0].selectbox(
            t("feedback.field.category"),
            fb.CATEGORIES,
            format_func=lambda c: _label("category", c),
            key=f"fb_new_category_{n}",
            placeholder=t("ui.choose"),
        )
        cols[1].selectbox(
            t("feedback.field.urgency"),
            fb.URGENCIES,
            format_func=lambda u: _label("urgency", u),
            key=f"fb_new_urgency_{n}",
            placeholder=t("ui.choose"),
        )
        st.text_input(
            t("feedback.field.title"), max_chars=fb.MAX_TITLE, key=f"fb_new_title_{n}"
        )
        st.text_area(
            t("feedback.field.text"),
            # No max_chars: the browser would cut a pasted text silently; the
            # service refuses an over-long text naming its length and the limit.
            help=t("feedback.text_help")
            + " "
            + t("feedback.text_limit", limit=fb.MAX_TEXT),
            key=f"fb_new_text_{n}",
        )
        drafts.keep(f"fb_new_title_{n}", name="fb_new_title")
        drafts.keep(f"fb_new_text_{n}", name="fb_new_text")
        st.file_uploader(
            t("feedback.field.attachment"),
            type=["png", "jpg", "jpeg", "webp", "pdf"],
            help=t(
                "feedback.attachment_help",
                mb=fb.MAX_ATTACHMENT_BYTES // (1024 * 1024),
            ),
            key=f"fb_new_file_{n}",
            max_upload_size=fb.MAX_ATTACHMENT_BYTES // (1024 * 1024),
        )
        camera.capture(f"fb_new_camera_{n}")
        drafts.key_input(f"{drafts.KEY_PREFIX}fb_new_{n}")
        st.form_submit_button(
            t("feedback.send"),
            type="primary",
            icon=":material/send:",
            on_click=_submit_new,
            args=(principal,),
            key=f"fb_new_send_{n}",
        )
    # After a reload the category, urgency and file are gone: resend only
    # on a reconnect, when the form still holds what the leader chose.
    drafts.form(
        "fb_new",
        send=f"fb_new_send_{n}",
        names=("fb_new_title", "fb_new_text"),
        key_input=f"{drafts.KEY_PREFIX}fb_new_{n}",
    )


def _commune(principal: Principal) -> None:
    _new_form(principal)
    st.subheader(t("feedback.mine"), anchor=False)
    with cache.context().sessions() as db:
        items = fb.list_items(db, principal)
    if not items:
        st.caption(t("feedback.none_yet"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("feedback.col.new"): ["●" if i.is_new else "" for i in items],
                "#": [i.id for i in items],
                t("feedback.col.title"): [i.title for i in items],
                t("feedback.col.category"): [
                    _label("category", i.category) for i in items
                ],
                t("feedback.col.urgency"): [
                    _label("urgency", i.urgency) for i in items
                ],
                t("feedback.col.status"): [_label("status", i.status) for i in items],
                t("feedback.col.raised"): [local_time(i.raised_at) for i in items],
                t("feedback.col.answered"): [local_time(i.answered_at) for i in items],
            }
        ),
        hide_index=True,
    )
    by_id = {i.id: i for i in items}
    first_new = next((i.id for i in items if i.is_new), None)
    chosen = st.selectbox(
        t("feedback.open_item"),
        list(by_id),
        index=list(by_id).index(first_new) if first_new else None,
        format_func=lambda i: _option(by_id[i]),
        placeholder=t("feedback.pick"),
        key="fb_commune_pick",
        on_change=_forget_versions,
    )
    if chosen is None:
        return
    item = by_id[chosen]
    _mark_seen(principal, item)
    _details(principal, item)
    _reopen_form(principal, item)


# --------------------------------------------------------------------------- #
# province staff


def _due_inputs(item: fb.FeedbackView) -> None:
    # From the start of this hour: a default that changes on every run would
    # reset what the user typed into the form.
    hour_start = clock.now().replace(minute=0, second=0, microsecond=0)
    default = item.due_utc or fb.due_default(item.urgency, hour_start)
    local = to_vietnam_time(default)
    assert local is not None
    cols = st.columns(2)
    cols[0].date_input(
        t("feedback.due_date"),
        value=local.date(),
        format="DD/MM/YYYY",
        key=f"fb_due_date_{item.id}",
    )
    cols[1].time_input(
        t("feedback.due_time"),
        value=time(local.hour, local.minute),
        step=1800,
        key=f"fb_due_time_{item.id}",
    )


def _submit(label: str, action: str, principal: Principal, item_id: int, **kw):
    st.form_submit_button(
        label, on_click=_submit_action, args=(action, principal, item_id), **kw
    )


def _actions(principal: Principal, item: fb.FeedbackView) -> None:
    if item.status in fb.TRANSITIONS["assign"]:
        with st.form(f"fb_assign_form_{item.id}"):
            st.markdown(f"**{t('feedback.assign')}**")
            options = list(DEPARTMENTS)
            if item.department and item.department not in options:
                options.insert(0, item.department)
            st.selectbox(
                t("feedback.field.department"),
                options,
                index=options.index(item.department) if item.department else None,
                accept_new_options=True,
                placeholder=t("feedback.department_hint"),
                key=f"fb_department_{item.id}",
            )
            st.text_input(
                t("feedback.field.owner"),
                value=item.owner or principal.display_name,
                max_chars=fb.MAX_NAME,
                key=f"fb_owner_{item.id}",
            )
            _due_inputs(item)
            _submit(
                t("feedback.assign"),
                "assign",
                principal,
                item.id,
                icon=":material/assignment_ind:",
            )
    if item.status in fb.TRANSITIONS["answer"]:
        with st.form(f"fb_answer_form_{item.id}"):
            st.text_area(
                t("feedback.field.answer"),
                max_chars=fb.MAX_TEXT,
                key=f"fb_answer_{item.id}",
            )
            _submit(
                t("feedback.answer"),
                "answer",
                principal,
                item.id,
                type="primary",
                icon=":material/reply:",
            )
    if item.status in fb.TRANSITIONS["close"]:
        with st.form(f"fb_close_form_{item.id}"):
            st.text_input(t("feedback.close_note"), key=f"fb_close_note_{item.id}")
            _submit(
                t("feedback.close"),
                "close",
                principal,
                item.id,
                icon=":material/task_alt:",
            )
    _reopen_form(principal, item)


def _queue(principal: Principal, province: str) -> None:
    cols = st.columns(3)
    statuses = cols[0].multiselect(
        t("feedback.field.status"),
        fb.STATUSES,
        default=["received", "assigned", "answered"],
        format_func=lambda s: _label("status", s),
        key="fb_filter_status",
        placeholder=t("ui.choose_many"),
    )
    urgencies = cols[1].multiselect(
        t("feedback.field.urgency"),
        fb.URGENCIES,
        format_func=lambda u: _label("urgency", u),
        placeholder=t("feedback.all"),
        key="fb_filter_urgency",
    )
    categories = cols[2].multiselect(
        t("feedback.field.category"),
        fb.CATEGORIES,
        format_func=lambda c: _label("category", c),
        placeholder=t("feedback.all"),
        key="fb_filter_category",
    )
    if st.button(t("feedback.mark_all_seen"), icon=":material/done_all:"):
        with cache.context().transaction() as db:
            fb.mark_seen(db, principal)
    with cache.context().sessions() as db:
        items = fb.list_items(
            db,
            principal,
            province_code=province,
            statuses=statuses or None,
            urgencies=urgencies or None,
            categories=categories or None,
        )
    if not items:
        st.caption(t("feedback.queue_empty"))
        return
    now = clock.now()
    st.dataframe(
        pd.DataFrame(
            {
                t("feedback.col.new"): ["●" if i.is_new else "" for i in items],
                "#": [i.id for i in items],
                t("feedback.col.commune"): [i.commune_name for i in items],
                t("feedback.col.urgency"): [
                    URGENCY_ICONS[i.urgency] + _label("urgency", i.urgency)
                    for i in items
                ],
                t("feedback.col.category"): [
                    _label("category", i.category) for i in items
                ],
                t("feedback.col.title"): [i.title for i in items],
                t("feedback.col.status"): [_label("status", i.status) for i in items],
                t("feedback.col.due"): [
                    ("⚠ " if i.overdue(now) else "") + local_time(i.due_utc)
                    for i in items
                ],
                t("feedback.col.owner"): [i.owner for i in items],
                t("feedback.col.raised"): [local_time(i.raised_at) for i in items],
                t("feedback.col.open_for"): [
                    duration(i.step_times(now).open_for) for i in items
                ],
            }
        ),
        hide_index=True,
        key="fb_queue_table",
    )
    by_id = {i.id: i for i in items}
    chosen = st.selectbox(
        t("feedback.open_item"),
        list(by_id),
        index=None,
        format_func=lambda i: _option(by_id[i]),
        placeholder=t("feedback.pick"),
        key="fb_province_pick",
        on_change=_forget_versions,
    )
    if chosen is None:
        return
    item = by_id[chosen]
    _mark_seen(principal, item)
    _details(principal, item)
    _actions(principal, item)


def _summary(principal: Principal, province: str) -> None:
    weeks = st.select_slider(
        t("feedback.summary.weeks"), options=[4, 8, 12, 26], value=8, key="fb_weeks"
    )
    with cache.context().sessions() as db:
        frame = fb.weekly_summary(db, principal, province, weeks=weeks)
    if frame.empty:
        st.caption(t("feedback.summary.empty"))
        return
    frame = frame.assign(
        category_label=frame["category"].map(lambda c: _label("category", c)),
        week=pd.to_datetime(frame["week_start"]),
    )
    st.markdown(f"**{t('feedback.summary.per_week')}**")
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("yearmonthdate(week):O", title=t("feedback.summary.week")),
            y=alt.Y("sum(raised):Q", title=t("feedback.summary.raised")),
            color=alt.Color("category_label:N", title=t("feedback.field.category")),
            tooltip=[
                alt.Tooltip("category_label:N", title=t("feedback.field.category")),
                alt.Tooltip("sum(raised):Q", title=t("feedback.summary.raised")),
            ],
        )
    )
    st.altair_chart(chart, width="stretch")
    per_commune = frame.pivot_table(
        index="commune_name",
        columns="category_label",
        values="raised",
        aggfunc="sum",
        fill_value=0,
    )
    per_commune[t("feedback.summary.total")] = per_commune.sum(axis=1)
    per_commune = per_commune.sort_values(t("feedback.summary.total"), ascending=False)
    st.markdown(f"**{t('feedback.summary.per_commune')}**")
    st.bar_chart(
        per_commune.drop(columns=[t("feedback.summary.total")]).head(15),
        horizontal=True,
    )
    totals = frame.groupby("commune_name")[["raised", "urgent", "answered", "awaiting"]]
    table = per_commune.join(totals.sum()).reset_index()
    table = table.rename(
        columns={
            "commune_name": t("feedback.col.commune"),
            "raised": t("feedback.summary.raised"),
            "urgent": t("feedback.summary.urgent"),
            "answered": t("feedback.summary.answered"),
            "awaiting": t("feedback.summary.awaiting"),
        }
    ).drop(columns=[t("feedback.summary.total")])
    st.dataframe(table, hide_index=True, key="fb_summary_table")


def _province(principal: Principal) -> None:
    province = pick_province(principal, "fb_province", label_key="feedback.province")
    if province is None:
        st.info(t("feedback.not_allowed"))
        return
    queue, summary = st.tabs([t("feedback.tab.queue"), t("feedback.tab.summary")])
    with queue:
        _queue(principal, province)
    with summary:
        _summary(principal, province)


# --------------------------------------------------------------------------- #


def render() -> None:
    st.title(t("page.feedback"))
    principal = session.principal()
    if principal is None or principal.role is Role.VOLUNTEER:
        st.info(t("feedback.not_allowed"))
        return
    badge_area = st.container(key="feedback_badge")
    st.caption(t(f"feedback.intro.{principal.role.value}"))
    _show_flash()
    if principal.role is Role.COMMUNE:
        _commune(principal)
    else:
        _province(principal)
    with badge_area:  # filled last: items opened on this run are already seen
        feedback_badge.render(principal)


if __name__ == "__main__":  # run as a page by st.navigation
    render()
