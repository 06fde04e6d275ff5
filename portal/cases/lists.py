"""Case lists: intake, the searchable list and its export, "my queue" (我的待办), and the ledgers
(forced closures 强制结案台账, the district whistle register 吹哨台账, returned cases to adjudicate).

The queries are plain functions (`search`, `queue_counts`, `queue_rows`, `forced_closures`,
`whistle_register`, `to_adjudicate`) over `rules.visible_cases` and the scope rules; the views at
the bottom only parse, call and render. The case page itself (`cases.detail`) and its actions live
in `views.py`.

Scale (Dongcheng took about 600,000 cases in 2018). Measured with `EXPLAIN QUERY PLAN` and a timer
on a copy of the demo with 600,036 cases and 645,107 assignments (SQLite 3.40; the figures are
whole `search()` calls unless they say otherwise):

- The case list (indexes of cases_0003; `search`): a page is one statement that walks an index in
  the list's order from the keyset and stops after 51 entries (a MATERIALIZED CTE), then reads
  only those cases, as plain rows, with their community, street and matter; the page's lights
  come from one more query, its count from another. The district's list walks ix_case_created
  (`ORDER BY created_at` had no index: the page was merged from one walk per street), a street's
  ix_case_street_created (street_id=?), a state's ix_case_state_created (state=?), a sort by
  number the number's unique index, a street's by number ix_case_street_number (cases_0004; in
  the number's own index a street's numbers follow those of every street whose code sorts first:
  0.2 s for its first page in ascending order, now 2 ms). Other filters (community, level, category) are written
  `col + 0` so SQLite keeps walking (left to itself it searched ix_case_community_matter_created
  or ix_case_street_state and sorted 50-200k rows: 0.4-2 s); a count keeps the plain columns.
- The count of the district's, a street's or a community's cases, filtered by street, community or
  state only, is the month tallies' (`portal.figures`), exact. Other counts stop after COUNT_CAP +
  1 cases (`_list_count`). The scope alone, or with a street or a state, asks first for the case
  after the cap (`LIMIT 1 OFFSET 10000`), which skips 10,000 index entries in 0.16-0.5 ms
  (machines differ) where counting them in a subquery took 0.8 ms, and counts below it.
- A unit's list: its cases are counted from ix_assignment_unit_case (unit_id, case_id) alone. A
  unit with thousands of cases walks the list's index as above and probes each case for the unit
  (unit_id=? AND case_id=?): about 700 entries for a page of a unit with 7% of the district's
  cases. The walk stops early when the unit's cases lie elsewhere (`_walk_span`); such a page, and
  a small unit's, is picked by id from the unit's cases and sorted: 100-350 ms for 40,000 cases,
  as before, or a few ms for 2,000. A unit filtered by a closed or rejected state is counted from
  its assignments, one lookup of the case's state each (about 15 ms for 40,000 cases).
- The list's statements are prepared once for each shape of the list (`_prepared`): building
  one and working out its cache key cost as much as running it. Rows are named tuples and the
  template writes out the cells of `state()`/`summary()`: 50 rows of `Case` objects with their
  relationships and assignments, and a macro call per cell, took 15-20 ms a page.
- Whole requests in-process (a test client, old and new code alternately, medians of 20; this
  machine's speed varies by half): the district's list 19-33 -> 8-14 ms, a street's 17-32 ->
  7-14 ms, a unit of 41,713 cases 185-290 -> 10-24 ms (a closed state: 28-38 ms), page 200 as the
  first; an HTMX request for the results alone 18-24 -> 5.5-9.5 ms. A bare page costs 0.5-0.8 ms.
- Text search has no index (LIKE '%…%'): about 1.2 s over 600k cases; a text that looks like a
  case number (QT-2026…) is a range on the number's unique index instead, read from that index
  and sorted when it holds up to NUMBER_RANGE_MAX cases (a day's numbers: 3 ms), else walked in
  the list's order testing each number (`_number_matches`): "QT-2026", all of a street's, took
  0.36 s sorted, 5-30 ms walked; a month's 15-50 ms.
- A light (red, yellow, green) needs an open assignment, and only about 2% of a district-year's
  cases have one: they come by id from the assignments' indexes (`_light_condition`), 30-80 ms
  for the district, where testing every case took 0.4-0.85 s.
- Forced closures: `ix_case_forced_closed (forced_closure=?)`: < 200 ms.
- The whistle register (indexes of cases_0002; figures are whole requests in-process, with
  ANALYZE, the fastest of several runs): a street's whistles come newest first from the partial
  index ix_case_whistles_street (street_id=?), which also holds the kind and state its filters
  test, so neither its capped count nor its page reads a case's row; the district's page walks
  ix_case_whistled; only the page's 50 cases are read, as plain rows, with their units and lights
  in one more query. 25-70 ms before, 11-16 ms after.
- My queue: an office's tab counts and tab pages read the partial index ix_case_open_office (the
  open cases only), a grid worker's ix_case_open_community; the overdue cases come from the two
  deadline indexes of `assignment`, which end with case_id, and a street's share of them from
  ix_case_street (street_id=? AND rowid=?): about 4 ms for 4,000 overdue cases. A unit's tabs read
  ix_assignment_unit_state. Tab pages pick their cases in a MATERIALIZED CTE, then sort them
  (`_longest_waiting`): asked for `ORDER BY created_at` directly, SQLite walks the whole street
  in ix_case_street_created. A street office's queue 63 -> 18 ms, a unit's 19-26 -> 9-13 ms, the
  district's 32 -> 8 ms, a grid worker's 110 -> 8 ms.
- Rows of the queue and the register are plain rows, not ORM objects, and their templates write
  out the cells of `state()`/`summary()`: 100 rows of ORM objects and macro calls took 30-40 ms.
- Export: 50,000 rows as plain rows in chunks of 1,000: about 7 s.
`tests/cases/test_lists.py::test_the_lists_follow_their_indexes` checks these plans on the demo, and
`test_the_queue_and_the_register_follow_their_indexes(_at_full_size)` those of the queue and the
register, without statistics and with statistics scaled to 600,000 cases;
`tests/cases/test_case_list_speed.py` those of the case list, and its pages against plain SQL.
"""
from __future__ import annotations

import base64
import csv
import io
import json
import math
import re
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import flash, redirect, request, send_file, url_for
from flask_babel import force_locale, get_locale, gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import (
    and_, bindparam, exists, false, func, literal_column, or_, select, true, tuple_, union, union_all,
)
from sqlalchemy import case as sql_case
from sqlalchemy.orm import aliased, selectinload
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portal import permissions as perm
from portal.cases import bp, rules, uploads
from portal.cases.models import (
    ASSIGNMENT_ROLES, ASSIGNMENT_STATES, CASE_STATES, CHANNELS, FINAL_CASE_STATES, LEVELS, LIGHTS,
    OPEN_ASSIGNMENT_STATES, WHISTLE_KINDS, Assignment, Case, CaseEvent,
)
from portal.database import Prepared, read
from portal.duties.labels import CATEGORY_LABELS
from portal.duties.models import Matter
from portal.extensions import db, lazy_gettext as _l, translated_vocabularies
from portal.org.models import Community, Grid, Street, Unit
from portal.rendering import render, render_fragment, wants_fragment
from portal.spreadsheets import safe_cell
from portal.timeutil import format_local, local_to_utc, local_today, utcnow

PAGE_SIZE = 50
COUNT_CAP = 10_000          # the list says "more than 10,000" rather than counting 600k rows
EXPORT_CAP = 50_000         # rows in one CSV/XLSX export; narrow the filters for more
QUEUE_ROWS = 100            # rows shown in one queue tab (the count says how many there are)
LEDGER_PAGE = 50

INTAKE_ROLES = (perm.DISTRICT_ADMIN, perm.STREET_SECRETARY, perm.STREET_DISPATCHER, perm.GRID_WORKER)
OFFICE_ROLES = (perm.DISTRICT_ADMIN, perm.STREET_SECRETARY, perm.STREET_DISPATCHER)
# Staff type in what a resident told them; a resident's own web report comes through the public pages.
STAFF_CHANNELS = tuple(c for c in CHANNELS if c != "resident_web")


_URL_MARK = 7_654_321_987


def _case_url_function():
    """`case_url(id)`, the case page's address: built by `url_for` once, at the first call, and
    then filled in (a list of 100 rows would otherwise spend a few milliseconds in the URL map).
    A new one for each template rendered, so the address follows the request (its script root)."""
    parts: list[str] = []

    def case_url(case_id: int) -> str:
        if not parts:
            parts.extend(url_for("cases.detail", case_id=_URL_MARK).split(str(_URL_MARK), 1))
        return f"{parts[0]}{case_id}{parts[1]}"

    return case_url


# The vocabularies the case templates show, by name in the templates.
_VOCABULARIES = {"case_states": CASE_STATES, "case_levels": LEVELS, "light_labels": LIGHTS,
                 "whistle_kinds": WHISTLE_KINDS, "channels": CHANNELS, "category_labels": CATEGORY_LABELS,
                 "assignment_roles": ASSIGNMENT_ROLES, "assignment_states": ASSIGNMENT_STATES}


@bp.context_processor
def _list_context():
    return {"case_url": _case_url_function(), **translated_vocabularies(_VOCABULARIES)}


# --- scope helpers -------------------------------------------------------------------------------


