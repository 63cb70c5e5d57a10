"""Commune feedback: items with their triage workflow, per-user seen markers.

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "feedback_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("urgency", sa.String(8), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("attachment_path", sa.String(255), nullable=False, server_default=""),
        sa.Column("attachment_name", sa.String(255), nullable=False, server_default=""),
        sa.Column("attachment_mime", sa.String(100), nullable=False, server_default=""),
        sa.Column("attachment_size", sa.Integer, nullable=False, server_default="0"),
        sa.Column("status", sa.String(16), nullable=False, server_default="received"),
        sa.Column("department", sa.String(200), nullable=False, server_default=""),
        sa.Column("owner", sa.String(200), nullable=False, server_default=""),
        sa.Column("due_utc", TZ, nullable=True),
        sa.Column("answer", sa.Text, nullable=False, server_default=""),
        sa.Column("reopen_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("raised_at", TZ, nullable=False),
        sa.Column("assigned_at", TZ, nullable=True),
        sa.Column("assigned_by", sa.String(64), nullable=True),
        sa.Column("answered_at", TZ, nullable=True),
        sa.Column("answered_by", sa.String(64), nullable=True),
        sa.Column("closed_at", TZ, nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("raise_count", sa.Integer, nullable=False, server_default="1"),
        sa.Column("answer_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.CheckConstraint(
            "category IN ('staffing', 'equipment', 'funding', 'procedure', "
            "'infrastructure', 'other')",
            name="ck_feedback_category",
        ),
        sa.CheckConstraint(
            "urgency IN ('normal', 'urgent', 'critical')", name="ck_feedback_urgency"
        ),
        sa.CheckConstraint(
            "status IN ('received', 'assigned', 'answered', 'closed')",
            name="ck_feedback_status",
        ),
        sa.CheckConstraint("attachment_size >= 0", name="ck_feedback_attachment_size"),
    )
    op.create_index(
        "ix_feedback_items_province_status",
        "feedback_items",
        ["province_code", "status"],
    )
    op.create_index("ix_feedback_items_commune", "feedback_items", ["commune_code"])
    op.create_table(
        "feedback_seen",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column(
            "item_id",
            sa.Integer,
            sa.ForeignKey("feedback_items.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("seen_raise", sa.Integer, nullable=False, server_default="0"),
        sa.Column("seen_answer", sa.Integer, nullable=False, server_default="0"),
        sa.Column("seen_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("feedback_seen")
    op.drop_index("ix_feedback_items_commune", table_name="feedback_items")
    op.drop_index("ix_feedback_items_province_status", table_name="feedback_items")
    op.drop_table("feedback_items")
