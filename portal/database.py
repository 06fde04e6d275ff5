"""Engine set-up: SQLite pragmas and `BEGIN IMMEDIATE` for write transactions.

On SQLite a deferred transaction that later writes fails with "database is locked" when another
writer got there first. Requests that may write (every method but GET/HEAD/OPTIONS) and command-line
work therefore begin with `BEGIN IMMEDIATE`, so concurrent writers queue on the busy timeout instead.
Reads keep plain `BEGIN`, so WAL readers never wait for writers.
"""
from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_TIMEOUT_MS = 15000


def wants_write_transaction() -> bool:
    """Whether the transaction about to begin may write."""
    if not has_request_context():
        return True
    return bool(g.get("write_request", False))


def configure_sqlite(engine: Engine) -> None:
    """Install the pragmas and the transaction mode on an SQLite engine."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself instead of pysqlite.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if wants_write_transaction() else "BEGIN")


def init_database(app, db) -> None:
    """Configure every engine of the app once it exists."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            configure_sqlite(engine)

    @app.before_request
    def _mark_write_request():
        from flask import request

        g.write_request = request.method not in SAFE_METHODS
