"""The state machine of cases: who may do what in which state (the tables in one place).

Two tables, `CASE_MOVES` and `ASSIGNMENT_MOVES`: rows of (from_state, action, to_state, roles). An
action on an assignment (sign_for, check_in, …) must be allowed by both: the case's row (its state
and the role) and the assignment's row. Besides the role, every action needs the actor's scope
(street roles: the case's street; grid workers: the case's community; unit roles: the
assignment's unit; the district admin: everything) and the action's condition in `CONDITIONS`
(e.g. `dispatch` needs a level-2 case, `press` a red light). `RESIDENT` stands for an actor who is
not logged in (a resident with a tracking code).

`check` raises `NotAllowed` unless all of that holds; `can` and `allowed_actions` ask the same
question without raising. Doing the action is `portal.cases.transitions.transition`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable


from portal import permissions as perm
from portal.cases.deadlines import light
from portal.cases.errors import NotAllowed
from portal.cases.models import ASSIGNMENT_STATES, CASE_STATES, OPEN_ASSIGNMENT_STATES, Assignment, Case
from portal.extensions import lazy_gettext as _l
from portal.timeutil import utcnow


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


def actor_id(actor) -> int | None:
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


def _by_state_and_action(table: tuple[Move, ...]) -> dict[tuple, list[Move]]:
    found: dict[tuple, list[Move]] = {}
    for m in table:
        found.setdefault((m.from_state, m.action), []).append(m)
    return found


_MOVES = {id(CASE_MOVES): _by_state_and_action(CASE_MOVES), id(ASSIGNMENT_MOVES): _by_state_and_action(ASSIGNMENT_MOVES)}


def moves(table, state, action) -> list[Move]:
    """The rows of `table` from `state` by `action`, in the table's order (the tables are indexed once)."""
    return list(_MOVES[id(table)].get((state, action), ()))


def check(case: Case, action: str, actor, assignment: Assignment | None = None,
          now: datetime | None = None) -> None:
    """Raise NotAllowed unless the tables, the actor's scope and the condition allow the action."""
    role = actor_role(actor)
    rows = moves(CASE_MOVES, case.state, action)
    if not rows or role not in rows[0].roles:
        raise NotAllowed()
    if action in ASSIGNMENT_ACTIONS:
        if assignment is None or assignment not in case.assignments:
            raise NotAllowed()
        arows = moves(ASSIGNMENT_MOVES, assignment.state, action)
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
    role, state = actor_role(user), case.state
    # `check`'s first test, without an exception for each action the table refuses (most of them)
    offered = [a for a in ACTIONS if a in names and (rows := moves(CASE_MOVES, state, a)) and role in rows[0].roles]
    return [a for a in offered if can(case, a, user, assignment, now)]


assert {m.action for m in CASE_MOVES} == set(ACTIONS) | {"intake"}
assert all(m.from_state in CASE_STATES or m.from_state is None for m in CASE_MOVES)
assert all(m.to_state in CASE_STATES for m in CASE_MOVES)
assert all(m.from_state in ASSIGNMENT_STATES and m.to_state in ASSIGNMENT_STATES for m in ASSIGNMENT_MOVES)
