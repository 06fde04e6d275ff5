"""The three public rates of 接诉即办: response rate (响应率), resolution rate (解决率) and
satisfaction rate (满意率), per street, per unit and per month.

    from portal.figures.rates import DEFINITIONS, monthly_rates

    rows = monthly_rates(street_id=street.id, months=[date(2026, 10, 1), date(2026, 11, 1)])
    rows[0].response_rate      # 0.93, or None when nothing was received

A month counts the cases *received* in it (a cohort, Asia/Shanghai calendar month); their later
responses, closures and ratings keep counting for that month. For a unit (`unit_id`), the month
counts the unit's assignments *dispatched* in it. `DEFINITIONS` (cases; streets and the district)
and `UNIT_DEFINITIONS` (a unit's assignments) say exactly what counts; show them next to the numbers.

The numbers come from the summary tables of `portal.figures.models`, kept exact in the same
transaction as every change, so reading them costs a few index lookups at any volume.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import bindparam, case as sql_case, func, select

from portal.extensions import db, lazy_gettext as _l
from portal.timeutil import LOCAL_TZ

RATES = ("response_rate", "resolution_rate", "satisfaction_rate")

LABELS = {
    "response_rate": _l("Response rate"),
    "resolution_rate": _l("Resolution rate"),
    "satisfaction_rate": _l("Satisfaction rate"),
}

# For streets and the district: the cases received in the month.
DEFINITIONS = {
    "received": _l(
        "Cases received: the cases taken in during the month (Beijing time) through any channel, "
        "without the rejected cases and the duplicates merged into another case."),
    "response_rate": _l(
        "Response rate = cases responded to in time ÷ cases received. A case is responded to in time "
        "when it was handled on the spot, or when at least one unit it was sent to signed for it "
        "within its sign-for limit."),
    "resolution_rate": _l(
        "Resolution rate = cases resolved ÷ cases received. A case is resolved when it is closed after "
        "the street verified the result (or it was handled on the spot). Force-closed cases and cases "
        "reopened after a rating do not count, until the reopened case is closed again."),
    "satisfaction_rate": _l(
        "Satisfaction rate = (very satisfied + basically satisfied) ÷ cases rated. Cases rated: the cases "
        "received in the month that the resident rated; a case rated again after reopening counts with "
        "its latest rating."),
}

# For one unit: the assignments dispatched to it in the month.
UNIT_DEFINITIONS = {
    "received": _l(
        "Assignments: the cases dispatched or whistled to the unit during the month (Beijing time), "
        "without those the unit returned as not its own."),
    "response_rate": _l(
        "Response rate = assignments signed for within the sign-for limit ÷ assignments."),
    "resolution_rate": _l(
        "Resolution rate = assignments whose result the street verified ÷ assignments."),
    "satisfaction_rate": _l(
        "Satisfaction rate = (very satisfied + basically satisfied) ÷ rated cases among the unit's "
        "assignments (the latest rating of each case)."),
}


@dataclass(frozen=True)
class RateRow:
    """One month's counts and rates (rates 0..1, None when their denominator is 0)."""

    month: date                 # the first day of the month
    street_id: int | None
    unit_id: int | None
    received: int
    responded: int
    resolved: int
    rated: int
    satisfied: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None


def month_start(value: date | datetime) -> date:
    """The first day of the month of `value` (a date, or an aware/local datetime)."""
    return date(value.year, value.month, 1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month of `month` as naive UTC [start, end): its Asia/Shanghai midnight boundaries."""
    first = month_start(month)
    return local_day_start(first), local_day_start(next_month(first))


def local_day_start(day: date) -> datetime:
    """The naive-UTC instant of the Asia/Shanghai midnight that starts `day`."""
    local = datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def last_months(n: int, today: date | None = None) -> list[date]:
    """The first days of the last `n` months, oldest first, ending with the current month."""
    from portal.timeutil import local_today

    month = month_start(today or local_today())
    months = [month]
    for _ in range(n - 1):
        month = month_start(month - timedelta(days=1))
        months.append(month)
    return months[::-1]


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _row(month, street_id, unit_id, received, responded, resolved, rated, satisfied) -> RateRow:
    return RateRow(month=month, street_id=street_id, unit_id=unit_id, received=received,
                   responded=responded, resolved=resolved, rated=rated, satisfied=satisfied,
                   response_rate=ratio(responded, received), resolution_rate=ratio(resolved, received),
                   satisfaction_rate=ratio(satisfied, rated))


def monthly_rates(*, street_id: int | None = None, unit_id: int | None = None,
                  months: list[date]) -> list[RateRow]:
    """One `RateRow` per month in `months` (in that order): the district's, a street's
    (`street_id`), a unit's (`unit_id`), or a unit's within one street (both)."""
    from portal.figures.models import CaseMonthTally, UnitMonthTally

    wanted = [month_start(m) for m in months]
    if not wanted:
        return []
    if unit_id is not None:
        t = UnitMonthTally
        counted = func.sum(sql_case((t.state != "returned", t.assignments), else_=0))
        query = select(t.month, counted, func.sum(t.responded), func.sum(t.resolved),
                       func.sum(t.rated), func.sum(t.satisfied)).where(t.unit_id == unit_id)
    else:
        t = CaseMonthTally
        counted = func.sum(sql_case((t.state != "rejected", t.cases), else_=0))
        query = select(t.month, counted, func.sum(t.responded), func.sum(t.resolved),
                       func.sum(t.rated), func.sum(t.satisfied))
    if street_id is not None:
        query = query.where(t.street_id == street_id)
    query = query.where(t.month.in_(sorted(set(wanted)))).group_by(t.month)
    found = {row[0]: [int(v or 0) for v in row[1:]] for row in db.session.execute(query)}
    return [_row(m, street_id, unit_id, *found.get(m, [0, 0, 0, 0, 0])) for m in wanted]


_CASE_COUNTS: dict[tuple[str, ...], object] = {}


def case_count(*, street_id: int | None = None, community_id: int | None = None,
               state: str | None = None) -> int:
    """How many cases there are (every state, rejected and merged ones too): of one street, one
    community, in one state, or any combination (None: all). Summed from the month tallies, so
    exact in any transaction: about a thousand rows for a district-year, where counting the cases
    walks up to 600,000 index entries (the case list's count)."""
    from portal.database import Prepared, read
    from portal.figures.models import CaseMonthTally as t

    values = {name: value for name, value in (("street_id", street_id), ("community_id", community_id),
                                              ("state", state)) if value is not None}
    shape = tuple(values)
    statement = _CASE_COUNTS.get(shape)
    if statement is None:
        statement = _CASE_COUNTS[shape] = Prepared(select(func.sum(t.cases)).where(
            *(getattr(t, name) == bindparam(name) for name in shape)))
    return int(read(statement, values).scalar() or 0)


def total(rows: list[RateRow]) -> RateRow | None:
    """The rows summed (e.g. a year), with `month` the first row's; None for no rows."""
    if not rows:
        return None
    sums = [sum(getattr(r, f) for r in rows) for f in ("received", "responded", "resolved", "rated",
                                                       "satisfied")]
    return _row(rows[0].month, rows[0].street_id, rows[0].unit_id, *sums)


def percent(value: float | None) -> str:
    """A rate as people read it: "93.4%", or "—" when there is nothing to rate."""
    return "—" if value is None else f"{value * 100:.1f}%"
