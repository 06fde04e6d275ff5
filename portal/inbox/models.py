from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import utcnow


class Notification(db.Model):
    """An in-app message to one user, pointing at the record it is about."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_unread", "user_id", "read_at", "id"),
        # The same reminder (e.g. "assignment 12 overdue") reaches a user once, however often
        # the sweep runs.
        UniqueConstraint("user_id", "dedupe_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(300), default="")
    dedupe_key: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
