"""Login rules: password check, lock-out after repeated failures, session rotation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, request
from sqlalchemy import delete, func, select

from portal.audit import record
from portal.auth.models import LoginAttempt, User
from portal.extensions import db
from portal.timeutil import utcnow


@dataclass
class LoginResult:
    user: User | None = None
    locked_until: datetime | None = None


def locked_until(username: str, now: datetime | None = None) -> datetime | None:
    """When the lock on this username ends, or None if it is not locked."""
    now = now or utcnow()
    cfg = current_app.config
    window = timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
    count, last = db.session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.at > now - window)
    ).one()
    if count >= cfg["LOGIN_MAX_FAILURES"] and last is not None:
        return last + window
    return None


def authenticate(username: str, password: str) -> LoginResult:
    """Check a login; failures are counted per username whether or not it exists."""
    username = username.strip()
    until = locked_until(username)
    if until is not None:
        return LoginResult(locked_until=until)
    user = db.session.scalar(select(User).where(User.username == username))
    if user is not None and user.active and user.check_password(password):
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.username == username))
        user.last_login_at = utcnow()
        record("auth.login", user, actor=user)
        db.session.commit()
        return LoginResult(user=user)
    db.session.add(LoginAttempt(username=username, ip=request.remote_addr))
    if user is not None:
        record("auth.login_failed", user, actor=None)
    db.session.commit()
    return LoginResult(locked_until=locked_until(username))


def change_password(user: User, new_password: str, *, actor: User, action: str) -> None:
    """Set a new password and end every session of the user."""
    user.set_password(new_password)
    user.end_sessions()
    record(action, user, actor=actor)
