"""Page: the outreach library (issue 6), built for a phone on a weak signal.

The list shows each material with a tiny thumbnail (a WebP of a few kB,
served once per page load through Streamlit's media endpoint, not inlined in
every rerun), its title, hazard, stage, audience, language, type and always
its size. Nothing big is sent until asked: an item's downloads are *deferred*
(the file is read only when the button is pressed), the preview image and the
QR code appear only when toggled.

In phone mode (the "Chế độ điện thoại" switch of
:mod:`dashboard.ui.components.phone`, on by default for volunteers and
commune leaders) each item is a card instead: the title in full, its type,
size and language, one large download (or open) button labelled with the
size, and the share / copy-as-text action; the supply list is a list of
cards with their quantities.

Sections: the library (everyone), the supply calculator (everyone), reach per
commune (province staff, admins, commune leaders) and publishing (province
staff and admins). The rules themselves are enforced in
:mod:`dashboard.outreach`; this page only hides what a role cannot do.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from dashboard import registry
from dashboard.auth import Forbidden, Principal, Role
from dashboard.core.errors import DashboardError, Invalid, NotFound
from dashboard.core.time import to_vietnam_time
from dashboard.i18n import LANGUAGES
from dashboard.outreach import catalog, sharing, supplies, uploads
from dashboard.outreach.catalog import MaterialInput
from dashboard.store.models.outreach import AUDIENCES, HAZARDS, KINDS, STAGES
from dashboard.ui import cache, clock, session
from dashboard.ui.components import copy_text, phone
from dashboard.ui.components.province_picker import pick_province
from dashboard.ui.errors import show_error
from dashboard.ui.markdown import escape
from dashboard.ui.session import t

PAGE_SIZE = 50
THUMB_WIDTH = 56
SELECTED = "outreach.selected"
ICONS = {
    "infographic_image": ":material/image:",
    "infographic_pdf": ":material/picture_as_pdf:",
    "video_file": ":material/movie:",
    "video_link": ":material/link:",
    "supply_list": ":material/checklist:",
    "message": ":material/sms:",
    "loudspeaker": ":material/campaign:",
}
EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
}


@st.cache_resource(show_spinner=False, max_entries=1024)
def _stored(key: str) -> bytes:
    """A stored file by key (keys are content hashes: never stale)."""
    return catalog.store_for(cache.context()).get(key)


def _label(group: str, value: str) -> str:
    return t(f"outreach.{group}.{value}") if value else t("outreach.filter.all")


def _size(material) -> str:
    if material.kind == "video_link" and not material.size:
        return t("outreach.size.link")
    return sharing.human_size(material.size)


def _base_url() -> str:
    url = st.context.url or ""
    parts = urlsplit(url)
    if parts.scheme and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return "http://localhost:8501"


def _file_name(material, variant: str) -> str:
    mime = material.light_mime if variant == "light" else material.mime
    ext = ".txt" if mime.startswith("text/") else EXTENSIONS.get(mime, "")
    stem = "".join(ch if ch.isalnum() else "-" for ch in material.title)[:60]
    suffix = "-nhe" if variant == "light" and session.lang() == "vi" else ""
    suffix = "-light" if variant == "light" and session.lang() == "en" else suffix
    return f"{stem.strip('-') or 'tai-lieu'}{suffix}{ext}"


def _reader(key: str):
    return lambda: _stored(key)


def primary_action(material) -> str | None:
    """The one large button of an item's card: ``"download"`` its file,
    ``"link"`` (open the video link), or ``None`` (nothing to fetch)."""
    if material.file_path:
        return "download"
    if material.link_url:
        return "link"
    return None


def share_label_key(material) -> str:
    """The card's second button: copy the text itself (messages, loudspeaker
    scripts, supply lists), or share the item (its title, link and size)."""
    if material.kind in catalog.TEXT_KINDS and material.text_body:
        return "outreach.card.copy"
    return "outreach.card.share"


def card_facts(material) -> list[str]:
    """What the card says under the title: type, size (what a download costs
    on a weak link) and language; the status when it is not published."""
    facts = [
        _label("kind", material.kind),
        f"**{_size(material)}**",
        _label("language", material.language),
    ]
    if material.status != "published":
        facts.insert(0, f"**{_label('status', material.status)}**")
    return facts


def _toggle(material_id: int) -> None:
    current = st.session_state.get(SELECTED)
    st.session_state[SELECTED] = None if current == material_id else material_id


# ---------------------------------------------------------------- library


def _filters(p: Principal) -> dict:
    query = st.text_input(
        t("outreach.search"),
        key="outreach.query",
        placeholder=t("outreach.search_hint"),
    )
    with st.expander(t("outreach.filters"), icon=":material/filter_list:"):
        cols = st.columns(3)
        hazard = cols[0].selectbox(
            t("outreach.filter.hazard"),
            ["", *HAZARDS],
            format_func=lambda v: _label("hazard", v),
            key="outreach.f.hazard",
            placeholder=t("ui.choose"),
        )
        stage = cols[1].selectbox(
            t("outreach.filter.stage"),
            ["", *STAGES],
            format_func=lambda v: _label("stage", v),
            key="outreach.f.stage",
            placeholder=t("ui.choose"),
        )
        audience = cols[2].selectbox(
            t("outreach.filter.audience"),
            ["", *AUDIENCES],
            format_func=lambda v: _label("audience", v),
            key="outreach.f.audience",
            placeholder=t("ui.choose"),
        )
        cols = st.columns(3)
        languages = ["", *LANGUAGES]
        language = cols[0].selectbox(
            t("outreach.filter.language"),
            languages,
            index=languages.index(session.lang()),
            format_func=lambda v: _label("language", v),
            key="outreach.f.language",
            placeholder=t("ui.choose"),
        )
        kind = cols[1].selectbox(
            t("outreach.filter.kind"),
            ["", *KINDS],
            format_func=lambda v: _label("kind", v),
            key="outreach.f.kind",
            placeholder=t("ui.choose"),
        )
        statuses = ["published"]
        if catalog.can_publish(p) and cols[2].toggle(
            t("outreach.filter.show_hidden"), key="outreach.f.hidden"
        ):
            statuses = ["published", "draft", "withdrawn"]
    return {
        "query": query,
        "hazard": hazard or None,
        "stage": stage or None,
        "audience": audience or None,
        "language": language or None,
        "kind": kind or None,
        "statuses": statuses,
    }


def _row(ctx, p: Principal, material, selected: bool) -> None:
    with st.container(border=True, key=f"outreach_item_{material.id}"):
        thumb, body, action = st.columns([1, 7, 2], vertical_alignment="center")
        if material.thumb_path:
            thumb.image(
                _stored(material.thumb_path), width=THUMB_WIDTH, alt=material.title
            )
        else:
            thumb.markdown(f"## {ICONS[material.kind]}")
        facts = [
            _label("hazard", material.hazard),
            _label("stage", material.stage),
            _label("audience", material.audience),
            material.language.upper(),
            _label("kind", material.kind),
            f"**{_size(material)}**",
        ]
        if material.status != "published":
            facts.insert(0, f"**{_label('status', material.status)}**")
        body.markdown(f"**{escape(material.title)}**  \n" + " · ".join(facts))
        action.button(
            t("outreach.close") if selected else t("outreach.open"),
            key=f"outreach.open.{material.id}",
            on_click=_toggle,
            args=(material.id,),
            width="stretch",
        )
        if selected:
            _detail(ctx, p, material)


def _card(ctx, p: Principal, material, selected: bool) -> None:
    """One item as a card for a phone (see the module docstring)."""
    with st.container(border=True, key=f"outreach_item_{material.id}"):
        st.markdown(f"{ICONS[material.kind]} **{escape(material.title)}**")
        st.markdown(" · ".join(card_facts(material)))
        action = primary_action(material)
        if action == "download":
            st.download_button(
                t("outreach.card.download", size=sharing.human_size(material.size)),
                data=_reader(material.file_path),
                file_name=_file_name(material, "main"),
                mime=material.mime,
                key=f"outreach.dl.{material.id}",
                icon=":material/download:",
                on_click="ignore",
                type="primary",
                width="stretch",
            )
        elif action == "link":
            st.link_button(
                t("outreach.open_link"),
                material.link_url,
                icon=":material/open_in_new:",
                type="primary",
                width="stretch",
            )
        st.button(
            t("outreach.close") if selected else t(share_label_key(material)),
            key=f"outreach.open.{material.id}",
            on_click=_toggle,
            args=(material.id,),
            icon=":material/expand_less:" if selected else ":material/share:",
            width="stretch",
        )
        if selected:
            _detail(ctx, p, material, card=True)


def _detail(ctx, p: Principal, material, card: bool = False) -> None:
    if material.description:
        st.markdown(escape(material.description))
    link = sharing.item_link(_base_url(), material.id)
    # A card shows its main download (or link) already, and stacks the rest.
    cols = [st.container(), st.container()] if card else st.columns(2)
    if material.file_path and not card:
        cols[0].download_button(
            t("outreach.download", size=sharing.human_size(material.size)),
            data=_reader(material.file_path),
            file_name=_file_name(material, "main"),
            mime=material.mime,
            key=f"outreach.dl.{material.id}",
            icon=":material/download:",
            on_click="ignore",
        )
    # On a card, a text's "light version" (the same file) is not offered twice.
    if material.light_path and not (card and material.light_path == material.file_path):
        cols[1].download_button(
            t("outreach.download_light", size=sharing.human_size(material.light_size)),
            data=_reader(material.light_path),
            file_name=_file_name(material, "light"),
            mime=material.light_mime,
            key=f"outreach.light.{material.id}",
            icon=":material/download:",
            on_click="ignore",
            width="stretch" if card else "content",
        )
    if material.link_url and not (card and primary_action(material) == "link"):
        cols[0].link_button(t("outreach.open_link"), material.link_url)
    st.caption(t("outreach.copy_hint"))
    st.code(
        sharing.share_text(material, link, session.lang()),
        language=None,
        wrap_lines=True,
    )
    toggles = [st.container() for _ in range(3)] if card else st.columns(3)
    show_image = material.light_mime.startswith("image/") and toggles[0].toggle(
        t("outreach.preview"), key=f"outreach.preview.{material.id}"
    )
    show_qr = toggles[1].toggle(t("outreach.qr"), key=f"outreach.qr.{material.id}")
    show_share = toggles[2].toggle(
        t("outreach.mark_shared"), key=f"outreach.share.{material.id}"
    )
    if show_image:
        st.image(_stored(material.light_path), alt=material.title)
    if show_qr:
        st.image(sharing.qr_png(link), width=200, caption=link, alt=t("outreach.qr"))
    if show_share and material.status == "published":
        _reach_form(ctx, p, material)
    if catalog.can_manage(p, material):
        _manage(ctx, p, material)


def _commune_choice(p: Principal, key: str) -> str | None:
    if p.role is Role.COMMUNE:
        return p.commune_code
    province = next(iter(sorted(p.province_codes)), None)
    found = st.text_input(
        t("outreach.reach.commune_search"),
        key=f"{key}.q",
        placeholder=t("outreach.reach.commune_hint"),
    )
    if not found.strip():
        return None
    matches = registry.search(found, province_code=province, limit=20)
    if matches.empty:
        st.caption(t("outreach.reach.no_commune"))
        return None
    options = list(matches["commune_code"])
    names = dict(
        zip(
            matches["commune_code"],
            matches["commune_name"] + ", " + matches["province_name"],
            strict=True,
        )
    )
    return st.selectbox(
        t("outreach.reach.commune"),
        options,
        format_func=names.get,
        key=f"{key}.code",
        placeholder=t("ui.choose"),
    )


def _reach_form(ctx, p: Principal, material) -> None:
    key = f"outreach.reach.{material.id}"
    with st.container(border=True):
        commune = _commune_choice(p, key)
        with st.form(f"{key}.form", clear_on_submit=True, border=False):
            village = st.text_input(t("outreach.reach.village"), key=f"{key}.village")
            cols = st.columns(2)
            when = cols[0].date_input(
                t("outreach.reach.date"),
                value=to_vietnam_time(clock.now()).date(),
                key=f"{key}.date",
                format="DD/MM/YYYY",
            )
            people = cols[1].number_input(
                t("outreach.reach.people"),
                min_value=0,
                max_value=sharing.MAX_PEOPLE,
                value=0,
                step=1,
                key=f"{key}.people",
            )
            submitted = st.form_submit_button(t("outreach.reach.submit"))
        if submitted:
            if commune is None:
                st.error(t("outreach.reach.need_commune"))
                return
            try:
                sharing.record_reach(
                    ctx, p, material.id, commune, village, when, int(people)
                )
            except DashboardError as exc:
                show_error(exc)
            else:
                st.success(t("outreach.reach.saved", village=escape(village.strip())))


def _meta_form(prefix: str, material=None) -> dict:
    """The describing fields, pre-filled from *material* when editing."""

    def index(options, value):
        return list(options).index(value) if value in options else 0

    values = {}
    values["title"] = st.text_input(
        t("outreach.form.title"), value=material.title if material else ""
    )
    cols = st.columns(3)
    values["kind"] = cols[0].selectbox(
        t("outreach.filter.kind"),
        KINDS,
        index=index(KINDS, material.kind if material else None),
        format_func=lambda v: _label("kind", v),
        placeholder=t("ui.choose"),
    )
    values["hazard"] = cols[1].selectbox(
        t("outreach.filter.hazard"),
        HAZARDS,
        index=index(HAZARDS, material.hazard if material else None),
        format_func=lambda v: _label("hazard", v),
        placeholder=t("ui.choose"),
    )
    values["stage"] = cols[2].selectbox(
        t("outreach.filter.stage"),
        STAGES,
        index=index(STAGES, material.stage if material else None),
        format_func=lambda v: _label("stage", v),
        placeholder=t("ui.choose"),
    )
    cols = st.columns(3)
    values["audience"] = cols[0].selectbox(
        t("outreach.filter.audience"),
        AUDIENCES,
        index=index(AUDIENCES, material.audience if material else None),
        format_func=lambda v: _label("audience", v),
        placeholder=t("ui.choose"),
    )
    values["language"] = cols[1].selectbox(
        t("outreach.filter.language"),
        LANGUAGES,
        index=index(LANGUAGES, material.language if material else session.lang()),
        format_func=lambda v: _label("language", v),
        placeholder=t("ui.choose"),
    )
    values["tags"] = cols[2].text_input(
        t("outreach.form.tags"), value=material.tags if material else ""
    )
    values["description"] = st.text_area(
        t("outreach.form.description"),
        value=material.description if material else "",
        height=80,
    )
    values["text_body"] = st.text_area(
        t("outreach.form.text_body"),
        value=material.text_body if material else "",
        help=t("outreach.form.text_help"),
    )
    values["link_url"] = st.text_input(
        t("outreach.form.link"), value=material.link_url if material else ""
    )
    values["file"] = st.file_uploader(
        t("outreach.form.file"),
        help=t("outreach.form.file_help")
        + " "
        + t(
            "outreach.form.file_limits",
            **{k: v // uploads.MB for k, v in uploads.MAX_BYTES.items()},
        ),
        key=f"{prefix}.file",
        max_upload_size=max(uploads.MAX_BYTES.values()) // uploads.MB,
    )
    return values


def _input(values: dict) -> MaterialInput:
    return MaterialInput(
        title=values["title"],
        kind=values["kind"],
        hazard=values["hazard"],
        stage=values["stage"],
        audience=values["audience"],
        language=values["language"],
        description=values["description"],
        tags=catalog.normalise_tags(values["tags"]),
        text_body=values["text_body"],
        link_url=values["link_url"],
    )


def _manage(ctx, p: Principal, material) -> None:
    key = f"outreach.manage.{material.id}"
    with st.expander(t("outreach.manage"), icon=":material/edit:"):
        with st.form(f"{key}.form"):
            values = _meta_form(key, material)
            submitted = st.form_submit_button(t("outreach.update"))
        if submitted:
            upload = values["file"]
            try:
                catalog.update(
                    ctx,
                    p,
                    material.id,
                    material.version,
                    _input(values),
                    upload.getvalue() if upload else None,
                )
            except DashboardError as exc:
                show_error(exc)
            else:
                st.success(t("outreach.updated"))
                st.rerun()
        if material.status == "withdrawn" or material.status == "draft":
            if st.button(t("outreach.republish"), key=f"{key}.republish"):
                try:
                    catalog.update(
                        ctx, p, material.id, material.version, status="published"
                    )
                except DashboardError as exc:
                    show_error(exc)
                else:
                    st.rerun()
        else:
            reason = st.text_input(t("outreach.withdraw_reason"), key=f"{key}.reason")
            if st.button(t("outreach.withdraw"), key=f"{key}.withdraw", type="primary"):
                try:
                    catalog.withdraw(ctx, p, material.id, reason)
                except DashboardError as exc:
                    show_error(exc)
                else:
                    st.rerun()


def _library(ctx, p: Principal, cards: bool) -> None:
    wanted = st.query_params.get("item")
    if wanted and wanted.isdigit() and SELECTED not in st.session_state:
        st.session_state[SELECTED] = int(wanted)
    filters = _filters(p)
    items = catalog.search(ctx, p, limit=PAGE_SIZE + 1, **filters)
    selected = st.session_state.get(SELECTED)
    if selected is not None and all(m.id != selected for m in items):
        try:
            items.insert(0, catalog.get(ctx, p, selected))
        except NotFound:
            st.session_state[SELECTED] = None
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    if not items:
        st.info(t("outreach.empty"))
        return
    st.caption(
        t("outreach.count_more", n=len(items))
        if more
        else t("outreach.count", n=len(items))
    )
    draw = _card if cards else _row
    for material in items:
        draw(ctx, p, material, material.id == selected)


# ---------------------------------------------------------------- supplies


def _supplies(cards: bool) -> None:
    st.caption(t("outreach.supplies.intro"))
    cols = st.columns(5)
    people = cols[0].number_input(
        t("outreach.supplies.people"),
        value=4,
        step=1,
        key="outreach.s.people",
    )
    days = cols[1].number_input(
        t("outreach.supplies.days"), value=3, step=1, key="outreach.s.days"
    )
    infants = cols[2].number_input(
        t("outreach.supplies.infants"),
        value=0,
        step=1,
        key="outreach.s.infants",
    )
    elderly = cols[3].number_input(
        t("outreach.supplies.elderly"),
        value=0,
        step=1,
        key="outreach.s.elderly",
    )
    medical = cols[4].number_input(
        t("outreach.supplies.medical"),
        value=0,
        step=1,
        key="outreach.s.medical",
    )
    try:
        checklist = supplies.household_checklist(
            int(people),
            int(days),
            int(infants),
            int(elderly),
            int(medical),
            session.lang(),
        )
    except Invalid as exc:
        show_error(exc)
        return
    text = supplies.checklist_text(checklist)
    if cards:
        # A card per item, its quantity first; the text to copy above them.
        copy_text.render(text, key="supplies_text")
        for n, line in enumerate(checklist.lines):
            with st.container(border=True, key=f"outreach_supply_{n}"):
                st.markdown(
                    f"**{escape(line.quantity)} {escape(line.unit)}**"
                    f" · {escape(line.label)}"
                )
                if line.note:
                    st.caption(escape(line.note))
    else:
        rows = [
            f"- **{line.quantity} {escape(line.unit)}** – {escape(line.label)}"
            + (f"  \n  _{escape(line.note)}_" if line.note else "")
            for line in checklist.lines
        ]
        st.markdown("\n".join(rows))
    st.download_button(
        t("outreach.supplies.pdf"),
        data=lambda: supplies.checklist_pdf(checklist, clock.now()),
        file_name=f"{t('outreach.supplies.file')}.pdf",
        mime="application/pdf",
        icon=":material/print:",
        on_click="ignore",
        key="outreach.s.pdf",
        width="stretch" if cards else "content",
    )
    if not cards:
        st.caption(t("outreach.copy_hint"))
        st.code(text, language=None, wrap_lines=True)


# ---------------------------------------------------------------- reach


def _reach(ctx, p: Principal) -> None:
    province = None
    if p.role is Role.PROVINCE and len(p.province_codes) > 1:
        province = pick_province(
            p, "outreach.r.prov", label_key="outreach.reach.province"
        )
    try:
        summary = sharing.reach_summary(ctx, p, province)
    except Forbidden as exc:
        show_error(exc)
        return
    if not summary:
        st.info(t("outreach.reach.none"))
        return
    st.caption(t("outreach.reach.summary", communes=len(summary)))
    st.dataframe(
        [
            {
                t("outreach.reach.col.commune"): c.commune_name,
                t("outreach.reach.col.villages"): ", ".join(c.villages),
                t("outreach.reach.col.records"): c.records,
                t("outreach.reach.col.people"): c.people,
                t("outreach.reach.col.last"): f"{c.last_date:%d/%m/%Y}",
            }
            for c in summary
        ],
        hide_index=True,
        width="stretch",
    )


# ---------------------------------------------------------------- publish


def _publish(ctx, p: Principal) -> None:
    province = None
    if p.role is Role.PROVINCE and len(p.province_codes) > 1:
        province = pick_province(
            p, "outreach.p.prov", label_key="outreach.reach.province"
        )
    with st.form("outreach.publish", clear_on_submit=False):
        values = _meta_form("outreach.publish")
        draft = st.checkbox(t("outreach.form.draft"))
        submitted = st.form_submit_button(t("outreach.publish"), type="primary")
    if not submitted:
        return
    upload = values["file"]
    try:
        material = catalog.publish(
            ctx,
            p,
            _input(values),
            upload.getvalue() if upload else None,
            province_code=province,
            status="draft" if draft else "published",
        )
    except DashboardError as exc:
        show_error(exc)
    else:
        st.success(
            t(
                "outreach.published",
                title=escape(material.title),
                size=sharing.human_size(material.size),
            )
        )


# ---------------------------------------------------------------- page


def sections_for(p: Principal) -> list[str]:
    sections = ["library", "supplies"]
    if p.role in (Role.ADMIN, Role.PROVINCE, Role.COMMUNE):
        sections.append("reach")
    if catalog.can_publish(p):
        sections.append("publish")
    return sections


def render() -> None:
    st.title(t("page.outreach"))
    p = session.principal()
    if p is None:
        st.info(t("outreach.sign_in"))
        return
    ctx = cache.context()
    cards = phone.phone_mode()
    sections = sections_for(p)
    section = st.segmented_control(
        t("outreach.section"),
        sections,
        format_func=lambda s: t(f"outreach.section.{s}"),
        default="library",
        required=True,
        key="outreach.section",
        label_visibility="collapsed",
    )
    if section == "supplies":
        _supplies(cards)
    elif section == "reach":
        _reach(ctx, p)
    elif section == "publish":
        _publish(ctx, p)
    else:
        _library(ctx, p, cards)


if __name__ == "__main__":  # run as a page by st.navigation
    render()