def scope_streets(user) -> list[Street]:
    """The streets whose cases the user may filter by (district: all; others: their own)."""
    if user.role == perm.DISTRICT_ADMIN:
        return db.session.scalars(select(Street).order_by(Street.code)).all()
    street_id = user.street_id
    if user.role in perm.UNIT_ROLES and user.unit_id:
        street_id = db.session.scalar(select(Unit.street_id).where(Unit.id == user.unit_id))
    elif user.role == perm.GRID_WORKER and user.community_id:
        street_id = db.session.scalar(select(Community.street_id).where(Community.id == user.community_id))
    return [s for s in [db.session.get(Street, street_id)] if s is not None] if street_id else []


def scope_communities(user, street_id: int | None = None, *, active_only: bool = False) -> list[Community]:
    """Communities inside the user's scope (a grid worker: their own), optionally of one street."""
    query = select(Community).order_by(Community.street_id, Community.code)
    if user.role == perm.GRID_WORKER:
        query = query.where(Community.id == (user.community_id or -1))
    elif user.role != perm.DISTRICT_ADMIN:
        query = query.where(Community.street_id.in_([s.id for s in scope_streets(user)] or [-1]))
    if street_id:
        query = query.where(Community.street_id == street_id)
    if active_only:
        query = query.where(Community.active)
    return db.session.scalars(query).all()


def _all_street_ids() -> list[int]:
    return list(db.session.scalars(select(Street.id).order_by(Street.id)))


def _param(name: str, column):
    """A parameter of a prepared statement (`_prepared`), typed as the column it is compared with."""
    return bindparam(name, type_=column.type)


def _unit_cases():
    """The unit's cases (parameter `unit`), as an IN list the planner can drive from."""
    return Case.id.in_(select(Assignment.case_id).where(Assignment.unit_id == _param("unit", Assignment.unit_id)))


def _unit_has_case():
    """The unit's cases (parameter `unit`) as a probe of each case walked: `EXISTS` on
    ix_assignment_unit_case (unit_id=? AND case_id=?); the same cases as `_unit_cases`."""
    return (select(literal_column("1"))
            .where(Assignment.unit_id == _param("unit", Assignment.unit_id), Assignment.case_id == Case.id)
            .exists())


def _visible_assignment(user):
    """Extra condition on `Assignment` for what the user may see of a case's units."""
    if user.role in perm.UNIT_ROLES:
        return Assignment.unit_id == (user.unit_id or -1)
    return None


def _light_condition(name: str, user):
    """SQL condition on `Case`: its worst light at the time `now` (a parameter) among the
    assignments the user sees (a unit: parameter `visible_unit`) is `name`.

    Red, yellow and green each need an open assignment, about 2% of a district-year's: the cases
    with a red one come from the two deadline indexes of `assignment` (which end with case_id),
    those with a yellow or green one from the open states of ix_assignment_state_complete_case;
    "worst" is then a set difference. Tested case by case instead (EXISTS for each case), a count
    read every case in scope: 0.3-0.8 s at 600,000 cases."""
    now = _param("now", Assignment.complete_deadline)
    seen = [Assignment.unit_id == _param("visible_unit", Assignment.unit_id)] if user.role in perm.UNIT_ROLES else []
    if name == "none":
        return ~exists().where(Assignment.case_id == Case.id, Assignment.state.in_(OPEN_ASSIGNMENT_STATES), *seen)
    red = union(
        select(Assignment.case_id).where(Assignment.state.in_(OPEN_ASSIGNMENT_STATES),
                                         Assignment.complete_deadline <= now, *seen),
        select(Assignment.case_id).where(Assignment.state == "dispatched", Assignment.sign_deadline <= now, *seen))
    assert "dispatched" in OPEN_ASSIGNMENT_STATES       # light_clause("red"): open, and one deadline passed

    def having(light_name):
        return select(Assignment.case_id).where(rules.light_clause(light_name, now), *seen)

    if name == "red":
        return Case.id.in_(red)
    if name == "yellow":
        return and_(Case.id.in_(having("yellow")), Case.id.not_in(red))
    return and_(Case.id.in_(having("green")), Case.id.not_in(having("yellow")), Case.id.not_in(red))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _day_start(day: date) -> datetime:
    """A Beijing calendar day's first moment, as stored (naive UTC)."""
    return local_to_utc(datetime.combine(day, time.min))


# --- the list ------------------------------------------------------------------------------------

# Sorting: only these keys, each a tuple of columns with an index behind it; `Case.id` always
# breaks ties, so the keyset (the last row's values) is exact.
SORTS: dict[str, tuple] = {
    "created": (Case.created_at,),
    "number": (Case.number,),
    "state": (Case.state, Case.created_at),
    "street": (Case.street_id, Case.created_at),
}
SORT_LABELS = {"created": _l("Received at"), "number": _l("Number"), "state": _l("State"),
               "street": _l("Street")}
NUMBER_LIKE = re.compile(r"^[A-Za-z]{1,8}-[0-9-]*$")
LIGHT_FILTERS = ("red", "yellow", "green", "none")


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@dataclass
class CaseFilters:
    q: str = ""
    state: str = ""
    level: int | None = None
    street: int | None = None
    community: int | None = None
    category: str = ""
    light: str = ""
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "created"
    direction: str = "desc"
    after: str = ""
    before: str = ""
    # Not from the query string: set by `search` (`_number_matches`). A case-number prefix matching
    # more than NUMBER_RANGE_MAX cases ("QT-2026") is walked in the list's order, testing each
    # case's number, instead of read from the number's index and sorted (0.36 s for 600,000).
    number_matches: int | None = None

    @classmethod
    def from_args(cls, args, user, scope: list | None = None) -> "CaseFilters":
        """Read the query string; every value outside what the page offers is dropped.
        `scope`: the district's `scope_streets` (anything with an `id`), if already read."""
        state = args.get("state", "")
        level = args.get("level", type=int)
        category = args.get("category", "")
        light = args.get("light", "")
        sort = args.get("sort", "created")
        street = args.get("street", type=int)
        if user.role == perm.DISTRICT_ADMIN:
            streets = {s.id for s in (scope_streets(user) if scope is None else scope)}
        else:
            streets = set()
        community = args.get("community", type=int)
        if community is not None:
            community = community if any(c.id == community for c in scope_communities(user)) else None
        if sort == "street" and user.role != perm.DISTRICT_ADMIN:
            sort = "created"
        return cls(
            q=args.get("q", "").strip()[:50],
            state=state if state in CASE_STATES else "",
            level=level if level in LEVELS else None,
            street=street if street in streets else None,
            community=community,
            category=category if category in CATEGORY_LABELS else "",
            light=light if light in LIGHT_FILTERS else "",
            date_from=_parse_date(args.get("from")),
            date_to=_parse_date(args.get("to")),
            sort=sort if sort in SORTS else "created",
            direction="asc" if args.get("dir") == "asc" else "desc",
            after=args.get("after", "")[:200],
            before=args.get("before", "")[:200],
        )

    def args(self, **override) -> dict[str, Any]:
        """Query-string arguments for links (sorting, paging, export), defaults left out."""
        values = {"q": self.q, "state": self.state, "level": self.level, "street": self.street,
                  "community": self.community, "category": self.category, "light": self.light,
                  "from": self.date_from.isoformat() if self.date_from else "",
                  "to": self.date_to.isoformat() if self.date_to else "",
                  "sort": self.sort, "dir": self.direction, "after": self.after, "before": self.before}
        values.update(override)
        return {k: v for k, v in values.items()
                if v not in ("", None) and not (k == "sort" and v == "created")
                and not (k == "dir" and v == "desc")}

    @property
    def active(self) -> bool:
        return bool(self.q or self.state or self.level or self.street or self.community or self.category
                    or self.light or self.date_from or self.date_to)


def _lit(f: CaseFilters) -> bool:
    """Whether the list is filtered by a light that needs an open assignment (`_light_condition`)."""
    return f.light in ("red", "yellow", "green")


def _number_like(f: CaseFilters) -> bool:
    return bool(f.q and NUMBER_LIKE.match(f.q))


# Sorting the cases of a number prefix costs about 0.6 µs a case; a walk in the list's order stops
# after a page but may pass every case received after the prefix's (numbers carry the day).
NUMBER_RANGE_MAX = 100_000


def _number_range(f: CaseFilters) -> bool:
    """Whether a page reads a case-number prefix from the number's index (`number_matches`): sorted
    by number, or matching few enough cases to sort them."""
    return _number_like(f) and (f.sort == "number" or f.number_matches is None
                                or f.number_matches <= NUMBER_RANGE_MAX)


def _text_search(f: CaseFilters) -> bool:
    """A text searched with LIKE in every case it reaches (no index can find it)."""
    return bool(f.q) and not _number_like(f)


def _walks_streets(f: CaseFilters) -> bool:
    """Whether a page walks ix_case_street_created when it names a street (module docstring)."""
    return f.sort in ("created", "street") and not f.state and not _number_range(f)


def _street_condition(street, f: CaseFilters, counting: bool = False):
    # Sorted by state, `street_id + 0` keeps SQLite on the sort's own index (filtering the street
    # as it goes) instead of searching ix_case_street_state and sorting the street; sorted by
    # number, the street walks ix_case_street_number. A count has no order: it searches the street.
    # A lit list (`_lit`) reads its cases by id from the open assignments: a street's index, which
    # SQLite may otherwise walk (150,000 entries), is left out of it.
    if _lit(f):
        return Case.street_id + 0 == street
    if counting or _walks_streets(f) or f.state or f.sort == "number":    # by number: ix_case_street_number
        return Case.street_id == street
    return Case.street_id + 0 == street


