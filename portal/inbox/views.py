from flask import redirect, request, url_for
from flask_login import current_user
from sqlalchemy import func, select, update

from portal import permissions as perm
from portal.extensions import db
from portal.inbox import KIND_LABELS, bp
from portal.inbox.models import Notification
from portal.rendering import render, render_fragment
from portal.timeutil import utcnow
from portal.web import is_safe_next

PAGE_SIZE = 50


def unread_count(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


@bp.route("/")
@perm.login_required
def index():
    """List the user's notifications, newest first."""
    only_unread = request.args.get("unread") == "1"
    query = select(Notification).where(Notification.user_id == current_user.id)
    if only_unread:
        query = query.where(Notification.read_at.is_(None))
    before = request.args.get("before", type=int)
    if before:
        query = query.where(Notification.id < before)
    rows = db.session.scalars(query.order_by(Notification.id.desc()).limit(PAGE_SIZE + 1)).all()
    next_before = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    return render("inbox/index.html", "inbox/_rows.html", rows=rows[:PAGE_SIZE], labels=KIND_LABELS,
                  only_unread=only_unread, next_before=next_before)


@bp.route("/badge")
@perm.login_required
def badge():
    """The unread counter in the navigation bar (refreshed by HTMX)."""
    return render_fragment("inbox/_badge.html", count=unread_count(current_user))


@bp.route("/<int:notification_id>/open", methods=["POST"])
@perm.login_required
def open_notification(notification_id: int):
    """Mark one notification read and go to what it is about."""
    note = db.session.get(Notification, notification_id)
    perm.require(note is not None and note.user_id == current_user.id)
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.commit()
    return redirect(note.link if is_safe_next(note.link) else url_for("inbox.index"))


@bp.route("/read-all", methods=["POST"])
@perm.login_required
def read_all():
    """Mark every notification read."""
    db.session.execute(update(Notification).where(
        Notification.user_id == current_user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()
    return redirect(url_for("inbox.index"))
