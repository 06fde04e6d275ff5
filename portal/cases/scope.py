"""Which cases and assignments a user may see, as SQL (`case_scope_clause`, `visible_cases`) and
per object (`can_see_case`, `can_see_assignment`), and the loaders that answer 404 outside it;
lists and pages share them. Also `possible_duplicates` and `can_adjudicate`.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, false, select, true

from portal import permissions as perm
from portal.cases.models import Assignment, Case
from portal.cases.states import actor_role, can
from portal.extensions import db
from portal.timeutil import utcnow

def case_scope_clause(user):
    """The SQL condition on `Case` for the cases the user may see."""
    role = actor_role(user)
    if role == perm.DISTRICT_ADMIN:
        return true()
    if role in perm.STREET_ROLES:
        return Case.street_id == user.street_id
    if role in perm.UNIT_ROLES:
        return exists().where(Assignment.case_id == Case.id, Assignment.unit_id == user.unit_id)
    if role == perm.GRID_WORKER:
        return Case.community_id == user.community_id
    return false()


def visible_cases(user):
    """`select(Case)` narrowed to the user's scope: district all; street roles their street; unit
    roles the cases their unit has an assignment in; grid workers their community."""
    return select(Case).where(case_scope_clause(user))


def can_see_case(user, case: Case) -> bool:
    role = actor_role(user)
    if role == perm.DISTRICT_ADMIN:
        return True
    if role in perm.STREET_ROLES:
        return user.street_id is not None and case.street_id == user.street_id
    if role in perm.UNIT_ROLES:
        return user.unit_id is not None and any(a.unit_id == user.unit_id for a in case.assignments)
    if role == perm.GRID_WORKER:
        return user.community_id is not None and case.community_id == user.community_id
    return False


def can_see_assignment(user, assignment: Assignment) -> bool:
    """A unit sees only its own assignments; the others see every assignment of a visible case."""
    if actor_role(user) in perm.UNIT_ROLES:
        return user.unit_id is not None and assignment.unit_id == user.unit_id
    return can_see_case(user, assignment.case)


def visible_assignments(case: Case, user) -> list[Assignment]:
    return [a for a in case.assignments if can_see_assignment(user, a)]


def get_case_or_404(case_id: int, user) -> Case:
    case = db.session.get(Case, case_id)
    perm.require(case is not None and can_see_case(user, case))
    return case


def get_assignment_or_404(assignment_id: int, user, case_id: int | None = None) -> Assignment:
    """The assignment, if the user may see it (and it belongs to `case_id` when given)."""
    assignment = db.session.get(Assignment, assignment_id)
    perm.require(assignment is not None and (case_id is None or assignment.case_id == case_id)
                 and can_see_assignment(user, assignment))
    return assignment



def can_adjudicate(user, case: Case) -> bool:
    """Whether the user decides on this returned case (street; district for district-level ones)."""
    return can(case, "adjudicate", user) if case.state == "returned" else False


def possible_duplicates(community_id: int | None, matter_id: int | None, since_days: int = 7, *,
                        now: datetime | None = None, exclude_id: int | None = None,
                        limit: int = 10) -> list[Case]:
    """Cases of the same matter in the same community in the last `since_days` days, newest first
    (originals only: rejected and merged cases are left out)."""
    if not community_id or not matter_id:
        return []
    since = (now or utcnow()) - timedelta(days=since_days)
    query = (select(Case).where(Case.community_id == community_id, Case.matter_id == matter_id,
                                Case.created_at >= since, Case.state != "rejected")
             .order_by(Case.created_at.desc()).limit(limit))
    if exclude_id is not None:
        query = query.where(Case.id != exclude_id)
    return list(db.session.scalars(query))
