"""Plans: progress log for the readiness charts; index for per-commune task lists.

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_progress",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "event_id", sa.Integer, sa.ForeignKey("storm_events.id"), nullable=False
        ),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("task_id", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_delta", sa.Float, nullable=False, server_default="0"),
        sa.Column("applicable_delta", sa.Float, nullable=False, server_default="0"),
    )
    op.create_index(
        "ix_plan_progress_event_province_at",
        "plan_progress",
        ["event_id", "province_code", "at"],
    )
    op.create_index(
        "ix_plan_tasks_event_commune", "plan_tasks", ["event_id", "commune_code"]
    )


def downgrade() -> None:
    op.drop_index("ix_plan_tasks_event_commune", table_name="plan_tasks")
    op.drop_table("plan_progress")
