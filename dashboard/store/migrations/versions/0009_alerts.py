"""CAP alerts: drafts, approvals and publications (issue #14); merges the heads.

Revision ID: 0009
Revises: 0004, 0005, 0006, 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cap_alerts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("identifier", sa.String(255), nullable=False, unique=True),
        sa.Column("sender", sa.String(200), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("storm_id", sa.String(64), nullable=False),
        sa.Column("storm_name", sa.String(200), nullable=False),
        sa.Column("advisory_utc", TZ, nullable=False),
        sa.Column("state", sa.String(16), nullable=False, server_default="draft"),
        sa.Column("cap_status", sa.String(16), nullable=False),
        sa.Column("msg_type", sa.String(8), nullable=False),
        sa.Column("sent", TZ, nullable=False),
        sa.Column("expires", TZ, nullable=False),
        sa.Column("risk_level", sa.Integer, nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("certainty", sa.String(16), nullable=False),
        sa.Column("headline_vi", sa.String(300), nullable=False),
        sa.Column("headline_en", sa.String(300), nullable=False),
        sa.Column("commune_count", sa.Integer, nullable=False),
        sa.Column("xml", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("approved_at", TZ, nullable=True),
        sa.Column("approved_by", sa.String(64), nullable=True),
        sa.Column("published_at", TZ, nullable=True),
        sa.Column("published_by", sa.String(64), nullable=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index(
        "ix_cap_alerts_province_state", "cap_alerts", ["province_code", "state"]
    )
    op.create_index(
        "ix_cap_alerts_state_published", "cap_alerts", ["state", "published_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_cap_alerts_state_published", table_name="cap_alerts")
    op.drop_index("ix_cap_alerts_province_state", table_name="cap_alerts")
    op.drop_table("cap_alerts")
