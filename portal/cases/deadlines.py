"""Deadlines and lights of assignments: the limits a unit answers within, when they run out, and
the light (green / yellow / red / none) that shows it, in Python (`light`) and in SQL
(`light_clause`) so that pages, lists and counts agree.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, not_, or_, select

from portal.cases.models import OPEN_ASSIGNMENT_STATES, Assignment, Case
from portal.timeutil import utcnow
from portal.workcal.rules import Deadline, WorkCalendar, deadline

@dataclass(frozen=True)
class Limits:
    sign: int
    complete: int
    unit: str          # "days" (Chinese working days) or "hours" (around the clock)


DEFAULT_LIMITS = Limits(2, 5, "days")      # respond within 2 days, finish within 5 working days
EMERGENCY_LIMITS = Limits(1, 3, "hours")   # an emergency whistle on a matter counted in days


def limits_for(case: Case, whistle_kind: str | None = None) -> Limits:
    """The limits an assignment of this case answers within.

    A matter counted in hours keeps its hours; an emergency whistle runs in hours around the
    clock (`EMERGENCY_LIMITS` unless its matter has hours); otherwise the matter's limits, or
    2 / 5 working days without a matter.
    """
    matter = case.matter
    if matter is not None and matter.limit_unit == "hours":
        return Limits(matter.sign_limit, matter.complete_limit, "hours")
    if (whistle_kind or case.whistle_kind) == "emergency":
        return EMERGENCY_LIMITS
    if matter is not None:
        return Limits(matter.sign_limit, matter.complete_limit, matter.limit_unit)
    return DEFAULT_LIMITS


@dataclass(frozen=True)
class Deadlines:
    sign: Deadline
    complete: Deadline

    @property
    def unknown_year(self) -> bool:
        return self.sign.unknown_year or self.complete.unknown_year


def deadlines(start: datetime, limits: Limits, calendar: WorkCalendar | None = None) -> Deadlines:
    """Sign-for and completion deadlines, both counted from the dispatch."""
    calendar = calendar if calendar is not None or limits.unit == "hours" else WorkCalendar.load()
    return Deadlines(deadline(start, limits.sign, limits.unit, calendar),
                     deadline(start, limits.complete, limits.unit, calendar))


def _warn_at(start: datetime, end: datetime) -> datetime:
    """The moment a quarter of the time is left."""
    return end - (end - start) / 4


def set_deadlines(assignment: Assignment, start: datetime, limits: Limits,
                  calendar: WorkCalendar | None = None) -> None:
    found = deadlines(start, limits, calendar)
    assignment.dispatched_at = start
    assignment.sign_deadline = found.sign.at
    assignment.complete_deadline = found.complete.at
    assignment.sign_warn_at = _warn_at(start, found.sign.at)
    assignment.complete_warn_at = _warn_at(start, found.complete.at)
    assignment.limit_unit = limits.unit
    assignment.deadline_unknown_year = found.unknown_year


def light(assignment: Assignment, now: datetime | None = None) -> str:
    """green / yellow (a quarter of the time or less left) / red (overdue) / none (no clock runs).

    The clock runs while the unit owes work (`OPEN_ASSIGNMENT_STATES`); before signing for it,
    the sign-for deadline counts too.
    """
    if assignment.state not in OPEN_ASSIGNMENT_STATES:
        return "none"
    now = now or utcnow()
    unsigned = assignment.state == "dispatched"
    if now >= assignment.complete_deadline or (unsigned and now >= assignment.sign_deadline):
        return "red"
    if now >= assignment.complete_warn_at or (unsigned and now >= assignment.sign_warn_at):
        return "yellow"
    return "green"


def light_clause(name: str, now: datetime):
    """The SQL condition on `Assignment` matching `light(a, now) == name` (for lists and counts)."""
    is_open = Assignment.state.in_(OPEN_ASSIGNMENT_STATES)
    unsigned = Assignment.state == "dispatched"
    red = or_(Assignment.complete_deadline <= now, and_(unsigned, Assignment.sign_deadline <= now))
    yellow = or_(Assignment.complete_warn_at <= now, and_(unsigned, Assignment.sign_warn_at <= now))
    if name == "none":
        return not_(is_open)
    if name == "red":
        return and_(is_open, red)
    if name == "yellow":
        return and_(is_open, not_(red), yellow)
    if name == "green":
        return and_(is_open, not_(red), not_(yellow))
    raise ValueError(name)


LIGHT_ORDER = {"none": 0, "green": 1, "yellow": 2, "red": 3}


def case_light(case: Case, now: datetime | None = None) -> str:
    """The worst light of the case's open assignments."""
    now = now or utcnow()
    return max((light(a, now) for a in case.assignments), key=LIGHT_ORDER.__getitem__, default="none")


def overdue_assignments(now: datetime | None = None):
    """A query of the open assignments whose light is red (for presses, meetings, dashboards)."""
    return select(Assignment).where(light_clause("red", now or utcnow()))
