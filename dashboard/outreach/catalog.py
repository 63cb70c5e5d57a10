"""The outreach catalogue: publish, update, withdraw, search.

Authorization is enforced here (the page only hides what a role cannot do):

* everyone signed in reads **published** materials;
* province staff publish materials for their province(s), and update or
  withdraw those; admins do everything, including national materials
  (``province_code`` is ``None``, e.g. the starter content);
* province staff also see drafts and withdrawn items of their provinces,
  admins see every status; volunteers and commune leaders never do.

Every publish, update and withdrawal is written to the audit log in the same
transaction. Files are written to the :class:`FileStore` *before* the row is
committed; if the transaction fails, the files this call newly wrote are
deleted again, so a refused or failed upload leaves no row and no file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dashboard import audit
from dashboard.auth import Forbidden, Principal, Role, require, require_active
from dashboard.context import AppContext
from dashboard.core.errors import Conflict, Invalid, NotFound
from dashboard.core.text import fold
from dashboard.core.time import utc_now
from dashboard.i18n import LANGUAGES, translate
from dashboard.outreach import uploads
from dashboard.outreach.storage import FileStore, LocalFileStore, sha256
from dashboard.store.models.outreach import (
    AUDIENCES,
    HAZARDS,
    KINDS,
    STAGES,
    STATUSES,
    OutreachMaterial,
)

OBJECT_TYPE = "outreach_material"
TEXT_KINDS = ("message", "loudspeaker", "supply_list")
MAX_TEXT = 20_000
MAX_TAGS = 20


class CatalogError(Invalid):
    """Bad metadata (the message names the field)."""


@dataclass(frozen=True)
class MaterialInput:
    """The describing fields of a material (what the publish form asks)."""

    title: str
    kind: str
    hazard: str
    stage: str
    audience: str
    language: str
    description: str = ""
    tags: tuple[str, ...] = ()
    text_body: str = ""
    link_url: str = ""


def store_for(ctx: AppContext) -> FileStore:
    """The file store of an installation (local disk under the data directory)."""
    return LocalFileStore(ctx.settings.data_dir)


def can_publish(p: Principal) -> bool:
    return p.role is Role.ADMIN or (p.role is Role.PROVINCE and bool(p.province_codes))


def can_manage(p: Principal, material: OutreachMaterial) -> bool:
    """Update or withdraw *material*."""
    if p.role is Role.ADMIN:
        return True
    return p.role is Role.PROVINCE and material.province_code in p.province_codes


def normalise_tags(tags: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(tags, str):
        tags = tags.split(",")
    seen: list[str] = []
    for tag in tags:
        clean = " ".join(tag.strip().lower().split())
        if clean and clean not in seen:
            seen.append(clean[:40])
    return tuple(seen[:MAX_TAGS])


def validate(meta: MaterialInput) -> MaterialInput:
    """Check and normalise *meta*; raise :class:`CatalogError` naming the field."""
    title = " ".join(meta.title.split())
    if not 3 <= len(title) <= 200:
        raise CatalogError(
            "title: between 3 and 200 characters",
            key="errors.length_between",
            field="title",
            low=3,
            high=200,
        )
    for name, allowed in (
        ("kind", KINDS),
        ("hazard", HAZARDS),
        ("stage", STAGES),
        ("audience", AUDIENCES),
        ("language", LANGUAGES),
    ):
        value = getattr(meta, name)
        if value not in allowed:
            raise CatalogError(
                f"{name}: {value!r} is not one of {', '.join(allowed)}",
                key="errors.not_allowed",
                field=name,
                value=value,
            )
    text_body = meta.text_body.strip()
    if len(text_body) > MAX_TEXT:
        raise CatalogError(
            f"text: at most {MAX_TEXT} characters",
            key="errors.too_long",
            field="text",
            length=len(text_body),
            limit=MAX_TEXT,
        )
    if meta.kind in ("message", "loudspeaker") and not text_body:
        raise CatalogError(
            f"text: a {meta.kind} item needs its text",
            key="errors.required",
            field="text",
        )
    link = meta.link_url.strip()
    if meta.kind == "video_link":
        if not link.startswith(("https://", "http://")) or any(
            ch.isspace() or ch in "<>\"'" for ch in link
        ):
            raise CatalogError(
                "link: a video link must be an http(s) address",
                key="outreach.err.link_http",
                field="link",
            )
        if len(link) > 500:
            raise CatalogError(
                "link: at most 500 characters",
                key="errors.too_long",
                field="link",
                length=len(link),
                limit=500,
            )
    elif link:
        raise CatalogError(
            f"link: a {meta.kind} item takes no link",
            key="outreach.err.no_link",
            field="link",
        )
    return MaterialInput(
        title=title,
        kind=meta.kind,
        hazard=meta.hazard,
        stage=meta.stage,
        audience=meta.audience,
        language=meta.language,
        description=meta.description.strip()[:5000],
        tags=normalise_tags(meta.tags),
        text_body=text_body,
        link_url=link,
    )


def search_text(meta: MaterialInput) -> str:
    """Folded text a search matches: fields, tags and labels in both languages."""
    labels = [
        translate(f"outreach.{group}.{value}", lang)
        for lang in LANGUAGES
        for group, value in (
            ("hazard", meta.hazard),
            ("stage", meta.stage),
            ("kind", meta.kind),
            ("audience", meta.audience),
        )
    ]
    parts = [meta.title, meta.description, " ".join(meta.tags), meta.text_body[:4000]]
    return fold(" ".join(parts + labels))


def _summary(row: OutreachMaterial) -> dict:
    return {
        "title": row.title,
        "kind": row.kind,
        "hazard": row.hazard,
        "stage": row.stage,
        "audience": row.audience,
        "language": row.language,
        "status": row.status,
        "version": row.version,
        "checksum": row.checksum,
        "size": row.size,
        "province_code": row.province_code,
    }


def _province_for(actor: Principal, province_code: str | None) -> str | None:
    if actor.role is Role.ADMIN:
        return province_code
    require(can_publish(actor), f"publish outreach materials (you are {actor.role})")
    if province_code is None:
        if len(actor.province_codes) != 1:
            raise CatalogError(
                "province: choose which of your provinces publishes",
                key="errors.required",
                field="province",
            )
        return next(iter(actor.province_codes))
    require(
        province_code in actor.province_codes,
        f"publish for province {province_code}",
    )
    return province_code


class _Files:
    """Files written by one call, deleted again if its transaction fails."""

    def __init__(self, store: FileStore) -> None:
        self.store = store
        self.created: list[str] = []

    def put(self, variant: uploads.Variant | None) -> tuple[str, int, str]:
        if variant is None:
            return "", 0, ""
        key, new = self.store.put(variant.data, variant.suffix)
        if new:
            self.created.append(key)
        return key, len(variant.data), variant.mime

    def undo(self) -> None:
        for key in self.created:
            self.store.delete(key)


def _apply_content(
    row: OutreachMaterial,
    meta: MaterialInput,
    files: _Files,
    data: bytes | None,
    max_bytes: int | None,
    light_text: str | None,
    replace_file: bool,
) -> None:
    """Set the row's files from *data* (or from the text of a text item)."""
    if data is not None:
        prepared = uploads.prepare(data, meta.kind, max_bytes, light_text)
        row.file_path, row.size, row.mime = files.put(prepared.main)
        row.checksum = sha256(prepared.main.data)
        row.light_path, row.light_size, row.light_mime = files.put(prepared.light)
        row.thumb_path, row.thumb_size, _ = files.put(prepared.thumb)
        if not row.light_path and meta.text_body:
            text = uploads.Variant(
                meta.text_body.encode("utf-8"), "text/plain; charset=utf-8", ".txt"
            )
            row.light_path, row.light_size, row.light_mime = files.put(text)
        return
    if not replace_file:
        return
    if meta.kind in ("infographic_image", "infographic_pdf", "video_file"):
        raise CatalogError(
            f"file: a {meta.kind} item needs its file",
            key="errors.required",
            field="file",
        )
    if meta.text_body:
        text = uploads.Variant(
            meta.text_body.encode("utf-8"), "text/plain; charset=utf-8", ".txt"
        )
        row.file_path, row.size, row.mime = files.put(text)
        row.checksum = sha256(text.data)
        row.light_path, row.light_size, row.light_mime = (
            row.file_path,
            row.size,
            row.mime,
        )
    elif meta.kind == "supply_list":
        raise CatalogError(
            "file: a supply list needs its text or a file",
            key="outreach.err.text_or_file",
            field="file",
        )
    else:  # a video link
        row.file_path, row.size, row.mime, row.checksum = "", 0, "", ""
        row.light_path, row.light_size, row.light_mime = "", 0, ""
    row.thumb_path, row.thumb_size = "", 0


