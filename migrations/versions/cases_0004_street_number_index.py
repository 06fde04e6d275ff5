"""cases: a street's cases by number

A street's list sorted by number walked the number's unique index, where a street's numbers (which
begin with its code) lie after those of every street whose code sorts before it: 0.2 s at 600,000
cases for the first page in ascending order. `case (street_id, number)` gives them in order.

On a database whose planner statistics exist (`ANALYZE` has run), the new index gets its own
(see cases_0002).

Revision ID: cases_0004
Revises: cases_0003
Create Date: 2026-11-23 20:15:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'cases_0004'
down_revision = 'cases_0003'
branch_labels = None
depends_on = None

NEW_INDEXES = ('ix_case_street_number',)


def _analyze(names):
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    if bind.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() is None:
        return
    for name in names:
        bind.exec_driver_sql(f'ANALYZE "{name}"')


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_street_number', ['street_id', 'number'], unique=False)

    _analyze(NEW_INDEXES)


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_street_number')
