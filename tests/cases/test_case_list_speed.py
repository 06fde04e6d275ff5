"""The case list at a district-year: the few statements a page runs and what SQLite does with them
(an index walk in the list's order that stops after a page), and that the fast paths list exactly
what plain SQL says, page after page, forward and back.

`portal.cases.lists` reads a page's ids from an index walk, then only those cases as plain rows, in
one statement, and their lights in one more; a unit's page walks the index too and probes each case
for the unit, or picks the unit's cases by id when it is small or the walk finds too few. The
demo's units are small: `walking_units` makes every unit walk, `short_walks` makes every walk stop
early.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, text

from portal.cases import lists, rules
from portal.cases.models import Case
from portal.extensions import db
from portal.timeutil import utcnow
from tests.cases.helpers import user
from tests.cases.test_lists import page_plans
from tests.cases.test_lists import volume_app  # noqa: F401  (a fixture: statistics as at 600,000 cases)

# Not even an index of `case` or `assignment` is scanned: a walk from the first entry is a range
# (`lists._whole_index`), and SQLite says SEARCH for it as for a walk from a keyset.
SCAN = re.compile(r"\bSCAN (case|assignment)\b[^|]*")


@pytest.fixture
def walking_units(monkeypatch):
    """Every unit's page walks an index (as a unit with thousands of cases does)."""
    monkeypatch.setattr(lists, "UNIT_WALK_MIN", 0)


@pytest.fixture
def short_walks(walking_units, monkeypatch):
    """Every unit's walk stops after three index entries: most pages are picked by id after all."""
    monkeypatch.setattr(lists, "_walk_span", lambda unit_cases, all_cases, page_size: 3)


# (EXPLAIN QUERY PLAN, statement) of each statement on `case` or `assignment` a GET runs.
list_statements = page_plans


def walk_of(plan: str) -> str:
    """The page statement's own part: before its rows are read (`SCAN page`)."""
    return plan.split("| SCAN page")[0]


# A state in a street: the state's cases newest first, or (without statistics) the street's.
STATE_OR_STREET = re.compile(r"ix_case_st(ate|reet)_created \((state|street_id)=\?")
# By state: a range of states, or of (state, time received) where a unit's walk stops.
BY_STATE = re.compile(r"COVERING INDEX ix_case_state_created \(\(?state")
# (user, path, the index the page walks, as a range of its first column (text, or a pattern), the
# index that finds a unit's cases)
PAGES = [
    ("admin", "/cases/", "COVERING INDEX ix_case_created (created_at", None),
    ("admin", "/cases/?dir=asc", "COVERING INDEX ix_case_created (created_at", None),
    ("admin", "/cases/?state=in_progress&street=1", STATE_OR_STREET, None),
    ("admin", "/cases/?state=closed&street=1", STATE_OR_STREET, None),
    ("admin", "/cases/?street=2", "ix_case_street_created (street_id=?", None),
    ("admin", "/cases/?sort=number", "COVERING INDEX sqlite_autoindex_case_1 (number", None),
    ("admin", "/cases/?sort=state&dir=asc", BY_STATE, None),
    ("admin", "/cases/?sort=street", "COVERING INDEX ix_case_street_created (street_id", None),
    ("admin", "/cases/?from=2026-01-01&to=2026-12-31", "COVERING INDEX ix_case_created (created_at>? AND created_at<?)",
     None),
    ("admin", "/cases/?community=1", "ix_case_street_created (street_id=?", None),
    ("secretary", "/cases/", "COVERING INDEX ix_case_street_created (street_id=?", None),
    ("secretary", "/cases/?state=closed", STATE_OR_STREET, None),
    ("secretary", "/cases/?sort=number&dir=asc", "COVERING INDEX ix_case_street_number (street_id=?", None),
    ("admin", "/cases/?street=2&sort=number&dir=asc", "COVERING INDEX ix_case_street_number (street_id=?", None),
    ("chief", "/cases/", "COVERING INDEX ix_case_created (created_at",
     "COVERING INDEX ix_assignment_unit_case (unit_id=? AND case_id=?)"),
    ("chief", "/cases/?state=in_progress", "COVERING INDEX ix_case_state_created (state=?",
     "COVERING INDEX ix_assignment_unit_case (unit_id=? AND case_id=?)"),
    ("chief", "/cases/?state=closed", "COVERING INDEX ix_case_state_created (state=?",
     "COVERING INDEX ix_assignment_unit_case (unit_id=? AND case_id=?)"),
    ("chief", "/cases/?sort=state", BY_STATE,
     "COVERING INDEX ix_assignment_unit_case (unit_id=? AND case_id=?)"),
    ("staff", "/cases/?sort=number", "COVERING INDEX sqlite_autoindex_case_1 (number",
     "COVERING INDEX ix_assignment_unit_case (unit_id=? AND case_id=?)"),
]


