"""Who may do what: roles, the per-route access table, and scope checks.

Every view declares its access with one of the decorators below; a global `before_request` hook
enforces it and refuses any endpoint that declared nothing (deny by default). `access_table(app)`
lists what each endpoint allows, and the test suite walks `app.url_map` against it.

Out-of-scope objects answer 404 (their existence is not revealed); a role that may not use a page
at all gets 403.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable, Iterable

from flask import abort, current_app, request
from flask_login import current_user

DISTRICT_ADMIN = "district_admin"
STREET_SECRETARY = "street_secretary"
STREET_DISPATCHER = "street_dispatcher"
UNIT_CHIEF = "unit_chief"
UNIT_STAFF = "unit_staff"
GRID_WORKER = "grid_worker"

ROLES = (DISTRICT_ADMIN, STREET_SECRETARY, STREET_DISPATCHER, UNIT_CHIEF, UNIT_STAFF, GRID_WORKER)
STREET_ROLES = frozenset({STREET_SECRETARY, STREET_DISPATCHER})
UNIT_ROLES = frozenset({UNIT_CHIEF, UNIT_STAFF})
ALL_STAFF = frozenset(ROLES)

PUBLIC = "public"      # anyone, logged in or not
LOGGED_IN = "logged_in"  # any active user, whatever the role

_ACCESS_ATTR = "_portal_access"


def _declare(view: Callable, access) -> Callable:
    setattr(view, _ACCESS_ATTR, access)
    return view


def roles_required(*roles: str) -> Callable:
    """Allow the view to logged-in users whose role is one of `roles`."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            return view(*args, **kwargs)

        return _declare(wrapped, allowed)

    return decorator


def login_required(view: Callable) -> Callable:
    """Allow the view to every logged-in user; the view narrows by scope itself."""
    return _declare(view, LOGGED_IN)


def public(view: Callable) -> Callable:
    """Allow the view to anyone, including residents who are not logged in."""
    return _declare(view, PUBLIC)


def declared_access(view: Callable):
    """The access a view declared, or None."""
    return getattr(view, _ACCESS_ATTR, None)


def access_table(app) -> dict[str, object]:
    """Endpoint -> declared access (a frozenset of roles, PUBLIC, LOGGED_IN, or None)."""
    table = {}
    for endpoint, view in app.view_functions.items():
        table[endpoint] = PUBLIC if endpoint == "static" else declared_access(view)
    return table


def enforce_access():
    """`before_request` hook: refuse requests the endpoint's declaration does not allow. (Flask's
    and Flask-Login's objects are taken from their proxies once: a read through a proxy costs
    three Python calls.)"""
    endpoint = request._get_current_object().endpoint
    if endpoint is None:
        return None  # 404 / 405 follow their own path
    if endpoint == "static":
        return None
    app = current_app._get_current_object()
    access = declared_access(app.view_functions.get(endpoint))
    if access is None:
        abort(403)  # an undeclared view is never reachable
    if access == PUBLIC:
        return None
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return app.login_manager.unauthorized()
    if access == LOGGED_IN:
        return None
    if user.role not in access:
        abort(403)
    return None


def has_role(user, *roles: str) -> bool:
    return bool(user and user.is_authenticated and user.role in roles)


def require(condition: bool, status: int = 404) -> None:
    """Abort with `status` (404 by default: out of scope looks like absent) unless `condition`."""
    if not condition:
        abort(status)


def can_see_street(user, street_id: int | None) -> bool:
    """Whether the user's scope covers everything filed under this street."""
    if user.role == DISTRICT_ADMIN:
        return True
    if user.role in STREET_ROLES:
        return street_id is not None and user.street_id == street_id
    return False


def visible_street_ids(user) -> Iterable[int] | None:
    """Street ids the user may see as a street office does; None means every street."""
    if user.role == DISTRICT_ADMIN:
        return None
    if user.role in STREET_ROLES:
        return [user.street_id]
    return []
