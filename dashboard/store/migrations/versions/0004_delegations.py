"""Delegations: teams, members, communes covered, task verifications, follow-ups.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "delegations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "event_id", sa.Integer, sa.ForeignKey("storm_events.id"), nullable=False
        ),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("leader_username", sa.String(64), nullable=False),
        sa.Column("leader_phone", sa.String(20), nullable=False, server_default=""),
        sa.Column("instructions", sa.Text, nullable=False, server_default=""),
        sa.Column("equipment", sa.Text, nullable=False, server_default=""),
        sa.Column(
            "reporting_location", sa.String(300), nullable=False, server_default=""
        ),
        sa.Column("planned_departure_utc", TZ, nullable=False),
        sa.Column("planned_arrival_utc", TZ, nullable=False),
        sa.Column("planned_return_utc", TZ, nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="planned"),
        sa.Column("cancel_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("departed_at", TZ, nullable=True),
        sa.Column("checked_in_at", TZ, nullable=True),
        sa.Column("checked_out_at", TZ, nullable=True),
        sa.Column("findings", sa.Text, nullable=False, server_default=""),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'en_route', 'on_site', 'returned', 'cancelled')",
            name="ck_delegations_status",
        ),
    )
    op.create_index(
        "ix_delegations_event_province", "delegations", ["event_id", "province_code"]
    )
    op.create_index("ix_delegations_leader", "delegations", ["leader_username"])
    op.create_table(
        "delegation_members",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "delegation_id",
            sa.Integer,
            sa.ForeignKey("delegations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(200), nullable=False, server_default=""),
        sa.Column("phone", sa.String(20), nullable=False, server_default=""),
    )
    op.create_index(
        "ix_delegation_members_delegation_id", "delegation_members", ["delegation_id"]
    )
    op.create_table(
        "delegation_communes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "delegation_id",
            sa.Integer,
            sa.ForeignKey("delegations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("planned_arrival_utc", TZ, nullable=True),
        sa.Column("confirmed_by", sa.String(64), nullable=True),
        sa.Column("confirmed_at", TZ, nullable=True),
        sa.UniqueConstraint(
            "delegation_id", "commune_code", name="uq_delegation_commune"
        ),
    )
    op.create_index(
        "ix_delegation_communes_delegation_id",
        "delegation_communes",
        ["delegation_id"],
    )
    op.create_index(
        "ix_delegation_communes_commune", "delegation_communes", ["commune_code"]
    )
    op.create_table(
        "delegation_task_verifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "delegation_id",
            sa.Integer,
            sa.ForeignKey("delegations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "plan_task_id", sa.Integer, sa.ForeignKey("plan_tasks.id"), nullable=False
        ),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("verified_by", sa.String(64), nullable=False),
        sa.Column("verified_at", TZ, nullable=False),
        sa.UniqueConstraint(
            "delegation_id", "plan_task_id", name="uq_delegation_task_verification"
        ),
        sa.CheckConstraint(
            "result IN ('verified', 'problem_found')",
            name="ck_delegation_task_verifications_result",
        ),
    )
    op.create_index(
        "ix_delegation_task_verifications_delegation_id",
        "delegation_task_verifications",
        ["delegation_id"],
    )
    op.create_index(
        "ix_delegation_task_verifications_plan_task_id",
        "delegation_task_verifications",
        ["plan_task_id"],
    )
    op.create_table(
        "delegation_followups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "delegation_id",
            sa.Integer,
            sa.ForeignKey("delegations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "event_id", sa.Integer, sa.ForeignKey("storm_events.id"), nullable=False
        ),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("due_utc", TZ, nullable=False),
        sa.Column("status", sa.String(8), nullable=False, server_default="open"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'done')", name="ck_delegation_followups_status"
        ),
    )
    op.create_index(
        "ix_delegation_followups_delegation_id",
        "delegation_followups",
        ["delegation_id"],
    )
    op.create_index(
        "ix_delegation_followups_province_status",
        "delegation_followups",
        ["province_code", "status"],
    )


def downgrade() -> None:
    for table in (
        "delegation_followups",
        "delegation_task_verifications",
        "delegation_communes",
        "delegation_members",
        "delegations",
    ):
        op.drop_table(table)
