"""The command-center dashboard's figures, each role in its own scope, read from the summary tables
of `portal.figures` (kept exact in every change's transaction), never from the year of cases.

Scopes: the district admin sees the district (or one street, filtered); street roles their street;
grid workers their community; unit roles their unit's assignments (states are then assignment
states, and "cases" are the unit's assignments).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case as sql_case, func, or_, select

from portal import permissions as perm
from portal.cases.models import ASSIGNMENT_STATES, CASE_STATES, OPEN_ASSIGNMENT_STATES, OPEN_CASE_STATES
from portal.duties.models import Matter
from portal.extensions import db
from portal.figures.models import (
    NO_MATTER, CaseMonthTally, MatterTally, OpenAssignment, UnitMatterTally, UnitMonthTally, blocks_in,
)
from portal.figures.rates import last_months, ratio
from portal.org.models import Community, Street, Unit

RECURRING_DAYS = 90
RECURRING_MIN = 3          # the same matter in the same community this often in 90 days: 类案
TOP = 10


@dataclass(frozen=True)
class Scope:
    kind: str                      # district / street / community / unit
    street_id: int | None = None
    community_id: int | None = None
    unit_id: int | None = None

    @property
    def by_unit(self) -> bool:
        return self.kind == "unit"


def scope_for(user, street_id: int | None = None) -> Scope:
    """The user's scope; the district admin may narrow it to one street."""
    if user.role == perm.DISTRICT_ADMIN:
        return Scope("street", street_id=street_id) if street_id else Scope("district")
    if user.role in perm.STREET_ROLES:
        return Scope("street", street_id=user.street_id)
    if user.role == perm.GRID_WORKER:
        return Scope("community", community_id=user.community_id)
    if user.role in perm.UNIT_ROLES:
        return Scope("unit", unit_id=user.unit_id)
    raise ValueError(user.role)


# --- which tally, narrowed to the scope -----------------------------------------------------------


def _month_table(scope: Scope):
    """(tally, its count column, the state left out of the denominators, filters)."""
    if scope.by_unit:
        t = UnitMonthTally
        return t, t.assignments, "returned", [t.unit_id == scope.unit_id]
    t = CaseMonthTally
    filters = []
    if scope.street_id is not None:
        filters.append(t.street_id == scope.street_id)
    if scope.community_id is not None:
        filters.append(t.community_id == scope.community_id)
    return t, t.cases, "rejected", filters


def state_counts(scope: Scope) -> list[tuple[str, int]]:
    """(state, count) for every state with something in it, in the states' order; for units the
    assignment states."""
    t, n, _left_out, filters = _month_table(scope)
    found = dict(db.session.execute(select(t.state, func.sum(n)).where(*filters).group_by(t.state)).all())
    order = ASSIGNMENT_STATES if scope.by_unit else CASE_STATES
    return [(s, int(found[s])) for s in order if found.get(s)]


def open_states(scope: Scope) -> tuple[str, ...]:
    return OPEN_ASSIGNMENT_STATES if scope.by_unit else OPEN_CASE_STATES


@dataclass
class PlaceRow:
    id: int
    name: str
    total: int = 0
    open: int = 0


def by_place(scope: Scope, level: str) -> list[PlaceRow]:
    """Cases (for units: assignments) per street or community, with how many are open; rejected /
    returned left out. Largest first."""
    t, n, left_out, filters = _month_table(scope)
    key = t.street_id if level == "street" else t.community_id
    is_open = sql_case((t.state.in_(open_states(scope)), n), else_=0)
    rows = db.session.execute(select(key, func.sum(n), func.sum(is_open))
                              .where(*filters, t.state != left_out).group_by(key)).all()
    model = Street if level == "street" else Community
    names = dict(db.session.execute(select(model.id, model.name).where(model.id.in_([r[0] for r in rows]))).all())
    out = [PlaceRow(r[0], names.get(r[0], "?"), int(r[1] or 0), int(r[2] or 0)) for r in rows]
    return sorted((r for r in out if r.total), key=lambda r: (-r.total, r.name))


