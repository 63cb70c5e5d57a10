"""One head: merge the feature branches (delegations, outreach, feedback,
plans progress) so every later migration has a single parent.

Revision ID: 0008
"""

from __future__ import annotations

revision = "0008"
down_revision = ("0004", "0005", "0006", "0007")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
