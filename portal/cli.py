"""Command line: init-db, seed-demo, create-user (plus the commands areas add themselves)."""
from __future__ import annotations

import importlib.util
from importlib import import_module

import click
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select

from portal import permissions as perm
from portal.extensions import db

DEMO_PASSWORD = "portal-demo"


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the database schema by applying every migration."""
    upgrade(revision="heads")
    click.echo("Database is up to date.")


def seed_demo() -> None:
    """Seed each area's demo data in dependency order; every step is idempotent."""
    from portal import AREAS

    for area in AREAS:
        name = f"portal.{area}.demo"
        if importlib.util.find_spec(name) is not None:
            import_module(name).seed()
            db.session.commit()


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Fill the database with a demo district and one demo user per role (idempotent)."""
    seed_demo()
    click.echo("Demo data is in place. Every demo user's password is 'portal-demo'.")


@click.command("create-user")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice(perm.ROLES), required=True)
@click.option("--street", "street_code", default=None, help="street code, for street roles")
@click.option("--unit", "unit_code", default=None, help="unit code, for unit roles")
@click.option("--community", "community_code", default=None, help="community code, for grid workers")
@click.password_option()
@with_appcontext
def create_user_command(username, display_name, role, street_code, unit_code, community_code, password):
    """Create a user (the first district admin, typically)."""
    from portal.audit import record
    from portal.auth.forms import MIN_PASSWORD
    from portal.auth.models import User
    from portal.org.models import Community, Street, Unit

    if len(password) < MIN_PASSWORD:
        raise click.BadParameter(f"use at least {MIN_PASSWORD} characters", param_hint="password")
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise click.BadParameter("this username is taken", param_hint="--username")
    user = User(username=username, display_name=display_name, role=role)
    street = db.session.scalar(select(Street).where(Street.code == street_code)) if street_code else None
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code)) if unit_code else None
    community = (db.session.scalar(select(Community).where(Community.code == community_code))
                 if community_code else None)
    user.set_scope(street=street, unit=unit, community=community)
    if role in perm.STREET_ROLES and street is None:
        raise click.BadParameter("street roles need --street with an existing code")
    if role in perm.UNIT_ROLES and unit is None:
        raise click.BadParameter("unit roles need --unit with an existing code")
    if role == perm.GRID_WORKER and community is None:
        raise click.BadParameter("grid workers need --community with an existing code")
    user.set_password(password)
    db.session.add(user)
    record("user.created", user, username=username, role=role, via="cli")
    db.session.commit()
    click.echo(f"Created {username} ({role}).")


def init_app(app) -> None:
    for command in (init_db_command, seed_demo_command, create_user_command):
        app.cli.add_command(command)
