"""Idempotency keys: the key a phone's browser sends with a drafted form, stored
with the feedback items and delegation follow-ups it creates, unique per author
(issue 12, "nothing typed is lost": a resend after a dropped link is stored once).

A unique *index* rather than a table constraint: SQLite adds it without
rebuilding the table (a rebuild would drop the table, and with foreign keys on,
cascade to the rows that refer to it). Rows without a key (NULL) never clash.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = {
    "feedback_items": "uq_feedback_items_client_key",
    "delegation_followups": "uq_delegation_followups_client_key",
}


def upgrade() -> None:
    for table, index in TABLES.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("client_key", sa.String(64), nullable=True))
        op.create_index(index, table, ["created_by", "client_key"], unique=True)


def downgrade() -> None:
    for table, index in TABLES.items():
        op.drop_index(index, table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("client_key")