def _set_meta(row: OutreachMaterial, meta: MaterialInput) -> None:
    for name, value in asdict(meta).items():
        setattr(row, name, ",".join(value) if name == "tags" else value)
    row.search_text = search_text(meta)


def publish(
    ctx: AppContext,
    actor: Principal,
    meta: MaterialInput,
    data: bytes | None = None,
    *,
    province_code: str | None = None,
    status: str = "published",
    max_bytes: int | None = None,
    light_text: str | None = None,
    starter_key: str | None = None,
    store: FileStore | None = None,
) -> OutreachMaterial:
    """Add a material (published, or a draft) and audit it.

    Raises
    ------
    Forbidden
        Volunteers and commune leaders; province staff for another province.
    CatalogError
        A field is missing or wrong.
    uploads.UploadRejected
        The file was refused (nothing is stored).
    """
    require(can_publish(actor), f"publish outreach materials (you are {actor.role})")
    if status not in ("draft", "published"):
        raise CatalogError(f"status: {status!r} is not draft or published")
    province = _province_for(actor, province_code)
    meta = validate(meta)
    files = _Files(store or store_for(ctx))
    now = utc_now()
    row = OutreachMaterial(
        status=status,
        version=1,
        province_code=province,
        starter_key=starter_key,
        created_at=now,
        created_by=actor.username,
        updated_at=now,
        updated_by=actor.username,
        published_at=now if status == "published" else None,
        published_by=actor.username if status == "published" else None,
    )
    _set_meta(row, meta)
    try:
        _apply_content(row, meta, files, data, max_bytes, light_text, True)
        with ctx.transaction() as session:
            session.add(row)
            session.flush()
            audit.record(
                session,
                actor,
                "outreach.publish" if status == "published" else "outreach.draft",
                OBJECT_TYPE,
                str(row.id),
                new=_summary(row),
                at=now,
            )
    except BaseException:
        files.undo()
        raise
    return row


