"""The migrations build exactly the schema the models describe, on a fresh database."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db


def test_models_and_migrations_agree(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite'}"})
    with app.app_context():
        upgrade(revision="heads")
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"render_as_batch": True,
                                                                   "compare_type": True})
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == []


def test_sqlite_runs_in_wal_with_foreign_keys(app):
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_write_requests_begin_immediate(app, client_for):
    """Concurrent writers queue instead of failing: POSTs take the write lock up front."""
    from sqlalchemy import event

    admin = client_for("admin")
    admin.csrf()
    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, stmt, *a: statements.append(stmt))
    admin.get("/org/")
    assert "BEGIN IMMEDIATE" not in statements
    admin.post_form("/inbox/read-all")
    assert "BEGIN IMMEDIATE" in statements
