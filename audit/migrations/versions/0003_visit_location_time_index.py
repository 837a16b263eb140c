"""index of each location's visits by time (its last visits without sorting them all)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:45:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index('ix_visit_location_visited_at', ['location_id', 'visited_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_location_visited_at')