def _load(session: Session, material_id: int) -> OutreachMaterial:
    row = session.get(OutreachMaterial, material_id)
    if row is None:
        raise NotFound(f"no outreach material {material_id}")
    return row


def update(
    ctx: AppContext,
    actor: Principal,
    material_id: int,
    expected_version: int,
    meta: MaterialInput | None = None,
    data: bytes | None = None,
    *,
    status: str | None = None,
    max_bytes: int | None = None,
    reason: str = "",
    store: FileStore | None = None,
) -> OutreachMaterial:
    """Change a material's fields, file or status (``draft``/``published``).

    *expected_version* is the version the caller read; if someone changed the
    material since, :class:`Conflict` is raised and nothing changes.
    """
    require(can_publish(actor), f"update outreach materials (you are {actor.role})")
    if status is not None and status not in ("draft", "published"):
        raise CatalogError(f"status: use withdraw() for {status!r}")
    files = _Files(store or store_for(ctx))
    try:
        with ctx.transaction() as session:
            row = _load(session, material_id)
            require(can_manage(actor, row), f"update outreach material {material_id}")
            if row.version != expected_version:
                raise Conflict(
                    f"material {material_id} changed meanwhile (version "
                    f"{row.version}, you read {expected_version}); reload it"
                )
            old = _summary(row)
            new_meta = validate(meta) if meta is not None else _meta_of(row)
            if meta is not None:
                _set_meta(row, new_meta)
            kind_changed = meta is not None and old["kind"] != new_meta.kind
            text_changed = meta is not None and new_meta.kind in TEXT_KINDS
            replace = data is None and (
                kind_changed or (text_changed and row.mime.startswith("text/"))
            )
            _apply_content(row, new_meta, files, data, max_bytes, None, replace)
            now = utc_now()
            if status is not None and status != row.status:
                row.status = status
                if status == "published":
                    row.published_at, row.published_by = now, actor.username
            row.version += 1
            row.updated_at, row.updated_by = now, actor.username
            session.flush()
            audit.record(
                session,
                actor,
                "outreach.update",
                OBJECT_TYPE,
                str(row.id),
                old=old,
                new=_summary(row),
                reason=reason,
                at=now,
            )
    except BaseException:
        files.undo()
        raise
    return row


def _meta_of(row: OutreachMaterial) -> MaterialInput:
    return MaterialInput(
        title=row.title,
        kind=row.kind,
        hazard=row.hazard,
        stage=row.stage,
        audience=row.audience,
        language=row.language,
        description=row.description,
        tags=normalise_tags(row.tags),
        text_body=row.text_body,
        link_url=row.link_url,
    )


