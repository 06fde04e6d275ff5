"""一哨一考: the street's rating of each unit that reported on a whistle, and the scoring rule.

- `WhistleRating`: one per assignment of a closed whistle whose unit submitted a result. It exists
  from the closure on ("owed", no stars yet); the street rates it once (revision 1); a correction
  is a new revision with a reason. The current stars sit on the row, every revision in
  `WhistleRatingRevision` (append-only).
- `ScoringRule`: the written, versioned rule of the monthly assessment. Append-only: a change is a
  new version with who, when and why; a month is scored with the latest version in force for it
  (`effective_from` <= the month).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.cases.models import Assignment, Case
from portal.extensions import db
from portal.org.models import Street, Unit
from portal.timeutil import utcnow

# The four dimensions of the street's rating, in the order the form asks them.
DIMENSIONS = ("efficiency", "cooperation", "professionalism", "responsibility")


class WhistleRating(db.Model):
    """The street's rating of one unit's part in one closed whistle (owed until `rated_at`)."""

    __tablename__ = "whistle_rating"
    __table_args__ = (
        UniqueConstraint("assignment_id"),
        Index("ix_whistle_rating_street_rated", "street_id", "rated_at"),
        Index("ix_whistle_rating_unit_rated", "unit_id", "rated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    street_id: Mapped[int] = mapped_column(ForeignKey("street.id"))
    owed_since: Mapped[datetime] = mapped_column(default=utcnow)   # the whistle's closure
    rated_at: Mapped[datetime | None]
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    efficiency: Mapped[int | None]          # 报到效率, 1–5 stars
    cooperation: Mapped[int | None]         # 配合度
    professionalism: Mapped[int | None]     # 专业性
    responsibility: Mapped[int | None]      # 担当意识
    comment: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(default=0)   # 0 owed, 1 rated, 2+ corrected
    version: Mapped[int] = mapped_column(default=1)

    assignment: Mapped[Assignment] = relationship()
    case: Mapped[Case] = relationship()
    unit: Mapped[Unit] = relationship()
    street: Mapped[Street] = relationship()
    rated_by: Mapped[User | None] = relationship()
    revisions: Mapped[list["WhistleRatingRevision"]] = relationship(
        back_populates="rating", order_by="WhistleRatingRevision.revision")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_owed(self) -> bool:
        return self.rated_at is None

    def stars(self) -> dict[str, int | None]:
        return {d: getattr(self, d) for d in DIMENSIONS}


class WhistleRatingRevision(db.Model):
    """One rating or correction as it was given. Append-only."""

    __tablename__ = "whistle_rating_revision"
    __table_args__ = (UniqueConstraint("rating_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("whistle_rating.id"))
    revision: Mapped[int]
    efficiency: Mapped[int]
    cooperation: Mapped[int]
    professionalism: Mapped[int]
    responsibility: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")   # why a correction was made
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    rating: Mapped[WhistleRating] = relationship(back_populates="revisions")
    by: Mapped[User | None] = relationship()

    def stars(self) -> dict[str, int]:
        return {d: getattr(self, d) for d in DIMENSIONS}


class ScoringRule(db.Model):
    """One version of the assessment rule. Weights are whole percentages."""

    __tablename__ = "scoring_rule"
    __table_args__ = (UniqueConstraint("number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int]                                  # the version number shown to users
    effective_from: Mapped[date]                         # first day of the first month it scores
    # The street's rating as a share of the 100 points: of a stationed unit's score, of a
    # department's score (at least 60 and 30: `portal.assessment.scoring.MIN_*`).
    unit_street_share: Mapped[int]
    department_street_share: Mapped[int]
    # How the rest (the automatic part) divides; these three add up to 100.
    sign_weight: Mapped[int]
    completion_weight: Mapped[int]
    satisfaction_weight: Mapped[int]
    # How the street's rating divides over its four dimensions; these add up to 100.
    efficiency_weight: Mapped[int]
    cooperation_weight: Mapped[int]
    professionalism_weight: Mapped[int]
    responsibility_weight: Mapped[int]
    # What "basically satisfied" earns, in percent of the satisfaction points (very 100, not 0).
    basically_percent: Mapped[int]
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship()

    def dimension_weights(self) -> dict[str, int]:
        return {d: getattr(self, f"{d}_weight") for d in DIMENSIONS}


class AssessmentMonth(db.Model):
    """Bookkeeping of the stored monthly tallies: they are fresh while `fresh_generation` equals
    `generation` (every change to a whistle of the month bumps it) and `valid_until` (the next
    deadline of the month's open assignments, when "pending" turns "overdue") has not passed."""

    __tablename__ = "assessment_month"

    month: Mapped[date] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(default=0)
    fresh_generation: Mapped[int | None]
    valid_until: Mapped[datetime | None]
    computed_at: Mapped[datetime | None]


class AssessmentTally(db.Model):
    """One unit's raw counts for one month (rule-independent; the rule turns them into points)."""

    __tablename__ = "assessment_tally"
    __table_args__ = (UniqueConstraint("month", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date]
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    assignments: Mapped[int]
    cases: Mapped[int]
    sign_judged: Mapped[int]
    sign_ok: Mapped[int]
    completion_judged: Mapped[int]
    completion_ok: Mapped[int]
    satisfaction_judged: Mapped[int]
    very: Mapped[int]
    basically: Mapped[int]
    rated: Mapped[int]
    efficiency_sum: Mapped[int]
    cooperation_sum: Mapped[int]
    professionalism_sum: Mapped[int]
    responsibility_sum: Mapped[int]

COUNT_COLUMNS = ("assignments", "cases", "sign_judged", "sign_ok", "completion_judged", "completion_ok",
                 "satisfaction_judged", "very", "basically", "rated", "efficiency_sum", "cooperation_sum",
                 "professionalism_sum", "responsibility_sum")
