"""index of scheduled visits by who scheduled them and when (the activity page finds a batch by it)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 19:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_created_by_at', ['created_by_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_created_by_at')