def withdraw(
    ctx: AppContext, actor: Principal, material_id: int, reason: str = ""
) -> OutreachMaterial:
    """Hide a material from volunteers (kept, audited, can be re-published)."""
    require(can_publish(actor), f"withdraw outreach materials (you are {actor.role})")
    with ctx.transaction() as session:
        row = _load(session, material_id)
        require(can_manage(actor, row), f"withdraw outreach material {material_id}")
        if row.status == "withdrawn":
            return row
        old = _summary(row)
        now = utc_now()
        row.status = "withdrawn"
        row.version += 1
        row.updated_at, row.updated_by = now, actor.username
        session.flush()
        audit.record(
            session,
            actor,
            "outreach.withdraw",
            OBJECT_TYPE,
            str(row.id),
            old=old,
            new=_summary(row),
            reason=reason,
            at=now,
        )
    return row


def _visible(actor: Principal):
    """SQL condition of the materials *actor* may see."""
    require_active(actor)
    if actor.role is Role.ADMIN:
        return None
    if actor.role is Role.PROVINCE and actor.province_codes:
        return or_(
            OutreachMaterial.status == "published",
            OutreachMaterial.province_code.in_(sorted(actor.province_codes)),
        )
    return OutreachMaterial.status == "published"


def get(ctx: AppContext, actor: Principal, material_id: int) -> OutreachMaterial:
    """One material, if *actor* may see it (else :class:`NotFound`)."""
    with ctx.sessions() as session:
        query = select(OutreachMaterial).where(OutreachMaterial.id == material_id)
        condition = _visible(actor)
        if condition is not None:
            query = query.where(condition)
        row = session.scalars(query).first()
    if row is None:
        raise NotFound(f"no outreach material {material_id}")
    return row


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(
    ctx: AppContext,
    actor: Principal,
    query: str = "",
    *,
    hazard: str | None = None,
    stage: str | None = None,
    audience: str | None = None,
    language: str | None = None,
    kind: str | None = None,
    statuses: Iterable[str] | None = None,
    limit: int = 200,
) -> list[OutreachMaterial]:
    """Materials matching every word of *query* (diacritics and case ignored)
    and every given filter, newest first.

    *statuses* defaults to published only; other statuses are returned only
    within what *actor* may see (volunteers: published, whatever is asked).
    """
    wanted = tuple(statuses) if statuses is not None else ("published",)
    unknown = [s for s in wanted if s not in STATUSES]
    if unknown:
        raise CatalogError(f"status: {unknown[0]!r} is not one of {STATUSES}")
    stmt = select(OutreachMaterial).where(OutreachMaterial.status.in_(wanted))
    condition = _visible(actor)
    if condition is not None:
        stmt = stmt.where(condition)
    for column, value in (
        (OutreachMaterial.hazard, hazard),
        (OutreachMaterial.stage, stage),
        (OutreachMaterial.audience, audience),
        (OutreachMaterial.language, language),
        (OutreachMaterial.kind, kind),
    ):
        if value:
            stmt = stmt.where(column == value)
    for word in fold(query).split():
        stmt = stmt.where(
            OutreachMaterial.search_text.like(f"%{_like_escape(word)}%", escape="\\")
        )
    stmt = stmt.order_by(
        OutreachMaterial.published_at.desc().nulls_last(), OutreachMaterial.id.desc()
    ).limit(limit)
    with ctx.sessions() as session:
        return list(session.scalars(stmt))


def read_variant(
    ctx: AppContext,
    material: OutreachMaterial,
    variant: str = "main",
    store: FileStore | None = None,
) -> bytes:
    """The bytes of a material's ``main``, ``light`` or ``thumb`` file."""
    key = {
        "main": material.file_path,
        "light": material.light_path,
        "thumb": material.thumb_path,
    }[variant]
    if not key:
        raise NotFound(f"material {material.id} has no {variant} file")
    return (store or store_for(ctx)).get(key)


def referenced_keys(session: Session) -> set[str]:
    keys: set[str] = set()
    for row in session.execute(
        select(
            OutreachMaterial.file_path,
            OutreachMaterial.light_path,
            OutreachMaterial.thumb_path,
        )
    ):
        keys.update(k for k in row if k)
    return keys


def sweep_unreferenced(ctx: AppContext, actor: Principal) -> list[str]:
    """Delete stored files no material refers to (e.g. replaced versions)."""
    require_active(actor)
    if actor.role is not Role.ADMIN:
        raise Forbidden("not allowed: sweep outreach files (needs admin)")
    store = store_for(ctx)
    assert isinstance(store, LocalFileStore)
    with ctx.sessions() as session:
        keep = referenced_keys(session)
    removed = [key for key in store.files() if key not in keep]
    for key in removed:
        store.delete(key)
    return removed
