"""What the residents' portal stores itself: throttle hits (the cases live in the cases area)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import utcnow


class PublicThrottle(db.Model):
    """One counted attempt (a report sent, a wrong tracking code) of one client.

    Kept in the database, not in memory, so the limits hold across server processes. `key` is
    "<scope>:<kind>:<id>" (e.g. "report:c:<client id>", "lookup:ip:<address>"); old rows are
    removed as new ones arrive (`throttle.hit`).
    """

    __tablename__ = "public_throttle"
    __table_args__ = (Index("ix_public_throttle_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