@dataclass
class MonthRow:
    month: date
    received: int
    open: int
    responded: int
    resolved: int
    rated: int
    satisfied: int

    @property
    def response_rate(self):
        return ratio(self.responded, self.received)

    @property
    def resolution_rate(self):
        return ratio(self.resolved, self.received)

    @property
    def satisfaction_rate(self):
        return ratio(self.satisfied, self.rated)


def trend(scope: Scope, months: list[date]) -> list[MonthRow]:
    """Per month received (the cohort, as the rates count it), still open, and the rate counts."""
    t, n, left_out, filters = _month_table(scope)
    counted = sql_case((t.state != left_out, n), else_=0)
    is_open = sql_case((t.state.in_(open_states(scope)), n), else_=0)
    rows = db.session.execute(
        select(t.month, func.sum(counted), func.sum(is_open), func.sum(t.responded), func.sum(t.resolved),
               func.sum(t.rated), func.sum(t.satisfied))
        .where(*filters, t.month >= months[0], t.month <= months[-1]).group_by(t.month)).all()
    found = {r[0]: [int(v or 0) for v in r[1:]] for r in rows}
    return [MonthRow(m, *found.get(m, [0] * 6)) for m in months]


# --- windows of days: a few aligned blocks (portal.figures.models.blocks_in) -----------------------


def _window_counts(scope: Scope, first: date, last: date, by_community: bool) -> dict[tuple, int]:
    """{(community_id?, matter_id): count} of cases (units: assignments) received in [first, last]."""
    if scope.by_unit:
        t, n = UnitMatterTally, UnitMatterTally.assignments
        filters = [t.unit_id == scope.unit_id]
    else:
        t, n = MatterTally, MatterTally.cases
        filters = []
        if scope.street_id is not None:
            filters.append(t.street_id == scope.street_id)
        if scope.community_id is not None:
            filters.append(t.community_id == scope.community_id)
    keys = [t.community_id, t.matter_id] if by_community else [t.matter_id]
    by_level: dict[str, list[date]] = {}
    for period, start in blocks_in(first, last):
        by_level.setdefault(period, []).append(start)
    blocks = or_(*(and_(t.period == period, t.start.in_(starts)) for period, starts in by_level.items()))
    query = select(*keys, func.sum(n)).where(*filters, blocks, t.matter_id != NO_MATTER).group_by(*keys)
    return {tuple(row[:-1]): int(row[-1]) for row in db.session.execute(query)}


@dataclass
class MatterRow:
    matter_id: int
    title: str
    count: int
    community_id: int | None = None
    community: str = ""


def _titles(ids) -> dict[int, str]:
    ids = list(set(ids))
    return dict(db.session.execute(select(Matter.id, Matter.title).where(Matter.id.in_(ids))).all()) if ids else {}


def _by_matter(counts: dict[tuple, int]) -> dict[tuple, int]:
    """{(community, matter): n} summed to {(matter,): n}."""
    out: dict[tuple, int] = {}
    for (_community, matter), n in counts.items():
        out[(matter,)] = out.get((matter,), 0) + n
    return out


def top_matters(scope: Scope, days: int, today: date, limit: int = TOP, *,
                counts: dict[tuple, int] | None = None) -> list[MatterRow]:
    """The matters received most often in the last `days` days (today included)."""
    if counts is None:
        counts = _window_counts(scope, today - timedelta(days=days - 1), today, by_community=False)
    best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))[:limit]
    titles = _titles(k[0] for k, _ in best)
    return [MatterRow(k[0], titles.get(k[0], "?"), v) for k, v in best]


