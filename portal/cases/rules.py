"""The rules of cases: who may do what in which state, deadlines, lights, the sweep, scope.

Plain functions over models, testable without HTTP. Views parse a form, load the case with
`get_case_or_404` (scope → 404), call `transition(...)`, commit, and map the exceptions below to
HTTP: `NotAllowed` → 403, `StaleVersion` → 409 (show the current state), `InvalidInput` → 422 (show
`exc.message` next to `exc.field`). Each exception has `.status` and a translatable `.message`.
On any of them the caller rolls back (`db.session.rollback()`) and discards uploaded photos
(`portal.cases.uploads.discard`).

The state machine is two tables, `CASE_MOVES` and `ASSIGNMENT_MOVES`: rows of
(from_state, action, to_state, roles). An action on an assignment (sign_for, check_in, …) must be
allowed by both: the case's row (its state and the role) and the assignment's row. Besides the
role, every action needs the actor's scope (street roles: the case's street; grid workers: the
case's community; unit roles: the assignment's unit; the district admin: everything) and the
action's condition in `CONDITIONS` (e.g. `dispatch` needs a level-2 case, `press` a red light).
`RESIDENT` stands for an actor who is not logged in (a resident with a tracking code).

    transition(case, "dispatch", user, note, unit=unit, expected_version=form.version.data)
    transition(case, "sign_for", user, assignment=a, expected_version=...)

A case with assignments is `dispatched` until a unit signs for it (`accepted`), `in_progress` once a
unit checks in, logs or reports, `resolved` (to verify) when every active assignment (neither
returned nor cancelled) has submitted its result, and `closed` by `close` once the street has
verified every one (`done`); `send_back` puts it back `in_progress`. A level-2 unit's `return`
makes it `returned` until `adjudicate` (re-dispatch or whistle). Residents rate a closed case with
`rate_case`, whose "not satisfied" may reopen it once. `sweep(now)` records overdue events.

Each transition appends one `CaseEvent`, writes `audit.record("case.<action>", case, …)`, bumps the
case's version, sends `signals.case_transition` (and `case_closed`), and queues inbox
notifications, all in the caller's transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, false, func, not_, or_, select, true
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import BuildError

from portal import audit
from portal import permissions as perm
from portal.cases import signals
from portal.cases.models import (
    ASSIGNMENT_STATES, CASE_STATES, CHANNELS, LEVELS, OPEN_ASSIGNMENT_STATES,
    SATISFACTION_LEVELS, WHISTLE_KINDS, Assignment, Attachment, Case, CaseEvent, Press, Satisfaction,
    new_tracking_code,
)
from portal.duties.models import Matter
from portal.duties.responders import Responders, responders
from portal.extensions import db
from portal.inbox import notify_unit, notify_users, street_recipients
from portal.org.models import Community, Grid, Unit
from portal.timeutil import to_local, utcnow
from portal.workcal.rules import Deadline, WorkCalendar, deadline

# --- errors ------------------------------------------------------------------------------------


class CaseError(Exception):
    """A refused action; `message` is translatable and meant for the user."""

    status = 400
    default_message = _l("This action cannot be done.")

    def __init__(self, message=None, field: str | None = None):
        self.message = message if message is not None else self.default_message
        self.field = field
        super().__init__(self.message)


class NotAllowed(CaseError):
    """The actor's role, scope or the case's state does not allow the action (403)."""

    status = 403
    default_message = _l("You may not do this with this case in its current state.")


class StaleVersion(CaseError):
    """Someone changed the case since the user saw it (409)."""

    status = 409
    default_message = _l("This case has changed in the meantime. Here is its current state; "
                         "please check and try again.")


class InvalidInput(CaseError):
    """The input is missing or wrong (422); `field` names the form field when there is one."""

    status = 422
    default_message = _l("Please check the input.")


# --- who -------------------------------------------------------------------------------------

RESIDENT = "resident"   # an actor who is not logged in: a resident holding the tracking code

DISTRICT = frozenset({perm.DISTRICT_ADMIN})
STREET = frozenset(perm.STREET_ROLES)
OFFICE = STREET | DISTRICT             # the street office and the district platform
UNIT = frozenset(perm.UNIT_ROLES)
CHIEF = frozenset({perm.UNIT_CHIEF})
GRID = frozenset({perm.GRID_WORKER})
RESIDENTS = frozenset({RESIDENT})


def actor_role(actor) -> str:
    """The role the tables know the actor by (`RESIDENT` when not logged in)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return RESIDENT
    return actor.role


def _actor_id(actor) -> int | None:
    return actor.id if actor_role(actor) != RESIDENT else None


# --- the state machine -------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    from_state: str | None
    action: str
    to_state: str
    roles: frozenset[str]


def _rows(from_states: Iterable[str | None], action: str, to_state: str | None, roles) -> list[Move]:
    """One row per from-state; `to_state=None` means the case stays where it is."""
    return [Move(f, action, to_state if to_state is not None else f, frozenset(roles)) for f in from_states]


ASSIGNED = ("dispatched", "accepted", "in_progress")

