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
