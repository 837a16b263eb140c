"""each sign-in names its device (browser and system, from the User-Agent) for the account's "Where you are signed in" page

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sign_in', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device', sa.String(length=80), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('sign_in', schema=None) as batch_op:
        batch_op.drop_column('device')
