"""Audit trail: an append-only record of every change, written in the change's transaction."""
from __future__ import annotations

import functools
from typing import Any

from flask import Blueprint, has_request_context, request
from flask_login import current_user

from portal.database import write
from portal.extensions import db
from portal.timeutil import utcnow

bp = Blueprint("audit", __name__, url_prefix="/audit")

# Field names whose values never enter the audit trail in clear.
SECRET_FIELDS = frozenset({"password", "password_hash", "session_token", "phone"})


def _clean(details: dict[str, Any]) -> dict[str, Any]:
    cleaned = {}
    for key, value in details.items():
        if key in SECRET_FIELDS:
            cleaned[key] = "***" if value else value
        elif isinstance(value, dict):
            cleaned[key] = _clean(value)
        else:
            cleaned[key] = value
    return cleaned


def record(action: str, obj=None, *, object_type: str | None = None, object_id: int | None = None,
           actor=None, **details) -> None:
    """Write an audit event in the current transaction (the caller commits it with the change).

    The row goes in at once, on the session's connection, as one prepared INSERT: every change of
    the portal writes one, and the ORM's unit of work would cost more than the insert itself.
    """
    from portal.audit.models import AuditEvent

    if obj is not None:
        object_type = object_type or obj.__tablename__
        if object_id is None:
            if obj.id is None:              # a new record: flush for its id
                db.session.flush()
            object_id = obj.id
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    write(_insert(AuditEvent), {
        "at": utcnow(),
        "action": action,
        "object_type": object_type or "",
        "object_id": object_id,
        "actor_id": actor.id if actor is not None else None,
        "details": _clean(details),
        "ip": request.remote_addr if has_request_context() else None,
    })


@functools.cache
def _insert(model):
    return model.__table__.insert()


def changes(obj, fields: list[str], new_values: dict[str, Any]) -> dict[str, list]:
    """`{field: [old, new]}` for the fields whose value differs; JSON-friendly."""
    diff = {}
    for name in fields:
        old = getattr(obj, name)
        new = new_values.get(name, old)
        if old != new:
            diff[name] = [_jsonable(old), _jsonable(new)]
    return diff


def _jsonable(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


from portal.audit import views  # noqa: E402,F401


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from portal import permissions as perm
    from portal.web import register_nav

    register_nav("audit.events", _l("Audit trail"), {perm.DISTRICT_ADMIN}, order=95)
