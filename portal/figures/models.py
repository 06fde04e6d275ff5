"""Summary tables behind the three rates and the dashboard, kept exact in the transaction of every
change (see `portal.figures.tally`) and rebuilt from the cases by `flask figures-rebuild`.

Two kinds of tables:

- Facts: one row per case (`CaseFact`) and per assignment (`AssignmentFact`), holding what the case
  or assignment currently contributes to the tallies (its keys and its 0/1 flags). A change
  subtracts the old fact and adds the new one, so the tallies never drift whatever the change was.
- Tallies: sums of the facts by month, street, community, state (`CaseMonthTally`,
  `UnitMonthTally`) and per matter by aligned blocks of 1 to 64 days (`MatterTally`,
  `UnitMatterTally`: a window of 30 or 90 days reads at most two blocks per size).

The tallies are WITHOUT ROWID tables on SQLite: a window of days reads one range of the primary key.
Months and days are Asia/Shanghai dates (a month is stored as its first day).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db

# `matter_id` 0 in tallies: a case not yet triaged to an item of the list (primary keys cannot be NULL).
NO_MATTER = 0
# Matter tallies count per aligned block of 2**level days (level 0..6: 1 to 64 days), so any window
# of days is at most two blocks per level (`blocks_in`) and reads a few thousand rows at most.
EPOCH = date(2000, 1, 3)
LEVELS = tuple(range(7))


def blocks_of(day: date) -> list[tuple[str, date]]:
    """The (period, start) of every block that holds `day`."""
    n = (day - EPOCH).days
    return [(str(k), EPOCH + timedelta(days=n - n % (1 << k))) for k in LEVELS]


def blocks_in(first: date, last: date) -> list[tuple[str, date]]:
    """The fewest aligned blocks that cover exactly the days [first, last]."""
    n, end, out = (first - EPOCH).days, (last - EPOCH).days, []
    while n <= end:
        k = max(k for k in LEVELS if n % (1 << k) == 0 and n + (1 << k) - 1 <= end)
        out.append((str(k), EPOCH + timedelta(days=n)))
        n += 1 << k
    return out


class CaseFact(db.Model):
    """What one case contributes to the tallies."""

    __tablename__ = "figures_case_fact"

    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date)          # local day the case was received
    street_id: Mapped[int]
    community_id: Mapped[int]
    matter_id: Mapped[int]                           # NO_MATTER when none
    state: Mapped[str] = mapped_column(String(16))
    responded: Mapped[int] = mapped_column(default=0)
    resolved: Mapped[int] = mapped_column(default=0)
    rated: Mapped[int] = mapped_column(default=0)
    satisfied: Mapped[int] = mapped_column(default=0)


class AssignmentFact(db.Model):
    """What one assignment contributes to its unit's tallies."""

    __tablename__ = "figures_assignment_fact"
    __table_args__ = (Index("ix_figures_assignment_fact_case", "case_id"),)

    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), primary_key=True)
    case_id: Mapped[int]
    unit_id: Mapped[int]
    day: Mapped[date] = mapped_column(Date)          # local day it was dispatched
    street_id: Mapped[int]
    community_id: Mapped[int]
    matter_id: Mapped[int]
    state: Mapped[str] = mapped_column(String(12))   # the assignment's state
    responded: Mapped[int] = mapped_column(default=0)
    resolved: Mapped[int] = mapped_column(default=0)
    rated: Mapped[int] = mapped_column(default=0)
    satisfied: Mapped[int] = mapped_column(default=0)


class CaseMonthTally(db.Model):
    """Cases received in a month, by street, community and current state, with the rate counts."""

    __tablename__ = "figures_case_month"
    __table_args__ = {"sqlite_with_rowid": False}

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    street_id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    cases: Mapped[int] = mapped_column(default=0)
    responded: Mapped[int] = mapped_column(default=0)
    resolved: Mapped[int] = mapped_column(default=0)
    rated: Mapped[int] = mapped_column(default=0)
    satisfied: Mapped[int] = mapped_column(default=0)


class UnitMonthTally(db.Model):
    """Assignments dispatched to a unit in a month, by street, community and assignment state."""

    __tablename__ = "figures_unit_month"
    __table_args__ = (Index("ix_figures_unit_month_unit", "unit_id", "month"), {"sqlite_with_rowid": False})

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    unit_id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(12), primary_key=True)
    assignments: Mapped[int] = mapped_column(default=0)
    responded: Mapped[int] = mapped_column(default=0)
    resolved: Mapped[int] = mapped_column(default=0)
    rated: Mapped[int] = mapped_column(default=0)
    satisfied: Mapped[int] = mapped_column(default=0)


class MatterTally(db.Model):
    """Cases received (rejected and merged ones left out) per matter, community and block of days."""

    __tablename__ = "figures_matter"
    __table_args__ = (Index("ix_figures_matter_street", "period", "street_id", "start", "community_id", "matter_id",
                            "cases"),
                      {"sqlite_with_rowid": False})

    period: Mapped[str] = mapped_column(String(1), primary_key=True)   # the block's level, "0".."6"
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    community_id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int]
    cases: Mapped[int] = mapped_column(default=0)


class UnitMatterTally(db.Model):
    """A unit's assignments (returned ones left out) per matter, community and block of days."""

    __tablename__ = "figures_unit_matter"
    __table_args__ = {"sqlite_with_rowid": False}

    unit_id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(1), primary_key=True)
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    community_id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(primary_key=True)
    assignments: Mapped[int] = mapped_column(default=0)


class OpenAssignment(db.Model):
    """The assignments a unit still owes work on (`OPEN_ASSIGNMENT_STATES`) with their clocks and the
    case's place: lights and overdue units are counted here (a few thousand rows, not the year's)."""

    __tablename__ = "figures_open_assignment"
    __table_args__ = (
        Index("ix_figures_open_red", "red_at", "unit_id"),
        Index("ix_figures_open_yellow", "yellow_at"),
        Index("ix_figures_open_street_red", "street_id", "red_at", "unit_id"),
        Index("ix_figures_open_street_yellow", "street_id", "yellow_at"),
        Index("ix_figures_open_community_red", "community_id", "red_at", "unit_id"),
        Index("ix_figures_open_community_yellow", "community_id", "yellow_at"),
        Index("ix_figures_open_unit_red", "unit_id", "red_at"),
        Index("ix_figures_open_unit_yellow", "unit_id", "yellow_at"),
    )

    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), primary_key=True)
    case_id: Mapped[int]
    unit_id: Mapped[int]
    street_id: Mapped[int]
    community_id: Mapped[int]
    state: Mapped[str] = mapped_column(String(12))
    sign_deadline: Mapped[datetime]
    sign_warn_at: Mapped[datetime]
    complete_deadline: Mapped[datetime]
    complete_warn_at: Mapped[datetime]
    # When its light turns yellow and red (`portal.cases.rules.light`): before signing for it the
    # sign-for clock counts too. Lights are then counts of index ranges.
    yellow_at: Mapped[datetime]
    red_at: Mapped[datetime]
