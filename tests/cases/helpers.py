"""Factories for case tests: demo users and org by name, cases in a given state at a given time."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from portal.auth.models import User
from portal.cases import rules
from portal.cases.models import Case, CaseEvent
from portal.duties.models import Matter
from portal.extensions import db
from portal.org.models import Community, Unit
from portal.timeutil import local_to_utc, to_local


def at(local: str) -> datetime:
    """A Beijing wall-clock time as stored (naive UTC)."""
    return local_to_utc(datetime.fromisoformat(local))


def local(utc: datetime) -> str:
    return to_local(utc).strftime("%Y-%m-%d %H:%M")


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def unit(code: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def community(code: str) -> Community:
    return db.session.scalar(select(Community).where(Community.code == code))


def matter(code: str) -> Matter:
    return db.session.scalar(select(Matter).where(Matter.code == code))


def unit_user(code: str, role: str = "unit_chief", username: str | None = None) -> User:
    """A user of the unit (created on first use)."""
    name = username or f"t-{code}-{role}"
    found = user(name)
    if found is not None:
        return found
    template = user("chief")
    made = User(username=name, display_name=name, role=role, password_hash=template.password_hash)
    made.set_scope(unit=unit(code))
    db.session.add(made)
    db.session.flush()
    return made


def new_case(*, by: str = "dispatcher", community_code: str = "qt-tlx", matter_code: str | None = "CS-ZF-003",
             when: str = "2025-11-14 10:00", level: int | None = None, **fields) -> Case:
    """A new case in 青檀街道 (triaged to `level` when given)."""
    now = at(when)
    case = rules.intake(user(by), channel=fields.pop("channel", "hotline_12345"),
                        community=community(community_code),
                        description=fields.pop("description", "门前占道经营"),
                        matter=matter(matter_code) if matter_code else None, now=now, **fields)
    if level is not None:
        rules.transition(case, "triage", user(by), level=level, now=now)
    return case


def dispatched_case(unit_code: str = "qt-zfd", **kwargs) -> Case:
    case = new_case(level=2, **kwargs)
    rules.transition(case, "dispatch", user("dispatcher"), unit=unit(unit_code), now=case.created_at)
    return case


def timeline(case_id: int) -> list[CaseEvent]:
    return list(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)
                                   .order_by(CaseEvent.id)))


def assert_unbroken(case_id: int) -> None:
    """Each event starts where the previous one ended (no gap, no duplicate transition)."""
    events = [e for e in timeline(case_id) if e.action not in ("merged_in", "rate", "overdue_sign",
                                                               "overdue_complete")]
    assert events[0].action == "intake" and events[0].from_state is None
    for before, after in zip(events, events[1:]):
        assert after.from_state == before.to_state, (before.action, after.action)
    assert db.session.get(Case, case_id).state == events[-1].to_state
