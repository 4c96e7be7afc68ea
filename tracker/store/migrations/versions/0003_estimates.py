"""the estimate and its history

``issues.estimate`` holds the estimate now (Jira story points, Linear ``estimate``);
``estimates`` every recorded change of it, so a report can put the estimate at the
baseline, now and any re-estimate beside each AC change. Additive: existing rows keep
working with no estimate.

Revision ID: 0003
Revises: 0006
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issues") as batch:
        batch.add_column(sa.Column("estimate", sa.Float(), nullable=True))
    op.create_table(
        "estimates",
        sa.Column("author_id", sa.String(), nullable=True),
        sa.Column("author_name", sa.String(), nullable=True),
        sa.Column("author_email", sa.String(), nullable=True),
        sa.Column("author_bot", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("issue_key", sa.String(), nullable=False),
        sa.Column("change_id", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_value", sa.Float(), nullable=True),
        sa.Column("to_value", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("source", "issue_key", "change_id"),
    )


def downgrade() -> None:
    op.drop_table("estimates")
    with op.batch_alter_table("issues") as batch:
        batch.drop_column("estimate")
