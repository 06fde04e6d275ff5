"""The state machine refuses every transition its tables do not list, for every state, action and role.

These tests use unsaved objects: a refused action must be refused before anything is written.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from portal import permissions as perm
from portal.cases import rules
from portal.cases.models import ASSIGNMENT_STATES, CASE_STATES, Assignment, Case, Satisfaction

ROLES = (*perm.ROLES, rules.RESIDENT)
NOW = datetime(2025, 11, 20, 2, 0)
CONDITION_MESSAGES = {str(message) for _, message in rules.CONDITIONS.values()}


@pytest.fixture(scope="module", autouse=True)
def _mappers():
    """Import every model once so unsaved objects can be built (no database is touched)."""
    from portal import create_app

    create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "INSTANCE_PATH": "/tmp/portal-cases-table"})


def actor(role: str, street_id: int = 1, community_id: int = 1, unit_id: int = 1):
    if role == rules.RESIDENT:
        return None
    return SimpleNamespace(id=7, role=role, is_authenticated=True, street_id=street_id,
                           community_id=community_id, unit_id=unit_id)


def make(state: str, assignment_state: str = "dispatched", level: int = 2):
    case = Case(id=1, number="QT-1", state=state, street_id=1, community_id=1, level=level, version=1,
                reopen_count=0, district_level=False)
    assignment = Assignment(id=1, unit_id=1, role="single", state=assignment_state,
                            dispatched_at=NOW - timedelta(days=10), sign_deadline=NOW - timedelta(days=8),
                            complete_deadline=NOW - timedelta(days=1),
                            sign_warn_at=NOW - timedelta(days=9), complete_warn_at=NOW - timedelta(days=3))
    case.assignments.append(assignment)
    return case, assignment


def in_table(table, state, action, role) -> bool:
    return any(m.from_state == state and m.action == action and role in m.roles for m in table)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", rules.ACTIONS)
@pytest.mark.parametrize("state", CASE_STATES)
def test_only_the_table_allows(state, action, role):
    who = actor(role)
    assignment_states = ASSIGNMENT_STATES if action in rules.ASSIGNMENT_ACTIONS else [None]
    for assignment_state in assignment_states:
        case, assignment = make(state, assignment_state or "dispatched")
        on = assignment if action in rules.ASSIGNMENT_ACTIONS else None
        allowed = in_table(rules.CASE_MOVES, state, action, role) and (
            on is None or in_table(rules.ASSIGNMENT_MOVES, assignment_state, action, role))
        if not allowed:
            with pytest.raises(rules.NotAllowed):
                rules.transition(case, action, who, assignment=on, now=NOW)
            assert case.state == state and assignment.state == (assignment_state or "dispatched")
            assert not case.events
        else:
            try:
                rules.check(case, action, who, on, NOW)
            except rules.NotAllowed as refused:  # only an action's own condition may still say no
                assert str(refused.message) in CONDITION_MESSAGES, (state, action, role)


@pytest.mark.parametrize("action", rules.ACTIONS)
def test_outside_the_scope_nothing_is_allowed(action):
    """Whatever the table allows a role, it allows only inside the role's scope."""
    for move in rules.CASE_MOVES:
        if move.action != action:
            continue
        for role in move.roles - {perm.DISTRICT_ADMIN, rules.RESIDENT}:
            case, assignment = make(move.from_state)
            case.satisfaction = Satisfaction(level="not")
            outsider = actor(role, street_id=2, community_id=2, unit_id=2)
            on = assignment if action in rules.ASSIGNMENT_ACTIONS else None
            for state in ASSIGNMENT_STATES if on is not None else ["dispatched"]:
                assignment.state = state
                assert not rules.can(case, action, outsider, on, NOW), (action, role, state)


