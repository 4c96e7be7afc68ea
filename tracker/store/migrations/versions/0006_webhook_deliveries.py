"""remember webhook deliveries

`tracker serve` stores what a webhook carries in the tables the sync writes; this table
only remembers which deliveries it has already stored, so a delivery the sender retries
(Linear retries after 1 min, 1 h and 6 h) is acknowledged and not stored again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("delivery_id", sa.String(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "delivery_id"),
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
