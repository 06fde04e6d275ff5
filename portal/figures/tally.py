"""Keep the summary tables exact: a receiver of the cases signals recomputes the facts of the case
that changed and moves the difference into the tallies, inside the caller's transaction (never
committing). `rebuild()` recomputes every table from the cases, for bulk loads and repairs.

What counts is written in `portal.figures.rates.DEFINITIONS`; `case_fact` and `assignment_fact`
below and the SQL of `rebuild` are the two spellings of it and are tested to agree.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import bindparam, delete, exists, select, text

from portal.cases import signals
from portal.cases.models import OPEN_ASSIGNMENT_STATES, Assignment, Case, CaseEvent
from portal.extensions import db
from portal.figures.models import (  # noqa: I001
    EPOCH,
    LEVELS, NO_MATTER, AssignmentFact, CaseFact, CaseMonthTally, MatterTally, OpenAssignment,
    UnitMatterTally, UnitMonthTally, blocks_of,
)
from portal.timeutil import to_local

SATISFIED_LEVELS = ("very", "basically")
FLAGS = ("responded", "resolved", "rated", "satisfied")


def local_day(value) -> date:
    return to_local(value).date()


# --- facts ----------------------------------------------------------------------------------------


def _handled_on_spot(case: Case) -> bool:
    return bool(db.session.scalar(select(exists().where(
        CaseEvent.case_id == case.id, CaseEvent.action == "handle_on_spot"))))


def case_fact(case: Case) -> dict:
    """What the case contributes now (the keys and 0/1 flags of a `CaseFact`)."""
    counted = case.state != "rejected"
    rating = case.satisfaction
    signed_in_time = any(a.signed_at is not None and a.signed_at <= a.sign_deadline
                         for a in case.assignments)
    responded = counted and (signed_in_time or _handled_on_spot(case))
    rated = counted and rating is not None
    return {
        "case_id": case.id, "day": local_day(case.created_at), "street_id": case.street_id,
        "community_id": case.community_id, "matter_id": case.matter_id or NO_MATTER,
        "state": case.state,
        "responded": int(responded),
        "resolved": int(case.state == "closed" and not case.forced_closure),
        "rated": int(rated),
        "satisfied": int(rated and rating.level in SATISFIED_LEVELS),
    }


def assignment_fact(a: Assignment, case: Case) -> dict:
    """What the assignment contributes to its unit's tallies now."""
    counted = a.state != "returned"
    rating = case.satisfaction
    rated = counted and rating is not None
    return {
        "assignment_id": a.id, "case_id": case.id, "unit_id": a.unit_id,
        "day": local_day(a.dispatched_at), "street_id": case.street_id,
        "community_id": case.community_id, "matter_id": case.matter_id or NO_MATTER,
        "state": a.state,
        "responded": int(counted and a.signed_at is not None and a.signed_at <= a.sign_deadline),
        "resolved": int(counted and a.state == "done"),
        "rated": int(rated),
        "satisfied": int(rated and rating.level in SATISFIED_LEVELS),
    }


_CASE_FACT_COLS = ("case_id", "day", "street_id", "community_id", "matter_id", "state", *FLAGS)
_ASSIGNMENT_FACT_COLS = ("assignment_id", "case_id", "unit_id", "day", "street_id", "community_id",
                         "matter_id", "state", *FLAGS)


def _as_dict(row, cols) -> dict | None:
    return None if row is None else {c: getattr(row, c) for c in cols}


# --- deltas ---------------------------------------------------------------------------------------


