"""location codes unique whatever their case: a unique index on upper(code)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 01:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # The app has refused such codes all along; two writers checking at the same moment could
    # still have stored both. Name them rather than fail with the database's bare error.
    twins = op.get_bind().execute(sa.text(
        "SELECT upper(code), count(*) FROM location GROUP BY upper(code) HAVING count(*) > 1")).all()
    if twins:
        listed = ", ".join(f"{code} ({count} branches)" for code, count in twins)
        raise RuntimeError(f"location codes that differ only in case: {listed}. Give all but one of each a code "
                           "of its own (Admin → Locations), then run `audit init-db` again.")
    op.create_index('uq_location_code_upper', 'location', [sa.text('upper(code)')], unique=True)


def downgrade():
    op.drop_index('uq_location_code_upper', table_name='location')
