"""raw_post index on (created_at, post_id): analyze reads new raw posts in that order

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # without it every analyze batch sorted the whole raw_post table (quadratic cost)
    op.create_index('ix_raw_post_created_at_post_id', 'raw_post', ['created_at', 'post_id'])


def downgrade() -> None:
    op.drop_index('ix_raw_post_created_at_post_id', table_name='raw_post')
