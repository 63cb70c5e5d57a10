"""Shared helpers of the outreach tests (files and principals; no tests here)."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select

from dashboard.auth import Principal, Role
from dashboard.outreach.catalog import MaterialInput
from dashboard.store.models.core import AuditEntry
from dashboard.store.models.outreach import OutreachMaterial

VOLUNTEER = Principal("vol", Role.VOLUNTEER, "Đoàn viên")
PROVINCE = Principal(
    "hy", Role.PROVINCE, "BCH Hưng Yên", province_codes=frozenset({"33"})
)
OTHER_PROVINCE = Principal(
    "qn", Role.PROVINCE, "BCH Quảng Ninh", province_codes=frozenset({"22"})
)
COMMUNE = Principal("dc", Role.COMMUNE, "UBND xã Đồng Châu", commune_code="13003")
ADMIN = Principal("root", Role.ADMIN, "Quản trị")


def photo(width: int = 1600, height: int = 1200, fmt: str = "JPEG", **save) -> bytes:
    """A noisy test photo (noise resists compression, like a real photo)."""
    image = Image.effect_noise((width, height), 60).convert("RGB")
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def meta(
    title: str = "Áp phích phòng chống bão", kind: str = "infographic_image", **kw
):
    fields = {
        "hazard": "storm",
        "stage": "before",
        "audience": "households",
        "language": "vi",
    }
    fields.update(kw)
    return MaterialInput(title=title, kind=kind, **fields)


def message(title: str, body: str, **kw) -> MaterialInput:
    return meta(title, "message", text_body=body, **kw)


def counts(ctx) -> tuple[int, int]:
    """(materials, audit entries about materials) in the store."""
    with ctx.sessions() as session:
        materials = session.scalar(select(func.count(OutreachMaterial.id)))
        audits = session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.object_type == "outreach_material"
            )
        )
    return materials, audits
