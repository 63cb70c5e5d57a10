"""Forecast history, feed status, installation settings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "forecasts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("storm_id", sa.String(64), nullable=False),
        sa.Column("storm_name", sa.String(100), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("product", sa.String(64), nullable=False, server_default=""),
        sa.Column("issued_utc", TZ, nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("origin", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("is_drill", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column(
            "concerns_vietnam", sa.Boolean, nullable=False, server_default=sa.true()
        ),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_index(
        "ix_forecasts_storm_issued", "forecasts", ["storm_id", "issued_utc"]
    )
    op.create_table(
        "feed_status",
        sa.Column("feed", sa.String(64), primary_key=True),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("last_attempt_at", TZ, nullable=True),
        sa.Column("last_success_at", TZ, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column(
            "consecutive_failures", sa.Integer, nullable=False, server_default="0"
        ),
        sa.Column("etag", sa.String(255), nullable=True),
        sa.Column("last_modified", sa.String(64), nullable=True),
    )
    op.create_table(
        "app_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    for table in ("app_settings", "feed_status", "forecasts"):
        op.drop_table(table)
