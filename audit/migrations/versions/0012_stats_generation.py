"""the statistics' generation: raised by every change the chain statistics read, so that cached
statistics are used only while they are current

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 18:30:00
"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'stats_generation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.Column('database_label', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_generation')),
    )
    op.bulk_insert(table, [{'id': 1, 'value': 0, 'database_label': secrets.token_hex(12)}])


def downgrade():
    op.drop_table('stats_generation')
