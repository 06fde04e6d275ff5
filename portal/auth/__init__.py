"""Logins, users and roles."""
import functools

from flask import Blueprint, flash, g, redirect, request, url_for

from portal.extensions import db, htmx, lazy_gettext as _l, login_manager

bp = Blueprint("auth", __name__, url_prefix="/auth")


@functools.cache
def _user_statement():
    """The user by id, built once (on every request: `session.get` would build and key a new
    statement each time; see `cases.views._CASE_WITH_ASSIGNMENTS`)."""
    from sqlalchemy import bindparam, select

    from portal.auth.models import User

    return select(User).where(User.id == bindparam("user_id"))


@login_manager.user_loader
def load_user(user_id: str):
    """Load the user of a session; a rotated session token or an inactive user ends it."""
    from portal.auth.models import User

    ident, _sep, token = user_id.partition(":")
    if not ident.isdigit() or not token:
        return None
    user = db.session.execute(_user_statement(), {"user_id": int(ident)}).scalar_one_or_none()
    if user is None or not user.active or user.session_token != token:
        return None
    return user


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
