"""Chinese working days: statutory holidays and make-up workdays, plus the admin's overrides.

`chinese_calendar` knows the State Council's schedule up to the year it was released for. For a
later year the portal falls back to Monday–Friday plus the admin's overrides, and every deadline
reaching into such a year carries `unknown_year=True` until the admin marks the year complete.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import chinese_calendar
from sqlalchemy import select

from portal.extensions import db
from portal.timeutil import LOCAL_TZ, local_to_utc, to_local


@dataclass(frozen=True)
class Deadline:
    at: datetime            # naive UTC, as stored
    unknown_year: bool      # the count crossed a year nobody has confirmed


def package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """A calendar that answers `is_workday` with the overrides loaded once."""

    def __init__(self, overrides: dict[date, bool] | None = None, complete_years: set[int] | None = None):
        self.overrides = overrides or {}
        self.complete_years = complete_years or set()
        self.unknown_years: set[int] = set()

    @classmethod
    def load(cls) -> "WorkCalendar":
        from portal.workcal.models import CalendarYear, HolidayOverride

        overrides = dict(db.session.execute(select(HolidayOverride.day, HolidayOverride.is_workday)).all())
        complete = set(db.session.scalars(select(CalendarYear.year).where(CalendarYear.complete)))
        return cls(overrides, complete)

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self.complete_years:
                self.unknown_years.add(day.year)
            return day.weekday() < 5

    def year_known(self, year: int) -> bool:
        return package_knows(year) or year in self.complete_years

    def add_working_days(self, start_utc: datetime, days: int) -> Deadline:
        """The end (24:00 Beijing time) of the `days`-th working day after the start's date."""
        self.unknown_years.clear()
        day = to_local(start_utc).date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        end = datetime.combine(day + timedelta(days=1), time(0, 0))
        return Deadline(local_to_utc(end), bool(self.unknown_years))

    def working_days_between(self, start_utc: datetime, end_utc: datetime) -> int:
        """Working days after the start's date up to and including the end's date."""
        first = to_local(start_utc).date()
        last = to_local(end_utc).date()
        count = 0
        day = first
        while day < last:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count


def add_hours(start_utc: datetime, hours: int) -> Deadline:
    """Emergency limits run around the clock."""
    return Deadline(start_utc + timedelta(hours=hours), False)


def deadline(start_utc: datetime, amount: int, unit: str, calendar: WorkCalendar | None = None) -> Deadline:
    """A deadline `amount` working days (unit "days") or clock hours (unit "hours") after start."""
    if unit == "hours":
        return add_hours(start_utc, amount)
    return (calendar or WorkCalendar.load()).add_working_days(start_utc, amount)


__all__ = ["Deadline", "WorkCalendar", "add_hours", "deadline", "package_knows", "LOCAL_TZ"]
