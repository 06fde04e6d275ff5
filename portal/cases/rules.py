"""The rules of cases: the area's public API, gathered from the modules that hold them.

Plain functions over models, testable without HTTP. Views parse a form, load the case with
`get_case_or_404` (scope → 404), call `transition(...)`, commit, and map the exceptions to HTTP:
`NotAllowed` → 403, `StaleVersion` → 409 (show the current state), `InvalidInput` → 422 (show
`exc.message` next to `exc.field`). On any of them the caller rolls back (`db.session.rollback()`)
and discards uploaded photos (`portal.cases.uploads.discard`).

    transition(case, "dispatch", user, note, unit=unit, expected_version=form.version.data)
    transition(case, "sign_for", user, assignment=a, expected_version=...)

A case with assignments is `dispatched` until a unit signs for it (`accepted`), `in_progress` once a
unit checks in, logs or reports, `resolved` (to verify) when every active assignment (neither
returned nor cancelled) has submitted its result, and `closed` by `close` once the street has
verified every one (`done`); `send_back` puts it back `in_progress`. A level-2 unit's `return`
makes it `returned` until `adjudicate` (re-dispatch or whistle). Residents rate a closed case with
`rate_case`, whose "not satisfied" may reopen it once. `sweep(now)` records overdue events.

Where each part lives (import from here, or from the module itself inside the cases area):
- `errors`: CaseError, NotAllowed, StaleVersion, InvalidInput; MAX_DESCRIPTION, MAX_REASON.
- `states`: the state machine, one table each for cases and assignments (CASE_MOVES,
  ASSIGNMENT_MOVES of Move rows), the roles (RESIDENT, OFFICE, …), CONDITIONS, ACTIONS,
  ACTION_INPUTS; `check`, `can`, `allowed_actions`, `in_scope`, `actor_role`.
- `transitions`: `transition`, `check_version`, the action handlers; `proposed_units`.
- `intake`: `intake`, `next_case_number`.
- `residents`: `rate_case`, `mark_attachment_public`.
- `deadlines`: Limits, DEFAULT_LIMITS, EMERGENCY_LIMITS, `limits_for`, `deadlines`,
  `set_deadlines`; the lights `light`, `light_clause`, LIGHT_ORDER, `case_light`, `overdue_assignments`.
- `scope`: `case_scope_clause`, `visible_cases`, `can_see_case`, `can_see_assignment`,
  `visible_assignments`, `get_case_or_404`, `get_assignment_or_404`, `can_adjudicate`,
  `possible_duplicates`.
- `notifications`: NOTIFICATION_KINDS, `case_link`. `sweep`: `sweep`, `sweep_command`.

Imports among them run one way (each imports only those before it): errors, deadlines,
notifications (of the area, only models) → states → scope, transitions → intake, residents,
sweep → rules. No module of the rules imports this one, so adding a name here makes no cycle.
"""
from __future__ import annotations

from portal.cases.deadlines import (
    DEFAULT_LIMITS, EMERGENCY_LIMITS, LIGHT_ORDER, Deadlines, Limits, case_light, deadlines, light,
    light_clause, limits_for, overdue_assignments, set_deadlines,
)
from portal.cases.errors import MAX_DESCRIPTION, MAX_REASON, CaseError, InvalidInput, NotAllowed, StaleVersion
from portal.cases.intake import intake, next_case_number
from portal.cases.notifications import NOTIFICATION_KINDS, case_link
from portal.cases.residents import mark_attachment_public, rate_case
from portal.cases.scope import (
    can_adjudicate, can_see_assignment, can_see_case, case_scope_clause, get_assignment_or_404,
    get_case_or_404, possible_duplicates, visible_assignments, visible_cases,
)
from portal.cases.states import (
    ACTION_INPUTS, ACTIONS, ASSIGNED, ASSIGNMENT_ACTIONS, ASSIGNMENT_MOVES, ATTACHMENT_KINDS_FOR,
    CASE_ACTIONS, CASE_MOVES, CHIEF, CONDITIONS, DISTRICT, GRID, OFFICE, PUBLIC_ACTIONS, RESIDENT,
    RESIDENTS, STREET, UNIT, Move, actor_role, allowed_actions, can, check, in_scope,
)
from portal.cases.sweep import sweep, sweep_command
from portal.cases.transitions import check_version, proposed_units, transition
# Not part of the API; callers (tests) have long reached the clock through this module.
from portal.timeutil import to_local, utcnow  # noqa: F401

__all__ = [
    # errors
    "CaseError", "NotAllowed", "StaleVersion", "InvalidInput", "MAX_DESCRIPTION", "MAX_REASON",
    # states: who, the tables, the checks
    "RESIDENT", "DISTRICT", "STREET", "OFFICE", "UNIT", "CHIEF", "GRID", "RESIDENTS", "actor_role",
    "Move", "ASSIGNED", "CASE_MOVES", "ASSIGNMENT_MOVES", "ACTIONS", "ASSIGNMENT_ACTIONS", "CASE_ACTIONS",
    "PUBLIC_ACTIONS", "ACTION_INPUTS", "ATTACHMENT_KINDS_FOR", "CONDITIONS",
    "in_scope", "check", "can", "allowed_actions",
    # transitions
    "transition", "check_version", "proposed_units",
    # intake
    "intake", "next_case_number",
    # residents
    "rate_case", "mark_attachment_public",
    # deadlines and lights
    "Limits", "DEFAULT_LIMITS", "EMERGENCY_LIMITS", "limits_for", "Deadlines", "deadlines", "set_deadlines",
    "light", "light_clause", "LIGHT_ORDER", "case_light", "overdue_assignments",
    # scope
    "case_scope_clause", "visible_cases", "can_see_case", "can_see_assignment", "visible_assignments",
    "get_case_or_404", "get_assignment_or_404", "can_adjudicate", "possible_duplicates",
    # notifications and the sweep
    "NOTIFICATION_KINDS", "case_link", "sweep", "sweep_command",
]
