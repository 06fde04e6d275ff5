"""Fixtures as factories: a seeded app per test, clients logged in as any user or role."""
from __future__ import annotations

import re
import shutil
from itertools import count
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from portal import create_app
from portal.extensions import db

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
_serial = count(1)


def _config(instance: Path) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'portal.sqlite'}",
        "UPLOAD_FOLDER": str(instance / "uploads"),
    }


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> Path:
    """Build the schema through the migrations and seed the demo once per test session."""
    from flask_migrate import upgrade

    from portal.cli import seed_demo

    instance = tmp_path_factory.mktemp("template")
    app = create_app(_config(instance))
    with app.app_context():
        upgrade(revision="heads")
        seed_demo()
        db.session.remove()
        db.engine.dispose()
    return instance / "portal.sqlite"


@pytest.fixture
def app(seeded_template, tmp_path):
    """A fresh copy of the seeded demo database for each test."""
    instance = tmp_path / "instance"
    instance.mkdir()
    shutil.copy(seeded_template, instance / "portal.sqlite")
    app = create_app(_config(instance))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class PortalClient(FlaskClient):
    """A test client that knows its CSRF token and can log in without the password round-trip."""

    _csrf: str | None = None

    def csrf(self) -> str:
        if self._csrf is None:
            page = self.get("/auth/login") if not self._logged_in() else self.get("/auth/password")
            match = CSRF_META.search(page.get_data(as_text=True))
            assert match, "no CSRF token on the page"
            self._csrf = match.group(1)
        return self._csrf

    def _logged_in(self) -> bool:
        with self.session_transaction() as sess:
            return "_user_id" in sess

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        """POST a form with the CSRF token, as a browser would."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf())
        return self.post(url, data=data, **kwargs)

    def htmx(self, method: str, url: str, data: dict | None = None, **kwargs):
        """Send an HTMX request (with the CSRF header htmx adds from the meta tag)."""
        headers = {"HX-Request": "true", "X-CSRFToken": self.csrf(), **kwargs.pop("headers", {})}
        return self.open(url, method=method, data=data, headers=headers, **kwargs)

    def login_as(self, user) -> "PortalClient":
        from portal.timeutil import utcnow

        now = utcnow().isoformat()
        with self.session_transaction() as sess:
            sess.clear()
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
            sess["login_at"] = sess["seen"] = now
        self._csrf = None
        return self


@pytest.fixture
def client(app) -> PortalClient:
    app.test_client_class = PortalClient
    return app.test_client()


@pytest.fixture
def user_by_name(app):
    from portal.auth.models import User

    def get(username: str):
        with app.app_context():
            user = db.session.scalar(select(User).where(User.username == username))
            assert user is not None, username
            db.session.expunge(user)
            return user

    return get


@pytest.fixture
def client_for(app, user_by_name):
    """`client_for("chief")`: a client logged in as that demo user."""
    app.test_client_class = PortalClient

    def make(username: str) -> PortalClient:
        return app.test_client().login_as(user_by_name(username))

    return make


DEMO_BY_ROLE = {
    "district_admin": "admin",
    "street_secretary": "secretary",
    "street_dispatcher": "dispatcher",
    "unit_chief": "chief",
    "unit_staff": "staff",
    "grid_worker": "grid",
}


@pytest.fixture
def client_as(client_for):
    """`client_as("unit_chief")`: a client logged in as the demo user of that role."""
    return lambda role: client_for(DEMO_BY_ROLE[role])


@pytest.fixture
def make_user(app):
    """Create a user with a role and scope; the password is 'portal-demo'."""
    from portal.auth.models import User
    from portal.org.models import Community, Street, Unit

    demo_hash = {}

    def make(role: str = "district_admin", *, street: str | None = None, unit: str | None = None,
             community: str | None = None, username: str | None = None, active: bool = True):
        with app.app_context():
            if not demo_hash:
                probe = User()
                probe.set_password("portal-demo")
                demo_hash["h"] = probe.password_hash
            user = User(username=username or f"user{next(_serial)}", display_name="测试用户",
                        role=role, password_hash=demo_hash["h"], active=active)
            user.set_scope(
                street=db.session.scalar(select(Street).where(Street.code == street)) if street else None,
                unit=db.session.scalar(select(Unit).where(Unit.code == unit)) if unit else None,
                community=(db.session.scalar(select(Community).where(Community.code == community))
                           if community else None),
            )
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


@pytest.fixture
def in_app(app):
    """Run code inside an app context: `with in_app(): ...`."""
    return app.app_context