# The case's state machine. An action listed twice from one state (submit_result) has two
# possible outcomes; `_target_state` picks one from the assignments.
CASE_MOVES: tuple[Move, ...] = tuple([
    *_rows([None], "intake", "new", OFFICE | GRID | RESIDENTS),
    *_rows(["new", "triaged", "reopened"], "triage", "triaged", OFFICE),
    *_rows(["new", "triaged", "reopened"], "handle_on_spot", "closed", OFFICE | GRID),
    *_rows(["triaged", "reopened"], "dispatch", "dispatched", OFFICE),
    *_rows(["triaged", "reopened"], "whistle", "dispatched", OFFICE),
    *_rows(["returned"], "adjudicate", "dispatched", OFFICE),
    *_rows(["new", "triaged", "returned"], "reject", "rejected", OFFICE),
    *_rows(["new", "triaged"], "merge", "rejected", OFFICE),
    Move("dispatched", "sign_for", "accepted", UNIT),
    *_rows(["accepted", "in_progress"], "sign_for", None, UNIT),
    *_rows(["accepted", "in_progress"], "check_in", "in_progress", UNIT),
    *_rows(["accepted", "in_progress"], "log_progress", "in_progress", UNIT),
    *_rows(["accepted", "in_progress"], "submit_result", "in_progress", UNIT),
    *_rows(["accepted", "in_progress"], "submit_result", "resolved", UNIT),
    *_rows(["dispatched", "accepted"], "return", "returned", CHIEF),
    *_rows(["in_progress", "resolved"], "verify", None, OFFICE),
    *_rows(["in_progress", "resolved"], "send_back", "in_progress", OFFICE),
    *_rows(["resolved"], "close", "closed", OFFICE),
    *_rows(["new", "triaged", "dispatched", "accepted", "in_progress", "resolved", "returned", "reopened"],
           "force_close", "closed", DISTRICT),
    *_rows(ASSIGNED, "press", None, OFFICE),
    *_rows(["closed"], "reopen", "reopened", RESIDENTS),
])

# The assignment's state machine, for the actions done on one assignment.
ASSIGNMENT_MOVES: tuple[Move, ...] = tuple([
    Move("dispatched", "sign_for", "accepted", UNIT),
    *_rows(["dispatched", "accepted"], "return", "returned", CHIEF),
    Move("accepted", "check_in", "on_site", UNIT),
    *_rows(["accepted", "on_site", "sent_back"], "log_progress", None, UNIT),
    *_rows(["accepted", "on_site", "sent_back"], "submit_result", "submitted", UNIT),
    Move("submitted", "verify", "done", OFFICE),
    Move("submitted", "send_back", "sent_back", OFFICE),
    *_rows(OPEN_ASSIGNMENT_STATES, "press", None, OFFICE),
])

# Every action, in the order a page offers them.
ACTIONS: tuple[str, ...] = (
    "triage", "handle_on_spot", "dispatch", "whistle", "adjudicate", "merge", "reject",
    "sign_for", "check_in", "log_progress", "submit_result", "return",
    "verify", "send_back", "close", "press", "force_close", "reopen",
)
ASSIGNMENT_ACTIONS = frozenset({m.action for m in ASSIGNMENT_MOVES})
CASE_ACTIONS = tuple(a for a in ACTIONS if a not in ASSIGNMENT_ACTIONS)

# Events residents see on the public timeline (as plain labels; notes stay internal).
PUBLIC_ACTIONS = frozenset({
    "intake", "handle_on_spot", "dispatch", "whistle", "adjudicate", "sign_for", "check_in",
    "close", "force_close", "reject", "merge", "reopen", "rate",
})

# The inputs (keyword arguments of `transition`) each action accepts.
ACTION_INPUTS: dict[str, frozenset[str]] = {
    "triage": frozenset({"level", "matter"}),
    "handle_on_spot": frozenset({"attachments", "matter"}),
    "dispatch": frozenset({"unit", "calendar"}),
    "whistle": frozenset({"kind", "lead", "cooperating", "calendar"}),
    "adjudicate": frozenset({"decision", "unit", "kind", "lead", "cooperating", "calendar"}),
    "merge": frozenset({"into"}),
    "reject": frozenset({"reason"}),
    "sign_for": frozenset(),
    "check_in": frozenset({"lat", "lng", "accuracy", "attachments"}),
    "log_progress": frozenset({"attachments"}),
    "submit_result": frozenset({"result", "attachments"}),
    "return": frozenset({"reason"}),
    "verify": frozenset(),
    "send_back": frozenset({"reason"}),
    "close": frozenset(),
    "press": frozenset(),
    "force_close": frozenset({"reason"}),
    "reopen": frozenset(),
}

# Photo kinds each action may carry.
ATTACHMENT_KINDS_FOR = {
    "handle_on_spot": frozenset({"before", "after"}),
    "check_in": frozenset({"check_in"}),
    "log_progress": frozenset({"before", "after", "result"}),
    "submit_result": frozenset({"before", "after", "result"}),
}


def _all_done(case: Case) -> bool:
    active = case.active_assignments
    return bool(active) and all(a.state == "done" for a in active)


