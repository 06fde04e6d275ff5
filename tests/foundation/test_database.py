"""Writers of one SQLite file take turns on its lock file; readers never wait for them."""
from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text

from portal.database import QueuedConnection
from portal.extensions import db


def test_a_second_writer_waits_for_the_first_to_commit_and_readers_do_not(app):
    with app.app_context():
        engine = db.engine
    order: list[str] = []
    holding, release = threading.Event(), threading.Event()

    def first():
        with engine.begin() as conn:                  # outside a request: BEGIN IMMEDIATE, after its turn
            conn.execute(text("UPDATE notification SET read_at = read_at"))
            holding.set()
            release.wait(10)
            time.sleep(0.05)                          # the second writer is waiting by now
            order.append("first commits")
        order.append("first done")

    def second():
        holding.wait(10)
        with engine.begin() as conn:
            order.append("second writes")
            conn.execute(text("UPDATE notification SET read_at = read_at"))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    assert holding.wait(10)
    with app.test_request_context("/"), engine.connect() as conn:   # a page's read meanwhile: no wait
        assert conn.exec_driver_sql("SELECT count(*) FROM user").scalar() > 0
    assert order == []                                # read while the first writer held the lock
    release.set()
    for t in threads:
        t.join(10)
    assert order.index("second writes") > order.index("first commits")
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            assert isinstance(raw.dbapi_connection, QueuedConnection)
            assert raw.dbapi_connection.turns == str(Path(app.instance_path) / "portal.sqlite") + "-writers"
        finally:
            raw.close()


def test_a_turn_ends_with_a_rollback_too(app):
    with app.app_context():
        engine = db.engine
    with engine.connect() as conn:
        with conn.begin():
            conn.execute(text("UPDATE notification SET read_at = read_at"))
            raw = conn.connection.dbapi_connection
            assert raw._turn is not None
            conn.rollback()
        assert raw._turn is None
    done = threading.Event()

    def writer():
        with engine.begin() as c:
            c.execute(text("UPDATE notification SET read_at = read_at"))
        done.set()

    threading.Thread(target=writer).start()
    assert done.wait(5), "the next writer got its turn"


# --- Prepared reads -----------------------------------------------------------------------------

def _events_statement():
    from sqlalchemy import bindparam, select

    from portal.auth.models import User
    from portal.cases.models import CaseEvent

    return (select(CaseEvent.id, CaseEvent.at, CaseEvent.action, CaseEvent.data, CaseEvent.note,
                   User.display_name.label("actor_name"), User.active)
            .outerjoin(User, User.id == CaseEvent.actor_id)
            .where(CaseEvent.id >= bindparam("first"))
            .order_by(CaseEvent.id).limit(25))


def test_a_prepared_read_gives_what_sqlalchemy_gives_without_its_execution(app, monkeypatch):
    """Datetimes, JSON, booleans, NULLs, labels and a LIMIT written into the statement come back
    as SQLAlchemy's own rows have them, by name and by position; SQLAlchemy does not execute it."""
    from datetime import datetime

    from sqlalchemy.engine import Connection

    from portal.database import Prepared, read

    statement = _events_statement()
    with app.test_request_context("/"):
        expected = db.session.execute(statement, {"first": 1}).all()
        prepared = Prepared(statement)

        def refuse(*args, **kwargs):
            raise AssertionError("SQLAlchemy executed the prepared read")

        monkeypatch.setattr(Connection, "execute", refuse)
        rows = read(prepared, {"first": 1})
        monkeypatch.undo()
    assert len(expected) == 25 and [tuple(r) for r in rows] == [tuple(r) for r in expected]
    first = rows.first()
    assert isinstance(first.at, datetime) and isinstance(first.data, dict)
    assert {type(r.active) for r in rows} <= {bool, type(None)} and bool in {type(r.active) for r in rows}
    assert first._fields == ("id", "at", "action", "data", "note", "actor_name", "active")
    assert rows.scalar() == expected[0].id and rows.scalars().all() == [r.id for r in expected]


def test_a_prepared_read_binds_datetimes_as_sqlalchemy_does(app):
    from sqlalchemy import bindparam, func, select

    from portal.cases.models import CaseEvent
    from portal.database import Prepared, read

    with app.test_request_context("/"):
        middle = db.session.scalar(select(CaseEvent.at).order_by(CaseEvent.id).offset(10).limit(1))
        statement = select(func.count()).select_from(CaseEvent).where(CaseEvent.at <= bindparam("until"))
        expected = db.session.execute(statement, {"until": middle}).scalar()
        assert read(Prepared(statement), {"until": middle}).scalar() == expected > 0


