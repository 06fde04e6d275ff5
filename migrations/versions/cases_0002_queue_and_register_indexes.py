"""cases: indexes for the work queue and the whistle register

The queue's counts and tabs read partial indexes over the open cases (by district level, street,
state and time received; by community, state and time received); the whistle register reads a
partial index over the filed whistles (by street, newest first); the overdue tab reads the overdue
cases from the two deadline indexes of `assignment`, which now end with `case_id`, and a street's
share of them from an index on the case's street alone (street, rowid).

On a database whose planner statistics exist (`ANALYZE` has run), the new indexes get theirs too:
an index without statistics looks to SQLite as if each value matched ten rows, and it would pick
one wrongly.

Revision ID: cases_0002
Revises: cases_0001
Create Date: 2026-11-23 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cases_0002'
down_revision = 'cases_0001'
branch_labels = None
depends_on = None

NEW_INDEXES = ('ix_case_street', 'ix_case_open_office', 'ix_case_open_community', 'ix_case_whistles_street',
               'ix_assignment_state_complete_case', 'ix_assignment_state_sign_case')


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
        batch_op.create_index('ix_case_street', ['street_id'], unique=False)
        batch_op.create_index('ix_case_open_office', ['district_level', 'street_id', 'state', 'created_at'],
                              unique=False, sqlite_where=sa.text("state NOT IN ('closed', 'rejected')"))
        batch_op.create_index('ix_case_open_community', ['community_id', 'state', 'created_at'],
                              unique=False, sqlite_where=sa.text("state NOT IN ('closed', 'rejected')"))
        batch_op.create_index('ix_case_whistles_street',
                              ['street_id', 'whistled_at', 'id', 'whistle_kind', 'state', 'whistle_filed'],
                              unique=False, sqlite_where=sa.text('whistle_filed = 1'))

    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_state_complete')
        batch_op.drop_index('ix_assignment_state_sign')
        batch_op.create_index('ix_assignment_state_complete_case', ['state', 'complete_deadline', 'case_id'],
                              unique=False)
        batch_op.create_index('ix_assignment_state_sign_case', ['state', 'sign_deadline', 'case_id'], unique=False)

    _analyze(NEW_INDEXES)


def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_state_sign_case')
        batch_op.drop_index('ix_assignment_state_complete_case')
        batch_op.create_index('ix_assignment_state_sign', ['state', 'sign_deadline'], unique=False)
        batch_op.create_index('ix_assignment_state_complete', ['state', 'complete_deadline'], unique=False)

    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_whistles_street')
        batch_op.drop_index('ix_case_open_community')
        batch_op.drop_index('ix_case_open_office')
        batch_op.drop_index('ix_case_street')

    _analyze(('ix_assignment_state_complete', 'ix_assignment_state_sign'))
