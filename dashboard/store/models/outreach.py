"""Tables of the outreach library (issue 6).

A *material* is one item of the library: an infographic (image or PDF), a
video (file or link), a supply list, a message text or a loudspeaker script.
Its files live in a :class:`dashboard.outreach.storage.FileStore` under the
data directory; the row keeps their keys (paths relative to the data
directory), sizes and the SHA-256 of the main file, never the bytes.

A *reach record* says that a material was shared with a village of a commune
on a date and reached so many people; the province sees them per commune.

``search_text`` is the folded (lower-case, no diacritics) text of the title,
description, tags and body, so a search is a plain ``LIKE`` on both SQLite and
PostgreSQL. ``version`` implements optimistic concurrency for updates.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.core.time import UTCDateTime
from dashboard.store.models.core import Base

TZ = UTCDateTime()

KINDS = (
    "infographic_image",
    "infographic_pdf",
    "video_file",
    "video_link",
    "supply_list",
    "message",
    "loudspeaker",
)
HAZARDS = ("storm", "flood", "landslide")
STAGES = ("before", "during", "after")
AUDIENCES = ("households", "fishers", "farmers", "volunteers", "schools", "officials")
STATUSES = ("draft", "published", "withdrawn")


class OutreachMaterial(Base):
    __tablename__ = "outreach_materials"
    __table_args__ = (
        Index("ix_outreach_materials_status", "status", "language"),
        Index("ix_outreach_materials_province", "province_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    hazard: Mapped[str] = mapped_column(String(16), nullable=False)
    stage: Mapped[str] = mapped_column(String(16), nullable=False)
    audience: Mapped[str] = mapped_column(String(24), nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    # Comma-separated, lower case.
    tags: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    # Main file: key relative to the data directory ('' when the item is text
    # or a link only).
    file_path: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    mime: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    size: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    checksum: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    # Light version: a compressed image (JPEG) or plain text (UTF-8).
    light_path: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    light_mime: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    light_size: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Tiny WebP thumbnail for the list.
    thumb_path: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    thumb_size: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    link_url: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    # Message, loudspeaker script or supply list text (also copied for Zalo).
    text_body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Province that owns the item (None: national, managed by admins).
    province_code: Mapped[str | None] = mapped_column(String(2), nullable=True)
    # Set on the starter content made by the project (seeded once).
    starter_key: Mapped[str | None] = mapped_column(
        String(64), nullable=True, unique=True
    )
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(TZ, nullable=True)
    published_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False)


class ReachRecord(Base):
    __tablename__ = "outreach_reach"
    __table_args__ = (
        Index("ix_outreach_reach_province", "province_code", "commune_code"),
        Index("ix_outreach_reach_material", "material_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    material_id: Mapped[int] = mapped_column(
        ForeignKey("outreach_materials.id"), nullable=False
    )
    commune_code: Mapped[str] = mapped_column(String(5), nullable=False)
    province_code: Mapped[str] = mapped_column(String(2), nullable=False)
    village: Mapped[str] = mapped_column(String(200), nullable=False)
    reached_on: Mapped[date] = mapped_column(Date, nullable=False)
    people_reached: Mapped[int] = mapped_column(Integer, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(64), nullable=False)
