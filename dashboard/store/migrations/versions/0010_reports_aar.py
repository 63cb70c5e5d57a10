"""Weekly report and after-action review: forwards to ministries, the province's
weekly summary text, damage reports. Merges the migration branches into one head.

Revision ID: 0010
Revises: 0004, 0005, 0006, 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
DAMAGE_FIELDS = ("people_evacuated", "houses_damaged", "deaths", "injured", "missing")


def upgrade() -> None:
    op.create_table(
        "feedback_forwards",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "item_id",
            sa.Integer,
            sa.ForeignKey("feedback_items.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("ministry", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("forwarded_by", sa.String(64), nullable=False),
        sa.Column("forwarded_at", TZ, nullable=False),
        sa.UniqueConstraint("item_id", "ministry", name="uq_feedback_forward_ministry"),
    )
    op.create_index(
        "ix_feedback_forwards_province_at",
        "feedback_forwards",
        ["province_code", "forwarded_at"],
    )
    op.create_table(
        "weekly_report_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("iso_week", sa.String(8), nullable=False),
        sa.Column("text", sa.Text, nullable=False, server_default=""),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.UniqueConstraint("province_code", "iso_week", name="uq_weekly_note_week"),
    )
    op.create_table(
        "damage_reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "event_id", sa.Integer, sa.ForeignKey("storm_events.id"), nullable=False
        ),
        sa.Column("storm_id", sa.String(64), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("commune_code", sa.String(5), nullable=False),
        *(
            sa.Column(name, sa.Integer, nullable=False, server_default="0")
            for name in DAMAGE_FIELDS
        ),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
        sa.Column("reported_by", sa.String(64), nullable=False),
        sa.Column("reported_at", TZ, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("event_id", "commune_code", name="uq_damage_event_commune"),
        *(
            sa.CheckConstraint(f"{name} >= 0", name=f"ck_damage_{name}")
            for name in DAMAGE_FIELDS
        ),
    )
    op.create_index(
        "ix_damage_reports_event_province",
        "damage_reports",
        ["event_id", "province_code"],
    )


def downgrade() -> None:
    op.drop_index("ix_damage_reports_event_province", table_name="damage_reports")
    op.drop_table("damage_reports")
    op.drop_table("weekly_report_notes")
    op.drop_index("ix_feedback_forwards_province_at", table_name="feedback_forwards")
    op.drop_table("feedback_forwards")
