"""initial schema

Revision ID: 0001
Revises: 
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert',
    sa.Column('alert_id', sa.String(length=300), nullable=False),
    sa.Column('rule', sa.String(length=100), nullable=False),
    sa.Column('brand', sa.String(length=200), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('severity', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('baseline', sa.Float(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivery', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.PrimaryKeyConstraint('alert_id')
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index('ix_alert_brand_day', ['brand', 'day'], unique=False)

    op.create_table('author',
    sa.Column('author_id', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('author_id')
    )
    op.create_table('brand',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('competitors', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('community',
    sa.Column('community_id', sa.String(length=24), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('community_id')
    )
    op.create_table('daily_brand_metrics',
    sa.Column('brand', sa.String(length=200), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('volume', sa.Integer(), nullable=False),
    sa.Column('negative', sa.Integer(), nullable=False),
    sa.Column('neutral', sa.Integer(), nullable=False),
    sa.Column('positive', sa.Integer(), nullable=False),
    sa.Column('unscored', sa.Integer(), nullable=False),
    sa.Column('net_sentiment', sa.Float(), nullable=True),
    sa.Column('share_of_voice', sa.Float(), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('brand', 'day')
    )
    op.create_table('mention',
    sa.Column('post_id', sa.String(length=24), nullable=False),
    sa.Column('brand', sa.String(length=200), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('matched', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.PrimaryKeyConstraint('post_id', 'brand')
    )
    with op.batch_alter_table('mention', schema=None) as batch_op:
        batch_op.create_index('ix_mention_brand_day', ['brand', 'day'], unique=False)

    op.create_table('post',
    sa.Column('post_id', sa.String(length=24), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('external_id', sa.String(length=512), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('author_id', sa.String(length=32), nullable=True),
    sa.Column('community', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('engagement', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('parent_post_id', sa.String(length=24), nullable=True),
    sa.Column('content_hash', sa.String(length=40), nullable=False),
    sa.Column('simhash', sa.BigInteger(), nullable=False),
    sa.Column('duplicate_of', sa.String(length=24), nullable=True),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('post_id')
    )
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.create_index('ix_post_content_hash', ['content_hash'], unique=False)
        batch_op.create_index('ix_post_day', ['day'], unique=False)

    op.create_table('raw_post',
    sa.Column('post_id', sa.String(length=24), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('external_id', sa.String(length=512), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('author', sa.Text(), nullable=True),
    sa.Column('community', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('parent_id', sa.String(length=512), nullable=True),
    sa.Column('engagement', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('post_id'),
    sa.UniqueConstraint('source', 'external_id', name='uq_raw_post_source_external_id')
    )
    op.create_table('run',
    sa.Column('run_id', sa.String(length=32), nullable=False),
    sa.Column('command', sa.String(length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('stats', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.PrimaryKeyConstraint('run_id')
    )
    op.create_table('sentiment',
    sa.Column('post_id', sa.String(length=24), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=8), nullable=False),
    sa.Column('negative', sa.Float(), nullable=False),
    sa.Column('neutral', sa.Float(), nullable=False),
    sa.Column('positive', sa.Float(), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('post_id', 'model', 'version')
    )
    op.create_table('sentiment_override',
    sa.Column('post_id', sa.String(length=24), nullable=False),
    sa.Column('label', sa.String(length=8), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('post_id')
    )
    op.create_table('source_run',
    sa.Column('run_id', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('duration_s', sa.Float(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('run_id', 'source')
    )
    op.create_table('source_state',
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('cursor', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('retry_after', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_items', sa.Integer(), nullable=True),
    sa.Column('last_duration_s', sa.Float(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('source')
    )


def downgrade() -> None:
    op.drop_table('source_state')
    op.drop_table('source_run')
    op.drop_table('sentiment_override')
    op.drop_table('sentiment')
    op.drop_table('run')
    op.drop_table('raw_post')
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index('ix_post_day')
        batch_op.drop_index('ix_post_content_hash')

    op.drop_table('post')
    with op.batch_alter_table('mention', schema=None) as batch_op:
        batch_op.drop_index('ix_mention_brand_day')

    op.drop_table('mention')
    op.drop_table('daily_brand_metrics')
    op.drop_table('community')
    op.drop_table('brand')
    op.drop_table('author')
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_brand_day')

    op.drop_table('alert')
