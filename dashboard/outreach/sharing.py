"""Sharing a material: copyable text, a QR code, and reach records.

A *reach record* says that a volunteer (or commune or province staff) shared
a material with a village of a commune on a date, reaching so many people.
Villages are free text under a commune (the registry stops at communes).
Province staff read the per-commune summary of their provinces; a commune
leader reads their own commune's; admins read everything.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from sqlalchemy import func, select

from dashboard import registry
from dashboard.auth import Principal, Role, require, require_active
from dashboard.context import AppContext
from dashboard.core.clock import scenario_now
from dashboard.core.errors import Invalid, NotFound
from dashboard.i18n import translate
from dashboard.outreach import catalog
from dashboard.store.models.outreach import OutreachMaterial, ReachRecord

MAX_PEOPLE = 100_000
EARLIEST = date(2020, 1, 1)


class ReachError(Invalid):
    """A reach record with a wrong field (the message names it)."""


def human_size(size: int) -> str:
    """``820 B``, ``48 kB``, ``1.3 MB`` (decimal units, as phones show them)."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.0f} kB"
    return f"{size / 1_000_000:.1f} MB"


def item_link(base_url: str, material_id: int) -> str:
    """The address that opens one item in the library page."""
    base = base_url.rstrip("/")
    return f"{base}/outreach?{urlencode({'item': material_id})}"


def share_text(material: OutreachMaterial, link: str = "", lang: str = "vi") -> str:
    """Text to paste into Zalo or read over the loudspeaker.

    Message and script items are their own text; other items get the title,
    the description and the link with the file size (so people on a weak
    signal know what they are about to download).
    """
    if (
        material.kind in ("message", "loudspeaker", "supply_list")
        and material.text_body
    ):
        body = material.text_body
        return f"{body}\n\n{link}" if link and material.kind != "loudspeaker" else body
    parts = [material.title]
    if material.description:
        parts.append(material.description)
    if link:
        size = (
            translate("outreach.share.size", lang, size=human_size(material.size))
            if material.size
            else ""
        )
        parts.append(f"{link} {size}".strip())
    return "\n".join(parts)


