from datetime import datetime, timedelta

from flask import request
from sqlalchemy import select

from portal import permissions as perm
from portal.audit import bp
from portal.audit.models import AuditEvent
from portal.audit.present import entries
from portal.auth.models import User
from portal.extensions import db
from portal.rendering import render
from portal.timeutil import local_to_utc

PAGE_SIZE = 100


def _date(value: str):
    try:
        return datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        return None


@bp.route("/")
@perm.roles_required(perm.DISTRICT_ADMIN)
def events():
    """Browse the audit trail, filtered by actor, action, object and dates."""
    args = request.args
    query = select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
    actor = args.get("actor", "").strip()
    if actor:
        query = query.where(User.username == actor)
    action = args.get("action", "").strip()
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    object_type = args.get("object_type", "").strip()
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    object_id = args.get("object_id", type=int)
    if object_id:
        query = query.where(AuditEvent.object_id == object_id)
    since = _date(args.get("since", ""))
    if since:
        query = query.where(AuditEvent.at >= local_to_utc(since))
    until = _date(args.get("until", ""))
    if until:
        query = query.where(AuditEvent.at < local_to_utc(until + timedelta(days=1)))
    before = args.get("before", type=int)  # keyset paging: newest first
    if before:
        query = query.where(AuditEvent.id < before)
    rows = db.session.execute(query.order_by(AuditEvent.id.desc()).limit(PAGE_SIZE + 1)).all()
    next_before = rows[PAGE_SIZE - 1][0].id if len(rows) > PAGE_SIZE else None
    filters = {k: args.get(k, "") for k in ("actor", "action", "object_type", "object_id", "since", "until")}
    rows = rows[:PAGE_SIZE]
    shown = entries([event for event, _actor in rows])
    rows = [(event, actor, entry) for (event, actor), entry in zip(rows, shown)]
    return render("audit/events.html", "audit/_rows.html", rows=rows,
                  next_before=next_before, filters=filters)
