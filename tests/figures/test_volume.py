"""`seed-volume` at a small size: counts, consistent states, summaries equal to direct counts."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from portal.cases import rules
from portal.cases.models import CASE_STATES, OPEN_ASSIGNMENT_STATES, Assignment, Case, CaseEvent, Satisfaction
from portal.dashboard.services import Scope
from portal.extensions import db
from portal.figures.volume import seed_volume
from portal.org.models import Street
from tests.cases.helpers import unit_user
from tests.dashboard.test_dashboard import assert_dashboard_equals_direct
from tests.figures.helpers import assert_tallies_equal_rebuild, direct_rates, months_with_cases

N = 2000


@pytest.fixture
def volume(app):
    with app.test_request_context():
        before = db.session.scalar(select(func.count()).select_from(Case))
        counts = seed_volume(N, seed=7)
        yield before, counts


def _count(*where, model=Case):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_volume_counts_and_consistent_states(volume):
    before, counts = volume
    assert counts["cases"] == N and _count() == before + N
    assert 4 * N < counts["events"] < 7 * N and counts["assignments"] > N // 2
    volume_cases = [Case.id > before]
    # every state shows up, old cases are mostly closed
    states = dict(db.session.execute(select(Case.state, func.count()).where(*volume_cases)
                                     .group_by(Case.state)).all())
    assert {"dispatched", "accepted", "in_progress", "closed", "rejected", "returned"} <= set(states) \
        <= set(CASE_STATES)
    assert states["closed"] > N * 0.6
    # states agree with assignments and timelines
    closed_ok = [Case.state == "closed", Case.forced_closure.is_(False), Case.level > 1]
    assert _count(*volume_cases, *closed_ok, Case.assignments.any(Assignment.state != "done")) == 0
    assert _count(Assignment.state.in_(OPEN_ASSIGNMENT_STATES), Assignment.case.has(Case.state.in_(
        ("closed", "rejected", "resolved"))), model=Assignment) == 0
    assert _count(*volume_cases, Case.state == "closed", Case.closed_at.is_(None)) == 0
    assert _count(*volume_cases, ~Case.events.any(CaseEvent.action == "intake")) == 0
    e = aliased(CaseEvent)
    last_to_state = db.session.execute(
        select(Case.state, CaseEvent.to_state).join(CaseEvent, CaseEvent.case_id == Case.id)
        .where(*volume_cases, CaseEvent.id == select(func.max(e.id)).where(
            e.case_id == Case.id, e.action != "rate").correlate(Case).scalar_subquery())).all()
    assert len(last_to_state) == N
    assert all(a == b for a, b in last_to_state)
    assert _count(Satisfaction.case.has(Case.state.not_in(("closed", "reopened"))), model=Satisfaction) == 0
    assert _count(Assignment.signed_at < Assignment.dispatched_at, model=Assignment) == 0
    assert _count(Assignment.submitted_at < Assignment.signed_at, model=Assignment) == 0
    numbers = db.session.scalar(select(func.count(func.distinct(Case.number))))
    assert numbers == _count()


def test_volume_summaries_equal_direct_counts(volume):
    assert_tallies_equal_rebuild()
    for street_id in [None, db.session.scalar(select(Street.id).where(Street.code == "qt"))]:
        for month in months_with_cases()[-3:]:
            from portal.figures.rates import monthly_rates
            (row,) = monthly_rates(street_id=street_id, months=[month])
            assert (row.received, row.responded, row.resolved, row.rated, row.satisfied) == \
                direct_rates(month, street_id=street_id)
    assert_dashboard_equals_direct(Scope("district"))
    assert_dashboard_equals_direct(Scope("street", street_id=db.session.scalar(
        select(Street.id).where(Street.code == "hy"))))


def test_volume_cases_move_through_the_rules(volume):
    before, _counts = volume
    case = db.session.scalar(select(Case).where(Case.id > before, Case.state == "dispatched",
                                                Case.level == 2).limit(1))
    a = case.assignments[0]
    rules.transition(case, "sign_for", unit_user(a.unit.code), assignment=a)
    closed = db.session.scalar(select(Case).where(Case.id > before, Case.state == "closed",
                                                  Case.satisfaction == None, Case.level == 2).limit(1))  # noqa: E711
    rules.rate_case(closed, "not", reopen=True, reason="没修好")
    db.session.commit()
    assert_tallies_equal_rebuild()
    db.session.commit()
    assert_tallies_equal_rebuild()