def qr_png(url: str, box_size: int = 6) -> bytes:
    """A QR code of *url* as a PNG (medium error correction, 2-module border)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=2)
    code.add_data(url)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(out, format="PNG")
    return out.getvalue()


def can_record_reach(p: Principal, commune_code: str) -> bool:
    if p.role in (Role.ADMIN, Role.VOLUNTEER):
        return True
    if p.role is Role.COMMUNE:
        return p.commune_code == commune_code
    province = str(registry.commune(commune_code)["province_code"])
    return p.role is Role.PROVINCE and province in p.province_codes


def record_reach(
    ctx: AppContext,
    actor: Principal,
    material_id: int,
    commune_code: str,
    village: str,
    reached_on: date,
    people_reached: int,
) -> ReachRecord:
    """Record that *material_id* was shared with *village* of *commune_code*.

    Volunteers may record for any commune (they are not tied to one);
    commune leaders for their own commune, province staff for theirs.

    Raises
    ------
    ReachError
        Unknown commune, empty village, a date in the future, a bad count.
    Forbidden
        Outside the principal's scope.
    NotFound
        The material is not published (or not visible).
    """
    if commune_code not in registry.commune_codes():
        raise ReachError(
            f"commune: unknown code {commune_code!r}",
            key="errors.not_allowed",
            field="commune",
            value=commune_code,
        )
    require(
        can_record_reach(actor, commune_code),
        f"record reach in commune {commune_code}",
    )
    village = " ".join(village.split())
    if not 1 <= len(village) <= 200:
        raise ReachError(
            "village: between 1 and 200 characters",
            key="errors.length_between",
            field="village",
            low=1,
            high=200,
        )
    today = datetime.now(UTC).date()
    if not EARLIEST <= reached_on <= today + timedelta(days=1):
        raise ReachError(
            f"date: between {EARLIEST} and today",
            key="outreach.err.reach_date",
            field="date",
            low=f"{EARLIEST:%d/%m/%Y}",
        )
    if not 0 <= people_reached <= MAX_PEOPLE:
        raise ReachError(
            f"people: between 0 and {MAX_PEOPLE}",
            key="errors.out_of_range",
            field="people",
            value=people_reached,
            low=0,
            high=MAX_PEOPLE,
        )
    material = catalog.get(ctx, actor, material_id)
    if material.status != "published":
        raise NotFound(f"material {material_id} is not published")
    province = str(registry.commune(commune_code)["province_code"])
    with ctx.transaction() as session:
        record = ReachRecord(
            material_id=material_id,
            commune_code=commune_code,
            province_code=province,
            village=village,
            reached_on=reached_on,
            people_reached=int(people_reached),
            recorded_at=scenario_now(session),
            recorded_by=actor.username,
        )
        session.add(record)
    return record


@dataclass(frozen=True)
class CommuneReach:
    commune_code: str
    commune_name: str
    province_code: str
    villages: tuple[str, ...]
    records: int
    people: int
    last_date: date


def _scope(actor: Principal, province_code: str | None):
    require_active(actor)
    if actor.role is Role.ADMIN:
        return ReachRecord.province_code == province_code if province_code else None
    if actor.role is Role.PROVINCE:
        require(bool(actor.province_codes), "read reach records")
        if province_code:
            require(
                province_code in actor.province_codes,
                f"read reach records of province {province_code}",
            )
            return ReachRecord.province_code == province_code
        return ReachRecord.province_code.in_(sorted(actor.province_codes))
    if actor.role is Role.COMMUNE and actor.commune_code:
        return ReachRecord.commune_code == actor.commune_code
    require(False, f"read reach records (you are {actor.role})")
    return None


def reach_summary(
    ctx: AppContext, actor: Principal, province_code: str | None = None
) -> list[CommuneReach]:
    """Per commune: villages reached, records, people, last date (most first)."""
    condition = _scope(actor, province_code)
    stmt = select(
        ReachRecord.commune_code,
        ReachRecord.province_code,
        ReachRecord.village,
        func.count(ReachRecord.id),
        func.sum(ReachRecord.people_reached),
        func.max(ReachRecord.reached_on),
    ).group_by(ReachRecord.commune_code, ReachRecord.province_code, ReachRecord.village)
    if condition is not None:
        stmt = stmt.where(condition)
    per_commune: dict[str, dict] = {}
    with ctx.sessions() as session:
        for code, province, village, n, people, last in session.execute(stmt):
            entry = per_commune.setdefault(
                code,
                {
                    "province": province,
                    "villages": [],
                    "records": 0,
                    "people": 0,
                    "last": last,
                },
            )
            entry["villages"].append(village)
            entry["records"] += int(n)
            entry["people"] += int(people or 0)
            entry["last"] = max(entry["last"], last)
    summary = [
        CommuneReach(
            commune_code=code,
            commune_name=str(registry.commune(code)["commune_name"]),
            province_code=entry["province"],
            villages=tuple(sorted(entry["villages"])),
            records=entry["records"],
            people=entry["people"],
            last_date=entry["last"],
        )
        for code, entry in per_commune.items()
    ]
    return sorted(summary, key=lambda c: (-c.people, c.commune_code))


def reach_records(
    ctx: AppContext,
    actor: Principal,
    province_code: str | None = None,
    material_id: int | None = None,
    limit: int = 500,
) -> list[tuple[ReachRecord, str]]:
    """Recent records in scope with the title of their material, newest first."""
    condition = _scope(actor, province_code)
    stmt = (
        select(ReachRecord, OutreachMaterial.title)
        .join(OutreachMaterial, OutreachMaterial.id == ReachRecord.material_id)
        .order_by(ReachRecord.reached_on.desc(), ReachRecord.id.desc())
        .limit(limit)
    )
    if condition is not None:
        stmt = stmt.where(condition)
    if material_id is not None:
        stmt = stmt.where(ReachRecord.material_id == material_id)
    with ctx.sessions() as session:
        return [(rec, title) for rec, title in session.execute(stmt)]