def check_page_plans(app, client_for):
    clients = {}
    for username, path, walk, unit_index in PAGES:
        client = clients.setdefault(username, client_for(username))
        statements = list_statements(app, client, path)
        where = (username, path, statements)
        # A handful of statements whatever the number of rows: no query per row.
        assert 1 <= len(statements) <= 5, where
        assert not [plan for plan, _sql in statements if SCAN.search(plan)], where
        pages = [plan for plan, sql in statements if sql.startswith("WITH page AS MATERIALIZED")]
        assert len(pages) == 1, where
        page = walk_of(pages[0])
        assert (walk.search(page) if isinstance(walk, re.Pattern) else walk in page), (username, path, page)
        assert "TEMP B-TREE" not in page, (username, path, page)
        if unit_index:
            assert unit_index in page, (username, path, page)
        # The rows: each case, its community, street and matter by id; then the lights, from the
        # page's assignments (the unit's own, for a unit).
        rows = pages[0].split("| SCAN page")[1]
        assert "SEARCH case USING INTEGER PRIMARY KEY (rowid=?)" in rows
        (lights,) = [plan for plan, sql in statements if sql.startswith("SELECT assignment.case_id")]
        assert re.fullmatch(r"SEARCH assignment USING INDEX ix_assignment_(case_id \(case_id=\?\)|"
                            r"unit_case \(unit_id=\? AND case_id=\?\))", lights), lights


def test_the_list_walks_its_indexes(app, client_for, walking_units):
    check_page_plans(app, client_for)


def test_the_list_walks_its_indexes_at_full_size(volume_app, client_for, walking_units):  # noqa: F811
    check_page_plans(volume_app, client_for)


def test_counts_read_an_index_and_stop_after_the_cap(app, client_for, walking_units):
    counts = {
        ("admin", "/cases/?from=2000-01-01"): "COVERING INDEX ix_case_created (created_at>?)",
        ("admin", "/cases/?level=2&street=1"): "USING INDEX ix_case_street (street_id=?)",
        ("secretary", "/cases/?level=2"): "USING INDEX ix_case_street (street_id=?)",
        ("chief", "/cases/"): "COVERING INDEX ix_assignment_unit_case (unit_id=?)",
        ("chief", "/cases/?state=in_progress"): "COVERING INDEX ix_case_state_created (state=?",
    }
    for (username, path), index in counts.items():
        statements = list_statements(app, client_for(username), path)
        counted = [(plan, sql) for plan, sql in statements if "count(" in sql]
        assert any(index in plan for plan, _sql in counted), (username, path, counted)
        assert all("LIMIT" in sql for _plan, sql in counted), (username, path, counted)


def test_a_scope_filtered_by_street_community_or_state_is_counted_from_the_month_tallies(app, client_for):
    for username, path in [("admin", "/cases/"), ("admin", "/cases/?state=closed&street=1"),
                           ("admin", "/cases/?community=1"), ("secretary", "/cases/"),
                           ("secretary", "/cases/?state=closed"), ("grid", "/cases/?state=closed")]:
        seen = []

        def keep(conn, cursor, statement, *args):
            seen.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", keep)
        try:
            assert client_for(username).get(path).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        assert not [sql for sql in seen if "count(" in sql], (username, path, seen)
        (tallied,) = [sql for sql in seen if "figures_case_month" in sql]
        assert '"case"' not in tallied, (username, path, tallied)


