"""index revisions by issue and time

A report reads each issue's revisions from the sprint's start, plus the latest one
before it: an index on (source, issue_key, at) serves both without touching the rest
of a long history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_revisions_issue_at", "revisions", ["source", "issue_key", "at"])


def downgrade() -> None:
    op.drop_index("ix_revisions_issue_at", table_name="revisions")
