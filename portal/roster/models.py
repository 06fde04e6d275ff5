"""The integrated enforcement center (综合执法中心, "1+5+N"): members, schedule, check-ins, leave."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.extensions import db
from portal.org.models import Department, Street, Unit
from portal.timeutil import utcnow

CORE = "core"            # the urban-management enforcement team, the "1"
STATIONED = "stationed"  # 常驻: full time at the center, the "5"
ON_CALL = "on_call"      # 随叫随到: a named contact, the "N"
MEMBERSHIP_KINDS = (CORE, STATIONED, ON_CALL)

LEAVE_KINDS = ("annual", "sick", "personal", "official", "compensatory")


class Center(db.Model):
    """One street's integrated enforcement center."""

    __tablename__ = "roster_center"
    __table_args__ = (UniqueConstraint("street_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("street.id"))
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")

    street: Mapped[Street] = relationship()
    departments: Mapped[list["CenterDepartment"]] = relationship(
        back_populates="center", cascade="all, delete-orphan")
    members: Mapped[list["Member"]] = relationship(back_populates="center", order_by="Member.id")

    def __str__(self) -> str:
        return self.name


class CenterDepartment(db.Model):
    """Which part of the 1+5+N a department forms in this street (per street: Linyi runs 1+6+N)."""

    __tablename__ = "roster_center_department"
    __table_args__ = (UniqueConstraint("center_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("roster_center.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))

    center: Mapped[Center] = relationship(back_populates="departments")
    department: Mapped[Department] = relationship()


class Member(db.Model):
    """A person on the center's roster: core, stationed or on call, for a period."""

    __tablename__ = "roster_member"
    __table_args__ = (Index("ix_roster_member_center_kind", "center_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("roster_center.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(30), default="")
    post: Mapped[str] = mapped_column(String(50), default="")
    kind: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    center: Mapped[Center] = relationship(back_populates="members")
    department: Mapped[Department] = relationship()
    unit: Mapped[Unit | None] = relationship()
    user: Mapped[User | None] = relationship()

    def serves_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    def __str__(self) -> str:
        return self.name


class ScheduleEntry(db.Model):
    """One cell of the duty schedule (值班表): a member's shift on a day (Beijing date)."""

    __tablename__ = "roster_schedule_entry"
    __table_args__ = (UniqueConstraint("member_id", "day"), Index("ix_roster_schedule_day", "day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("roster_member.id"))
    day: Mapped[date]
    shift: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(default=1)

    member: Mapped[Member] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Attendance(db.Model):
    """A member's check-in and check-out for one day (报到/签到); the chief or the member logs it."""

    __tablename__ = "roster_attendance"
    __table_args__ = (UniqueConstraint("member_id", "day"), Index("ix_roster_attendance_day", "day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("roster_member.id"))
    day: Mapped[date]
    check_in_at: Mapped[datetime]
    check_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    check_in_reason: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    accuracy: Mapped[int | None]
    check_out_at: Mapped[datetime | None]
    check_out_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    check_out_reason: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(default=1)

    member: Mapped[Member] = relationship()
    check_in_by: Mapped[User | None] = relationship(foreign_keys=[check_in_by_id])
    check_out_by: Mapped[User | None] = relationship(foreign_keys=[check_out_by_id])

    __mapper_args__ = {"version_id_col": version}


class Leave(db.Model):
    """An absence entered beforehand, with its type and who approved it."""

    __tablename__ = "roster_leave"
    __table_args__ = (Index("ix_roster_leave_member_dates", "member_id", "start_date", "end_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("roster_member.id"))
    kind: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date]
    end_date: Mapped[date]
    approver: Mapped[str] = mapped_column(String(50))
    note: Mapped[str] = mapped_column(String(200), default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship()

    def covers(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date


class Assessment(db.Model):
    """The street secretary's monthly assessment of a stationed person (score 0–100 and comment)."""

    __tablename__ = "roster_assessment"
    __table_args__ = (UniqueConstraint("member_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("roster_member.id"))
    month: Mapped[str] = mapped_column(String(7))  # "2026-11"
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    member: Mapped[Member] = relationship()
    assessed_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
