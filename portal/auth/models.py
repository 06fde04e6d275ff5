"""Users and login attempts."""
from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal import permissions as perm
from portal.extensions import db
from portal.org.models import Community, Street, Unit
from portal.timeutil import utcnow


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


# `User.scope_label` as the request's user is read with it (`auth.load_user`): a plain attribute.
SCOPE_LABEL_READ = "scope_label_read"


class User(UserMixin, db.Model):
    """A staff member with one role and one scope (district, street, unit or community)."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(30), default="")
    role: Mapped[str] = mapped_column(String(32))
    street_id: Mapped[int | None] = mapped_column(ForeignKey("street.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    # Rotated on logout, password change and deactivation: every session carrying the old one ends.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    street: Mapped[Street | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    community: Mapped[Community | None] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def end_sessions(self) -> None:
        self.session_token = new_session_token()

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    def set_scope(self, *, street=None, unit=None, community=None) -> None:
        """Set the scope the role needs; the street is derived for unit and community roles."""
        self.__dict__.pop(SCOPE_LABEL_READ, None)        # read with the user (auth.load_user)
        self.street = self.unit = self.community = None
        if self.role in perm.STREET_ROLES:
            self.street = street
        elif self.role in perm.UNIT_ROLES:
            self.unit = unit
            self.street = unit.street if unit else None
        elif self.role == perm.GRID_WORKER:
            self.community = community
            self.street = community.street if community else None

    @property
    def scope_label(self) -> str:
        """Where the user works ("街道 · 单位"), as read with the request's user if it was."""
        label = self.__dict__.get(SCOPE_LABEL_READ)
        if label is not None:
            return label
        if self.unit is not None:
            return f"{self.unit.street.name} · {self.unit.name}"
        if self.community is not None:
            return f"{self.community.street.name} · {self.community.name}"
        if self.street is not None:
            return self.street.name
        return ""

    def __str__(self) -> str:
        return self.display_name


class LoginAttempt(db.Model):
    """A failed login, kept in the database so a lock holds across server processes."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_username_at", "username", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(45))
