"""Joint meetings (联席会议): members, agenda, attendance, minutes and the resolutions they give."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.cases.models import Case
from portal.extensions import db
from portal.org.models import Community, Street, Unit
from portal.timeutil import utcnow

# 区级联席会议 / 街道城市基层党建联席会议 / 专题会议 / 社区协商日
KINDS = ("district", "party_building", "special", "consultation")
STATES = ("planned", "held", "minutes_approved", "cancelled")
RSVPS = ("pending", "confirmed", "apologies")
ATTENDANCE = ("present", "absent_excused", "absent_unexcused")
RESOLUTION_STATES = ("assigned", "in_progress", "done")
UPDATE_KINDS = ("progress", "done", "press")


class StandingMember(db.Model):
    """A unit on the standing member list of a street (or of the district when street_id is None)."""

    __tablename__ = "meeting_standing_member"
    __table_args__ = (UniqueConstraint("street_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int | None] = mapped_column(ForeignKey("street.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()


class Meeting(db.Model):
    """One meeting; its state changes only through `rules.transition`."""

    __tablename__ = "meeting"
    __table_args__ = (
        Index("ix_meeting_street_kind_starts", "street_id", "kind", "starts_at"),
        Index("ix_meeting_state_starts", "state", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime]                      # naive UTC
    ends_at: Mapped[datetime]                        # naive UTC
    place: Mapped[str] = mapped_column(String(120), default="")
    # None for district joint meetings; the street convening it otherwise.
    street_id: Mapped[int | None] = mapped_column(ForeignKey("street.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    convener_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="planned")
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    held_at: Mapped[datetime | None]
    minutes: Mapped[str] = mapped_column(Text, default="")   # the draft, until approved
    minutes_approved_at: Mapped[datetime | None]
    minutes_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    street: Mapped[Street | None] = relationship()
    community: Mapped[Community | None] = relationship()
    convener: Mapped[User] = relationship(foreign_keys=[convener_id])
    minutes_approved_by: Mapped[User | None] = relationship(foreign_keys=[minutes_approved_by_id])
    members: Mapped[list["MeetingMember"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingMember.id")
    agenda: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position")
    revisions: Mapped[list["MinutesRevision"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MinutesRevision.number")
    resolutions: Mapped[list["Resolution"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Resolution.id")

    @property
    def current_minutes(self) -> str:
        """The latest approved revision once approved, the draft before."""
        return self.revisions[-1].body if self.revisions else self.minutes

    def member_for(self, unit_id: int | None) -> "MeetingMember | None":
        return next((m for m in self.members if m.unit_id == unit_id), None)


class MeetingMember(db.Model):
    """A member unit invited to one meeting: its reply to the invitation and its attendance."""

    __tablename__ = "meeting_member"
    __table_args__ = (UniqueConstraint("meeting_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    rsvp: Mapped[str] = mapped_column(String(12), default="pending")
    rsvp_attendee: Mapped[str] = mapped_column(String(100), default="")
    rsvp_reason: Mapped[str] = mapped_column(String(300), default="")
    rsvp_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    rsvp_at: Mapped[datetime | None]
    attendance: Mapped[str | None] = mapped_column(String(20))
    attendee: Mapped[str] = mapped_column(String(100), default="")
    absence_reason: Mapped[str] = mapped_column(String(300), default="")

    meeting: Mapped[Meeting] = relationship(back_populates="members")
    unit: Mapped[Unit] = relationship()


# An agenda item may take up one or more cases (typically a stuck or returned whistle, 难事).
agenda_item_case = Table(
    "agenda_item_case",
    db.Model.metadata,
    Column("agenda_item_id", ForeignKey("agenda_item.id"), primary_key=True),
    Column("case_id", ForeignKey("case.id"), primary_key=True, index=True),
    info={"area": "meetings"},
)


class AgendaItem(db.Model):
    """An item on the agenda (议题), in `position` order, often a case that needs coordination."""

    __tablename__ = "agenda_item"
    __table_args__ = (Index("ix_agenda_item_meeting_position", "meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    presenter_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")
    presenter_unit: Mapped[Unit | None] = relationship()
    cases: Mapped[list[Case]] = relationship(secondary=agenda_item_case, order_by="Case.number")


class MinutesRevision(db.Model):
    """An approved text of the minutes: number 1 is the approval, later ones are corrections."""

    __tablename__ = "minutes_revision"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    number: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(300), default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="revisions")
    author: Mapped[User] = relationship()


class Resolution(db.Model):
    """A resolution (决议事项) given to one unit with a deadline, followed until done."""

    __tablename__ = "resolution"
    __table_args__ = (Index("ix_resolution_unit_state", "unit_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    deadline_at: Mapped[datetime]                    # naive UTC
    deadline_unknown_year: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(12), default="assigned")
    result: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    meeting: Mapped[Meeting] = relationship(back_populates="resolutions")
    unit: Mapped[Unit] = relationship()
    created_by: Mapped[User] = relationship()
    updates: Mapped[list["ResolutionUpdate"]] = relationship(
        back_populates="resolution", cascade="all, delete-orphan", order_by="ResolutionUpdate.id")

    @property
    def presses(self) -> int:
        return sum(1 for u in self.updates if u.kind == "press")


class ResolutionUpdate(db.Model):
    """Append-only: a progress note, the result when done, or a press (督办) by the convener."""

    __tablename__ = "resolution_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    resolution_id: Mapped[int] = mapped_column(ForeignKey("resolution.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    resolution: Mapped[Resolution] = relationship(back_populates="updates")
    user: Mapped[User] = relationship()
