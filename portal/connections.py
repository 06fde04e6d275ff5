"""The SQLite connection each thread keeps between requests.

Every request's session would otherwise take a connection from the engine's pool and give it back
when the request ends: a SQLAlchemy `Connection` made, the pool's checkout and checkin, the pool's
reset (a second ROLLBACK after the session's own), some 25 µs a request, a fortieth of a case page.
`PortalSession` binds its transactions to the thread's kept connection instead, when that
connection is idle; the session begins and ends its own transaction on it as it would on a pooled
one (BEGIN, or BEGIN IMMEDIATE for writes, from `database.configure_sqlite`; COMMIT or ROLLBACK
when the session commits, rolls back or closes) and leaves the connection open.

A connection in a transaction is some other session's (a test's own session around a request, a
command's second session): another session then takes one from the pool as before. Only SQLite:
other databases keep the pool (and its ping, which finds connections a server dropped). Only the
main thread keeps one, where gunicorn's sync workers answer every request: a threaded server starts
a thread per request, whose connection would outlive it. The main thread keeps one connection: when
it turns to another engine (the tests make an app, and an engine, for each test) it closes the one
it kept, `Engine.dispose()` closes it too, and a process started by `fork` never uses its parent's.
"""
from __future__ import annotations

import os
import threading

from flask_sqlalchemy.session import Session
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

_kept = threading.local()


def kept_connection(engine: Engine) -> Connection | None:
    """The main thread's kept connection to `engine` if it is idle (opened on first use), else None
    (another thread's work, or the connection is in some session's transaction)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    found = getattr(_kept, "found", None)
    if found is not None and found[0] == os.getpid() and found[1] is engine:
        connection = found[2]
        if not connection.closed and not connection.invalidated:
            return None if connection.in_transaction() else connection
    if found is not None and found[0] == os.getpid():
        forget_kept_connection()
    if not event.contains(engine, "engine_disposed", _disposed):
        event.listen(engine, "engine_disposed", _disposed)
    _kept.found = (os.getpid(), engine, engine.connect())
    return _kept.found[2]


def forget_kept_connection(*, close_driver: bool = False) -> None:
    """Give the thread's kept connection back to its engine's pool (`close_driver`: close it), if
    it keeps one and no session is in a transaction on it (that session ends it, the pool the rest)."""
    found = getattr(_kept, "found", None)
    _kept.found = None
    if found is None or found[0] != os.getpid() or found[2].closed or found[2].in_transaction():
        return
    if close_driver:
        found[2].invalidate()           # the driver's connection closed now, not left to the pool
    found[2].close()


def _disposed(engine: Engine) -> None:
    """`Engine.dispose()` closes the pool's connections; the thread's kept one goes with them (a
    copy of the database file is only whole once its last connection has closed, which moves the
    write-ahead log into the file)."""
    found = getattr(_kept, "found", None)
    if found is not None and found[1] is engine:
        forget_kept_connection(close_driver=True)


class PortalSession(Session):
    """Flask-SQLAlchemy's session, its SQLite work done on the thread's kept connection (see the
    module's note) when that is idle."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        bind = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        if type(bind) is not Engine or bind.dialect.name != "sqlite":
            return bind
        # A transaction that has its connection to the engine already goes on with it (SQLAlchemy
        # finds it by the engine); a new one takes the kept connection if that is idle.
        transaction = self.get_transaction()
        if transaction is not None and bind in transaction._connections:
            return bind
        return kept_connection(bind) or bind
