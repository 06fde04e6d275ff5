from __future__ import annotations

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class HolidayOverride(db.Model):
    """A day whose status the admin sets: a holiday, or a make-up workday (调休)."""

    __tablename__ = "holiday_override"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    name: Mapped[str] = mapped_column(String(50), default="")


class CalendarYear(db.Model):
    """A year whose holidays the admin has entered in full (for years the package does not know)."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    complete: Mapped[bool] = mapped_column(default=False)
