"""Engine set-up: SQLite pragmas and `BEGIN IMMEDIATE` for write transactions.

On SQLite a deferred transaction that later writes fails with "database is locked" when another
writer got there first. Requests that may write (every method but GET/HEAD/OPTIONS) and command-line
work therefore begin with `BEGIN IMMEDIATE`, so concurrent writers queue on the busy timeout instead.
Reads keep plain `BEGIN`, so WAL readers never wait for writers.

Writers also take their turn on a lock file next to the database (`<file>-writers`, `flock`)
before `BEGIN IMMEDIATE`: the kernel wakes the next writer the moment one commits, where SQLite's
busy timeout would have it sleep and poll (1, 2, 5, 10 … ms), which under load leaves the
database idle between writers and lets some wait far longer than others.

A view that does much reading before it writes (the case actions) is marked `@late_write`: its
request starts with plain `BEGIN` like a read, and the view calls `begin_write()` right before it
loads what it changes, so the write lock is held only for the change itself, not for loading the
user, checking the session or decoding uploads.
"""
import fcntl
import functools
import os
import re
import sqlite3
from typing import Any, NamedTuple

from flask import current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import make_transient_to_detached, scoped_session
from sqlalchemy.orm.attributes import instance_state, manager_of_class

from portal.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_TIMEOUT_MS = 15000


def wants_write_transaction() -> bool:
    """Whether the transaction about to begin may write."""
    if not has_request_context():
        return True
    return bool(g.get("write_request", False))