# A light that needs an open assignment: its cases come by id from the assignments' indexes (the
# open ones are about 2% of a district-year's), never from a walk of every case in scope.
LIT_PAGES = ["/cases/?light=red", "/cases/?light=yellow", "/cases/?light=green",
             "/cases/?light=red&street=1", "/cases/?light=yellow&sort=number"]
FROM_ASSIGNMENTS = re.compile(r"SEARCH assignment USING (COVERING )?INDEX "
                              r"ix_assignment_(state_complete_case|state_sign_case|unit_state) \((state|unit_id)=\?")


def check_lit_plans(app, client_for):
    for username in ("admin", "secretary", "chief"):
        client = client_for(username)
        for path in LIT_PAGES:
            statements = list_statements(app, client, path)
            where = (username, path, statements)
            assert not [plan for plan, _sql in statements if SCAN.search(plan)], where
            listed = [plan for plan, sql in statements
                      if sql.startswith("WITH") or (sql.startswith("SELECT count(") and "DISTINCT" not in sql)]
            assert len(listed) == 2, where                     # the count and the page
            for plan in listed:
                assert FROM_ASSIGNMENTS.search(plan), (username, path, plan)
                first = plan.split(" | ")[:3]
                assert any(step.startswith("SEARCH case USING INTEGER PRIMARY KEY") for step in first), \
                    (username, path, plan)


def test_a_light_reads_the_open_assignments_not_every_case(app, client_for):
    check_lit_plans(app, client_for)


def test_a_light_reads_the_open_assignments_not_every_case_at_full_size(volume_app, client_for):  # noqa: F811
    check_lit_plans(volume_app, client_for)


def test_a_large_units_walk_goes_no_further_than_its_span(app, client_for, walking_units):
    statements = list_statements(app, client_for("chief"), "/cases/?sort=number&dir=asc")
    bound = [(plan, sql) for plan, sql in statements if "OFFSET" in sql and "count(" not in sql
             and not sql.startswith("WITH")]
    assert len(bound) == 1, statements
    plan, _sql = bound[0]
    assert "COVERING INDEX sqlite_autoindex_case_1" in plan and "assignment" not in plan


# --- what the fast paths list, against plain SQL ----------------------------------------------------

SCOPES = {
    "admin": "1 = 1",
    "secretary": "street_id = (SELECT street_id FROM user WHERE username = 'secretary')",
    "secretary2": "street_id = (SELECT street_id FROM user WHERE username = 'secretary2')",
    **{name: "id IN (SELECT case_id FROM assignment WHERE unit_id = "
                 f"(SELECT unit_id FROM user WHERE username = '{name}'))" for name in ("chief", "staff", "chief2")},
    "grid": "community_id = (SELECT community_id FROM user WHERE username = 'grid')",
}
UNIT_USERS = ("chief", "staff", "chief2")
SQL_ORDER = {
    "created": "created_at {d}, id {d}", "number": "number {d}, id {d}", "state": "state {d}, created_at {d}, id {d}",
    "street": "street_id {d}, created_at {d}, id {d}",
}
FILTERS = [
    ({}, "1 = 1"),
    ({"state": "closed"}, "state = 'closed'"),
    ({"state": "in_progress"}, "state = 'in_progress'"),
    ({"level": 2}, "level = 2"),
    ({"q": "QT-2026"}, "number >= 'QT-2026' AND number < 'QT-2026~'"),
    ({"q": "门口"}, "(description LIKE '%门口%' OR address LIKE '%门口%')"),
    ({"category": "enforcement"}, "matter_id IN (SELECT id FROM matter WHERE category = 'enforcement')"),
    ({"state": "dispatched", "level": 2}, "state = 'dispatched' AND level = 2"),
    ({"date_from": date(2000, 1, 1), "date_to": date(2100, 1, 1)}, "1 = 1"),
    ({"date_from": date(2100, 1, 1)}, "0 = 1"),
]


def sql_list(username: str, where: str, sort: str, direction: str) -> list[str]:
    order = SQL_ORDER[sort].format(d=direction)
    return list(db.session.scalars(text(f'SELECT number FROM "case" WHERE ({SCOPES[username]}) AND {where} '
                                        f"ORDER BY {order}")))


