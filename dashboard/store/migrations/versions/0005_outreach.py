"""Outreach library: materials and reach records.

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outreach_materials",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("hazard", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("audience", sa.String(24), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("tags", sa.String(500), nullable=False, server_default=""),
        sa.Column("file_path", sa.String(255), nullable=False, server_default=""),
        sa.Column("mime", sa.String(100), nullable=False, server_default=""),
        sa.Column("size", sa.Integer, nullable=False, server_default="0"),
        sa.Column("checksum", sa.String(64), nullable=False, server_default=""),
        sa.Column("light_path", sa.String(255), nullable=False, server_default=""),
        sa.Column("light_mime", sa.String(100), nullable=False, server_default=""),
        sa.Column("light_size", sa.Integer, nullable=False, server_default="0"),
        sa.Column("thumb_path", sa.String(255), nullable=False, server_default=""),
        sa.Column("thumb_size", sa.Integer, nullable=False, server_default="0"),
        sa.Column("link_url", sa.String(500), nullable=False, server_default=""),
        sa.Column("text_body", sa.Text, nullable=False, server_default=""),
        sa.Column("search_text", sa.Text, nullable=False, server_default=""),
        sa.Column("province_code", sa.String(2), nullable=True),
        sa.Column("starter_key", sa.String(64), nullable=True, unique=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="draft"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("published_at", TZ, nullable=True),
        sa.Column("published_by", sa.String(64), nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.CheckConstraint(
            "kind IN ('infographic_image', 'infographic_pdf', 'video_file', "
            "'video_link', 'supply_list', 'message', 'loudspeaker')",
            name="ck_outreach_materials_kind",
        ),
        sa.CheckConstraint(
            "hazard IN ('storm', 'flood', 'landslide')",
            name="ck_outreach_materials_hazard",
        ),
        sa.CheckConstraint(
            "stage IN ('before', 'during', 'after')",
            name="ck_outreach_materials_stage",
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'withdrawn')",
            name="ck_outreach_materials_status",
        ),
        sa.CheckConstraint("size >= 0", name="ck_outreach_materials_size"),
    )
    op.create_index(
        "ix_outreach_materials_status", "outreach_materials", ["status", "language"]
    )
    op.create_index(
        "ix_outreach_materials_province", "outreach_materials", ["province_code"]
    )
    op.create_table(
        "outreach_reach",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "material_id",
            sa.Integer,
            sa.ForeignKey("outreach_materials.id"),
            nullable=False,
        ),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("village", sa.String(200), nullable=False),
        sa.Column("reached_on", sa.Date, nullable=False),
        sa.Column("people_reached", sa.Integer, nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.CheckConstraint(
            "people_reached >= 0", name="ck_outreach_reach_people_reached"
        ),
    )
    op.create_index(
        "ix_outreach_reach_province",
        "outreach_reach",
        ["province_code", "commune_code"],
    )
    op.create_index("ix_outreach_reach_material", "outreach_reach", ["material_id"])


def downgrade() -> None:
    op.drop_table("outreach_reach")
    op.drop_table("outreach_materials")
