"""reputation, metric slices, official accounts, hourly alerts

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('daily_brand_metrics') as batch:
        batch.add_column(sa.Column('reach', sa.Float(), nullable=True))
        batch.add_column(sa.Column('rep_sum', sa.Float(), nullable=True))
        batch.add_column(sa.Column('rep_weight', sa.Float(), nullable=True))
        batch.add_column(sa.Column('reputation', sa.Float(), nullable=True))
    with op.batch_alter_table('alert') as batch:
        batch.add_column(sa.Column('freq', sa.String(length=1), nullable=False,
                                   server_default='D'))
        batch.add_column(sa.Column('period_start', TS, nullable=True))
    op.create_index('ix_post_parent_post_id', 'post', ['parent_post_id'])
    op.create_index('ix_post_author_id', 'post', ['author_id'])
    op.create_table('brand_metrics_slice',
    sa.Column('brand', sa.String(length=200), nullable=False),
    sa.Column('grain', sa.String(length=8), nullable=False),
    sa.Column('period_start', TS, nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('value', sa.String(length=300), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('volume', sa.Integer(), nullable=False),
    sa.Column('negative', sa.Integer(), nullable=False),
    sa.Column('neutral', sa.Integer(), nullable=False),
    sa.Column('positive', sa.Integer(), nullable=False),
    sa.Column('unscored', sa.Integer(), nullable=False),
    sa.Column('net_sentiment', sa.Float(), nullable=True),
    sa.Column('reach', sa.Float(), nullable=False),
    sa.Column('rep_sum', sa.Float(), nullable=False),
    sa.Column('rep_weight', sa.Float(), nullable=False),
    sa.Column('reputation', sa.Float(), nullable=True),
    sa.Column('share_of_voice', sa.Float(), nullable=True),
    sa.Column('computed_at', TS, nullable=False),
    sa.PrimaryKeyConstraint('brand', 'grain', 'period_start', 'dimension', 'value')
    )
    op.create_index('ix_brand_metrics_slice_period', 'brand_metrics_slice',
                    ['grain', 'period_start'])
    op.create_table('official_account',
    sa.Column('brand', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('author_id', sa.String(length=32), nullable=False),
    sa.Column('updated_at', TS, nullable=False),
    sa.PrimaryKeyConstraint('brand', 'source', 'author_id')
    )


def downgrade() -> None:
    op.drop_table('official_account')
    op.drop_index('ix_brand_metrics_slice_period', table_name='brand_metrics_slice')
    op.drop_table('brand_metrics_slice')
    op.drop_index('ix_post_author_id', table_name='post')
    op.drop_index('ix_post_parent_post_id', table_name='post')
    with op.batch_alter_table('alert') as batch:
        batch.drop_column('period_start')
        batch.drop_column('freq')
    with op.batch_alter_table('daily_brand_metrics') as batch:
        batch.drop_column('reputation')
        batch.drop_column('rep_weight')
        batch.drop_column('rep_sum')
        batch.drop_column('reach')