def walk_pages(u, filters: lists.CaseFilters, page_size: int, now=None):
    """Every page forward from the first, then back from the last by each page's "previous"."""
    now = now or utcnow()
    forward, f = [], filters
    while True:
        page = lists.search(u, f, now=now, page_size=page_size)
        forward.append(page)
        if not page.next_cursor:
            break
        f = lists.CaseFilters(**{**vars(filters), "after": page.next_cursor})
    backward = [forward[-1]]
    while backward[-1].prev_cursor:
        f = lists.CaseFilters(**{**vars(filters), "before": backward[-1].prev_cursor})
        backward.append(lists.search(u, f, now=now, page_size=page_size))
    return forward, backward


@pytest.mark.parametrize("units", ["picked", "walking", "short walks"])
def test_pages_and_counts_are_those_of_plain_sql(app, monkeypatch, units, request):
    if units != "picked":
        request.getfixturevalue("short_walks" if units == "short walks" else "walking_units")
    cap = 10
    monkeypatch.setattr(lists, "COUNT_CAP", cap)         # some counts stop at the cap, some do not
    exact_past_the_cap = []
    with app.test_request_context():
        for username in SCOPES:
            u = user(username)
            sorts = ["created", "number", "state"] + (["street"] if username == "admin" else [])
            for sort in sorts:
                for direction in ("desc", "asc"):
                    for filters, where in FILTERS:
                        if sort != "created" and len(filters) > 1:
                            continue
                        expected = sql_list(username, where, sort, direction)
                        f = lists.CaseFilters(sort=sort, direction=direction, **filters)
                        forward, backward = walk_pages(u, f, page_size=9)
                        case = (username, sort, direction, filters)
                        assert [r.number for p in forward for r in p.rows] == expected, case
                        assert [r.number for p in reversed(backward) for r in p.rows] == expected, case
                        assert all(len(p.rows) == 9 for p in forward[:-1]), case
                        total, more = forward[0].total, forward[0].more_than
                        if username in UNIT_USERS or set(filters) - {"state"}:
                            assert (total, more) == (min(len(expected), cap), len(expected) > cap), case
                        else:       # the month tallies' count: exact
                            assert (total, more) == (len(expected), False), case
                            exact_past_the_cap.append(len(expected) > cap)
    assert any(exact_past_the_cap) and not all(exact_past_the_cap)


def test_a_number_prefix_of_many_cases_is_walked_in_list_order_with_the_same_pages(app, client_for, monkeypatch):
    """A prefix matching more than NUMBER_RANGE_MAX cases walks the list's index and tests each
    case's number (the number's index would give them all, to sort); same pages as plain SQL."""
    monkeypatch.setattr(lists, "NUMBER_RANGE_MAX", 3)             # the demo's "QT-2026" is many
    where = "number >= 'QT-2026' AND number < 'QT-2026~'"
    with app.test_request_context():
        for username in ("admin", "secretary", "secretary2", "grid"):
            u = user(username)
            for direction in ("desc", "asc"):
                expected = sql_list(username, where, "created", direction)
                assert len(expected) > 3 or username == "secretary2"           # another street's numbers
                forward, backward = walk_pages(u, lists.CaseFilters(q="qt-2026", direction=direction), page_size=7)
                assert [r.number for p in forward for r in p.rows] == expected, (username, direction)
                assert [r.number for p in reversed(backward) for r in p.rows] == expected, (username, direction)
    for username, walk in (("admin", "USING INDEX ix_case_created (created_at"),
                           ("secretary", "ix_case_street_created (street_id=?")):
        statements = list_statements(app, client_for(username), "/cases/?q=QT-2026")
        (page,) = [plan for plan, sql in statements if sql.startswith("WITH page AS MATERIALIZED")]
        assert walk in walk_of(page) and "TEMP B-TREE" not in walk_of(page), (username, page)
    monkeypatch.setattr(lists, "NUMBER_RANGE_MAX", 100_000)       # few: read from the number's index
    statements = list_statements(app, client_for("admin"), "/cases/?q=QT-2026")
    (page,) = [plan for plan, sql in statements if sql.startswith("WITH page AS MATERIALIZED")]
    assert "sqlite_autoindex_case_1 (number>? AND number<?)" in walk_of(page), page


