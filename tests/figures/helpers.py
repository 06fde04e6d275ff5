"""Direct SQL spellings of the figures, to check the summary tables against."""
from __future__ import annotations

from datetime import date

from sqlalchemy import exists, func, select, text

from portal.cases.models import Assignment, Case, CaseEvent, Satisfaction
from portal.extensions import db
from portal.figures.rates import month_bounds

TABLES = ("figures_open_assignment", "figures_case_fact", "figures_assignment_fact", "figures_case_month", "figures_unit_month",
          "figures_matter", "figures_unit_matter")


def dump() -> dict[str, list[tuple]]:
    """Every summary row, as sorted tuples of text."""
    return {t: sorted(tuple(str(v) for v in row) for row in db.session.execute(text(f"SELECT * FROM {t}")))
            for t in TABLES}


def assert_tallies_equal_rebuild() -> None:
    """The tallies kept by the signals are exactly what a rebuild from the cases gives."""
    from portal.figures.tally import rebuild

    kept = dump()
    rebuild()
    rebuilt = dump()
    for table in TABLES:
        assert kept[table] == rebuilt[table], table
    assert all(int(v) >= 0 for rows in rebuilt.values() for row in rows for v in row if v.isdigit())


def direct_rates(month: date, *, street_id: int | None = None, unit_id: int | None = None) -> tuple:
    """(received, responded, resolved, rated, satisfied) counted on the cases themselves."""
    start, end = month_bounds(month)
    if unit_id is not None:
        a = Assignment
        base = [a.unit_id == unit_id, a.dispatched_at >= start, a.dispatched_at < end, a.state != "returned"]
        if street_id is not None:
            base.append(a.case.has(Case.street_id == street_id))
        received = db.session.scalar(select(func.count()).select_from(a).where(*base))
        responded = db.session.scalar(select(func.count()).select_from(a).where(
            *base, a.signed_at.is_not(None), a.signed_at <= a.sign_deadline))
        resolved = db.session.scalar(select(func.count()).select_from(a).where(*base, a.state == "done"))
        rated = db.session.scalar(select(func.count()).select_from(a).join(
            Satisfaction, Satisfaction.case_id == a.case_id).where(*base))
        satisfied = db.session.scalar(select(func.count()).select_from(a).join(
            Satisfaction, Satisfaction.case_id == a.case_id).where(
            *base, Satisfaction.level.in_(("very", "basically"))))
        return received, responded, resolved, rated, satisfied
    base = [Case.created_at >= start, Case.created_at < end, Case.state != "rejected"]
    if street_id is not None:
        base.append(Case.street_id == street_id)
    count = lambda *more: db.session.scalar(select(func.count()).select_from(Case).where(*base, *more))  # noqa: E731
    on_spot = exists().where(CaseEvent.case_id == Case.id, CaseEvent.action == "handle_on_spot")
    in_time = exists().where(Assignment.case_id == Case.id, Assignment.signed_at <= Assignment.sign_deadline)
    rated = exists().where(Satisfaction.case_id == Case.id)
    happy = exists().where(Satisfaction.case_id == Case.id, Satisfaction.level.in_(("very", "basically")))
    return (count(), count(on_spot | in_time), count(Case.state == "closed", Case.forced_closure.is_(False)),
            count(rated), count(happy))


def months_with_cases() -> list[date]:
    from portal.figures.rates import month_start
    from portal.timeutil import to_local

    first, last = db.session.execute(select(func.min(Case.created_at), func.max(Case.created_at))).one()
    months, m = [], month_start(to_local(first))
    while m <= month_start(to_local(last)):
        months.append(m)
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return months

