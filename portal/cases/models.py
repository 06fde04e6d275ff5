"""Cases (案件), their assignments (派单 / 吹哨任务), timeline, presses, photos and ratings.

The words follow `DOMAIN.md` ("Cases, three levels"; "Time limits and lights"):

- `Case`: one problem reported through a channel. Triage puts it on a level (1 on the spot,
  2 dispatched to one unit, 3 whistled to several). Its `state` only changes through
  `portal.cases.transitions.transition`, which appends a `CaseEvent` for every change.
- `Assignment`: one unit's part of a case: the single unit of a level-2 dispatch, or the lead /
  a cooperating unit of a whistle. Carries its own state, deadlines and the timestamps that the
  assessment scores (signed_at vs sign_deadline, submitted_at vs complete_deadline).
- `CaseEvent`: the append-only timeline (who, when, from, to, note). `public=True` events appear on
  the residents' timeline as their action's plain label; `note` is internal and never public; a
  text meant for residents goes in `data["public_note"]`.
- `Press` (督办): a press of an overdue assignment. `Attachment`: a re-encoded photo (see
  `portal.cases.uploads`). `Satisfaction`: the resident's one rating of a closed case.

The table of `Case` is named "case", an SQL keyword: SQLAlchemy quotes it; raw SQL must too.

Both `Case` and `Assignment` carry a `version` (optimistic locking). The case's version is the token
a page posts back: every transition, including an assignment's, updates the case row and so bumps it.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.duties.models import Matter
from portal.extensions import db, lazy_gettext as _l
from portal.org.models import Community, Grid, Street, Unit
from portal.timeutil import utcnow

# --- vocabularies (code name -> UI label) ------------------------------------------------------

CHANNELS = {
    "hotline_12345": _l("12345 hotline"),
    "resident_web": _l("Resident web report"),
    "grid_worker": _l("Grid worker report"),
    "inspector": _l("Inspector patrol"),
    "lane_chief": _l("Street-lane chief"),
    "social_media": _l("Social media"),
}

LEVELS = {
    1: _l("Level 1: on the spot"),
    2: _l("Level 2: dispatch"),
    3: _l("Level 3: whistle"),
}

CASE_STATES = {
    "new": _l("New"),
    "triaged": _l("Triaged"),
    "dispatched": _l("Dispatched"),
    "accepted": _l("Signed for"),
    "in_progress": _l("Being handled"),
    "resolved": _l("Resolved, to verify"),
    "closed": _l("Closed"),
    "returned": _l("Returned, to adjudicate"),
    "rejected": _l("Rejected"),
    "reopened": _l("Reopened"),
}
# States in which a case still needs work (lists, queues, dashboards).
OPEN_CASE_STATES = ("new", "triaged", "dispatched", "accepted", "in_progress", "resolved", "returned",
                    "reopened")
FINAL_CASE_STATES = ("closed", "rejected")

WHISTLE_KINDS = {
    "routine": _l("Routine whistle"),
    "tough": _l("Tough whistle"),
    "emergency": _l("Emergency whistle"),
}

ASSIGNMENT_ROLES = {
    "single": _l("Responsible unit"),   # the one unit of a level-2 dispatch
    "lead": _l("Lead unit"),
    "cooperating": _l("Cooperating unit"),
}

ASSIGNMENT_STATES = {
    "dispatched": _l("To sign for"),
    "accepted": _l("Signed for"),
    "on_site": _l("Checked in on site"),
    "submitted": _l("Result submitted"),
    "done": _l("Verified"),
    "returned": _l("Returned"),
    "sent_back": _l("Sent back"),
    "cancelled": _l("Cancelled"),
}
# The unit still owes work: the clock runs and the light shows.
OPEN_ASSIGNMENT_STATES = ("dispatched", "accepted", "on_site", "sent_back")
# Not part of the case's work any more (a misrouted unit's return, a cancelled summons).
INACTIVE_ASSIGNMENT_STATES = ("returned", "cancelled")

ATTACHMENT_KINDS = {
    "report": _l("Reported photo"),
    "before": _l("Photo before handling"),
    "after": _l("Photo after handling"),
    "result": _l("Result photo"),
    "check_in": _l("On-site check-in"),
}

SATISFACTION_LEVELS = {
    "very": _l("Very satisfied"),
    "basically": _l("Basically satisfied"),
    "not": _l("Not satisfied"),
}

# Every `CaseEvent.action`: the transitions of `portal.cases.transitions` plus the events the rules and
# the sweep record without a state change of their own.
EVENT_ACTIONS = {
    "intake": _l("Received"),
    "triage": _l("Triaged"),
    "handle_on_spot": _l("Handled on the spot"),
    "dispatch": _l("Dispatched"),
    "whistle": _l("Whistle blown"),
    "sign_for": _l("Signed for"),
    "check_in": _l("Checked in on site"),
    "log_progress": _l("Progress logged"),
    "submit_result": _l("Result submitted"),
    "return": _l("Returned as not ours"),
    "adjudicate": _l("Adjudicated"),
    "verify": _l("Result verified"),
    "send_back": _l("Sent back"),
    "close": _l("Closed"),
    "force_close": _l("Force-closed"),
    "reject": _l("Rejected"),
    "merge": _l("Merged as a duplicate"),
    "merged_in": _l("Duplicate merged in"),
    "reopen": _l("Reopened"),
    "press": _l("Pressed"),
    "rate": _l("Rated by the resident"),
    "overdue_sign": _l("Sign-for overdue"),
    "overdue_complete": _l("Completion overdue"),
}

LIGHTS = {
    "green": _l("On track"),
    "yellow": _l("Due soon"),
    "red": _l("Overdue"),
    "none": _l("No clock"),
}

# Tracking codes avoid characters that read alike (0/O, 1/I/L) and are case-insensitive.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 12


# The WHERE clauses of the partial indexes below. SQLite uses such an index only for a query whose
# WHERE contains the same term with the same literal values (not bound parameters): the queries of
# `portal.cases.lists` add them through `open_cases_term()` and `WHISTLE_FILED`.
OPEN_CASES_WHERE = "state NOT IN (%s)" % ", ".join(f"'{s}'" for s in FINAL_CASE_STATES)
WHISTLES_WHERE = "whistle_filed = 1"


def new_tracking_code() -> str:
    """A public, unguessable tracking code (12 characters, about 59 bits)."""
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def normalize_tracking_code(text: str | None) -> str:
    """What a resident typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