# Conditions beyond role, state and scope: action -> (predicate(case, actor, assignment, now), why not).
CONDITIONS: dict[str, tuple[Callable[..., bool], Any]] = {
    "handle_on_spot": (lambda c, u, a, now: c.state == "new" or c.level == 1,
                       _l("Only a level-1 case is handled on the spot.")),
    "dispatch": (lambda c, u, a, now: c.level == 2,
                 _l("Only a level-2 case is dispatched to one unit; triage it again to change its level.")),
    "whistle": (lambda c, u, a, now: c.level == 3,
                _l("Only a level-3 case is whistled; triage it again to change its level.")),
    "adjudicate": (lambda c, u, a, now: not c.district_level or actor_role(u) == perm.DISTRICT_ADMIN,
                   _l("Cases filed at district level are adjudicated by the district platform.")),
    "return": (lambda c, u, a, now: a is not None and a.role == "single",
               _l("A whistle cannot be returned; each summoned unit must report.")),
    "close": (lambda c, u, a, now: _all_done(c),
              _l("Every unit's result must be verified before the case is closed.")),
    "press": (lambda c, u, a, now: a is not None and light(a, now) == "red",
              _l("Only an overdue assignment can be pressed.")),
    "reopen": (lambda c, u, a, now: c.reopen_count == 0 and c.satisfaction is not None
               and c.satisfaction.level == "not",
               _l("A case is reopened once, after a \u201cnot satisfied\u201d rating.")),
}


def in_scope(case: Case, actor, assignment: Assignment | None = None) -> bool:
    """Whether the actor's scope covers acting on this case (and this assignment, for units)."""
    role = actor_role(actor)
    if role == perm.DISTRICT_ADMIN or role == RESIDENT:
        return True
    if role in perm.STREET_ROLES:
        return actor.street_id is not None and actor.street_id == case.street_id
    if role == perm.GRID_WORKER:
        return actor.community_id is not None and actor.community_id == case.community_id
    if role in perm.UNIT_ROLES:
        return assignment is not None and actor.unit_id is not None and assignment.unit_id == actor.unit_id
    return False


def _moves(table, state, action) -> list[Move]:
    return [m for m in table if m.from_state == state and m.action == action]


def check(case: Case, action: str, actor, assignment: Assignment | None = None,
          now: datetime | None = None) -> None:
    """Raise NotAllowed unless the tables, the actor's scope and the condition allow the action."""
    role = actor_role(actor)
    rows = _moves(CASE_MOVES, case.state, action)
    if not rows or role not in rows[0].roles:
        raise NotAllowed()
    if action in ASSIGNMENT_ACTIONS:
        if assignment is None or assignment not in case.assignments:
            raise NotAllowed()
        arows = _moves(ASSIGNMENT_MOVES, assignment.state, action)
        if not arows or role not in arows[0].roles:
            raise NotAllowed()
    elif assignment is not None:
        raise NotAllowed()
    if not in_scope(case, actor, assignment):
        raise NotAllowed(_l("This case is outside your scope."))
    condition = CONDITIONS.get(action)
    if condition is not None and not condition[0](case, actor, assignment, now or utcnow()):
        raise NotAllowed(condition[1])


def can(case: Case, action: str, actor, assignment: Assignment | None = None,
        now: datetime | None = None) -> bool:
    try:
        check(case, action, actor, assignment, now)
    except NotAllowed:
        return False
    return True


def allowed_actions(case: Case, user, assignment: Assignment | None = None,
                    now: datetime | None = None) -> list[str]:
    """The actions the user may take now: on the case itself, or (given one) on an assignment."""
    names = ASSIGNMENT_ACTIONS if assignment is not None else CASE_ACTIONS
    return [a for a in ACTIONS if a in names and can(case, a, user, assignment, now)]


# --- deadlines and lights ----------------------------------------------------------------------


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


# --- scope -------------------------------------------------------------------------------------


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


def proposed_units(case: Case) -> Responders | None:
    """The units the responsibility list proposes for the case's matter in its street (the lead
    for a dispatch; lead and cooperating for a whistle); None without a matter."""
    if case.matter is None:
        return None
    return responders(case.matter, case.street_id)


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


# --- intake ------------------------------------------------------------------------------------

MAX_DESCRIPTION = 2000
MAX_REASON = 500


def next_case_number(street, now: datetime) -> str:
    """The street's next human case number for the (Beijing) day: QT-20261123-0007."""
    prefix = f"{street.code.upper()}-{to_local(now):%Y%m%d}-"
    last = db.session.scalar(
        select(Case.number).where(Case.number >= prefix, Case.number < prefix + "~")
        .order_by(func.length(Case.number).desc(), Case.number.desc()).limit(1))
    sequence = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def _text(value, field: str, *, required: bool = False, limit: int = MAX_REASON,
          message=None) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise InvalidInput(message or _l("This field is required."), field)
    if len(text) > limit:
        raise InvalidInput(_l("Use at most %(n)d characters.", n=limit), field)
    return text


