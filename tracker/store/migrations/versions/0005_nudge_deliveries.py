"""nudge deliveries

One row per change and channel: claimed before a nudge is sent, marked sent once the
channel accepted it. The primary key makes the claim safe across cron jobs and machines.

Revision ID: 0005
Revises: 0008
Create Date: 2026-12-06
"""

from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("issue_key", sa.String(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("claim", sa.String(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remote_id", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("source", "issue_key", "changed_at", "channel"),
    )


def downgrade() -> None:
    op.drop_table("deliveries")