def test_the_table_says_what_the_domain_says():
    def may(state, action, role, assignment_state="dispatched", **case_fields):
        case, assignment = make(state, assignment_state)
        for key, value in case_fields.items():
            setattr(case, key, value)
        on = assignment if action in rules.ASSIGNMENT_ACTIONS else None
        return rules.can(case, action, actor(role), on, NOW)

    assert may("new", "triage", perm.STREET_DISPATCHER) and may("new", "triage", perm.STREET_SECRETARY)
    assert not may("new", "triage", perm.GRID_WORKER) and not may("new", "triage", perm.UNIT_CHIEF)
    assert may("new", "handle_on_spot", perm.GRID_WORKER)
    assert not may("triaged", "handle_on_spot", perm.GRID_WORKER, level=2)
    assert may("triaged", "dispatch", perm.STREET_DISPATCHER, level=2)
    assert not may("triaged", "dispatch", perm.STREET_DISPATCHER, level=3)
    assert may("triaged", "whistle", perm.STREET_SECRETARY, level=3)
    assert may("dispatched", "sign_for", perm.UNIT_STAFF)
    assert may("dispatched", "return", perm.UNIT_CHIEF) and not may("dispatched", "return", perm.UNIT_STAFF)
    assert may("returned", "adjudicate", perm.STREET_DISPATCHER)
    assert not may("returned", "adjudicate", perm.STREET_DISPATCHER, district_level=True)
    assert may("returned", "adjudicate", perm.DISTRICT_ADMIN, district_level=True)
    assert may("resolved", "verify", perm.STREET_SECRETARY, "submitted")
    assert not may("resolved", "verify", perm.UNIT_CHIEF, "submitted")
    assert not may("resolved", "close", perm.STREET_SECRETARY)          # its result is not verified
    assert may("resolved", "close", perm.STREET_SECRETARY, "done")
    assert may("accepted", "force_close", perm.DISTRICT_ADMIN)
    assert not may("accepted", "force_close", perm.STREET_SECRETARY)
    assert may("accepted", "press", perm.STREET_SECRETARY, "accepted")  # its deadline has passed
    assert not may("closed", "reopen", perm.STREET_SECRETARY)
    assert not may("closed", "reopen", rules.RESIDENT)                  # no "not satisfied" rating
    for state in ("closed", "rejected"):
        assert not any(may(state, action, perm.DISTRICT_ADMIN, "submitted") for action in rules.ACTIONS)


def test_allowed_actions_lists_what_can_be_done():
    case, assignment = make("dispatched")
    assert rules.allowed_actions(case, actor(perm.UNIT_CHIEF), assignment, NOW) == ["sign_for", "return"]
    assert rules.allowed_actions(case, actor(perm.UNIT_STAFF), assignment, NOW) == ["sign_for"]
    assert rules.allowed_actions(case, actor(perm.STREET_SECRETARY), assignment, NOW) == ["press"]
    assert rules.allowed_actions(case, actor(perm.DISTRICT_ADMIN), None, NOW) == ["force_close"]
    assert rules.allowed_actions(case, actor(perm.UNIT_CHIEF, unit_id=2), assignment, NOW) == []


@pytest.mark.parametrize("role", ROLES)
def test_allowed_actions_are_those_check_allows(role):
    """`allowed_actions` skips what the tables refuse without asking `check`: the same actions."""
    who = actor(role)
    for state in CASE_STATES:
        for assignment_state in ASSIGNMENT_STATES:
            case, assignment = make(state, assignment_state)
            for on, names in ((None, rules.CASE_ACTIONS), (assignment, rules.ASSIGNMENT_ACTIONS)):
                expected = [a for a in rules.ACTIONS if a in names and rules.can(case, a, who, on, NOW)]
                assert rules.allowed_actions(case, who, on, NOW) == expected, (state, assignment_state, on)


def test_the_indexed_tables_give_the_rows_in_the_tables_order():
    from portal.cases.states import moves

    for table, states in ((rules.CASE_MOVES, (None, *CASE_STATES)), (rules.ASSIGNMENT_MOVES, ASSIGNMENT_STATES)):
        for state in states:
            for action in (*rules.ACTIONS, "intake"):
                assert moves(table, state, action) == [m for m in table if m.from_state == state and m.action == action]
