"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-28
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('comments',
    sa.Column('author_id', sa.String(), nullable=True),
    sa.Column('author_name', sa.String(), nullable=True),
    sa.Column('author_email', sa.String(), nullable=True),
    sa.Column('author_bot', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('issue_key', sa.String(), nullable=False),
    sa.Column('comment_id', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('url', sa.String(), nullable=True),
    sa.Column('parent_id', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('source', 'issue_key', 'comment_id')
    )
    op.create_table('cursors',
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('value', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('source', 'name')
    )
    op.create_table('issues',
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('issue_key', sa.String(), nullable=False),
    sa.Column('issue_id', sa.String(), nullable=False),
    sa.Column('title', sa.String(), nullable=False),
    sa.Column('url', sa.String(), nullable=False),
    sa.Column('type', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('labels', sa.String(), nullable=False),
    sa.Column('sprint_ids', sa.String(), nullable=False),
    sa.Column('text_field', sa.String(), nullable=False),
    sa.Column('current_text', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('source', 'issue_key')
    )
    op.create_table('links',
    sa.Column('author_id', sa.String(), nullable=True),
    sa.Column('author_name', sa.String(), nullable=True),
    sa.Column('author_email', sa.String(), nullable=True),
    sa.Column('author_bot', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('issue_key', sa.String(), nullable=False),
    sa.Column('link_id', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('relationship', sa.String(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('target_key', sa.String(), nullable=True),
    sa.Column('target_type', sa.String(), nullable=False),
    sa.Column('target_labels', sa.String(), nullable=False),
    sa.Column('app', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('source', 'issue_key', 'link_id')
    )
    op.create_table('memberships',
    sa.Column('author_id', sa.String(), nullable=True),
    sa.Column('author_name', sa.String(), nullable=True),
    sa.Column('author_email', sa.String(), nullable=True),
    sa.Column('author_bot', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('issue_key', sa.String(), nullable=False),
    sa.Column('sprint_id', sa.String(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added', sa.Boolean(), nullable=False),
    sa.Column('automated', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('source', 'issue_key', 'sprint_id', 'at', 'added')
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index('ix_memberships_sprint', ['source', 'sprint_id'], unique=False)

    op.create_table('revisions',
    sa.Column('author_id', sa.String(), nullable=True),
    sa.Column('author_name', sa.String(), nullable=True),
    sa.Column('author_email', sa.String(), nullable=True),
    sa.Column('author_bot', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('issue_key', sa.String(), nullable=False),
    sa.Column('revision_id', sa.String(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('field', sa.String(), nullable=False),
    sa.Column('from_text', sa.Text(), nullable=True),
    sa.Column('to_text', sa.Text(), nullable=True),
    sa.Column('origin', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('source', 'issue_key', 'revision_id')
    )
    op.create_table('snapshots',
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('issue_key', sa.String(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('source', 'issue_key', 'seen_at')
    )
    op.create_table('sources',
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('url', sa.String(), nullable=False),
    sa.Column('deployment', sa.String(), nullable=False),
    sa.Column('first_synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('sprints',
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('sprint_id', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('state', sa.String(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('planned_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('board', sa.String(), nullable=False),
    sa.Column('key', sa.String(), nullable=True),
    sa.Column('start_is_planned', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('source', 'sprint_id')
    )
    op.create_table('text_edits',
    sa.Column('author_id', sa.String(), nullable=True),
    sa.Column('author_name', sa.String(), nullable=True),
    sa.Column('author_email', sa.String(), nullable=True),
    sa.Column('author_bot', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('issue_key', sa.String(), nullable=False),
    sa.Column('edit_id', sa.String(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('source', 'issue_key', 'edit_id')
    )


def downgrade() -> None:
    op.drop_table('text_edits')
    op.drop_table('sprints')
    op.drop_table('sources')
    op.drop_table('snapshots')
    op.drop_table('revisions')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index('ix_memberships_sprint')

    op.drop_table('memberships')
    op.drop_table('links')
    op.drop_table('issues')
    op.drop_table('cursors')
    op.drop_table('comments')
