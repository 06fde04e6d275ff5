"""Each thread keeps its SQLite connection between requests; a busy one is never shared."""
from __future__ import annotations

import threading

from sqlalchemy import create_engine, event, select, text, update

from portal import connections
from portal.auth.models import User
from portal.extensions import db


def _begun_on(app) -> list:
    """The driver connections transactions begin on, in order."""
    seen = []
    with app.app_context():
        event.listen(db.engine, "begin", lambda conn: seen.append(conn.connection.dbapi_connection))
    return seen


def test_requests_of_a_thread_take_turns_on_one_connection_and_each_ends_its_transaction(app, client_for):
    seen = _begun_on(app)
    admin = client_for("admin")
    for _ in range(3):
        assert admin.get("/inbox/").status_code == 200
    assert len(seen) >= 3 and len(set(map(id, seen))) == 1
    kept = connections._kept.found[2]
    assert not kept.closed and not kept.in_transaction()


def test_a_busy_connection_is_not_shared_and_another_session_commits_on_its_own(app, user_by_name):
    seen = _begun_on(app)
    grid_id = user_by_name("grid").id
    with app.test_request_context("/"):                        # a page's read transaction
        assert db.session.get(User, grid_id).active            # this session's transaction is open
        outer = db.session.connection().connection.dbapi_connection
        seen.clear()
        with app.app_context():                                # another context: another session
            db.session.execute(update(User).where(User.id == grid_id).values(active=False))
            db.session.commit()
            assert seen and all(c is not outer for c in seen)   # on a connection of its own
        assert db.session.connection().connection.dbapi_connection is outer
        assert db.session.scalar(select(User.active).where(User.id == grid_id)) is True   # its snapshot
        db.session.rollback()                                  # a new transaction sees the change
        assert db.session.scalar(select(User.active).where(User.id == grid_id)) is False


def test_disposing_of_the_engine_closes_the_kept_connection_and_the_file_is_whole(app, tmp_path):
    import shutil
    import sqlite3

    with app.app_context():
        db.session.execute(update(User).where(User.username == "grid").values(display_name="网格员甲"))
        db.session.commit()
        kept = connections._kept.found[2]
        path = db.engine.url.database
        db.session.remove()
        db.engine.dispose()
    assert kept.closed and connections._kept.found is None
    shutil.copy(path, tmp_path / "copy.sqlite")                # the file alone, without its log
    copy = sqlite3.connect(tmp_path / "copy.sqlite")
    assert copy.execute("SELECT display_name FROM user WHERE username = 'grid'").fetchone() == ("网格员甲",)
    copy.close()


def test_a_thread_that_turns_to_another_engine_closes_the_connection_it_kept(app):
    with app.app_context():
        db.session.execute(select(User.id).limit(1))
        first = db.session.connection()
        db.session.remove()
        assert first is connections._kept.found[2] and not first.closed
    other = create_engine("sqlite://")
    second = connections.kept_connection(other)
    assert first.closed and second is connections._kept.found[2]
    assert second.execute(text("SELECT 1")).scalar() == 1
    second.rollback()
    connections.forget_kept_connection()
    assert second.closed
    other.dispose()


def test_a_forked_process_never_uses_its_parents_connection(app, monkeypatch):
    with app.app_context():
        db.session.execute(select(User.id).limit(1))
        parents = db.session.connection()
        db.session.remove()
        monkeypatch.setattr(connections.os, "getpid", lambda: -1)
        db.session.execute(select(User.id).limit(1))
        childs = db.session.connection()
        db.session.remove()
    assert childs is not parents and not parents.closed       # the parent's is left alone


def test_other_threads_take_pooled_connections(app):
    """A threaded server starts a thread per request: a connection kept by one would outlive it."""
    found = {}

    def work():
        with app.test_request_context("/"):
            db.session.execute(select(User.id).limit(1))
            found["kept"] = getattr(connections._kept, "found", None)
            found["in_transaction"] = db.session.connection().in_transaction()
            db.session.remove()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(10)
    assert found == {"kept": None, "in_transaction": True}