def _conditions(user, f: CaseFilters, *, counting: bool = False, unit_walk: bool = False) -> list:
    """The list's WHERE: the user's scope and the filters, their values parameters (`_values`).
    For a page, columns it does not walk are written `col + 0`, so the planner cannot swap the walk
    for a search on them plus a sort; a count has no order to keep and uses whichever index finds
    the rows. A unit's scope is an IN list (`_unit_cases`), or with `unit_walk` a probe of each
    case walked (`_unit_has_case`)."""
    role = user.role

    def plain(column):
        return column if counting else column + 0

    if role in perm.UNIT_ROLES:
        # A lit case (`_lit`) is one of the unit's by its light's own condition: the unit's open
        # assignments are fewer than its cases.
        conds = [true() if _lit(f) else _unit_has_case() if unit_walk else _unit_cases()]
    elif role in perm.STREET_ROLES:
        conds = [_street_condition(_param("own_street", Case.street_id), f, counting)]
    elif role == perm.DISTRICT_ADMIN:
        conds = []              # every case
    elif role == perm.GRID_WORKER:
        conds = [Case.community_id == _param("own_community", Case.community_id)]
    else:
        conds = [false()]
    if f.street and role == perm.DISTRICT_ADMIN:
        conds.append(_street_condition(_param("street", Case.street_id), f, counting))
    if f.community:
        conds.append(plain(Case.community_id) == _param("community", Case.community_id))
    if f.state:
        conds.append(Case.state == _param("state", Case.state))
    if f.level:
        conds.append(plain(Case.level) == _param("level", Case.level))
    if f.category:
        conds.append(plain(Case.matter_id).in_(select(Matter.id).where(
            Matter.category == _param("category", Matter.category))))
    if f.light:
        conds.append(_light_condition(f.light, user))
    if f.date_from:
        conds.append(Case.created_at >= _param("received_from", Case.created_at))
    if f.date_to:
        conds.append(Case.created_at < _param("received_before", Case.created_at))
    if f.q:
        if _number_like(f):
            # `number || ''` (not the number's index) for a prefix matching many cases (`_number_range`)
            number = Case.number if counting or _number_range(f) else Case.number.concat("")
            conds.append(and_(number >= _param("number_from", Case.number),
                              number < _param("number_before", Case.number)))
        else:
            like = _param("like", Case.description)
            conds.append(or_(Case.number.like(like, escape="\\"), Case.description.like(like, escape="\\"),
                             Case.address.like(like, escape="\\")))
    return conds


def _values(user, f: CaseFilters, now: datetime) -> dict[str, Any]:
    """The values of the parameters of `_conditions` (and of `_light_condition`)."""
    values = {"own_street": user.street_id or -1, "own_community": user.community_id, "unit": user.unit_id,
              "visible_unit": user.unit_id or -1, "now": now, "street": f.street, "community": f.community,
              "state": f.state, "level": f.level, "category": f.category}
    if f.date_from:
        values["received_from"] = _day_start(f.date_from)
    if f.date_to:
        values["received_before"] = _day_start(f.date_to + timedelta(days=1))
    if _number_like(f):
        values.update(_number_bounds(f))
    elif f.q:
        values["like"] = f"%{_escape_like(f.q)}%"
    return values


def _number_bounds(f: CaseFilters) -> dict[str, str]:
    """The range of case numbers a number prefix covers (parameters `number_from`, `number_before`)."""
    return {"number_from": f.q.upper(), "number_before": f.q.upper() + "~"}


def _shape(user, f: CaseFilters, *more) -> tuple:
    """What the list's statements are built from besides the values of their parameters: the
    user's role, the sort, and which filters are set (`_conditions`), and `more`."""
    return (user.role, f.sort, f.direction, _number_like(f), _number_range(f), bool(f.q), bool(f.street), bool(f.community),
            bool(f.state), bool(f.level), bool(f.category), f.light, bool(f.date_from), bool(f.date_to), *more)


# Prepared statements: the list's statements, built once for each shape (`_shape`) with their
# values as parameters. Building a statement and working out its cache key cost as much as running
# it (0.3-0.6 ms each): a prepared one keeps its cache key.
_PREPARED: dict[tuple, Prepared] = {}


def _prepared(key: tuple, build):
    statement = _PREPARED.get(key)
    if statement is None:
        if len(_PREPARED) >= 2_000:
            _PREPARED.clear()
        statement = _PREPARED[key] = Prepared(build())
    return statement


def _key_params(prefix: str, values: list | None) -> dict[str, Any]:
    """The values of a keyset's parameters (`_keyset`), named `prefix0`, `prefix1`, …"""
    return {f"{prefix}{i}": value for i, value in enumerate(values or ())}


def _keyset(prefix: str, f: CaseFilters):
    """The sort values of a row, as parameters `prefix0`, `prefix1`, … typed as the sort's columns."""
    return tuple_(*[_param(f"{prefix}{i}", column) for i, column in enumerate((*SORTS[f.sort], Case.id))])


def _order(f: CaseFilters, reverse: bool = False, of=None):
    """ORDER BY of the list (`reverse`: the other way), on `Case` or on the like-named columns of
    `of` (a CTE of the sort columns)."""
    columns = (*SORTS[f.sort], Case.id)
    if of is not None:
        columns = [of.c[c.key] for c in columns]
    descending = (f.direction == "desc") != reverse
    return [c.desc() if descending else c.asc() for c in columns]


def _key_of(case, f: CaseFilters) -> str:
    """The cursor of a row (a `Case` or a row of LIST_CASE_COLUMNS): its sort values."""
    values = []
    for column in (*SORTS[f.sort], Case.id):
        value = getattr(case, column.key)
        values.append(value.isoformat() if isinstance(value, datetime) else value)
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def _key_values(token: str, f: CaseFilters) -> list | None:
    """The sort values a cursor carries, checked against the sort's column types; None if garbled."""
    columns = (*SORTS[f.sort], Case.id)
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError):
        return None
    if not isinstance(raw, list) or len(raw) != len(columns):
        return None
    values = []
    for column, value in zip(columns, raw):
        python_type = column.type.python_type
        try:
            if python_type is datetime and isinstance(value, str):
                values.append(datetime.fromisoformat(value))
            elif python_type is int and isinstance(value, int) and not isinstance(value, bool):
                values.append(value)
            elif python_type is str and isinstance(value, str):
                values.append(value)
            else:
                return None
        except ValueError:
            return None
    return values


# A unit's page. A unit with more cases than UNIT_WALK_MIN has its page read by walking an index of
# `case` in the list's order and probing each case for the unit (`_unit_has_case`): about
# 50 / (the unit's share of the cases walked) index entries, 700 for a unit with 7% of the
# district's cases, half a millisecond. The walk stops after four times as many entries as the
# unit's share promises (`_walk_span`, `_walk_bound`), as a unit's cases may lie far from where it
# starts (another street's numbers first, states it never has); a page it did not fill is then
# picked by id: the unit's cases, each looked up, then sorted, which costs about as many lookups
# as the unit has cases (70-100 ms for 40,000, 10-20 ms for 4,000, a few for 2,000).
UNIT_WALK_MIN = 2_000


def _number_matches(f: CaseFilters) -> int:
    """How many cases of the district have the number prefix, up to NUMBER_RANGE_MAX + 1: whether
    there is one beyond NUMBER_RANGE_MAX, from the number's index alone (1-2 ms), else the count."""
    def build():
        conds = (Case.number >= _param("number_from", Case.number), Case.number < _param("number_before", Case.number))
        beyond = select(Case.number).where(*conds).limit(1).offset(bindparam("cap")).scalar_subquery()
        counted = select(func.count()).select_from(Case).where(*conds).scalar_subquery()
        return select(sql_case((beyond.is_not(None), bindparam("cap_and_one")), else_=counted))

    return read(_prepared(("number matches",), build),
                {**_number_bounds(f), "cap": NUMBER_RANGE_MAX, "cap_and_one": NUMBER_RANGE_MAX + 1}).scalar() or 0


def _unit_case_count(user) -> tuple[int, int]:
    """How many cases the unit has, counted up to COUNT_CAP + 1 from ix_assignment_unit_case alone,
    and about how many cases there are (the highest id), in one statement. (Not the case after the
    cap first, as `_list_count`: SQLite 3.40 drops the OFFSET of a scalar subquery with DISTINCT.)"""
    def build():
        inner = (select(Assignment.case_id).where(Assignment.unit_id == _param("unit", Assignment.unit_id))
                 .distinct().limit(bindparam("cap_and_one")).subquery())
        return select(select(func.count()).select_from(inner).scalar_subquery(),
                      select(func.max(Case.id)).scalar_subquery())

    row = read(_prepared(("unit cases",), build),
                             {"unit": user.unit_id, "cap_and_one": COUNT_CAP + 1}).one()
    return row[0] or 0, row[1] or 0