class Deltas:
    """Sums to add to tally rows: {(model, key tuple): {column: delta}}."""

    def __init__(self):
        self.rows: dict = defaultdict(lambda: defaultdict(int))

    def add(self, model, key: tuple, values: dict, sign: int) -> None:
        target = self.rows[(model, key)]
        for column, value in values.items():
            target[column] += sign * value

    def case(self, fact: dict, sign: int) -> None:
        month = fact["day"].replace(day=1)
        flags = {f: fact[f] for f in FLAGS}
        self.add(CaseMonthTally, (month, fact["street_id"], fact["community_id"], fact["state"]),
                 {"cases": 1, **flags}, sign)
        if fact["state"] != "rejected":
            for period, start in blocks_of(fact["day"]):
                self.add(MatterTally, (period, start, fact["community_id"], fact["matter_id"],
                                       fact["street_id"]), {"cases": 1}, sign)

    def assignment(self, fact: dict, sign: int) -> None:
        month = fact["day"].replace(day=1)
        flags = {f: fact[f] for f in FLAGS}
        self.add(UnitMonthTally, (month, fact["unit_id"], fact["street_id"], fact["community_id"],
                                  fact["state"]), {"assignments": 1, **flags}, sign)
        if fact["state"] != "returned":
            for period, start in blocks_of(fact["day"]):
                self.add(UnitMatterTally, (fact["unit_id"], period, start, fact["community_id"],
                                           fact["matter_id"]), {"assignments": 1}, sign)

    def apply(self) -> None:
        for (model, key), values in self.rows.items():
            values = {c: v for c, v in values.items() if v}
            if values:
                _upsert(model, key, values)
            if values.get(_VALUES[model][0], 0) < 0:
                _drop_if_empty(model, key)


_KEYS = {
    CaseMonthTally: ("month", "street_id", "community_id", "state"),
    UnitMonthTally: ("month", "unit_id", "street_id", "community_id", "state"),
    MatterTally: ("period", "start", "community_id", "matter_id", "street_id"),
    UnitMatterTally: ("unit_id", "period", "start", "community_id", "matter_id"),
}
_VALUES = {
    CaseMonthTally: ("cases", *FLAGS),
    UnitMonthTally: ("assignments", *FLAGS),
    MatterTally: ("cases",),
    UnitMatterTally: ("assignments",),
}


# The upserts, built once for each table, dialect and set of columns they add to: building one and
# working out its cache key cost 1-2 ms, about what the rest of a change costs.
_UPSERTS: dict[tuple, Any] = {}
_DROPS: dict[type, Any] = {}


