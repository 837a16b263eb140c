"""index of visits by their last change (GET /api/v1/visits pages through them in that order)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:20:00
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index('ix_visit_updated_at', ['updated_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_updated_at')
