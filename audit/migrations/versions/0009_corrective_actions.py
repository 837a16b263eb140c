"""corrective actions: what a branch will do about a failed question of an approved visit

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('corrective_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('responsible', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('done_note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'done')", name=op.f('ck_corrective_action_status_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_corrective_action_created_by_id_user')),
    sa.ForeignKeyConstraint(['done_by_id'], ['user.id'], name=op.f('fk_corrective_action_done_by_id_user')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_corrective_action_location_id_location')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_corrective_action_visit_id_visit'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_corrective_action'))
    )
    with op.batch_alter_table('corrective_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_corrective_action_visit_id'), ['visit_id'], unique=False)
        batch_op.create_index('ix_corrective_action_status_due_on', ['status', 'due_on', 'id'], unique=False)
        batch_op.create_index('ix_corrective_action_location_status_due_on', ['location_id', 'status', 'due_on'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('corrective_action', schema=None) as batch_op:
        batch_op.drop_index('ix_corrective_action_location_status_due_on')
        batch_op.drop_index('ix_corrective_action_status_due_on')
        batch_op.drop_index(batch_op.f('ix_corrective_action_visit_id'))
    op.drop_table('corrective_action')
