"""retired checklists: checklist.retired_at, set when a chain stops using a checklist for new visits

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checklist', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('checklist', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
