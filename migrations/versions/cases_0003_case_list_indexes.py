"""cases: indexes for the case list

The case list walks an index in its order and stops after a page: every case by the time it was
received (the district's list, and a unit's), and a unit's cases by case (`assignment (unit_id,
case_id)`), which the unit's list probes for each case it walks, and counts from alone.

On a database whose planner statistics exist (`ANALYZE` has run), the new indexes get theirs too
(see cases_0002).

Revision ID: cases_0003
Revises: cases_0002
Create Date: 2026-11-24 09:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'cases_0003'
down_revision = 'cases_0002'
branch_labels = None
depends_on = None

NEW_INDEXES = ('ix_case_created', 'ix_assignment_unit_case')


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
        batch_op.create_index('ix_case_created', ['created_at'], unique=False)

    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_unit_case', ['unit_id', 'case_id'], unique=False)

    _analyze(NEW_INDEXES)


def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_unit_case')

    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_created')
