"""covering indexes of answer and section scores by visit (statistics read the scores from them)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 15:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index('ix_answer_visit_item_score', ['visit_id', 'item_id', 'score'], unique=False)
    with op.batch_alter_table('visit_section_score', schema=None) as batch_op:
        batch_op.create_index('ix_section_score_visit_section_score', ['visit_id', 'section_id', 'score'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('visit_section_score', schema=None) as batch_op:
        batch_op.drop_index('ix_section_score_visit_section_score')
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_visit_item_score')
