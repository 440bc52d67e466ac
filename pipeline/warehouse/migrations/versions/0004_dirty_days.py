"""dirty days: the days that received posts since the last aggregate / alert pass

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('dirty_day',
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('marked_at', TS, nullable=False),
    sa.PrimaryKeyConstraint('stage', 'day')
    )


def downgrade() -> None:
    op.drop_table('dirty_day')
