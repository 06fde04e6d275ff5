"""What the case page shows besides the case and its assignments, read as plain rows.

The rules decide on the `Case` and its `Assignment` objects (`views._case_with_assignments`); the
page around them (the names of the place, the matter and its departments, the units' names, who
signed, checked in and verified, the number of presses, the timeline and the photos) is only
shown, so it is read here with one statement each, built once (`Prepared`), into named tuples.
Loading the same through the case's relationships (six eager loads) cost about 5 ms of ORM work
a page at 600,000 cases; these take about 1 ms.

Templates use the same names on these rows as on the models (`e.actor_name` exists on both
`CaseEvent` and a timeline row), so a unit's change can answer with its new ORM event.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased

from portal import permissions as perm
from portal.auth.models import User
from portal.cases.models import Assignment, Attachment, Case, CaseEvent, Press, Satisfaction
from portal.duties.models import Matter, matter_cooperator
from portal.database import Prepared, read
from portal.org.models import Community, Department, Grid, Street, Unit

_case = bindparam("case_id")
_lead = aliased(Department)
_merged = aliased(Case)

def _rating(column):
    """The resident's latest rating of the case (a rating that reopened it may be followed by another)."""
    return (select(column).where(Satisfaction.case_id == Case.id).order_by(Satisfaction.id.desc()).limit(1)
            .scalar_subquery())


FACTS = Prepared(
    select(Street.name.label("street"), Community.name.label("community"), Grid.name.label("grid"),
           _merged.id.label("merged_id"), _merged.number.label("merged_number"),
           Matter.id.label("matter_id"), Matter.code.label("matter_code"), Matter.title.label("matter_title"),
           Matter.category.label("matter_category"), Matter.sign_limit, Matter.complete_limit,
           Matter.limit_unit, _lead.id.label("lead_id"), _lead.name.label("lead_name"),
           _rating(Satisfaction.level).label("rating"), _rating(Satisfaction.comment).label("rating_comment"))
    .select_from(Case)
    .join(Street, Street.id == Case.street_id)
    .join(Community, Community.id == Case.community_id)
    .outerjoin(Grid, Grid.id == Case.grid_id)
    .outerjoin(_merged, _merged.id == Case.merged_into_id)
    .outerjoin(Matter, Matter.id == Case.matter_id)
    .outerjoin(_lead, _lead.id == Matter.lead_department_id)
    .where(Case.id == _case)
)
COOPERATING = Prepared(select(Department.id, Department.name)
                       .join(matter_cooperator, matter_cooperator.c.department_id == Department.id)
                       .where(matter_cooperator.c.matter_id == bindparam("matter_id"))
                       .order_by(Department.code))
_signer, _checker, _verifier = aliased(User), aliased(User), aliased(User)
UNITS = Prepared(
    select(Assignment.id, Unit.name, Unit.phone, Unit.department_id, Department.name.label("department"),
           _signer.display_name.label("signed_by"), _checker.display_name.label("checked_in_by"),
           _verifier.display_name.label("verified_by"),
           select(func.count()).where(Press.assignment_id == Assignment.id).scalar_subquery().label("presses"))
    .join(Unit, Unit.id == Assignment.unit_id)
    .join(Department, Department.id == Unit.department_id)
    .outerjoin(_signer, _signer.id == Assignment.signed_by_id)
    .outerjoin(_checker, _checker.id == Assignment.checked_in_by_id)
    .outerjoin(_verifier, _verifier.id == Assignment.verified_by_id)
    .where(Assignment.case_id == _case)
)
EVENTS = Prepared(
    select(CaseEvent.id, CaseEvent.assignment_id, CaseEvent.at, CaseEvent.action, CaseEvent.from_state,
           CaseEvent.to_state, CaseEvent.note, CaseEvent.data, User.display_name.label("actor_name"))
    .outerjoin(User, User.id == CaseEvent.actor_id)
    .where(CaseEvent.case_id == _case)
    .order_by(CaseEvent.id)
)
PHOTOS = Prepared(
    select(Attachment.id, Attachment.kind, Attachment.public, Attachment.width, Attachment.height,
           CaseEvent.assignment_id)
    .outerjoin(CaseEvent, CaseEvent.id == Attachment.event_id)
    .where(Attachment.case_id == _case)
    .order_by(Attachment.id)
)


@dataclass
class CasePage:
    """The shown parts of one case: `facts` (place, matter, merged-into, the resident's rating;
    None for a unit's change, which shows no facts), the matter's cooperating departments, each
    assignment's unit and people (by assignment id), and the timeline and photos the user may see."""

    facts: Any
    cooperating: list = field(default_factory=list)
    units: dict = field(default_factory=dict)
    events: list = field(default_factory=list)
    photos: list = field(default_factory=list)


def _visible(assignment_id: int | None, unit_of: dict[int, int], user) -> bool:
    """A unit sees the case's own entries and its assignment's, never another unit's."""
    if assignment_id is None or user.role not in perm.UNIT_ROLES:
        return True
    return user.unit_id is not None and unit_of.get(assignment_id) == user.unit_id


def load(case: Case, user, *, whole: bool = True, units: bool = True) -> CasePage:
    """What the page shows of `case` (already checked to be in the user's scope). Without `whole`,
    only the units (no facts): a unit's change answers with its card and the new entries; without
    `units` either, nothing (progress logged answers with the head and the new entries alone)."""
    run = read
    params = {"case_id": case.id}
    page = CasePage(facts=None, units={row.id: row for row in run(UNITS, params)} if units or whole else {})
    if not whole:
        return page
    page.facts = facts = run(FACTS, params).one()
    if facts.matter_id is not None:
        page.cooperating = run(COOPERATING, {"matter_id": facts.matter_id}).all()
    unit_of = {a.id: a.unit_id for a in case.assignments}
    page.events = [e for e in run(EVENTS, params) if _visible(e.assignment_id, unit_of, user)]
    page.photos = [p for p in run(PHOTOS, params) if _visible(p.assignment_id, unit_of, user)]
    return page