def _load(model, value, field: str, message):
    """A model instance from an instance or an id; InvalidInput when missing."""
    if isinstance(value, model):
        return value
    try:
        obj = db.session.get(model, int(value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        obj = None
    if obj is None:
        raise InvalidInput(message, field)
    return obj


def intake(actor, *, channel: str, community, description: str, address: str = "", grid=None,
           reporter_name: str = "", reporter_phone: str = "", contact_consent: bool = False,
           matter=None, district_level: bool = False, now: datetime | None = None) -> Case:
    """Take in a case (state `new`) with its first event; residents pass `actor=None`.

    `community`, `grid` and `matter` are instances or ids. Photos are stored afterwards with
    `uploads.store_photos(files, "report", case=case, uploaded_by=actor)`.
    """
    now = now or utcnow()
    role = actor_role(actor)
    if role not in _moves(CASE_MOVES, None, "intake")[0].roles:
        raise NotAllowed()
    if channel not in CHANNELS:
        raise InvalidInput(_l("Choose a channel."), "channel")
    if role == RESIDENT and channel != "resident_web":
        raise NotAllowed()
    community = _load(Community, community, "community", _l("Choose a community."))
    if not community.active:
        raise InvalidInput(_l("Choose a community."), "community")
    if role in perm.STREET_ROLES and community.street_id != actor.street_id:
        raise NotAllowed(_l("This case is outside your scope."))
    if role == perm.GRID_WORKER and community.id != actor.community_id:
        raise NotAllowed(_l("This case is outside your scope."))
    if grid not in (None, ""):
        grid = _load(Grid, grid, "grid", _l("Choose a grid of the community."))
        if grid.community_id != community.id:
            raise InvalidInput(_l("Choose a grid of the community."), "grid")
    else:
        grid = None
    if matter not in (None, ""):
        matter = _load(Matter, matter, "matter", _l("Choose an item of the responsibility list."))
    else:
        matter = None
    if district_level and role != perm.DISTRICT_ADMIN:
        raise NotAllowed()
    text = _text(description, "description", required=True, limit=MAX_DESCRIPTION,
                 message=_l("Describe the problem."))
    case = Case(
        number=next_case_number(community.street, now), tracking_code=new_tracking_code(), channel=channel,
        reporter_name=_text(reporter_name, "reporter_name", limit=50),
        reporter_phone=_text(reporter_phone, "reporter_phone", limit=30),
        contact_consent=bool(contact_consent), street_id=community.street_id, community=community,
        grid=grid, address=_text(address, "address", limit=200), description=text, matter=matter,
        state="new", district_level=bool(district_level), created_by_id=_actor_id(actor),
        created_at=now, updated_at=now)
    with db.session.no_autoflush:
        while db.session.scalar(select(Case.id).where(Case.tracking_code == case.tracking_code)):
            case.tracking_code = new_tracking_code()
    db.session.add(case)
    event = _append_event(case, "intake", actor, None, "new", now, data={"channel": channel})
    audit.record("case.intake", case, actor=actor if role != RESIDENT else None,
                 channel=channel, street_id=case.street_id, community_id=community.id)
    db.session.flush()
    signals.case_transition.send(case, event=event, action="intake", from_state=None, to_state="new",
                                 assignment=None, actor=actor)
    return case


# --- transitions -------------------------------------------------------------------------------


@dataclass
class _Step:
    """What a transition is working on; handlers fill `data` and may set `to_state`."""

    case: Case
    action: str
    actor: Any
    assignment: Assignment | None
    now: datetime
    inputs: dict
    note: str
    data: dict
    to_state: str | None = None
    notes_for: list[Callable[[], object]] = field(default_factory=list)  # notifications, after the flush


def transition(case: Case, action: str, actor, note: str = "", *, assignment: Assignment | None = None,
               expected_version: int | str | None = None, now: datetime | None = None,
               public_note: str = "", **inputs) -> CaseEvent:
    """Do `action` on the case (and `assignment`, for unit actions) as `actor`; return the event.

    `expected_version` is the case version the user saw (the hidden form field); `note` is an
    internal note; `public_note` a text for the residents' timeline. The keyword `inputs` each
    action accepts are in `ACTION_INPUTS`. Nothing is committed.
    """
    if action not in ACTION_INPUTS:
        raise NotAllowed()
    unknown = set(inputs) - ACTION_INPUTS[action]
    if unknown:
        raise TypeError(f"{action} does not take {sorted(unknown)}")
    now = now or utcnow()
    check_version(case, expected_version)
    check(case, action, actor, assignment, now)
    step = _Step(case=case, action=action, actor=actor, assignment=assignment, now=now, inputs=inputs,
                 note=_text(note, "note", limit=MAX_DESCRIPTION), data={})
    public_text = _text(public_note, "public_note", limit=MAX_REASON)
    if public_text:
        step.data["public_note"] = public_text
    from_state = case.state
    attachments = _attachments(step)
    if action in _REQUIRED_ATTACHMENTS:
        _REQUIRED_ATTACHMENTS[action](attachments)
    try:
        _HANDLERS[action](step)             # validates its inputs first, then changes the records
        if assignment is not None:
            assignment.state = _moves(ASSIGNMENT_MOVES, assignment.state, action)[0].to_state
        to_state = step.to_state or _target_state(case, action, from_state)
        case.state = to_state
        case.updated_at = now               # always an UPDATE of the case row: bumps its version
        event = _append_event(case, action, actor, from_state, to_state, now, note=step.note,
                              assignment=assignment, data=step.data)
        for attachment in attachments:
            attachment.event = event
        details = {k: v for k, v in step.data.items() if k != "public_note"}
        audit.record(f"case.{action}", case, actor=actor if actor_role(actor) != RESIDENT else None,
                     from_state=from_state, to_state=to_state,
                     assignment_id=assignment.id if assignment is not None else None, **details)
        db.session.flush()
    except StaleDataError:
        # Someone else's change reached the database between our read and our write.
        db.session.rollback()
        raise StaleVersion() from None
    for send in step.notes_for:
        send()
    signals.case_transition.send(case, event=event, action=action, from_state=from_state,
                                 to_state=to_state, assignment=assignment, actor=actor)
    if to_state == "closed" and from_state != "closed":
        signals.case_closed.send(case, event=event, forced=action == "force_close")
    return event


def check_version(case: Case, expected_version: int | str | None) -> None:
    """Raise StaleVersion unless the version the user saw is the case's current one (None: skip)."""
    if expected_version is None:
        return
    try:
        seen = int(expected_version)
    except (TypeError, ValueError):
        raise StaleVersion() from None
    if seen != case.version:
        raise StaleVersion()


def _target_state(case: Case, action: str, from_state: str) -> str:
    rows = _moves(CASE_MOVES, from_state, action)
    if len(rows) == 1:
        return rows[0].to_state
    # submit_result: resolved (to verify) once every active unit has reported, else in progress.
    reported = all(a.state in ("submitted", "done") for a in case.active_assignments)
    wanted = "resolved" if reported else "in_progress"
    assert wanted in {r.to_state for r in rows}
    return wanted


def _append_event(case: Case, action: str, actor, from_state: str | None, to_state: str,
                  now: datetime, *, note: str = "", assignment: Assignment | None = None,
                  data: dict | None = None) -> CaseEvent:
    event = CaseEvent(case=case, assignment=assignment, at=now, actor_id=_actor_id(actor),
                      action=action, from_state=from_state, to_state=to_state, note=note,
                      public=action in PUBLIC_ACTIONS, data=dict(data or {}))
    db.session.add(event)
    return event


def _attachments(step: _Step) -> list[Attachment]:
    items = list(step.inputs.get("attachments") or [])
    allowed = ATTACHMENT_KINDS_FOR.get(step.action, frozenset())
    for item in items:
        if not isinstance(item, Attachment) or item.event_id is not None or item.event is not None \
                or (item.case is not step.case and item.case_id != step.case.id):
            raise InvalidInput(_l("A photo does not belong to this case."), "attachments")
        if item.kind not in allowed:
            raise InvalidInput(_l("This kind of photo does not belong to this step."), "attachments")
    if items:
        step.data["attachment_ids"] = [a.id for a in items if a.id is not None]
    return items


def _need_before_and_after(items: list[Attachment]) -> None:
    kinds = {a.kind for a in items}
    if not {"before", "after"} <= kinds:
        raise InvalidInput(_l("Add a photo from before and one from after the handling."), "attachments")


_REQUIRED_ATTACHMENTS = {"handle_on_spot": _need_before_and_after}


def _unit_info(unit: Unit) -> dict:
    return {"unit_id": unit.id, "unit": unit.name,
            "department": unit.department.short_name or unit.department.name}


def _valid_unit(value, case: Case, field: str) -> Unit:
    unit = _load(Unit, value, field, _l("Choose a unit."))
    if not unit.active or unit.street_id != case.street_id:
        raise InvalidInput(_l("Choose an active unit of the case's street."), field)
    return unit


def _level(value) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = None
    if level not in LEVELS:
        raise InvalidInput(_l("Choose a level."), "level")
    return level


def _matter(value):
    if value in (None, ""):
        return None
    matter = _load(Matter, value, "matter", _l("Choose an item of the responsibility list."))
    if not matter.active:
        raise InvalidInput(_l("This item of the responsibility list is retired."), "matter")
    return matter


def _reason(step: _Step, field: str = "reason") -> str:
    return _text(step.inputs.get(field), field, required=True, message=_l("Give a reason."))


def _calendar(step: _Step) -> WorkCalendar | None:
    return step.inputs.get("calendar")


def _new_assignment(step: _Step, unit: Unit, role: str, limits: Limits, calendar) -> Assignment:
    with db.session.no_autoflush:          # the calendar's query must not flush a half-made row
        assignment = Assignment(unit=unit, role=role, state="dispatched")
        set_deadlines(assignment, step.now, limits, calendar)
    assignment.case = step.case
    db.session.add(assignment)
    case = step.case

    def send():
        notify_unit(unit.id, "case_dispatched",
                    _say(_l("New case %(number)s for your unit: %(summary)s",
                            number=case.number, summary=_summary(case))),
                    case_link(case.id))
    step.notes_for.append(send)
    return assignment


def _do_triage(step: _Step) -> None:
    level = _level(step.inputs.get("level"))
    if "matter" in step.inputs:
        step.case.matter = _matter(step.inputs["matter"])
    step.case.level = level
    step.data.update(level=level, matter_id=step.case.matter.id if step.case.matter else None)


def _do_handle_on_spot(step: _Step) -> None:
    if "matter" in step.inputs:
        step.case.matter = _matter(step.inputs["matter"])
    step.case.level = 1
    step.case.closed_at = step.now
    step.data["level"] = 1


def _dispatch_to(step: _Step, field: str = "unit") -> None:
    unit = _valid_unit(step.inputs.get(field), step.case, field)
    calendar = _calendar(step)
    step.case.level = 2
    _new_assignment(step, unit, "single", limits_for(step.case), calendar)
    step.data.update(level=2, **_unit_info(unit))


def _whistle(step: _Step) -> None:
    kind = step.inputs.get("kind")
    if kind not in WHISTLE_KINDS:
        raise InvalidInput(_l("Choose the kind of whistle."), "kind")
    if step.inputs.get("lead") in (None, ""):
        raise InvalidInput(_l("Choose the lead unit."), "lead")
    lead = _valid_unit(step.inputs.get("lead"), step.case, "lead")
    cooperating = []
    for value in step.inputs.get("cooperating") or []:
        unit = _valid_unit(value, step.case, "cooperating")
        if unit.id == lead.id or unit in cooperating:
            raise InvalidInput(_l("Summon each unit once."), "cooperating")
        cooperating.append(unit)
    case = step.case
    case.level = 3
    case.whistle_kind = kind
    case.whistled_at = step.now
    case.whistle_filed = True
    limits = limits_for(case, kind)
    calendar = _calendar(step)
    if calendar is None and limits.unit == "days":
        calendar = WorkCalendar.load()
    units = []
    for unit, role in [(lead, "lead"), *[(u, "cooperating") for u in cooperating]]:
        _new_assignment(step, unit, role, limits, calendar)
        units.append({**_unit_info(unit), "role": role})
    step.data.update(level=3, kind=kind, units=units)
    if case.matter is not None:
        unstaffed = responders(case.matter, case.street_id).unstaffed
        if unstaffed:
            step.data["unstaffed"] = [d.short_name or d.name for d in unstaffed]


def _do_dispatch(step: _Step) -> None:
    _dispatch_to(step)


def _do_whistle(step: _Step) -> None:
    _whistle(step)


def _do_adjudicate(step: _Step) -> None:
    decision = step.inputs.get("decision")
    if decision == "redispatch":
        _dispatch_to(step)
    elif decision == "whistle":
        _whistle(step)
    else:
        raise InvalidInput(_l("Choose: dispatch again or whistle."), "decision")
    step.data["decision"] = decision


def _do_reject(step: _Step) -> None:
    reason = _reason(step)
    step.case.reject_reason = reason
    step.data["reason"] = reason


def _do_merge(step: _Step) -> None:
    into = _load(Case, step.inputs.get("into"), "into", _l("Choose the original case."))
    case = step.case
    if into.id == case.id or into.street_id != case.street_id or into.state == "rejected" \
            or into.merged_into_id is not None:
        raise InvalidInput(_l("Choose an original case of the same street that is not itself merged."),
                           "into")
    case.merged_into = into
    case.reject_reason = _text(step.note, "note", limit=MAX_REASON) or into.number
    step.data.update(into_id=into.id, into_number=into.number)
    _append_event(into, "merged_in", step.actor, into.state, into.state, step.now,
                  data={"case_id": case.id, "case_number": case.number})


def _do_sign_for(step: _Step) -> None:
    step.assignment.signed_at = step.now
    step.assignment.signed_by_id = _actor_id(step.actor)
    step.data.update(_unit_info(step.assignment.unit))


def _float(step: _Step, field: str, low: float, high: float) -> float | None:
    value = step.inputs.get(field)
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    if number is None or number != number or not low <= number <= high:
        raise InvalidInput(_l("The location is not valid."), field)
    return number


def _do_check_in(step: _Step) -> None:
    lat = _float(step, "lat", -90, 90)
    lng = _float(step, "lng", -180, 180)
    accuracy = _float(step, "accuracy", 0, 1_000_000)
    if (lat is None) != (lng is None):
        raise InvalidInput(_l("The location is not valid."), "lat")
    a = step.assignment
    a.checked_in_at = step.now
    a.checked_in_by_id = _actor_id(step.actor)
    a.check_in_lat, a.check_in_lng, a.check_in_accuracy = lat, lng, accuracy
    step.data.update(_unit_info(a.unit), located=lat is not None)


def _do_log_progress(step: _Step) -> None:
    if not step.note:
        raise InvalidInput(_l("Describe what was done."), "note")


def _do_submit_result(step: _Step) -> None:
    result = _text(step.inputs.get("result"), "result", required=True, limit=MAX_DESCRIPTION,
                   message=_l("Describe the result."))
    a = step.assignment
    a.result = result
    a.submitted_at = step.now
    if a.first_submitted_at is None:
        a.first_submitted_at = step.now
    step.data.update(_unit_info(a.unit))
    case = step.case

    def send():
        _notify_office(case, "case_result", _say(_l("Case %(number)s: %(unit)s reported its result.",
                                                    number=case.number, unit=a.unit.name)))
    step.notes_for.append(send)


def _do_return(step: _Step) -> None:
    reason = _reason(step)
    a = step.assignment
    a.return_reason = reason
    step.data.update(_unit_info(a.unit), reason=reason)
    case = step.case

    def send():
        _notify_office(case, "case_returned",
                       _say(_l("Case %(number)s was returned by %(unit)s: %(reason)s",
                               number=case.number, unit=a.unit.name, reason=reason)),
                       adjudicators=True)
    step.notes_for.append(send)


def _do_verify(step: _Step) -> None:
    a = step.assignment
    a.verified_at = step.now
    a.verified_by_id = _actor_id(step.actor)
    step.data.update(_unit_info(a.unit))


def _do_send_back(step: _Step) -> None:
    reason = _reason(step)
    a = step.assignment
    a.send_back_reason = reason
    a.verified_at = None
    step.data.update(_unit_info(a.unit), reason=reason)
    case = step.case

    def send():
        notify_unit(a.unit_id, "case_sent_back",
                    _say(_l("Case %(number)s was sent back: %(reason)s", number=case.number, reason=reason)),
                    case_link(case.id))
    step.notes_for.append(send)


def _do_close(step: _Step) -> None:
    step.case.closed_at = step.now


def _do_force_close(step: _Step) -> None:
    reason = _reason(step)
    case = step.case
    case.forced_closure = True
    case.forced_reason = reason
    case.closed_at = step.now
    cancelled = []
    for a in case.assignments:
        if a.state in OPEN_ASSIGNMENT_STATES:
            a.state = "cancelled"
            cancelled.append(a.id)
    step.data.update(reason=reason, cancelled=cancelled)


def _do_press(step: _Step) -> None:
    a = step.assignment
    press = Press(assignment=a, by_id=_actor_id(step.actor), at=step.now, note=step.note)
    db.session.add(press)
    step.data.update(_unit_info(a.unit))
    case = step.case
    note = step.note

    def send():
        text = _l("Case %(number)s is pressed (督办): %(note)s", number=case.number, note=note) if note \
            else _l("Case %(number)s is pressed (督办).", number=case.number)
        notify_unit(a.unit_id, "case_press", _say(text), case_link(case.id), chiefs_only=False)
    step.notes_for.append(send)


def _do_reopen(step: _Step) -> None:
    case = step.case
    case.reopen_count += 1
    case.closed_at = None
    case.satisfaction.reopened = True

    def send():
        _notify_office(case, "case_reopened",
                       _say(_l("Case %(number)s was reopened after a resident was not satisfied.",
                               number=case.number)))
    step.notes_for.append(send)


_HANDLERS: dict[str, Callable[[_Step], None]] = {
    "triage": _do_triage,
    "handle_on_spot": _do_handle_on_spot,
    "dispatch": _do_dispatch,
    "whistle": _do_whistle,
    "adjudicate": _do_adjudicate,
    "reject": _do_reject,
    "merge": _do_merge,
    "sign_for": _do_sign_for,
    "check_in": _do_check_in,
    "log_progress": _do_log_progress,
    "submit_result": _do_submit_result,
    "return": _do_return,
    "verify": _do_verify,
    "send_back": _do_send_back,
    "close": _do_close,
    "force_close": _do_force_close,
    "press": _do_press,
    "reopen": _do_reopen,
}
assert set(_HANDLERS) == set(ACTIONS) == set(ACTION_INPUTS)
assert {m.action for m in CASE_MOVES} == set(ACTIONS) | {"intake"}
assert all(m.from_state in CASE_STATES or m.from_state is None for m in CASE_MOVES)
assert all(m.to_state in CASE_STATES for m in CASE_MOVES)
assert all(m.from_state in ASSIGNMENT_STATES and m.to_state in ASSIGNMENT_STATES for m in ASSIGNMENT_MOVES)


# --- the resident's rating ---------------------------------------------------------------------


def rate_case(case: Case, level: str, comment: str = "", *, reopen: bool = False, reason: str = "",
              now: datetime | None = None) -> Satisfaction:
    """Record the resident's rating of a closed case; "not" with `reopen=True` reopens it once.

    A case is rated once; after a reopening it may be rated once more, which replaces the level.
    """
    now = now or utcnow()
    if case.state != "closed":
        raise NotAllowed(_l("Only a closed case can be rated."))
    if level not in SATISFACTION_LEVELS:
        raise InvalidInput(_l("Choose how satisfied you are."), "level")
    comment = _text(comment, "comment", limit=MAX_REASON)
    satisfaction = case.satisfaction
    if satisfaction is not None and not (satisfaction.reopened and case.reopen_count > 0
                                         and satisfaction.at < (case.closed_at or now)):
        raise NotAllowed(_l("This case has already been rated."))
    if satisfaction is None:
        satisfaction = Satisfaction(case=case)
        db.session.add(satisfaction)
    elif reopen:
        raise NotAllowed(_l("A case is reopened once, after a \u201cnot satisfied\u201d rating."))
    satisfaction.level, satisfaction.comment, satisfaction.at = level, comment, now
    _append_event(case, "rate", None, case.state, case.state, now, note=comment, data={"level": level})
    audit.record("case.rate", case, actor=None, level=level)
    db.session.flush()
    reopened = False
    if reopen and level == "not":
        transition(case, "reopen", None, _text(reason, "reason", limit=MAX_REASON), now=now)
        reopened = True
    signals.case_rated.send(case, satisfaction=satisfaction, reopened=reopened)
    return satisfaction


def mark_attachment_public(attachment: Attachment, public: bool, actor) -> None:
    """Staff show (or hide) a photo on the residents' timeline."""
    if not can_see_case(actor, attachment.case) or actor_role(actor) not in OFFICE:
        raise NotAllowed()
    attachment.public = bool(public)
    audit.record("case.photo_public", attachment, actor=actor, case_id=attachment.case_id,
                 public=attachment.public)


# --- notifications -----------------------------------------------------------------------------

NOTIFICATION_KINDS = {
    "case_dispatched": _l("New case"),
    "case_returned": _l("Case returned"),
    "case_result": _l("Result to verify"),
    "case_sent_back": _l("Case sent back"),
    "case_press": _l("Case pressed"),
    "case_due_soon": _l("Case due soon"),
    "case_overdue": _l("Case overdue"),
    "case_reopened": _l("Case reopened"),
}


def _say(lazy) -> str:
    """Notification texts are stored in the portal's default language, whoever triggers them."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        return str(lazy)


def _summary(case: Case) -> str:
    return case.matter.title if case.matter is not None else case.description[:40]


def case_link(case_id: int) -> str:
    """The case page's path (works outside requests too, e.g. in the sweep)."""
    try:
        return current_app.url_map.bind("localhost").build("cases.detail", {"case_id": case_id})
    except BuildError:
        return f"/cases/{case_id}"


def _district_admins():
    from portal.auth.models import User

    return db.session.scalars(select(User).where(User.role == perm.DISTRICT_ADMIN, User.active)).all()


def _notify_office(case: Case, kind: str, text: str, *, adjudicators: bool = False,
                   dedupe_key: str | None = None) -> int:
    """The street office of the case; the district platform instead when it adjudicates."""
    users = _district_admins() if adjudicators and case.district_level else street_recipients(case.street_id)
    return notify_users(users, kind, text, case_link(case.id), dedupe_key)


# --- the sweep ---------------------------------------------------------------------------------


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Record overdue events and send due-soon / overdue reminders, each once. Idempotent.

    Safe to run from cron every few minutes (`flask --app portal sweep`); the caller commits.
    """
    now = now or utcnow()
    counts = {"overdue_sign": 0, "overdue_complete": 0, "due_soon": 0}
    late_signs = db.session.scalars(select(Assignment).where(
        Assignment.state == "dispatched", Assignment.sign_deadline <= now,
        Assignment.overdue_sign_recorded.is_(False)).order_by(Assignment.id)).all()
    for a in late_signs:
        a.overdue_sign_recorded = True
        _record_overdue(a, "overdue_sign", now,
                        _l("Case %(number)s: %(unit)s has not signed for it in time.",
                           number=a.case.number, unit=a.unit.name))
        counts["overdue_sign"] += 1
    late = db.session.scalars(select(Assignment).where(
        Assignment.state.in_(OPEN_ASSIGNMENT_STATES), Assignment.complete_deadline <= now,
        Assignment.overdue_complete_recorded.is_(False)).order_by(Assignment.id)).all()
    for a in late:
        a.overdue_complete_recorded = True
        _record_overdue(a, "overdue_complete", now,
                        _l("Case %(number)s: %(unit)s is past its completion deadline.",
                           number=a.case.number, unit=a.unit.name))
        counts["overdue_complete"] += 1
    soon = db.session.scalars(select(Assignment).where(
        Assignment.state.in_(OPEN_ASSIGNMENT_STATES), Assignment.complete_warn_at <= now,
        Assignment.complete_deadline > now, Assignment.due_soon_notified.is_(False))
        .order_by(Assignment.id)).all()
    for a in soon:
        a.due_soon_notified = True
        notify_unit(a.unit_id, "case_due_soon",
                    _say(_l("Case %(number)s is due soon: finish it before the deadline.",
                            number=a.case.number)),
                    case_link(a.case_id), dedupe_key=f"assignment:{a.id}:due_soon")
        counts["due_soon"] += 1
    db.session.flush()
    return counts


def _record_overdue(a: Assignment, action: str, now: datetime, text) -> None:
    case = a.case
    _append_event(case, action, None, case.state, case.state, now, assignment=a,
                  data=_unit_info(a.unit))
    audit.record(f"case.{action}", case, actor=None, assignment_id=a.id)
    key = f"assignment:{a.id}:{action}"
    message = _say(text)
    notify_unit(a.unit_id, "case_overdue", message, case_link(case.id), dedupe_key=key)
    _notify_office(case, "case_overdue", message, dedupe_key=key)


@click.command("sweep")
@with_appcontext
@click.option("--at", "at", default=None, help="pretend it is this UTC time (ISO 8601), for tests")
def sweep_command(at: str | None):
    """Record overdue assignments and send reminders (idempotent; run it from cron)."""
    now = datetime.fromisoformat(at) if at else utcnow()
    counts = sweep(now)
    db.session.commit()
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))
