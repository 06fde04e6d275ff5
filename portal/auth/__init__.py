"""Logins, users and roles."""
import functools

from flask import Blueprint, flash, g, redirect, request, url_for
from flask_login.utils import _create_identifier

from portal.extensions import db, htmx, lazy_gettext as _l, login_manager

bp = Blueprint("auth", __name__, url_prefix="/auth")


@functools.cache
def _user_statement():
    """The user's row by id, built once (`Prepared`: it runs on every request), with the label of
    the user's scope that the page frame shows (`User.scope_label`: a statement or two otherwise,
    for the unit, the community or the street and its street). Not the password's hash: only
    checking a password needs it (it loads on first use), so it is not read into every request."""
    from sqlalchemy import bindparam, func, select
    from sqlalchemy.orm import aliased

    from portal.auth.models import SCOPE_LABEL_READ, User
    from portal.database import Prepared, columns_of
    from portal.org.models import Community, Street, Unit

    unit_street, community_street, own_street = aliased(Street), aliased(Street), aliased(Street)
    label = func.coalesce(unit_street.name + " · " + Unit.name, community_street.name + " · " + Community.name,
                          own_street.name, "")
    columns = [c for c in columns_of(User) if c.name != "password_hash"]
    return Prepared(select(*columns, label.label(SCOPE_LABEL_READ))
                    .outerjoin(Unit, Unit.id == User.unit_id).outerjoin(unit_street, unit_street.id == Unit.street_id)
                    .outerjoin(Community, Community.id == User.community_id)
                    .outerjoin(community_street, community_street.id == Community.street_id)
                    .outerjoin(own_street, own_street.id == User.street_id)
                    .where(User.id == bindparam("user_id")))


@login_manager.user_loader
def load_user(user_id: str):
    """Load the user of a session; a rotated session token or an inactive user ends it."""
    from portal.auth.models import User
    from portal.database import adopt, read

    ident, _sep, token = user_id.partition(":")
    if not ident.isdigit() or not token:
        return None
    row = read(_user_statement(), {"user_id": int(ident)}).first()
    if row is None or not row.active or row.session_token != token:
        return None
    return adopt(db.session, User, row)        # its SCOPE_LABEL_READ kept as a plain attribute


_IDENTIFIERS: dict[tuple, str] = {}      # (forwarded for, address, browser) -> Flask-Login's identifier
_IDENTIFIERS_MAX = 4096


def session_identifier() -> str:
    """Flask-Login's session identifier (`_create_identifier`: a SHA-512 of the client's address and
    browser, which its session protection compares on every request), worked out once per address
    and browser a worker sees, not hashed again for every request. Flask-Login keeps the generator
    swappable as `_session_identifier_generator` for this (flask-login pull request 316)."""
    environ = request.environ
    key = (environ.get("HTTP_X_FORWARDED_FOR"), environ.get("REMOTE_ADDR"), environ.get("HTTP_USER_AGENT"))
    identifier = _IDENTIFIERS.get(key)
    if identifier is None:
        if len(_IDENTIFIERS) >= _IDENTIFIERS_MAX:
            _IDENTIFIERS.clear()
        identifier = _IDENTIFIERS[key] = _create_identifier()
    return identifier


login_manager._session_identifier_generator = session_identifier


@login_manager.unauthorized_handler
def unauthorized():
    """Send the visitor to the login page; HTMX requests get HX-Redirect, not a swapped form."""
    if g.get("session_expired"):
        flash(_l("Your session ended after a period of inactivity. Please log in again."), "info")
    target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    if htmx:
        return "", 401, {"HX-Redirect": target}
    return redirect(target)


from portal.auth import views  # noqa: E402,F401


def init_app(app) -> None:
    from portal import permissions as perm
    from portal.web import register_nav

    register_nav("auth.users", _l("Users"), {perm.DISTRICT_ADMIN}, order=90)
    _describe_audit()


def _describe_audit() -> None:
    from portal.audit.present import describe, form_labels
    from portal.auth.forms import ROLE_LABELS, UserForm
    from portal.org.models import Community, Street, Unit

    user = {"user": (_l("User"), "auth.edit_user", "user_id")}
    describe("auth", actions={"login": _l("Logged in"), "logout": _l("Logged out"),
                              "login_failed": _l("Failed login")}, objects=user)
    describe("user", actions={"created": _l("User created"), "updated": _l("User changed"),
                              "activated": _l("User activated"), "deactivated": _l("User deactivated")},
             objects=user, keys={**form_labels(UserForm), "via": _l("Through")},
             records={"street_id": Street.name, "unit_id": Unit.name, "community_id": Community.name},
             values={"role": ROLE_LABELS})