def test_a_prepared_read_that_finds_one_row_or_none(app):
    import pytest
    from sqlalchemy import bindparam, select
    from sqlalchemy.exc import MultipleResultsFound, NoResultFound

    from portal.auth.models import User
    from portal.database import Prepared, read

    by_name = Prepared(select(User.id, User.username).where(User.username == bindparam("name")))
    everyone = Prepared(select(User.id))
    with app.test_request_context("/"):
        assert read(by_name, {"name": "admin"}).one().username == "admin"
        assert read(by_name, {"name": "nobody"}).one_or_none() is None
        assert read(by_name, {"name": "nobody"}).first() is None
        with pytest.raises(NoResultFound):
            read(by_name, {"name": "nobody"}).one()
        with pytest.raises(MultipleResultsFound):
            read(everyone).one()


def test_what_a_prepared_read_does_not_cover_runs_through_sqlalchemy(app):
    """A listener on the engine (the query plan tests) sees the statement; an empty IN list is
    written by SQLAlchemy; a driver error is raised as SQLAlchemy raises it."""
    import pytest
    from sqlalchemy import bindparam, event, select, table, column
    from sqlalchemy.exc import OperationalError

    from portal.auth.models import User
    from portal.database import Prepared, read

    seen = []

    def keep(conn, cursor, statement, *args):
        seen.append(statement)

    named = Prepared(select(User.username).where(User.username.in_(bindparam("names", expanding=True)))
                     .order_by(User.username))
    missing = Prepared(select(column("x")).select_from(table("no_such_table")))
    with app.test_request_context("/"):
        engine = db.engine
        assert read(named, {"names": []}).scalars().all() == []
        event.listen(engine, "before_cursor_execute", keep)
        try:
            assert read(Prepared(_events_statement()), {"first": 1}).first() is not None
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        assert any("FROM case_event" in s for s in seen)
        with pytest.raises(OperationalError, match="no such table"):
            read(missing)


def test_a_prepared_read_writes_out_in_lists(app, monkeypatch):
    """An expanding IN list gets a placeholder per value, each bound through its type."""
    from sqlalchemy import bindparam, select
    from sqlalchemy.engine import Connection

    from portal.cases.models import CaseEvent
    from portal.database import Prepared, read

    statement = Prepared(select(CaseEvent.id, CaseEvent.at)
                         .where(CaseEvent.id.in_(bindparam("ids", expanding=True)),
                                CaseEvent.at.in_(bindparam("times", expanding=True)),
                                CaseEvent.id > bindparam("above"))
                         .order_by(CaseEvent.id))
    with app.test_request_context("/"):
        events = db.session.execute(select(CaseEvent.id, CaseEvent.at).order_by(CaseEvent.id).limit(6)).all()
        params = {"ids": [e.id for e in events], "times": [e.at for e in events[1:5]], "above": events[1].id}
        monkeypatch.setattr(Connection, "execute", lambda *a, **k: (_ for _ in ()).throw(AssertionError("executed")))
        rows = read(statement, params)
        monkeypatch.undo()
    assert [tuple(r) for r in rows] == [tuple(e) for e in events[2:5]]


# --- written as plain statements ------------------------------------------------------------------

def test_a_written_row_is_what_sqlalchemy_would_have_written(app, monkeypatch):
    """An INSERT with every column and an UPDATE run on the driver (SQLAlchemy does not execute
    them): the new key, the rows changed, and the values read back as written (JSON, datetimes)."""
    from datetime import datetime, timezone

    from sqlalchemy import bindparam, select
    from sqlalchemy.engine import Connection

    from portal.audit.models import AuditEvent
    from portal.database import write

    table = AuditEvent.__table__
    insert = table.insert()
    update = table.update().where(table.c.id == bindparam("w_id")).values(action=bindparam("v_action"))
    at = datetime(2026, 12, 3, 4, 5, 6, 789000, tzinfo=timezone.utc).replace(tzinfo=None)
    values = {"at": at, "actor_id": None, "action": "test.write", "object_type": "case", "object_id": 7,
              "details": {"说明": "plain", "n": [1, 2]}, "ip": "127.0.0.1"}
    with app.test_request_context("/"):
        monkeypatch.setattr(Connection, "execute", lambda *a, **k: (_ for _ in ()).throw(AssertionError("executed")))
        written = write(insert, values)
        changed = write(update, {"w_id": written.primary_key, "v_action": "test.rewritten"})
        missing = write(update, {"w_id": -1, "v_action": "never"})
        monkeypatch.undo()
        row = db.session.execute(select(AuditEvent).where(AuditEvent.id == written.primary_key)).scalar_one()
        assert (changed.rowcount, missing.rowcount) == (1, 0)
        assert (row.action, row.details, row.at, row.object_id) == ("test.rewritten", values["details"], at, 7)


def test_what_a_write_does_not_cover_runs_through_sqlalchemy(app):
    """A column left to its default gets it (SQLAlchemy works it out); a driver error is raised as
    SQLAlchemy raises it, and nothing is written."""
    import pytest
    from sqlalchemy import func, select
    from sqlalchemy.exc import IntegrityError

    from portal.audit.models import AuditEvent
    from portal.database import write

    insert = AuditEvent.__table__.insert()
    with app.test_request_context("/"):
        before = db.session.scalar(select(func.count()).select_from(AuditEvent))
        written = write(insert, {"action": "test.defaults", "object_type": "", "details": {}})
        row = db.session.get(AuditEvent, written.primary_key)
        assert row.action == "test.defaults" and row.at is not None
        with pytest.raises(IntegrityError):
            write(insert, {"at": row.at, "action": None, "object_type": "", "details": {}})
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before + 1