class Case(db.Model):
    """案件: one reported problem, from intake to closure."""

    __tablename__ = "case"
    __table_args__ = (
        UniqueConstraint("number"),
        UniqueConstraint("tracking_code"),
        Index("ix_case_street_state", "street_id", "state"),
        Index("ix_case_street_created", "street_id", "created_at"),
        Index("ix_case_community_matter_created", "community_id", "matter_id", "created_at"),
        Index("ix_case_state_created", "state", "created_at"),
        Index("ix_case_forced_closed", "forced_closure", "closed_at"),
        Index("ix_case_whistled", "whistle_filed", "whistled_at"),
        # A case's street by its id: `street_id = ? AND id IN (…)` seeks (street_id, rowid) here
        # instead of reading each case's row (the queue's overdue count reads one per overdue case).
        Index("ix_case_street", "street_id"),
        # Partial indexes (see OPEN_CASES_WHERE): the open cases by office and by community (the
        # queue's counts and tabs), and the district whistle register by street, newest first,
        # with the kind and state its filters read. `id` is a key column so the walk gives the
        # register's order exactly; `whistle_filed` (always 1 here) makes it cover the register's
        # queries, so SQLite prefers it to the other indexes on the street without statistics.
        Index("ix_case_open_office", "district_level", "street_id", "state", "created_at",
              sqlite_where=text(OPEN_CASES_WHERE)),
        Index("ix_case_open_community", "community_id", "state", "created_at", sqlite_where=text(OPEN_CASES_WHERE)),
        Index("ix_case_whistles_street", "street_id", "whistled_at", "id", "whistle_kind", "state",
              "whistle_filed", sqlite_where=text(WHISTLES_WHERE)),
        # Every case newest first (the district's case list, and a unit's, probing each case for
        # the unit in ix_assignment_unit_case): see `portal.cases.lists`.
        Index("ix_case_created", "created_at"),
        # A street's cases by number (numbers begin with the street's code, so in the number's own
        # index a street's lie together, after every street whose code sorts before it).
        Index("ix_case_street_number", "street_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64))           # e.g. QT-20261123-0007
    tracking_code: Mapped[str] = mapped_column(String(16), default=new_tracking_code)
    channel: Mapped[str] = mapped_column(String(20))
    reporter_name: Mapped[str] = mapped_column(String(50), default="")
    reporter_phone: Mapped[str] = mapped_column(String(30), default="")
    contact_consent: Mapped[bool] = mapped_column(default=False)
    street_id: Mapped[int] = mapped_column(ForeignKey("street.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"))
    address: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text)
    # No index on matter_id alone: the planner would pick it over the dated indexes below.
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("matter.id"))
    level: Mapped[int | None]
    state: Mapped[str] = mapped_column(String(16), default="new")
    # Filed at district level: the district platform (not the street) adjudicates its returns.
    district_level: Mapped[bool] = mapped_column(default=False)
    whistle_kind: Mapped[str | None] = mapped_column(String(12))
    whistled_at: Mapped[datetime | None]
    whistle_filed: Mapped[bool] = mapped_column(default=False)  # 备案 in the district whistle register
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    forced_closure: Mapped[bool] = mapped_column(default=False)
    forced_reason: Mapped[str] = mapped_column(Text, default="")
    reopen_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: a resident
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    street: Mapped[Street] = relationship()
    community: Mapped[Community] = relationship()
    grid: Mapped[Grid | None] = relationship()
    matter: Mapped[Matter | None] = relationship()
    merged_into: Mapped["Case | None"] = relationship(remote_side=[id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    assignments: Mapped[list["Assignment"]] = relationship(
        back_populates="case", order_by="Assignment.id")
    events: Mapped[list["CaseEvent"]] = relationship(back_populates="case", order_by="CaseEvent.id")
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="case", order_by="Attachment.id")
    satisfaction: Mapped["Satisfaction | None"] = relationship(back_populates="case")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.state not in FINAL_CASE_STATES

    @property
    def is_whistle(self) -> bool:
        return self.level == 3

    @property
    def active_assignments(self) -> list["Assignment"]:
        """The assignments still part of the case's work (not returned, not cancelled)."""
        return [a for a in self.assignments if a.state not in INACTIVE_ASSIGNMENT_STATES]

    @property
    def lead_assignment(self) -> "Assignment | None":
        for a in self.active_assignments:
            if a.role in ("lead", "single"):
                return a
        return None

    def __str__(self) -> str:
        return self.number


class Assignment(db.Model):
    """One unit's part of a case: sign for it, check in, act, report; the street verifies."""

    __tablename__ = "assignment"
    __table_args__ = (
        Index("ix_assignment_unit_state", "unit_id", "state"),
        # With the case: the overdue (red) cases are read from these two indexes alone.
        Index("ix_assignment_state_complete_case", "state", "complete_deadline", "case_id"),
        Index("ix_assignment_state_sign_case", "state", "sign_deadline", "case_id"),
        # A unit's cases: listed and counted from the index alone, or probed (unit_id=? AND case_id=?).
        Index("ix_assignment_unit_case", "unit_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    role: Mapped[str] = mapped_column(String(12))      # single / lead / cooperating
    state: Mapped[str] = mapped_column(String(12), default="dispatched")
    dispatched_at: Mapped[datetime] = mapped_column(default=utcnow)
    sign_deadline: Mapped[datetime]
    complete_deadline: Mapped[datetime]
    # From when the light turns yellow (a quarter of the time left): derived at dispatch, so lists
    # and the sweep can filter lights with an index instead of arithmetic on every row.
    sign_warn_at: Mapped[datetime]
    complete_warn_at: Mapped[datetime]
    limit_unit: Mapped[str] = mapped_column(String(8), default="days")   # days / hours
    deadline_unknown_year: Mapped[bool] = mapped_column(default=False)
    signed_at: Mapped[datetime | None]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    check_in_lat: Mapped[float | None]
    check_in_lng: Mapped[float | None]
    check_in_accuracy: Mapped[float | None]            # metres, as the browser reports it
    submitted_at: Mapped[datetime | None]              # the latest submission
    first_submitted_at: Mapped[datetime | None]        # the first, for on-time scoring
    result: Mapped[str] = mapped_column(Text, default="")
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    return_reason: Mapped[str] = mapped_column(Text, default="")
    send_back_reason: Mapped[str] = mapped_column(Text, default="")
    # Set once by the sweep, so each overdue event and reminder is recorded once.
    overdue_sign_recorded: Mapped[bool] = mapped_column(default=False)
    overdue_complete_recorded: Mapped[bool] = mapped_column(default=False)
    due_soon_notified: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship(back_populates="assignments")
    unit: Mapped[Unit] = relationship()
    signed_by = relationship("User", foreign_keys=[signed_by_id])
    checked_in_by = relationship("User", foreign_keys=[checked_in_by_id])
    verified_by = relationship("User", foreign_keys=[verified_by_id])
    presses: Mapped[list["Press"]] = relationship(back_populates="assignment", order_by="Press.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_ASSIGNMENT_STATES

    @property
    def signed_on_time(self) -> bool | None:
        """None while not signed for."""
        if self.signed_at is None:
            return None
        return self.signed_at <= self.sign_deadline

    @property
    def submitted_on_time(self) -> bool | None:
        """Whether the first result came within the completion limit; None while none came."""
        if self.first_submitted_at is None:
            return None
        return self.first_submitted_at <= self.complete_deadline

    def __str__(self) -> str:
        return f"{self.case_id}/{self.unit_id}"


class CaseEvent(db.Model):
    """One line of a case's timeline. Append-only: never updated, never deleted."""

    __tablename__ = "case_event"
    __table_args__ = (
        Index("ix_case_event_case", "case_id", "id"),
        Index("ix_case_event_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: resident or system
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")   # internal; never on public pages
    public: Mapped[bool] = mapped_column(default=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")
    assignment: Mapped[Assignment | None] = relationship()
    actor = relationship("User")
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="event", order_by="Attachment.id")

    @property
    def actor_name(self) -> str | None:
        """Who acted (None: a resident or the system); the case page's timeline rows carry the same."""
        return self.actor.display_name if self.actor is not None else None


class Press(db.Model):
    """督办: the street or district pressed an overdue assignment."""

    __tablename__ = "press"
    __table_args__ = (Index("ix_press_assignment", "assignment_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    assignment: Mapped[Assignment] = relationship(back_populates="presses")
    by = relationship("User")


class Attachment(db.Model):
    """A photo, re-encoded on upload; served only through a route that checks the case's scope."""

    __tablename__ = "attachment"
    __table_args__ = (
        UniqueConstraint("stored_name"),
        Index("ix_attachment_case", "case_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_event.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))      # report / before / after / result / check_in
    stored_name: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]
    public: Mapped[bool] = mapped_column(default=False)  # staff mark result photos for residents
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="attachments")
    event: Mapped[CaseEvent | None] = relationship(back_populates="attachments")
    uploaded_by = relationship("User")


class Satisfaction(db.Model):
    """The resident's one rating of a closed case (满意度)."""

    __tablename__ = "satisfaction"
    __table_args__ = (UniqueConstraint("case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    level: Mapped[str] = mapped_column(String(12))     # very / basically / not
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reopened: Mapped[bool] = mapped_column(default=False)  # the rating reopened the case

    case: Mapped[Case] = relationship(back_populates="satisfaction")
