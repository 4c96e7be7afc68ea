"""sources: what the connector declares about its history; drop the unused deployment

``exact_history`` is true where the tracker's own history holds every old AC text
(Jira's changelog) and false where old texts are known only from sync's snapshots
(Linear); a report reads the snapshots only for the latter. Sources synced before this
revision are filled in from their kind. ``deployment`` was never written (always empty).

Revision ID: 0008
Revises: 0002
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(
            sa.Column("exact_history", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.drop_column("deployment")
    op.execute("UPDATE sources SET exact_history = false WHERE kind = 'linear'")


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(
            sa.Column("deployment", sa.String(), nullable=False, server_default="")
        )
        batch.drop_column("exact_history")