def _insert(model, dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def _upsert_statement(model, dialect: str, adds: tuple[str, ...]):
    statement = _UPSERTS.get((model, dialect, adds))
    if statement is None:
        table = model.__table__
        columns = (*_KEYS[model], *_VALUES[model])
        insert = _insert(model, dialect).values({c: bindparam(f"v_{c}") for c in columns})
        statement = _UPSERTS[(model, dialect, adds)] = insert.on_conflict_do_update(
            index_elements=[c.name for c in table.primary_key.columns],
            set_={c: table.c[c] + insert.excluded[c] for c in adds})
    return statement


def _upsert(model, key: tuple, values: dict) -> None:
    connection = db.session.connection()
    statement = _upsert_statement(model, connection.dialect.name, tuple(sorted(values)))
    row = {f"v_{n}": v for n, v in zip(_KEYS[model], key)}
    row.update({f"v_{c}": values.get(c, 0) for c in _VALUES[model]})
    connection.execute(statement, row)


def _drop_if_empty(model, key: tuple) -> None:
    """Delete a tally row whose count fell to 0, so the tallies equal a rebuild row for row."""
    statement = _DROPS.get(model)
    if statement is None:
        table = model.__table__
        statement = _DROPS[model] = delete(model).where(
            *(table.c[n] == bindparam(f"v_{n}") for n in _KEYS[model]), table.c[_VALUES[model][0]] == 0)
    db.session.connection().execute(statement, {f"v_{n}": v for n, v in zip(_KEYS[model], key)})


_OPEN_COLS = ("case_id", "unit_id", "street_id", "community_id", "state", "sign_deadline", "sign_warn_at",
              "complete_deadline", "complete_warn_at", "yellow_at", "red_at")


def _keep_open(a: Assignment, case: Case) -> None:
    row = db.session.get(OpenAssignment, a.id)
    if a.state not in OPEN_ASSIGNMENT_STATES:
        if row is not None:
            db.session.delete(row)
        return
    values = {"case_id": case.id, "unit_id": a.unit_id, "street_id": case.street_id,
              "community_id": case.community_id, "state": a.state, "sign_deadline": a.sign_deadline,
              "sign_warn_at": a.sign_warn_at, "complete_deadline": a.complete_deadline,
              "complete_warn_at": a.complete_warn_at}
    unsigned = a.state == "dispatched"
    values["red_at"] = min(a.complete_deadline, a.sign_deadline) if unsigned else a.complete_deadline
    values["yellow_at"] = min(a.complete_warn_at, a.sign_warn_at) if unsigned else a.complete_warn_at
    if row is None:
        db.session.add(OpenAssignment(assignment_id=a.id, **values))
    else:
        for column, value in values.items():
            if getattr(row, column) != value:
                setattr(row, column, value)


# --- keeping them exact ---------------------------------------------------------------------------


def refresh_case(case: Case) -> None:
    """Bring the facts and tallies of `case` (and its assignments) up to date. Never commits."""
    deltas = Deltas()
    with db.session.no_autoflush:
        new = case_fact(case)
        old_row = db.session.get(CaseFact, case.id)
        old = _as_dict(old_row, _CASE_FACT_COLS)
        if old != new:
            if old is not None:
                deltas.case(old, -1)
                for c in _CASE_FACT_COLS:
                    setattr(old_row, c, new[c])
            else:
                db.session.add(CaseFact(**new))
            deltas.case(new, +1)
        old_rows = {f.assignment_id: f for f in db.session.scalars(
            select(AssignmentFact).where(AssignmentFact.case_id == case.id))}
        for a in case.assignments:
            _keep_open(a, case)
            new_a = assignment_fact(a, case)
            row = old_rows.get(a.id)
            old_a = _as_dict(row, _ASSIGNMENT_FACT_COLS)
            if old_a == new_a:
                continue
            if old_a is not None:
                deltas.assignment(old_a, -1)
                for c in _ASSIGNMENT_FACT_COLS:
                    setattr(row, c, new_a[c])
            else:
                db.session.add(AssignmentFact(**new_a))
            deltas.assignment(new_a, +1)
    deltas.apply()
    db.session.flush()


# Actions that change nothing the facts are made of (states, sign-for times, deadlines, the
# matter, the rating) as long as the case stays in its state: a progress note, a press.
KEEPS_FACTS = frozenset({"log_progress", "press"})


@signals.case_transition.connect
def _on_transition(case, action=None, from_state=None, to_state=None, **_):
    if action in KEEPS_FACTS and from_state == to_state:
        return
    refresh_case(case)


@signals.case_rated.connect
def _on_rated(case, **_):
    refresh_case(case)


# --- rebuilding -----------------------------------------------------------------------------------

# SQLite's spelling of the facts (Asia/Shanghai is UTC+8 all year). Kept equal to `case_fact` and
# `assignment_fact` by tests/figures/test_tally.py.
_REBUILD_SQL = [
    """
    INSERT INTO figures_case_fact (case_id, day, street_id, community_id, matter_id, state,
                                   responded, resolved, rated, satisfied)
    SELECT c.id, date(c.created_at, '+8 hours'), c.street_id, c.community_id, coalesce(c.matter_id, 0),
           c.state,
           CASE WHEN c.state != 'rejected' AND (
                    c.id IN (SELECT e.case_id FROM case_event e WHERE e.action = 'handle_on_spot')
                    OR EXISTS (SELECT 1 FROM assignment a WHERE a.case_id = c.id
                               AND a.signed_at IS NOT NULL AND a.signed_at <= a.sign_deadline))
                THEN 1 ELSE 0 END,
           CASE WHEN c.state = 'closed' AND NOT c.forced_closure THEN 1 ELSE 0 END,
           CASE WHEN c.state != 'rejected' AND s.id IS NOT NULL THEN 1 ELSE 0 END,
           CASE WHEN c.state != 'rejected' AND s.level IN ('very', 'basically') THEN 1 ELSE 0 END
    FROM "case" c LEFT JOIN satisfaction s ON s.case_id = c.id
    """,
    """
    INSERT INTO figures_assignment_fact (assignment_id, case_id, unit_id, day, street_id, community_id,
                                         matter_id, state, responded, resolved, rated, satisfied)
    SELECT a.id, a.case_id, a.unit_id, date(a.dispatched_at, '+8 hours'), c.street_id, c.community_id,
           coalesce(c.matter_id, 0), a.state,
           CASE WHEN a.state != 'returned' AND a.signed_at IS NOT NULL AND a.signed_at <= a.sign_deadline
                THEN 1 ELSE 0 END,
           CASE WHEN a.state = 'done' THEN 1 ELSE 0 END,
           CASE WHEN a.state != 'returned' AND s.id IS NOT NULL THEN 1 ELSE 0 END,
           CASE WHEN a.state != 'returned' AND s.level IN ('very', 'basically') THEN 1 ELSE 0 END
    FROM assignment a JOIN "case" c ON c.id = a.case_id LEFT JOIN satisfaction s ON s.case_id = c.id
    """,
    """
    INSERT INTO figures_case_month (month, street_id, community_id, state, cases, responded, resolved,
                                    rated, satisfied)
    SELECT date(day, 'start of month'), street_id, community_id, state, count(*), sum(responded),
           sum(resolved), sum(rated), sum(satisfied)
    FROM figures_case_fact GROUP BY 1, 2, 3, 4
    """,
    """
    INSERT INTO figures_unit_month (month, unit_id, street_id, community_id, state, assignments,
                                    responded, resolved, rated, satisfied)
    SELECT date(day, 'start of month'), unit_id, street_id, community_id, state, count(*),
           sum(responded), sum(resolved), sum(rated), sum(satisfied)
    FROM figures_assignment_fact GROUP BY 1, 2, 3, 4, 5
    """,
]

_BLOCK = ("date('{epoch}', '+' || (CAST(julianday(day) - julianday('{epoch}') AS INTEGER) / {size} * {size})"
          " || ' days')")
for _k in LEVELS:
    _start = _BLOCK.format(epoch=EPOCH.isoformat(), size=1 << _k)
    _REBUILD_SQL.append(f"""
    INSERT INTO figures_matter (period, start, community_id, matter_id, street_id, cases)
    SELECT '{_k}', {_start}, community_id, matter_id, street_id, count(*)
    FROM figures_case_fact WHERE state != 'rejected' GROUP BY 2, 3, 4, 5
    """)
    _REBUILD_SQL.append(f"""
    INSERT INTO figures_unit_matter (unit_id, period, start, community_id, matter_id, assignments)
    SELECT unit_id, '{_k}', {_start}, community_id, matter_id, count(*)
    FROM figures_assignment_fact WHERE state != 'returned' GROUP BY 1, 3, 4, 5
    """)

_REBUILD_SQL.append("""
    INSERT INTO figures_open_assignment (assignment_id, case_id, unit_id, street_id, community_id, state,
                                         sign_deadline, sign_warn_at, complete_deadline, complete_warn_at,
                                         yellow_at, red_at)
    SELECT a.id, a.case_id, a.unit_id, c.street_id, c.community_id, a.state, a.sign_deadline,
           a.sign_warn_at, a.complete_deadline, a.complete_warn_at,
           CASE WHEN a.state = 'dispatched' THEN min(a.complete_warn_at, a.sign_warn_at)
                ELSE a.complete_warn_at END,
           CASE WHEN a.state = 'dispatched' THEN min(a.complete_deadline, a.sign_deadline)
                ELSE a.complete_deadline END
    FROM assignment a JOIN "case" c ON c.id = a.case_id
    WHERE a.state IN ('dispatched', 'accepted', 'on_site', 'sent_back')
    """)
assert set(OPEN_ASSIGNMENT_STATES) == {"dispatched", "accepted", "on_site", "sent_back"}

TABLES = (OpenAssignment, UnitMatterTally, MatterTally, UnitMonthTally, CaseMonthTally, AssignmentFact, CaseFact)


def rebuild() -> dict[str, int]:
    """Recompute every summary table from the cases (idempotent). Does not commit."""
    if db.session.get_bind().dialect.name != "sqlite":
        raise NotImplementedError("figures-rebuild is written for SQLite")
    for model in TABLES:
        db.session.execute(delete(model))
    for sql in _REBUILD_SQL:
        db.session.execute(text(sql))
    db.session.flush()
    return {model.__tablename__: db.session.scalar(select(db.func.count()).select_from(model))
            for model in reversed(TABLES)}
