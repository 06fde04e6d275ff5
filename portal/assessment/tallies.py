"""Stored monthly tallies: each unit's raw counts per month, so a district-year ranking reads a few
hundred small rows instead of every whistle assignment of the year.

The counts do not depend on the scoring rule (the rule turns them into points when read), only on
the data and the clock. A month's tallies are fresh while nothing changed in its whistles since
they were computed (`AssessmentMonth.generation`, bumped in the same transaction as every change
of a whistle of that month, every resident rating and every street rating) and until the next
deadline of its open assignments passes (`valid_until`: a "pending" mark turns "overdue").
A stale month is computed with one grouped query when read, used at once and stored for the next
reader in a short transaction of its own. `flask --app portal assess --month YYYY-MM` refreshes too.
"""
from __future__ import annotations

import functools
from datetime import date, datetime

from flask import current_app, g, has_request_context
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.exc import DBAPIError, IntegrityError

from portal.assessment.models import COUNT_COLUMNS, AssessmentMonth, AssessmentTally
from portal.cases.models import Assignment, Case
from portal.cases.signals import case_rated, case_transition
from portal.extensions import db


def whistle_month(case: Case) -> date | None:
    from portal.assessment.scoring import local_month

    if not case.whistle_filed or case.whistled_at is None:
        return None
    return local_month(case.whistled_at)


def touch(month: date | None) -> None:
    """Mark the month's tallies stale (inside the caller's transaction)."""
    if month is None:
        return
    connection = db.session.connection()
    statement = _touch_statement(connection.dialect.name)
    if statement is not None:
        connection.execute(statement, {"month": month})
        return
    table = AssessmentMonth.__table__
    if not connection.execute(update(table).where(table.c.month == month)
                              .values(generation=table.c.generation + 1)).rowcount:
        connection.execute(insert(table).values(month=month, generation=1))


@functools.cache
def _touch_statement(dialect: str):
    """The month's generation bumped (or the month's row added) in one upsert, built once: every
    change of a whistle runs it, and building a statement costs more than running it."""
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as upsert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        return None
    table = AssessmentMonth.__table__
    return upsert(table).values(month=bindparam("month"), generation=1).on_conflict_do_update(
        index_elements=[table.c.month], set_={"generation": table.c.generation + 1})


@case_transition.connect
def _on_transition(case, **_):
    touch(whistle_month(case))


@case_rated.connect
def _on_rated(case, **_):
    touch(whistle_month(case))


def _fresh(row: AssessmentMonth | None, now: datetime) -> bool:
    return (row is not None and row.fresh_generation == row.generation
            and (row.valid_until is None or now < row.valid_until))


def month_counts(months: list[date], now: datetime, *, unit_ids: set[int] | None = None,
                 refresh: bool = False) -> dict[date, dict[int, tuple]]:
    """month -> {unit id -> counts in `COUNT_COLUMNS` order} (only `unit_ids` when given)."""
    from portal.assessment.scoring import local_month

    current = local_month(now)
    wanted = [m for m in months if m <= current]
    books = {row.month: row for row in db.session.scalars(
        select(AssessmentMonth).where(AssessmentMonth.month.in_(wanted)))}
    fresh = [m for m in wanted if not refresh and _fresh(books.get(m), now)]
    result: dict[date, dict[int, tuple]] = {m: {} for m in months}
    if fresh:
        query = select(AssessmentTally.month, AssessmentTally.unit_id,
                       *[getattr(AssessmentTally, c) for c in COUNT_COLUMNS]).where(AssessmentTally.month.in_(fresh))
        if unit_ids is not None:
            query = query.where(AssessmentTally.unit_id.in_(unit_ids))
        for month, unit_id, *counts in db.session.execute(query):
            result[month][unit_id] = tuple(counts)
    for month in wanted:
        if month in fresh:
            continue
        generation = books[month].generation if month in books else None
        counts, valid_until = compute(month, now)
        _store(month, generation, counts, valid_until, now)
        result[month] = {u: c for u, c in counts.items() if unit_ids is None or u in unit_ids}
    return result


def compute(month: date, now: datetime) -> tuple[dict[int, tuple], datetime | None]:
    """One month's counts per unit (one grouped query) and when they next go stale."""
    from portal.assessment.scoring import Period, _aggregate, _scoped

    period = Period(month, "month")
    counts = {row[0]: tuple(row[2:]) for row in _aggregate(period, Assignment.unit_id, now)}
    next_sign = func.min(sql_case((Assignment.signed_at.is_(None) & (Assignment.sign_deadline > now),
                                   Assignment.sign_deadline)))
    next_completion = func.min(sql_case((Assignment.first_submitted_at.is_(None)
                                         & (Assignment.complete_deadline > now), Assignment.complete_deadline)))
    first, second = db.session.execute(_scoped(select(next_sign, next_completion), period)).one()
    deadlines = [d for d in (first, second) if d is not None]
    return counts, min(deadlines) if deadlines else None


def _write(conn, month: date, generation: int | None, counts: dict[int, tuple], valid_until, now) -> None:
    tally, books = AssessmentTally.__table__, AssessmentMonth.__table__
    conn.execute(delete(tally).where(tally.c.month == month))
    if counts:
        conn.execute(insert(tally), [{"month": month, "unit_id": unit_id, **dict(zip(COUNT_COLUMNS, c))}
                                     for unit_id, c in counts.items()])
    values = {"fresh_generation": generation or 0, "valid_until": valid_until, "computed_at": now}
    if generation is None:
        conn.execute(insert(books).values(month=month, generation=0, **values))
    else:
        conn.execute(update(books).where(books.c.month == month, books.c.generation == generation)
                     .values(**values))


def _store(month: date, generation: int | None, counts: dict[int, tuple], valid_until, now) -> None:
    """Keep the counts for the next reader, unless the month changed meanwhile (best effort).

    In a read-only request: a short write transaction of its own (the request's own transaction
    only reads). Elsewhere (commands, writes): in the caller's transaction, which commits it."""
    try:
        if has_request_context() and not g.get("write_request"):
            g.write_request = True      # BEGIN IMMEDIATE for this one connection
            try:
                with db.engine.begin() as conn:
                    _write(conn, month, generation, counts, valid_until, now)
            finally:
                g.write_request = False
        else:
            with db.session.begin_nested():
                _write(db.session, month, generation, counts, valid_until, now)
    except (IntegrityError, DBAPIError) as exc:   # someone changed the month meanwhile: next reader
        current_app.logger.info("assessment tallies of %s not stored: %s", month, exc.__class__.__name__)