class QueuedConnection(sqlite3.Connection):
    """A pysqlite connection whose write transactions first take their turn on the writers' lock
    file (`take_turn`); the turn ends with the transaction (commit, rollback or close)."""

    turns: str | None = None        # the lock file's path (None: an in-memory database)
    _turn: int | None = None        # its descriptor while this connection writes

    def take_turn(self) -> None:
        if self.turns is None or self._turn is not None:
            return
        fd = os.open(self.turns, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        self._turn = fd

    def end_turn(self) -> None:
        if self._turn is not None:
            fd, self._turn = self._turn, None
            os.close(fd)                    # closing the descriptor releases the lock

    def commit(self):
        try:
            super().commit()
        finally:
            self.end_turn()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self.end_turn()

    def close(self):
        try:
            super().close()
        finally:
            self.end_turn()


def engine_options(uri: str, options: dict) -> dict:
    """The engine options for `uri`: SQLite files get `QueuedConnection`, and no ping before each
    request's statements (`pool_pre_ping` finds connections a database server dropped; a file has
    no server to drop them, and the ping is a statement on every request)."""
    if not uri.startswith("sqlite"):
        return options
    connect_args = {**options.get("connect_args", {}), "factory": QueuedConnection}
    return {**{k: v for k, v in options.items() if k != "pool_pre_ping"}, "connect_args": connect_args}


def late_write(view):
    """Mark a view that takes the write lock itself with `begin_write()` (see the module's note)."""
    view.late_write = True
    return view


def begin_write() -> None:
    """End the request's read transaction and make the next statement begin `BEGIN IMMEDIATE`.

    Objects loaded so far (the user) are kept as they were read, not expired; load what the write
    changes after this call, so it is read under the write lock.
    """
    if db.session().in_transaction():
        commit_keeping_objects()
    g.write_request = True


def commit_keeping_objects() -> None:
    """Commit without expiring what the session holds: the answer shows the records as this
    change left them, without loading them again."""
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def read(statement, params: dict | None = None):
    """Run a Core statement of plain columns on the session's connection, in its transaction.

    `db.session.execute` takes the ORM's path even for plain columns: about 0.1 ms more a statement,
    a tenth of a list page's own work. Nothing pending is flushed first: for reads only. A
    `Prepared` statement runs on SQLite without SQLAlchemy's per-execution work (see there)."""
    connection = session_connection(_own())
    if type(statement) is Prepared:
        plan = statement.plan(connection)
        if plan is not None:
            return plan.run(connection, statement, params or {})
        statement = statement.statement
    return connection.execute(statement, params or {})


def session_connection(session):
    """`session.connection()`, kept for the rest of the session's transaction: a page runs five to
    ten statements in one transaction, and SQLAlchemy finds the connection anew for each (a few
    µs a time). A new transaction (commit, rollback, close, a savepoint) asks SQLAlchemy again."""
    kept = session.info.get("portal_connection")
    if kept is not None and kept[0] is session._transaction and kept[0].is_active:
        return kept[1]
    connection = session.connection()
    session.info["portal_connection"] = (session._transaction, connection)
    return connection


def _own(session=None):
    """The request's own session for `session` (None or the scoped `db.session`): the session's
    internals (its transaction, `_save_or_update_impl`) are not on the scoped proxy."""
    if session is None:
        session = db.session
    return session() if isinstance(session, scoped_session) else session


def on_driver(connection) -> bool:
    """Whether statements may go straight to the driver on `connection`: SQLite, and nobody
    listening to the engine's statements (the tests that read query plans do)."""
    return connection.dialect.name == "sqlite" and not connection.dispatch.before_cursor_execute


class Rows(list):
    """The rows of a `Prepared` read: a list of named tuples with the methods callers use on
    SQLAlchemy's results."""

    __slots__ = ()

    def all(self) -> list:
        return list(self)

    def first(self):
        return self[0] if self else None

    def one(self):
        if len(self) != 1:
            from sqlalchemy.exc import MultipleResultsFound, NoResultFound

            raise (NoResultFound if not self else MultipleResultsFound)(f"{len(self)} rows, one expected")
        return self[0]

    def one_or_none(self):
        return None if not self else self.one()

    def scalar(self):
        return self[0][0] if self else None

    def scalars(self) -> "Rows":
        """The first column of each row (`all()` and `first()` as on SQLAlchemy's scalars)."""
        return Rows(row[0] for row in self)


class Prepared:
    """A Core SELECT built once (a module constant or a cached shape), compiled once per dialect.

    On SQLite, `read` runs it straight on the driver's connection: the statement's SQL, its bound
    values through their types' bind processors, its rows through their types' result processors
    (datetimes, JSON, booleans: the same values SQLAlchemy would give) into named tuples. SQLAlchemy
    spends 50–100 µs a statement on executing and wrapping a cached statement; this takes 5–20.
    An expanding IN list (`bindparam(..., expanding=True)`) gets one placeholder per value.
    Anything it does not cover takes SQLAlchemy's own path: other databases, statements whose SQL
    is finished otherwise at execution (empty or tuple IN lists, literal values), columns whose names
    cannot be tuple fields, an engine someone listens to (`before_cursor_execute`: the tests that
    read query plans), and any driver error (re-run so it is raised as SQLAlchemy raises it).
    """

    __slots__ = ("statement", "_plans")

    def __init__(self, statement):
        self.statement = statement
        self._plans: dict = {}

    def plan(self, connection) -> "_Plan | None":
        dialect = connection.dialect            # `on_driver`, written out (a few reads a page)
        if dialect.name != "sqlite" or connection.dispatch.before_cursor_execute:
            return None
        try:
            return self._plans[dialect]
        except KeyError:
            plan = self._plans[dialect] = _Plan.compile(self.statement, dialect)
            return plan


def columns_of(model) -> list:
    """`model`'s column attributes, each labelled with its attribute's name: the columns of a
    `Prepared` read whose rows `adopt` makes records of."""
    from sqlalchemy import inspect

    return [prop.columns[0].label(prop.key) for prop in inspect(model).column_attrs]


def held(session, model, ident: int):
    """The `model` record with primary key `ident` if the session holds it already, else None
    (no statement; the portal's records have a single `id` key)."""
    return session.identity_map.get((model, (ident,), None))


def adopt(session, model, row):
    """The persistent `model` record of `row` (read with `columns_of(model)`), as a query gives it:
    the session's own record when it holds that one already (not refreshed, as a query leaves it),
    else a new one made from the row's values, clean, its relationships loading lazily.

    The ORM's loading takes about three times as long for one row (keying the statement, setting up
    the load, processing the row through each attribute's loader); the user of every request and
    the acted-on case are loaded this way."""
    session = _own(session)
    existing = held(session, model, row.id)
    if existing is not None:
        return existing
    record = manager_of_class(model).new_instance()
    instance_state(record).dict.update(row._asdict())
    make_transient_to_detached(record)
    _attach(session, record)
    return record


def _attach(session, record) -> None:
    """`session.add` for a detached record with no related records loaded: its save-update
    cascade would walk every relationship of the mapper (a tenth of `adopt`'s cost) to find none.
    The session's own step without the cascade, where this SQLAlchemy has it."""
    attach = getattr(session, "_save_or_update_impl", None)
    if attach is None:
        session.add(record)
    else:
        attach(instance_state(record))


_EXPANDING = re.compile(r"\(__\[POSTCOMPILE_(\w+)\]\)")


class _Plan:
    """A `Prepared` statement's SQL for SQLite and what its values and rows go through."""

    __slots__ = ("sql", "pieces", "names", "expanding", "defaults", "binds", "row", "results")

    @classmethod
    def compile(cls, statement, dialect, column_keys: list | None = None) -> "_Plan | None":
        from collections import namedtuple

        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        # Values SQLAlchemy works out at execution (column defaults, RETURNING) are its to work out.
        if (not compiled.positional or compiled.literal_execute_params or compiled.insert_prefetch
                or compiled.update_prefetch or compiled.effective_returning):
            return None
        binds = compiled.binds
        expanding = frozenset(name for name, bind in binds.items() if bind.expanding)
        pieces = _EXPANDING.split(compiled.string)
        if (any(binds[name].type._is_tuple_type for name in expanding)
                or set(pieces[1::2]) != expanding or "POSTCOMPILE" in "".join(pieces[::2])):
            return None
        columns = compiled._result_columns
        try:
            row = namedtuple("Row", [c.keyname for c in columns])
        except ValueError:           # duplicate or private names: SQLAlchemy's rows handle them
            return None
        plan = cls()
        plan.sql = compiled.string if not expanding else None
        plan.pieces = pieces
        plan.names = tuple(compiled.positiontup)
        plan.expanding = expanding
        plan.defaults = {name: bind.effective_value for name, bind in binds.items() if not bind.required}
        processors = compiled._bind_processors
        plan.binds = tuple(processors.get(name) for name in plan.names)
        plan.row = row
        plan.results = tuple((i, p) for i, c in enumerate(columns)
                             if (p := c.type._cached_result_processor(dialect, None)) is not None)
        return plan

    def bound(self, params: dict) -> tuple[str | None, tuple | list]:
        """The SQL and its values in order, each through its type's bind processor (no SQL: an
        empty IN list, which SQLAlchemy writes as the empty set)."""
        values = {**self.defaults, **params} if self.defaults else params
        if self.expanding:
            return self._expanded(values)
        return self.sql, tuple(value if p is None or value is None else p(value)
                               for p, value in zip(self.binds, map(values.__getitem__, self.names)))

    def run(self, connection, prepared: Prepared, params: dict) -> Rows:
        sql, bound = self.bound(params)
        if sql is None:
            return connection.execute(prepared.statement, params)
        dbapi = connection.connection.dbapi_connection
        try:
            raw = dbapi.execute(sql, bound).fetchall()
        except dbapi.Error:           # raised again, wrapped, by SQLAlchemy's own path
            return connection.execute(prepared.statement, params)
        make = self.row._make
        if not self.results:
            return Rows(map(make, raw))
        results = self.results
        rows = Rows()
        for row in raw:
            row = list(row)
            for i, p in results:
                row[i] = p(row[i])
            rows.append(make(row))
        return rows

    def _expanded(self, values: dict) -> tuple[str | None, list]:
        """The SQL with each IN list's placeholders written out, and the values in their order."""
        bound = []
        for p, name in zip(self.binds, self.names):
            value = values[name]
            if name in self.expanding:
                if not value:
                    return None, bound
                bound.extend(v if p is None or v is None else p(v) for v in value)
            else:
                bound.append(value if p is None or value is None else p(value))
        pieces = self.pieces
        sql = [pieces[0]]
        for i in range(1, len(pieces), 2):
            sql.append("(" + ", ".join("?" * len(values[pieces[i]])) + ")")
            sql.append(pieces[i + 1])
        return "".join(sql), bound


class Written(NamedTuple):
    """What `write` did: the rows it changed, and an INSERT's new primary key."""

    rowcount: int
    primary_key: Any


_WRITE_PLANS: dict[tuple, "_Plan | None"] = {}


def write(statement, params: dict, session=None) -> Written:
    """Run an INSERT, UPDATE or DELETE built once (a module's cached statement) on the session's
    connection, in its transaction.

    On SQLite it runs straight on the driver, compiled once for each set of parameter names, like a
    `Prepared` read; every change of a case writes three or four rows this way, and SQLAlchemy's
    execution costs several times the driver's. Statements with values SQLAlchemy works out at
    execution (column defaults left out, RETURNING), other databases, listeners on the engine and
    driver errors (re-run so they are raised as SQLAlchemy raises them) take SQLAlchemy's path."""
    session = _own(session)
    connection = session_connection(session)
    dialect = connection.dialect
    plan = None
    if on_driver(connection):
        key = (statement, dialect, tuple(params))
        try:
            plan = _WRITE_PLANS[key]
        except KeyError:
            if len(_WRITE_PLANS) >= 1_000:
                _WRITE_PLANS.clear()
            plan = _WRITE_PLANS[key] = _Plan.compile(statement, dialect, list(params))
    if plan is not None:
        sql, bound = plan.bound(params)
        dbapi = connection.connection.dbapi_connection
        if sql is not None:
            try:
                cursor = dbapi.execute(sql, bound)
            except dbapi.Error:
                pass
            else:
                return Written(cursor.rowcount, cursor.lastrowid)
    result = connection.execute(statement, params)
    key = result.inserted_primary_key if result.is_insert else None
    return Written(result.rowcount, key[0] if key else None)


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
        files = [row[2] for row in cursor.execute("PRAGMA database_list") if row[1] == "main"]
        cursor.close()
        if isinstance(dbapi_connection, QueuedConnection) and files and files[0]:
            dbapi_connection.turns = files[0] + "-writers"

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if not wants_write_transaction():
            _begin(conn, "BEGIN")
            return
        dbapi_connection = conn.connection.dbapi_connection
        queued = isinstance(dbapi_connection, QueuedConnection)
        if queued:
            dbapi_connection.take_turn()
        try:
            _begin(conn, "BEGIN IMMEDIATE")
        except BaseException:
            if queued:
                dbapi_connection.end_turn()
            raise


def _begin(conn, sql: str) -> None:
    """BEGIN on the driver (two per change; SQLAlchemy's execution costs ten times the statement),
    through SQLAlchemy when someone listens to the engine; a driver error raised as SQLAlchemy's."""
    if not on_driver(conn):
        conn.exec_driver_sql(sql)
        return
    dbapi_connection = conn.connection.dbapi_connection
    try:
        dbapi_connection.execute(sql)
    except dbapi_connection.Error as error:
        from sqlalchemy.exc import DBAPIError

        raise DBAPIError.instance(sql, (), error, dbapi_connection.Error) from error


def init_database(app, db) -> None:
    """Configure every engine of the app once it exists."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            configure_sqlite(engine)

    @app.before_request
    def _mark_write_request():
        req = request._get_current_object()
        if req.method in SAFE_METHODS:
            g.write_request = False
            return
        view = current_app.view_functions.get(req.endpoint)
        g.write_request = not getattr(view, "late_write", False)


# --- changes written as plain statements ------------------------------------------------------

def plain_changes(session, objects) -> bool:
    """Whether what the session holds to write is only column changes of `objects` (persistent
    records with a version column): nothing new, nothing deleted, no other record and no
    relationship changed. Such a change can be written by `write_columns`."""
    from sqlalchemy import inspect

    if session.new or session.deleted:
        return False
    mine = {id(o) for o in objects}
    for obj in session.dirty:
        state = inspect(obj)
        if id(obj) not in mine or state.mapper.version_id_col is None:
            return False
        columns = state.mapper.column_attrs
        if any(key not in columns for key in state.committed_state):
            return False
    return True


def write_columns(session, obj) -> None:
    """Write a record's changed columns and its next version as one UPDATE matching the version it
    was read with (optimistic locking, as the ORM's `version_id_col`), and mark it clean.

    The ORM's unit of work takes about a thousand Python calls to write one changed row: sorting
    dependencies between mappers and looking at every relationship. Use after `plain_changes`.
    Raises StaleDataError when the row's version has moved on meanwhile."""
    from sqlalchemy import inspect
    from sqlalchemy.orm.base import NO_VALUE
    from sqlalchemy.orm.exc import StaleDataError

    state = inspect(obj)
    # Attributes set to the value they had are not changes (the ORM writes nothing for them either).
    names = tuple(sorted(name for name, old in state.committed_state.items()
                         if old is NO_VALUE or old != state.dict.get(name)))
    if not names:
        state._commit_all(state.dict, session.identity_map)
        return
    version = state.dict["version"]
    params = {f"v_{name}": state.dict[name] for name in names}
    params.update(w_id=state.dict["id"], w_version=version, v_version=version + 1)
    if write(_update(state.mapper, names), params, session).rowcount != 1:
        raise StaleDataError(f"{state.mapper.class_.__name__} {state.dict['id']} changed meanwhile")
    state.dict["version"] = version + 1
    state._commit_all(state.dict, session.identity_map)


@functools.lru_cache(maxsize=512)
def _update(mapper, names: tuple[str, ...]):
    from sqlalchemy import bindparam

    table = mapper.local_table
    column = {name: mapper.get_property(name).columns[0] for name in (*names, "version")}
    return (table.update()
            .where(table.c.id == bindparam("w_id"), column["version"] == bindparam("w_version"))
            .values({column[name]: bindparam(f"v_{name}") for name in column}))


def insert_persistent(session, model, values: dict):
    """INSERT one row as a plain statement and return it as a persistent ORM record (no unit of
    work: see `write_columns`); its relationships load lazily or are set by the caller."""
    from sqlalchemy.orm import make_transient_to_detached

    key = write(_insert(model.__table__), values, session).primary_key
    record = model(id=key, **values)
    make_transient_to_detached(record)
    _attach(session, record)
    return record


@functools.cache
def _insert(table):
    return table.insert()
