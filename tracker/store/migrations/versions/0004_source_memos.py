"""keep what a source rarely sees change between syncs

A nightly sync with nothing changed should cost the requests that can show a change
(the boards' sprint lists, one search) and no more: the server info, the field list and
the boards' details are kept per source, with the time each was fetched, and asked for
again after a day or when an answer shows they changed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_memos",
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("source"),
    )


def downgrade() -> None:
    op.drop_table("source_memos")
