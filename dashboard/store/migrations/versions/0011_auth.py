"""Accounts: a version stamp per user (revocation), idle timeout and client of
each session, client address of each sign-in attempt (throttling per address).

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("auth_version", sa.Integer, nullable=False, server_default="0")
        )
    with op.batch_alter_table("user_sessions") as batch:
        batch.add_column(
            sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("client", sa.String(64), nullable=False, server_default="")
        )
    with op.batch_alter_table("login_attempts") as batch:
        batch.add_column(
            sa.Column("client", sa.String(64), nullable=False, server_default="")
        )
    op.create_index("ix_login_attempts_client_at", "login_attempts", ["client", "at"])


def downgrade() -> None:
    op.drop_index("ix_login_attempts_client_at", table_name="login_attempts")
    with op.batch_alter_table("login_attempts") as batch:
        batch.drop_column("client")
    with op.batch_alter_table("user_sessions") as batch:
        batch.drop_column("client")
        batch.drop_column("last_seen_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("auth_version")
