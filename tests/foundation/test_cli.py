from sqlalchemy import func, select

from portal.auth.models import User
from portal.extensions import db
from portal.org.models import Grid, Street


def test_seed_demo_is_idempotent(app):
    runner = app.test_cli_runner()
    with app.app_context():
        before = (db.session.scalar(select(func.count()).select_from(User)),
                  db.session.scalar(select(func.count()).select_from(Grid)))
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        after = (db.session.scalar(select(func.count()).select_from(User)),
                 db.session.scalar(select(func.count()).select_from(Grid)))
        streets = db.session.scalar(select(func.count()).select_from(Street))
    assert before == after
    assert streets == 3 and 30 <= after[1] <= 50


def test_create_user_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--username", "ops", "--name", "运维", "--role",
                                 "district_admin", "--password", "a-long-cli-password"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "ops"))
        assert user.check_password("a-long-cli-password")


def test_create_user_refuses_a_street_role_without_street(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--username", "ops2", "--name", "x", "--role",
                                 "street_secretary", "--password", "a-long-cli-password"])
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "ops2")) is None


def test_init_db_on_an_existing_database_keeps_data(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "admin")) is not None
