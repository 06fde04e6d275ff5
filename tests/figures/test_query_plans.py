"""The dashboard's and the case list's queries read indexes and summaries, never the whole of a
large table (checked with EXPLAIN QUERY PLAN on a small volume with planner statistics)."""
from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from portal.dashboard.services import Scope, build
from portal.extensions import db
from portal.figures.volume import seed_volume
from portal.org.models import Street
from portal.timeutil import local_today, utcnow

# Tables that grow with the cases: a full SCAN of any of them is a bug at 600,000 cases.
LARGE = ("case", "assignment", "case_event", "satisfaction", "figures_case_fact", "figures_assignment_fact",
         "figures_matter", "figures_unit_matter", "audit_event")
FULL_SCAN = re.compile(r"\bSCAN (%s)\b(?! USING (?:COVERING )?INDEX \w+ \()" % "|".join(LARGE))


SCALE = 300   # 2,000 cases here, 600,000 in production


@pytest.fixture
def volume_app(app):
    """2,000 cases, with the planner's statistics scaled to 600,000 (row counts times 300, and the
    rows per key of low-cardinality columns such as state or street too), so it plans as it would
    at full size."""
    with app.app_context():
        seed_volume(2000, seed=11)
        with db.engine.begin() as conn:
            for tbl, idx, stat in conn.exec_driver_sql("SELECT tbl, idx, stat FROM sqlite_stat1").all():
                if tbl in LARGE:
                    first, *rest = stat.split(" ")
                    rest = [str(int(n) * SCALE) if n.isdigit() and int(n) > 10 else n for n in rest]
                    scaled = " ".join([str(int(first) * SCALE), *rest])
                    conn.exec_driver_sql("UPDATE sqlite_stat1 SET stat = ? WHERE tbl = ? AND idx IS ?",
                                         (scaled, tbl, idx))
        db.session.remove()
        db.engine.dispose()            # new connections read the new statistics
    return app


@contextmanager
def captured(engine):
    statements = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listen)


# A count capped by a LIMIT ("more than 1,000") stops after that many rows: bounded, not a full scan.
BOUNDED = re.compile(r"^SELECT count\(\*\) AS \w+\s+FROM \(SELECT .* LIMIT \? OFFSET \?\) AS \w+$", re.S)


def full_scans(statements) -> list[tuple[str, str]]:
    found = []
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in statements:
            if BOUNDED.match(" ".join(statement.split())):
                continue
            plan = cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            for row in plan:
                detail = row[-1]
                if FULL_SCAN.search(detail):
                    found.append((detail, " ".join(statement.split())[-400:]))
    finally:
        raw.close()
    return found


def test_dashboard_queries_use_summaries_and_indexes(volume_app, user_by_name):
    unit_id = user_by_name("chief").unit_id
    community_id = user_by_name("grid").community_id
    with volume_app.app_context():
        street_id = db.session.scalar(select(Street.id).where(Street.code == "qt"))
        scopes = [Scope("district"), Scope("street", street_id=street_id),
                  Scope("community", community_id=community_id), Scope("unit", unit_id=unit_id)]
        with captured(db.engine) as statements:
            for scope in scopes:
                build(scope, utcnow(), local_today())
        assert len(statements) > 20
        assert full_scans(statements) == []


@pytest.mark.parametrize("path", [
    "/dashboard/", "/dashboard/?street={street}", "/cases/", "/cases/?state=in_progress&street={street}",
])
def test_pages_read_no_large_table_in_full(volume_app, client_as, path):
    client = client_as("district_admin")
    with volume_app.app_context():
        street_id = db.session.scalar(select(Street.id).where(Street.code == "qt"))
        engine = db.engine
    with captured(engine) as statements:
        response = client.get(path.format(street=street_id))
    assert response.status_code == 200
    with volume_app.app_context():
        assert full_scans(statements) == []


# Plans that read every case and sort them: the merged_into_id index (it matches nearly every case)
# or a temporary B-tree for the ORDER BY of a query on the case table.
ALL_CASES_PLAN = re.compile(r"ix_case_merged_into_id|USE TEMP B-TREE FOR (?:RIGHT PART OF )?ORDER BY")


def case_plans(statements) -> list[tuple[str, str]]:
    """(plan, statement) of every statement on the case table."""
    out = []
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in statements:
            if 'FROM "case"' not in statement:
                continue
            plan = " | ".join(r[-1] for r in cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters))
            out.append((plan, " ".join(statement.split())[-300:]))
    finally:
        raw.close()
    return out


@pytest.mark.parametrize("path", [
    "/public/issues", "/public/issues?street=qt", "/public/issues?state=open",
    "/public/issues?state=closed&street=hy&page=3", "/public/issues?state=rejected",
    "/public/issues?page=999", "/public/issues.json", "/public/issues.csv?state=open&street=qt",
])
def test_the_public_list_walks_an_index_newest_first(volume_app, client, path):
    with volume_app.app_context():
        engine = db.engine
    with captured(engine) as statements:
        response = client.get(path)
    assert response.status_code == 200
    with volume_app.app_context():
        assert full_scans(statements) == []
        plans = case_plans(statements)
        assert plans
        assert [(p, s) for p, s in plans if ALL_CASES_PLAN.search(p)] == []
        walks = [p for p, s in plans if "ORDER BY" in s]
        assert walks and all(re.search(r"ix_case_(street|state)_created", p) for p in walks)
