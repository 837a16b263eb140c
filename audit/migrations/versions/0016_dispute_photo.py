"""photos a branch manager sends with a dispute

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 18:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'dispute_photo',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dispute_id', sa.Integer(), nullable=False),
        sa.Column('stored_name', sa.String(length=100), nullable=False),
        sa.Column('thumb_name', sa.String(length=100), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['dispute_id'], ['dispute.id'], name=op.f('fk_dispute_photo_dispute_id_dispute'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_dispute_photo_uploaded_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute_photo')),
    )
    with op.batch_alter_table('dispute_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispute_photo_dispute_id'), ['dispute_id'], unique=False)


def downgrade():
    with op.batch_alter_table('dispute_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_photo_dispute_id'))
    op.drop_table('dispute_photo')
