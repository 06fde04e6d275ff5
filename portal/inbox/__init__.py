"""In-app inbox: notifications for dispatch, return, press, due soon, overdue, invitations.

Areas call `notify_users()` or `notify_unit()` inside their own transaction; each area registers a
label for its kinds with `register_kind()` so the inbox can show them in the user's language.
"""
from __future__ import annotations

from typing import Iterable

from flask import Blueprint
from sqlalchemy import select

from portal import permissions as perm
from portal.extensions import db

bp = Blueprint("inbox", __name__, url_prefix="/inbox")

KIND_LABELS: dict[str, object] = {}


def register_kind(kind: str, label) -> None:
    """Give a notification kind its (lazily translated) label."""
    KIND_LABELS[kind] = label


def notify_users(users: Iterable, kind: str, text: str, link: str = "", dedupe_key: str | None = None) -> int:
    """Queue a notification for each user; with `dedupe_key`, a user who already has it is skipped."""
    from portal.inbox.models import Notification

    count = 0
    for user in users:
        if dedupe_key is not None:
            exists = db.session.scalar(select(Notification.id).where(
                Notification.user_id == user.id, Notification.dedupe_key == dedupe_key))
            if exists:
                continue
        db.session.add(Notification(user_id=user.id, kind=kind, text=text[:300], link=link,
                                    dedupe_key=dedupe_key))
        count += 1
    return count


def unit_recipients(unit_id: int, chiefs_only: bool = True):
    """The active users who receive a unit's notifications (its chiefs by default)."""
    from portal.auth.models import User

    roles = (perm.UNIT_CHIEF,) if chiefs_only else tuple(perm.UNIT_ROLES)
    return db.session.scalars(select(User).where(
        User.unit_id == unit_id, User.active, User.role.in_(roles))).all()


def street_recipients(street_id: int, roles: Iterable[str] = tuple(perm.STREET_ROLES)):
    from portal.auth.models import User

    return db.session.scalars(select(User).where(
        User.street_id == street_id, User.active, User.role.in_(tuple(roles)))).all()


def notify_unit(unit_id: int, kind: str, text: str, link: str = "", dedupe_key: str | None = None,
                chiefs_only: bool = True) -> int:
    return notify_users(unit_recipients(unit_id, chiefs_only), kind, text, link, dedupe_key)


from portal.inbox import views  # noqa: E402,F401