def test_transactions_begin_on_the_driver_and_its_errors_come_as_sqlalchemy_s(app):
    """A page's reads begin with BEGIN, a change with BEGIN IMMEDIATE, sent straight to SQLite (its
    own trace sees them); a refused BEGIN is raised as SQLAlchemy's OperationalError."""
    import pytest
    from flask import g
    from sqlalchemy.exc import OperationalError

    from portal.connections import kept_connection
    from portal.database import _begin

    for write_request, expected in ((False, "BEGIN"), (True, "BEGIN IMMEDIATE")):
        with app.test_request_context("/"):
            g.write_request = write_request
            seen = []
            kept = kept_connection(db.engine)          # the connection the session takes (idle)
            kept.connection.dbapi_connection.set_trace_callback(seen.append)
            connection = db.session.connection()
            assert connection is kept
            connection.connection.dbapi_connection.set_trace_callback(None)
            assert [s for s in seen if s.startswith("BEGIN")] == [expected]
            with pytest.raises(OperationalError, match="within a transaction"):
                _begin(connection, "BEGIN")
            db.session.rollback()


def test_reads_and_writes_follow_the_sessions_transactions(app):
    """The connection a read finds is kept for its transaction only: after a commit, a rollback or
    a close the next read sees what others committed meanwhile, and a savepoint's reads are its own."""
    from sqlalchemy import func, select

    from portal.database import Prepared, read, write
    from portal.org.models import Street

    count = Prepared(select(func.count()).select_from(Street))
    rename = Street.__table__.update().where(Street.__table__.c.code == "qt")

    def another_writer_adds(code):
        with db.engine.begin() as other:
            other.execute(text("INSERT INTO street (code, name, active, district_id) "
                               "SELECT :code, :name, 1, district_id FROM street LIMIT 1"),
                          {"code": code, "name": f"街道{code}"})

    with app.test_request_context("/"):
        before = read(count).scalar()
        another_writer_adds("t1")
        assert read(count).scalar() == before              # the same snapshot: one transaction
        db.session.commit()
        assert read(count).scalar() == before + 1          # a new transaction sees the new street
        another_writer_adds("t2")
        db.session.rollback()
        assert read(count).scalar() == before + 2
        another_writer_adds("t3")
        db.session.close()
        assert read(count).scalar() == before + 3
        with db.session.begin_nested():
            assert write(rename, {"name": "改名街道"}).rowcount == 1
            assert read(Prepared(select(Street.name).where(Street.code == "qt"))).scalar() == "改名街道"
        db.session.rollback()
        assert read(Prepared(select(Street.name).where(Street.code == "qt"))).scalar() != "改名街道"


def test_connections_to_a_database_server_are_pinged_before_use_and_to_a_file_not(app):
    """A server may drop idle connections (`pool_pre_ping` finds them); an SQLite file cannot, so its
    connections are not pinged on every request."""
    from portal.database import engine_options

    server = engine_options("postgresql+psycopg://portal@db/portal", {"pool_pre_ping": True})
    assert server == {"pool_pre_ping": True}
    file = engine_options("sqlite:////srv/portal.sqlite", {"pool_pre_ping": True, "echo": False})
    assert "pool_pre_ping" not in file and file["echo"] is False
    assert file["connect_args"]["factory"] is QueuedConnection
    with app.app_context():
        assert db.engine.dialect.name == "sqlite" and not db.engine.pool._pre_ping


def test_an_adopted_record_is_the_one_a_query_gives_and_loads_what_its_row_left_out(app):
    """`adopt` makes a row a clean persistent record (the key a query gives, nothing to flush);
    a column the row left out (a user's password hash) and a relationship load on first use."""
    from sqlalchemy import inspect, select

    from portal.auth.models import User
    from portal.database import Prepared, adopt, columns_of, read

    without_hash = Prepared(select(*[c for c in columns_of(User) if c.name != "password_hash"])
                            .where(User.username == "chief"))
    with app.app_context():
        row = read(without_hash).one()
        user = adopt(db.session, User, row)
        state = inspect(user)
        assert state.persistent and not db.session.dirty and not state.modified
        assert state.key == inspect(User).identity_key_from_primary_key([row.id])
        assert "password_hash" not in user.__dict__ and "password_hash" in state.expired_attributes
        assert user.check_password("portal-demo")                       # loaded on first use
        assert user.unit is not None and user.unit.id == row.unit_id    # a relationship, lazily
        assert adopt(db.session, User, row) is user                     # the session's own
        queried = db.session.scalar(select(User).where(User.id == row.id))
        assert queried is user and not db.session.dirty