@pytest.mark.parametrize("units", ["picked", "walking", "short walks"])
def test_the_light_filter_is_that_of_the_rules(app, units, request):
    if units != "picked":
        request.getfixturevalue("short_walks" if units == "short walks" else "walking_units")
    with app.test_request_context():
        now = utcnow()
        for username in ("admin", "chief", "staff", "secretary"):
            u = user(username)
            everything = lists.search(u, lists.CaseFilters(), now=now, page_size=1000)
            for light in lists.LIGHT_FILTERS:
                expected = [r.number for r in everything.rows if everything.lights.get(r.id, "none") == light]
                forward, _backward = walk_pages(u, lists.CaseFilters(light=light), page_size=4, now=now)
                assert [r.number for p in forward for r in p.rows] == expected, (username, light)


@pytest.mark.parametrize("cap", [3, 10_000])
def test_a_units_cases_are_counted_up_to_the_cap(app, monkeypatch, cap):
    monkeypatch.setattr(lists, "COUNT_CAP", cap)
    with app.test_request_context():
        for username in ("chief", "staff", "chief2"):
            u = user(username)
            expected = db.session.scalar(text("SELECT count(DISTINCT case_id) FROM assignment WHERE unit_id = :unit"),
                                         {"unit": u.unit_id})
            assert lists._unit_case_count(u)[0] == min(expected, cap + 1), username
            page = lists.search(u, lists.CaseFilters())
            assert (page.total, page.more_than) == (min(expected, cap), expected > cap)


def test_a_units_pages_stay_right_whatever_its_size(app, monkeypatch):
    """Around the thresholds: picked by id, walked to the end, walked and stopped, in every order."""
    with app.test_request_context():
        u = user("chief")
        expected = sql_list("chief", "1 = 1", "created", "desc")
        for walk_min in (0, len(expected) - 1, len(expected), 10_000):
            for span in (1, 5, 50, 100_000):
                monkeypatch.setattr(lists, "UNIT_WALK_MIN", walk_min)
                monkeypatch.setattr(lists, "_walk_span", lambda unit_cases, all_cases, page_size, s=span: s)
                for page_size in (1, 4, 50):
                    forward, backward = walk_pages(u, lists.CaseFilters(), page_size)
                    assert [r.number for p in forward for r in p.rows] == expected
                    assert [r.number for p in reversed(backward) for r in p.rows] == expected


def test_the_lights_are_those_of_the_rules(app, walking_units):
    """The worst light a row shows, worked out in SQL, is `rules.light` of each assignment the user
    sees, before, at and after every deadline."""
    every = set()
    with app.test_request_context():
        start = utcnow()
        for username in ("admin", "chief", "secretary", "chief2"):
            u = user(username)
            for days in (0, 0.5, 1, 2, 3, 5, 8, 13, 30):
                now = start + timedelta(days=days)
                page = lists.search(u, lists.CaseFilters(), now=now, page_size=500)
                assert page.rows and not page.next_cursor
                seen = {}
                for row in page.rows:
                    lights = [rules.light(a, now) for a in rules.visible_assignments(db.session.get(Case, row.id), u)]
                    seen[row.id] = max(lights, key=rules.LIGHT_ORDER.__getitem__, default="none")
                shown = {row.id: page.lights.get(row.id, "none") for row in page.rows}
                assert shown == seen, (username, days)
                every |= set(shown.values())
        assert every == {"red", "yellow", "green", "none"}


def test_no_statement_per_row(app, walking_units):
    """The same statements for a page of 2 rows and of 40."""
    counted = []

    def count(conn, cursor, statement, parameters, context, executemany):
        counted.append(statement)

    with app.test_request_context():
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            for username in ("admin", "secretary", "chief", "grid"):
                sizes, u = [], user(username)
                for page_size in (2, 40):
                    counted.clear()
                    lists.search(u, lists.CaseFilters(), page_size=page_size)
                    sizes.append(len(counted))
                assert sizes[0] == sizes[1] <= 4, (username, sizes)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
