"""Response plans: templates, storm events, commune plans, plan tasks.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "plan_templates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "template_tasks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "template_id",
            sa.Integer,
            sa.ForeignKey("plan_templates.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("title_vi", sa.String(300), nullable=False),
        sa.Column("title_en", sa.String(300), nullable=False),
        sa.Column("guidance_vi", sa.Text, nullable=False, server_default=""),
        sa.Column("guidance_en", sa.Text, nullable=False, server_default=""),
        sa.Column("pillar", sa.String(16), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False, server_default="2"),
        sa.Column("deadline_kind", sa.String(16), nullable=False),
        sa.Column("offset_hours", sa.Float, nullable=False, server_default="0"),
        sa.Column("evidence", sa.String(8), nullable=False, server_default="none"),
        sa.Column("evidence_unit", sa.String(40), nullable=False, server_default=""),
        sa.Column("profiles", sa.String(100), nullable=False, server_default=""),
        sa.CheckConstraint(
            "pillar IN ('command', 'forces', 'materials', 'logistics', 'information')",
            name="ck_template_tasks_pillar",
        ),
        sa.CheckConstraint(
            "evidence IN ('none', 'note', 'number', 'photo')",
            name="ck_template_tasks_evidence",
        ),
    )
    op.create_index("ix_template_tasks_template_id", "template_tasks", ["template_id"])
    op.create_table(
        "storm_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("storm_id", sa.String(64), nullable=False),
        sa.Column(
            "forecast_id", sa.Integer, sa.ForeignKey("forecasts.id"), nullable=True
        ),
        sa.Column("is_drill", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
    )
    op.create_index("ix_storm_events_storm_id", "storm_events", ["storm_id"])
    op.create_table(
        "commune_plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "event_id", sa.Integer, sa.ForeignKey("storm_events.id"), nullable=False
        ),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column(
            "template_id",
            sa.Integer,
            sa.ForeignKey("plan_templates.id"),
            nullable=False,
        ),
        sa.Column("profiles", sa.String(100), nullable=False, server_default=""),
        sa.Column("eta_utc", TZ, nullable=True),
        sa.Column("closest_utc", TZ, nullable=True),
        sa.Column("max_wind_level", sa.Integer, nullable=False, server_default="0"),
        sa.Column("risk_level", sa.Integer, nullable=False, server_default="0"),
        sa.Column("activated_at", TZ, nullable=False),
        sa.Column("activated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.UniqueConstraint("event_id", "commune_code", name="uq_plan_event_commune"),
    )
    op.create_index(
        "ix_commune_plans_province_code", "commune_plans", ["province_code"]
    )
    op.create_table(
        "plan_tasks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "plan_id", sa.Integer, sa.ForeignKey("commune_plans.id"), nullable=False
        ),
        sa.Column(
            "event_id", sa.Integer, sa.ForeignKey("storm_events.id"), nullable=False
        ),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("template_task_id", sa.Integer, nullable=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("title_vi", sa.String(300), nullable=False),
        sa.Column("title_en", sa.String(300), nullable=False),
        sa.Column("guidance_vi", sa.Text, nullable=False, server_default=""),
        sa.Column("guidance_en", sa.Text, nullable=False, server_default=""),
        sa.Column("pillar", sa.String(16), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("deadline_kind", sa.String(16), nullable=False),
        sa.Column("offset_hours", sa.Float, nullable=False),
        sa.Column("deadline_utc", TZ, nullable=True),
        sa.Column("evidence", sa.String(8), nullable=False),
        sa.Column("evidence_unit", sa.String(40), nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False, server_default="todo"),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("evidence_note", sa.Text, nullable=False, server_default=""),
        sa.Column("evidence_number", sa.Float, nullable=True),
        sa.Column("evidence_photo", sa.String(255), nullable=False, server_default=""),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.CheckConstraint(
            "status IN ('todo', 'in_progress', 'done', 'not_applicable', 'blocked')",
            name="ck_plan_tasks_status",
        ),
    )
    op.create_index(
        "ix_plan_tasks_event_province", "plan_tasks", ["event_id", "province_code"]
    )
    op.create_index("ix_plan_tasks_plan", "plan_tasks", ["plan_id"])


def downgrade() -> None:
    for table in (
        "plan_tasks",
        "commune_plans",
        "storm_events",
        "template_tasks",
        "plan_templates",
    ):
        op.drop_table(table)
