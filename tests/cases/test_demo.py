"""The demo cases: every state, the lights, whistles, residents' reports; seeding twice adds nothing."""
from sqlalchemy import func, select

from portal.cases import demo, rules
from portal.cases.models import CASE_STATES, Case, CaseEvent
from portal.extensions import db


def test_demo_cases_cover_every_state_and_street(app):
    with app.app_context():
        cases = db.session.scalars(select(Case)).all()
        assert 24 <= len(cases) <= 60
        assert {c.state for c in cases} == set(CASE_STATES)
        assert {c.street.code for c in cases} == {"qt", "hy", "jq"}
        assert {c.level for c in cases} >= {1, 2, 3}
        whistles = [c for c in cases if c.level == 3 and c.whistled_at]
        assert len(whistles) >= 3 and all(c.whistle_filed for c in whistles)
        assert {c.state for c in whistles} >= {"in_progress", "resolved", "closed"}
        assert any(c.whistle_kind == "emergency" and c.assignments[0].limit_unit == "hours" for c in whistles)
        for c in cases:
            events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == c.id)
                                        .order_by(CaseEvent.id)).all()
            assert events[0].action == "intake"
            chain = [events[0]] + [e for e in events if e.action in rules.ACTIONS]
            assert all(b.from_state == a.to_state for a, b in zip(chain, chain[1:])), c.number
            assert chain[-1].to_state == c.state


def test_demo_has_an_overdue_unit_and_a_stuck_whistle(app):
    with app.app_context():
        now = rules.utcnow()
        red = db.session.scalars(rules.overdue_assignments(now)).all()
        assert any(a.case.level == 2 for a in red)
        stuck = db.session.scalars(select(Case).join(Case.matter).where(
            Case.level == 3, Case.state == "in_progress")).all()
        stuck = [c for c in stuck if c.matter.code == demo.STUCK_WHISTLE_MATTER]
        assert len(stuck) == 1
        assert any(a.state == "dispatched" and rules.light(a, now) == "red" for a in stuck[0].assignments)
        assert stuck[0].assignments[0].presses == [] and any(a.presses for a in stuck[0].assignments)


def test_demo_residents_reports_have_codes_and_public_timelines(app):
    with app.app_context():
        web = db.session.scalars(select(Case).where(Case.channel == "resident_web")).all()
        assert len(web) >= 4 and {c.street.code for c in web} == {"qt", "hy", "jq"}
        assert all(c.created_by_id is None and len(c.tracking_code) >= 10 for c in web)
        assert any(c.satisfaction is not None for c in web)
        assert any(c.state == "reopened" for c in web)
        for c in web:
            assert any(e.public for e in c.events)


def test_seeding_again_adds_nothing(app):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Case))
        demo.seed()
        assert db.session.scalar(select(func.count()).select_from(Case)) == before