def recurring(scope: Scope, today: date, *, days: int = RECURRING_DAYS, at_least: int = RECURRING_MIN,
              limit: int = 20, counts: dict[tuple, int] | None = None) -> tuple[list[MatterRow], int]:
    """类案 candidates: the same matter in the same community `at_least` times in `days` days.
    Returns the most frequent `limit` and how many there are in all."""
    if counts is None:
        counts = _window_counts(scope, today - timedelta(days=days - 1), today, by_community=True)
    found = sorted(((k, v) for k, v in counts.items() if v >= at_least),
                   key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))
    shown = found[:limit]
    titles = _titles(k[1] for k, _ in shown)
    ids = list({k[0] for k, _ in shown})
    places = dict(db.session.execute(select(Community.id, Community.name).where(Community.id.in_(ids))).all()) \
        if ids else {}
    return [MatterRow(k[1], titles.get(k[1], "?"), v, k[0], places.get(k[0], "?")) for k, v in shown], len(found)


# --- lights and overdue units (open assignments only) ---------------------------------------------


def _open_filters(scope: Scope) -> list:
    o = OpenAssignment
    if scope.by_unit:
        return [o.unit_id == scope.unit_id]
    filters = []
    if scope.street_id is not None:
        filters.append(o.street_id == scope.street_id)
    if scope.community_id is not None:
        filters.append(o.community_id == scope.community_id)
    return filters


def light_counts(scope: Scope, now: datetime) -> dict[str, int]:
    """Open assignments by light: green, yellow, red (as `portal.cases.rules.light` decides), each a
    count of an index range over `red_at` / `yellow_at`."""
    o = OpenAssignment
    filters = _open_filters(scope)
    count = lambda *more: db.session.scalar(select(func.count()).select_from(o).where(*filters, *more))  # noqa: E731
    total, reds, warned = count(), count(o.red_at <= now), count(o.yellow_at <= now)
    return {"green": total - warned, "yellow": warned - reds, "red": reds}


@dataclass
class OverdueUnit:
    unit_id: int
    name: str
    street: str
    overdue: int


def overdue_units(scope: Scope, now: datetime, limit: int = TOP) -> tuple[list[OverdueUnit], int]:
    """Units with overdue (red) assignments in the scope, most first; and how many units in all."""
    o = OpenAssignment
    rows = db.session.execute(select(o.unit_id, func.count()).where(*_open_filters(scope), o.red_at <= now)
                              .group_by(o.unit_id)).all()
    rows = sorted(rows, key=lambda r: (-r[1], r[0]))
    shown = rows[:limit]
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_([r[0] for r in shown])))}
    streets = dict(db.session.execute(select(Street.id, Street.name)).all())
    return [OverdueUnit(r[0], units[r[0]].name if r[0] in units else "?",
                        streets.get(units[r[0]].street_id, "") if r[0] in units else "", int(r[1]))
            for r in shown], len(rows)


# --- everything at once ---------------------------------------------------------------------------


@dataclass
class Dashboard:
    scope: Scope
    now: datetime
    today: date
    states: list[tuple[str, int]]
    lights: dict[str, int]
    overdue: list[OverdueUnit]
    overdue_total: int
    streets: list[PlaceRow]
    communities: list[PlaceRow]
    months: list[MonthRow]
    top30: list[MatterRow]
    top90: list[MatterRow]
    recurring: list[MatterRow]
    recurring_total: int
    extra: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(n for _s, n in self.states)

    @property
    def open_total(self) -> int:
        opened = open_states(self.scope)
        return sum(n for s, n in self.states if s in opened)


def build(scope: Scope, now: datetime, today: date, months: int = 12) -> Dashboard:
    overdue, overdue_total = overdue_units(scope, now)
    window = _window_counts(scope, today - timedelta(days=RECURRING_DAYS - 1), today, by_community=True)
    found, found_total = recurring(scope, today, counts=window)
    return Dashboard(
        scope=scope, now=now, today=today, states=state_counts(scope), lights=light_counts(scope, now),
        overdue=overdue, overdue_total=overdue_total,
        streets=by_place(scope, "street") if scope.kind == "district" else [],
        communities=by_place(scope, "community"),
        months=trend(scope, last_months(months, today)),
        top30=top_matters(scope, 30, today), top90=top_matters(scope, 90, today, counts=_by_matter(window)),
        recurring=found, recurring_total=found_total)


__all__ = ["Dashboard", "Scope", "build", "scope_for"]
