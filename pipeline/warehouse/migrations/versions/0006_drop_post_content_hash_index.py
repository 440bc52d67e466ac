"""drop ix_post_content_hash: no query reads posts by content hash

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the duplicate check keeps content hashes in memory (seeded by day, not by hash);
    # the index was a random-key B-tree written for every post and never read: at 1M
    # posts one of the load's largest index costs on both backends
    op.drop_index('ix_post_content_hash', table_name='post')


def downgrade() -> None:
    op.create_index('ix_post_content_hash', 'post', ['content_hash'])