def _walk_span(unit_cases: int, all_cases: int, page_size: int) -> int:
    """How many index entries a unit's walk reads at most: four pages' worth at the unit's share."""
    return min(max(4 * (page_size + 1) * all_cases // max(unit_cases, 1), 1_000), 50_000)


def _unit_walks(f: CaseFilters, unit_cases: int) -> bool:
    """Whether a unit's page walks an index (see UNIT_WALK_MIN): only for a large unit, and only
    when the walked index holds what the filters test, so that the walk reads no case's row: a
    state or days received (ix_case_created, ix_case_state_created), a number by number. A text, a
    light, a community, a level or a category is picked by id instead."""
    if unit_cases <= UNIT_WALK_MIN or _text_search(f) or _lit(f) or f.level or f.community or f.category:
        return False
    if f.sort == "number":
        return not (f.state or f.date_from or f.date_to)
    return not _number_like(f)


def _whole_index(column, *, descending: bool):
    """`column <= max(column)` (`>= min(column)` ascending): true of every case, but SQLite then walks
    the column's index as a range from its end (read in the plan as `SEARCH … (column<?)`), as it
    does beyond a keyset, rather than a scan from its first entry that only the LIMIT stops."""
    if descending:
        return column <= select(func.max(column)).scalar_subquery()
    return column >= select(func.min(column)).scalar_subquery()


def _from_an_end(user, f: CaseFilters, unit_walk: bool) -> bool:
    """Whether a first page's walk has nothing to start from but an end of the sort's index (no
    state, days, number or street it could search), so it needs `_whole_index`. A grid worker's
    community is left to the planner, as a unit's cases picked by id."""
    if f.state or f.date_from or f.date_to or _number_range(f):
        return False
    if user.role in perm.STREET_ROLES or (user.role == perm.DISTRICT_ADMIN and (f.street or f.community)):
        return not _walks_streets(f)
    return user.role == perm.DISTRICT_ADMIN or unit_walk


def _page_conditions(user, f: CaseFilters, *, after: bool, backwards: bool, unit_walk: bool = False,
                     bound: bool = False, scope: bool = True) -> list:
    """The WHERE of a page: `_conditions`, beyond the keyset (`after`: parameters `after0`, …) and
    up to the sort values where a unit's walk stops (`bound`: parameters `bound0`, …).
    `scope=False` leaves out a unit's scope."""
    conds = _conditions(user, f, unit_walk=unit_walk)
    if not scope and user.role in perm.UNIT_ROLES:
        conds = conds[1:]
    if user.role == perm.DISTRICT_ADMIN and f.community and not f.street and _walks_streets(f):
        # A community lies in one street: walk that street (a quarter of the district's cases).
        conds.append(Case.street_id == select(Community.street_id).where(
            Community.id == _param("community", Community.id)).scalar_subquery())
    key = tuple_(*SORTS[f.sort], Case.id)
    beyond_is_smaller = (f.direction == "desc") != backwards
    if after:
        conds.append(key < _keyset("after", f) if beyond_is_smaller else key > _keyset("after", f))
    elif _from_an_end(user, f, unit_walk):
        conds.append(_whole_index(SORTS[f.sort][0], descending=beyond_is_smaller))
    if bound:
        conds.append(key >= _keyset("bound", f) if beyond_is_smaller else key <= _keyset("bound", f))
    return conds


def _page_select(user, f: CaseFilters, *, after: bool, backwards: bool, unit_walk: bool = False,
                 bound: bool = False):
    """The sort values and ids of the next `limit` (a parameter) cases (see `ordered_ids`). A unit's
    page walks with `unit_walk` (up to `bound`), else it picks the unit's cases by id."""
    conds = _page_conditions(user, f, after=after, backwards=backwards, unit_walk=unit_walk, bound=bound)
    sort_columns = (*SORTS[f.sort], Case.id)
    limit = bindparam("limit")
    if user.role in perm.UNIT_ROLES and not unit_walk:
        # Picked by id (the IN list of `_unit_cases`) in a MATERIALIZED CTE, then sorted: asked for
        # the order directly, SQLite may walk ix_case_created through every case instead.
        picked = select(*sort_columns).where(*conds).cte("picked").prefix_with("MATERIALIZED")
        return select(*picked.c).order_by(*_order(f, reverse=backwards, of=picked)).limit(limit)
    return select(*sort_columns).where(*conds).order_by(*_order(f, reverse=backwards)).limit(limit)


def _walk_bound(user, f: CaseFilters, values: dict, span: int, *, after: list | None,
                backwards: bool) -> list | None:
    """Where a unit's walk stops: the sort values of the `span`-th case of the walked index from the
    keyset on (matching the filters, whatever its unit), read from the index alone. None if fewer
    cases remain: the walk may then go to the end."""
    def build():
        conds = _page_conditions(user, f, after=after is not None, backwards=backwards, unit_walk=True, scope=False)
        return (select(*SORTS[f.sort], Case.id).where(*conds).order_by(*_order(f, reverse=backwards))
                .limit(1).offset(bindparam("skip")))

    statement = _prepared(_shape(user, f, "bound", after is not None, backwards), build)
    row = read(statement, {**values, **_key_params("after", after), "skip": span - 1}).first()
    return list(row) if row is not None else None


def ordered_ids(user, f: CaseFilters, now: datetime, limit: int, *, after: list | None = None,
                backwards: bool = False) -> list[int]:
    """The ids of the next `limit` cases of the list, in list order (reversed when `backwards`).

    `after` is a row's sort values (a keyset): only rows beyond it (before it, `backwards`) count.
    One statement walks the sort's index (ix_case_created, ix_case_street_created,
    ix_case_state_created, the number's) from the keyset and stops after `limit` rows; a unit's
    cases are picked by id and sorted (`search` walks for a large unit's page). The export reads
    its rows' ids here.
    """
    statement = _prepared(_shape(user, f, "ids", after is not None, backwards),
                          lambda: _page_select(user, f, after=after is not None, backwards=backwards))
    params = {**_values(user, f, now), **_key_params("after", after), "limit": limit}
    return [row.id for row in read(statement, params)]


# What a list row shows, read as plain rows (not ORM objects): 50 rows of `Case` objects with their
# relationships, and a macro call per cell, took 20-30 ms a page. The rows are handed to the
# template as named tuples, whose attributes Jinja reads faster than a result row's (0.5 ms a page).
LIST_CASE_COLUMNS = (Case.id, Case.number, Case.created_at, Case.state, Case.street_id, Case.level,
                     Case.forced_closure, Case.whistle_kind, Case.description, Case.address,
                     Matter.title.label("matter_title"), Community.name.label("community_name"),
                     Street.name.label("street_name"))
ListRow = namedtuple("ListRow", select(*LIST_CASE_COLUMNS).selected_columns.keys())


def _page_rows(user, f: CaseFilters, values: dict, limit: int, *, after: list | None, backwards: bool,
               unit_walk: bool = False, bound: list | None = None) -> list[ListRow]:
    """The next `limit` rows of the list, in list order: one statement picks their ids
    (`_page_select`, in a MATERIALIZED CTE), then reads only those cases, each by its id, with
    its community, street and matter."""
    def build():
        page = _page_select(user, f, after=after is not None, backwards=backwards, unit_walk=unit_walk,
                            bound=bound is not None).cte("page").prefix_with("MATERIALIZED")
        return (select(*LIST_CASE_COLUMNS).select_from(page).join(Case, Case.id == page.c.id)
                .join(Community, Community.id == Case.community_id).join(Street, Street.id == Case.street_id)
                .outerjoin(Matter, Matter.id == Case.matter_id).order_by(*_order(f, of=page)))

    statement = _prepared(_shape(user, f, "rows", after is not None, backwards, unit_walk, bound is not None), build)
    params = {**values, **_key_params("after", after), **_key_params("bound", bound), "limit": limit}
    return list(map(ListRow._make, read(statement, params)))


def _page_lights(user, ids: list[int], now: datetime) -> dict[int, str]:
    """Each case's worst light among the assignments the user sees (`_worst_lights`, prepared)."""
    if not ids:
        return {}
    unit = user.role in perm.UNIT_ROLES

    def build():
        query = (select(Assignment.case_id, *LIGHT_COLUMNS)
                 .where(Assignment.case_id.in_(bindparam("ids", expanding=True))))
        if unit:
            query = query.where(Assignment.unit_id == _param("visible_unit", Assignment.unit_id))
        return query

    lights = dict.fromkeys(ids, "none")
    order = rules.LIGHT_ORDER
    for assignment in read(_prepared(("lights", unit), build),
                                         {"ids": ids, "visible_unit": user.unit_id or -1}):
        light = rules.light(assignment, now)
        if order[light] > order[lights[assignment.case_id]]:
            lights[assignment.case_id] = light
    return lights


@dataclass
class ListPage:
    rows: list[ListRow]
    total: int
    more_than: bool                       # the count stopped at COUNT_CAP
    next_cursor: str | None = None
    prev_cursor: str | None = None
    lights: dict[int, str] = field(default_factory=dict)     # each row's worst visible light


def count_capped(conds: list, cap: int | None = None) -> tuple[int, bool]:
    cap = COUNT_CAP if cap is None else cap
    inner = select(Case.id).where(*conds).limit(cap + 1).subquery()
    total = read(select(func.count()).select_from(inner)).scalar() or 0
    return min(total, cap), total > cap


def count_capped_by_street(conds: list, street_ids: list[int], cap: int | None = None) -> tuple[int, bool]:
    """`count_capped` over several streets, counted one street at a time (`street_id = ?` each, in
    one statement): an index that begins with the street is then read, whatever the statistics."""
    cap = COUNT_CAP if cap is None else cap
    if not street_ids:
        return 0, False
    arms = [select(Case.id).where(*conds, Case.street_id == street_id).limit(cap + 1).subquery()
            for street_id in street_ids]
    inner = union_all(*[select(arm.c.id) for arm in arms]).subquery()
    total = read(select(func.count()).select_from(inner)).scalar() or 0
    return min(total, cap), total > cap


def _tallied(user, f: CaseFilters) -> dict | None:
    """The street, community and state (`figures.rates.case_count`) whose cases are the list's, when
    the list is a district's, a street's or a community's with no filter but those: the month
    tallies hold its exact count. None: the list must be counted from the cases."""
    if f.q or f.level or f.category or f.light or f.date_from or f.date_to:
        return None
    street, community = None, f.community or None
    if user.role == perm.DISTRICT_ADMIN:
        street = f.street or None
    elif user.role in perm.STREET_ROLES and user.street_id is not None:
        street = user.street_id
    elif user.role == perm.GRID_WORKER and user.community_id is not None and community in (None, user.community_id):
        community = user.community_id
    else:
        return None
    return {"street_id": street, "community_id": community, "state": f.state or None}


def _list_count(user, f: CaseFilters, values: dict, unit_cases: int | None) -> tuple[int, bool]:
    """The list's count, stopped after COUNT_CAP cases. `unit_cases`: a unit's cases, counted up to
    COUNT_CAP + 1 (without a filter, that is the count).

    The district's, a street's or a community's cases, filtered by nothing but a street, a community
    or a state, are counted exactly from the month tallies (`_tallied`): 0.08 ms where skipping
    10,000 index entries took 0.5. Otherwise the scope alone, or with a street or a state, is
    counted from an index that holds it all: the count asks first for the case after the cap
    (`LIMIT 1 OFFSET cap`) and counts only if there is none; skipping 10,000 index entries takes
    0.16-0.5 ms, counting them in a subquery 0.8 ms. Other
    filters may have each case's row read, and below the cap that would be done twice: they are
    counted once, up to the cap. A unit filtered by a closed or rejected state, a community, a
    level or a category is counted from its assignments (ix_assignment_unit_case), each case
    tested once."""
    unit = user.role in perm.UNIT_ROLES
    if unit and not f.active:
        return min(unit_cases, COUNT_CAP), unit_cases > COUNT_CAP
    tallied = _tallied(user, f)
    if tallied is not None:
        from portal.figures.rates import case_count

        return case_count(**tallied), False
    # A unit's cases in an open state: the district's are few; walk them, probing each for the unit.
    unit_walk = unit and (unit_cases > UNIT_WALK_MIN and f.state and f.state not in FINAL_CASE_STATES
                          and not (f.q or f.light or f.level or f.community or f.category))

    def build():
        if unit and not unit_walk and not _lit(f):
            assigned = aliased(Assignment)
            filters = _conditions(user, f, counting=True, unit_walk=True)[1:]
            inner = (select(assigned.case_id).where(assigned.unit_id == _param("unit", Assignment.unit_id),
                                                    exists().where(Case.id == assigned.case_id, *filters))
                     .distinct().limit(bindparam("cap_and_one")).subquery())
            return select(func.count()).select_from(inner)
        conds = _conditions(user, f, counting=True, unit_walk=unit_walk) or [
            _whole_index(Case.created_at, descending=True)]     # the district's count: every case
        if f.q or f.light or f.level or f.community or f.category or f.date_from or f.date_to:
            return select(func.count()).select_from(
                select(Case.id).where(*conds).limit(bindparam("cap_and_one")).subquery())
        beyond = select(Case.id).where(*conds).limit(1).offset(bindparam("cap")).scalar_subquery()
        counted = select(func.count()).select_from(Case).where(*conds).scalar_subquery()
        return select(sql_case((beyond.is_not(None), bindparam("cap_and_one")), else_=counted))

    statement = _prepared(_shape(user, f, "count", unit_walk), build)
    total = read(statement, {**values, "cap": COUNT_CAP, "cap_and_one": COUNT_CAP + 1}).scalar() or 0
    return min(total, COUNT_CAP), total > COUNT_CAP


def search(user, f: CaseFilters, now: datetime | None = None, page_size: int = PAGE_SIZE) -> ListPage:
    """One page of the user's cases (keyset paging: `after`/`before` carry a row's sort values).

    One statement reads the page (`_page_rows`): its ids from one walk of an index, then only
    those cases, as plain rows. One more counts (`_list_count`), one more reads the page's lights
    (`_page_lights`); a unit's cases are counted first (`_unit_case_count`). Each is prepared
    once for each shape of the list (`_prepared`)."""
    now = now or utcnow()
    values = _values(user, f, now)
    unit_walk, unit_cases = False, None
    if user.role in perm.UNIT_ROLES:
        unit_cases, all_cases = _unit_case_count(user)
        unit_walk = _unit_walks(f, unit_cases)
    if _number_like(f) and f.sort != "number" and user.role not in perm.UNIT_ROLES:
        f.number_matches = _number_matches(f)
    total, more = _list_count(user, f, values, unit_cases)
    backwards, key = False, None
    if f.before and (found := _key_values(f.before, f)) is not None:
        backwards, key = True, found
    elif f.after and (found := _key_values(f.after, f)) is not None:
        key = found
    rows = None
    if unit_walk:
        bound = _walk_bound(user, f, values, _walk_span(unit_cases, all_cases, page_size), after=key,
                            backwards=backwards)
        rows = _page_rows(user, f, values, page_size + 1, after=key, backwards=backwards, unit_walk=True,
                          bound=bound)
        if len(rows) <= page_size and bound is not None:
            rows = None         # the walk stopped at its bound: the page may go on beyond it
    if rows is None:
        rows = _page_rows(user, f, values, page_size + 1, after=key, backwards=backwards)
    more_rows = len(rows) > page_size
    if more_rows:           # the row furthest from the keyset only tells that there is more
        rows = rows[1:] if backwards else rows[:page_size]
    page = ListPage(rows=rows, total=total, more_than=more, lights=_page_lights(user, [r.id for r in rows], now))
    if rows:
        if (backwards and key is not None) or (not backwards and more_rows):
            page.next_cursor = _key_of(rows[-1], f)
        if (backwards and more_rows) or (not backwards and key is not None):
            page.prev_cursor = _key_of(rows[0], f)
    return page


# --- export --------------------------------------------------------------------------------------

# The file format, not UI text: Chinese whatever the interface language (as the list's other files).
EXPORT_COLUMNS = ("案件编号", "受理时间", "渠道", "街道", "社区", "地址", "问题描述", "事项编码", "事项名称",
                  "类别", "分级", "状态", "亮灯", "承办单位", "吹哨类型", "结案时间", "强制结案")
EXPORT_LOCALE = "zh_CN"


def _export_texts() -> dict[str, dict]:
    """The vocabularies' labels in the export's language (the same words the pages use)."""
    vocabularies = {"state": CASE_STATES, "channel": CHANNELS, "level": LEVELS, "light": LIGHTS,
                    "kind": WHISTLE_KINDS, "category": CATEGORY_LABELS}
    with force_locale(EXPORT_LOCALE):
        texts = {name: {code: str(label) for code, label in vocab.items()}
                 for name, vocab in vocabularies.items()}
    texts["light"]["none"] = ""
    return texts


def _local_text(value: datetime | None) -> str:
    return format_local(value) if value else ""


_EXPORT_FIELDS = (Case.id, Case.number, Case.created_at, Case.channel, Street.name.label("street_name"),
                  Community.name.label("community_name"), Case.address, Case.description,
                  Matter.code.label("matter_code"), Matter.title.label("matter_title"),
                  Matter.category.label("matter_category"), Case.level, Case.state, Case.whistle_kind,
                  Case.closed_at, Case.forced_closure)
_EXPORT_UNITS = (Assignment.case_id, Unit.name.label("unit_name"), Assignment.state, Assignment.sign_deadline,
                 Assignment.complete_deadline, Assignment.sign_warn_at, Assignment.complete_warn_at)


def export_rows(user, f: CaseFilters, now: datetime | None = None, cap: int | None = None):
    """The header, then one row per case of the filtered list (at most `cap`), with safe cells.

    Plain rows, not ORM objects, read 1,000 cases at a time: 50,000 rows take seconds, not minutes.
    """
    now = now or utcnow()
    cap = EXPORT_CAP if cap is None else cap
    yield list(EXPORT_COLUMNS)
    text = _export_texts()
    ids = ordered_ids(user, f, now, cap)
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        cases = {r.id: r for r in read(
            select(*_EXPORT_FIELDS).join(Street, Street.id == Case.street_id)
            .join(Community, Community.id == Case.community_id).outerjoin(Matter, Matter.id == Case.matter_id)
            .where(Case.id.in_(chunk)))}
        units_query = select(*_EXPORT_UNITS).join(Unit, Unit.id == Assignment.unit_id).where(
            Assignment.case_id.in_(chunk)).order_by(Assignment.id)
        if (extra := _visible_assignment(user)) is not None:
            units_query = units_query.where(extra)
        units: dict[int, list] = {}
        for row in read(units_query):
            units.setdefault(row.case_id, []).append(row)
        for case_id in chunk:
            case = cases.get(case_id)
            if case is None:
                continue
            seen = units.get(case_id, [])
            worst = max((rules.light(a, now) for a in seen), key=rules.LIGHT_ORDER.__getitem__, default="none")
            values = [
                case.number, _local_text(case.created_at), text["channel"].get(case.channel, case.channel),
                case.street_name, case.community_name, case.address, case.description,
                case.matter_code or "", case.matter_title or "", text["category"].get(case.matter_category or "", ""),
                text["level"].get(case.level, ""), text["state"].get(case.state, case.state), text["light"][worst],
                "、".join(a.unit_name for a in seen if a.state not in ("returned", "cancelled")),
                text["kind"].get(case.whistle_kind or "", ""), _local_text(case.closed_at),
                "是" if case.forced_closure else "",
            ]
            yield [safe_cell(v) for v in values]


def to_csv(rows) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def to_xlsx(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("案件列表")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- my queue (我的待办) ---------------------------------------------------------------------------

QUEUE_TABS = {
    "triage": _l("To triage"),
    "dispatch": _l("To dispatch"),
    "adjudicate": _l("To adjudicate"),
    "verify": _l("To verify"),
    "sign": _l("To sign for"),
    "check_in": _l("To check in"),
    "report": _l("To report"),
    "community": _l("New in my community"),
    "overdue": _l("Overdue"),
}
OFFICE_TABS = ("triage", "dispatch", "adjudicate", "verify", "overdue")
ROLE_TABS = {
    perm.DISTRICT_ADMIN: OFFICE_TABS,
    perm.STREET_SECRETARY: OFFICE_TABS,
    perm.STREET_DISPATCHER: OFFICE_TABS,
    perm.UNIT_CHIEF: ("sign", "check_in", "report", "overdue"),
    perm.UNIT_STAFF: ("sign", "check_in", "report", "overdue"),
    perm.GRID_WORKER: ("community", "overdue"),
}
# Assignment states behind each unit tab.
UNIT_TAB_STATES = {"sign": ("dispatched",), "check_in": ("accepted",), "report": ("on_site", "sent_back")}


def queue_tabs(user) -> tuple[str, ...]:
    return ROLE_TABS.get(user.role, ())


def _office_scope(user):
    """The cases the user's office acts on: the district platform the district-level ones, a
    street office the rest of its street (the same split as `rules.CONDITIONS["adjudicate"]`)."""
    if user.role == perm.DISTRICT_ADMIN:
        return Case.district_level.is_(True)
    return and_(Case.street_id == (user.street_id or -1), Case.district_level.is_(False))


def open_cases_term():
    """`state NOT IN ('closed', 'rejected')` with literal values: the WHERE of the partial index
    ix_case_open_office, which a query must repeat word for word for SQLite to read that index."""
    return Case.state.not_in([literal_column(f"'{state}'") for state in FINAL_CASE_STATES])


# The office tabs' states (all open: `open_cases_term` changes nothing but the index).
OFFICE_STATES = ("new", "reopened", "triaged", "returned", "in_progress", "resolved")
# `IN` rather than EXISTS: the submitted assignments are read once from an index of `assignment`.
_VERIFY = and_(Case.state.in_(("in_progress", "resolved")), or_(
    Case.state == "resolved",
    Case.id.in_(select(Assignment.case_id).where(Assignment.state == "submitted"))))
_OFFICE_TAB_CONDITIONS = {
    "triage": Case.state.in_(("new", "reopened")),
    "dispatch": Case.state == "triaged",
    "adjudicate": Case.state == "returned",
    "verify": _VERIFY,
}


def _red_case_ids(user, now: datetime):
    """The cases of the overdue (red) assignments the user sees: `rules.light_clause("red")` split
    into its two deadlines, each half read from one index of `assignment` alone (state, deadline,
    case_id). A case comes once per overdue assignment; use it in `IN` or count it DISTINCT."""
    late = select(Assignment.case_id).where(Assignment.state.in_(OPEN_ASSIGNMENT_STATES),
                                            Assignment.complete_deadline <= now)
    unsigned = select(Assignment.case_id).where(Assignment.state == "dispatched", Assignment.sign_deadline <= now)
    extra = _visible_assignment(user)
    if extra is not None:
        late, unsigned = late.where(extra), unsigned.where(extra)
    return union_all(late, unsigned)


def _overdue_conditions(user, now: datetime) -> list:
    """WHERE on `Case`: the overdue cases the user watches (and may press): the district all,
    a street its own, a grid worker the community's."""
    red = Case.id.in_(_red_case_ids(user, now))
    if user.role == perm.DISTRICT_ADMIN:
        return [red]            # every case has a street: the district watches every overdue case
    if user.role == perm.GRID_WORKER:
        # `+ 0`: the community's overdue cases are found by id, not by walking the community's cases.
        return [Case.community_id + 0 == (user.community_id or -1), red]
    return [rules.case_scope_clause(user), red]


def queue_counts(user, now: datetime | None = None) -> dict[str, int]:
    """How many items wait in each of the user's tabs: two queries for an office, one otherwise.

    An office's tabs are counted from ix_case_open_office alone; its overdue cases from the two
    deadline indexes of `assignment` (and, for a street, each overdue case's street)."""
    now = now or utcnow()
    tabs = queue_tabs(user)
    counts = dict.fromkeys(tabs, 0)
    if not tabs:
        return counts
    if user.role in OFFICE_ROLES:
        office_tabs = [t for t in OFFICE_TABS if t != "overdue"]
        row = read(select(*[func.count().filter(_OFFICE_TAB_CONDITIONS[t]) for t in office_tabs])
                                 .where(_office_scope(user), Case.state.in_(OFFICE_STATES), open_cases_term())).one()
        counts.update(zip(office_tabs, row))
        if user.role == perm.DISTRICT_ADMIN:
            red = _red_case_ids(user, now).subquery()
            counts["overdue"] = db.session.scalar(select(func.count(red.c.case_id.distinct()))) or 0
        else:
            counts["overdue"] = db.session.scalar(
                select(func.count()).select_from(Case).where(*_overdue_conditions(user, now))) or 0
    elif user.role in perm.UNIT_ROLES:
        red = rules.light_clause("red", now)
        row = read(select(
            *[func.count().filter(Assignment.state.in_(UNIT_TAB_STATES[t])) for t in ("sign", "check_in", "report")],
            func.count().filter(red)).where(
            Assignment.unit_id == (user.unit_id or -1), Assignment.state.in_(OPEN_ASSIGNMENT_STATES))).one()
        counts.update(zip(("sign", "check_in", "report", "overdue"), row))
    elif user.role == perm.GRID_WORKER:
        community = Case.community_id == (user.community_id or -1)
        row = read(select(
            func.count().filter(Case.state == "new"),
            func.count().filter(Case.id.in_(_red_case_ids(user, now)))).where(
            community, Case.state.in_(("new", "dispatched", "accepted", "in_progress")), open_cases_term())).one()
        counts.update(zip(("community", "overdue"), row))
    return counts


@dataclass
class QueueRow:
    case: Any                               # a row of QUEUE_CASE_COLUMNS
    light: str
    assignment: Any | None = None           # unit tabs: the unit's own part (QUEUE_ASSIGNMENT_COLUMNS)
    deadline: datetime | None = None


# What a queue row shows, read as plain rows (not ORM objects): a page of 100 rows stays fast.
LIGHT_COLUMNS = (Assignment.state, Assignment.sign_deadline, Assignment.complete_deadline,
                 Assignment.sign_warn_at, Assignment.complete_warn_at)
QUEUE_ASSIGNMENT_COLUMNS = (Assignment.id, Assignment.case_id, Assignment.unit_id, *LIGHT_COLUMNS)
QUEUE_CASE_COLUMNS = (Case.id, Case.number, Case.state, Case.forced_closure, Case.whistle_kind, Case.description,
                      Case.created_at, Matter.title.label("matter_title"), Community.name.label("community_name"))


def _queue_cases(ids: list[int]) -> dict[int, Any]:
    if not ids:
        return {}
    query = (select(*QUEUE_CASE_COLUMNS).join(Community, Community.id == Case.community_id)
             .outerjoin(Matter, Matter.id == Case.matter_id).where(Case.id.in_(ids)))
    return {row.id: row for row in read(query)}


def _worst_lights(ids: list[int], user, now: datetime) -> dict[int, str]:
    """Each case's worst light among the assignments the user sees (`row_light`, in one query)."""
    if not ids:
        return {}
    query = select(Assignment.case_id, *LIGHT_COLUMNS).where(Assignment.case_id.in_(ids))
    if (extra := _visible_assignment(user)) is not None:
        query = query.where(extra)
    worst: dict[int, str] = {}
    order = rules.LIGHT_ORDER
    for assignment in read(query):
        light = rules.light(assignment, now)
        if order[light] > order[worst.get(assignment.case_id, "none")]:
            worst[assignment.case_id] = light
    return worst


def queue_rows(user, tab: str, now: datetime | None = None, limit: int = QUEUE_ROWS) -> list[QueueRow]:
    """The items of one tab, the most urgent first: the ids from an index, then what the rows show."""
    now = now or utcnow()
    if tab not in queue_tabs(user):
        return []
    if user.role in perm.UNIT_ROLES:
        # The unit's assignments of the tab, picked without an order (as `_longest_waiting` does):
        # asked for the deadline's order, SQLite may walk the district's whole deadline index.
        tab_condition = (rules.light_clause("red", now) if tab == "overdue"
                         else Assignment.state.in_(UNIT_TAB_STATES[tab]))
        picked = (select(*QUEUE_ASSIGNMENT_COLUMNS).where(Assignment.unit_id == (user.unit_id or -1), tab_condition)
                  .cte("picked").prefix_with("MATERIALIZED"))
        deadline = picked.c.sign_deadline if tab == "sign" else picked.c.complete_deadline
        assignments = read(select(picked).order_by(deadline, picked.c.id).limit(limit)).all()
        cases = _queue_cases(list({a.case_id: None for a in assignments}))
        return [QueueRow(cases[a.case_id], rules.light(a, now), a,
                         a.sign_deadline if a.state == "dispatched" else a.complete_deadline)
                for a in assignments]
    if tab == "overdue" and user.role == perm.DISTRICT_ADMIN:
        # Every overdue case of the district: read by id (there is no other way in), then sorted.
        ids = list(db.session.scalars(select(Case.id).where(*_overdue_conditions(user, now))
                                      .order_by(Case.created_at, Case.id).limit(limit)))
    elif tab == "overdue":
        ids = _longest_waiting(_overdue_conditions(user, now), limit, picked_with_time=False)
    elif user.role in OFFICE_ROLES:
        ids = _longest_waiting([_office_scope(user), _OFFICE_TAB_CONDITIONS[tab], open_cases_term()], limit)
    else:
        ids = _longest_waiting([Case.community_id == (user.community_id or -1), Case.state == "new",
                                open_cases_term()], limit)
    cases, lights = _queue_cases(ids), _worst_lights(ids, user, now)
    return [QueueRow(cases[i], lights.get(i, "none")) for i in ids]


def _longest_waiting(conds: list, limit: int, *, picked_with_time: bool = True) -> list[int]:
    """The ids of the first `limit` cases matching `conds`, the longest waiting first.

    The cases are picked in a MATERIALIZED common table expression, which has no order of its own:
    asked for `ORDER BY created_at`, SQLite would rather walk ix_case_street_created, in order,
    through every case of the street, than find the few it needs in ix_case_open_office (or, for
    overdue cases, ix_case_street) and sort them. An office tab picks (id, created_at) from its
    index alone; overdue cases are picked by id, and only those are read for their time."""
    if picked_with_time:
        picked = select(Case.id, Case.created_at).where(*conds).cte("picked").prefix_with("MATERIALIZED")
        query = select(picked.c.id).order_by(picked.c.created_at, picked.c.id)
    else:
        picked = select(Case.id).where(*conds).cte("picked").prefix_with("MATERIALIZED")
        query = select(Case.id).where(Case.id.in_(select(picked.c.id))).order_by(Case.created_at, Case.id)
    return list(db.session.scalars(query.limit(limit)))


# --- ledgers -------------------------------------------------------------------------------------


def _ledger_street_scope(user, street: int | None):
    """The ledger's street condition."""
    if user.role == perm.DISTRICT_ADMIN:
        # Every case has a street: without a street filter the district's ledgers need no condition,
        # so counts stay inside the ledger's own index (an `IN (all streets)` reads every row).
        return Case.street_id == street if street else true()
    return Case.street_id == (user.street_id or -1)


@dataclass
class LedgerPage:
    rows: list
    total: int
    page: int
    pages: int
    extra: dict = field(default_factory=dict)


def _paged(query, count_query, page: int, page_size: int = LEDGER_PAGE) -> tuple[list, int, int, int]:
    total = db.session.scalar(count_query) or 0
    return _paged_rows(query, total, page, page_size)


def _paged_rows(query, total: int, page: int, page_size: int = LEDGER_PAGE) -> tuple[list, int, int, int]:
    pages = max(math.ceil(total / page_size), 1)
    page = min(max(page, 1), pages)
    rows = db.session.scalars(query.limit(page_size).offset((page - 1) * page_size)).all()
    return rows, total, page, pages


def forced_closures(user, *, street: int | None = None, date_from: date | None = None,
                    date_to: date | None = None, page: int = 1) -> LedgerPage:
    """强制结案台账: force-closed cases with their reason, who closed them and when."""
    conds = [Case.forced_closure.is_(True), _ledger_street_scope(user, street)]
    if date_from:
        conds.append(Case.closed_at >= _day_start(date_from))
    if date_to:
        conds.append(Case.closed_at < _day_start(date_to + timedelta(days=1)))
    query = (select(Case).where(*conds).order_by(Case.closed_at.desc(), Case.id.desc())
             .options(selectinload(Case.street), selectinload(Case.community), selectinload(Case.matter),
                      selectinload(Case.assignments).selectinload(Assignment.unit)))
    rows, total, page, pages = _paged(query, select(func.count(Case.id)).where(*conds), page)
    events = {}
    if rows:
        for event in db.session.scalars(select(CaseEvent).where(
                CaseEvent.case_id.in_([c.id for c in rows]), CaseEvent.action == "force_close")
                .options(selectinload(CaseEvent.actor)).order_by(CaseEvent.id)):
            events[event.case_id] = event
    return LedgerPage(rows, total, page, pages, {"events": events})


# `whistle_filed = 1`, the WHERE of the partial index ix_case_whistles_street (`IS 1` would not match it).
WHISTLE_FILED = Case.whistle_filed == true()
REGISTER_CASE_COLUMNS = (Case.id, Case.number, Case.whistled_at, Case.whistle_kind, Case.state, Case.forced_closure,
                         Case.description, Matter.title.label("matter_title"), Street.name.label("street_name"))
REGISTER_ASSIGNMENT_COLUMNS = (Assignment.id, Assignment.case_id, Assignment.role, *LIGHT_COLUMNS,
                               Unit.name.label("unit_name"))


@dataclass
class WhistleRow:
    case: Any                               # a row of REGISTER_CASE_COLUMNS
    units: list[tuple[Any, str]]            # (a row of REGISTER_ASSIGNMENT_COLUMNS, its light), in order
    light: str                              # the case's worst light


def whistle_register(user, *, street: int | None = None, kind: str = "", status: str = "",
                     page: int = 1, now: datetime | None = None) -> LedgerPage:
    """吹哨台账: every whistle filed with the district, its units, state and lights.

    A street's whistles (or the district's, filtered by a street) are read from the partial index
    ix_case_whistles_street, newest first, which also holds the kind and state the filters test.
    The count stops after COUNT_CAP whistles ("more than 10,000"), as the case list's does. Only
    the page's 50 cases are read in full."""
    now = now or utcnow()
    filters = []
    if kind in WHISTLE_KINDS:
        filters.append(Case.whistle_kind == kind)
    if status == "open":
        filters.append(Case.state.not_in(("closed", "rejected")))
    elif status == "closed":
        filters.append(Case.state.in_(("closed", "rejected")))
    if user.role == perm.DISTRICT_ADMIN and not street:
        # The district's page walks ix_case_whistled, newest first, written `IS 1` so that SQLite
        # cannot sort the partial index instead. Its count reads ix_case_whistled too, unless a kind
        # or state filter would have it read every whistle's row: then ix_case_whistles_street,
        # street by street.
        conds = [Case.whistle_filed.is_(True), *filters]
        total, more_than = (count_capped_by_street([WHISTLE_FILED, *filters], _all_street_ids()) if filters
                            else count_capped(conds))
    else:
        conds = [WHISTLE_FILED, _ledger_street_scope(user, street), *filters]
        total, more_than = count_capped(conds)
    ids, total, page, pages = _paged_rows(
        select(Case.id).where(*conds).order_by(Case.whistled_at.desc(), Case.id.desc()), total, page)
    rows = []
    if ids:
        cases = {c.id: c for c in read(
            select(*REGISTER_CASE_COLUMNS).join(Street, Street.id == Case.street_id)
            .outerjoin(Matter, Matter.id == Case.matter_id).where(Case.id.in_(ids)))}
        units: dict[int, list] = {}
        for a in read(select(*REGISTER_ASSIGNMENT_COLUMNS).join(Unit, Unit.id == Assignment.unit_id)
                                    .where(Assignment.case_id.in_(ids)).order_by(Assignment.id)):
            units.setdefault(a.case_id, []).append((a, rules.light(a, now)))
        for case_id in ids:
            seen = units.get(case_id, [])
            worst = max((light for _a, light in seen), key=rules.LIGHT_ORDER.__getitem__, default="none")
            rows.append(WhistleRow(cases[case_id], seen, worst))
    return LedgerPage(rows, total, page, pages, {"more_than": more_than})


def to_adjudicate(user) -> list[tuple[Case, Assignment | None]]:
    """Returned cases this user's office decides on, oldest first, with the unit's return."""
    cases = db.session.scalars(select(Case).where(_office_scope(user), Case.state == "returned")
                               .order_by(Case.updated_at, Case.id)
                               .options(selectinload(Case.street), selectinload(Case.community),
                                        selectinload(Case.matter),
                                        selectinload(Case.assignments).selectinload(Assignment.unit))).all()
    out = []
    for case in cases:
        returned = [a for a in case.assignments if a.state == "returned"]
        out.append((case, returned[-1] if returned else None))
    return out


# --- intake --------------------------------------------------------------------------------------

PHONE = re.compile(r"^[0-9+\-() ]{3,30}$")


class IntakeForm(FlaskForm):
    channel = SelectField(_l("Channel"), validators=[DataRequired(message=_l("Choose a channel."))])
    reporter_name = StringField(_l("Reporter's name"), validators=[Optional(), Length(max=50)])
    reporter_phone = StringField(_l("Reporter's phone"), validators=[
        Optional(), Regexp(PHONE, message=_l("Use digits, spaces, + and - only."))])
    contact_consent = BooleanField(_l("The reporter agrees to be contacted about the case"))
    community_id = SelectField(_l("Community"), coerce=int,
                               validators=[DataRequired(message=_l("Choose a community."))])
    grid_id = SelectField(_l("Grid"), coerce=int, validate_choice=False)
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("What is the problem?"), validators=[
        DataRequired(message=_l("Describe the problem.")), Length(max=rules.MAX_DESCRIPTION)])
    district_level = BooleanField(_l("File at district level (the district platform dispatches it)"))


def _intake_form(user) -> IntakeForm:
    form = IntakeForm()
    form.channel.choices = [(c, CHANNELS[c]) for c in STAFF_CHANNELS]
    communities = scope_communities(user, active_only=True)
    several_streets = len({c.street_id for c in communities}) > 1
    form.community_id.choices = ([(0, _("— choose —"))] if len(communities) != 1 else []) + [
        (c.id, f"{c.street.name} · {c.name}" if several_streets else c.name) for c in communities]
    names = {c.id: c.name for c in communities}
    form.grid_id.choices = [(0, _("— none —"))] + [
        (g.id, f"{names[g.community_id]} · {g.name}") for g in db.session.scalars(
            select(Grid).where(Grid.community_id.in_(list(names) or [-1]), Grid.active)
            .order_by(Grid.community_id, Grid.code))]
    if request.method == "GET":
        form.channel.data = "grid_worker" if user.role == perm.GRID_WORKER else "hotline_12345"
        if len(communities) == 1:
            form.community_id.data = communities[0].id
    if user.role != perm.DISTRICT_ADMIN:
        del form.district_level
    return form


def _chosen_matter(user, value, community: Community | None) -> tuple[Matter | None, str | None]:
    """The posted responsibility-list item if the user may point at it; else (None, error)."""
    if value in (None, ""):
        return None, None
    matter = db.session.get(Matter, int(value)) if str(value).isdigit() else None
    if matter is None or not matter.active:
        return None, _("Choose an active item of the responsibility list.")
    street_id = community.street_id if community is not None else None
    if matter.owner_street_id is not None and matter.owner_street_id != street_id:
        return None, _("Choose an item of the district list or of the case's street.")
    return matter, None


def _intake_page(form, *, matter=None, errors=None, http_status=200):
    errors = errors or {}
    return render("cases/intake.html", form=form, matter=matter, errors=errors,
                  max_photos=uploads.MAX_PHOTOS, max_mb=uploads.max_bytes() // (1024 * 1024),
                  duplicates=_duplicates_for(form.community_id.data, matter.id if matter else None),
                  http_status=http_status)


def _duplicates_for(community_id, matter_id) -> list[Case]:
    if not community_id or not matter_id:
        return []
    if not any(c.id == community_id for c in scope_communities(current_user)):
        return []
    return rules.possible_duplicates(community_id, matter_id)


@bp.route("/new", methods=["GET", "POST"])
@perm.roles_required(*INTAKE_ROLES)
def intake():
    """Take in a case reported by phone, on patrol or by a grid worker, with up to six photos."""
    user = current_user
    form = _intake_form(user)
    if request.method == "GET":
        return _intake_page(form)
    valid = form.validate_on_submit()
    community = db.session.get(Community, form.community_id.data) if form.community_id.data else None
    matter, matter_error = _chosen_matter(user, request.form.get("matter_id"), community)
    errors = {"matter": matter_error} if matter_error else {}
    if not valid or errors:
        return _intake_page(form, matter=matter, errors=errors, http_status=422)
    try:
        return _take_in(user, form, community, matter)
    finally:
        for _name, storage in request.files.items(multi=True):
            storage.close()         # large uploads are spooled to temporary files


def _take_in(user, form: IntakeForm, community: Community, matter: Matter | None):
    photos = []
    try:
        case = rules.intake(
            user, channel=form.channel.data, community=community, grid=form.grid_id.data or None,
            description=form.description.data, address=form.address.data or "",
            reporter_name=form.reporter_name.data or "", reporter_phone=form.reporter_phone.data or "",
            contact_consent=form.contact_consent.data, matter=matter,
            district_level=bool(form.district_level.data) if "district_level" in form else False)
        photos = uploads.store_photos(request.files.getlist("photos"), "report", case=case, uploaded_by=user)
        db.session.commit()
    except uploads.InvalidUpload as refused:
        db.session.rollback()
        return _intake_page(form, matter=matter, errors={"photos": str(refused.message)}, http_status=422)
    except rules.CaseError as error:
        db.session.rollback()
        uploads.discard(photos)
        if error.status == 403:
            perm.require(False, 403)
        target = getattr(form, f"{error.field}_id", None) or getattr(form, error.field or "", None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, str(error.message)]
            return _intake_page(form, matter=matter, http_status=422)
        return _intake_page(form, matter=matter, errors={"form": str(error.message)}, http_status=422)
    except Exception:
        db.session.rollback()
        uploads.discard(photos)
        raise
    flash(_("Case %(number)s received.", number=case.number), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/new/duplicates")
@perm.roles_required(*INTAKE_ROLES)
def duplicates():
    """While the intake form is filled in: cases of the same matter in the community this week."""
    community_id = request.args.get("community_id", type=int)
    matter_id = request.args.get("matter_id", type=int)
    return render_fragment("cases/_intake_duplicates.html", duplicates=_duplicates_for(community_id, matter_id))


# --- list views ----------------------------------------------------------------------------------


def _filter_choices(user, f: CaseFilters, streets: list | None = None) -> dict:
    """The filter form's streets (the district's) and communities: those of `scope_streets` and
    `scope_communities(user, f.street)`, as plain rows (id, name), in one prepared query each."""
    if streets is None:
        streets = _list_streets(user)
    if user.role == perm.GRID_WORKER:
        return {"streets": streets, "communities": []}
    of_unit = user.role in perm.UNIT_ROLES and bool(user.unit_id)

    def build():
        query = select(Community.id, Community.name).order_by(Community.street_id, Community.code)
        if of_unit:
            query = query.where(Community.street_id == select(Unit.street_id).where(
                Unit.id == _param("unit", Unit.id)).scalar_subquery())
        elif user.role != perm.DISTRICT_ADMIN:
            query = query.where(Community.street_id == _param("own_street", Community.street_id))
        if f.street:
            query = query.where(Community.street_id == _param("street", Community.street_id))
        return query

    statement = _prepared(("communities", user.role == perm.DISTRICT_ADMIN, of_unit, bool(f.street)), build)
    communities = read(statement, {"unit": user.unit_id, "own_street": user.street_id,
                                                 "street": f.street}).all()
    return {"streets": streets, "communities": communities}


def _list_streets(user) -> list:
    """The district's `scope_streets` as plain rows (id, name); none for everyone else."""
    if user.role != perm.DISTRICT_ADMIN:
        return []
    return read(_prepared(("streets",), lambda: select(Street.id, Street.name)
                                        .order_by(Street.code))).all()


@bp.route("/")
@perm.login_required
def index():
    """List the cases the user may see, with filters, sorting on offered columns, and paging."""
    user = current_user
    streets = _list_streets(user)
    f = CaseFilters.from_args(request.args, user, streets)
    page = search(user, f)
    # An HTMX request gets the results alone (`render`), which show the streets but no form.
    choices = {"streets": streets, "communities": []} if wants_fragment() else _filter_choices(user, f, streets)
    return render("cases/list.html", "cases/_list_rows.html", f=f, result=page, sort_labels=SORT_LABELS,
                  export_cap=EXPORT_CAP, count_cap=COUNT_CAP, can_intake=user.role in INTAKE_ROLES, **choices)


@bp.route("/export.<fmt>")
@perm.login_required
def export(fmt: str):
    """Download the filtered list (at most 50,000 rows) as CSV (UTF-8 with BOM) or XLSX."""
    perm.require(fmt in ("csv", "xlsx"))
    f = CaseFilters.from_args(request.args, current_user)
    f.after = f.before = ""
    rows = export_rows(current_user, f)
    name = f"案件列表-{local_today():%Y%m%d}.{fmt}"
    if fmt == "csv":
        return send_file(io.BytesIO(to_csv(rows)), mimetype="text/csv; charset=utf-8", as_attachment=True,
                         download_name=name)
    return send_file(io.BytesIO(to_xlsx(rows)), as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _queue_context(tab: str | None):
    user = current_user
    tabs = queue_tabs(user)
    counts = queue_counts(user)
    if tab not in tabs:
        tab = next((t for t in tabs if counts.get(t)), tabs[0] if tabs else None)
    return {"tabs": tabs, "tab": tab, "counts": counts, "tab_labels": QUEUE_TABS,
            "rows": queue_rows(user, tab) if tab else [], "unit_view": user.role in perm.UNIT_ROLES}


@bp.route("/queue")
@perm.login_required
def queue():
    """我的待办: what waits for the user's role, tab by tab, with counts that refresh by themselves."""
    return render("cases/queue.html", "cases/_queue_panel.html", **_queue_context(request.args.get("tab")))


@bp.route("/queue/counts")
@perm.login_required
def queue_counts_fragment():
    """The tab bar of the queue with fresh counts (polled every 30 seconds)."""
    tab = request.args.get("tab")
    tabs = queue_tabs(current_user)
    return render_fragment("cases/_queue_tabs.html", tabs=tabs, tab=tab if tab in tabs else None,
                           counts=queue_counts(current_user), tab_labels=QUEUE_TABS)


ledger_roles = perm.roles_required(*OFFICE_ROLES)


@bp.route("/forced")
@ledger_roles
def forced():
    """强制结案台账: every forced closure in the user's scope, with reason, who and when."""
    user = current_user
    street = request.args.get("street", type=int) if user.role == perm.DISTRICT_ADMIN else None
    date_from, date_to = _parse_date(request.args.get("from")), _parse_date(request.args.get("to"))
    result = forced_closures(user, street=street, date_from=date_from, date_to=date_to,
                             page=request.args.get("page", 1, type=int) or 1)
    args = {k: v for k, v in {"street": street, "from": date_from.isoformat() if date_from else "",
                              "to": date_to.isoformat() if date_to else ""}.items() if v}
    return render("cases/ledger_forced.html", result=result, street=street, date_from=date_from,
                  date_to=date_to, args=args,
                  streets=scope_streets(user) if user.role == perm.DISTRICT_ADMIN else [])


@bp.route("/register")
@ledger_roles
def register():
    """吹哨台账: the whistles filed with the district (district: all streets; a street: its own)."""
    user = current_user
    street = request.args.get("street", type=int) if user.role == perm.DISTRICT_ADMIN else None
    kind = request.args.get("kind", "")
    kind = kind if kind in WHISTLE_KINDS else ""
    status = request.args.get("status", "")
    status = status if status in ("open", "closed") else ""
    result = whistle_register(user, street=street, kind=kind, status=status,
                              page=request.args.get("page", 1, type=int) or 1)
    args = {k: v for k, v in {"street": street, "kind": kind, "status": status}.items() if v}
    return render("cases/register.html", result=result, street=street, kind=kind, status=status, args=args,
                  streets=scope_streets(user) if user.role == perm.DISTRICT_ADMIN else [])


@bp.route("/adjudication")
@ledger_roles
def adjudication():
    """Returned cases waiting for this office's decision: dispatch again, or whistle."""
    return render("cases/adjudication.html", rows=to_adjudicate(current_user))
